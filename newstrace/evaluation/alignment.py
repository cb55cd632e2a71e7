"""Score an aligner on planted pairs: plagdet and boundary errors."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from .plagdet import Case, boundary_errors, plagdet
from .synth import PlantedPair

Aligner = Callable[[str, str], Sequence[Any]]


def detections(pair: Any, passages: Sequence[Any], kinds: set[str] | None) -> tuple[list[Case], int]:
    """Passages as :class:`Case` records, and how many were empty on a side."""
    out, empty = [], 0
    for p in passages:
        if kinds is not None and getattr(p, "kind", "passage") not in kinds:
            continue
        if p.a.start >= p.a.end or p.b.start >= p.b.end:
            empty += 1
            continue
        out.append(Case(pair, p.a.start, p.a.end, p.b.start, p.b.end))
    return out, empty


def evaluate(pairs: Sequence[PlantedPair], aligner: Aligner, kinds: set[str] | None = None) -> dict[str, Any]:
    """Run ``aligner`` on every pair and score it."""
    cases: list[Case] = []
    dets: list[Case] = []
    times: list[float] = []
    empty = 0
    for p in pairs:
        t0 = time.perf_counter()
        passages = aligner(p.source, p.suspicious)
        times.append(time.perf_counter() - t0)
        found, e = detections(p.cases[0].pair, passages, kinds)
        dets += found
        empty += e
        cases += p.cases
    s = plagdet(cases, dets)
    errors = boundary_errors(cases, dets)
    return {
        "pairs": len(pairs),
        **s.as_dict(),
        "boundary_error_median": statistics.median(errors) if errors else None,
        "boundary_error_mean": statistics.fmean(errors) if errors else None,
        "empty_detections_dropped": empty,
        "time_per_pair_median_ms": 1000 * statistics.median(times) if times else None,
    }
