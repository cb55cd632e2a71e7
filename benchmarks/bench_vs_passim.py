"""newstrace and passim side by side on the same generated collection.

Generates the collection of ``bench_scan.py`` (N documents of about 600 words
from BBC word statistics, about 10 % carrying planted passages), writes it
once as newstrace's JSONL and once as passim's input (one JSON record a line
with ``id``, ``series`` and ``text``), and runs, interleaved for --runs
rounds (a load spike on a shared machine then hits both alike):

- ``newstrace scan`` (the embedded engine, or ``--engine spark`` with
  ``--newstrace-engine spark``);
- ``passim --fields series --pairwise`` with Spark ``local[2]`` and its
  defaults otherwise.

For each it prints the wall time, the peak resident memory of the whole
process tree (the command and every process under it, sampled from /proc
every 0.2 s), the median ratio of the interleaved pairs, and both systems'
plagdet against the planted truth (PAN's measure, newstrace.evaluation).

It installs nothing at run time. Without a ``passim`` command on PATH (or
given with --passim) it says so, times newstrace alone and prints the
passim figures recorded in issue 18 (same generator, same 2-core machine)
for reference.

Making an offline passim installation. passim is Python over Spark
(``passim/seriatim.py`` of https://github.com/dasmiq/passim; the Scala
``bin/passim`` of old commits is gone), MIT-licensed; it needs pyspark
(newstrace's ``spark`` extra brings it), ``intervaltree`` and the
``graphframes`` Python wrapper, both on PyPI. Its alignments need no
GraphFrames jar; its clustering does, and ``bin/seriatim`` fetches that jar
from Maven at run time (``spark-submit --packages``), which an offline
machine cannot. So, with a snapshot of the source (``setup.py``,
``passim/``, ``share/``):

    python3 -m venv --system-site-packages passim-venv
    passim-venv/bin/pip download -d wheels intervaltree graphframes   # where the index is reachable
    passim-venv/bin/pip install --no-index --no-deps wheels/*.whl ./passim-src
    # the command this script runs: passim's own main, stopped once its
    # pairwise alignments are written (benchmarks/passim_pairwise.py)
    printf '%s\n' '#!/bin/sh' 'export PYSPARK_PYTHON=$PWD/passim-venv/bin/python' \
      "exec spark-submit \$SPARK_SUBMIT_ARGS $PWD/benchmarks/passim_pairwise.py \"\$@\"" > passim
    chmod +x passim

The figures in the README and issue 18's note were measured so, with
``seriatim.py`` as stored at dasmiq/passim 03982de (35,726 characters).
passim's ``meta`` struct is empty when no ``--fields`` are named and
Parquet refuses to write an empty group, so this script gives it
``--fields series`` (the default --passim-args). Stopping before the
clustering favours passim: newstrace's time includes its clusters.

(The name ``passim`` on PyPI is an unrelated 4 kB placeholder: never
``pip install passim`` from the index.) passim's pairwise alignments are
read from ``OUT/align.json`` (JSON lines; document ids ``id``/``id2`` or
``uid``/``uid2``, character offsets ``b1``/``e1``/``b2``/``e2`` or
``begin``/``end``/``begin2``/``end2``); --passim-args passes other options.

    python benchmarks/bench_vs_passim.py --docs 20000 --runs 3

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb  # noqa: E402
from bench_scan import collection_arguments  # noqa: E402
from bench_scan_memory import children, rss  # noqa: E402

from newstrace.evaluation.corpus import make_corpus, score_scan  # noqa: E402
from newstrace.evaluation.synth import load_bbc_articles, unpack_corpus  # noqa: E402

# passim's figures recorded in issue 18 (commit 878ccb3, Spark local[2], its
# defaults, all pairs; the same generator on the same shared 2-core machine)
RECORDED_PASSIM = {
    2000: "118-179 s, 1.46 GB",
    20000: "183-636 s, 1.7-2.6 GB, plagdet 0.912",
}


def tree_rss(pid: int) -> int:
    """Resident memory of a process and every process under it, in bytes."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        total += rss(p)
        todo.extend(children(p))
    return total


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Run ``cmd``; its wall time and the peak memory of its process tree."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(proc.pid))
            done.wait(0.2)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, err = proc.communicate()
    done.set()
    th.join()
    if proc.returncode:
        sys.exit(f"{shlex.join(cmd)} failed ({proc.returncode}):\n{err.decode(errors='replace')[-2000:]}")
    return time.perf_counter() - t, peak


