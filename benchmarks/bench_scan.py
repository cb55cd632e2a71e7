"""Scan speed, memory and quality on a generated collection (corpus mode).

Generates N documents of about 600 words from BBC word statistics, with about
10 % of them carrying passages planted from another document at mixed
obfuscation levels (newstrace.evaluation.corpus), writes them as JSONL, and
times `newstrace scan` on it as a whole process (start-up included), median
of --runs. Prints wall time, peak memory of the largest process, and the
scan's quality against the planted truth. Optionally times an incremental
scan of --incremental new documents into the finished store.

    python benchmarks/bench_scan.py --docs 20000
    python benchmarks/bench_scan.py --docs 200000 --runs 1 --incremental 1000
    python benchmarks/bench_scan.py --docs 20000 --baseline ../main   # against another tree, interleaved

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb  # noqa: E402

from newstrace.evaluation.corpus import make_corpus, score_scan  # noqa: E402
from newstrace.evaluation.synth import load_bbc_articles, unpack_corpus  # noqa: E402


CPU: list[float] = []  # CPU seconds (user + system) of each run_scan's process tree
_TICK = os.sysconf("SC_CLK_TCK")


def _tree_cpu(pid: int, seen: dict[int, float]) -> None:
    """Record in ``seen`` the CPU seconds so far of ``pid`` and every process under it."""
    from bench_scan_memory import children  # the /proc walk bench_scan_memory samples memory with

    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            seen[p] = (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
        todo.extend(children(p))


def run_scan(path: Path, db: Path, memory_limit: str | None = None, tree: Path | None = None) -> float:
    """Wall time of ``newstrace scan`` as a child process; ``tree`` runs the
    package of another source tree (PYTHONPATH) instead of this one. The CPU
    seconds of its process tree (sampled from /proc every 0.1 s, worker
    processes included) are appended to :data:`CPU`: on a loaded machine they
    vary less than the wall time."""
    t = time.perf_counter()
    extra = ["--memory-limit", memory_limit] if memory_limit else []
    env = {**os.environ, "PYTHONPATH": str(tree or ROOT)}
    # run in the tree: `python -m` puts the working directory first on the path, before PYTHONPATH
    proc = subprocess.Popen([sys.executable, "-m", "newstrace", "scan", str(path.resolve()), "--db", str(db.resolve()),
                             "--progress", "never", *extra], stdout=subprocess.DEVNULL, env=env, cwd=tree or ROOT)
    seen: dict[int, float] = {}
    while proc.poll() is None:
        _tree_cpu(proc.pid, seen)
        time.sleep(0.1)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, proc.args)
    CPU.append(sum(seen.values()))
    return time.perf_counter() - t


def collection_arguments(ap: argparse.ArgumentParser) -> None:
    """The options that say which collection is generated and how often it is scanned."""
    ap.add_argument("--docs", type=int, default=20000)
    ap.add_argument("--reuse", type=float, default=0.1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    collection_arguments(ap)
    ap.add_argument("--incremental", type=int, default=0, metavar="N")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--memory-limit", default=None, help="passed to newstrace scan (default: its own)")
    ap.add_argument("--baseline", type=Path, default=None, metavar="TREE",
                    help="also scan with the newstrace of another source tree, interleaved with this one's runs")
    args = ap.parse_args()

    real = load_bbc_articles(unpack_corpus(args.corpora / "bbc-news" / "bbc-news.tar.xz"))
    t = time.perf_counter()
    corpus = make_corpus(real, args.docs, reuse_share=args.reuse, seed=args.seed)
    gen = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / "corpus.jsonl"
        corpus.write_jsonl(src)
        mb = src.stat().st_size / 1e6
        words = sum(len(x.split()) for x in corpus.texts)
        print(f"generated {args.docs:,} documents, {words:,} words, {mb:.0f} MB JSONL, "
              f"{len(corpus.cases):,} planted cases in {gen:.1f} s")
        times = []
        base_times = []
        cpu: list[float] = []
        base_cpu: list[float] = []
        for k in range(args.runs):
            db = tmp / f"s{k}.duckdb"
            times.append(run_scan(src, db, args.memory_limit))
            cpu.append(CPU[-1])
            if args.baseline:  # interleaved: a load spike on a shared machine hits both alike
                base_times.append(run_scan(src, tmp / f"b{k}.duckdb", args.memory_limit, args.baseline))
                base_cpu.append(CPU[-1])
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        con = duckdb.connect(str(tmp / "s0.duckdb"), read_only=True)
        rows = con.execute("SELECT a_id, a_start, a_end, b_id, b_start, b_end FROM passages").fetchall()
        pairs = con.execute("SELECT count(*) FROM aligned_pairs").fetchone()[0]
        size = (tmp / "s0.duckdb").stat().st_size / 1e6
        con.close()
        q = score_scan(corpus, rows)
        fig = {"docs": args.docs, "words": words, "scan_seconds_median": statistics.median(times),
               "scan_seconds": times, "peak_rss_mb_largest_process": peak, "candidate_pairs": pairs,
               "store_mb": size, **q}
        print(f"scan: median {statistics.median(times):.1f} s over {args.runs} run(s) {[f'{x:.1f}' for x in times]}; "
              f"peak RSS of the largest process {peak:,.0f} MB; store {size:,.0f} MB; {pairs:,} candidate pairs; "
              f"CPU median {statistics.median(cpu):.1f} s {[f'{x:.1f}' for x in cpu]}")
        print("quality: " + ", ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in q.items()))
        if args.baseline:
            con = duckdb.connect(str(tmp / "b0.duckdb"), read_only=True)
            base_rows = con.execute("SELECT a_id, a_start, a_end, b_id, b_start, b_end FROM passages").fetchall()
            con.close()
            bq = score_scan(corpus, base_rows)
            ratios = [b / t for t, b in zip(times, base_times)]
            fig.update(baseline=str(args.baseline), baseline_seconds=base_times, baseline_plagdet=bq["plagdet"])
            print(f"baseline {args.baseline}: median {statistics.median(base_times):.1f} s "
                  f"{[f'{x:.1f}' for x in base_times]}, CPU median {statistics.median(base_cpu):.1f} s "
                  f"{[f'{x:.1f}' for x in base_cpu]}; this tree is {statistics.median(ratios):.2f}x as fast "
                  f"(median of the interleaved pairs' wall times), "
                  f"{statistics.median(base_cpu) / statistics.median(cpu):.2f}x in CPU; "
                  f"baseline plagdet {bq['plagdet']:.4f}, "
                  f"same passages: {sorted(base_rows) == sorted(rows)}")
        if args.incremental:
            extra = make_corpus(real, args.incremental, reuse_share=0.0, seed=args.seed + 1)
            extra_path = tmp / "extra.jsonl"
            extra.ids[:] = [f"new{k:07d}" for k in range(len(extra.ids))]
            extra.write_jsonl(extra_path)
            dt = run_scan(extra_path, tmp / "s0.duckdb", args.memory_limit)
            fig["incremental_docs"] = args.incremental
            fig["incremental_seconds"] = dt
            print(f"incremental: {args.incremental:,} new documents into the {args.docs:,}-document store in {dt:.1f} s")
        if args.json:
            args.json.write_text(json.dumps(fig, indent=2) + "\n")


if __name__ == "__main__":
    main()
