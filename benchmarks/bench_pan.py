"""Score newstrace's aligners on the PAN 2013 text-alignment training corpus.

Prints, per subset (no-plagiarism, none, random, translation, summary) and
over all pairs scored: plagdet, precision, recall, granularity, cases,
detections, cases missed, and the share of no-plagiarism pairs on which
anything was detected.

    python benchmarks/bench_pan.py                         # all 5,185 pairs, compare's passages
    python benchmarks/bench_pan.py --sample 100 --workers 2
    python benchmarks/bench_pan.py --detector verbatim     # today's verbatim aligner alone
    python benchmarks/bench_pan.py --cv 5 --grid "edge_lack=0.15,0.25,0.5;summary_whole=0.5,1"
                                                           # 5-fold cross-validated figures of the
                                                           # setting chosen on the other folds

The corpus is read from ``$NEWSTRACE_CORPORA/pan13-train`` (default
``../shared/corpora`` beside the repository; its archive is unpacked once into
the cache) or ``--corpus DIR`` (an unpacked copy). Prints
figures; asserts nothing about them.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from newstrace.evaluation.pan import (  # noqa: E402
    DETECTORS,
    SUBSETS,
    SubsetScores,
    cross_validate,
    detect_all,
    locate,
    sample_pairs,
    score,
)


def parse_grid(spec: str) -> list[dict[str, object]]:
    """``"a=1,2;b=x"`` -> every combination, numbers read as int or float."""
    def value(v: str) -> object:
        for kind in (int, float):
            try:
                return kind(v)
            except ValueError:
                pass
        return v

    axes = [(k.strip(), [value(v.strip()) for v in vs.split(",")])
            for k, _, vs in (part.partition("=") for part in spec.split(";") if part.strip())]
    return [dict(zip([k for k, _ in axes], combo)) for combo in itertools.product(*[vs for _, vs in axes])]


def print_rows(rows: Sequence[SubsetScores]) -> None:
    print(f"{'subset':<14}{'pairs':>6}{'plagdet':>9}{'prec':>8}{'recall':>8}{'gran':>7}{'cases':>7}{'dets':>6}{'missed':>7}{'flagged':>9}")
    for r in rows:
        s = r.scores
        fl = "-" if r.flagged_clean is None else f"{r.flagged_clean:.1%}"
        print(f"{r.subset:<14}{r.pairs:>6}{s.plagdet:>9.4f}{s.precision:>8.4f}{s.recall:>8.4f}{s.granularity:>7.3f}"
              f"{s.cases:>7}{s.detections:>6}{s.missed:>7}{fl:>9}")


def default_corpus() -> Path:
    env = os.environ.get("NEWSTRACE_CORPORA")
    return (Path(env) if env else REPO.parent / "shared" / "corpora") / "pan13-train"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=default_corpus(),
                    help="the unpacked pan13-train folder, or the folder holding pan13-train.tar.xz")
    ap.add_argument("--sample", type=int, default=None, metavar="N", help="N pairs per subset (default all)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--detector", choices=sorted(DETECTORS), default="combined")
    ap.add_argument("--subsets", default=",".join(SUBSETS))
    ap.add_argument("--json", type=Path, default=None, metavar="FILE")
    ap.add_argument("--cv", type=int, default=0, metavar="K",
                    help="K-fold cross-validation over --grid (combined detector)")
    ap.add_argument("--grid", default="", metavar="SPEC",
                    help='settings to choose from, "name=v1,v2;name=v1": RewriteParams fields, reprint, min_chars')
    args = ap.parse_args(argv)
    try:
        root = locate(args.corpus)
    except FileNotFoundError as e:
        ap.error(f"{e}; pass --corpus DIR")
    subsets = [s.strip() for s in args.subsets.split(",") if s.strip()]
    if bad := [s for s in subsets if s not in SUBSETS]:
        ap.error(f"unknown subset(s) {bad}; use {', '.join(SUBSETS)}")
    pairs = sample_pairs(root, args.sample, args.seed, subsets)
    t0 = time.perf_counter()
    if args.cv:
        grid = parse_grid(args.grid) or [{}]
        cv = cross_validate(pairs, grid, args.cv, args.seed, args.workers)
        secs = time.perf_counter() - t0
        print(f"{args.cv}-fold cross-validation over {len(grid)} settings, {len(pairs)} pairs, {secs:.1f} s")
        for g, v in cv.fitted:
            print(f"  all pairs, {g or 'defaults'}: plagdet {v:.4f}")
        for f, g in enumerate(cv.chosen):
            print(f"  fold {f} chose {g or 'defaults'}")
        print("held-out figures (each fold scored by the setting chosen on the others):")
        rows = cv.rows
    else:
        dets = detect_all(pairs, args.detector, args.workers)
        secs = time.perf_counter() - t0
        rows = score(pairs, dets)
        print(f"detector {args.detector}, {len(pairs)} pairs, {secs:.1f} s "
              f"({1000 * secs / max(1, len(pairs)):.0f} ms/pair)")
    print_rows(rows)
    if args.json:
        args.json.write_text(json.dumps([r.as_dict() for r in rows], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
