"""The Spark engine: the scan's stages as Spark jobs, for collections that
outgrow one machine.

Same code, other data movement. Every per-record, per-document and per-pair
step is the function the embedded engine (:mod:`newstrace.engines.local`) calls:

1. ingest: the driver lists the files as a scan does
   (:func:`~newstrace.ingest.collection.collection_files`); each file is read
   in a task by the collection's own reader, plain JSON-lines files over
   ``split_bytes`` in byte ranges (a first job counts lines, so record
   numbers and fallback ids are the same as when read whole). Parquet files
   are read by Spark, each row going through the same record loader as a
   JSON object. Each document gets :func:`~newstrace.candidates.prepare` (words,
   sampled shingles) and its content hash in the same task.
2. documents: an id seen before is Skipped, a text seen before (same
   content hash) is a duplicate, as in the embedded engine: the first in
   collection order wins. A document's key is its place in the collection
   (``file << 40 | record``), so ``a < b`` means "A read first" as it does
   in the store.
3. candidates: postings ``(shingle, doc)`` exploded from the shingle arrays;
   shingles in 2 to ``max_df`` documents; a self-join on shingle with
   ``a < b``; pairs sharing ``min_shared`` shingles; the same-series rule
   (:func:`~newstrace.candidates.other_series_sql`, the condition
   :meth:`~newstrace.store.Store.pending_pairs` uses). With the rewritten
   stage (the default, as in the embedded engine), also each document's
   term sketch (:func:`~newstrace.candidates_rewritten.term_sketch_many`,
   in batches on the executors) and the pairs of the store's pair rule
   (:func:`~newstrace.candidates_rewritten.rewritten_pairs_sql`, the query
   :meth:`~newstrace.store.Store.rewritten_pairs` runs, here in Spark SQL),
   added to the verbatim candidates.
4. alignment: the texts are joined onto the pairs and each partition calls
   :func:`~newstrace.candidates_rewritten.align_pairs_rewritten` (the
   verbatim aligner, and the rewritten one on the rewritten stage's pairs);
   each pair with passages also gets its provenance decision
   (:func:`~newstrace.provenance.decide`).
5. boilerplate, clusters and stories: the passages' ends and sizes (ten
   integers a passage) and each document's length and outlet are collected
   to the driver, which numbers the passages and calls
   :func:`~newstrace.cluster.cluster_collection`, exactly as
   :meth:`~newstrace.store.Store.rebuild_clusters` does;
6. the stored analysis of each story (:func:`~newstrace.analysis.analyse_story`),
   a story per task, from the stories and passages written.

Output: a folder of Parquet tables, ``documents``, ``passages``,
``clusters``, ``duplicates`` with the columns and row order of ``newstrace
export`` (:mod:`newstrace.engines.tables`, docs/store.md), and ``skipped``, ``stories``, ``decisions``,
``postings``, ``aligned_pairs``, ``terms`` (with the rewritten stage), the ``analysis_*`` tables and ``manifest.json`` besides, from which
:meth:`~newstrace.store.Store.load_tables` (``newstrace import``) builds a
store that reports, ``provenance --db`` and later incremental scans use.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote, urlparse

import numpy as np

from ..align import AlignParams, cached_tokens
from ..boilerplate import RECURRENCE_REASON, boilerplate_reason
from ..candidates import CandidateParams, other_series_sql, prepare_many
from ..candidates_rewritten import RewrittenCandidateParams, align_pairs_rewritten, rewritten_pairs_sql, term_sketch_many
from ..cluster import EXCERPT_CHARS, QUOTATION_KINDS, cluster_collection, excerpt_members, outlet_codes
from ..ingest.collection import (
    DEFAULT_MAX_CHARS,
    CollectionFile,
    FieldMap,
    Loaded,
    Notice,
    ReadOptions,
    Skipped,
    collection_files,
    collection_roots,
    duplicate_id,
    file_format,
    finish_item,
    read_file,
    read_json_line,
    read_record,
)
from ..records import Document, Passage, Span
from .report import Progress, ScanReport
from .tables import (
    ANALYSIS_COLUMNS,
    ANALYSIS_ORDER,
    EXPORT_COLUMNS,
    EXPORT_ORDER,
    content_hash,
    edits_json,
    stored_passage,
    parameters_dict,
    published_text,
)

_KEY_BITS = 40  # a document's key: file number << 40 | its place in the file
SPLIT_BYTES = 32 << 20
# the rewritten stage's parameters by default, as the embedded engine's (``rewritten=None``: verbatim only)
REWRITTEN = RewrittenCandidateParams()
TABLES = ("documents", "passages", "clusters", "duplicates", "skipped", "stories", "decisions", "postings",
          "aligned_pairs", "terms", *ANALYSIS_COLUMNS)


class SparkUnavailable(Exception):
    """pyspark or Java is missing; the message names the fix."""


@dataclass(slots=True)
class SparkReport(ScanReport):
    """What a Spark scan did: a scan's report, and the sizes of the candidate
    stage and the time of each stage (the driver's clock)."""

    postings: int = 0
    shingles: int = 0
    shingles_over_cap: int = 0
    postings_over_cap: int = 0
    largest_df: int = 0
    postings_kept: int = 0
    shingle_pairs: int = 0
    candidate_pairs: int = 0
    terms: int = 0  # rows of the rewritten stage's terms table
    rewritten_pairs: int = 0  # the rewritten stage's candidate pairs, before the same-series rule
    stage_seconds: dict[str, float] = field(default_factory=dict)
    output: str = ""


# --------------------------------------------------------------------------
# the session


def check_spark() -> None:
    """Raise :class:`SparkUnavailable` unless pyspark imports and Java is found."""
    try:
        import pyspark  # noqa: F401
    except ImportError as e:
        raise SparkUnavailable("the spark engine needs pyspark; install it with: "
                               "pip install 'newstrace[spark]'") from e
    java_home = os.environ.get("JAVA_HOME")
    if java_home and Path(java_home, "bin", "java").exists():
        return
    if shutil.which("java") is None:
        raise SparkUnavailable("the spark engine needs Java 17 or newer and none was found; install it "
                               "(Debian/Ubuntu: apt-get install openjdk-17-jre-headless) or set JAVA_HOME")


def spark_session(master: str | None = None, conf: dict[str, str] | None = None, app_name: str = "newstrace"):
    """A SparkSession for ``master`` with ``conf`` applied. Without a
    master: the one spark-submit was given, else ``local[*]``.

    In local mode the Python workers are this interpreter with this
    package importable; on a cluster, ship the package (docs/spark.md)."""
    check_spark()
    from pyspark.sql import SparkSession

    conf = dict(conf or {})
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # started by spark-submit, which set the master
    if master is None and not submitted:
        master = "local[*]"
    local = master is not None and master.startswith("local")
    if local:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        here = str(Path(__file__).resolve().parents[2])
        pp = os.environ.get("PYTHONPATH", "")
        if here not in pp.split(os.pathsep):
            os.environ["PYTHONPATH"] = here + (os.pathsep + pp if pp else "")
        conf.setdefault("spark.ui.enabled", "false")
        conf.setdefault("spark.ui.showConsoleProgress", "false")
        conf.setdefault("spark.sql.shuffle.partitions", str(max(8, 4 * (os.cpu_count() or 2))))
    b = SparkSession.builder.appName(app_name)
    if master is not None:
        b = b.master(master)
    for k, v in conf.items():
        b = b.config(k, v)
    try:
        spark = b.getOrCreate()
    except Exception as e:  # the JVM failing to start surfaces as many exception types
        raise SparkUnavailable(f"Spark did not start ({str(e).splitlines()[0] if str(e) else type(e).__name__}); "
                               "check Java (JAVA_HOME) and the --master and --conf settings") from e
    spark.sparkContext.setLogLevel("ERROR")
    return spark


# --------------------------------------------------------------------------
# 1. ingest: the plan (driver) and the readers (tasks)


@dataclass(frozen=True, slots=True)
class _Task:
    number: int  # the file's place in the collection
    file: CollectionFile
    start: int = 0
    end: int = -1  # a byte range of a plain JSON-lines file; -1: the whole file
    first_line: int = 1


def _is_parquet(path: Path) -> bool:
    return path.name.lower().endswith(".parquet")


def is_uri(path: str) -> bool:
    """A path Spark reads itself (``hdfs://``, ``s3a://``, ``file://``) rather than one listed here."""
    return re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", path) is not None


def plan(paths: Sequence[str], split_bytes: int | None = None
         ) -> tuple[list[_Task], list[tuple[int, CollectionFile]], list[tuple[tuple, str, str, str]], list[str]]:
    """The read tasks, the Parquet files, the listing's own messages
    ``(order, kind, where, text)``, from the local paths as a scan lists
    them; and the URIs, which Spark lists and reads. A plain JSON-lines file
    larger than ``split_bytes`` (default :data:`SPLIT_BYTES`, read at call
    time) is read in byte ranges of that size."""
    if split_bytes is None:
        split_bytes = SPLIT_BYTES
    if split_bytes < 1:
        raise ValueError(f"split_bytes must be 1 or more, got {split_bytes}")
    tasks: list[_Task] = []
    parquet: list[tuple[int, CollectionFile]] = []
    messages: list[tuple[tuple, str, str, str]] = []
    uris = [p for p in paths if is_uri(p)]
    local = [p for p in paths if not is_uri(p)]
    for n, found in enumerate(collection_files(collection_roots(local)) if local else ()):
        if isinstance(found, Skipped):
            messages.append(((n, 0, 0), "skipped", found.where, found.reason))
        elif isinstance(found, Notice):
            messages.append(((n, 0, 0), "notice", found.where, found.message))
        elif _is_parquet(found.path):
            parquet.append((n, found))
        elif found.path.name == "_SUCCESS" and not found.named:
            continue  # the marker Spark and Hadoop leave in output folders
        else:
            size = found.path.stat().st_size if found.path.is_file() else 0
            plain_jsonl = file_format(found.path.name) == "jsonl" and not found.path.name.lower().endswith(".gz")
            if plain_jsonl and size > split_bytes:
                tasks += [_Task(n, found, s, min(s + split_bytes, size)) for s in range(0, size, split_bytes)]
            else:
                tasks.append(_Task(n, found))
    return tasks, parquet, messages, uris


def _read_remote(number: int, uri: str, data: bytes, options: ReadOptions, cparams: CandidateParams) -> Iterator[tuple]:
    """A file Spark read (``binaryFiles``) through the same reader, from a
    local copy; ``where`` and ``source_path`` name the URI."""
    name = uri.rstrip("/").rsplit("/", 1)[-1]
    with tempfile.TemporaryDirectory(prefix="newstrace-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        file = CollectionFile(path, name, named=True)

        def fix(text: str) -> str:
            return text.replace(str(path), uri)

        def named(item: Loaded | Skipped | Notice) -> Loaded | Skipped | Notice:
            if isinstance(item, Loaded):
                return replace(item, where=fix(item.where), document=replace(item.document, source_path=uri))
            return replace(item, where=fix(item.where))

        yield from _rows(((number, pos, named(item)) for pos, item in enumerate(read_file(file, options), start=1)),
                         options, cparams)


def _count_lines(task: _Task) -> int:
    """Newlines in the task's byte range."""
    n, left = 0, task.end - task.start
    with open(task.file.path, "rb") as f:
        f.seek(task.start)
        while left > 0:
            chunk = f.read(min(left, 8 << 20))
            if not chunk:
                break
            n += chunk.count(b"\n")
            left -= len(chunk)
    return n


def _range_lines(task: _Task) -> Iterator[tuple[int, bytes]]:
    """``(line number, raw line)`` of the lines that start in the task's range."""
    with open(task.file.path, "rb") as f:
        lineno = task.first_line
        if task.start > 0:
            f.seek(task.start - 1)
            if f.read(1) != b"\n":
                f.readline()  # the end of a line the previous range owns
                lineno += 1
        pos = f.tell()
        while pos < task.end:
            raw = f.readline()
            if not raw:
                break
            yield lineno, raw
            lineno += 1
            pos += len(raw)


# A document as a row: the columns of _DOC_SCHEMA.
_DOC_FIELDS = ["doc_key", "id", "where", "record", "title", "outlet", "url", "published", "byline", "source_path",
               "length", "words", "content_hash", "text", "shingles", "notices"]


def _items(task: _Task, options: ReadOptions) -> Iterator[tuple[int, Loaded | Skipped | Notice]]:
    """The reader's items with their place in the file."""
    if task.end < 0:
        for pos, item in enumerate(read_file(task.file, options), start=1):
            yield pos, item
    else:
        for lineno, raw in _range_lines(task):
            for item in read_json_line(lineno, raw, task.file, options):  # one item a line at most
                yield lineno, item


_PREPARE_BATCH = 200  # documents a reading task tokenises and shingles together (prepare_many)


def _doc_rows(items: list[tuple[int, Loaded]], options: ReadOptions, cparams: CandidateParams) -> Iterator[tuple]:
    """The rows of documents ``(key, item)``, prepared as one batch."""
    finished = [list(finish_item(item, options.max_chars)) for _, item in items]  # each document, then its notices
    docs = [cast(Document, f[0]) for f in finished]
    for (key, item), f, doc, (words, sh) in zip(items, finished, docs, prepare_many([d.text for d in docs], cparams)):
        notices = [cast(Notice, n).message for n in f[1:]]
        yield (key, doc.id, item.where, item.record, doc.title, doc.outlet, doc.url,
               published_text(doc), doc.byline, doc.source_path, len(doc.text), words,
               content_hash(doc.text), doc.text, sh.tolist(), notices)


def _rows(items: Iterable[tuple[int, int, Loaded | Skipped | Notice]], options: ReadOptions,
          cparams: CandidateParams) -> Iterator[tuple]:
    """Rows ``("doc", row)`` and ``("msg", (order, kind, where, text))`` of
    the items ``(file number, place in the file, item)`` of a reader; the
    documents in batches of :data:`_PREPARE_BATCH` (rows are put in order by
    key and by order later)."""
    pending: list[tuple[int, Loaded]] = []
    for number, pos, item in items:
        if isinstance(item, Loaded):
            pending.append((number << _KEY_BITS | pos, item))
            if len(pending) >= _PREPARE_BATCH:
                yield from (("doc", row) for row in _doc_rows(pending, options, cparams))
                pending = []
        elif isinstance(item, Skipped):
            yield "msg", ((number, pos, 1), "skipped", item.where, item.reason)
        else:
            yield "msg", ((number, pos, 1), "notice", item.where, item.message)
    yield from (("doc", row) for row in _doc_rows(pending, options, cparams))


def _read_task(task: _Task, options: ReadOptions, cparams: CandidateParams) -> Iterator[tuple]:
    """The rows (:func:`_rows`) of one task."""
    return _rows(((task.number, pos, item) for pos, item in _items(task, options)), options, cparams)


def _parquet_rows(rows: Iterable[Any], files: dict[str, tuple[int, CollectionFile]], options: ReadOptions,
                  cparams: CandidateParams) -> Iterator[tuple]:
    """Parquet rows through the JSON record loader: ``where`` is ``path:row N``."""
    def items() -> Iterator[tuple[int, int, Loaded | Skipped | Notice]]:
        for r in rows:
            d = r.asDict(recursive=True)
            n, file = files[_local(d.pop("__file"))]
            row = d.pop("__row") + 1
            d = {k: v for k, v in d.items() if v is not None}  # a null column is an absent key, as in JSON
            where = f"{file.path}:row {row}"
            for item in read_record(d, where=where, fallback_id=f"{file.id}:{row}", file=file, options=options):
                yield n, row, item  # records give no Notice today; one would be a "notice" row

    return _rows(items(), options, cparams)


def _local(uri: str) -> str:
    u = urlparse(uri)
    return os.path.realpath(unquote(u.path) if u.scheme in ("file", "") else uri)


# --------------------------------------------------------------------------
# 4. alignment (tasks)


def _align_partition(rows: Iterable[Any], align_params: AlignParams, decisions: bool,
                     batch: int = 64) -> Iterator[tuple]:
    """Rows ``(a_key, b_key, idx, ...)``: idx -1 holds the pair's passage
    count and its provenance decision, idx 0.. its passages in order. The
    pairs of the rewritten stage (``rewrite``) also get their rewritten
    passages, as in the embedded engine (``align_pairs_rewritten``)."""
    from ..ingest.dates import parse_date_string
    from ..provenance import decide, profile

    profiles: dict[int, Any] = {}

    def prof(key: int, r: Any, side: str) -> Any:
        p = profiles.get(key)
        if p is None:
            if len(profiles) > 4096:
                profiles.clear()
            pub = r[f"{side}_published"]
            doc = Document(id=r[f"{side}_id"], text=r[f"{side}_text"], outlet=r[f"{side}_outlet"],
                           title=r[f"{side}_title"], byline=r[f"{side}_byline"],
                           published=parse_date_string(pub) if pub else None)
            p = profiles[key] = profile(doc)
        return p

    def flush(chunk: list) -> Iterator[tuple]:
        texts = {}
        for r in chunk:
            texts[r["a_key"]] = r["a_text"]
            texts[r["b_key"]] = r["b_text"]
        pairs = [(r["a_key"], r["b_key"]) for r in chunk]
        rewrite = [p for p, r in zip(pairs, chunk) if r["rewrite"]]
        for r, (a, b, ps) in zip(chunk, align_pairs_rewritten(pairs, texts, align_params, rewrite)):
            rel = conf = source = evidence = None
            reuse = [p for p in ps if p.kind != "boilerplate"]  # furniture is no evidence
            if reuse and decisions:
                d = decide(prof(a, r, "a"), prof(b, r, "b"), reuse,
                           words=(len(cached_tokens(a, texts[a])[0]), len(cached_tokens(b, texts[b])[0])))
                rel, conf, source = d.relation, float(d.confidence), d.common_source
                evidence = json.dumps([e.as_dict() for e in d.evidence], ensure_ascii=False)
            yield (a, b, -1, r["a_id"], None, None, r["b_id"], None, None, len(ps), None, rel, evidence, conf, source,
                   None)
            for k, p in enumerate(ps):
                yield (a, b, k, r["a_id"], p.a.start, p.a.end, r["b_id"], p.b.start, p.b.end, p.words,
                       float(p.similarity), p.kind, edits_json(p), None, None, boilerplate_reason(p))

    chunk: list = []
    for r in rows:
        chunk.append(r)
        if len(chunk) >= batch:
            yield from flush(chunk)
            chunk = []
    if chunk:
        yield from flush(chunk)


# --------------------------------------------------------------------------
# the job


def _schemas():
    from pyspark.sql import types as T

    # one letter a Spark type, so that the schemas below read as a row of types
    S, I, L, D, B = T.StringType(), T.IntegerType(), T.LongType(), T.DoubleType(), T.BooleanType()  # noqa: E741
    doc = T.StructType([T.StructField(n, t) for n, t in zip(_DOC_FIELDS, [
        L, S, S, B, S, S, S, S, S, S, I, I, S, S, T.ArrayType(L), T.ArrayType(S)])])
    aligned = T.StructType([T.StructField(n, t) for n, t in [
        ("a_key", L), ("b_key", L), ("idx", I), ("a_id", S), ("a_start", I), ("a_end", I), ("b_id", S),
        ("b_start", I), ("b_end", I), ("words", I), ("similarity", D), ("kind", S), ("edits", S),
        ("confidence", D), ("common_source", S), ("boilerplate", S)]])
    return doc, aligned


def scan_spark(
    paths: Sequence[str],
    output: str | os.PathLike[str],
    *,
    spark: Any = None,
    master: str | None = None,
    conf: dict[str, str] | None = None,
    fields: FieldMap | None = None,
    csv_paragraph_separator: str | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    align_params: AlignParams | None = None,
    candidate_params: CandidateParams | None = None,
    same_series: bool = False,
    decisions: bool = True,
    split_bytes: int | None = None,
    progress: Progress | None = None,
    rewritten: RewrittenCandidateParams | None = REWRITTEN,
) -> SparkReport:
    """Scan the collection at ``paths`` on Spark and write its tables as
    Parquet into ``output`` (a folder; tables already there are replaced).

    ``spark`` is a session to use (else one is started for ``master`` with
    ``conf``). Plain JSON-lines files larger than ``split_bytes`` (default
    :data:`SPLIT_BYTES`) are read in byte ranges. Paths are checked first
    (:class:`~newstrace.ingest.LoadError`); bad records become Skipped rows,
    as in the embedded engine. With ``rewritten`` (``None``: verbatim
    passages only), also the pairs that share rare terms, aligned with
    rewritten passages beside the verbatim ones, as the embedded engine's
    ``scan`` does with the same parameters."""
    align_params = align_params or AlignParams()
    cparams = candidate_params or CandidateParams(ngram=align_params.ngram)
    options = ReadOptions(fields or FieldMap(), csv_paragraph_separator, max_chars)
    say = progress or (lambda msg, milestone=False: None)
    rep = SparkReport(output=str(output))
    t0 = time.perf_counter()
    tasks, parquet_files, messages, uris = plan(paths, split_bytes)  # raises LoadError before Spark starts
    own = spark is None
    spark = spark or spark_session(master, conf)
    mark = [time.perf_counter()]

    def stage(name: str) -> None:
        now = time.perf_counter()
        rep.stage_seconds[name] = round(now - mark[0], 2)
        mark[0] = now
        say(f"{name}: {now - t0:,.0f} s", milestone=True)

    try:
        docs = _ingest(spark, tasks, parquet_files, uris, messages, options, cparams, rep)
        stage("ingest")
        kept, dupes = _first_wins(spark, docs, messages, rep)
        stage("documents")
        postings, pairs, done, terms = _candidates(spark, kept, cparams, rewritten, same_series, rep)
        stage("candidates")
        aligned = _align(spark, pairs, align_params, decisions, rep)
        for df in done:
            df.unpersist()
        stage("alignment")
        numbered, table, story, ranks = _clusters(spark, aligned, kept, rep)
        stage("clusters")
        _write_tables(spark, str(output), kept, dupes, postings, terms, aligned, numbered, table, story, ranks, rep)
        stage("write")
        _write_analysis(spark, str(output), kept)
        stage("analysis")
        rep.seconds = time.perf_counter() - t0
        _write_text(spark, f"{output}/manifest.json", json.dumps(_manifest(spark, paths, align_params, cparams,
                                                                           rewritten, same_series, rep), indent=2))
        for df in (docs, dupes, kept, postings, aligned, ranks, *([terms] if terms is not None else [])):
            df.unpersist()
    finally:
        if own:
            spark.stop()
    return rep


def _ingest(spark: Any, tasks: list[_Task], parquet_files: list[tuple[int, CollectionFile]], uris: list[str],
            messages: list, options: ReadOptions, cparams: CandidateParams, rep: SparkReport) -> Any:
    """1. The documents as a persisted DataFrame (``_DOC_FIELDS``); the
    readers' Skipped and Notice records are added to ``messages``."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    sc = spark.sparkContext
    # line counts of split files first, so records keep their line numbers
    split = [t for t in tasks if t.end >= 0]
    if split:
        counts = sc.parallelize(split, len(split)).map(_count_lines).collect()
        seen: dict[int, int] = {}
        for i, (t, c) in enumerate(zip(split, counts)):
            split[i] = _Task(t.number, t.file, t.start, t.end, 1 + seen.get(t.number, 0))
            seen[t.number] = seen.get(t.number, 0) + c
        it = iter(split)
        tasks = [next(it) if t.end >= 0 else t for t in tasks]
    rdd = sc.parallelize(tasks, max(1, len(tasks))).flatMap(lambda t: _read_task(t, options, cparams))
    base = 1 + max([t.number for t in tasks] + [n for n, _ in parquet_files] + [m[0][0] for m in messages] + [-1])
    remote_parquet = [u for u in uris if u.rstrip("/").lower().endswith(".parquet")]
    remote = [u for u in uris if u not in remote_parquet]
    if remote:
        found = sc.binaryFiles(",".join(remote))
        numbers = {u: base + k for k, u in enumerate(sorted(found.keys().collect()))}
        base += len(numbers)
        rdd = rdd.union(found.flatMap(lambda f: _read_remote(numbers[f[0]], f[0], f[1], options, cparams)))
    pq_paths = [str(f.path) for _, f in parquet_files] + remote_parquet
    if pq_paths:
        pq = (spark.read.parquet(*pq_paths)
              .select("*", F.col("_metadata.file_path").alias("__file"), F.col("_metadata.row_index").alias("__row")))
        by_path = {os.path.realpath(f.path): (n, f) for n, f in parquet_files}
        for k, u in enumerate(sorted(r[0] for r in pq.select("__file").distinct().collect())):
            if _local(u) not in by_path:  # a part file below a URI
                name = u.rstrip("/").rsplit("/", 1)[-1]
                by_path[_local(u)] = (base + k, CollectionFile(Path(unquote(urlparse(u).path)), name, named=True))
        rdd = rdd.union(pq.rdd.mapPartitions(lambda rows: _parquet_rows(rows, by_path, options, cparams)))
    rdd = rdd.persist(StorageLevel.MEMORY_AND_DISK)
    messages += rdd.filter(lambda x: x[0] == "msg").map(lambda x: x[1]).collect()
    docs = spark.createDataFrame(rdd.filter(lambda x: x[0] == "doc").map(lambda x: x[1]), _schemas()[0])
    docs = docs.persist(StorageLevel.MEMORY_AND_DISK)
    rep.documents_seen = docs.count()
    rdd.unpersist()
    return docs


def _first_wins(spark: Any, docs: Any, messages: list, rep: SparkReport) -> tuple[Any, Any]:
    """2. The documents kept (first id wins, then first text wins, in
    collection order) and the duplicates; fills the report's skipped and notices."""
    from pyspark import StorageLevel
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    keys = docs.select("doc_key", "id", "where", "record", "content_hash", "source_path", "notices")
    w_id = Window.partitionBy("id").orderBy("doc_key")
    keys = keys.withColumn("id_rank", F.row_number().over(w_id)).withColumn(
        "first_where", F.first("where").over(w_id.rowsBetween(Window.unboundedPreceding, Window.currentRow)))
    unique = keys.where("id_rank = 1")
    w_h = Window.partitionBy("content_hash").orderBy("doc_key")
    unique = unique.withColumn("h_rank", F.row_number().over(w_h)).withColumn(
        "duplicate_of", F.first("id").over(w_h.rowsBetween(Window.unboundedPreceding, Window.currentRow)))
    id_taken = keys.where("id_rank > 1").select("doc_key", "where", "id", "record", "first_where").collect()
    rep.documents_seen -= len(id_taken)  # the embedded reader never yields these as documents
    for r in id_taken:
        s = duplicate_id(r["where"], r["id"], r["first_where"], record=r["record"])
        messages.append((_order(r["doc_key"]), "skipped", s.where, s.reason))
    for r in unique.where(F.size("notices") > 0).select("doc_key", "where", "notices").collect():
        messages += [(_order(r["doc_key"], 2 + k), "notice", r["where"], m) for k, m in enumerate(r["notices"])]
    dupes = unique.where("h_rank > 1").select("doc_key", "id", "duplicate_of", "source_path")
    dupes = dupes.persist(StorageLevel.MEMORY_AND_DISK)
    rep.duplicates = dupes.count()
    dropped = dupes.select("doc_key").union(spark.createDataFrame([(r["doc_key"],) for r in id_taken],
                                                                  "doc_key long"))
    kept = docs.join(F.broadcast(dropped), "doc_key", "left_anti") if rep.duplicates + len(id_taken) else docs
    kept = kept.persist(StorageLevel.MEMORY_AND_DISK)
    rep.documents_added = kept.count()
    messages.sort(key=lambda m: m[0])
    rep.skipped = [(w, t) for _, kind, w, t in messages if kind == "skipped"]
    rep.notices = [(w, t) for _, kind, w, t in messages if kind == "notice"]
    rep.skipped_count, rep.notices_count = len(rep.skipped), len(rep.notices)
    return kept, dupes


def _candidates(spark: Any, kept: Any, cparams: CandidateParams, rewritten: RewrittenCandidateParams | None,
                same_series: bool, rep: SparkReport) -> tuple[Any, Any, list[Any], Any]:
    """3. Postings, the document-frequency cap, the self-join on shingle and
    the same-series rule, as ``Store.pending_pairs``, and with ``rewritten``
    the pairs of the rewritten stage (:func:`_rewritten_pairs`): the
    postings, the candidate pairs with both documents' texts and metadata
    (``rewrite``: a pair of the rewritten stage), the persisted frames to
    release after the alignment (document frequencies, the rewritten
    stage's pairs) and the terms (None without the rewritten stage)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    postings = kept.select("doc_key", F.explode("shingles").alias("shingle"))
    postings = postings.persist(StorageLevel.MEMORY_AND_DISK)
    rep.postings = postings.count()
    dfs = postings.groupBy("shingle").count().persist(StorageLevel.MEMORY_AND_DISK)  # for the figures and the join
    capped, ok = F.col("count") > cparams.max_df, F.col("count").between(2, cparams.max_df)
    st = dfs.agg(F.count("*"), F.sum(F.when(capped, 1).otherwise(0)), F.sum(F.when(capped, F.col("count"))),
                 F.max("count"), F.sum(F.when(ok, F.col("count"))),
                 F.sum(F.when(ok, F.col("count") * (F.col("count") - 1) / 2))).first()
    rep.shingles, rep.shingles_over_cap, rep.postings_over_cap, rep.largest_df = (int(x or 0) for x in st[:4])
    rep.postings_kept, rep.shingle_pairs = int(st[4] or 0), int(st[5] or 0)
    useful = postings.join(dfs.where(ok).select("shingle"), "shingle", "left_semi")
    hits = (useful.alias("n").join(useful.alias("o"), "shingle")
            .where(F.col("n.doc_key") < F.col("o.doc_key"))
            .select(F.col("n.doc_key").alias("a_key"), F.col("o.doc_key").alias("b_key")))
    pairs = (hits.groupBy("a_key", "b_key").count().where(F.col("count") >= cparams.min_shared)
             .select("a_key", "b_key", F.lit(False).alias("rewrite")))
    terms, done = None, [dfs]
    if rewritten is not None:
        terms, rw = _rewritten_pairs(spark, kept, rewritten, rep)
        done.append(rw)
        pairs = (pairs.unionByName(rw.select("a_key", "b_key", F.lit(True).alias("rewrite")))
                 .groupBy("a_key", "b_key").agg(F.max("rewrite").alias("rewrite")))
    meta = kept.select("doc_key", "id", "text", "outlet", "published", "title", "byline")
    a_side = meta.select(*[F.col(c).alias(f"a_{c}") for c in meta.columns])
    b_side = meta.select(*[F.col(c).alias(f"b_{c}") for c in meta.columns])
    pairs = pairs.join(a_side, F.col("a_key") == F.col("a_doc_key")).join(b_side, F.col("b_key") == F.col("b_doc_key"))
    if not same_series:
        pairs = pairs.where(F.expr(other_series_sql("a_outlet", "b_outlet")))
    return postings, pairs.select("a_key", "b_key", "rewrite", "a_id", "a_text", "a_outlet", "a_published",
                                  "a_title", "a_byline", "b_id", "b_text", "b_outlet", "b_published", "b_title",
                                  "b_byline"), done, terms


_TERMS_VIEW = "newstrace_terms"


def _rewritten_pairs(spark: Any, kept: Any, params: RewrittenCandidateParams, rep: SparkReport) -> tuple[Any, Any]:
    """3b. The rewritten stage's candidates: the term sketches of the
    documents, computed on the executors in batches (:func:`_sketch_rows`),
    as a table ``terms (term, doc_key)`` like the store's; then the store's
    pair rule over it in Spark SQL (``rewritten_pairs_sql``; every document
    is fresh and no pair aligned before). The same-series rule is applied
    with the verbatim pairs'. Returns the terms and the pairs."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    rows = kept.select("doc_key", "text").rdd.mapPartitions(lambda part: _sketch_rows(part, params))
    # a document's terms cross into the JVM as one array (as its shingles do), exploded there
    sketches = spark.createDataFrame(rows, "doc_key long, terms array<long>")
    terms = (sketches.select(F.explode("terms").alias("term"), "doc_key")
             .persist(StorageLevel.MEMORY_AND_DISK))
    rep.terms = terms.count()
    terms.createOrReplaceTempView(_TERMS_VIEW)
    pairs = spark.sql(rewritten_pairs_sql(_TERMS_VIEW, params)).persist(StorageLevel.MEMORY_AND_DISK)
    rep.rewritten_pairs = pairs.count()
    spark.catalog.dropTempView(_TERMS_VIEW)  # the persisted plan stays
    return terms, pairs


def _sketch_rows(rows: Iterable[Any], params: RewrittenCandidateParams, batch: int = _PREPARE_BATCH
                 ) -> Iterator[tuple[int, list[int]]]:
    """Rows ``(doc_key, terms)`` of documents ``(doc_key, text)``, sketched
    :func:`~newstrace.candidates_rewritten.term_sketch_many` a batch at a
    time; a document of no term gets the one term 0, as in the store
    (``Store.add_terms``)."""
    items: list[tuple[int, str]] = []

    def flush() -> Iterator[tuple[int, list[int]]]:
        for key, sk in term_sketch_many(items, params):
            yield key, sk.tolist() or [0]

    for r in rows:
        items.append((r["doc_key"], r["text"]))
        if len(items) >= batch:
            yield from flush()
            items = []
    if items:
        yield from flush()


def _align(spark: Any, pairs: Any, align_params: AlignParams, decisions: bool, rep: SparkReport) -> Any:
    """4. Every pair aligned (``_align_partition``), the pairs of a partition
    sorted so that each A is tokenised once."""
    from pyspark import StorageLevel

    rows = pairs.sortWithinPartitions("a_key", "b_key").rdd
    aligned = spark.createDataFrame(rows.mapPartitions(lambda part: _align_partition(part, align_params, decisions)),
                                    _schemas()[1]).persist(StorageLevel.MEMORY_AND_DISK)
    rep.pairs_aligned = rep.candidate_pairs = aligned.where("idx = -1").count()
    return aligned


def _clusters(spark: Any, aligned: Any, kept: Any, rep: SparkReport) -> tuple[Any, Any, np.ndarray, Any]:
    """5. Boilerplate, clusters and stories on the driver, over integer
    columns: the passages' ends and sizes (10 integers each) and the
    documents' ranks in id order (Spark sorts the ids), lengths and outlets.
    Returns the passages' numbers, clusters and boilerplate by recurrence as
    a DataFrame, the cluster table, the story of each ranked document and
    the ranks ``(doc_key, doc_id, doc_rank)``."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    ends = aligned.where("idx >= 0").select(
        "a_key", "b_key", "idx", "a_start", "a_end", "b_start", "b_end", "words",
        F.expr("CAST(kind = 'boilerplate' AS INT)"), F.col("kind").isin(*QUOTATION_KINDS).cast("int"))
    cols = _collect_ints(ends, 10)
    rep.passages_found = len(cols)
    cols = cols[np.lexsort((cols[:, 2], cols[:, 1], cols[:, 0]))]  # passage order of the store
    a_key, b_key, idx, a0, a1, b0, b1, words, worded, quotation = cols.T
    linked = (ends.select(F.col("a_key").alias("doc_key")).union(ends.select("b_key")).distinct()
              .join(kept.select("doc_key", "id"), "doc_key").orderBy("id"))
    ranks = spark.createDataFrame(linked.rdd.zipWithIndex().map(lambda r: (r[0]["doc_key"], r[0]["id"], r[1])),
                                  "doc_key long, doc_id string, doc_rank long").persist(StorageLevel.MEMORY_AND_DISK)
    by_rank = _collect_ints(ranks.select("doc_key", "doc_rank"), 2)
    keys_sorted = np.sort(by_rank[:, 0])
    rank_of = np.empty(len(by_rank), dtype=np.int64)
    rank_of[np.searchsorted(keys_sorted, by_rank[:, 0])] = by_rank[:, 1]
    ra, rb = rank_of[np.searchsorted(keys_sorted, a_key)], rank_of[np.searchsorted(keys_sorted, b_key)]
    length = np.zeros(len(by_rank), dtype=np.int64)
    outlet: list[str | None] = [None] * len(by_rank)
    for r in ranks.join(kept.select("doc_key", "length", F.lower("outlet").alias("outlet")), "doc_key") \
            .select("doc_rank", "length", "outlet").toLocalIterator():
        length[r[0]], outlet[r[0]] = r[1] or 0, r[2]
    found = cluster_collection(ra, a0, a1, rb, b0, b1, words, worded.astype(bool), quotation.astype(bool),
                               length, outlet_codes(outlet))
    table, story = found.table, found.story
    rep.clusters = len(table.size)
    numbered = _frame(spark, [a_key, b_key, idx, np.arange(1, len(cols) + 1), table.passage_cluster,
                              found.recurring_docs, found.recurring_outlets],
                      "a_key long, b_key long, idx int, passage_id long, cluster_id int, rec_docs int, rec_outlets int")
    return numbered, table, story, ranks


# RECURRENCE_REASON as a printf format, for Spark's format_string
_RECURRENCE_FORMAT = RECURRENCE_REASON.replace("{docs}", "%d").replace("{outlets}", "%d")


def _write_tables(spark: Any, out: str, kept: Any, dupes: Any, postings: Any, terms: Any, aligned: Any,
                  numbered: Any, table: Any, story: np.ndarray, ranks: Any, rep: SparkReport) -> None:
    """The tables: those of ``newstrace export`` with its columns and row order, and the others."""
    from pyspark.sql import functions as F

    def write(name: str, df: Any) -> None:
        df.write.mode("overwrite").parquet(f"{out}/{name}")

    write("documents", kept.orderBy(*EXPORT_ORDER["documents"]).select(*EXPORT_COLUMNS["documents"]))
    passages = aligned.where("idx >= 0").join(numbered, ["a_key", "b_key", "idx"])
    recurs = F.col("rec_docs") > 0
    passages = (passages
                .withColumn("kind", F.when(recurs, F.lit("boilerplate")).otherwise(F.col("kind")))
                .withColumn("cluster_id", F.when(F.col("cluster_id") > 0, F.col("cluster_id")))
                .withColumn("boilerplate", F.when(recurs, F.format_string(_RECURRENCE_FORMAT, "rec_docs", "rec_outlets"))
                            .otherwise(F.col("boilerplate"))))
    write("passages", passages.orderBy(*EXPORT_ORDER["passages"]).select(*EXPORT_COLUMNS["passages"]))
    write("duplicates", dupes.orderBy(*EXPORT_ORDER["duplicates"]).select(*EXPORT_COLUMNS["duplicates"]))
    write("clusters", _clusters_frame(spark, table, ranks, kept))
    write("skipped", spark.createDataFrame(rep.skipped, "`where` string, reason string"))
    linked = np.flatnonzero(story > 0)
    write("stories", _frame(spark, [linked, story[linked]], "doc_rank long, story_id int")
          .join(ranks, "doc_rank").orderBy("doc_id").select("doc_id", "story_id"))
    write("decisions", aligned.where("idx = -1 AND words > 0").orderBy("a_key", "b_key").select(
        "a_id", "b_id", F.col("kind").alias("relation"), "confidence", "common_source",
        F.col("edits").alias("evidence")))
    ids = kept.select("doc_key", F.col("id").alias("doc_id"))
    write("postings", postings.join(ids, "doc_key").orderBy("doc_key", "shingle").select("shingle", "doc_id"))
    if terms is not None:
        write("terms", terms.join(ids, "doc_key").select("term", "doc_id"))  # in no order: the store needs none
    write("aligned_pairs", aligned.where("idx = -1").orderBy("a_key", "b_key").select(
        "a_id", "b_id", F.col("words").alias("passages")))


# the Spark types of the analysis tables' columns (engines.tables.ANALYSIS_COLUMNS; store.SCHEMA)
_ANALYSIS_TYPES = {"story_key": "string", "story_id": "int", "documents": "int", "summary": "string",
                   "graph": "string", "measures": "string", "seq": "int", "a_id": "string", "b_id": "string",
                   "relation": "string", "confidence": "double", "common_source": "string", "evidence": "string",
                   "common_credits": "string", "source": "string", "target": "string", "placeholder": "boolean",
                   "node_id": "string", "label": "string", "outlet": "string", "published": "string",
                   "reuse_class": "string", "hops": "int", "root": "boolean", "doc_id": "string",
                   "sources": "string", "notes": "string", "no_sources": "string", "quotations": "string",
                   "a_index": "int", "b_index": "int", "b_start": "int", "b_end": "int", "similarity": "double",
                   "flags": "string", "diff": "string"}


def _analyse_group(group: tuple[int, tuple[Iterable, Iterable]]) -> list[tuple[str, tuple]]:
    """One story's analysis in a task: its documents in scan order and the
    passages of its pairs in passage order, as `Store.story` reads them, then
    `analysis.analyse_story`; the rows of each analysis table."""
    from ..analysis import analyse_story, analysis_rows
    from ..ingest.dates import parse_date_string

    sid, (doc_rows, passage_rows) = group
    docs = [Document(id=r["id"], text=r["text"], title=r["title"], outlet=r["outlet"], url=r["url"],
                     published=parse_date_string(r["published"]) if r["published"] else None, byline=r["byline"],
                     source_path=r["source_path"]) for r in sorted(doc_rows, key=lambda r: r["doc_key"])]
    text = {d.id: d.text for d in docs}
    passages: dict[tuple[str, str], list[Passage]] = {}
    for r in sorted(passage_rows, key=lambda r: r["passage_id"]):
        a, b = r["a_id"], r["b_id"]
        if a not in text or b not in text:
            continue
        passages.setdefault((a, b), []).append(stored_passage(
            Span(r["a_start"], r["a_end"]), Span(r["b_start"], r["b_end"]), text[a][r["a_start"]:r["a_end"]],
            text[b][r["b_start"]:r["b_end"]], r["words"], r["similarity"], r["kind"], r["edits"]))
    return [(t, row) for t, rows in analysis_rows(sid, analyse_story(docs, passages)).items() for row in rows]


def _write_analysis(spark: Any, out: str, kept: Any) -> None:
    """6. The stored analysis (newstrace.analysis) of every story, a story
    per task, from the stories and passages just written: the
    ``analysis_*`` tables that `Store.load_tables` loads."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    stories = spark.read.parquet(f"{out}/stories")
    docs = (kept.select("doc_key", "id", "text", "title", "outlet", "url", "published", "byline", "source_path")
            .join(stories, F.col("id") == F.col("doc_id")).drop("doc_id"))
    passages = (spark.read.parquet(f"{out}/passages").where("kind <> 'boilerplate'")
                .join(stories, F.col("a_id") == F.col("doc_id")).drop("doc_id"))
    rows = (docs.rdd.map(lambda r: (r["story_id"], r)).cogroup(passages.rdd.map(lambda r: (r["story_id"], r)))
            .flatMap(_analyse_group).persist(StorageLevel.MEMORY_AND_DISK))
    try:
        for t, cols in ANALYSIS_COLUMNS.items():
            schema = ", ".join(f"`{c}` {_ANALYSIS_TYPES[c]}" for c in cols)
            part = rows.filter(lambda kv, t=t: kv[0] == t).map(lambda kv: kv[1])
            (spark.createDataFrame(part, schema).orderBy(*ANALYSIS_ORDER[t])
             .write.mode("overwrite").parquet(f"{out}/{t}"))
    finally:
        rows.unpersist()


def _manifest(spark: Any, paths: Sequence[str], align_params: AlignParams, cparams: CandidateParams,
              rewritten: RewrittenCandidateParams | None, same_series: bool, rep: SparkReport) -> dict[str, Any]:
    counts = ("documents_seen", "documents_added", "duplicates", "pairs_aligned", "passages_found", "clusters",
              "postings", "shingles", "shingles_over_cap", "postings_over_cap", "largest_df", "postings_kept",
              "shingle_pairs", "candidate_pairs", "terms", "rewritten_pairs")
    return {"seconds": round(rep.seconds, 2), "engine": "spark", "spark_version": spark.version,
            "master": spark.sparkContext.master, "paths": list(paths),
            "parameters": {**parameters_dict(align_params, cparams), "same_series": same_series},
            "rewritten": parameters_dict(rewritten) if rewritten is not None else None,
            "counts": {**{k: getattr(rep, k) for k in counts}, "skipped": rep.skipped_count},
            "stage_seconds": rep.stage_seconds}


def _order(key: int, sub: int = 1) -> tuple[int, int, int]:
    return (key >> _KEY_BITS, key & ((1 << _KEY_BITS) - 1), sub)


def _collect_ints(df: Any, width: int) -> np.ndarray:
    """An integer DataFrame as a numpy array, streamed partition by partition
    (the driver holds 8 bytes a value, not a Row object a row)."""
    parts = [np.asarray(chunk, dtype=np.int64).reshape(-1, width) for chunk in
             df.rdd.mapPartitions(lambda rows: [[tuple(r) for r in rows]]).toLocalIterator()]
    return np.concatenate(parts) if parts else np.zeros((0, width), dtype=np.int64)


def _frame(spark: Any, columns: list[np.ndarray], schema: str, chunk: int = 100_000) -> Any:
    """Integer columns of the driver as a DataFrame: numpy chunks are shipped
    and turned into rows on the executors."""
    block = np.stack([np.asarray(c, dtype=np.int64) for c in columns], axis=1) if len(columns[0]) else \
        np.zeros((0, len(columns)), dtype=np.int64)
    chunks = [block[k:k + chunk] for k in range(0, len(block), chunk)] or [block]
    rdd = spark.sparkContext.parallelize(chunks, len(chunks)).flatMap(lambda c: [tuple(r) for r in c.tolist()])
    return spark.createDataFrame(rdd, schema)


def _clusters_frame(spark: Any, table: Any, ranks: Any, meta: Any) -> Any:
    """The clusters table: one row per member, the excerpt from the member
    `cluster.excerpt_members` picks, as the store writes it."""
    from pyspark.sql import functions as F

    c, d, s, e = table.member_cluster, table.member_doc, table.member_start, table.member_end
    best = excerpt_members(table)
    members = _frame(spark, [c, table.size[c - 1], table.passages[c - 1], d, s, e],
                     "cluster_id int, size int, passages int, doc_rank long, start int, `end` int")
    ex = _frame(spark, [c[best], d[best], s[best], np.minimum(e[best] - s[best], EXCERPT_CHARS)],
                "cluster_id int, doc_rank long, x_start int, x_len int")
    ex = (ex.join(ranks, "doc_rank").join(meta.select(F.col("id").alias("doc_id"), "text"), "doc_id")
          .select("cluster_id", F.expr("substring(text, x_start + 1, x_len)").alias("excerpt")))
    return (members.join(ranks, "doc_rank").join(ex, "cluster_id", "left")
            .orderBy(*EXPORT_ORDER["clusters"]).select(*EXPORT_COLUMNS["clusters"]))


def _write_text(spark: Any, path: str, text: str) -> None:
    """A small file beside the tables, through Hadoop's file system (any URI Spark writes to)."""
    jvm = spark.sparkContext._jvm
    p = jvm.org.apache.hadoop.fs.Path(path)
    fs = p.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    out = fs.create(p, True)
    try:
        out.write(bytearray(text.encode("utf-8")))
    finally:
        out.close()
