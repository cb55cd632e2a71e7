"""The kill campaign: scans interrupted at random points, then run again.

Generates a made-up JSONL collection (tests/fixtures/collections.py), scans
it once cleanly and exports the store (JSONL). Then each trial scans it
into a new store and interrupts the scan 1 to --max-interrupts times, each
at a random moment within the clean scan's duration, by one of:

- SIGKILL to the scan alone (``kill -9 PID``);
- SIGINT to its process group (Ctrl-C in a terminal);
- SIGTERM to the scan alone (``kill PID``);

then runs it again to the end and exports it. The scan's standard output
is a pipe, as in ``newstrace scan … | cat``. Prints per trial and in total:
interrupts sent (and scans that finished before theirs), identical
finishes (every export file byte for byte as the clean scan's), orphans
(workers alive 5 s after their scan ended), pipes still open 5 s after the
scan ended, scans that did not end within 60 s of the signal, tracebacks,
and exit codes.

    python benchmarks/bench_kill_campaign.py --trials 6 --docs 1500

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures.collections import made_up_collection  # noqa: E402

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
SIGNALS = {"SIGKILL": signal.SIGKILL, "SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM}


def scan_cmd(corpus: Path, db: Path, workers: int) -> list[str]:
    return [sys.executable, "-m", "newstrace", "scan", str(corpus), "--db", str(db), "--preset", "passim",
            "--workers", str(workers), "--progress", "never"]


def export(db: Path, out: Path) -> dict[str, bytes]:
    subprocess.run([sys.executable, "-m", "newstrace", "export", "--db", str(db), "--format", "jsonl", "--output",
                    str(out)], env=ENV, check=True, capture_output=True)
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] not in "ZX" and int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX"
    except OSError:
        return False


def interrupt(cmd: list[str], how: str, delay: float) -> dict:
    """Run ``cmd``, send ``how`` after ``delay`` seconds; what happened."""
    proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    err: list[bytes] = []
    eof = threading.Event()

    def drain_err() -> None:
        err.append(proc.stderr.read())  # type: ignore[union-attr]

    def drain_out() -> None:
        proc.stdout.read()  # type: ignore[union-attr]
        eof.set()

    threads = [threading.Thread(target=drain_err, daemon=True), threading.Thread(target=drain_out, daemon=True)]
    for t in threads:
        t.start()
    workers: set[int] = set()
    end = time.monotonic() + delay
    while time.monotonic() < end and proc.poll() is None:
        workers.update(children(proc.pid))
        time.sleep(0.05)
    if proc.poll() is not None:
        proc.wait()
        return {"sent": False, "code": proc.returncode}
    workers.update(children(proc.pid))
    if how == "SIGINT":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        os.kill(proc.pid, SIGNALS[how])
    t0 = time.monotonic()
    try:
        proc.wait(timeout=60)
        hung = False
    except subprocess.TimeoutExpired:
        hung = True
        proc.kill()
        proc.wait()
    ended = time.monotonic() - t0
    time.sleep(0.2)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(alive(p) for p in workers):
        time.sleep(0.1)
    orphans = [p for p in workers if alive(p)]
    pipe_open = not eof.wait(max(0.0, deadline - time.monotonic()) + 0.1)
    for p in orphans:
        os.kill(p, signal.SIGKILL)  # the benchmark's own children's children
    for t in threads:
        t.join(5)
    text = b"".join(err).decode(errors="replace")
    return {"sent": True, "code": proc.returncode, "hung": hung, "orphans": len(orphans), "workers": len(workers),
            "pipe_open": pipe_open, "traceback": "Traceback" in text, "seconds_to_end": ended,
            "errors": [x for x in text.splitlines() if x.startswith("newstrace: error:")]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=1500)
    ap.add_argument("--trials", type=int, default=6)
    ap.add_argument("--max-interrupts", type=int, default=3, help="interrupts per trial before its last run")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    totals: collections.Counter = collections.Counter()
    codes: collections.Counter = collections.Counter()
    with tempfile.TemporaryDirectory(prefix="newstrace-kill-") as tmp:
        tmp = Path(tmp)
        corpus = tmp / "c.jsonl"
        made_up_collection(corpus, args.docs)
        t = time.perf_counter()
        subprocess.run(scan_cmd(corpus, tmp / "clean.duckdb", args.workers), env=ENV, check=True, capture_output=True)
        clean_seconds = time.perf_counter() - t
        clean = export(tmp / "clean.duckdb", tmp / "clean-export")
        print(f"collection: {args.docs:,} documents; clean scan {clean_seconds:.1f} s with {args.workers} workers; "
              f"export {sum(len(v) for v in clean.values()) / 1e6:.1f} MB")
        for trial in range(args.trials):
            db = tmp / f"t{trial}.duckdb"
            steps = []
            for _ in range(rng.randint(1, args.max_interrupts)):
                how = rng.choice(list(SIGNALS))
                delay = rng.uniform(0.3, clean_seconds)
                r = interrupt(scan_cmd(corpus, db, args.workers), how, delay)
                if not r["sent"]:
                    totals["finished before the signal"] += 1
                    steps.append(f"{how}@{delay:.1f}s: finished first (exit {r['code']})")
                    continue
                totals[f"{how} sent"] += 1
                totals["interrupts"] += 1
                totals["orphans"] += r["orphans"]
                totals["pipes left open"] += r["pipe_open"]
                totals["hung (no end within 60 s)"] += r["hung"]
                totals["tracebacks"] += r["traceback"]
                if how != "SIGKILL":
                    totals[f"{how}: one error line"] += len(r["errors"]) == 1
                codes[(how, r["code"])] += 1
                totals["seconds to end, sum"] += r["seconds_to_end"]
                steps.append(f"{how}@{delay:.1f}s: exit {r['code']}, ended in {r['seconds_to_end']:.2f} s, "
                             f"{r['workers']} workers, {r['orphans']} orphans"
                             + (", pipe open" if r["pipe_open"] else "") + (", TRACEBACK" if r["traceback"] else ""))
            rerun = subprocess.run(scan_cmd(corpus, db, args.workers), env=ENV, capture_output=True, text=True)
            same = rerun.returncode == 0 and export(db, tmp / f"t{trial}-export") == clean
            totals["trials"] += 1
            totals["identical finishes"] += same
            print(f"trial {trial + 1}: " + "; ".join(steps) + f"; rerun exit {rerun.returncode}, "
                  f"export {'identical' if same else 'DIFFERENT'}")
            if rerun.returncode:
                print("   " + rerun.stderr.strip().splitlines()[-1])
    print()
    n = totals["interrupts"]
    sent = ", ".join(f"{totals[k + ' sent']} {k}" for k in SIGNALS)
    print(f"interrupts: {n} ({sent}); "
          f"{totals['finished before the signal']} scans finished before their signal")
    print(f"identical finishes: {totals['identical finishes']}/{totals['trials']} trials")
    print(f"orphans: {totals['orphans']}; pipes left open: {totals['pipes left open']}; "
          f"hung: {totals['hung (no end within 60 s)']}; tracebacks: {totals['tracebacks']}")
    print(f"SIGINT with one error line: {totals['SIGINT: one error line']}/{totals['SIGINT sent']}; "
          f"SIGTERM with one error line: {totals['SIGTERM: one error line']}/{totals['SIGTERM sent']}")
    print("exit codes: " + ", ".join(f"{how} {code}: {k}" for (how, code), k in sorted(codes.items())))
    if n:
        print(f"mean time from signal to the scan's end: {totals['seconds to end, sum'] / n:.2f} s")


if __name__ == "__main__":
    main()
