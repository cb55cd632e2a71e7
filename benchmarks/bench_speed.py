"""Speed of pairwise comparison: prints figures, asserts nothing.

1. Library: ``compare()`` on two ~1,000-word articles (BBC text, each carrying
   passages planted from the other at the light obfuscation level), median
   of many runs after import and a warm-up.
2. Command: ``newstrace compare`` on the two seed articles, wall clock of the
   whole process (start-up included), median of several runs.

Usage: python benchmarks/bench_speed.py [--corpora DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newstrace.compare import compare  # noqa: E402
from newstrace.evaluation.synth import load_bbc_articles, make_pair, unpack_corpus  # noqa: E402
from newstrace.records import Document  # noqa: E402


def _words(t: str) -> int:
    return len(t.split())


def thousand_word_pair(articles: list[str], rng: random.Random) -> tuple[str, str]:
    """Two articles of 1,000 words or more, the second carrying planted passages."""
    while True:
        src, tgt = rng.sample(articles, 2)
        if src == tgt:
            continue
        extra_src = [a for a in rng.sample(articles, 10)]
        extra_tgt = [a for a in rng.sample(articles, 10)]
        while _words(src) < 1000:
            src += "\n\n" + extra_src.pop()
        while _words(tgt) < 700:
            tgt += "\n\n" + extra_tgt.pop()
        try:
            pair = make_pair(src, tgt, "light", rng, n_passages=2)
        except ValueError:
            continue
        return pair.source, pair.suspicious


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--pairs", type=int, default=10)
    ap.add_argument("--cli-runs", type=int, default=7)
    args = ap.parse_args()

    tar = args.corpora / "bbc-news" / "bbc-news.tar.xz"
    if not tar.is_file():
        sys.exit(f"BBC corpus not found at {tar}; pass --corpora DIR")
    articles = load_bbc_articles(unpack_corpus(tar))
    rng = random.Random(0)
    pairs = [thousand_word_pair(articles, rng) for _ in range(args.pairs)]

    per_pair = []
    for a_text, b_text in pairs:
        a, b = Document(id="a", text=a_text), Document(id="b", text=b_text)
        compare(a, b)  # warm-up
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            c = compare(a, b)
            times.append(time.perf_counter() - t)
        per_pair.append((statistics.median(times), _words(a_text), _words(b_text), len(c.passages)))
    med = statistics.median(t for t, *_ in per_pair)
    print("compare() on two ~1,000-word articles (library, after import)")
    for t, wa, wb, n in per_pair:
        print(f"  {wa:5d} x {wb:5d} words, {n} passages: median {t * 1000:6.2f} ms over {args.runs} runs")
    print(f"  median over {len(per_pair)} pairs: {med * 1000:.2f} ms")
    print(f"  peak memory (this process): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")

    seeds = ROOT / "examples" / "seeds"
    cmd = [sys.executable, "-m", "newstrace", "compare",
           str(seeds / "000_da43fc32711ce6b8.txt"), str(seeds / "002_c61f085763ff7fbd.txt")]
    walls = []
    for _ in range(args.cli_runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        walls.append(time.perf_counter() - t)
    print(f"newstrace compare on the seeds (whole process): median {statistics.median(walls) * 1000:.0f} ms "
          f"over {args.cli_runs} runs (min {min(walls) * 1000:.0f}, max {max(walls) * 1000:.0f})")
    print(f"  peak memory (child): {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
