"""Score the text-alignment engine on planted-passage pairs, PAN-style.

Builds N planted pairs per obfuscation level from the BBC News corpus (pairs
of articles that already share text, by the aligner's own judgement, are
skipped), runs ``newstrace.align.align(source, suspicious)`` on each, and
prints per level: plagdet, precision, recall, granularity, the median and
mean boundary error (characters), cases missed, and the median time per pair.

    python benchmarks/bench_alignment.py                  # 200 pairs per level, seed 0
    python benchmarks/bench_alignment.py --pairs 50 --json figures.json

Prints figures; asserts nothing about them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from newstrace.evaluation.alignment import evaluate  # noqa: E402
from newstrace.evaluation.synth import LEVELS, load_bbc_articles, make_benchmark, unpack_corpus  # noqa: E402


def default_corpora() -> Path:
    env = os.environ.get("NEWSTRACE_CORPORA")
    return Path(env) if env else REPO.parent / "shared" / "corpora"


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    return f"{v:.4f}" if isinstance(v, float) else str(v)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpora", type=Path, default=default_corpora(), help="folder holding bbc-news/bbc-news.tar.xz")
    ap.add_argument("--cache", type=Path, default=None, help="where to unpack (default: <repo>/.cache/corpora or $NEWSTRACE_CACHE/corpora)")
    ap.add_argument("--pairs", type=int, default=200, help="pairs per level (default 200)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--levels", default=",".join(LEVELS), help="comma-separated, from: " + ", ".join(LEVELS))
    ap.add_argument("--kinds", default=None, help="only score passages of these kinds (e.g. 'passage'); default all")
    ap.add_argument("--no-exclude", action="store_true", help="do not skip article pairs the aligner already links")
    ap.add_argument("--json", type=Path, default=None, metavar="FILE", help="also write the figures to FILE")
    args = ap.parse_args(argv)

    levels = [lv.strip() for lv in args.levels.split(",") if lv.strip()]
    if bad := [lv for lv in levels if lv not in LEVELS]:
        ap.error(f"unknown level(s) {bad}; use {', '.join(LEVELS)}")
    tar = args.corpora / "bbc-news" / "bbc-news.tar.xz"
    if not tar.is_file():
        ap.error(f"no BBC archive at {tar}; pass --corpora DIR (the folder holding bbc-news/)")
    try:
        from newstrace.align import align
    except ImportError as exc:
        ap.error(f"cannot import newstrace.align.align: {exc}")

    articles = load_bbc_articles(unpack_corpus(tar, args.cache))
    kinds = set(args.kinds.split(",")) if args.kinds else None

    verdicts: dict[tuple[str, str], bool] = {}  # the same article pairs recur at every level

    def shares_text(source: str, target: str) -> bool:
        if (source, target) not in verdicts:
            verdicts[source, target] = bool(align(source, target))
        return verdicts[source, target]

    exclude = None if args.no_exclude else shares_text
    figures: dict[str, Any] = {"seed": args.seed, "pairs_per_level": args.pairs, "levels": {}}
    cols = ["plagdet", "precision", "recall", "granularity", "boundary_error_median", "boundary_error_mean",
            "cases", "missed", "detections", "time_per_pair_median_ms"]
    print("level  " + "  ".join(cols))
    for level in levels:
        pairs = make_benchmark(articles, level, args.pairs, args.seed, exclude=exclude)  # type: ignore[arg-type]
        row = evaluate(pairs, align, kinds)
        figures["levels"][level] = row
        print(f"{level:<6} " + "  ".join(_fmt(row[c]) for c in cols), flush=True)
    if exclude is not None:
        figures["article_pairs_checked"] = len(verdicts)
        figures["article_pairs_skipped_as_sharing_text"] = sum(verdicts.values())
        print(f"skipped {sum(verdicts.values())} of {len(verdicts)} article pairs the aligner already links")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
