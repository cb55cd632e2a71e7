"""How fast the pages and the store commands answer on a scanned store.

    python benchmarks/bench_pages.py --db /tmp/stored-2018.duckdb --repeat 20

Times, over ``--repeat`` requests each (FastAPI's TestClient, in this
process, after one warm-up request): the overview, a document page (a
document of the largest story that has sources), the largest story's page,
a pair page (that document and its first source) and a search page (a word
of that document's title); then the whole-process time of ``newstrace
provenance --db STORE DOC``, ``anatomy --db STORE DOC`` and ``quotes --db
STORE DOC`` (each run ``--runs`` times, as a user runs it: a new Python
process each). Prints the median and the 95th percentile of each, and the
CPU time of the commands beside their wall-clock time (a loaded machine
makes the two differ; the pages' CPU time is the process's, all threads).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(0.95 * len(xs)) - 1))]


def pick(db: str) -> tuple[int, str, str | None, str]:
    """The largest story, a document of it with a stored source, that source, and a search word."""
    from newstrace.store import open_store

    with open_store(db, read_only=True) as s:
        sid = s.largest_stories(1)[0][0]
        row = s.con.execute(
            "SELECT a.doc_id, a.sources FROM analysis_documents a JOIN analysis_stories t USING (story_key) "
            "WHERE t.story_id = ? AND a.sources <> '[]' ORDER BY a.doc_id LIMIT 1", [sid]).fetchone()
        if row is None:
            raise SystemExit(f"{db}: the largest story has no stored analysis; scan the store with this tree first")
        import json

        doc, sources = row[0], json.loads(row[1])
        title = s.labels([doc])[doc]
    word = max(title.split(), key=len).strip(".,:;\"'“”‘’")
    return sid, doc, sources[0] if sources else None, word


def time_pages(db: str, repeat: int, sid: int, doc: str, source: str | None, word: str) -> None:
    from fastapi.testclient import TestClient

    from newstrace.web.app import create_app

    client = TestClient(create_app(db))
    pages = {"overview": "/", "document": "/doc?" + urlencode({"id": doc}), "story (largest)": f"/story/{sid}",
             "pair": "/pair?" + urlencode({"a": source, "b": doc}) if source else None,
             "search": "/search?" + urlencode({"q": word})}
    print(f"pages ({repeat} requests each, after one warm-up; document {doc}, story {sid}, search {word!r})")
    for name, url in pages.items():
        if url is None:
            continue
        r = client.get(url)
        if r.status_code != 200:
            print(f"  {name:<16} {url}: HTTP {r.status_code}")
            continue
        times, cpu = [], []
        for _ in range(repeat):
            t, c = time.perf_counter(), time.process_time()
            client.get(url)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        print(f"  {name:<16} median {statistics.median(times):6.3f} s   p95 {p95(times):6.3f} s   "
              f"(CPU median {statistics.median(cpu):.3f} s, p95 {p95(cpu):.3f} s; {len(r.content):,} bytes)")


def time_commands(db: str, runs: int, doc: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    print(f"commands (whole process, {runs} runs each, document {doc})")
    for cmd in ("provenance", "anatomy", "quotes"):
        wall, cpu = [], []
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            r = subprocess.run([sys.executable, "-m", "newstrace", cmd, "--db", db, doc], env=env,
                               capture_output=True, text=True)
            wall.append(time.perf_counter() - t)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            if r.returncode != 0:
                print(f"  {cmd}: exit {r.returncode}: {r.stderr.strip()[:200]}")
                break
        print(f"  {cmd:<11} median {statistics.median(wall):6.3f} s   p95 {p95(wall):6.3f} s   "
              f"(CPU median {statistics.median(cpu):.3f} s; {len(r.stdout.splitlines()):,} lines)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True, help="a store scanned with this tree (schema 5)")
    ap.add_argument("--repeat", type=int, default=20, help="requests per page")
    ap.add_argument("--runs", type=int, default=5, help="runs per command")
    ap.add_argument("--doc", default=None, help="the document to time (default: one of the largest story)")
    args = ap.parse_args()
    sid, doc, source, word = pick(args.db)
    doc = args.doc or doc
    time_pages(args.db, args.repeat, sid, doc, source, word)
    time_commands(args.db, args.runs, doc)


if __name__ == "__main__":
    main()
