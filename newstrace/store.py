"""The embedded store: one DuckDB file holding a scanned collection.

Tables (documented for users in docs/store.md):

- ``meta``: ``format = newstrace`` and the schema version (how a file is
  recognised as ours); ``scan_parameters``, the parameters the stored data
  was made with, which every later scan must use (`Store.begin_run`).
- ``runs``: one row per scan run: when, what, with which parameters, counts.
- ``documents``: every document with its metadata and text; ``doc_key`` is
  an internal integer, ``id`` the user's id, ``content_hash`` keeps identical
  texts from being stored twice; ``scanned`` is false until the document
  has been compared with the rest of the collection.
- ``postings``: ``(shingle, doc_key)``, the sampled n-gram hashes of each
  document (newstrace.candidates).
- ``aligned_pairs``: every candidate pair the aligner has compared (with or
  without passages), so that an interrupted scan resumes where it stopped.
- ``passages``: the shared passages, offsets as in ``newstrace compare``;
  ``kind`` is ``passage``, ``quotation`` or ``boilerplate`` (site furniture,
  with the reason in ``boilerplate``: newstrace.boilerplate).
- ``clusters``, ``cluster_members``: reprint clusters (of the passages that
  are not boilerplate); ``stories``: the story of each document linked by
  substantive reuse (newstrace.cluster).
- ``skipped``: records a scan could not ingest, and why.

Every write is a transaction: a scan killed at any moment leaves the file
consistent, and running it again completes the work.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import numpy as np

from .boilerplate import RECURRENCE_REASON, boilerplate_reason, furniture_reason
from .candidates import CandidateParams, other_series_sql, prepare
from .cluster import (
    EXCERPT_CHARS,
    QUOTATION_KINDS,
    cluster_collection,
    excerpt_members,
    outlet_codes,
    run_starts,
)
from .engines.tables import (
    ANALYSIS_COLUMNS,
    ANALYSIS_ORDER,
    DOCUMENT_COLUMNS,
    EXPORT_COLUMNS,
    EXPORT_ORDER,
    PASSAGE_COLUMNS,
    edits_json,
    published_text,
    stored_passage,
)
from .labels import label_from
from .records import Document, Passage, Span

FORMAT = "newstrace"
SCHEMA_VERSION = "6"
# versions a writable open upgrades in place: version 2 added the duplicates
# table, version 3 dropped the key constraints of the tables that grow with
# the collection (see SCHEMA), version 4 added the boilerplate column of
# passages (the stories of an older store were built with site furniture,
# so it is upgraded before it is read), version 5 the stored analysis (the
# analysis_* tables, filled by the next scan: newstrace.analysis), version 6
# the terms table (the rewritten stage's candidates, filled for every stored
# document by the next scan that runs it) and rewritten passages, whose
# ``edits`` column holds their sentence pairs (an older newstrace would read
# them as edits)
_UPGRADABLE = {"1", "2", "3", "4", "5"}
# versions a read-only open reads as they are
_READABLE: set[str] = set()

# fresh documents whose candidate pairs one step of `Store.pending_pairs` finds
PAIR_CHUNK = 100_000
# postings per part of the document-frequency count in `Store.pending_pairs`
DF_PART_ROWS = 20_000_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY, started TIMESTAMP, finished TIMESTAMP, status VARCHAR,
    paths VARCHAR, parameters VARCHAR, documents_added INTEGER, duplicates INTEGER,
    skipped INTEGER, pairs_aligned INTEGER, passages_found INTEGER);
CREATE TABLE IF NOT EXISTS documents (
    doc_key INTEGER NOT NULL, id VARCHAR NOT NULL, content_hash VARCHAR NOT NULL,
    title VARCHAR, outlet VARCHAR, url VARCHAR, published VARCHAR, byline VARCHAR,
    source_path VARCHAR, length INTEGER, words INTEGER, run_id INTEGER,
    scanned BOOLEAN NOT NULL DEFAULT false, text VARCHAR NOT NULL, published_at TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS postings (shingle BIGINT NOT NULL, doc_key INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS terms (term BIGINT NOT NULL, doc_key INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS aligned_pairs (
    a_key INTEGER NOT NULL, b_key INTEGER NOT NULL, passages INTEGER, run_id INTEGER);
CREATE TABLE IF NOT EXISTS passages (
    passage_id BIGINT NOT NULL, a_key INTEGER, a_id VARCHAR, a_start INTEGER, a_end INTEGER,
    b_key INTEGER, b_id VARCHAR, b_start INTEGER, b_end INTEGER, words INTEGER,
    similarity DOUBLE, kind VARCHAR, edits VARCHAR, cluster_id INTEGER, run_id INTEGER,
    boilerplate VARCHAR);
CREATE TABLE IF NOT EXISTS clusters (
    cluster_id INTEGER NOT NULL, size INTEGER, passages INTEGER, first_doc VARCHAR, excerpt VARCHAR);
CREATE TABLE IF NOT EXISTS cluster_members (
    cluster_id INTEGER, doc_id VARCHAR, "start" INTEGER, "end" INTEGER);
CREATE TABLE IF NOT EXISTS stories (doc_id VARCHAR NOT NULL, story_id INTEGER);
CREATE TABLE IF NOT EXISTS skipped (run_id INTEGER, "where" VARCHAR, reason VARCHAR);
CREATE TABLE IF NOT EXISTS duplicates (
    id VARCHAR NOT NULL, duplicate_of VARCHAR NOT NULL, source_path VARCHAR, run_id INTEGER);
CREATE TABLE IF NOT EXISTS analysis_stories (
    story_key VARCHAR NOT NULL, story_id INTEGER, documents INTEGER, summary VARCHAR, graph VARCHAR,
    measures VARCHAR, run_id INTEGER);
CREATE TABLE IF NOT EXISTS analysis_pairs (
    story_key VARCHAR NOT NULL, seq INTEGER, a_id VARCHAR, b_id VARCHAR, relation VARCHAR,
    confidence DOUBLE, common_source VARCHAR, evidence VARCHAR, common_credits VARCHAR);
CREATE TABLE IF NOT EXISTS analysis_edges (
    story_key VARCHAR NOT NULL, seq INTEGER, source VARCHAR, target VARCHAR, confidence DOUBLE,
    placeholder BOOLEAN, evidence VARCHAR);
CREATE TABLE IF NOT EXISTS analysis_nodes (
    story_key VARCHAR NOT NULL, node_id VARCHAR, label VARCHAR, placeholder BOOLEAN, outlet VARCHAR,
    published VARCHAR, reuse_class VARCHAR, hops INTEGER, root BOOLEAN);
CREATE TABLE IF NOT EXISTS analysis_documents (
    doc_id VARCHAR NOT NULL, story_key VARCHAR NOT NULL, reuse_class VARCHAR, hops INTEGER, sources VARCHAR,
    notes VARCHAR, no_sources VARCHAR, quotations VARCHAR);
CREATE TABLE IF NOT EXISTS analysis_quote_links (
    story_key VARCHAR NOT NULL, seq INTEGER, a_id VARCHAR, a_index INTEGER, b_id VARCHAR, b_index INTEGER,
    b_start INTEGER, b_end INTEGER, similarity DOUBLE, flags VARCHAR, diff VARCHAR);
"""
# the tables of the stored analysis, each with the story_key of its story
ANALYSIS_TABLES = tuple(ANALYSIS_COLUMNS)
# Tables that grow with the collection carry no PRIMARY KEY or UNIQUE
# constraint. DuckDB backs each with an index (ART) that it holds in memory
# while the store is written (written out at a checkpoint, loaded whole
# again by the next insert): some 80 bytes a document for the three of
# `documents` (benchmarks/bench_store_indexes.py), so a 10-million-document scan would need most of a
# gigabyte for indexes alone. The keys are kept unique by the one writer
# instead: `doc_key` and `passage_id` are numbered on from the largest in
# a transaction, a text whose content hash or id is stored is not added
# again (`existing`), an aligned pair is not a candidate again
# (`pending_pairs`), and clusters and stories are rebuilt whole. Tests check
# these keys after scans, rescans and killed scans.

def _export_sql(table: str) -> str:
    """The query ``export`` writes ``table`` with (`tables.EXPORT_COLUMNS`, `tables.EXPORT_ORDER`)."""
    source = "clusters JOIN cluster_members USING (cluster_id)" if table == "clusters" else table
    columns, order = (EXPORT_COLUMNS, EXPORT_ORDER) if table in EXPORT_COLUMNS else (ANALYSIS_COLUMNS, ANALYSIS_ORDER)
    cols = ", ".join(f'"{c}"' for c in columns[table])
    return f"SELECT {cols} FROM {source} ORDER BY {', '.join(order[table])}"


def _column(values: list) -> np.ndarray:
    """A column for DuckDB's scan of a dict of numpy arrays: numeric columns
    as numbers, anything else (text, NULLs) as Python objects."""
    if values and all(isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=bool)
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=np.int64)
    if values and all(isinstance(v, float) for v in values):
        return np.asarray(values, dtype=np.float64)
    return np.asarray(values, dtype=object)


