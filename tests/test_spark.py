"""The Spark engine gives the embedded engine's results (local mode).

One generated collection of some 2,500 documents (the project's generator,
its word model taken from the bundled seed articles so that no corpus is
needed), with planted reuse, outlets (the same-series rule), a boilerplate
trailer in a third of the documents (over the document-frequency cap),
repeated texts under new ids, repeated ids and bad lines. Both engines scan
it (the rewritten stage on, the default); passages, clusters, duplicates and
skipped records must be the same, row for row, and the Spark output loaded
into a store must serve ``provenance`` and ``export``. A few articles with a
planted rewrite (no five words in a row in common) get the same rewritten
passages from both engines. Skips when pyspark or Java is missing.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

pytest.importorskip("pyspark", reason="the spark extra is not installed (pip install 'newstrace[spark]')")
if shutil.which("java") is None:
    pytest.skip("no Java for Spark", allow_module_level=True)

from newstrace.cli import main
from newstrace.evaluation.corpus import make_corpus

pytestmark = [pytest.mark.spark, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[1]
N_DOCS = 2500
BOILERPLATE = (" Copyright 2017 Example Media. All rights reserved. This material may not be published, "
               "broadcast, rewritten or redistributed.")
PASSAGE_COLS = "a_id, a_start, a_end, b_id, b_start, b_end, words, similarity, kind, boilerplate"


def write_collection(path: Path, n: int) -> None:
    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples" / "seeds").glob("*.txt"))]
    corpus = make_corpus(seeds, n, reuse_share=0.15, words_per_doc=250, seed=7)
    outlets = ["Daily A", "daily a", "B Times", None]
    with path.open("w", encoding="utf-8") as fh:
        for k, (i, t) in enumerate(zip(corpus.ids, corpus.texts)):
            rec = {"id": i, "text": t + (BOILERPLATE if k % 3 == 0 else "")}
            if outlets[k % 4]:
                rec["outlet"] = outlets[k % 4]
            fh.write(json.dumps(rec) + "\n")
            if k % 97 == 5:
                fh.write(json.dumps({"id": f"{i}-copy", "text": rec["text"]}) + "\n")
            if k % 131 == 7:
                fh.write(json.dumps({"id": i, "text": "another text under a used id. " + t[:300]}) + "\n")
            if k % 151 == 3:
                fh.write('{"id": "broken", "text": \n')
                fh.write(json.dumps({"id": f"empty{k}", "text": "   "}) + "\n")


def table(folder: Path, name: str, cols: str = "*") -> list[tuple]:
    p = folder / name
    src = f"'{p}/*.parquet'" if p.is_dir() else f"'{p}.parquet'"
    return duckdb.connect().execute(f"SELECT {cols} FROM read_parquet({src})").fetchall()


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("spark")
    src = tmp / "corpus.jsonl"
    write_collection(src, N_DOCS)
    runner = CliRunner()
    emb = runner.invoke(main, ["scan", str(src), "--db", str(tmp / "e.duckdb"), "--progress", "never"])
    assert emb.exit_code == 0, emb.output
    runner.invoke(main, ["export", "--db", str(tmp / "e.duckdb"), "--format", "parquet", "--output",
                         str(tmp / "e")], catch_exceptions=False)
    # a small split size: the JSON-lines file is read in several byte ranges
    # (the CLI passes none, so the engine reads the constant at call time)
    from newstrace.engines import spark as engine

    old, old_plan = engine.SPLIT_BYTES, engine.plan
    engine.SPLIT_BYTES = 256 << 10
    planned: list = []

    def plan(*args, **kwargs):
        out = old_plan(*args, **kwargs)
        planned.extend(out[0])
        return out

    engine.plan = plan
    try:
        sp = runner.invoke(main, ["scan", str(src), "--engine", "spark", "--master", "local[2]",
                                  "--conf", "spark.driver.memory=1g", "--conf", "spark.sql.shuffle.partitions=4",
                                  "--output", str(tmp / "s"), "--db", str(tmp / "s.duckdb"),
                                  "--progress", "never"])
    finally:
        engine.SPLIT_BYTES, engine.plan = old, old_plan
    assert sp.exit_code == 0, sp.output
    return {"planned": planned, "src": src, "embedded": tmp / "e", "edb": tmp / "e.duckdb", "spark": tmp / "s",
            "sdb": tmp / "s.duckdb", "tmp": tmp, "output": sp.output, "embedded_output": emb.output}


def test_the_jsonl_file_was_read_in_byte_ranges(scanned):
    """The results below are the embedded engine's although the file was read
    in pieces: the byte-range reader and the line numbering across ranges work."""
    size = scanned["src"].stat().st_size
    ranges = [(t.start, t.end) for t in scanned["planned"] if t.file.path.resolve() == scanned["src"].resolve()]
    assert len(ranges) == -(-size // (256 << 10)) > 1
    assert ranges[0][0] == 0 and ranges[-1][1] == size
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))  # contiguous, none left out


def test_passages_identical(scanned):
    e = table(scanned["embedded"], "passages", f"passage_id, {PASSAGE_COLS}, cluster_id, edits")
    s = table(scanned["spark"], "passages", f"passage_id, {PASSAGE_COLS}, cluster_id, edits")
    assert len(e) > 100  # planted reuse is found
    assert set(s) == set(e)
    assert s == e  # numbered and ordered alike


def test_boilerplate_and_stories_identical(scanned):
    e = table(scanned["embedded"], "passages", "kind, boilerplate")
    assert sum(k == "boilerplate" for k, _ in e) > 20  # the copyright footer, by its wording
    assert all((k == "boilerplate") == (why is not None) for k, why in e)
    with duckdb.connect(str(scanned["edb"]), read_only=True) as con:
        stories = con.execute("SELECT doc_id, story_id FROM stories ORDER BY doc_id").fetchall()
    assert stories and table(scanned["spark"], "stories", "doc_id, story_id") == stories


def test_clusters_identical(scanned):
    e = table(scanned["embedded"], "clusters")
    s = table(scanned["spark"], "clusters")
    assert len({r[0] for r in e}) > 50
    assert s == e


def test_documents_and_duplicates_identical(scanned):
    assert table(scanned["spark"], "documents") == table(scanned["embedded"], "documents")
    dupes = table(scanned["spark"], "duplicates")
    assert dupes == table(scanned["embedded"], "duplicates")
    assert len(dupes) >= len(range(5, N_DOCS, 97))  # the planted copies, at least


def test_bad_records_counted_and_listed_like_embedded(scanned):
    con = duckdb.connect(str(scanned["edb"]), read_only=True)
    e = con.execute('SELECT "where", reason FROM skipped ORDER BY rowid').fetchall()
    s = table(scanned["spark"], "skipped")
    assert s == e
    reasons = " ".join(r for _, r in s)
    assert "not valid JSON" in reasons and "duplicate id" in reasons and "whitespace" in reasons
    assert f"{len(s):,} skipped" in scanned["output"]
    read = re.search(r"[\d,]+ documents read, [\d,]+ added", scanned["embedded_output"]).group(0)
    assert read in scanned["output"]


def test_loaded_store_serves_provenance_and_export(scanned):
    runner = CliRunner()
    out = scanned["tmp"] / "s-export"
    r = runner.invoke(main, ["export", "--db", str(scanned["sdb"]), "--format", "parquet", "--output", str(out)])
    assert r.exit_code == 0, r.output
    for name in ("documents", "passages", "clusters", "duplicates"):
        assert table(out, name) == table(scanned["embedded"], name), name
    listing = runner.invoke(main, ["provenance", "--db", str(scanned["sdb"])])
    assert listing.exit_code == 0 and "story" in listing.output
    doc = table(scanned["spark"], "passages", "a_id")[0][0]
    story = runner.invoke(main, ["provenance", "--db", str(scanned["sdb"]), doc, "--format", "json"])
    assert story.exit_code == 0, story.output
    assert json.loads(story.output)["nodes"]
    assert table(scanned["spark"], "decisions")
    from newstrace.store import open_store

    with open_store(scanned["sdb"], read_only=True) as store:  # the manifest's parameters, owned by the store
        assert {k: store.scan_parameters()[k] for k in ("ngram", "sample", "max_df", "same_series")} == {
            "ngram": 5, "sample": 4, "max_df": 100, "same_series": False}  # the pairwise decisions of the alignment stage


def test_import_refuses_a_store_with_documents(scanned):
    r = CliRunner().invoke(main, ["import", str(scanned["spark"]), "--db", str(scanned["edb"])])
    assert r.exit_code == 2
    assert "newstrace: error:" in r.output and "new --db" in r.output


def test_spark_options_need_the_spark_engine(tmp_path):
    r = CliRunner().invoke(main, ["scan", str(ROOT / "examples" / "seeds"), "--db", str(tmp_path / "x.duckdb"),
                                  "--output", str(tmp_path / "o")])
    assert r.exit_code == 2 and "--engine spark" in r.output
    r = CliRunner().invoke(main, ["scan", str(ROOT / "examples" / "seeds"), "--engine", "spark"])
    assert r.exit_code == 2 and "--output DIR" in r.output


def test_mixed_formats_and_damaged_files_like_embedded(tmp_path):
    """Text files, a WARC (a page and a non-HTML response), a cut-off .jsonl.gz
    and a file of no article format: the same documents, passages and
    skipped records from both engines."""
    pytest.importorskip("warcio")
    pytest.importorskip("trafilatura")
    import gzip
    import html

    from tests.test_collection import make_warc

    folder = tmp_path / "mixed"
    folder.mkdir()
    seeds = sorted((ROOT / "examples" / "seeds").glob("*.txt"))
    for p in seeds:
        shutil.copy(p, folder / p.name)
    text = seeds[0].read_text(encoding="utf-8")
    body = "".join(f"<p>{html.escape(par)}</p>" for par in text.split("\n\n") if par.strip())
    page = f"<html><head><title>Reprint</title></head><body><article>{body}</article></body></html>"
    make_warc(folder / "crawl.warc.gz", [
        ("response", "https://reprints.example/a", page.encode(), "text/html; charset=utf-8", 200),
        ("response", "https://reprints.example/logo.png", b"\x89PNG\r\n\x1a\n", "image/png", 200),
    ], date="2017-08-05T00:00:00Z")
    lines = "".join(json.dumps({"id": f"r{k}", "text": text[k * 400:(k + 2) * 400]}) + "\n" for k in range(6))
    packed = gzip.compress(lines.encode())
    (folder / "cut.jsonl.gz").write_bytes(packed[: len(packed) * 2 // 3])
    (folder / "notes.md").write_text("not an article\n", encoding="utf-8")

    runner = CliRunner()
    e = runner.invoke(main, ["scan", str(folder), "--db", str(tmp_path / "e.duckdb"), "--progress", "never",
                             "--no-rewritten"])
    assert e.exit_code == 0, e.output
    runner.invoke(main, ["export", "--db", str(tmp_path / "e.duckdb"), "--format", "parquet",
                         "--output", str(tmp_path / "e")], catch_exceptions=False)
    s = runner.invoke(main, ["scan", str(folder), "--engine", "spark", "--master", "local[2]",
                             "--conf", "spark.sql.shuffle.partitions=2", "--output", str(tmp_path / "s"),
                             "--progress", "never", "--no-rewritten"])
    assert s.exit_code == 0, s.output
    assert not (tmp_path / "s" / "terms").exists()  # verbatim passages only: no rewritten stage ran
    for name in ("documents", "passages", "clusters"):
        assert table(tmp_path / "s", name) == table(tmp_path / "e", name), name
    assert any(r[0] == "https://reprints.example/a" for r in table(tmp_path / "s", "passages", "b_id"))
    con = duckdb.connect(str(tmp_path / "e.duckdb"), read_only=True)
    skipped = table(tmp_path / "s", "skipped")
    assert skipped == con.execute('SELECT "where", reason FROM skipped ORDER BY rowid').fetchall()
    reasons = " ".join(r for _, r in skipped)
    assert "image/png" in reasons and "cannot read the rest of the file" in reasons and "(.md)" in reasons


def _terms(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT d.id, t.term FROM terms t JOIN documents d USING (doc_key) ORDER BY ALL").fetchall()


def test_rewritten_passages_like_embedded(tmp_path):
    """An agency story, a paper's rewrite of it and a second rewrite (no five
    words in a row in common: no verbatim candidate), beside a wire story
    and its copy. The Spark scan finds and stores the rewritten passages the
    embedded scan stores: the same pairs, offsets, similarities and sentence
    pairs, kind 'rewritten'; the store it loads into holds the same term
    sketches, so that an incremental scan after it aligns nothing again."""
    from tests.test_provenance import AGENCY, COPY_1, PAPER, REWORDED, WIRE

    folder = tmp_path / "c"
    folder.mkdir()
    for name, text in {"agency": AGENCY, "paper": PAPER, "reworded": REWORDED, "wire": WIRE, "copy": COPY_1}.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    runner = CliRunner()
    e = runner.invoke(main, ["scan", str(folder), "--db", str(tmp_path / "e.duckdb"), "--workers", "1",
                             "--progress", "never"])
    assert e.exit_code == 0, e.output
    runner.invoke(main, ["export", "--db", str(tmp_path / "e.duckdb"), "--format", "parquet",
                         "--output", str(tmp_path / "e")], catch_exceptions=False)
    s = runner.invoke(main, ["scan", str(folder), "--engine", "spark", "--master", "local[2]",
                             "--conf", "spark.sql.shuffle.partitions=2", "--output", str(tmp_path / "s"),
                             "--db", str(tmp_path / "s.duckdb"), "--progress", "never"])
    assert s.exit_code == 0, s.output
    cols = f"passage_id, {PASSAGE_COLS}, cluster_id, edits"
    want = table(tmp_path / "e", "passages", cols)
    rewritten = [r for r in want if r[9] == "rewritten"]
    assert len(rewritten) >= 2 and {(r[1], r[4]) for r in rewritten} >= {("agency.txt", "paper.txt")}
    assert table(tmp_path / "s", "passages", cols) == want
    for name in ("documents", "clusters"):
        assert table(tmp_path / "s", name) == table(tmp_path / "e", name), name
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert manifest["rewritten"] and manifest["counts"]["rewritten_pairs"] >= len(rewritten)
    assert _terms(tmp_path / "s.duckdb") == _terms(tmp_path / "e.duckdb") != []
    (folder / "late.txt").write_text(WIRE.replace("WASHINGTON (AP) — ", "LATE EDITION — "), encoding="utf-8")
    again = runner.invoke(main, ["scan", str(folder), "--db", str(tmp_path / "s.duckdb"), "--workers", "1",
                                 "--progress", "never"])
    assert again.exit_code == 0 and "1 added" in again.output, again.output
    with duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True) as con:  # the new document's pairs only
        assert con.execute("SELECT count(*) FROM aligned_pairs x JOIN documents d ON d.doc_key IN (x.a_key, x.b_key) "
                           "WHERE d.id = 'late.txt'").fetchone()[0] == con.execute(
            "SELECT count(*) FROM aligned_pairs WHERE run_id = (SELECT max(run_id) FROM runs)").fetchone()[0] > 0
