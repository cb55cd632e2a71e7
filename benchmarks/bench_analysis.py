"""The scan's analysis stage alone, on a copy of a scanned store.

Copies STORE (a store `newstrace scan` made), drops its stored analysis and
times `analysis.analyse_stories` on the copy, as the scan's last stage runs
it (a process pool of --workers forked workers, or in this process for 1),
median of --runs. Prints the stories analysed, the stage's wall and CPU
seconds (the CPU of this process and its workers: on a loaded machine it
varies less than the wall time), milliseconds per story and stories by size.
With --profile, prints the functions with most own time (cProfile, one run
in this process).

    python benchmarks/bench_analysis.py /tmp/store.duckdb
    python benchmarks/bench_analysis.py /tmp/store.duckdb --workers 1 --profile

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import multiprocessing
import os
import pstats
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newstrace.analysis import analyse_stories  # noqa: E402
from newstrace.store import ANALYSIS_TABLES, open_store  # noqa: E402


def pool_map(ex: ProcessPoolExecutor, workers: int) -> Callable[[Callable, Iterable], Iterator]:
    """The scan pool's ``map``: ``(context, args)`` in, ``(context, result)`` out, in order."""
    def run(fn: Callable, jobs: Iterable) -> Iterator:
        pending: collections.deque = collections.deque()
        for ctx, args in jobs:
            pending.append((ctx, ex.submit(fn, *args)))
            if len(pending) >= 2 * workers:
                c, f = pending.popleft()
                yield c, f.result()
        while pending:
            c, f = pending.popleft()
            yield c, f.result()
    return run


def cpu_seconds() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run_stage(src: Path, workdir: Path, workers: int, profile: bool) -> tuple[int, float, float, dict[int, int]]:
    """(stories analysed, wall seconds, CPU seconds, stories by size) of one run on a fresh copy of ``src``."""
    db = workdir / "copy.duckdb"
    shutil.copy(src, db)
    store = open_store(db)
    for t in ANALYSIS_TABLES:
        store.con.execute(f"DELETE FROM {t}")
    sizes = collections.Counter(n for (n,) in store.con.execute(
        "SELECT count(*) FROM stories GROUP BY story_id").fetchall())
    store.con.execute("CHECKPOINT")
    c0, t0 = cpu_seconds(), time.perf_counter()
    if profile:
        prof = cProfile.Profile(time.process_time)
        analysed = prof.runcall(analyse_stories, store)[0]
    elif workers > 1:
        # forked before the store is used again, as the scan's pool is
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as ex:
            analysed = analyse_stories(store, workers=pool_map(ex, workers))[0]
    else:
        analysed = analyse_stories(store)[0]
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    store.close()
    if profile:
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
    db.unlink()
    return analysed, wall, cpu, dict(sizes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store", type=Path, help="a store that newstrace scan made (it is copied, not changed)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--profile", action="store_true", help="one run in this process under cProfile")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-analysis-", dir=args.store.parent) as tmp:
        runs = [run_stage(args.store, Path(tmp), args.workers, args.profile) for _ in range(1 if args.profile
                                                                                         else args.runs)]
    n, _, _, sizes = runs[0]
    wall = statistics.median(r[1] for r in runs)
    cpu = statistics.median(r[2] for r in runs)
    print(f"store {args.store}: {n:,} stories analysed, {'profiled' if args.profile else f'{args.workers} workers'}")
    print("  stories by documents: " + ", ".join(f"{k}: {v:,}" for k, v in sorted(sizes.items())[:8])
          + (f", ... up to {max(sizes)}" if len(sizes) > 8 else ""))
    print(f"  wall {wall:.1f} s (runs: {', '.join(f'{r[1]:.1f}' for r in runs)}), CPU {cpu:.1f} s, "
          f"{1000 * wall / max(n, 1):.2f} ms wall and {1000 * cpu / max(n, 1):.2f} ms CPU a story")
    print(f"  load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
