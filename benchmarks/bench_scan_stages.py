"""Each stage of `newstrace scan` on a collection file, this tree against another, interleaved.

Runs `newstrace scan FILE --progress always` as a child process, --runs
times for this tree and (with --baseline TREE) as often for another source
tree, alternately, each into a fresh store under --workdir. Prints per run
the wall time, the CPU seconds of the scan's process tree (less swayed by
other users of a shared machine than the wall time), the seconds of each
stage (from the times the progress lines arrive: ingest, candidates,
alignment, clusters, the stored analysis), the peak of the summed RSS of
the scan's whole process tree (its workers included; forked workers share
pages, so the sum overstates what the tree holds), the stories of the store
and the load average before the run; then the medians, the ratio of this
tree's median wall time to the baseline's, and the pairwise ratios of wall
and CPU seconds.

    python benchmarks/bench_scan_stages.py /tmp/c50k.jsonl --baseline /tmp/base --runs 2

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb  # noqa: E402
from bench_scan_memory import children, rss  # noqa: E402

# (stage, the first progress line of the stage after it); a stage ends where the next begins
STAGES = [("ingest", "finding candidate pairs"), ("candidates", "aligned "), ("alignment", "building reprint clusters"),
          ("clusters", "analysing "), ("analysis", None)]


def tree_rss(pid: int) -> int:
    """The summed RSS of ``pid`` and every process under it."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss(p)
        todo.extend(children(p))
    return total


def run(tree: Path, path: Path, db: Path) -> dict:
    """One scan: wall seconds, stage seconds, peak tree RSS (bytes), stories, load average before."""
    for f in (db, Path(f"{db}.wal")):
        f.unlink(missing_ok=True)
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    # run in the tree: `python -m` puts the working directory first on the path, before PYTHONPATH
    proc = subprocess.Popen([sys.executable, "-m", "newstrace", "scan", str(path), "--db", str(db), "--progress",
                             "always"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(tree)}, cwd=tree)
    marks: dict[str, float] = {}

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            for _, start in STAGES:
                if start and start not in marks and line.startswith(start):
                    marks[start] = time.perf_counter() - t0
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.2)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the scan and its workers, all reaped
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    reader.join()
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, proc.args)
    stages, at = {}, 0.0
    for name, start_next in STAGES:
        end = marks.get(start_next, wall) if start_next else wall
        stages[name] = max(0.0, end - at)
        at = end
    con = duckdb.connect(str(db), read_only=True)
    stories = con.execute("SELECT count(DISTINCT story_id) FROM stories").fetchone()[0]
    con.close()
    return {"wall": wall, "cpu": cpu, "stages": stages, "peak": peak, "stories": stories, "load": load}


def show(label: str, r: dict) -> None:
    st = ", ".join(f"{k} {v:.1f}" for k, v in r["stages"].items())
    print(f"  {label}: {r['wall']:.1f} s, {r['cpu']:.1f} CPU-s ({st}); peak tree RSS {r['peak'] / 2**30:.2f} GB; "
          f"{r['stories']:,} stories; load {r['load']:.1f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("collection", type=Path, help="a collection file newstrace scan reads (JSONL, ...)")
    ap.add_argument("--baseline", type=Path, default=None, metavar="TREE", help="another source tree to compare")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp"), help="where the stores are written")
    ap.add_argument("--prefix", default="bench-stages", help="the stores' file names begin with this")
    args = ap.parse_args()
    args.collection, args.workdir = args.collection.resolve(), args.workdir.resolve()
    for tree in (ROOT, args.baseline) if args.baseline else (ROOT,):
        where = subprocess.run([sys.executable, "-c", "import newstrace; print(newstrace.__file__)"], cwd=tree,
                               env={**os.environ, "PYTHONPATH": str(tree)}, capture_output=True, text=True).stdout
        print(f"tree {tree}: runs {where.strip()}")
    mine: list[dict] = []
    base: list[dict] = []
    for k in range(args.runs):
        mine.append(run(ROOT, args.collection, args.workdir / f"{args.prefix}-this-{k}.duckdb"))
        show(f"this tree, run {k + 1}", mine[-1])
        if args.baseline:  # interleaved: a load spike on a shared machine hits both alike
            base.append(run(args.baseline, args.collection, args.workdir / f"{args.prefix}-base-{k}.duckdb"))
            show(f"baseline, run {k + 1}", base[-1])
    for label, rs in (("this tree", mine), ("baseline", base)):
        if rs:
            med = {s: statistics.median(r["stages"][s] for r in rs) for s, _ in STAGES}
            print(f"{label}: median wall {statistics.median(r['wall'] for r in rs):.1f} s, stages "
                  + ", ".join(f"{k} {v:.1f}" for k, v in med.items())
                  + f"; analysis {100 * med['analysis'] / statistics.median(r['wall'] for r in rs):.0f} % of the wall "
                  f"time; peak tree RSS {max(r['peak'] for r in rs) / 2**30:.2f} GB")
    if base:
        ratios = [m["wall"] / b["wall"] for m, b in zip(mine, base)]
        cpu = [m["cpu"] / b["cpu"] for m, b in zip(mine, base)]
        print(f"ratio this/baseline: median walls {statistics.median(r['wall'] for r in mine) / statistics.median(r['wall'] for r in base):.2f}; "
              f"pairwise {', '.join(f'{x:.2f}' for x in ratios)}; CPU seconds of the process tree, pairwise "
              f"{', '.join(f'{x:.2f}' for x in cpu)}")


if __name__ == "__main__":
    main()
