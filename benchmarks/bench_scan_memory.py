"""Memory of a whole `newstrace scan` over time: does it follow the corpus or the limit?

    python benchmarks/bench_scan_memory.py CORPUS.jsonl --db STORE.duckdb --memory-limit 256MB
    python benchmarks/bench_scan_memory.py --docs 300000 --memory-limit 256MB   # generates the corpus

Runs the scan as a child process (start-up included) with ``--progress
always``, samples the resident memory of the scan process and of its worker
processes every second from /proc, and reads the progress lines to know the
stage. Prints, for the main process: the peak during each tenth of the
ingest (so a memory that grows with the documents stored shows as a rising
row), during candidate search, alignment and clusters; the workers' peak;
and the wall time. With --docs N it generates N documents of about 600 words
with 10 % reuse (the corpus of bench_scan.py). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def children(pid: int) -> list[int]:
    out = []
    for task in os.listdir(f"/proc/{pid}/task") if os.path.isdir(f"/proc/{pid}/task") else ():
        try:
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out.extend(int(x) for x in fh.read().split())
        except OSError:
            pass
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path, nargs="?")
    ap.add_argument("--docs", type=int, default=0, help="generate this many documents instead of reading CORPUS")
    ap.add_argument("--db", type=Path, default=None, help="the store (default: a new one in a temporary folder)")
    ap.add_argument("--memory-limit", default="256MB")
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="nt-bench-mem-")
    corpus = args.corpus
    if corpus is None:
        if not args.docs:
            ap.error("give CORPUS or --docs N")
        from newstrace.evaluation.corpus import make_corpus
        from newstrace.evaluation.synth import load_bbc_articles, unpack_corpus

        real = load_bbc_articles(unpack_corpus(args.corpora / "bbc-news" / "bbc-news.tar.xz"))
        corpus = Path(tmp.name) / f"c{args.docs}.jsonl"
        make_corpus(real, args.docs, reuse_share=0.1, seed=0).write_jsonl(corpus)
    total_lines = sum(1 for _ in open(corpus, "rb"))
    db = args.db or Path(tmp.name) / "store.duckdb"

    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "newstrace", "scan", str(corpus), "--db", str(db),
                             "--progress", "always", "--memory-limit", args.memory_limit],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    state = {"stage": "start-up"}

    def read_progress() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            if m := re.search(r"ingested ([\d,]+) documents", line):
                tenth = min(9, 10 * int(m.group(1).replace(",", "")) // max(1, total_lines))
                state["stage"] = f"ingest {10 * tenth:>3}-{10 * tenth + 10:>3} %"
            elif line.startswith("finding candidate pairs"):
                state["stage"] = "candidate pairs"
            elif line.startswith("aligned "):
                state["stage"] = "alignment"
            elif line.startswith("building reprint clusters"):
                state["stage"] = "clusters and stories"

    reader = threading.Thread(target=read_progress, daemon=True)
    reader.start()
    peaks: dict[str, int] = {}
    workers_peak = 0
    while proc.poll() is None:
        stage = state["stage"]
        peaks[stage] = max(peaks.get(stage, 0), rss(proc.pid))
        workers_peak = max([workers_peak] + [rss(c) for c in children(proc.pid)])
        time.sleep(1.0)
    wall = time.perf_counter() - t0
    reader.join(timeout=5)
    out = proc.stdout.read() if proc.stdout else ""
    print(f"{corpus} ({total_lines:,} records), --memory-limit {args.memory_limit}: exit {proc.returncode}, "
          f"{wall:.0f} s")
    for line in out.strip().splitlines():
        print("  " + line)
    print("main process peak RSS by stage (MB):")
    for key, value in peaks.items():
        print(f"  {key:<24} {value / 1e6:8.0f}")
    print(f"  {'whole scan':<24} {max(peaks.values(), default=0) / 1e6:8.0f}")
    print(f"worker processes: peak RSS {workers_peak / 1e6:.0f} MB each at most")


if __name__ == "__main__":
    main()
