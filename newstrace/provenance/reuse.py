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

The two measures must agree for ``wholly``:

- containment at least :data:`WHOLLY_AT`, and either no passage at all (a
  rewrite with no verbatim run, where containment is the only measure:
  COUNTER's annotators call many such rewrites wholly derived) or passages
  covering at least :data:`COVERAGE_MIN_WHOLLY` of the derivative: a
  derivative whose shared text is 16 % of it is not "wholly derived", however
  many of its words occur in the source (a template notice shares most of
  its vocabulary with the next);
- or passages covering at least :data:`COVERAGE_WHOLLY` of it, with
  containment at least :data:`CONTAINMENT_COVERED` (long passages whose
  edits replace most words are not a copy of the whole).

``partially`` needs containment at least :data:`PARTIALLY_AT` or some
passage; ``non`` is the rest.

The two thresholds were chosen on COUNTER (600 Urdu agency/newspaper pairs)
by a grid search that maximises macro-F1; the figures reported for them are
from 10-fold cross-validation, thresholds re-chosen on each training part
(newstrace.evaluation.provenance, benchmarks/bench_provenance.py).
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Literal, Sequence

import numpy as np

from ..records import Passage

ReuseClass = Literal["wholly", "partially", "non"]

WHOLLY_AT = 0.68      # containment from which a derivative is wholly derived
PARTIALLY_AT = 0.335  # containment from which it is partially derived
COVERAGE_WHOLLY = 0.8  # or: passages cover this much of it
COVERAGE_MIN_WHOLLY = 0.3  # with passages, wholly needs them to cover this much
CONTAINMENT_COVERED = 0.5  # passages covering COVERAGE_WHOLLY lift it with this much containment


def word_containment(ids_b: np.ndarray, ids_a: np.ndarray) -> float:
    """Share of B's distinct word ids that also occur in A."""
    ub = np.unique(ids_b)
    if not len(ub):
        return 0.0
    return float(np.isin(ub, ids_a, assume_unique=False).sum() / len(ub))


def set_containment(words_b: AbstractSet[str], words_a: AbstractSet[str]) -> float:
    """:func:`word_containment` of two documents given their sets of distinct
    words: the same share of the same two counts (the word ids of a pair are
    only a way to count the words B's and A's sets have in common)."""
    if not words_b:
        return 0.0
    return len(words_b & words_a) / len(words_b)


def passage_share(passages: Sequence[Passage], side: str, length: int) -> float:
    """Share of one document's characters (``side`` ``"a"`` or ``"b"``) inside
    the aligned passages (quotations left out)."""
    covered = sum(getattr(p, side).end - getattr(p, side).start for p in passages if p.kind == "passage")
    return covered / max(1, length)


def reuse_class(containment: float, coverage: float = 0.0, *, wholly_at: float = WHOLLY_AT,
                partially_at: float = PARTIALLY_AT) -> ReuseClass:
    if containment >= wholly_at and (coverage == 0 or coverage >= COVERAGE_MIN_WHOLLY):
        return "wholly"
    if coverage >= COVERAGE_WHOLLY and containment >= CONTAINMENT_COVERED:
        return "wholly"
    if containment >= partially_at or coverage > 0:
        return "partially"
    return "non"
