"""The scan's rewritten stage: candidate pairs by rare terms (the SQL query
against its slow twin), rewritten passages stored with their sentence pairs
in a real DuckDB file, and the seeds unchanged."""

from __future__ import annotations

import json
import random
from pathlib import Path

import duckdb
import numpy as np
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace.candidates_rewritten import RewrittenCandidateParams, rewritten_pairs_slow, term_sketch, term_sketch_many
from newstrace.cli import main
from newstrace.engines.tables import content_hash
from newstrace.records import Document
from newstrace.rewritten import align_rewritten
from newstrace.store import open_store
from newstrace.text import tokenize

from .test_provenance import AGENCY, COPY_1, PAPER, REWORDED, WIRE

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"


def _cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _texts(seed: int, n: int) -> dict[str, str]:
    rng = random.Random(seed)
    common = [f"w{k}" for k in range(30)]
    rare = [f"name{k}" for k in range(60)]
    return {f"d{k:02d}": " ".join(rng.choice(common if rng.random() < 0.7 else rare) for _ in range(rng.randint(5, 60)))
            for k in range(n)}


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from([2, 4, 100]), st.sampled_from([1, 3, 8]), st.sampled_from([1, 2, 4]))
def test_rewritten_candidate_query_agrees_with_its_slow_twin(tmp_path_factory, seed, max_df, sketch, min_shared):
    params = RewrittenCandidateParams(sketch=sketch, min_shared=min_shared, max_df=max_df)
    docs = _texts(seed, 12)
    names = sorted(docs)
    sk = {d: term_sketch(tokenize(docs[d]), params) for d in names}
    db = tmp_path_factory.mktemp("db") / "r.duckdb"
    with open_store(db) as store:
        run = store.begin_run([], {})
        rows = [(Document(id=d, text=docs[d]), content_hash(docs[d]), 0, np.zeros(0, dtype=np.int64)) for d in names]
        # two batches: pairs of old x new and new x new both occur
        store.add_documents(run, rows[:5])
        store.add_terms(store.unsketched(100) and [(k, sk[names[k - 1]]) for k, _ in store.unsketched(100)])
        first = store.rewritten_pairs(sketch=sketch, min_shared=min_shared, max_df=max_df, same_series=True)
        store.mark_scanned()
        store.add_documents(run, rows[5:])
        todo = store.unsketched(100)
        assert [k for k, _ in todo] == list(range(6, 13))  # only the new ones
        store.add_terms([(k, sk[names[k - 1]]) for k, _ in todo])
        second = store.rewritten_pairs(sketch=sketch, min_shared=min_shared, max_df=max_df, same_series=True)
    key = {k + 1: d for k, d in enumerate(names)}
    keys = {d: k for k, d in key.items()}
    assert {(key[a], key[b]) for a, b in first.tolist()} == {
        (key[a], key[b]) for a, b in rewritten_pairs_slow({keys[d]: sk[d] for d in names[:5]}, range(1, 6), params)}
    assert {(key[a], key[b]) for a, b in second.tolist()} == {
        (key[a], key[b]) for a, b in rewritten_pairs_slow({keys[d]: sk[d] for d in names}, range(6, 13), params)}


def test_term_sketch_is_stable_stemmed_and_distinct():
    a = term_sketch(tokenize("Governments and government spending rose 12 percent; governments said 12."))
    b = term_sketch(tokenize("governments, government: 12 percent rose and spending said."))
    assert np.array_equal(a, b) and len(a) == len(set(a.tolist()))
    assert len(term_sketch(tokenize(""))) == 0


def _scan(tmp_path: Path, texts: dict[str, str], *flags: str) -> Path:
    folder = tmp_path / "c"
    folder.mkdir(parents=True)
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    db = tmp_path / "s.duckdb"
    res = _cli("scan", str(folder), "--db", str(db), "--workers", "1", "--progress", "never", *flags)
    assert res.exit_code == 0, res.output
    return db


TEXTS = {"agency": AGENCY, "paper": PAPER, "reworded": REWORDED, "wire": WIRE, "copy": COPY_1}


