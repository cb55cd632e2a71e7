"""`newstrace scan`, `query` and `export` over a real DuckDB store file."""

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from newstrace.cli import main
from newstrace.store import ANALYSIS_TABLES, SCHEMA_VERSION, open_store
from tests.fixtures.collections import made_up_collection

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def passages(db) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT a_id, a_start, a_end, b_id, b_start, b_end, words, kind FROM passages ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()


def assert_keys_unique(db) -> None:
    """The keys the store's tables carry no constraint for (schema version 3)
    are unique all the same: the one writer keeps them so."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        for table, key in [("documents", "doc_key"), ("documents", "id"), ("documents", "content_hash"),
                           ("passages", "passage_id"), ("aligned_pairs", "a_key, b_key"),
                           ("clusters", "cluster_id"), ("stories", "doc_id"), ("duplicates", "id")]:
            repeated = con.execute(f"SELECT count(*) FROM (SELECT {key} FROM {table} GROUP BY ALL "
                                   "HAVING count(*) > 1)").fetchone()[0]
            assert repeated == 0, f"{table}.{key} repeats"
        assert con.execute("SELECT count(*) FROM documents WHERE doc_key IS NULL OR id IS NULL").fetchone()[0] == 0
    finally:
        con.close()


def test_scan_seeds_then_export(tmp_path):
    db = tmp_path / "seeds.duckdb"
    r = run("scan", SEEDS / "000_da43fc32711ce6b8.txt", SEEDS / "002_c61f085763ff7fbd.txt", "--db", db)
    assert r.exit_code == 0, r.output
    assert "2 added" in r.output
    rows = passages(db)
    assert [(x[1], x[2], x[4], x[5], x[7]) for x in rows] == [
        (1272, 2083, 1066, 1873, "passage"),
        (2085, 2265, 2511, 2691, "passage"),
        (2856, 3322, 2693, 3161, "passage"),
        (6011, 6043, 905, 937, "quotation"),
    ]
    for fmt in ("jsonl", "csv", "parquet"):
        out = tmp_path / f"out-{fmt}"
        r = run("export", "--db", db, "--format", fmt, "--output", out)
        assert r.exit_code == 0, r.output
        tables = ("clusters", "documents", "duplicates", "passages", *ANALYSIS_TABLES)  # and the stored analysis
        assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.{fmt}" for t in tables)
    lines = (tmp_path / "out-jsonl" / "passages.jsonl").read_text(encoding="utf-8").splitlines()
    recs = [json.loads(x) for x in lines]
    assert {"a_id", "a_start", "a_end", "b_id", "b_start", "b_end", "words", "similarity", "kind", "cluster_id"} <= recs[0].keys()
    docs = {json.loads(x)["id"]: json.loads(x) for x in (tmp_path / "out-jsonl" / "documents.jsonl").read_text(encoding="utf-8").splitlines()}
    for p in recs:
        assert docs[p["b_id"]]["text"][p["b_start"] : p["b_end"]]
    assert all(p["cluster_id"] is not None for p in recs)


def test_rescan_adds_nothing_and_new_file_is_compared_with_old(tmp_path):
    db = tmp_path / "c.duckdb"
    folder = tmp_path / "corpus"
    folder.mkdir()
    for p in SEEDS.glob("*.txt"):
        (folder / p.name).write_bytes(p.read_bytes())
    assert run("scan", folder, "--db", db).exit_code == 0
    before = passages(db)
    r = run("scan", folder, "--db", db)
    assert "0 added, 2 already stored" in r.output and "0 pairs aligned" in r.output
    assert passages(db) == before
    # a third outlet reprints the CNN paragraph that 002 quotes
    a = (SEEDS / "000_da43fc32711ce6b8.txt").read_text(encoding="utf-8")
    s = a.index("He added the regime")
    e = a.index("Iranian-backed Shia groups.") + len("Iranian-backed Shia groups.")
    (folder / "sub").mkdir()
    (folder / "sub" / "third.txt").write_text("A third outlet's story\n\nOur intro here.\n\n" + a[s:e], encoding="utf-8")
    r = run("scan", folder, "--db", db)
    assert "1 added" in r.output and "2 pairs aligned" in r.output, r.output
    assert_keys_unique(db)
    after = passages(db)
    assert set(before) <= set(after)
    assert {x[3] for x in after} >= {"sub/third.txt"}
    with open_store(db, read_only=True) as st:
        sizes = st.con.execute("SELECT max(size) FROM clusters").fetchone()[0]
    assert sizes == 3  # the "He added" paragraph in all three documents


def test_query_finds_a_quote_without_adding_it(tmp_path):
    db = tmp_path / "q.duckdb"
    run("scan", SEEDS, "--db", db)
    quote = "We can confirm there have been a handful of isolated defections, US Army Col. Joe Scrocca told CNN"
    r = CliRunner().invoke(main, ["query", "--db", str(db), "-", "--format", "json"], input=quote)
    assert r.exit_code == 0, r.output
    matches = json.loads(r.output)["matches"]
    assert [m["id"] for m in matches] == ["000_da43fc32711ce6b8.txt"]
    assert matches[0]["passages"][0]["words"] >= 15
    with open_store(db, read_only=True) as st:
        assert st.counts()["documents"] == 2


def test_errors_before_any_work(tmp_path):
    missing = tmp_path / "nope"
    db = tmp_path / "x.duckdb"
    r = run("scan", missing, "--db", db)
    assert r.exit_code == 2 and str(missing) in r.output and not db.exists()
    notours = tmp_path / "other.duckdb"
    con = duckdb.connect(str(notours))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    r = run("scan", SEEDS, "--db", notours)
    assert r.exit_code == 2 and "not a newstrace store" in r.output
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"this is not a database at all" * 10)
    r = run("scan", SEEDS, "--db", junk)
    assert r.exit_code == 2 and "not a newstrace store" in r.output
    assert junk.read_bytes().startswith(b"this is not")  # untouched
    r = run("export", "--db", tmp_path / "none.duckdb", "--format", "csv", "--output", tmp_path / "o")
    assert r.exit_code == 2 and "no such store" in r.output


def test_store_readable_by_another_process(tmp_path):
    db = tmp_path / "r.duckdb"
    run("scan", SEEDS, "--db", db)
    code = "import duckdb,sys; c=duckdb.connect(sys.argv[1], read_only=True); print(c.execute('select count(*) from passages').fetchone()[0])"
    out = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "4"


# --------------------------------------------------------------------------
# killed scans


def _scan_cmd(corpus: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "newstrace", "scan", str(corpus), "--db", str(db), "--preset", "passim", "--workers", "2"]


def _ingested_new(line: str) -> int:
    m = re.search(r"ingested [\d,]+ documents at [\d,]+/s \(([\d,]+) new", line)
    return int(m.group(1).replace(",", "")) if m else -1


def _mid_alignment(line: str) -> bool:
    m = re.search(r"aligned ([\d,]+)/([\d,]+) pairs", line)
    return bool(m) and 0 < int(m.group(1).replace(",", "")) < int(m.group(2).replace(",", ""))


KILL_POINTS = {
    "early ingest": lambda line: _ingested_new(line) >= 500,
    "late ingest": lambda line: _ingested_new(line) >= 2000,
    "mid alignment": _mid_alignment,
}


@pytest.mark.parametrize("kill_at", sorted(KILL_POINTS))
def test_killed_scan_completes_when_run_again(tmp_path, kill_at):
    """kill -9 a real scan when its progress shows it has reached a stage
    (during ingest, or during alignment), run it again, and compare with a
    clean scan: the same passages, no duplicated rows."""
    corpus = tmp_path / "c.jsonl"
    made_up_collection(corpus, 3000)
    clean = tmp_path / "clean.duckdb"
    subprocess.run(_scan_cmd(corpus, clean), check=True, capture_output=True, timeout=600)
    expected = passages(clean)
    assert len(expected) > 100

    db = tmp_path / "killed.duckdb"
    proc = subprocess.Popen(_scan_cmd(corpus, db) + ["--progress", "always"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    seen = []
    hit = KILL_POINTS[kill_at]
    for line in proc.stderr:
        seen.append(line)
        if hit(line):
            break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert any(hit(line) for line in seen), seen[-3:]
    con = duckdb.connect(str(db), read_only=True)
    docs, posted, status = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE doc_key IN (SELECT doc_key FROM postings)), "
        "(SELECT status FROM runs) FROM documents").fetchone()
    assert status == "running" and 0 < docs  # it was killed mid-scan, with work stored
    assert docs == posted  # every stored document has its postings: no half-written batch
    con.close()

    subprocess.run(_scan_cmd(corpus, db), check=True, capture_output=True, timeout=600)
    assert passages(db) == expected  # nothing lost, nothing duplicated
    assert_keys_unique(db)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 3000
    assert con.execute(
        "SELECT count(*) FROM (SELECT a_key, b_key FROM aligned_pairs GROUP BY ALL HAVING count(*) > 1)"
    ).fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM clusters").fetchone()[0] == (
        duckdb.connect(str(clean), read_only=True).execute("SELECT count(*) FROM clusters").fetchone()[0])
    con.close()


def test_version_1_store_is_upgraded_by_a_scan(tmp_path):
    db = tmp_path / "old.duckdb"
    run("scan", SEEDS / "000_da43fc32711ce6b8.txt", "--db", db)
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE duplicates")  # what a version-1 store looked like
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.close()
    r = run("export", "--db", db, "--format", "csv", "--output", tmp_path / "o")
    assert r.exit_code == 2 and "run 'newstrace scan' on it once to upgrade it" in r.output
    r = run("scan", SEEDS, "--db", db)
    assert r.exit_code == 0, r.output
    assert "1 added" in r.output
    assert run("export", "--db", db, "--format", "csv", "--output", tmp_path / "o").exit_code == 0


# what `documents` looked like in schema version 2: keys backed by indexes
V2_DOCUMENTS = """CREATE TABLE documents (
    doc_key INTEGER PRIMARY KEY, id VARCHAR NOT NULL UNIQUE, content_hash VARCHAR NOT NULL UNIQUE,
    title VARCHAR, outlet VARCHAR, url VARCHAR, published VARCHAR, byline VARCHAR,
    source_path VARCHAR, length INTEGER, words INTEGER, run_id INTEGER,
    scanned BOOLEAN NOT NULL DEFAULT false, text VARCHAR NOT NULL)"""


def _key_constraints(con) -> list[tuple]:
    return con.execute("SELECT table_name, constraint_type FROM duckdb_constraints() "
                       "WHERE constraint_type IN ('PRIMARY KEY', 'UNIQUE') AND table_name NOT IN ('meta', 'runs') "
                       "ORDER BY ALL").fetchall()


def test_version_2_store_is_upgraded_by_a_scan(tmp_path):
    db = tmp_path / "v2.duckdb"
    run("scan", SEEDS / "000_da43fc32711ce6b8.txt", SEEDS / "002_c61f085763ff7fbd.txt", "--db", db)
    before = passages(db)
    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE documents RENAME TO d3")
    con.execute(V2_DOCUMENTS)
    con.execute("INSERT INTO documents SELECT * EXCLUDE (published_at) FROM d3")
    con.execute("DROP TABLE d3")
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    assert _key_constraints(con) == [("documents", "PRIMARY KEY"), ("documents", "UNIQUE"), ("documents", "UNIQUE")]
    con.close()
    # read-only commands ask for the upgrade (a version-2 store's stories were built with site furniture)
    r = run("export", "--db", db, "--format", "csv", "--output", tmp_path / "o")
    assert r.exit_code == 2 and "run 'newstrace scan' on it once to upgrade it" in r.output, r.output
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "2"
    # a scan upgrades it: the same rows, no key constraints, and the scan goes on as usual
    a = (SEEDS / "000_da43fc32711ce6b8.txt").read_text(encoding="utf-8")
    third = tmp_path / "third.txt"
    third.write_text("A third outlet\n\n" + a[a.index("He added the regime"):], encoding="utf-8")
    r = run("scan", third, "--db", db)
    assert r.exit_code == 0 and "1 added" in r.output and "passages found" in r.output, r.output
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == SCHEMA_VERSION == "6"
        assert _key_constraints(con) == []
        ids = [x[0] for x in con.execute("SELECT id FROM documents ORDER BY doc_key").fetchall()]
    assert ids == ["000_da43fc32711ce6b8.txt", "002_c61f085763ff7fbd.txt", "third.txt"]
    after = passages(db)
    assert set(before) < set(after) and {x[3] for x in after} >= {"third.txt"}
    assert_keys_unique(db)


def test_new_store_has_no_key_indexes_on_tables_that_grow(tmp_path):
    db = tmp_path / "n.duckdb"
    assert run("scan", SEEDS, "--db", db).exit_code == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert _key_constraints(con) == []


def test_many_skipped_records_are_all_stored_and_a_few_listed(tmp_path):
    from newstrace.engines.report import LISTED

    corpus = tmp_path / "bad.jsonl"
    a = (SEEDS / "000_da43fc32711ce6b8.txt").read_text(encoding="utf-8")
    lines = []
    for k in range(LISTED + 300):
        lines.append("{not json" if k % 2 else json.dumps({"id": f"empty{k}", "text": "  "}))
        if k % 400 == 0:
            lines.append(json.dumps({"id": f"doc{k}", "text": f"Story {k}.\n\n" + a}))
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "b.duckdb"
    r = run("scan", corpus, "--db", db)
    assert r.exit_code == 0, r.output
    assert f"{LISTED + 300:,} skipped" in r.output and f"... {LISTED + 280:,} more skipped" in r.output
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute('SELECT "where" FROM skipped ORDER BY rowid').fetchall()
    # every one, once, in the order of the file
    expected = [f"{corpus}:{n}" for n, line in enumerate(lines, start=1) if not line.startswith('{"id": "doc')]
    assert [w for (w,) in rows] == expected


def test_memory_limit_checked_and_used(tmp_path):
    db = tmp_path / "m.duckdb"
    r = run("scan", SEEDS, "--db", db, "--memory-limit", "lots")
    assert r.exit_code == 2 and "--memory-limit" in r.output and not db.exists()
    assert run("scan", SEEDS, "--db", db, "--memory-limit", "300MB").exit_code == 0
    with open_store(db, read_only=True, memory_limit="300MB") as st:
        limit = st.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert limit.replace(" ", "").upper().startswith(("286", "300")), limit


def test_two_stores_in_one_process_do_not_share_cached_tokens(tmp_path):
    """Document keys restart at 1 in every store; the aligner's per-process
    token cache must not hand one store's text to another's scan."""
    other = tmp_path / "other"
    other.mkdir()
    shared = ("The harbour board agreed on Monday to dredge the northern channel before the autumn storms, "
              "after pilots warned that two grain ships had touched the bottom at low tide in the past month. "
              "Work will start in September and last six weeks, and the board will borrow the cost from the "
              "regional fund rather than raise mooring fees, its chair told members at the meeting.\n")
    (other / "x1.txt").write_text("Board to dredge channel\n\n" + shared, encoding="utf-8")
    (other / "x2.txt").write_text("Dredging ahead\n\nIn brief: " + shared + "More on page four.\n", encoding="utf-8")
    assert run("scan", other, "--db", tmp_path / "other.duckdb", "--workers", "1").exit_code == 0
    assert passages(tmp_path / "other.duckdb")  # its pair was aligned, so its tokens were cached
    db = tmp_path / "seeds.duckdb"
    r = run("scan", SEEDS / "000_da43fc32711ce6b8.txt", SEEDS / "002_c61f085763ff7fbd.txt", "--db", db, "--workers", "1")
    assert r.exit_code == 0, r.output
    assert [(x[1], x[2], x[4], x[5]) for x in passages(db)][:3] == [
        (1272, 2083, 1066, 1873), (2085, 2265, 2511, 2691), (2856, 3322, 2693, 3161)]


def test_out_of_memory_is_a_message_and_the_rerun_finishes(tmp_path):
    db = tmp_path / "oom.duckdb"
    r = CliRunner().invoke(main, ["scan", str(SEEDS / "000_da43fc32711ce6b8.txt"),
                                  str(SEEDS / "002_c61f085763ff7fbd.txt"), "--db", str(db), "--memory-limit", "2MB"])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "ran out of memory under --memory-limit 2MB" in r.output and "larger --memory-limit" in r.output
    r = CliRunner().invoke(main, ["scan", str(SEEDS / "000_da43fc32711ce6b8.txt"),
                                  str(SEEDS / "002_c61f085763ff7fbd.txt"), "--db", str(db)])
    assert r.exit_code == 0, r.output
    clean = tmp_path / "clean.duckdb"
    assert CliRunner().invoke(main, ["scan", str(SEEDS / "000_da43fc32711ce6b8.txt"),
                                     str(SEEDS / "002_c61f085763ff7fbd.txt"), "--db", str(clean)]).exit_code == 0
    q = "SELECT a_id, a_start, a_end, b_id, b_start, b_end FROM passages ORDER BY ALL"
    with duckdb.connect(str(db), read_only=True) as a, duckdb.connect(str(clean), read_only=True) as b:
        assert a.execute(q).fetchall() == b.execute(q).fetchall() and a.execute(q).fetchall()
        assert a.execute("SELECT count(*) FROM documents").fetchone()[0] == 2
    assert_keys_unique(db)


def _ingest_tables(db) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            "documents": con.execute("SELECT id, content_hash, text FROM documents ORDER BY doc_key").fetchall(),
            "duplicates": con.execute("SELECT id, duplicate_of FROM duplicates ORDER BY ALL").fetchall(),
            # (in the order of the file within a batch; a group's reader's skips before its id conflicts)
            "skipped": con.execute('SELECT "where", reason, run_id FROM skipped ORDER BY ALL').fetchall(),
            "terms": con.execute("SELECT d.id, t.term FROM terms t JOIN documents d USING (doc_key) "
                                 "ORDER BY ALL").fetchall(),
        }


def test_the_ingest_checks_texts_and_ids_by_groups_of_batches_as_in_one_batch(tmp_path):
    """The store is asked which texts and ids it holds for several batches
    at once: duplicates of a text stored, or read earlier in the same group
    or in a batch still in flight, ids taken with another text and the
    reader's skipped records come out as when the whole collection is one
    batch; and a rescan adds nothing and records no duplicate twice."""
    from newstrace.align import AlignParams
    from newstrace.engines.local import CHECK_BATCHES, scan
    from newstrace.ingest.collection import Skipped
    from newstrace.records import Document

    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike".split()
    texts = [" ".join(words[(k + j) % len(words)] + str(k * j % 7) for j in range(30)) for k in range(25)]

    def records() -> list:
        out: list = []
        for k in range(3 * CHECK_BATCHES * 2 + 11):
            out.append(Document(id=f"d{k}", text=texts[k % len(texts)]))  # from k = 25 on, duplicates
            if k % 9 == 4:
                out.append(Document(id=f"d{(k - 2) % len(texts)}", text=f"another text {k}"))  # an id taken
            if k % 7 == 3:
                out.append(Skipped(f"file:{k}", "not an article"))
        return out

    got = {}
    for name, batch in (("groups", 2), ("one batch", 10_000)):
        db = tmp_path / f"{name}.duckdb"
        with open_store(db) as store:
            rep = scan(store, records(), workers=1, batch_docs=batch, align_params=AlignParams(min_words=8))
            assert rep.duplicates == 3 * CHECK_BATCHES * 2 + 11 - len(texts)
            again = scan(store, records(), workers=1, batch_docs=batch, align_params=AlignParams(min_words=8))
            assert again.documents_added == 0
        got[name] = _ingest_tables(db)
    assert got["groups"] == got["one batch"]
    assert len(got["groups"]["documents"]) == len(texts) and got["groups"]["duplicates"]
    assert len(got["groups"]["skipped"]) > 4 and got["groups"]["terms"]
