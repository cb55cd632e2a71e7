"""Quotation spans and speakers against the hand-labelled set.

    python benchmarks/bench_quotations.py [--errors] [--gold PATH]

Prints exact and overlapping span precision/recall/F1 and speaker accuracy,
for direct quotations and for reported speech, the scare-quote recall, and
the time taken. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newstrace.evaluation.quotations import load_gold, scare_recall, score, speaker_errors  # noqa: E402
from newstrace.quotations import find_quotations  # noqa: E402

GOLD = ROOT / "tests" / "fixtures" / "quotations" / "gold.json"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", action="store_true", help="list the speaker errors and missed quotations")
    ap.add_argument("--gold", type=Path, default=GOLD,
                    help="gold file to score against (default: %(default)s); its text paths are relative to the repo root")
    args = ap.parse_args()
    gold = load_gold(args.gold, ROOT)
    t0 = time.perf_counter()
    for g in gold:
        find_quotations.__wrapped__(g.text)
    secs = time.perf_counter() - t0
    print(f"{len(gold)} texts, {sum(len(g.text) for g in gold):,} characters, extracted in {secs * 1000:.0f} ms")
    for name, direct in (("direct quotations", True), ("reported speech", False)):
        s = score(gold, find_quotations, direct=direct)
        print(f"{name}: {s.gold} gold, {s.predicted} predicted")
        print(f"  exact spans       P {s.exact_p:.3f}  R {s.exact_r:.3f}  F1 {s.exact_f1:.3f}")
        print(f"  overlapping spans P {s.overlap_p:.3f}  R {s.overlap_r:.3f}  F1 {s.overlap_f1:.3f}")
        print(f"  speaker accuracy  {s.speaker_accuracy:.3f} ({s.speaker_correct}/{s.speaker_matched} matched quotations)")
    found, total = scare_recall(gold, find_quotations)
    print(f"scare quotes: {found}/{total} found and kept apart from speech")
    if args.errors:
        for row in speaker_errors(gold, find_quotations):
            print("  ", row)


if __name__ == "__main__":
    main()