def test_scan_with_rewritten_stores_rewritten_passages_with_their_sentence_pairs(tmp_path):
    db = _scan(tmp_path, TEXTS)  # the default
    with open_store(db, read_only=True) as store:
        sid = store.story_id("agency.txt")
        docs, passages = store.story(sid)
    by_id = {d.id: d for d in docs}
    ps = passages[("agency.txt", "paper.txt")]
    assert [p.kind for p in ps] == ["rewritten"]
    (p,) = ps
    expected = align_rewritten(AGENCY, PAPER)[0]
    assert (p.a, p.b, p.sentences) == (expected.a, expected.b, expected.sentences)
    assert by_id["agency.txt"].text[p.a.start:p.a.end] == p.a_text
    for x in p.sentences:
        assert p.a.start <= x.a.start < x.a.end <= p.a.end and p.b.start <= x.b.start < x.b.end <= p.b.end
    con = duckdb.connect(str(db), read_only=True)
    try:
        kinds = dict(con.execute("SELECT kind, count(*) FROM passages GROUP BY kind").fetchall())
        assert kinds == {"rewritten": 2, "passage": 1}  # agency~paper, paper~reworded; the verbatim copy
        stored = json.loads(con.execute("SELECT edits FROM passages WHERE a_id = 'agency.txt'").fetchone()[0])
        assert stored == [x.as_dict() for x in expected.sentences]
        assert con.execute("SELECT count(DISTINCT doc_key) FROM terms").fetchone()[0] == len(TEXTS)
    finally:
        con.close()
    # the provenance of the stored story draws the agency's edge
    g = json.loads(_cli("provenance", "--db", str(db), "agency.txt", "--format", "json").output)
    assert any(e["source"] == "agency.txt" and e["target"] == "paper.txt" for e in g["edges"])
    # a rescan adds nothing
    again = _cli("scan", str(tmp_path / "c"), "--db", str(db), "--workers", "1")
    assert again.exit_code == 0 and "0 pairs aligned" in again.output


def test_scan_without_rewritten_is_verbatim_only(tmp_path):
    db = _scan(tmp_path, TEXTS, "--no-rewritten")
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT DISTINCT kind FROM passages").fetchall() == [("passage",)]
        assert con.execute("SELECT count(*) FROM terms").fetchone()[0] == 0
    finally:
        con.close()


def test_seeds_keep_their_three_passages_and_get_no_rewritten_one(tmp_path):
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    plain, rewritten = (_scan(tmp_path / n, texts, *f) for n, f in (("plain", ("--no-rewritten",)), ("rw", ())))
    rows = []
    for db in (plain, rewritten):
        con = duckdb.connect(str(db), read_only=True)
        try:
            rows.append(con.execute("SELECT a_id, a_start, a_end, b_id, b_start, b_end, kind FROM passages "
                                    "WHERE kind <> 'quotation' ORDER BY b_start").fetchall())
        finally:
            con.close()
    assert rows[0] == rows[1] and len(rows[0]) == 3 and all(r[-1] == "passage" for r in rows[1])


def test_a_version_5_store_is_upgraded_and_its_documents_sketched(tmp_path):
    db = _scan(tmp_path, TEXTS, "--no-rewritten")
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE terms")  # as version 5 made it
    con.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    con.close()
    ro = _cli("provenance", "--db", str(db), "--format", "json")
    assert ro.exit_code == 2 and "schema version 5" in ro.output and "run 'newstrace scan'" in ro.output
    folder = tmp_path / "c"
    (folder / "more.txt").write_text(REWORDED.replace("Shipping costs climb", "Port costs climb"), encoding="utf-8")
    r = _cli("scan", str(folder), "--db", str(db), "--workers", "1")
    assert r.exit_code == 0 and "1 added" in r.output, r.output
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "6"
        # every stored document sketched, the old ones too; pairs of two old documents are not aligned again
        assert con.execute("SELECT count(DISTINCT doc_key) FROM terms").fetchone()[0] == len(TEXTS) + 1
        assert con.execute("SELECT count(*) FROM passages WHERE kind = 'rewritten' AND a_id = 'agency.txt' "
                           "AND b_id = 'paper.txt'").fetchone()[0] == 0
    finally:
        con.close()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("abcdé Zçñ123 .\u0301\u4e2d\u0627"), max_size=80), max_size=6),
       st.sampled_from([1, 3, 5, 40]))
def test_term_sketch_many_is_term_sketch_of_each(texts, stem):
    """The batched sketch (terms looked up by word id, memoised across
    batches) against its twin, one document at a time; twice, so that the
    second batch reads the memo the first one filled."""
    params = RewrittenCandidateParams(stem=stem)
    items = list(enumerate(texts))
    for _ in range(2):
        got = term_sketch_many(items, params)
        assert [k for k, _ in got] == [k for k, _ in items]
        for (_, sk), text in zip(got, texts):
            want = term_sketch(tokenize(text), params)
            assert sk.dtype == want.dtype and sk.tolist() == want.tolist()
