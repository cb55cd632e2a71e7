"""Broken stores, full disks, too little memory and locks: one error line that
names the file and the fix, exit code 2, the store and every output as they
were. Real DuckDB files, real size limits (RLIMIT_FSIZE) and real processes
holding locks."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from newstrace.cli import main
from tests.fixtures.collections import made_up_collection

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"
SEED = sorted(SEEDS.glob("*.txt"))[0]
SEED_B = sorted(SEEDS.glob("*.txt"))[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def one_error(r, *names: object) -> str:
    """The one ``newstrace: error:`` line of a command's output, naming ``names``."""
    out = r.output if hasattr(r, "output") else r.stderr
    assert (r.exit_code if hasattr(r, "exit_code") else r.returncode) == 2, out
    assert "Traceback" not in out, out
    lines = [x for x in out.strip().splitlines() if not x.startswith("newstrace: skipped:")]
    assert len(lines) == 1 and lines[0].startswith("newstrace: error: "), out
    for n in names:
        assert str(n) in lines[0], lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("store") / "seeds.duckdb"
    assert run("scan", SEEDS, "--db", db, "--progress", "never").exit_code == 0
    return db


def doc_id(db: Path) -> str:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT id FROM documents ORDER BY id LIMIT 1").fetchone()[0]
    finally:
        con.close()


def commands(db: Path, tmp: Path, doc: str) -> dict[str, list]:
    """Every command that opens a store, with ``db`` as its store."""
    parquet = tmp / "pq"
    if not parquet.exists():
        parquet.mkdir()
        (parquet / "documents.parquet").write_bytes(b"")  # never reached: the store fails first
        (parquet / "passages.parquet").write_bytes(b"")
    return {
        "scan": ["scan", SEED, "--db", db, "--progress", "never"],
        "export": ["export", "--db", db, "--format", "csv", "--output", tmp / "export"],
        "report": ["report", "--db", db, "-o", tmp / "site"],
        "provenance": ["provenance", "--db", db],
        "anatomy": ["anatomy", "--db", db, doc],
        "quotes": ["quotes", "--db", db],
        "query": ["query", SEED, "--db", db],
        "import": ["import", parquet, "--db", db],
        "serve": ["serve", "--db", db, "--port", "0"],
    }


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def bit_flipped(data: bytes) -> bytes:
    """Bytes flipped in every block after the headers (DuckDB's blocks are 256 KiB)."""
    b = bytearray(data)
    for at in range(12288 + 100, len(b), 262144):
        for i in range(at, min(at + 64, len(b))):
            b[i] ^= 0xFF
    return bytes(b)


def empty_duckdb(_data: bytes) -> bytes | None:
    return None  # made by DuckDB itself below


def zero_bytes(_data: bytes) -> bytes:
    return b""


DAMAGE = {"truncated": truncated, "bit-flipped": bit_flipped, "empty DuckDB file": empty_duckdb,
          "zero-byte file": zero_bytes}
HINTS = {"truncated": "damaged", "bit-flipped": "damaged", "empty DuckDB file": "not a newstrace store",
         "zero-byte file": "empty file (0 bytes)"}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
@pytest.mark.parametrize("command", ["scan", "export", "report", "provenance", "anatomy", "quotes", "query", "import",
                                     "serve"])
def test_a_broken_store_is_one_error_in_every_command(tmp_path, seeds_store, damage, command):
    if command == "serve":
        pytest.importorskip("fastapi")
        pytest.importorskip("uvicorn")
    db = tmp_path / "broken.duckdb"
    data = DAMAGE[damage](seeds_store.read_bytes())
    if data is None:
        duckdb.connect(str(db)).close()
        data = db.read_bytes()
    else:
        db.write_bytes(data)
    args = commands(db, tmp_path, doc_id(seeds_store))[command]
    if command == "serve":  # in a process of its own: a serve that starts would never end
        r = subprocess.run([sys.executable, "-m", "newstrace", *map(str, args)], cwd=ROOT, env=ENV, capture_output=True,
                           text=True, timeout=60)
    else:
        r = run(*args)
    line = one_error(r, db)
    assert HINTS[damage] in line
    assert "another scan" not in line and "is writing" not in line
    assert db.read_bytes() == data  # the store as it was: not repaired, not made a store, not replaced
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(db.name)) == [db.name]
    assert not (tmp_path / "export").exists() and not (tmp_path / "site").exists()


# --------------------------------------------------------------------------
# full disks: RLIMIT_FSIZE in the command's own process (EFBIG, as ENOSPC on a full disk)


