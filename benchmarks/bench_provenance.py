"""Provenance quality on corpora with known direction, and its speed.

Prints: COUNTER direction accuracy on derived pairs (with dates; dates
removed; texts alone), the reuse-class confusion matrix and F1 (thresholds
cross-validated, and as shipped), Clough & Stevenson direction, the 2018
collection's wire-credited reprint clusters and whether their root is the
wire (with the failures), and the time to build the largest story's graph.

    python benchmarks/bench_provenance.py

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from newstrace.evaluation.provenance import (  # noqa: E402
    CLASSES, binary_f1, confusion, cross_validated_classes, direction_accuracy, evaluate_pairs, f1_scores,
    clough_stevenson_stories, load_clough_stevenson, load_counter, scan_2018, shipped_classes, wire_roots)
from newstrace.evaluation.synth import unpack_corpus  # noqa: E402


def _classes(name: str, truth: list[str], pred: list[str]) -> None:
    f = f1_scores(truth, pred, CLASSES)
    print(f"  {name}: macro-F1 {np.mean(list(f.values())):.3f} "
          f"({', '.join(f'{k} {v:.3f}' for k, v in f.items())}); binary F1 {binary_f1(truth, pred):.3f}")
    print("    confusion (rows true, columns predicted: " + ", ".join(CLASSES) + ")")
    for c, row in zip(CLASSES, confusion(truth, pred)):
        print(f"    {c:>9} {row}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    args = ap.parse_args()

    pairs = load_counter(unpack_corpus(args.corpora / "counter-urdu" / "counter-urdu.tar.xz"))
    print(f"COUNTER: {len(pairs)} pairs")
    for label, kw in (("with dates", {}), ("dates removed", {"use_dates": False}),
                      ("texts alone (no dates, no outlets)", {"use_dates": False, "use_outlets": False})):
        out = evaluate_pairs(pairs, **kw)
        acc, counts = direction_accuracy(out, ("wholly", "partially"))
        print(f"  direction, {label}: {acc:.4f} of {sum(counts.values())} derived pairs {counts}")
    out = evaluate_pairs(pairs)
    truth = [o.label for o in out]
    _classes("reuse class, 10-fold cross-validated thresholds", truth, cross_validated_classes(out))
    _classes("reuse class, shipped thresholds (fitted on all of COUNTER)", truth, shipped_classes(out))

    cs = load_clough_stevenson(unpack_corpus(args.corpora / "clough-stevenson" / "clough-stevenson.tar.xz"))
    res = [o for o in evaluate_pairs(cs) if o.label != "non" and o.coverage > 0]
    by = {}
    for o in res:
        by.setdefault(o.relation, 0)
        by[o.relation] += 1
    print(f"Clough & Stevenson, pair by pair: original named the source of {by.get('a->b', 0)} of {len(res)} "
          f"matched cut/light/heavy answers {by}")
    story = [r for r in clough_stevenson_stories(cs) if r[1] != "non"]
    rel = {}
    for r in story:
        rel[r[2]] = rel.get(r[2], 0) + 1
    print(f"Clough & Stevenson, each task as one story: original named the source of "
          f"{sum(r[2] == 'a->b' for r in story)} of {len(story)} matched answers {rel}; an ancestor in the graph "
          f"of {sum(r[3] for r in story)}; not: {[r[0] for r in story if r[2] != 'a->b']}")

    from newstrace.provenance import trace_passages
    from newstrace.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "s.duckdb"
        scan_2018(args.corpora / "news-event-clusters-2018" / "news-event-clusters-2018.tar.xz", db)
        store = open_store(db, read_only=True)
        roots = wire_roots(store)
        ok = sum(r.ok for r in roots)
        print(f"2018 collection: {ok} of {len(roots)} wire-credited reprint clusters rooted at the wire")
        for r in sorted(roots, key=lambda r: -r.size)[:8]:
            print(f"  cluster of {r.size:>3} copies, {r.crediting:>2} credit {r.wire}: root {r.root_label!r}")
        for r in roots:
            if not r.ok:
                print(f"  FAILED: {r.size} copies, {r.crediting} credit {r.wire}; root {r.root_label!r}; "
                      f"text {r.excerpt[:90]!r}")
        story, n, _ = store.largest_stories(1)[0]
        times = []
        for _ in range(3):
            t = time.perf_counter()
            docs, passages = store.story(story)
            trace_passages(docs, passages)
            times.append(time.perf_counter() - t)
        print(f"largest story ({n} documents, {sum(len(v) for v in passages.values()):,} passages): "
              f"graph in {statistics.median(times):.1f} s (median of 3)")
        store.close()


if __name__ == "__main__":
    main()
