"""Reuse class of a derivative against its source, as in METER and COUNTER.

- ``wholly``: the derivative is based entirely on the source;
- ``partially``: part of it is, the rest comes from elsewhere;
- ``non``: written independently (it may share names and numbers).

The class is read off two measures of how much of the derivative the source
accounts for: ``containment``, the share of the derivative's distinct words
(after normalisation) that occur in the source, and ``coverage``, the share
of its text inside aligned passages. Newspapers rewrite agency copy heavily,
so word containment separates the classes better than passages alone; the
passages lift a document into ``wholly`` when they cover most of it.

The two thresholds were chosen on COUNTER (600 Urdu agency/newspaper pairs)
by a grid search that maximises macro-F1; the figures reported for them are
from 10-fold cross-validation, thresholds re-chosen on each training part
(newstrace.evaluation.provenance, benchmarks/bench_provenance.py).
"""

from __future__ import annotations

from typing import Literal, Sequence

import numpy as np

from ..records import Passage

ReuseClass = Literal["wholly", "partially", "non"]

WHOLLY_AT = 0.68      # containment from which a derivative is wholly derived
PARTIALLY_AT = 0.335  # containment from which it is partially derived
COVERAGE_WHOLLY = 0.8  # or: passages cover this much of it


def word_containment(ids_b: np.ndarray, ids_a: np.ndarray) -> float:
    """Share of B's distinct word ids that also occur in A."""
    ub = np.unique(ids_b)
    if not len(ub):
        return 0.0
    return float(np.isin(ub, ids_a, assume_unique=False).sum() / len(ub))


def passage_share(passages: Sequence[Passage], side: str, length: int) -> float:
    """Share of one document's characters (``side`` ``"a"`` or ``"b"``) inside
    the aligned passages (quotations left out)."""
    covered = sum(getattr(p, side).end - getattr(p, side).start for p in passages if p.kind == "passage")
    return covered / max(1, length)


def reuse_class(containment: float, coverage: float = 0.0, *, wholly_at: float = WHOLLY_AT,
                partially_at: float = PARTIALLY_AT) -> ReuseClass:
    if containment >= wholly_at or coverage >= COVERAGE_WHOLLY:
        return "wholly"
    if containment >= partially_at or coverage > 0:
        return "partially"
    return "non"
