"""Both engines side by side: time and peak memory of `newstrace scan` with
the embedded engine and with `--engine spark` (local mode) on a generated
collection (newstrace.evaluation.corpus, as bench_scan.py), and the sizes of
the Spark engine's candidate stage (postings, the document-frequency cap,
shingle pairs of the self-join, candidate pairs) from its manifest.

Memory is the peak of the summed resident set of the whole process tree
(for Spark: the Python driver, the JVM and its Python workers), sampled
every 0.2 s from /proc. Each engine runs as a whole process, start-up
included; the median of --runs is reported.

    python benchmarks/bench_spark.py --docs 20000
    python benchmarks/bench_spark.py --docs 200000 --runs 1 --master 'local[2]' --driver-memory 6g
    python benchmarks/bench_spark.py --jsonl /path/corpus.jsonl   # an existing collection
    python benchmarks/bench_spark.py --engines embedded,spark,spark-verbatim   # and Spark with --no-rewritten

An engine named ``NAME-verbatim`` is that engine with ``--no-rewritten``
(verbatim passages only); ``embedded`` and ``spark`` run the rewritten stage,
the default.

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                parts = fh.read().rsplit(")", 1)[1].split()
            children.setdefault(int(parts[1]), []).append(int(d))
            rss[int(d)] = int(parts[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def timed(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak tree RSS (bytes) of running ``cmd``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.2)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, err = proc.communicate()
    th.join()
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err.decode()[-3000:]}")
    return time.perf_counter() - t, peak[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=20000)
    ap.add_argument("--jsonl", type=Path, default=None, help="scan this collection instead of generating one")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--driver-memory", default="4g")
    ap.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--engines", default="embedded,spark", help="comma-separated: embedded, spark, "
                    "embedded-verbatim, spark-verbatim (--no-rewritten)")
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = args.jsonl
        if src is None:
            from newstrace.evaluation.corpus import make_corpus
            from newstrace.evaluation.synth import load_bbc_articles, unpack_corpus

            real = load_bbc_articles(unpack_corpus(args.corpora / "bbc-news" / "bbc-news.tar.xz"))
            src = tmp / "corpus.jsonl"
            make_corpus(real, args.docs, reuse_share=0.1, seed=args.seed).write_jsonl(src)
        docs = sum(1 for _ in src.open("rb"))
        print(f"collection {src} : {docs:,} documents, {src.stat().st_size / 1e6:,.0f} MB")
        fig: dict = {"docs": docs, "mb": src.stat().st_size / 1e6}
        base = [sys.executable, "-m", "newstrace", "scan", str(src), "--progress", "never"]
        for engine in args.engines.split(","):
            times, peaks = [], []
            kind, _, verbatim = engine.partition("-")
            if kind not in ("embedded", "spark") or verbatim not in ("", "verbatim"):
                raise SystemExit(f"--engines: unknown engine {engine!r}")
            flags = ["--no-rewritten"] if verbatim else []
            for k in range(args.runs):
                if kind == "embedded":
                    cmd = [*base, *flags, "--db", str(tmp / f"{engine}{k}.duckdb")]
                else:
                    cmd = [*base, *flags, "--engine", "spark", "--master", args.master,
                           "--output", str(tmp / f"{engine}{k}"), "--conf", f"spark.driver.memory={args.driver_memory}",
                           *[x for c in args.conf for x in ("--conf", c)]]
                dt, peak = timed(cmd)
                times.append(dt)
                peaks.append(peak)
            fig[engine] = {"seconds_median": statistics.median(times), "seconds": times,
                           "peak_tree_rss_mb": max(peaks) / 1e6}
            line = f"{engine:>16}: median {statistics.median(times):,.1f} s {[f'{x:.1f}' for x in times]}, " \
                   f"peak RSS (process tree) {max(peaks) / 1e6:,.0f} MB"
            if kind == "spark":
                m = json.loads((tmp / f"{engine}0" / "manifest.json").read_text())
                fig[engine]["manifest"] = m
                c = m["counts"]
                line += (f"\n          stages {m['stage_seconds']}\n          postings {c['postings']:,} "
                         f"({c['shingles']:,} distinct shingles; {c['shingles_over_cap']:,} over the df cap holding "
                         f"{c['postings_over_cap']:,} postings; largest df {c['largest_df']:,}), kept {c['postings_kept']:,}; "
                         f"self-join rows {c['shingle_pairs']:,}; candidate pairs {c['candidate_pairs']:,}; "
                         f"passages {c['passages_found']:,}")
                if "rewritten_pairs" in c:
                    line += f"; rewritten stage: terms {c['terms']:,}, pairs {c['rewritten_pairs']:,}"
            print(line, flush=True)
        if args.json:
            args.json.write_text(json.dumps(fig, indent=2) + "\n")


if __name__ == "__main__":
    main()
