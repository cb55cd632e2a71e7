"""COUNTER through the command: `newstrace provenance x.txt y.txt` on agency/newspaper pairs.

Takes N derived pairs (wholly or partially derived, drawn with a fixed seed)
and N non-derived ones, writes each story's headline and body to a text file
with a neutral name (``x.txt``/``y.txt``, the agency story as x or y at
random) and no date, runs the real command (in-process, through Click's
runner) with ``--format json`` and prints: the share of derived pairs with an
edge in the right direction (agency story → newspaper story), in the wrong
direction, with both below a placeholder for an outlet both credit (COUNTER's
agency text credits APP itself), and with none; and binary derived/non-derived precision, recall
and F1, a pair counting as found derived when the command draws an edge.

    python benchmarks/bench_counter_cli.py --pairs 100
    python benchmarks/bench_counter_cli.py --corpus /work/data/counter-urdu

The corpus is COUNTER's unpacked folder of ``NNNN.xml``/``NNNNp.xml`` files
(``--corpus``), else ``counter-urdu.tar.xz`` under ``$NEWSTRACE_CORPORA``.
Prints figures; asserts nothing about them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from click.testing import CliRunner  # noqa: E402

from newstrace.cli import main as cli  # noqa: E402


def _story(path: Path) -> tuple[str, str]:
    root = ET.parse(path).getroot()
    return root.get("classification", ""), (root.findtext("headline") or "") + "\n\n" + (root.findtext("body") or "")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=None, help="COUNTER's unpacked folder")
    ap.add_argument("--pairs", type=int, default=100,
                    help="derived pairs, and as many non-derived (default 100; 0: every pair of the corpus)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    folder = args.corpus
    if folder is None:
        from newstrace.evaluation.synth import unpack_corpus

        env = os.environ.get("NEWSTRACE_CORPORA")
        base = Path(env) if env else REPO.parent / "shared" / "corpora"
        folder = unpack_corpus(base / "counter-urdu" / "counter-urdu.tar.xz")
    pairs = []
    for src in sorted(folder.glob("[0-9][0-9][0-9][0-9].xml")):
        derived = next(folder.glob(src.stem + "[pP].xml"))
        label, b = _story(derived)
        pairs.append((label, _story(src)[1], b))
    rng = random.Random(args.seed)
    derived, non = [p for p in pairs if p[0] in ("WD", "PD")], [p for p in pairs if p[0] == "ND"]
    pos = rng.sample(derived, args.pairs) if args.pairs else derived
    neg = rng.sample(non, min(args.pairs, len(non))) if args.pairs else non
    runner = CliRunner()
    right = wrong = siblings = none = fp = 0
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for k, (_label, agency, paper) in enumerate(pos + neg):
            flip = rng.random() < 0.5
            x, y = Path(tmp) / "x.txt", Path(tmp) / "y.txt"
            x.write_text(paper if flip else agency, encoding="utf-8")
            y.write_text(agency if flip else paper, encoding="utf-8")
            res = runner.invoke(cli, ["provenance", str(x), str(y), "--format", "json"])
            if res.exit_code != 0:
                print(res.output, file=sys.stderr)
                return 1
            edges = json.loads(res.output)["edges"]
            src_id, dst_id = ("y.txt", "x.txt") if flip else ("x.txt", "y.txt")
            if k < len(pos):
                if any(e["source"] == src_id and e["target"] == dst_id for e in edges):
                    right += 1
                elif any(e["source"] == dst_id and e["target"] == src_id for e in edges):
                    wrong += 1
                elif edges:  # both below a third source, a placeholder for an outlet both credit
                    siblings += 1
                else:
                    none += 1
            elif edges:
                fp += 1
    n = len(pos)
    tp = right + wrong + siblings
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / n if n else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"COUNTER through `newstrace provenance x.txt y.txt` (no dates, neutral names), "
          f"{time.perf_counter() - t0:.0f} s")
    print(f"  derived pairs: {n}; edge in the right direction {right / n:.1%}, wrong direction {wrong / n:.1%}, "
          f"siblings below a credited outlet {siblings / n:.1%}, no edge {none / n:.1%}")
    print(f"  non-derived pairs: {len(neg)}; with an edge {fp}")
    print(f"  derived vs non-derived: precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
