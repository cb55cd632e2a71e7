"""Processes and signals: a scan's workers die with it, Ctrl-C and SIGTERM
reap every child and leave one error line, SIGTERM to ``serve`` removes its
snapshot. Real subprocesses, real signals, every wait bounded."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from tests.fixtures.collections import made_up_collection

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
WAIT = 30.0  # seconds any process is given to end


def children(pid: int) -> list[int]:
    """The live (not zombie) processes whose parent is ``pid``."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] not in "ZX" and int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in "ZX"


def wait_gone(pids: list[int], timeout: float = WAIT) -> list[int]:
    end = time.monotonic() + timeout
    while time.monotonic() < end and any(alive(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if alive(p)]


pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")


def _as_from_a_terminal() -> None:
    """The scan's SIGINT as a terminal gives it: a test run from a background job (``cmd &``
    in a script, as a CI runner may start it) inherits SIGINT ignored, and so would the scan."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_scan(tmp_path: Path, **popen) -> tuple[subprocess.Popen, list[str], list[int]]:
    """A two-worker scan of a made-up collection, once its workers are busy
    aligning; returns the process, its progress so far and its workers."""
    corpus = tmp_path / "c.jsonl"
    if not corpus.exists():
        made_up_collection(corpus, 1500)
    proc = subprocess.Popen([sys.executable, "-m", "newstrace", "scan", str(corpus), "--db", str(tmp_path / "s.duckdb"),
                             "--preset", "passim", "--workers", "2", "--progress", "always"],
                            cwd=ROOT, env=ENV, stderr=subprocess.PIPE, text=True, preexec_fn=_as_from_a_terminal,
                            **popen)
    seen: list[str] = []
    assert proc.stderr is not None
    end = time.monotonic() + 300
    while time.monotonic() < end:
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        if "aligned" in line and "pairs (" in line:
            break
    workers = children(proc.pid)
    assert len(workers) == 2, (seen[-3:], workers)
    return proc, seen, workers


def finish(proc: subprocess.Popen) -> tuple[int, str]:
    """The exit code and the rest of standard error, within WAIT seconds."""
    assert proc.stderr is not None
    rest: list[str] = []
    reader = threading.Thread(target=lambda: rest.append(proc.stderr.read()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    try:
        code = proc.wait(timeout=WAIT)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    reader.join(WAIT)
    return code, "".join(rest)


def test_workers_die_with_a_killed_scan(tmp_path):
    """kill -9 of the scan alone (not its process group): its workers end
    too, and a pipe from the scan (``scan … | cat``) reaches its end."""
    proc, _, workers = start_scan(tmp_path, stdout=subprocess.PIPE)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=WAIT)
    eof = threading.Event()

    def drain():
        proc.stdout.read()  # type: ignore[union-attr]
        eof.set()

    threading.Thread(target=drain, daemon=True).start()
    try:
        assert wait_gone(workers) == [], "workers outlived the killed scan"
        assert eof.wait(WAIT), "the scan's output pipe is still held open"
    finally:
        for p in workers:
            if alive(p):
                os.kill(p, signal.SIGKILL)


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_interrupted_scan_reaps_its_workers(tmp_path, how):
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it)
    or SIGTERM (to the scan alone, as ``kill`` sends it): the scan ends
    within the wait with one error line and exit code 130 or 143, no
    traceback from it or its workers, every worker reaped; the store is
    consistent and a second run completes it."""
    proc, _, workers = start_scan(tmp_path, start_new_session=True)
    try:
        if how == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, signal.SIGTERM)
        code, err = finish(proc)
        assert wait_gone(workers, 5) == []
    finally:
        for p in workers:
            if alive(p):
                os.kill(p, signal.SIGKILL)
    assert code == (130 if how == "ctrl-c" else 143), err
    assert "Traceback" not in err, err
    errors = [line for line in err.splitlines() if line.startswith("newstrace: error:")]
    assert len(errors) == 1 and "run the same command again" in errors[0], err
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    docs, posted = con.execute("SELECT count(*), count(*) FILTER (WHERE doc_key IN (SELECT doc_key FROM postings)) "
                               "FROM documents").fetchone()
    con.close()
    assert docs == posted == 1500
    again = subprocess.run([sys.executable, "-m", "newstrace", "scan", str(tmp_path / "c.jsonl"), "--db",
                            str(tmp_path / "s.duckdb"), "--preset", "passim", "--workers", "2", "--progress", "never"],
                           cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "1,500 already stored" in again.stdout


def test_sigterm_to_serve_removes_its_snapshot(tmp_path):
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    from click.testing import CliRunner

    from newstrace.cli import main

    seeds = ROOT / "examples" / "seeds"
    db = tmp_path / "s.duckdb"
    assert CliRunner().invoke(main, ["scan", str(seeds), "--db", str(db), "--progress", "never"]).exit_code == 0
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "newstrace", "serve", "--db", str(db), "--port", str(port)],
                            cwd=ROOT, env={**ENV, "TMPDIR": str(tmp)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        end = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/overview", timeout=2)
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < end, "serve did not start"
                time.sleep(0.2)
        assert list(tmp.iterdir()), "serve's snapshot is expected in TMPDIR"
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=WAIT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert list(tmp.iterdir()) == []
    assert "Traceback" not in proc.stderr.read()  # type: ignore[union-attr]


def test_the_watchdog_alone_ends_a_worker_whose_scan_died():
    """Where PR_SET_PDEATHSIG is not to be had (not Linux), the worker's
    watchdog thread ends it within seconds of its parent's end."""
    code = ("import os, sys, time\n"
            "from newstrace.engines.local import worker_start\n"
            "pid = os.fork()\n"
            "if pid == 0:\n"
            "    sys.platform = 'darwin'  # as elsewhere: the watchdog alone, no prctl\n"
            "    worker_start(os.getppid())\n"
            "    time.sleep(120)\n"
            "    os._exit(0)\n"
            "print(pid, flush=True)\n"
            "time.sleep(120)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=ENV, stdout=subprocess.PIPE, text=True)
    worker = int(proc.stdout.readline())  # type: ignore[union-attr]
    try:
        time.sleep(1.5)
        assert alive(worker)  # the watchdog leaves a worker of a live parent alone
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=WAIT)
        assert wait_gone([worker], 10) == []
    finally:
        for p in (worker, proc.pid):
            if alive(p):
                os.kill(p, signal.SIGKILL)


def test_sigterm_while_an_output_is_written_leaves_the_old_file(tmp_path):
    """SIGTERM, a real one, while a staged output is half written: the
    temporary file is removed and the old file stays as it was."""
    out = tmp_path / "out.html"
    out.write_text("the report before")
    code = ("import os, signal, sys, time\n"
            "from pathlib import Path\n"
            "from newstrace.failures import Terminated, sigterm_raises\n"
            "from newstrace.outputs import Staged\n"
            "out = Path(sys.argv[1])\n"
            "try:\n"
            "    with sigterm_raises(), Staged(out.parent) as staged:\n"
            "        staged.path(out).write_text('half of a new report')\n"
            "        os.kill(os.getpid(), signal.SIGTERM)\n"
            "        time.sleep(30)\n"
            "except Terminated:\n"
            "    sys.exit(143)\n")
    r = subprocess.run([sys.executable, "-c", code, str(out)], cwd=ROOT, env=ENV, capture_output=True, text=True,
                       timeout=WAIT)
    assert r.returncode == 143, r.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["out.html"]
    assert out.read_text() == "the report before"


def test_workers_forked_beside_unreachable_duckdb_connections_do_not_crash(tmp_path):
    """A process that calls ``scan`` may hold DuckDB connections it no longer
    reaches (a library user's, a test run's, in reference cycles). A forked
    worker that collected them ran DuckDB's finaliser in a copy of a process
    with DuckDB's threads, and crashed (CI: "a worker process of the scan was
    killed"); the workers are now forked with those objects frozen. Before the
    fix two scans in three here failed."""
    import gc

    from click.testing import CliRunner

    from newstrace.cli import main

    seeds = ROOT / "examples" / "seeds"
    for i in range(6):
        for j in range(4):
            con = duckdb.connect(str(tmp_path / f"leak{i}-{j}.duckdb"))
            con.execute("CREATE TABLE t AS SELECT range AS x FROM range(50000)")
            con.execute("SELECT sum(x) FROM t").fetchall()
            cycle = {"con": con}
            cycle["self"] = cycle
            del con, cycle  # unreachable, left for the collector
        r = CliRunner().invoke(main, ["scan", str(seeds), "--db", str(tmp_path / f"s{i}.duckdb"),
                                      "--progress", "never", "--workers", "2"])
        assert r.exit_code == 0, r.output
    gc.collect()


def test_page_pool_closed_while_its_workers_start_raises_nothing(tmp_path):
    """serve stopping (SIGTERM) while the pool's warm thread is still starting
    a worker: both stop that worker; its pipe is closed once, no thread raises
    (CI saw "OSError: [Errno 9] Bad file descriptor" from the second close)."""
    from newstrace.web.pages import PagePool

    errors: list[BaseException] = []
    hook = threading.excepthook
    threading.excepthook = lambda args: errors.append(args.exc_value)  # type: ignore[assignment]
    try:
        for _ in range(3):
            pool = PagePool({"db": str(tmp_path / "missing.duckdb"), "index_dir": str(tmp_path), "name": "x",
                             "taken": None, "nav": []}, slots=2, time_limit=5, memory=None)
            pool.warm()
            time.sleep(0.3)  # the first worker spawned, its start still awaited
            pool.close()
            pool.close()
            for t in [t for t in threading.enumerate() if t.name == "newstrace-page-warm"]:
                t.join(timeout=60)
    finally:
        threading.excepthook = hook
    assert errors == []