def limited(args: list, max_bytes: int, **kw) -> subprocess.CompletedProcess:
    """``newstrace ARGS`` in a process that may write no file beyond ``max_bytes``."""

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))

    return subprocess.run([sys.executable, "-m", "newstrace", *map(str, args)], cwd=ROOT, env=ENV,
                          preexec_fn=limit, capture_output=True, text=True, timeout=600, **kw)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def test_scan_on_a_full_disk(tmp_path):
    corpus = tmp_path / "c.jsonl"
    made_up_collection(corpus, 600)
    db = tmp_path / "full.duckdb"
    r = limited(["scan", corpus, "--db", db, "--preset", "passim", "--workers", "1", "--progress", "never"],
                1_500_000)
    line = one_error(r, db)
    assert "disk is full" in line and "run the same command again" in line
    con = duckdb.connect(str(db), read_only=True)  # consistent: each stored document has its postings
    docs, posted = con.execute("SELECT count(*), count(*) FILTER (WHERE doc_key IN (SELECT doc_key FROM postings)) "
                               "FROM documents").fetchone()
    con.close()
    assert docs == posted
    again = subprocess.run([sys.executable, "-m", "newstrace", "scan", str(corpus), "--db", str(db), "--preset",
                            "passim", "--workers", "1", "--progress", "never"], cwd=ROOT, env=ENV, capture_output=True,
                           text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    clean = tmp_path / "clean.duckdb"
    assert run("scan", corpus, "--db", clean, "--preset", "passim", "--workers", "1",
               "--progress", "never").exit_code == 0
    q = "SELECT a_id, a_start, a_end, b_id, b_start, b_end, kind FROM passages ORDER BY ALL"
    got, want = (duckdb.connect(str(x), read_only=True).execute(q).fetchall() for x in (db, clean))
    assert got == want and len(want) > 10


def test_export_on_a_full_disk_leaves_the_old_export(tmp_path, seeds_store):
    out = tmp_path / "out"
    assert run("export", "--db", seeds_store, "--format", "jsonl", "--output", out).exit_code == 0
    (out / "documents.jsonl").write_text("the export before\n")
    before = snapshot(out)
    r = limited(["export", "--db", seeds_store, "--format", "jsonl", "--output", out], 4096)
    line = one_error(r, out)
    assert "disk is full" in line
    assert snapshot(out) == before  # no partial file, no file changed


def test_site_report_on_a_full_disk_leaves_the_old_site(tmp_path, seeds_store):
    site = tmp_path / "site"
    assert run("report", "--db", seeds_store, "-o", site).exit_code == 0
    (site / "index.html").write_text("the site before")
    before = snapshot(site)
    r = limited(["report", "--db", seeds_store, "-o", site], 20_000)
    line = one_error(r, site)
    assert "disk is full" in line
    assert snapshot(site) == before


def test_pair_report_on_a_full_disk_keeps_the_old_report(tmp_path):
    out = tmp_path / "out.html"
    out.write_text("the report before")
    r = limited(["report", SEED, SEED_B, "-o", out], 8192)
    line = one_error(r, out)
    assert "disk is full" in line
    assert out.read_text() == "the report before"
    assert [p.name for p in tmp_path.iterdir()] == ["out.html"]


def test_pair_report_replaces_the_old_one_whole(tmp_path):
    out = tmp_path / "out.html"
    out.write_text("the report before")
    assert run("report", SEED, SEED_B, "-o", out).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert [p.name for p in tmp_path.iterdir()] == ["out.html"]


# --------------------------------------------------------------------------
# memory


def test_a_scan_with_too_little_memory(tmp_path, seeds_store):
    new = tmp_path / "new.duckdb"
    line = one_error(run("scan", SEEDS, "--db", new, "--memory-limit", "1MB", "--progress", "never"), new)
    assert "out of memory" in line and "--memory-limit" in line
    assert list(tmp_path.iterdir()) == []  # no store made of it
    db = tmp_path / "old.duckdb"
    db.write_bytes(seeds_store.read_bytes())
    line = one_error(run("scan", SEED, "--db", db, "--memory-limit", "1MB", "--progress", "never"), db)
    assert "out of memory" in line and "--memory-limit" in line
    assert db.read_bytes() == seeds_store.read_bytes()


def test_an_import_with_too_little_memory(tmp_path, seeds_store):
    pq = tmp_path / "pq"
    assert run("export", "--db", seeds_store, "--format", "parquet", "--output", pq).exit_code == 0
    db = tmp_path / "new.duckdb"
    line = one_error(run("import", pq, "--db", db, "--memory-limit", "1MB"), db)
    assert "out of memory" in line and "--memory-limit" in line
    assert not db.exists()


# --------------------------------------------------------------------------
# who holds the lock


def hold(db: Path, read_only: bool) -> subprocess.Popen:
    """Another process with the store open, until killed."""
    code = ("import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == 'ro'); "
            "print('open', flush=True); time.sleep(120)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(db), "ro" if read_only else "rw"], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "open"
    return proc


def test_a_lock_error_names_the_process_that_holds_it(tmp_path, seeds_store):
    db = tmp_path / "s.duckdb"
    db.write_bytes(seeds_store.read_bytes())
    writer = hold(db, read_only=False)
    try:
        line = one_error(run("export", "--db", db, "--format", "csv", "--output", tmp_path / "x"), db)
        assert f"PID {writer.pid}" in line and "python" in line and "another scan" not in line
        assert "when it ends" in line
    finally:
        writer.kill()
        writer.wait()
    reader = hold(db, read_only=True)  # as a running export holds it
    try:
        line = one_error(run("scan", SEED, "--db", db, "--progress", "never"), db)
        assert f"PID {reader.pid}" in line and "read" in line and "another scan" not in line
    finally:
        reader.kill()
        reader.wait()


def test_damage_found_while_exporting_names_the_store_not_the_output(tmp_path):
    from newstrace.failures import describe

    e = duckdb.IOException("Corrupt database file: computed checksum 1 does not match stored checksum 2 in block "
                            "at location 536576")
    line = describe(e, tmp_path / "s.duckdb", output=tmp_path / "export")
    assert line is not None and line.startswith(f"{tmp_path / 's.duckdb'}: the store is damaged")


def test_a_lock_held_by_an_unknown_process_says_so():
    from newstrace.failures import holder, lock_holder

    assert lock_holder('IO Error: Could not set lock on file "x.duckdb": Conflicting lock is held in '
                       "/usr/bin/python3 (PID 4242). See also https://duckdb.org") == (4242, "/usr/bin/python3")
    unnamed = 'IO Error: Could not set lock on file "x.duckdb": Resource temporarily unavailable'
    assert lock_holder(unnamed) is None
    assert holder(unnamed) == "another process (DuckDB's message does not say which)"
    gone = 'Conflicting lock is held in /usr/bin/python3 (PID 999999999). See also'  # no /proc entry to read
    assert holder(gone) == "PID 999999999 (/usr/bin/python3)"


def test_a_read_only_folder_is_not_another_scan(tmp_path, seeds_store):
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "s.duckdb").write_bytes(seeds_store.read_bytes())
    mounted = False
    if os.geteuid() == 0:  # root writes anywhere: a read-only mount instead
        mounted = subprocess.run(["mount", "--bind", "-o", "ro", str(folder), str(folder)],
                                 capture_output=True).returncode == 0
        mounted = mounted and subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)],
                                             capture_output=True).returncode == 0
        if not mounted:
            pytest.skip("root, and no read-only mount possible")
    else:
        folder.chmod(0o555)
    try:
        for db in (folder / "s.duckdb", folder / "new.duckdb"):
            line = one_error(run("scan", SEED, "--db", db, "--progress", "never"), db)
            assert "read-only" in line or "permission" in line.lower(), line
            assert "another scan" not in line
        line = one_error(run("export", "--db", folder / "s.duckdb", "--format", "csv", "--output", folder / "x"),
                         folder / "x")
        assert "read-only" in line or "permission" in line.lower(), line
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)
        else:
            folder.chmod(0o755)


def test_serve_does_not_call_a_damaged_store_a_scan(tmp_path, seeds_store):
    from newstrace.web import SnapshotError, snapshot

    db = tmp_path / "s.duckdb"
    db.write_bytes(bit_flipped(seeds_store.read_bytes()))
    with pytest.raises(SnapshotError) as e:
        snapshot(db, tmp_path)
    assert "damaged" in str(e.value) and "scan is writing" not in str(e.value)
    busy = tmp_path / "w.duckdb"
    busy.write_bytes(seeds_store.read_bytes())
    writer = hold(busy, read_only=False)
    try:
        with pytest.raises(SnapshotError) as e:
            snapshot(busy, tmp_path)
        assert f"PID {writer.pid}" in str(e.value)
    finally:
        writer.kill()
        writer.wait()



def test_leftovers_of_a_killed_writer_are_removed_by_the_next_write(tmp_path):
    out = tmp_path / "out.html"
    dead = tmp_path / ".out.html.999999999-abcdef.partial"  # a PID above any pid_max: no such process
    live = tmp_path / f".out.html.{os.getppid()}-abcdef.partial"  # a writer still running: kept
    dead.write_text("half")
    live.write_text("being written")
    assert run("report", SEED, SEED_B, "-o", out).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name, live.name])
