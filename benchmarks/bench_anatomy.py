"""The anatomy against the BBC News Summary set: which article sentences
each extractive summary kept, recovered from the text alone.

Prints sentence-level precision and recall over all pairs (or a sample),
the median and total time of the anatomy call, and the peak memory of the
process. The corpus archive is unpacked into a temporary folder at run time.

    python benchmarks/bench_anatomy.py [--pairs N] [--misses N]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newstrace.evaluation.anatomy import evaluate, load_summary_pairs  # noqa: E402
from newstrace.evaluation.synth import unpack_corpus  # noqa: E402

ARCHIVE = ROOT.parent / "shared" / "corpora" / "bbc-news" / "bbc-news.tar.xz"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--archive", type=Path, default=ARCHIVE, help="the bbc-news .tar.xz")
    ap.add_argument("--pairs", type=int, default=0, help="a random sample of N pairs (seed 0); 0 = all")
    ap.add_argument("--misses", type=int, default=10, help="print the first N wrong sentences")
    args = ap.parse_args()
    if not args.archive.is_file():
        sys.exit(f"no corpus archive at {args.archive}; pass --archive PATH")
    root = unpack_corpus(args.archive, Path(tempfile.gettempdir()) / "newstrace-corpora")
    pairs = load_summary_pairs(root)
    if args.pairs:
        pairs = random.Random(0).sample(pairs, min(args.pairs, len(pairs)))
    t0 = time.perf_counter()
    r = evaluate(pairs, keep_misses=args.misses)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"BBC summaries: {r.pairs} pairs, {r.sentences} article sentences, {r.tp + r.fn} kept by the summaries")
    print(f"  sentence precision {r.precision:.4f}  recall {r.recall:.4f}  (tp {r.tp}, fp {r.fp}, fn {r.fn})")
    print(f"  anatomy time: median {statistics.median(r.seconds) * 1000:.1f} ms, "
          f"p95 {sorted(r.seconds)[int(0.95 * (len(r.seconds) - 1))] * 1000:.1f} ms per pair, "
          f"{sum(r.seconds):.1f} s in all ({wall:.1f} s with the gold standard)")
    print(f"  peak memory (max RSS): {peak:.0f} MB")
    for name, kind, sentence in r.misses:
        print(f"  {kind} {name}: {sentence[:110]!r}")


if __name__ == "__main__":
    main()