def insert_rows(con: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert many rows at once through a columnar scan (``executemany``
    goes row by row and is two orders of magnitude slower)."""
    if not rows:
        return
    names = [f"c{k}" for k in range(len(columns))]
    batch = {n: _column([r[k] for r in rows]) for k, n in enumerate(names)}  # noqa: F841
    cols = ", ".join(f'"{c}"' for c in columns)
    con.execute(f"INSERT INTO {table} ({cols}) SELECT {', '.join(names)} FROM batch")


INDEX_DOCUMENTS = 20_000  # documents whose words make one file of the app's browsing index


def _document(r: Sequence[Any]) -> Document:
    """A Document from a row whose first columns are ``id, text, title,
    outlet, url, published, byline, source_path`` (the store's reads of documents)."""
    from .ingest.dates import parse_date_string

    return Document(id=r[0], text=r[1], title=r[2], outlet=r[3], url=r[4],
                    published=parse_date_string(r[5]) if r[5] else None, byline=r[6], source_path=r[7])


class StoreError(Exception):
    """A store file that cannot be used; the message names the file and the fix."""


class ParameterMismatch(StoreError):
    """A scan into a store that holds documents, with parameters other than
    those its data was made with; the message names both and the fix."""


# The parameters that shape what a store holds: the postings are the sampled
# n-grams of each document (ngram, sample), the candidate pairs are found
# once for each new document (max_df, min_shared, same_series) and an aligned
# pair is never aligned again (the AlignParams). A scan into a store that
# holds documents must use the stored values. The others say only how a run
# goes (workers, memory limit, progress, batch sizes) or what it reads (paths,
# field maps), and may change from run to run (docs/store.md).
SHAPING_PARAMETERS = ("ngram", "sample", "max_df", "min_shared", "same_series", "min_words", "max_gap",
                      "elision_min_words", "quote_min_words", "max_seed_repeats")
_OPTIONS = {"ngram": "--ngram", "max_df": "--max-df", "min_words": "--min-words", "max_gap": "--max-gap"}


def _shaping(parameters: dict[str, Any]) -> dict[str, Any]:
    return {k: parameters[k] for k in SHAPING_PARAMETERS if k in parameters}


def _as_option(name: str, value: Any) -> str:
    """A parameter as the scan command's option, or as the library's keyword."""
    if name == "same_series":
        return "--same-series" if value else "--no-same-series"
    return f"{_OPTIONS[name]} {value}" if name in _OPTIONS else f"{name}={value}"


@contextmanager
def _transaction(con: Any) -> Iterator[None]:
    """Commit what the block writes, or none of it."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


class Store:
    """A newstrace store in one DuckDB file. Use :func:`open_store`."""

    def __init__(self, con: Any, path: str, read_only: bool) -> None:
        self.con = con
        self.path = path
        self.read_only = read_only
        self._index: Path | None = None  # the web app's browsing index (with_index)

    # -- lifecycle -----------------------------------------------------------

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- runs ------------------------------------------------------------------

    def scan_parameters(self) -> dict[str, Any]:
        """The parameters the stored data was made with (those of
        :data:`SHAPING_PARAMETERS` that are known): as ``meta`` records them,
        or, in a store written before it did, as its first run recorded them."""
        row = self.con.execute("SELECT value FROM meta WHERE key = 'scan_parameters'").fetchone()
        if row:
            return json.loads(row[0])
        for (params,) in self.con.execute(
                "SELECT parameters FROM runs WHERE parameters IS NOT NULL ORDER BY run_id").fetchall():
            shaping = _shaping(json.loads(params))
            if shaping:
                return shaping
        return {}

    def check_parameters(self, parameters: dict[str, Any]) -> None:
        """Raise :class:`ParameterMismatch` if the store holds documents and
        ``parameters`` differ from :meth:`scan_parameters` in any known value."""
        if not self.con.execute("SELECT count(*) FROM documents").fetchone()[0]:
            return
        stored = self.scan_parameters()
        differ = [k for k, v in _shaping(parameters).items() if k in stored and stored[k] != v]
        if differ:
            was = " ".join(_as_option(k, stored[k]) for k in differ)
            asked = " ".join(_as_option(k, parameters[k]) for k in differ)
            raise ParameterMismatch(
                f"{self.path}: the store was scanned with {was}, this scan asks for {asked}; what is stored was "
                f"made with the store's values, and a scan with others would miss reuse. Scan with {was}, "
                "or scan into a new --db file")

    def begin_run(self, paths: Sequence[str], parameters: dict[str, Any]) -> int:
        """Record a run; :class:`ParameterMismatch` (and nothing recorded) if
        its parameters differ from those of the stored data. A store that
        holds no documents takes the run's parameters as its own."""
        self.check_parameters(parameters)
        has_docs = self.con.execute("SELECT count(*) FROM documents").fetchone()[0] > 0
        own = {**(self.scan_parameters() if has_docs else {}), **_shaping(parameters)}
        self.con.execute("INSERT OR REPLACE INTO meta VALUES ('scan_parameters', ?)", [json.dumps(own)])
        run_id = self.con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchone()[0]
        self.con.execute(
            "INSERT INTO runs (run_id, started, status, paths, parameters) VALUES (?, ?, 'running', ?, ?)",
            [run_id, _dt.datetime.now(), json.dumps(list(paths)), json.dumps(parameters)],
        )
        return run_id

    def finish_run(self, run_id: int, **counts: int) -> None:
        sets = ", ".join(f"{k} = ?" for k in counts)
        self.con.execute(
            f"UPDATE runs SET finished = ?, status = 'done'{', ' + sets if sets else ''} WHERE run_id = ?",
            [_dt.datetime.now(), *counts.values(), run_id],
        )

    def add_skipped(self, run_id: int, rows: Iterable[tuple[str, str]]) -> None:
        rows = list(rows)
        if rows:
            insert_rows(self.con, "skipped", ["run_id", "where", "reason"], [(run_id, w, r) for w, r in rows])

    # -- documents -------------------------------------------------------------

    def existing(self, column: str, values: Sequence[str]) -> set[str]:
        """Which of ``values`` the documents table holds in ``column``
        (``id`` or ``content_hash``)."""
        if column not in ("id", "content_hash"):
            raise ValueError(f"existing(): column must be 'id' or 'content_hash', not {column!r}")
        if not values:
            return set()
        batch = {"v": np.array(values, dtype=object)}  # noqa: F841 (scanned by DuckDB)
        return {r[0] for r in self.con.execute(
            f"SELECT {column} FROM documents WHERE {column} IN (SELECT v FROM batch)").fetchall()}

    def add_duplicates(self, run_id: int, rows: Sequence[tuple[str, str | None, str]]) -> int:
        """Record documents whose text is already stored under another id:
        ``(id, source_path, content_hash)``. A document seen again under its
        own id (a rescan) is not a duplicate; one already recorded is not
        recorded twice. Returns how many were recorded."""
        if not rows:
            return 0
        con = self.con
        before = con.execute("SELECT count(*) FROM duplicates").fetchone()[0]
        batch = {"i": np.array([r[0] for r in rows], dtype=object),  # noqa: F841
                 "p": np.array([r[1] for r in rows], dtype=object),
                 "h": np.array([r[2] for r in rows], dtype=object)}
        con.execute("""
            INSERT INTO duplicates
            SELECT DISTINCT ON (b.i) b.i, d.id, b.p, ? FROM batch b JOIN documents d ON d.content_hash = b.h
            WHERE b.i <> d.id AND b.i NOT IN (SELECT id FROM duplicates) AND b.i NOT IN (SELECT id FROM documents)
        """, [run_id])
        return con.execute("SELECT count(*) FROM duplicates").fetchone()[0] - before

    def add_documents(self, run_id: int, docs: Sequence[tuple[Document, str, int, np.ndarray]],
                      terms: Sequence[np.ndarray] | None = None) -> int:
        """Insert documents with their postings, in one transaction.

        ``docs`` holds ``(document, content_hash, words, shingles)``; the
        caller has left out documents already stored. ``terms``: each
        document's term sketch (``candidates_rewritten.term_sketches``), stored
        with it as :meth:`add_terms` does, or ``None`` to leave them to a
        later scan. Returns how many rows were added.
        """
        if not docs:
            return 0
        con = self.con
        with _transaction(con):
            base = con.execute("SELECT coalesce(max(doc_key), 0) FROM documents").fetchone()[0]
            rows = []
            keys, shingles = [], []
            for k, (d, h, words, sh) in enumerate(docs, start=base + 1):
                rows.append((k, d.id, h, d.title, d.outlet, d.url, published_text(d), d.byline,
                             d.source_path, len(d.text), words, run_id, False, d.text))
                keys.append(np.full(len(sh), k, dtype=np.int32))
                shingles.append(sh)
            insert_rows(con, "documents", DOCUMENT_COLUMNS, rows)
            con.execute(_PUBLISHED_AT + " AND doc_key > ?", [base])
            if shingles:
                batch = {"shingle": np.concatenate(shingles), "doc_key": np.concatenate(keys)}  # noqa: F841
                con.execute("INSERT INTO postings SELECT shingle, doc_key FROM batch")
            if terms is not None:
                self._insert_terms(list(zip(range(base + 1, base + 1 + len(rows)), terms)))
        return len(rows)

    def rows_by_key(self, keys: Iterable[int], columns: Sequence[str]) -> dict[int, tuple]:
        """``{doc_key: (column values...)}`` of the documents with these keys."""
        unknown = set(columns) - set(DOCUMENT_COLUMNS)
        if unknown:
            raise ValueError(f"rows_by_key(): no document column {sorted(unknown)}")
        keys = sorted(set(keys))
        if not keys:
            return {}
        batch = {"k": np.array(keys, dtype=np.int64)}  # noqa: F841
        cols = ", ".join(columns)
        return {r[0]: r[1:] for r in self.con.execute(
            f"SELECT doc_key, {cols} FROM documents WHERE doc_key IN (SELECT k FROM batch)").fetchall()}

    def boilerplate_summary(self, limit: int = 10) -> list[tuple[str, int, int, str | None]]:
        """The most repeated boilerplate: ``(excerpt, passages, documents,
        reason)``, most passages first (passages grouped by their first 160
        characters in A)."""
        return self.con.execute("""
            WITH b AS (SELECT p.a_key, p.b_key, p.boilerplate,
                              substr(d.text, p.a_start + 1, least(p.a_end - p.a_start, 160)) AS ex
                       FROM passages p JOIN documents d ON d.doc_key = p.a_key WHERE p.kind = 'boilerplate'),
            g AS (SELECT ex, count(*) AS n, min(boilerplate) AS why FROM b GROUP BY ex),
            k AS (SELECT ex, count(DISTINCT key) AS docs FROM (SELECT ex, a_key AS key FROM b
                                                               UNION ALL SELECT ex, b_key FROM b) GROUP BY ex)
            SELECT g.ex, g.n, k.docs, g.why FROM g JOIN k USING (ex) ORDER BY g.n DESC, g.ex LIMIT ?""",
                                [int(limit)]).fetchall()

    def counts(self) -> dict[str, int]:
        out = {}
        for t in ("documents", "passages", "clusters", "runs", "skipped", "aligned_pairs", "duplicates"):
            out[t] = self.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        out["stories"] = self.con.execute("SELECT count(DISTINCT story_id) FROM stories").fetchone()[0]
        out["boilerplate"] = self.con.execute("SELECT count(*) FROM passages WHERE kind = 'boilerplate'").fetchone()[0]
        return out

    # -- candidates and alignment --------------------------------------------

    def pending_pairs(self, *, max_df: int, min_shared: int, same_series: bool,
                      chunk: int = PAIR_CHUNK, df_part_rows: int = DF_PART_ROWS) -> np.ndarray:
        """Candidate pairs with at least one unscanned document, not yet
        aligned: an ``(n, 2)`` array of ``(a_key, b_key)``, ``a_key < b_key``,
        in order (16 bytes a pair, not a Python tuple's hundred).

        In steps: the shingles fresh documents share with at most ``max_df``
        documents go to a temporary table; then the fresh documents, ``chunk``
        keys at a time, are joined with the postings of those shingles. A
        pair's shared shingles all come from the same fresh document (the
        only fresh one, or the smaller key of two fresh ones), so each step
        counts its pairs whole, and DuckDB's memory goes with the step, not
        the collection. The document frequencies are counted in parts of
        about ``df_part_rows`` postings, split by a hash of the shingle."""
        series = "" if same_series else f"AND {other_series_sql('da.outlet', 'db.outlet')}"
        con = self.con
        con.execute("CREATE OR REPLACE TEMP TABLE nt_fresh AS SELECT doc_key FROM documents WHERE NOT scanned")
        lo, hi, n_fresh = con.execute("SELECT min(doc_key), max(doc_key), count(*) FROM nt_fresh").fetchone()
        out: list[np.ndarray] = []
        try:
            if not n_fresh:
                return np.zeros((0, 2), dtype=np.int64)
            every = n_fresh == con.execute("SELECT count(*) FROM documents").fetchone()[0]
            scope = "" if every else (
                "WHERE shingle IN (SELECT p.shingle FROM postings p SEMI JOIN nt_fresh USING (doc_key))")
            # document frequencies in parts by shingle value, so that one aggregate
            # holds a part of the postings, not all of them
            parts = max(1, con.execute("SELECT count(*) FROM postings").fetchone()[0] // df_part_rows)
            con.execute("CREATE OR REPLACE TEMP TABLE nt_df (shingle BIGINT)")
            for part in range(parts):
                where = f"{'AND' if scope else 'WHERE'} hash(shingle) % {parts} = {part}" if parts > 1 else ""
                con.execute(f"""
                    INSERT INTO nt_df SELECT shingle FROM postings {scope} {where}
                    GROUP BY shingle HAVING count(*) BETWEEN 2 AND {int(max_df)}""")
            for start in range(lo, hi + 1, chunk):
                sql = f"""
                WITH n AS (
                    SELECT p.shingle, p.doc_key FROM postings p SEMI JOIN nt_df USING (shingle)
                    WHERE p.doc_key BETWEEN {start} AND {start + chunk - 1}
                      AND p.doc_key IN (SELECT doc_key FROM nt_fresh)),
                hits AS (
                    SELECT least(n.doc_key, o.doc_key) AS a_key, greatest(n.doc_key, o.doc_key) AS b_key
                    FROM n JOIN postings o ON n.shingle = o.shingle AND n.doc_key <> o.doc_key
                    WHERE o.doc_key NOT IN (SELECT doc_key FROM nt_fresh) OR n.doc_key < o.doc_key),
                cand AS (
                    SELECT a_key, b_key FROM hits GROUP BY a_key, b_key HAVING count(*) >= {int(min_shared)})
                SELECT c.a_key, c.b_key FROM cand c
                JOIN documents da ON da.doc_key = c.a_key
                JOIN documents db ON db.doc_key = c.b_key
                WHERE NOT EXISTS (
                    SELECT 1 FROM aligned_pairs x WHERE x.a_key = c.a_key AND x.b_key = c.b_key)
                {series}
                """
                got = con.execute(sql).fetchnumpy()
                out.append(np.column_stack([np.asarray(got["a_key"], dtype=np.int64),
                                            np.asarray(got["b_key"], dtype=np.int64)]))
        finally:
            con.execute("DROP TABLE IF EXISTS nt_df")
            con.execute("DROP TABLE IF EXISTS nt_fresh")
        pairs = np.concatenate(out) if out else np.zeros((0, 2), dtype=np.int64)
        return pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]

    def unsketched(self, limit: int) -> list[tuple[int, str]]:
        """Up to ``limit`` stored documents with no row in ``terms`` (all of a
        store scanned without the rewritten stage, or made by an older
        newstrace; a scan with it stores each document's terms with the
        document), as ``(doc_key, text)`` in key order. The keys are found
        first, so that no text is read when there are none."""
        keys = [k for (k,) in self.con.execute(
            "SELECT d.doc_key FROM documents d ANTI JOIN (SELECT DISTINCT doc_key FROM terms) t "
            f"USING (doc_key) ORDER BY d.doc_key LIMIT {int(limit)}").fetchall()]
        texts = self.rows_by_key(keys, ("text",))
        return [(k, texts[k][0]) for k in keys]

    def add_terms(self, sketches: Sequence[tuple[int, np.ndarray]]) -> None:
        """Store documents' term sketches (``candidates_rewritten.term_sketch``),
        in one transaction; a document of no term gets a row of term 0, so
        that it counts as sketched."""
        if sketches:
            with _transaction(self.con):
                self._insert_terms(sketches)

    def _insert_terms(self, sketches: Sequence[tuple[int, np.ndarray]]) -> None:
        terms = [s if len(s) else np.zeros(1, dtype=np.int64) for _, s in sketches]
        batch = {"term": np.concatenate(terms),  # noqa: F841
                 "doc_key": np.concatenate([np.full(len(t), k, dtype=np.int32) for (k, _), t in zip(sketches, terms)])}
        self.con.execute("INSERT INTO terms SELECT term, doc_key FROM batch")

    def rewritten_pairs(self, *, sketch: int, min_shared: int, max_df: int, same_series: bool) -> np.ndarray:
        """The rewritten stage's candidate pairs (:mod:`newstrace.candidates_rewritten`):
        pairs with at least one unscanned document, not yet aligned, that
        share at least ``min_shared`` of both documents' sketches (the
        ``sketch`` terms of smallest hash among those in at most ``max_df``
        documents), as an ``(n, 2)`` array of ``(a_key, b_key)``,
        ``a_key < b_key``, in order."""
        from .candidates_rewritten import RewrittenCandidateParams, rewritten_pairs_sql

        series = "" if same_series else f"AND {other_series_sql('da.outlet', 'db.outlet')}"
        fresh = "(SELECT doc_key FROM documents WHERE NOT scanned)"
        cand = rewritten_pairs_sql("terms", RewrittenCandidateParams(sketch=sketch, min_shared=min_shared,
                                                                     max_df=max_df),
                                   fresh=f"x.doc_key IN {fresh} OR y.doc_key IN {fresh}")
        got = self.con.execute(f"""
            SELECT c.a_key, c.b_key FROM ({cand}) c
            JOIN documents da ON da.doc_key = c.a_key JOIN documents db ON db.doc_key = c.b_key
            WHERE NOT EXISTS (SELECT 1 FROM aligned_pairs x WHERE x.a_key = c.a_key AND x.b_key = c.b_key)
            {series}
            ORDER BY c.a_key, c.b_key""").fetchnumpy()
        return np.column_stack([np.asarray(got["a_key"], dtype=np.int64), np.asarray(got["b_key"], dtype=np.int64)])

    def record_alignments(self, run_id: int, results: Sequence[tuple[int, int, Sequence[Passage]]],
                          ids: dict[int, str]) -> int:
        """Store the passages of aligned pairs and mark the pairs done, in one transaction."""
        con = self.con
        with _transaction(con):
            pid = con.execute("SELECT coalesce(max(passage_id), 0) FROM passages").fetchone()[0]
            prow, arow = [], []
            for a_key, b_key, passages in results:
                arow.append((a_key, b_key, len(passages), run_id))
                for p in passages:
                    pid += 1
                    prow.append((pid, a_key, ids[a_key], p.a.start, p.a.end, b_key, ids[b_key], p.b.start,
                                 p.b.end, p.words, p.similarity, p.kind, edits_json(p), run_id,
                                 boilerplate_reason(p)))
            insert_rows(con, "aligned_pairs", ["a_key", "b_key", "passages", "run_id"], arow)
            insert_rows(con, "passages", PASSAGE_COLUMNS, prow)
        return len(prow)

    def matching_documents(self, shingles: np.ndarray, *, max_df: int, min_shared: int) -> list[int]:
        """Stored documents sharing at least ``min_shared`` of ``shingles``
        (those in at most ``max_df`` documents), most shared first."""
        if not len(shingles):
            return []
        batch = {"s": np.asarray(shingles, dtype=np.int64)}  # noqa: F841
        rows = self.con.execute(f"""
            WITH q AS (SELECT DISTINCT s AS shingle FROM batch),
            hits AS (SELECT p.shingle, p.doc_key FROM postings p SEMI JOIN q USING (shingle)),
            ok AS (SELECT shingle FROM hits GROUP BY shingle HAVING count(*) <= {int(max_df)})
            SELECT doc_key, count(*) AS shared FROM hits SEMI JOIN ok USING (shingle)
            GROUP BY doc_key HAVING count(*) >= {int(min_shared)} ORDER BY shared DESC, doc_key
        """).fetchall()
        return [r[0] for r in rows]

    def mark_scanned(self) -> None:
        self.con.execute("UPDATE documents SET scanned = true WHERE NOT scanned")

    # -- stories -------------------------------------------------------------

    def story_id(self, selector: str) -> int | None:
        """The story a selector names: a document id, or a story number."""
        row = self.con.execute("SELECT story_id FROM stories WHERE doc_id = ?", [selector]).fetchone()
        if row:
            return row[0]
        if selector.isdigit():
            row = self.con.execute("SELECT story_id FROM stories WHERE story_id = ? LIMIT 1",
                                   [int(selector)]).fetchone()
            return row[0] if row else None
        return None

    def story_list(self, limit: int = 50) -> list[dict[str, Any]]:
        """The largest stories, largest first, each ``{"story", "documents",
        "outlets", "first_published", "last_published", "first_document",
        "first_label"}`` (the first document by id, named by its label)."""
        rows = self.con.execute(
            "SELECT s.story_id, count(*) AS n, count(DISTINCT lower(d.outlet)), min(d.published_at), "
            "max(d.published_at), "
            "min(s.doc_id) FROM stories s JOIN documents d ON d.id = s.doc_id GROUP BY s.story_id "
            "ORDER BY n DESC, s.story_id LIMIT ?", [int(limit)]).fetchall()
        names = self.labels([r[5] for r in rows])
        def iso(t: Any) -> str | None:
            return t.isoformat() if t is not None else None

        return [{"story": sid, "documents": n, "outlets": o, "first_published": iso(p0), "last_published": iso(p1),
                 "first_document": f, "first_label": names.get(f, f)} for sid, n, o, p0, p1, f in rows]

    def largest_stories(self, limit: int = 50) -> list[tuple[int, int, str]]:
        """``(story_id, documents, first document id)``, largest first."""
        return self.con.execute(
            "SELECT story_id, count(*) AS n, min(doc_id) FROM stories GROUP BY story_id "
            "ORDER BY n DESC, story_id LIMIT ?", [limit]).fetchall()

    def story_docs(self, story_id: int) -> list[Document]:
        """The documents of a story, in scan order (those of :meth:`story`, without the passages)."""
        rows = self.con.execute(
            "SELECT d.id, d.text, d.title, d.outlet, d.url, d.published, d.byline, d.source_path "
            "FROM documents d JOIN stories s ON s.doc_id = d.id WHERE s.story_id = ? ORDER BY d.doc_key",
            [story_id]).fetchall()
        return [_document(r) for r in rows]

    def story(self, story_id: int) -> tuple[list[Document], dict[tuple[str, str], list[Passage]]]:
        """The documents of a story and the passages of each of their pairs
        (boilerplate left out: it is no evidence of who copied whom)."""
        docs = self.story_docs(story_id)
        return docs, self._pair_passages(docs, "a_id IN (SELECT doc_id FROM stories WHERE story_id = ?)",
                                         [story_id])

    def story_sizes(self, story_ids: Sequence[int]) -> dict[int, int]:
        """``{story_id: documents}`` of these stories."""
        if not story_ids:
            return {}
        sb = {"sid": np.array(sorted(set(story_ids)), dtype=np.int64)}  # noqa: F841
        return dict(self.con.execute("SELECT story_id, count(*) FROM stories WHERE story_id IN (SELECT sid FROM sb) "
                                     "GROUP BY story_id").fetchall())

    def stories(self, story_ids: Sequence[int]
                ) -> dict[int, tuple[list[Document], dict[tuple[str, str], list[Passage]]]]:
        """:meth:`story` of each of several stories, read in two queries (one
        for their documents, one for their passages) instead of two a story."""

        if not story_ids:
            return {}
        sb = {"sid": np.array(sorted(set(story_ids)), dtype=np.int64)}  # noqa: F841
        out: dict[int, tuple[list[Document], dict[tuple[str, str], list[Passage]]]] = {
            int(sid): ([], {}) for sid in story_ids}
        story_of: dict[str, int] = {}
        text: dict[str, str] = {}
        for r in self.con.execute(
                "SELECT d.id, d.text, d.title, d.outlet, d.url, d.published, d.byline, d.source_path, s.story_id "
                "FROM documents d JOIN stories s ON s.doc_id = d.id WHERE s.story_id IN (SELECT sid FROM sb) "
                "ORDER BY d.doc_key").fetchall():
            out[r[8]][0].append(_document(r))
            story_of[r[0]], text[r[0]] = r[8], r[1]
        for a, a0, a1, b, b0, b1, words, sim, kind, edits in self.con.execute(
                "SELECT a_id, a_start, a_end, b_id, b_start, b_end, words, similarity, kind, edits FROM passages "
                "WHERE a_id IN (SELECT doc_id FROM stories WHERE story_id IN (SELECT sid FROM sb)) "
                "AND kind <> 'boilerplate' ORDER BY passage_id").fetchall():
            if a not in story_of or story_of.get(b) != story_of[a]:
                continue
            out[story_of[a]][1].setdefault((a, b), []).append(
                stored_passage(Span(a0, a1), Span(b0, b1), text[a][a0:a1], text[b][b0:b1], words, sim, kind, edits))
        return out

    def document_passages(self, doc_id: str, docs: Sequence[Document]) -> dict[tuple[str, str], list[Passage]]:
        """The passages of the pairs of document ``doc_id`` with the others of
        ``docs`` (its story, from :meth:`story_docs`), as :meth:`story` gives
        them: what a document's page needs, without the story's other pairs."""
        return self._pair_passages(docs, "(a_id = ? OR b_id = ?)", [doc_id, doc_id])

    def _pair_passages(self, docs: Sequence[Document], where: str, params: list[Any]
                       ) -> dict[tuple[str, str], list[Passage]]:
        text = {d.id: d.text for d in docs}
        out: dict[tuple[str, str], list[Passage]] = {}
        for a, a0, a1, b, b0, b1, words, sim, kind, edits in self.con.execute(
                "SELECT a_id, a_start, a_end, b_id, b_start, b_end, words, similarity, kind, edits FROM passages "
                f"WHERE {where} AND kind <> 'boilerplate' ORDER BY passage_id", params).fetchall():
            if a not in text or b not in text:
                continue
            out.setdefault((a, b), []).append(stored_passage(Span(a0, a1), Span(b0, b1), text[a][a0:a1],
                                                             text[b][b0:b1], words, sim, kind, edits))
        return out

    # -- the stored analysis (newstrace.analysis) -----------------------------------

    def stale_stories(self) -> tuple[list[int], int]:
        """Match the stored analyses with the current stories, in one
        transaction: an analysis whose story's members are unchanged (the
        same :func:`~newstrace.analysis.story_key`) takes the story's current
        number, the analyses of stories that are gone are deleted. Returns
        the stories that have no analysis (largest first) and how many kept theirs."""
        from .analysis import story_key

        members: dict[int, list[str]] = {}
        for sid, doc_id in self.con.execute("SELECT story_id, doc_id FROM stories").fetchall():
            members.setdefault(sid, []).append(doc_id)
        keys = {story_key(ids): sid for sid, ids in members.items()}
        stored = {k for (k,) in self.con.execute("SELECT story_key FROM analysis_stories").fetchall()}
        gone = sorted(stored - keys.keys())
        with _transaction(self.con):
            if gone:
                gb = {"k": np.array(gone, dtype=object)}  # noqa: F841
                for t in ANALYSIS_TABLES:
                    self.con.execute(f"DELETE FROM {t} WHERE story_key IN (SELECT k FROM gb)")
            kept = sorted(stored & keys.keys())
            if kept:
                kb = {"k": np.array(kept, dtype=object),  # noqa: F841
                      "sid": np.array([keys[k] for k in kept], dtype=np.int64)}
                self.con.execute("UPDATE analysis_stories SET story_id = kb.sid FROM kb "
                                 "WHERE analysis_stories.story_key = kb.k")
        todo = sorted((sid for k, sid in keys.items() if k not in stored), key=lambda s: (-len(members[s]), s))
        return todo, len(kept)

    def save_analysis(self, story_id: int, a: Any) -> None:
        """Store the :class:`~newstrace.analysis.StoryAnalysis` of story
        ``story_id``, in one transaction (replacing any of the same key)."""
        self.save_analyses([(story_id, a)])

    def save_analyses(self, items: Sequence[tuple[int, Any]]) -> None:
        """Store the analyses of several stories ``(story_id, StoryAnalysis)``
        in one transaction, replacing any of the same keys: one statement a
        table for the lot (a statement a story costs a scan of each table a
        story, which on a store of 200,000 documents and thousands of stories
        is most of the scan)."""
        from .analysis import analysis_rows

        self.save_analysis_rows([analysis_rows(story_id, a) for story_id, a in items])

    def save_analysis_rows(self, stories: Sequence[Mapping[str, Sequence[tuple]]], *, replace: bool = True) -> None:
        """:meth:`save_analyses` of stories given as the rows of each
        analysis table (`analysis.analysis_rows`, made where the stories
        were analysed), in one transaction. ``replace=False`` when the
        caller knows no analysis of these stories' keys is stored (the
        analyses of the same keys are not looked for and deleted)."""
        if not stories:
            return
        con = self.con
        rows: dict[str, list[tuple]] = {t: [] for t in ANALYSIS_TABLES}
        for story in stories:
            for t, rs in story.items():
                rows[t].extend(rs)
        kb = {"k": np.array(sorted({r[0] for r in rows["analysis_stories"]}), dtype=object)}  # noqa: F841
        with _transaction(con):
            for t in ANALYSIS_TABLES if replace else ():
                con.execute(f"DELETE FROM {t} WHERE story_key IN (SELECT k FROM kb)")
            for t, rs in rows.items():
                insert_rows(con, t, ANALYSIS_COLUMNS[t], rs)
            con.execute("UPDATE analysis_stories SET run_id = (SELECT max(run_id) FROM runs) "
                        "WHERE story_key IN (SELECT k FROM kb)")

    def _story_key(self, story_id: int) -> str | None:
        row = self.con.execute("SELECT story_key FROM analysis_stories WHERE story_id = ?", [story_id]).fetchone()
        return row[0] if row else None

    def stored_graph(self, story_id: int, *, decisions: bool = True) -> Any:
        """The stored provenance graph of a story (what
        `provenance.trace_passages` gave at scan time), or ``None`` when
        the story has no stored analysis. Without ``decisions``, the graph's
        pair decisions are left out (a large story has many)."""
        from .analysis import decision_from_row, graph_from_json

        row = self.con.execute("SELECT story_key, graph FROM analysis_stories WHERE story_id = ?",
                               [story_id]).fetchone()
        if row is None:
            return None
        rows = self.con.execute(
            "SELECT a_id, b_id, relation, confidence, common_source, evidence, common_credits FROM analysis_pairs "
            "WHERE story_key = ? ORDER BY seq", [row[0]]).fetchall() if decisions else []
        return graph_from_json(row[1], [decision_from_row(*r) for r in rows])

    def stored_pair(self, a: Document, b: Document) -> tuple[Any, tuple[str, str], list[Passage]] | None:
        """What the scan stored about the pair ``a``, ``b``: its provenance
        decision (``None`` when the pair has none: it shares no passage, or
        only boilerplate), the way its passages are stored (``(A's id, B's
        id)``) and those passages; ``None`` when the two are not in one
        story with a stored analysis (a page computes then)."""
        from .analysis import decision_from_row

        key = self.con.execute(
            "SELECT s.story_key FROM analysis_stories s JOIN stories x ON x.story_id = s.story_id AND x.doc_id = ? "
            "JOIN stories y ON y.story_id = s.story_id AND y.doc_id = ?", [a.id, b.id]).fetchone()
        if key is None or a.id == b.id:
            return None
        row = self.con.execute(
            "SELECT a_id, b_id, relation, confidence, common_source, evidence, common_credits FROM analysis_pairs "
            "WHERE story_key = ? AND ((a_id = ? AND b_id = ?) OR (a_id = ? AND b_id = ?)) ORDER BY seq LIMIT 1",
            [key[0], a.id, b.id, b.id, a.id]).fetchone()
        found = self._pair_passages([a, b], "((a_id = ? AND b_id = ?) OR (a_id = ? AND b_id = ?))",
                                    [a.id, b.id, b.id, a.id])
        way = next(iter(found), (row[0], row[1]) if row else (a.id, b.id))
        return (decision_from_row(*row) if row else None), way, found.get(way, [])

    def stored_summary(self, story_id: int) -> Any:
        """The stored `provenance.StorySummary` of a story, or ``None``."""
        from .analysis import summary_from_json

        row = self.con.execute("SELECT summary FROM analysis_stories WHERE story_id = ?", [story_id]).fetchone()
        return summary_from_json(row[0]) if row else None

    def stored_measures(self, story_id: int) -> Any:
        """The stored :class:`~newstrace.analysis.StoryMeasures` of a story, or ``None``."""
        from .analysis import measures_from_json

        row = self.con.execute("SELECT measures FROM analysis_stories WHERE story_id = ?", [story_id]).fetchone()
        return measures_from_json(row[0]) if row else None

    def stored_document(self, doc_id: str) -> Any:
        """The stored :class:`~newstrace.analysis.DocumentAnalysis` of a
        document of a story, or ``None`` (no story, or no stored analysis)."""
        from .analysis import DocumentAnalysis

        row = self.con.execute(
            "SELECT a.doc_id, a.reuse_class, a.hops, a.sources, a.notes, a.no_sources, a.quotations "
            "FROM analysis_documents a "
            "JOIN analysis_stories s USING (story_key) JOIN stories t ON t.doc_id = a.doc_id "
            "AND t.story_id = s.story_id WHERE a.doc_id = ?", [doc_id]).fetchone()
        if row is None:
            return None
        return DocumentAnalysis(row[0], row[1], row[2], tuple(json.loads(row[3])), tuple(json.loads(row[4])), row[5],
                                json.loads(row[6]))

    def stored_quotations(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """``{id: entry}``: the stored `quotation_report` entries of those of
        these documents that are in an analysed story."""
        if not ids:
            return {}
        return {i: json.loads(q) for i, q in self.con.execute(
            "SELECT a.doc_id, a.quotations FROM analysis_documents a JOIN analysis_stories s USING (story_key) "
            "JOIN stories t ON t.doc_id = a.doc_id AND t.story_id = s.story_id "
            "WHERE a.doc_id IN (SELECT unnest(?::VARCHAR[]))", [list(ids)]).fetchall()}

    def stored_quote_links(self, story_id: int) -> list[Any]:
        """The stored quotation links of a story (`quotations.link_quotations`,
        kept for stories of at most `analysis.LINKED_DOCS` documents)."""
        from .analysis import link_from_row

        return [link_from_row(*r) for r in self.con.execute(
            "SELECT a_id, a_index, b_id, b_index, b_start, b_end, similarity, flags, diff FROM analysis_quote_links "
            "WHERE story_key = (SELECT story_key FROM analysis_stories WHERE story_id = ?) ORDER BY seq",
            [story_id]).fetchall()]

    def analysed(self) -> bool:
        """Has every story its stored analysis (a store the current scan wrote)?"""
        return self.con.execute("SELECT count(DISTINCT story_id) FROM stories WHERE story_id NOT IN "
                                "(SELECT story_id FROM analysis_stories)").fetchone()[0] == 0

    def neighbourhood(self, doc_id: str, hops: int = 2) -> dict[str, Any]:
        """A document's sources and derivatives within ``hops`` edges of the
        stored provenance graph of its story: ``{"story", "center", "nodes",
        "edges"}``. ``nodes`` are ``{"id", "label", "placeholder", "outlet",
        "published", "reuse_class", "hops" (from a root), "distance" (edges
        from the document: negative towards its sources, positive towards
        its derivatives, 0 for itself)}``; ``edges`` are ``{"source",
        "target", "confidence", "evidence": [{"kind", "detail"}]}``, every
        edge between two of the nodes. Sources are followed up only, and
        derivatives down only (not a sibling's other parents). A document
        in no story (or a story without stored analysis) gives the document
        alone and no edges."""
        row = self.con.execute("SELECT s.story_id, a.story_key FROM stories s JOIN analysis_stories a "
                               "USING (story_id) WHERE s.doc_id = ?", [doc_id]).fetchone()
        label = self.labels([doc_id]).get(doc_id, doc_id)
        if row is None:
            return {"story": self.stories_of([doc_id]).get(doc_id), "center": doc_id,
                    "nodes": [{"id": doc_id, "label": label, "placeholder": False, "distance": 0}], "edges": []}
        sid, key = row
        edges = self.con.execute("SELECT source, target, confidence, evidence FROM analysis_edges "
                                 "WHERE story_key = ? ORDER BY seq", [key]).fetchall()
        from .provenance.graph import edge_distances

        distance = edge_distances(((src, tgt) for src, tgt, _c, _e in edges), doc_id, hops)
        nodes = self.con.execute(
            "SELECT node_id, label, placeholder, outlet, published, reuse_class, hops FROM analysis_nodes "
            "WHERE story_key = ? AND node_id IN (SELECT unnest(?::VARCHAR[]))", [key, list(distance)]).fetchall()
        out_nodes = [{"id": n, "label": lb, "placeholder": ph, "outlet": o, "published": p, "reuse_class": rc,
                      "hops": h, "distance": distance[n]} for n, lb, ph, o, p, rc, h in nodes]
        out_nodes.sort(key=lambda r: (r["distance"], r["published"] or "", r["id"]))
        out_edges = [{"source": s_, "target": t, "confidence": c,
                      "evidence": [{"kind": k, "detail": d} for k, d, *_ in json.loads(e)]}
                     for s_, t, c, e in edges if s_ in distance and t in distance]
        return {"story": sid, "center": doc_id, "nodes": out_nodes, "edges": out_edges}

    def story_timeline(self, story_id: int) -> list[dict[str, Any]]:
        """Who published what when in a story, and what came from whom, from
        its stored analysis: one row per document, by publication time
        (undated last), ``{"id", "label", "outlet", "published" (ISO text
        as stored), "published_at" (the instant, ISO in UTC, or None),
        "reuse_class", "hops", "sources": [{"id", "label", "placeholder",
        "confidence"}]}`` (its parents in the provenance graph, most
        confident first). Empty for a story without stored analysis."""
        key = self._story_key(story_id)
        if key is None:
            return []
        nodes = {n: (lb, ph) for n, lb, ph in self.con.execute(
            "SELECT node_id, label, placeholder FROM analysis_nodes WHERE story_key = ?", [key]).fetchall()}
        parents: dict[str, list[dict[str, Any]]] = {}
        for src, tgt, conf in self.con.execute("SELECT source, target, confidence FROM analysis_edges "
                                               "WHERE story_key = ? ORDER BY confidence DESC, seq", [key]).fetchall():
            lb, ph = nodes.get(src, (src, False))
            parents.setdefault(tgt, []).append({"id": src, "label": lb, "placeholder": ph, "confidence": conf})
        rows = self.con.execute(
            f"SELECT d.id, d.title, {_HEAD}, d.outlet, d.published, d.published_at, a.reuse_class, a.hops "
            "FROM analysis_documents a JOIN documents d ON d.id = a.doc_id WHERE a.story_key = ? "
            "ORDER BY d.published_at NULLS LAST, d.id", [key]).fetchall()
        return [{"id": i, "label": label_from(t, x), "outlet": o, "published": p,
                 "published_at": at.isoformat() if at is not None else None, "reuse_class": rc, "hops": h,
                 "sources": parents.get(i, [])} for i, t, x, o, p, at, rc, h in rows]

    def documents(self, ids: Sequence[str] | None = None) -> list[tuple[Document, int | None]]:
        """Documents (all, or those with the given ids) in scan order, each
        with its story number (``None`` for a document that shares no text)."""

        sql = ("SELECT d.id, d.text, d.title, d.outlet, d.url, d.published, d.byline, d.source_path, s.story_id "
               "FROM documents d LEFT JOIN stories s ON s.doc_id = d.id")
        params: list[Any] = []
        if ids is not None:
            sql += " WHERE d.id IN (SELECT unnest(?::VARCHAR[]))"
            params.append(list(ids))
        rows = self.con.execute(sql + " ORDER BY d.doc_key", params).fetchall()
        return [(_document(r), r[8]) for r in rows]

    def document_ids(self) -> list[str]:
        """The ids of all documents, in scan order."""
        return [r[0] for r in self.con.execute("SELECT id FROM documents ORDER BY doc_key").fetchall()]

    def story_documents(self, doc_id: str) -> list[tuple[Document, int | None]]:
        """Document ``doc_id`` and the other documents of its story, in scan
        order, each with its story number (as :meth:`documents`): the
        document alone when it shares no text, none when there is no such
        document."""
        rows = self.documents([doc_id])
        story_ids = {r[1] for r in rows if r[1] is not None}
        if story_ids:
            rows = [r for r in self.documents() if r[1] in story_ids]
        return rows

    # -- browsing (the report and the web app) --------------------------------

    def outlets(self, limit: int = 50) -> list[tuple[str, int]]:
        """``(outlet, documents)``, most documents first (``''`` for documents
        with no outlet)."""
        return self.con.execute("SELECT coalesce(outlet, ''), count(*) FROM documents GROUP BY 1 "
                                "ORDER BY 2 DESC, 1 LIMIT ?", [int(limit)]).fetchall()

    def outlet_count(self) -> int:
        """How many distinct outlets the documents name."""
        return self.con.execute("SELECT count(DISTINCT outlet) FROM documents").fetchone()[0]

    def labels(self, ids: Sequence[str]) -> dict[str, str]:
        """``{id: label}`` of these documents (`labels.label_from`: the title,
        else the first words of the text; never a path)."""
        if not ids:
            return {}
        return {i: label_from(t, x) for i, t, x in self.con.execute(
            f"SELECT id, title, {_HEAD} FROM documents WHERE id IN (SELECT unnest(?::VARCHAR[]))",
            [list(ids)]).fetchall()}

    def story_outlet_count(self, story_id: int) -> int:
        """How many distinct outlets the documents of a story name."""
        return self.con.execute("SELECT count(DISTINCT d.outlet) FROM documents d JOIN stories s ON s.doc_id = d.id "
                                "WHERE s.story_id = ?", [story_id]).fetchone()[0]

    def stories_of(self, ids: Sequence[str]) -> dict[str, int]:
        """``{id: story}`` of those of these documents that are in a story."""
        if not ids:
            return {}
        return dict(self.con.execute("SELECT doc_id, story_id FROM stories WHERE doc_id IN "
                                     "(SELECT unnest(?::VARCHAR[]))", [list(ids)]).fetchall())

    def largest_clusters(self, limit: int = 20) -> list[tuple[int, int, int, str, str | None]]:
        """``(cluster_id, documents, passages, first document id, excerpt)``,
        largest first."""
        return self.con.execute("SELECT cluster_id, size, passages, first_doc, excerpt FROM clusters "
                                "ORDER BY size DESC, passages DESC, cluster_id LIMIT ?", [int(limit)]).fetchall()

    def document_page(self, *, offset: int = 0, limit: int = 50
                      ) -> list[tuple[str, str | None, str | None, str | None, int, int | None, str]]:
        """A page of the documents in scan order: ``(id, title, outlet,
        published, length, story, label)``."""
        rows = self.con.execute(
            f"SELECT d.id, d.title, d.outlet, d.published, d.length, s.story_id, {_HEAD} FROM documents d "
            "LEFT JOIN stories s ON s.doc_id = d.id ORDER BY d.doc_key LIMIT ? OFFSET ?",
            [int(limit), int(offset)]).fetchall()
        return [(*r[:6], label_from(r[1], r[6])) for r in rows]

    def search(self, q: str, *, offset: int = 0, limit: int = 50, context: int = 80
               ) -> tuple[int, list[tuple[str, str | None, str | None, str | None, int | None, int, str, str]]]:
        """Documents whose title or text holds ``q`` (case-insensitive), in scan
        order: how many, and a page of ``(id, title, outlet, published, story,
        place of the first hit in the text (1-based, 0 for none), the text
        from ``context`` characters before it, ``2 * context`` characters
        more than ``q``, the document's label)``. ``q`` reaches DuckDB only as a
        bound parameter."""
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where = "(d.text ILIKE ? ESCAPE '\\' OR d.title ILIKE ? ESCAPE '\\')"
        total = self.con.execute(f"SELECT count(*) FROM documents d WHERE {where}", [like, like]).fetchone()[0]
        rows = self.con.execute(
            f"SELECT d.id, d.title, d.outlet, d.published, s.story_id, "
            f"strpos(lower(d.text), lower(?)) AS at, substr(d.text, greatest(strpos(lower(d.text), lower(?)) - "
            f"{int(context)}, 1), {2 * int(context) + len(q)}), d.title, {_HEAD} FROM documents d "
            f"LEFT JOIN stories s ON s.doc_id = d.id WHERE {where} ORDER BY d.doc_key LIMIT ? OFFSET ?",
            [q, q, like, like, int(limit), int(offset)]).fetchall()
        return total, [(*r[:7], label_from(r[7], r[8])) for r in rows]

    # -- the web app's tables: documents, passages, clusters, duplicates, neighbourhoods ---------
    # (one block; `browse_index` writes the word index and the shared-text shares as Parquet files
    # beside a snapshot, sorted so that a lookup reads only the row groups that hold its words)

    def browse_index(self, folder: str | Path) -> Path:
        """Write the browsing index of this store into ``folder`` (a private
        folder of the app; the store itself is not written): ``terms/*.parquet``,
        ``(term, doc_key)`` for every word of every title and text (lower
        case, split at anything not a letter or digit), sorted by term; and
        ``shares.parquet``, ``(doc_key, covered)``: the characters of each
        document inside passages that are not boilerplate. Returns the folder;
        pass it to :meth:`with_index`."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        shares = f"'{_sql_path(folder / 'shares.parquet')}'"
        # the words of a large store (124 million at 200,000 documents) outgrow the app's memory
        # limit read at once: one file of (term, doc_key) per run of documents, each sorted by term
        # (a lookup reads the row groups of each file that can hold its word)
        self.con.execute(f"SET temp_directory = '{_sql_path(folder / 'spill')}'")
        self.con.execute("SET preserve_insertion_order = false")
        (folder / "terms").mkdir(exist_ok=True)
        lo, hi = self.con.execute("SELECT coalesce(min(doc_key), 0), coalesce(max(doc_key), -1) FROM documents"
                                  ).fetchone()
        part = 0
        for start in range(int(lo), int(hi) + 1, INDEX_DOCUMENTS):
            out = f"'{_sql_path(folder / 'terms' / f'{part:05d}.parquet')}'"
            self.con.execute(f"""
                COPY (SELECT DISTINCT t AS term, doc_key FROM (
                        SELECT doc_key, unnest(regexp_split_to_array(lower(coalesce(title, '') || ' ' || text),
                                                                     '{_NOT_WORD}')) AS t FROM documents
                        WHERE doc_key >= {start} AND doc_key < {start + INDEX_DOCUMENTS})
                      WHERE t <> '' ORDER BY term, doc_key)
                TO {out} (FORMAT parquet, ROW_GROUP_SIZE 100000)""")
            part += 1
        if part == 0:  # an empty store: one empty file, so that lookups find nothing
            self.con.execute(f"COPY (SELECT ''::VARCHAR AS term, 0::BIGINT AS doc_key WHERE false) "
                             f"TO '{_sql_path(folder / 'terms' / '00000.parquet')}' (FORMAT parquet)")
        self.con.execute(f"""
            COPY (WITH sp AS (SELECT a_key AS k, a_start AS s, a_end AS e FROM passages WHERE kind <> 'boilerplate'
                              UNION ALL SELECT b_key, b_start, b_end FROM passages WHERE kind <> 'boilerplate'),
                  o AS (SELECT k, s, e, max(e) OVER (PARTITION BY k ORDER BY s, e
                                                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS pe FROM sp),
                  g AS (SELECT k, s, e, sum(CASE WHEN pe IS NULL OR s > pe THEN 1 ELSE 0 END)
                                        OVER (PARTITION BY k ORDER BY s, e) AS grp FROM o),
                  m AS (SELECT k, min(s) AS s, max(e) AS e FROM g GROUP BY k, grp)
                  SELECT k AS doc_key, sum(e - s)::BIGINT AS covered FROM m GROUP BY k ORDER BY k)
            TO {shares} (FORMAT parquet)""")
        return folder

    def with_index(self, folder: str | Path | None) -> Store:
        """A Store over a new cursor of this connection (one per thread) that
        reads the browsing index in ``folder`` (:meth:`browse_index`)."""
        s = Store(self.con.cursor(), self.path, self.read_only)
        s._index = Path(folder) if folder is not None else None
        return s

    def _index_file(self, name: str) -> str:
        folder = self._index
        if folder is None:
            raise StoreError("no browsing index: call browse_index() and with_index() first")
        return f"read_parquet('{_sql_path(folder / name)}')"

    def _document_filter(self, f: dict[str, Any]) -> tuple[str, list[Any]]:
        """The WHERE clause of a document filter (keys as :meth:`document_table`), values bound."""
        where: list[str] = ["true"]
        params: list[Any] = []
        if f.get("outlet") is not None:
            where.append("coalesce(d.outlet, '') = ?")
            params.append(f["outlet"])
        if f.get("since"):
            where.append("d.published_at::DATE >= ?::DATE")
            params.append(f["since"])
        if f.get("until"):
            where.append("d.published_at::DATE <= ?::DATE")
            params.append(f["until"])
        if f.get("month"):
            where.append("strftime(d.published_at, '%Y-%m') = ?")
            params.append(f["month"])
        if f.get("story") is not None:
            where.append("s.story_id = ?")
            params.append(int(f["story"]))
        if f.get("reuse"):
            where.append(f"{self._reuse_sql(f)} = ?")
            params.append(f["reuse"])
        if f.get("phrase"):
            where.append("d.doc_key IN (SELECT unnest(?::INTEGER[]))")
            params.append(self._phrase_keys(f["phrase"], list(f.get("words") or ()), bool(f.get("prefix"))))
        return " AND ".join(where), params

    def _phrase_keys(self, phrase: str, words: list[str], prefix: bool) -> list[int]:
        """The documents whose title or text holds ``phrase`` and every one of
        ``words``: the index names the candidates, and only their texts are
        read (given as a list of keys, DuckDB filters the scan by key before
        it reads a text; a join would read every text first). Many candidates
        (more than :data:`_SCAN_FROM`): one scan of the texts is cheaper."""
        like = _like(phrase)
        test = "(text ILIKE ? ESCAPE '\\' OR title ILIKE ? ESCAPE '\\')"
        if not words:
            return [r[0] for r in self.con.execute(
                f"SELECT doc_key FROM documents WHERE {test} ORDER BY doc_key", [like, like]).fetchall()]
        parts, params = self._term_selects(words, prefix)
        keys = [r[0] for r in self.con.execute(" INTERSECT ".join(parts), params).fetchall()]
        if not keys:
            return []
        if len(keys) > _SCAN_FROM:
            return [r[0] for r in self.con.execute(
                f"SELECT doc_key FROM documents WHERE doc_key IN ({' INTERSECT '.join(parts)}) AND {test} "
                "ORDER BY doc_key", [*params, like, like]).fetchall()]
        return [r[0] for r in self.con.execute(
            f"SELECT doc_key FROM documents WHERE doc_key IN (SELECT unnest(?::INTEGER[])) AND {test} "
            "ORDER BY doc_key", [keys, like, like]).fetchall()]

    def _term_filter(self, key: str, words: list[str], prefix: bool, where: list[str], params: list[Any]) -> None:
        """Conditions that the document ``key`` holds every word (the last
        as a word's beginning when ``prefix``), through the browsing index."""
        selects, values = self._term_selects(words, prefix)
        where += [f"{key} IN ({q})" for q in selects]
        params += values

    def _term_selects(self, words: list[str], prefix: bool) -> tuple[list[str], list[Any]]:
        """One query of the browsing index per word, each selecting the
        documents (``doc_key``) that hold it (the last word as a word's
        beginning when ``prefix``), and their parameters."""
        terms = self._index_file("terms/*.parquet") if words else ""
        selects: list[str] = []
        params: list[Any] = []
        for k, w in enumerate(words):
            if k == len(words) - 1 and prefix:
                selects.append(f"SELECT doc_key FROM {terms} WHERE term >= ? AND term < ?")
                params += [w, w + "\U0010ffff"]
            else:
                selects.append(f"SELECT doc_key FROM {terms} WHERE term = ?")
                params.append(w)
        return selects, params

    def _reuse_sql(self, f: dict[str, Any]) -> str:
        """A document's reuse class: the one the scan's stored analysis gave
        (provenance: which side copied), else, in a story without it, read
        from its shared text alone."""
        wholly = float(f.get("wholly_share", 0.8))
        return (f"coalesce(rc.reuse_class, CASE WHEN coalesce(r.covered, 0) >= {wholly!r} * greatest(d.length, 1) "
                "THEN 'wholly' WHEN coalesce(r.covered, 0) > 0 THEN 'partially' ELSE 'non' END)")

    def _document_from(self) -> str:
        return (f"documents d LEFT JOIN stories s ON s.doc_id = d.id "
                f"LEFT JOIN {self._index_file('shares.parquet')} r ON r.doc_key = d.doc_key "
                "LEFT JOIN (SELECT a.doc_id, a.reuse_class FROM analysis_documents a JOIN analysis_stories t "
                "USING (story_key) JOIN stories u ON u.doc_id = a.doc_id AND u.story_id = t.story_id) rc "
                "ON rc.doc_id = d.id")

    def document_table(self, f: dict[str, Any], *, sort: str = "scan", descending: bool = False,
                       offset: int = 0, limit: int = 50, context: int = 80) -> tuple[int, list[dict[str, Any]]]:
        """Documents that pass the filter ``f`` and a page of them. ``f`` keys
        (each optional): ``outlet`` ('' for none), ``since``/``until`` (ISO
        dates, inclusive), ``month`` (``YYYY-MM``), ``story``, ``reuse``
        (``wholly``/``partially``/``non`` by the share of the text inside
        shared passages, ``wholly_share`` the threshold), ``words`` (every one
        a word of the title or text, the last a word's beginning when
        ``prefix``) and ``phrase`` (a case-insensitive substring, with a
        snippet of ``context`` characters around its first place in the
        text). ``sort``: scan, title, outlet, published, length, story, shared."""
        order = {"scan": "d.doc_key", "title": "lower(coalesce(d.title, d.id))", "outlet": "lower(d.outlet)",
                 "published": "d.published_at", "length": "d.length", "story": "s.story_id",
                 "shared": "coalesce(r.covered, 0) / greatest(d.length, 1)"}[sort]
        where, params = self._document_filter(f)
        src = self._document_from()
        total = self.con.execute(f"SELECT count(*) FROM {src} WHERE {where}", params).fetchone()[0]
        q = f.get("phrase") or ""
        # the page's documents first, then their snippets (only theirs are searched for the phrase)
        rows = self.con.execute(
            f"WITH page AS MATERIALIZED (SELECT d.doc_key, row_number() OVER (ORDER BY {order} "
            f"{'DESC' if descending else 'ASC'} NULLS LAST, d.doc_key) AS n FROM {src} WHERE {where} "
            "ORDER BY n LIMIT ? OFFSET ?) "
            f"SELECT d.id, d.title, d.outlet, d.published, d.length, s.story_id, {self._reuse_sql(f)}, "
            f"coalesce(r.covered, 0), {_HEAD.replace('text', 'd.text')}, "
            f"strpos(lower(d.text), lower(?)), substr(d.text, greatest(strpos(lower(d.text), lower(?)) - "
            f"{int(context)}, 1), {2 * int(context) + len(q)}) "
            f"FROM page JOIN {src} ON d.doc_key = page.doc_key ORDER BY page.n",
            [*params, int(limit), int(offset), q, q]).fetchall()
        return total, [{"id": r[0], "title": r[1], "outlet": r[2], "published": r[3], "length": r[4], "story": r[5],
                        "reuse": r[6], "shared": round(r[7] / max(r[4] or 1, 1), 3), "name": label_from(r[1], r[8]),
                        "at": r[9] if q else 0, "snippet": r[10] if q else ""} for r in rows]

    def document_facets(self, f: dict[str, Any], *, limit: int = 30) -> dict[str, list[tuple[Any, int]]]:
        """Counts of the documents that pass ``f`` by outlet, story, reuse class
        and month of publication: ``{facet: [(value, documents)]}``, most
        first (months in order), at most ``limit`` values each."""
        where, params = self._document_filter(f)
        src = self._document_from()
        exprs = {"outlet": "coalesce(d.outlet, '')", "story": "s.story_id", "reuse": self._reuse_sql(f),
                 "month": "strftime(d.published_at, '%Y-%m')"}
        out = {}
        for name, e in exprs.items():
            order = "1" if name == "month" else "2 DESC, 1"
            out[name] = [tuple(r) for r in self.con.execute(
                f"SELECT {e}, count(*) FROM {src} WHERE {where} AND {e} IS NOT NULL GROUP BY 1 ORDER BY {order} "
                "LIMIT ?", [*params, int(limit)]).fetchall()]
        return out

    def passage_table(self, *, phrase: str | None = None, kind: str | None = None, doc_id: str | None = None,
                      cluster: int | None = None, sort: str = "words", offset: int = 0, limit: int = 50,
                      chars: int = 600, words: Sequence[str] = (), prefix: bool = False
                      ) -> tuple[int, list[dict[str, Any]]]:
        """Shared passages and a page of them, both documents named: filter by
        a case-insensitive ``phrase`` of the A side's text, ``kind``
        (passage, quotation, boilerplate), a document or a reprint cluster
        (``words``, ``prefix``: the phrase's words, as :meth:`document_table`);
        ``sort`` words (most first), published (the later document's date,
        earliest first) or scan. Text: the A side's, at most ``chars``."""
        where: list[str] = ["true"]
        params: list[Any] = []
        if kind:
            where.append("p.kind = ?")
            params.append(kind)
        if doc_id is not None:
            where.append("(p.a_id = ? OR p.b_id = ?)")
            params += [doc_id, doc_id]
        if cluster is not None:
            where.append("p.cluster_id = ?")
            params.append(int(cluster))
        if phrase:  # the words of the phrase in A's text (the index) first, then the phrase in the passage
            self._term_filter("p.a_key", list(words), prefix, where, params)
            where.append("substr(da.text, p.a_start + 1, p.a_end - p.a_start) ILIKE ? ESCAPE '\\'")
            params.append(_like(phrase))
        order = {"words": "p.words DESC", "published": "greatest(da.published_at, db.published_at)",
                 "scan": "p.passage_id"}[sort]
        src = "passages p JOIN documents da ON da.doc_key = p.a_key JOIN documents db ON db.doc_key = p.b_key"
        w = " AND ".join(where)
        total = self.con.execute(f"SELECT count(*) FROM {src} WHERE {w}", params).fetchone()[0]
        # the page's passages first, then their texts (only theirs are cut out)
        rows = self.con.execute(
            f"WITH page AS (SELECT p.passage_id, row_number() OVER (ORDER BY {order} NULLS LAST, p.passage_id) AS k "
            f"FROM {src} WHERE {w} ORDER BY k LIMIT ? OFFSET ?) "
            f"SELECT p.passage_id, p.kind, p.boilerplate, p.words, p.similarity, p.cluster_id, "
            f"p.a_id, da.title, da.outlet, da.published, left(da.text, 400), p.a_start, p.a_end, "
            f"p.b_id, db.title, db.outlet, db.published, left(db.text, 400), p.b_start, p.b_end, "
            f"substr(da.text, p.a_start + 1, least(p.a_end - p.a_start, {int(chars)})), "
            f"substr(db.text, p.b_start + 1, least(p.b_end - p.b_start, {int(chars)})) "
            f"FROM page JOIN {src} ON p.passage_id = page.passage_id ORDER BY page.k",
            [*params, int(limit), int(offset)]).fetchall()

        def side(r: tuple, k: int) -> dict[str, Any]:
            return {"id": r[k], "title": r[k + 1], "outlet": r[k + 2], "published": r[k + 3],
                    "name": label_from(r[k + 1], r[k + 4]), "start": r[k + 5], "end": r[k + 6]}

        return total, [{"passage": r[0], "kind": r[1], "reason": r[2], "words": r[3], "similarity": r[4],
                        "cluster": r[5], "a": side(r, 6), "b": side(r, 13), "a_text": r[20], "b_text": r[21]}
                       for r in rows]

    def cluster_table(self, *, phrase: str | None = None, offset: int = 0, limit: int = 50
                      ) -> tuple[int, list[dict[str, Any]]]:
        """Reprint clusters, largest first, and a page of them (``phrase``: a
        case-insensitive substring of the excerpt), each with its story and its
        members ``{id, title, outlet, published, name, start, end}`` in order of publication."""
        where, params = "true", []
        if phrase:
            where, params = "c.excerpt ILIKE ? ESCAPE '\\'", [_like(phrase)]
        total = self.con.execute(f"SELECT count(*) FROM clusters c WHERE {where}", params).fetchone()[0]
        rows = self.con.execute(
            f"SELECT c.cluster_id, c.size, c.passages, c.first_doc, c.excerpt, s.story_id FROM clusters c "
            f"LEFT JOIN stories s ON s.doc_id = c.first_doc WHERE {where} "
            "ORDER BY c.size DESC, c.passages DESC, c.cluster_id LIMIT ? OFFSET ?",
            [*params, int(limit), int(offset)]).fetchall()
        members: dict[int, list[dict[str, Any]]] = {}
        if rows:
            for cid, i, t, o, p, head, s, e in self.con.execute(
                    f'SELECT m.cluster_id, d.id, d.title, d.outlet, d.published, {_HEAD.replace("text", "d.text")}, '
                    'm."start", m."end" FROM cluster_members m JOIN documents d ON d.id = m.doc_id '
                    "WHERE m.cluster_id IN (SELECT unnest(?::INTEGER[])) "
                    "ORDER BY m.cluster_id, d.published_at NULLS LAST, d.doc_key, m.\"start\"",
                    [[r[0] for r in rows]]).fetchall():
                members.setdefault(cid, []).append({"id": i, "title": t, "outlet": o, "published": p,
                                                    "name": label_from(t, head), "start": s, "end": e})
        return total, [{"cluster": r[0], "size": r[1], "passages": r[2], "first": r[3], "excerpt": r[4] or "",
                        "story": r[5], "members": members.get(r[0], [])} for r in rows]

    def duplicate_table(self, *, offset: int = 0, limit: int = 50) -> tuple[int, list[dict[str, Any]]]:
        """Exact duplicates (texts the scans found stored already), and a
        page of them: the duplicate's id and the stored document it repeats."""
        total = self.con.execute("SELECT count(*) FROM duplicates").fetchone()[0]
        rows = self.con.execute(
            f"SELECT x.id, x.duplicate_of, d.title, d.outlet, d.published, {_HEAD.replace('text', 'd.text')} "
            "FROM duplicates x LEFT JOIN documents d ON d.id = x.duplicate_of "
            "ORDER BY x.duplicate_of, x.id LIMIT ? OFFSET ?", [int(limit), int(offset)]).fetchall()
        return total, [{"id": r[0], "of": {"id": r[1], "title": r[2], "outlet": r[3], "published": r[4],
                                            "name": label_from(r[2], r[5] or "")}} for r in rows]

    def shared_words(self, ids: Sequence[str]) -> list[tuple[str, str, int]]:
        """``(a_id, b_id, words)`` of the pairs that share text (boilerplate left
        out) and touch one of ``ids``."""
        if not ids:
            return []
        return self.con.execute(
            "SELECT a_id, b_id, sum(words)::BIGINT FROM passages WHERE kind <> 'boilerplate' AND "
            "(a_id IN (SELECT unnest(?::VARCHAR[])) OR b_id IN (SELECT unnest(?::VARCHAR[]))) "
            "GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2", [list(ids), list(ids)]).fetchall()

    def passages_among(self, ids: Sequence[str]) -> tuple[list[Document], dict[tuple[str, str], list[Passage]]]:
        """The documents ``ids`` (scan order) and the passages between any two
        of them, as :meth:`story` gives a story's."""
        docs = [d for d, _s in self.documents(list(ids))]
        text = {d.id: d.text for d in docs}
        out: dict[tuple[str, str], list[Passage]] = {}
        for a, a0, a1, b, b0, b1, words, sim, kind, edits in self.con.execute(
                "SELECT a_id, a_start, a_end, b_id, b_start, b_end, words, similarity, kind, edits FROM passages "
                "WHERE a_id IN (SELECT unnest(?::VARCHAR[])) AND b_id IN (SELECT unnest(?::VARCHAR[])) "
                "AND kind <> 'boilerplate' ORDER BY passage_id", [list(ids), list(ids)]).fetchall():
            out.setdefault((a, b), []).append(stored_passage(Span(a0, a1), Span(b0, b1), text[a][a0:a1],
                                                             text[b][b0:b1], words, sim, kind, edits))
        return docs, out

    def story_timeline_rows(self, story_id: int, *, limit: int = 400
                            ) -> tuple[list[dict[str, Any]], list[tuple[str, str, int]]]:
        """A story's documents in order of publication (at most ``limit``:
        ``{id, title, outlet, published, at, name}``, ``at`` the timestamp) and
        ``(a_id, b_id, words)`` of the pairs among them that share text."""
        rows = self.con.execute(
            f"SELECT d.id, d.title, d.outlet, d.published, d.published_at, {_HEAD.replace('text', 'd.text')} "
            "FROM documents d JOIN stories s ON s.doc_id = d.id WHERE s.story_id = ? "
            "ORDER BY d.published_at NULLS LAST, d.doc_key LIMIT ?", [int(story_id), int(limit)]).fetchall()
        docs = [{"id": r[0], "title": r[1], "outlet": r[2], "published": r[3], "at": r[4],
                 "name": label_from(r[1], r[5])} for r in rows]
        ids = [d["id"] for d in docs]
        pairs = self.con.execute(
            "SELECT a_id, b_id, sum(words)::BIGINT FROM passages WHERE kind <> 'boilerplate' AND "
            "a_id IN (SELECT unnest(?::VARCHAR[])) AND b_id IN (SELECT unnest(?::VARCHAR[])) "
            "GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2", [ids, ids]).fetchall() if ids else []
        return docs, pairs

    # -- clusters --------------------------------------------------------------

    def rebuild_clusters(self) -> int:
        """Recompute boilerplate by recurrence, reprint clusters and stories
        from all passages, in one transaction (`cluster.cluster_collection`).

        The passages come out of DuckDB as numpy columns, documents as
        their rank in id order, so the work in Python takes some 60 bytes a
        passage rather than a row object each. Boilerplate found by its
        recurrence is recomputed each time (the collection decides it);
        furniture by its wording was marked when the pair was aligned.
        """
        con = self.con
        # the documents that have passages, in id order: the clustering's document numbers
        d = con.execute(
            "SELECT doc_key, length, lower(outlet) AS outlet FROM documents "
            "WHERE doc_key IN (SELECT a_key FROM passages UNION SELECT b_key FROM passages) "
            "ORDER BY id").fetchnumpy()
        keys = np.asarray(d["doc_key"], dtype=np.int64)
        rank = np.zeros(int(keys.max()) + 1 if len(keys) else 1, dtype=np.int64)
        rank[keys] = np.arange(len(keys))
        p = con.execute("SELECT passage_id, a_key, a_start, a_end, b_key, b_start, b_end, words, "
                        f"kind IN ({', '.join(repr(k) for k in QUOTATION_KINDS)}) AS quotation, "
                        f"kind = 'boilerplate' AND coalesce(boilerplate, '') NOT LIKE '{_RECURS}%' AS worded "
                        "FROM passages ORDER BY passage_id").fetchnumpy()
        col = {k: np.asarray(v, dtype=np.int64) for k, v in p.items() if k not in ("quotation", "worded")}
        found = cluster_collection(
            rank[col["a_key"]], col["a_start"], col["a_end"], rank[col["b_key"]], col["b_start"], col["b_end"],
            col["words"], np.asarray(p["worded"], dtype=bool), np.asarray(p["quotation"], dtype=bool),
            np.asarray(d["length"], dtype=np.int64), outlet_codes(d["outlet"]))
        table, story = found.table, found.story
        pid = col["passage_id"]
        del p, col
        n_clusters = len(table.size)
        first = np.flatnonzero(run_starts(table.member_cluster))
        with _transaction(con):
            con.execute("DELETE FROM cluster_members")
            con.execute("DELETE FROM clusters")
            con.execute("DELETE FROM stories")
            # story numbers change: the stored analyses get theirs again from their members (stale_stories)
            con.execute("UPDATE analysis_stories SET story_id = NULL")
            # boilerplate by recurrence is decided again below
            con.execute(f"UPDATE passages SET kind = 'passage', boilerplate = NULL "
                        f"WHERE boilerplate LIKE '{_RECURS}%'")
            con.execute("UPDATE passages SET cluster_id = NULL")
            if n_clusters:
                cb = {"cid": np.arange(1, n_clusters + 1, dtype=np.int64), "size": table.size,  # noqa: F841
                      "npass": table.passages, "k": keys[table.member_doc[first]]}
                con.execute("INSERT INTO clusters (cluster_id, size, passages, first_doc) "
                            "SELECT cb.cid, cb.size, cb.npass, d.id FROM cb JOIN documents d ON d.doc_key = cb.k "
                            "ORDER BY cb.cid")
                mb = {"cid": table.member_cluster, "k": keys[table.member_doc],  # noqa: F841
                      "s": table.member_start, "e": table.member_end}
                con.execute('INSERT INTO cluster_members (cluster_id, doc_id, "start", "end") '
                            "SELECT mb.cid, d.id, mb.s, mb.e FROM mb JOIN documents d ON d.doc_key = mb.k "
                            "ORDER BY mb.cid, d.id, mb.s")
                clustered = table.passage_cluster > 0
                pb = {"pid": pid[clustered], "cid": table.passage_cluster[clustered]}  # noqa: F841
                con.execute("UPDATE passages SET cluster_id = pb.cid FROM pb WHERE passages.passage_id = pb.pid")
                x = excerpt_members(table)  # only the chosen member's text is read
                xb = {"cid": table.member_cluster[x], "k": keys[table.member_doc[x]],  # noqa: F841
                      "s": table.member_start[x],
                      "n": np.minimum(table.member_end[x] - table.member_start[x], EXCERPT_CHARS)}
                con.execute("""
                    UPDATE clusters SET excerpt = e.excerpt FROM (
                        SELECT xb.cid, substr(d.text, xb.s + 1, xb.n) AS excerpt
                        FROM xb JOIN documents d ON d.doc_key = xb.k
                    ) e WHERE clusters.cluster_id = e.cid""")
            recurring = np.flatnonzero(found.recurring_docs)
            if len(recurring):
                rb = {"pid": pid[recurring],  # noqa: F841
                      "why": np.array([found.reason(k) for k in recurring.tolist()], dtype=object)}
                con.execute("UPDATE passages SET kind = 'boilerplate', boilerplate = rb.why FROM rb "
                            "WHERE passages.passage_id = rb.pid")
            linked = story > 0
            if linked.any():
                sb = {"k": keys[linked], "story": story[linked]}  # noqa: F841
                con.execute("INSERT INTO stories (doc_id, story_id) SELECT d.id, sb.story FROM sb "
                            "JOIN documents d ON d.doc_key = sb.k ORDER BY d.id")
        return n_clusters

    # -- import ----------------------------------------------------------------

    def load_tables(self, folder: str | Path, *, candidate_params: Any = None,
                    say: Any = None) -> dict[str, int]:
        """Load a folder of Parquet tables into this store, which must hold no
        documents yet: the Spark engine's output (a folder of part files per
        table) or ``export --format parquet`` (one file per table).

        A damaged or foreign Parquet file is a :class:`StoreError`, and
        leaves the store as it was. Documents keep the tables' row order (the order they were read in);
        ``postings``, ``aligned_pairs``, ``skipped`` and ``terms`` (the
        rewritten stage's term sketches) are loaded when present, postings otherwise recomputed with the scan's own
        per-document function, so that ``query`` and later incremental scans
        work. Clusters and stories are rebuilt from the passages, with the
        same function and numbering as a scan. The stored analysis is
        loaded from the ``analysis_*`` tables when the folder has them (those
        of the Spark engine or of ``export``) and matched with the rebuilt
        stories by their members; the stories it lacks are analysed
        (`analysis.analyse_stories`, progress to ``say``). Returns the
        tables' row counts."""
        folder = Path(folder)
        con = self.con
        if con.execute("SELECT count(*) FROM documents").fetchone()[0]:
            raise StoreError(f"{self.path}: the store already holds documents; import into a new --db file")
        src = {t: _parquet_source(folder, t) for t in ("documents", "passages", "duplicates", "postings",
                                                       "aligned_pairs", "skipped", "terms", *ANALYSIS_COLUMNS)}
        if src["documents"] is None or src["passages"] is None:
            raise StoreError(f"{folder}: no documents and passages Parquet tables; give the --output folder "
                             "of 'newstrace scan --engine spark' or of 'newstrace export --format parquet'")
        manifest = folder / "manifest.json"
        info = json.loads(manifest.read_text()) if manifest.is_file() else {}
        import duckdb

        params = dict(info.get("parameters", {}))
        if src["postings"] is None:  # recomputed, with the parameters the store then owns
            from .candidates import CandidateParams

            candidate_params = candidate_params or CandidateParams(**{
                k: params[k] for k in ("ngram", "sample", "max_df", "min_shared") if k in params})
            params.update(asdict(candidate_params))
        run_id = self.begin_run(info.get("paths", [str(folder)]), {**params, "imported_from": str(folder)})
        try:
            self._load_parquet(src, run_id, candidate_params)
        except duckdb.OutOfMemoryException as e:  # the transaction rolled back: nothing of it stays
            con.execute("DELETE FROM runs WHERE run_id = ?", [run_id])
            raise StoreError(self._out_of_memory(folder, e, f"nothing of them was loaded: run 'newstrace import "
                                                 f"{folder} --db {self.path}' again with")) from e
        except duckdb.Error as e:  # a damaged or foreign Parquet file: nothing of it stays
            con.execute("DELETE FROM runs WHERE run_id = ?", [run_id])
            raise StoreError(f"{folder}: cannot load its Parquet tables ({str(e).splitlines()[0]}); give the "
                             "--output folder of 'newstrace scan --engine spark' or of 'newstrace export "
                             "--format parquet', as written") from e
        try:
            self.rebuild_clusters()
        except duckdb.OutOfMemoryException as e:
            raise StoreError(self._out_of_memory(folder, e, "the tables are loaded but not their clusters and "
                                                 f"stories: run 'newstrace import {folder}' into a new --db file "
                                                 "with")) from e
        from .analysis import analyse_stories

        analyse_stories(self, say=say)  # those the tables did not hold
        counts = self.counts()
        self.finish_run(run_id, documents_added=counts["documents"], duplicates=counts["duplicates"],
                        skipped=counts["skipped"], pairs_aligned=counts["aligned_pairs"],
                        passages_found=counts["passages"])
        return counts

    def _out_of_memory(self, folder: Path, e: Exception, what: str) -> str:
        """The message of an import that ran out of memory: what it left, and the fix."""
        limit = self.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        return (f"{self.path}: the store ran out of memory loading {folder} under its memory limit of {limit} "
                f"({str(e).splitlines()[0]}); {what} a larger --memory-limit (for example twice as much)")

    def _load_parquet(self, src: dict[str, str | None], run_id: int, candidate_params: Any) -> None:
        """The rows of `load_tables`, in one transaction."""
        con = self.con
        with _transaction(con):
            con.execute(f"""
                INSERT INTO documents (doc_key, id, content_hash, title, outlet, url, published, byline,
                                       source_path, length, words, run_id, scanned, text)
                SELECT row_number() OVER (ORDER BY filename, file_row_number), id, content_hash, title, outlet, url,
                       published, byline, source_path, length, words, {run_id}, true, text
                FROM {src['documents']}""")
            con.execute(_PUBLISHED_AT)
            if src["postings"]:
                con.execute(f"INSERT INTO postings SELECT p.shingle, d.doc_key FROM {src['postings']} p "
                            "JOIN documents d ON d.id = p.doc_id")
            else:
                cp = candidate_params or CandidateParams()
                rows = con.execute("SELECT doc_key, text FROM documents ORDER BY doc_key").fetchall()
                for k, text in rows:
                    sh = prepare(text, cp)[1]
                    batch = {"shingle": sh, "doc_key": np.full(len(sh), k, dtype=np.int32)}  # noqa: F841
                    con.execute("INSERT INTO postings SELECT shingle, doc_key FROM batch")
            has = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src['passages']}").fetchall()}
            why = "p.boilerplate" if "boilerplate" in has else "NULL"
            con.execute(f"""
                INSERT INTO passages (passage_id, a_key, a_id, a_start, a_end, b_key, b_id, b_start, b_end,
                                      words, similarity, kind, edits, run_id, boilerplate)
                SELECT p.passage_id, da.doc_key, p.a_id, p.a_start, p.a_end, db.doc_key, p.b_id, p.b_start,
                       p.b_end, p.words, p.similarity, p.kind, p.edits, {run_id}, {why}
                FROM {src['passages']} p JOIN documents da ON da.id = p.a_id JOIN documents db ON db.id = p.b_id""")
            pairs = (f"SELECT da.doc_key, db.doc_key, x.passages, {run_id} FROM {src['aligned_pairs']} x "
                     "JOIN documents da ON da.id = x.a_id JOIN documents db ON db.id = x.b_id"
                     if src["aligned_pairs"] else
                     f"SELECT a_key, b_key, count(*), {run_id} FROM passages GROUP BY a_key, b_key")
            con.execute(f"INSERT INTO aligned_pairs {pairs}")
            con.execute(f"INSERT INTO duplicates SELECT id, duplicate_of, source_path, {run_id} "
                        f"FROM {src['duplicates']}" if src["duplicates"] else "SELECT 1")
            if src["skipped"]:
                con.execute(f'INSERT INTO skipped SELECT {run_id}, "where", reason FROM {src["skipped"]}')
            if src["terms"]:  # else the next scan with the rewritten stage sketches every document
                con.execute(f"INSERT INTO terms SELECT t.term, d.doc_key FROM {src['terms']} t "
                            "JOIN documents d ON d.id = t.doc_id")
            for t, cols in ANALYSIS_COLUMNS.items():  # the stored analysis, when the tables hold it
                if src[t]:
                    names = ", ".join(f'"{c}"' for c in cols)
                    con.execute(f"INSERT INTO {t} ({names}) SELECT {names} FROM {src[t]}")

    # -- export ----------------------------------------------------------------

    def export(self, fmt: str, out_dir: Path) -> list[Path]:
        """Write one file per table (documents, passages, clusters, duplicates,
        and the analysis_* tables of the stored analysis) into ``out_dir``."""
        from .outputs import Staged

        written = []
        with Staged(out_dir) as staged:  # all the files or none: an export as it was on any failure
            for table in (*EXPORT_COLUMNS, *ANALYSIS_COLUMNS):
                sql = _export_sql(table)
                final = out_dir / f"{table}.{fmt}"
                opts = {"jsonl": "FORMAT JSON", "csv": "FORMAT CSV, HEADER", "parquet": "FORMAT PARQUET"}[fmt]
                self.con.execute(f"COPY ({sql}) TO '{_sql_path(staged.path(final))}' ({opts})")
                written.append(final)
        return written


def _parquet_source(folder: Path, table: str) -> str | None:
    """``read_parquet(...)`` over table ``table`` in ``folder`` (a folder of
    part files or one ``table.parquet`` file), with each row's file and place."""
    if (folder / table).is_dir():
        pattern = folder / table / "*.parquet"
        if not list((folder / table).glob("*.parquet")):
            return None
    elif (folder / f"{table}.parquet").is_file():
        pattern = folder / f"{table}.parquet"
    else:
        return None
    return f"read_parquet('{_sql_path(pattern)}', filename = true, file_row_number = true)"


def _sql_path(p: Path) -> str:
    return str(p).replace("'", "''")


DEFAULT_MEMORY_LIMIT = "4GB"


class StoreBusy(StoreError):
    """Another process holds the store's lock; the message names it (or says it is unknown)."""


def open_store(path: str | Path, *, read_only: bool = False, create: bool = True,
               memory_limit: str = DEFAULT_MEMORY_LIMIT) -> Store:
    """Open (or create) a store; :class:`StoreError` if the file is not ours,
    is damaged, cannot be written where it must be, or the memory limit is
    too small to read it; :class:`StoreBusy` if another process holds it.

    A new store is made under a temporary name beside ``path`` and linked
    into place with its schema, so that no file at ``path`` is ever a store
    half made (and an empty DuckDB file is never taken for one).

    DuckDB keeps at most ``memory_limit`` in memory (its own default is 80 %
    of the machine's) and spills larger joins to ``<store>.tmp/`` beside the
    file, so a scan's memory does not grow with the collection."""
    import duckdb

    from .failures import describe

    p = Path(path)
    if p.is_dir():
        raise StoreError(f"{p}: is a directory; give a database file path such as corpus.duckdb")
    config: dict[str, Any] = {"memory_limit": memory_limit, "temp_directory": str(p) + ".tmp"}
    if not p.exists():
        if read_only or not create:
            raise StoreError(f"{p}: no such store; run 'newstrace scan PATH --db {p}' first")
        _create(p, config)
    if p.stat().st_size == 0:
        raise StoreError(f"{p}: an empty file (0 bytes), not a newstrace store; delete it (a scan then makes the "
                         "store there), or give another --db path")
    with open(p, "rb") as fh:
        head = fh.read(16)
    if head[8:12] != b"DUCK":
        raise StoreError(f"{p}: not a newstrace store (not a DuckDB file); give another --db path")
    con = None
    try:
        con = duckdb.connect(str(p), read_only=read_only, config=config)
        # publication instants (documents.published_at) are read and written in UTC (ICU is built in;
        # set here, since a connect-time config would try to load it as an extension)
        con.execute("SET TimeZone = 'UTC'")
        _check_ours(con, p, read_only)
    except duckdb.Error as e:
        if con is not None:
            con.close()
        message = describe(e, p, writing=not read_only, memory_limit=memory_limit)
        if message is None:
            message = f"{p}: not a usable DuckDB file ({str(e).splitlines()[0]}); give another --db path"
        raise (StoreBusy if "could not set lock" in str(e).lower() else StoreError)(message) from e
    except StoreError:
        con.close()  # type: ignore[union-attr]
        raise
    return Store(con, str(p), read_only)


def _check_ours(con: Any, p: Path, read_only: bool) -> None:
    """Raise :class:`StoreError` unless ``con`` is a newstrace store this
    version reads; upgrade an older one when writable."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    fmt = None
    if "meta" in tables:
        row = con.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        fmt = row[0] if row else None
    if fmt != FORMAT:
        what = "that holds no tables" if not tables else "that is not a newstrace store"
        raise StoreError(f"{p}: a DuckDB database {what}: not a newstrace store; give another --db path")
    version = (con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() or (None,))[0]
    if version != SCHEMA_VERSION and not (read_only and version in _READABLE):
        if version in _UPGRADABLE and not read_only:
            _upgrade(con)
        else:
            how = ("run 'newstrace scan' on it once to upgrade it" if version in _UPGRADABLE
                   else "scan into a new file")
            raise StoreError(f"{p}: store schema version {version}, this newstrace reads "
                             f"{SCHEMA_VERSION}; {how}")


def _create(p: Path, config: dict[str, Any]) -> None:
    """Make a new store at ``p``: its schema is written under a temporary
    name in the same folder, then the file is linked into place (never over
    a file another process made meanwhile). Nothing is left at ``p`` or
    beside it if this fails or is interrupted."""
    import duckdb

    from .failures import describe
    from .outputs import remove_stale, temporary_name

    remove_stale(p, ".new")
    tmp = temporary_name(p, ".new")
    try:
        try:
            con = duckdb.connect(str(tmp), config=config)
            try:
                with _transaction(con):
                    con.execute(SCHEMA)
                    con.execute("INSERT INTO meta VALUES ('format', ?), ('schema_version', ?)",
                                [FORMAT, SCHEMA_VERSION])
            finally:
                con.close()
        except duckdb.Error as e:
            message = describe(e, p, writing=True, memory_limit=config["memory_limit"])
            raise StoreError(message or f"{p}: cannot make a store there ({str(e).splitlines()[0]}); "
                             "give another --db path") from e
        try:
            os.link(tmp, p)
        except FileExistsError:
            pass  # another scan made it first: the caller opens that one
        except OSError:  # a file system without hard links
            if not p.exists():
                os.replace(tmp, p)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)


def _upgrade(con: Any) -> None:
    """Bring an older store to the current schema, in one transaction:
    every table is created if missing (version 1 had no ``duplicates``,
    versions before 5 no ``analysis_*`` tables, which the scan that upgrades
    the store fills), and
    the tables that still declare a key (versions 1 and 2) are copied into
    unconstrained ones: DuckDB cannot drop a constraint. The copy keeps
    the rows and their order."""
    old = [r[0] for r in con.execute(
        "SELECT DISTINCT table_name FROM duckdb_constraints() WHERE constraint_type IN ('PRIMARY KEY', 'UNIQUE') "
        "AND table_name NOT IN ('meta', 'runs') ORDER BY table_name").fetchall()]
    with _transaction(con):
        for table in old:
            con.execute(f"ALTER TABLE {table} RENAME TO nt_old_{table}")
        con.execute(SCHEMA)
        for table in old:
            cols = ", ".join(f'"{r[0]}"' for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [f"nt_old_{table}"]).fetchall())
            con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM nt_old_{table}")
            con.execute(f"DROP TABLE nt_old_{table}")
        # version 4: boilerplate; the passages stored before are judged by their wording now,
        # by their recurrence at the next rebuild of the clusters
        con.execute("ALTER TABLE passages ADD COLUMN IF NOT EXISTS boilerplate VARCHAR")
        con.execute("ALTER TABLE documents ADD COLUMN IF NOT EXISTS published_at TIMESTAMPTZ")
        con.execute(_PUBLISHED_AT)
        _mark_worded_furniture(con)
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [SCHEMA_VERSION])


def _mark_worded_furniture(con: Any, batch: int = 10_000) -> None:
    """Mark the stored passages whose wording is site furniture (an upgrade
    from a store that did not tell them apart)."""
    cur = con.execute("""
        SELECT p.passage_id, substr(da.text, p.a_start + 1, p.a_end - p.a_start),
               substr(db.text, p.b_start + 1, p.b_end - p.b_start)
        FROM passages p JOIN documents da ON da.doc_key = p.a_key JOIN documents db ON db.doc_key = p.b_key
        WHERE p.kind = 'passage'""")
    found: list[tuple[int, str]] = []
    while rows := cur.fetchmany(batch):
        for pid, a, b in rows:
            why = furniture_reason(a) or furniture_reason(b)
            if why:
                found.append((pid, why))
    if found:
        fb = {"pid": np.array([f[0] for f in found], dtype=np.int64),  # noqa: F841
              "why": np.array([f[1] for f in found], dtype=object)}
        con.execute("UPDATE passages SET kind = 'boilerplate', boilerplate = fb.why FROM fb "
                    "WHERE passages.passage_id = fb.pid")


# documents.published_at: the publication time as an instant, from the ISO text of `published`
# (which keeps the outlet's own offset, as the evidence quotes it); a date alone is its midnight UTC
_PUBLISHED_AT = ("UPDATE documents SET published_at = TRY_CAST(published AS TIMESTAMPTZ) "
                 "WHERE published IS NOT NULL AND published_at IS NULL")

# enough of a document's text to label it when it has no title (labels.label_from)
_HEAD = "left(text, 400)"
# candidate documents of a search from which one scan of all texts is cheaper than a list of keys
_SCAN_FROM = 20_000
# what separates words in the browsing index (RE2): anything not a letter or digit
_NOT_WORD = "[^\\p{L}\\p{N}]+"


def _like(q: str) -> str:
    """``q`` as an ILIKE pattern for "contains" (its wildcards escaped)."""
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

# how a reason for boilerplate by recurrence begins (it is recomputed by every rebuild)
_RECURS = RECURRENCE_REASON.split("{")[0]