def newstrace_rows(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT a_id, a_start, a_end, b_id, b_start, b_end FROM passages").fetchall()
    finally:
        con.close()


def passim_rows(out: Path) -> list[tuple]:
    """passim's pairwise alignments as (a_id, a_start, a_end, b_id, b_start, b_end)."""
    rows = []
    for part in sorted((out / "align.json").glob("part-*")):
        for line in part.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            a = r.get("id", r.get("uid"))
            b = r.get("id2", r.get("uid2"))
            if "b1" in r:
                rows.append((a, r["b1"], r["e1"], b, r["b2"], r["e2"]))
            else:
                rows.append((a, r["begin"], r["end"], b, r["begin2"], r["end2"]))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    collection_arguments(ap)
    ap.add_argument("--passim", default=shutil.which("passim"), help="the passim command (default: passim on PATH)")
    ap.add_argument("--passim-args", default="--fields series --pairwise",
                    help="options given to passim (default: %(default)s)")
    ap.add_argument("--newstrace-engine", choices=["local", "spark"], default="local")
    args = ap.parse_args()

    real = load_bbc_articles(unpack_corpus(args.corpora / "bbc-news" / "bbc-news.tar.xz"))
    corpus = make_corpus(real, args.docs, reuse_share=args.reuse, seed=args.seed)
    print(f"generated {args.docs:,} documents, {len(corpus.cases):,} planted cases")
    if not args.passim:
        print("passim: no `passim` command on PATH (see this script's docstring for an offline installation); "
              "timing newstrace alone")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / "corpus.jsonl"
        corpus.write_jsonl(src)
        psrc = tmp / "passim-input.json"
        with src.open(encoding="utf-8") as fin, psrc.open("w", encoding="utf-8") as fout:
            for line in fin:
                r = json.loads(line)
                fout.write(json.dumps({"id": r["id"], "series": r["id"], "text": r["text"]}) + "\n")
        env = {**os.environ, "SPARK_SUBMIT_ARGS": "--master local[2]"}
        results: dict[str, list[tuple[float, int]]] = {"newstrace": [], "passim": []}
        quality: dict[str, dict] = {}
        for k in range(args.runs):
            db = tmp / f"n{k}.duckdb"
            cmd = [sys.executable, "-m", "newstrace", "scan", str(src), "--db", str(db), "--progress", "never"]
            if args.newstrace_engine == "spark":  # its Parquet tables, loaded into the store as a user would
                cmd += ["--engine", "spark", "--output", str(tmp / f"spark{k}")]
            results["newstrace"].append(timed(cmd))
            if k == 0:
                quality["newstrace"] = score_scan(corpus, newstrace_rows(db))
            if args.passim:
                out = tmp / f"p{k}"
                results["passim"].append(timed([args.passim, *shlex.split(args.passim_args), str(psrc), str(out)], env))
                if k == 0:
                    quality["passim"] = score_scan(corpus, passim_rows(out))
                shutil.rmtree(out, ignore_errors=True)
        for name, rs in results.items():
            if not rs:
                continue
            ts = [t for t, _ in rs]
            q = quality[name]
            print(f"{name:10s} median {statistics.median(ts):7.1f} s (runs {', '.join(f'{t:.1f}' for t in ts)}), "
                  f"peak {max(m for _, m in rs) / 1e6:,.0f} MB (process tree), plagdet {q['plagdet']:.4f} "
                  f"(char P {q['char_precision']:.4f} R {q['char_recall']:.4f})")
        if results["passim"]:
            ratios = [p / n for (n, _), (p, _) in zip(results["newstrace"], results["passim"])]
            print(f"ratio passim/newstrace: median {statistics.median(ratios):.1f}x "
                  f"(pairs {', '.join(f'{r:.1f}' for r in ratios)})")
        else:
            print(f"passim as recorded in issue 18 for {args.docs:,} documents: "
                  f"{RECORDED_PASSIM.get(args.docs, 'not recorded for this size (2,000 and 20,000 are)')}")


if __name__ == "__main__":
    main()
