"""PAN's plagiarism-detection measures, macro-averaged.

As defined by Potthast, Stein, Barrón-Cedeño and Rosso, "An Evaluation
Framework for Plagiarism Detection" (COLING 2010), and used for the PAN
2013/2014 text-alignment task.

A case (truth) and a detection are both a :class:`Case`: a pair of half-open
character ranges, one in the source and one in the suspicious document of the
same document pair. Each stands for the set of its characters, source and
suspicious characters counted apart, so ``|s| = len(src) + len(susp)``.

* ``r`` *detects* ``s`` iff both belong to the same pair and they overlap in
  the source range **and** in the suspicious range.
* ``s ⊓ r = s ∩ r`` if ``r`` detects ``s``, else ``∅``.
* precision ``= mean_r |∪_s (s ⊓ r)| / |r|``
* recall ``= mean_s |∪_r (s ⊓ r)| / |s|``
* granularity ``= mean`` over detected cases of the number of detections
  that detect it (1 when no case is detected)
* plagdet ``= F1(precision, recall) / log2(1 + granularity)``

Edge cases follow PAN's reference script (``perfmeasures.py``): with no
cases and no detections, precision and recall are 1 (nothing to find,
nothing found wrongly), so plagdet is 1; with cases but no detections, or
detections but no cases, both precision and recall are 0, so plagdet is 0.
When precision and recall are both 0, plagdet is 0.

Union sizes are computed by merging intervals, one pair at a time; the tests
hold a per-character twin that must agree.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

__all__ = ["Case", "Scores", "plagdet", "boundary_errors", "missed_cases"]


@dataclass(frozen=True, slots=True)
class Case:
    """A planted case or a detection: ``[src_start, src_end)`` of the source
    and ``[susp_start, susp_end)`` of the suspicious document of ``pair``.

    ``pair`` is any hashable id of the (source, suspicious) document pair.

    Raises:
        ValueError: a range is empty or reversed, or an offset is negative.
    """

    pair: Hashable
    src_start: int
    src_end: int
    susp_start: int
    susp_end: int

    def __post_init__(self) -> None:
        if not (0 <= self.src_start < self.src_end and 0 <= self.susp_start < self.susp_end):
            raise ValueError(
                f"bad case {self!r}: need 0 <= start < end in both documents "
                "(drop empty detections before scoring)"
            )

    def __len__(self) -> int:
        return (self.src_end - self.src_start) + (self.susp_end - self.susp_start)

    def detects(self, other: Case) -> bool:
        """True if ``self`` and ``other`` share the pair and overlap in both documents."""
        return (
            self.pair == other.pair
            and self.src_start < other.src_end
            and other.src_start < self.src_end
            and self.susp_start < other.susp_end
            and other.susp_start < self.susp_end
        )


@dataclass(frozen=True, slots=True)
class Scores:
    """PAN's measures over one set of cases and detections.

    ``cases`` and ``detections`` are the counts scored; ``missed`` is the
    number of cases no detection detects.
    """

    precision: float
    recall: float
    granularity: float
    plagdet: float
    cases: int
    detections: int
    missed: int = 0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "plagdet": self.plagdet,
            "precision": self.precision,
            "recall": self.recall,
            "granularity": self.granularity,
            "cases": self.cases,
            "detections": self.detections,
            "missed": self.missed,
        }


def _covered(lo: int, hi: int, ranges: Iterable[tuple[int, int]]) -> int:
    """Number of characters of ``[lo, hi)`` inside the union of ``ranges``."""
    clipped = sorted((max(a, lo), min(b, hi)) for a, b in ranges)
    total, cur_a, cur_b = 0, 0, 0
    started = False
    for a, b in clipped:
        if a >= b:
            continue
        if started and a <= cur_b:
            cur_b = max(cur_b, b)
            continue
        if started:
            total += cur_b - cur_a
        cur_a, cur_b, started = a, b, True
    if started:
        total += cur_b - cur_a
    return total


def _coverage(x: Case, others: Sequence[Case]) -> float:
    """``|x ∩ ∪ others| / |x|``, sides counted apart."""
    src = _covered(x.src_start, x.src_end, ((o.src_start, o.src_end) for o in others))
    susp = _covered(x.susp_start, x.susp_end, ((o.susp_start, o.susp_end) for o in others))
    return (src + susp) / len(x)


def _by_pair(items: Iterable[Case]) -> dict[Hashable, list[Case]]:
    out: dict[Hashable, list[Case]] = defaultdict(list)
    for it in items:
        out[it.pair].append(it)
    return out


def plagdet(cases: Iterable[Case], detections: Iterable[Case]) -> Scores:
    """Score ``detections`` against the truth ``cases`` (see the module doc)."""
    cases, detections = list(cases), list(detections)
    det_by_pair = _by_pair(detections)
    case_by_pair = _by_pair(cases)

    recall_sum, hits, detected, missed = 0.0, 0, 0, 0
    for s in cases:
        rs = [r for r in det_by_pair.get(s.pair, ()) if r.detects(s)]
        if rs:
            recall_sum += _coverage(s, rs)
            hits += len(rs)
            detected += 1
        else:
            missed += 1
    precision_sum = 0.0
    for r in detections:
        ss = [s for s in case_by_pair.get(r.pair, ()) if s.detects(r)]
        if ss:
            precision_sum += _coverage(r, ss)

    if not cases and not detections:
        precision = recall = 1.0
    elif not cases or not detections:
        precision = recall = 0.0
    else:
        precision = precision_sum / len(detections)
        recall = recall_sum / len(cases)
    granularity = hits / detected if detected else 1.0
    if precision + recall == 0:
        score = 0.0
    else:
        score = (2 * precision * recall / (precision + recall)) / math.log2(1 + granularity)
    return Scores(precision, recall, granularity, score, len(cases), len(detections), missed)


def _overlap(s: Case, r: Case) -> int:
    return max(0, min(s.src_end, r.src_end) - max(s.src_start, r.src_start)) + max(
        0, min(s.susp_end, r.susp_end) - max(s.susp_start, r.susp_start)
    )


def boundary_errors(cases: Iterable[Case], detections: Iterable[Case]) -> list[int]:
    """Boundary errors, in characters, of the best detection of each case.

    For each case (in order) that some detection detects, take the detection
    with the largest overlap ``|s ∩ r|`` (the first one on a tie) and append
    the absolute differences of its four boundaries to the case's: source
    start, source end, suspicious start, suspicious end. Cases no detection
    detects add nothing; count them with :func:`missed_cases`.
    """
    det_by_pair = _by_pair(detections)
    out: list[int] = []
    for s in cases:
        best: Case | None = None
        best_ov = -1
        for r in det_by_pair.get(s.pair, ()):
            if r.detects(s) and (ov := _overlap(s, r)) > best_ov:
                best, best_ov = r, ov
        if best is not None:
            out += [
                abs(best.src_start - s.src_start),
                abs(best.src_end - s.src_end),
                abs(best.susp_start - s.susp_start),
                abs(best.susp_end - s.susp_end),
            ]
    return out


def missed_cases(cases: Iterable[Case], detections: Iterable[Case]) -> int:
    """Number of cases that no detection detects."""
    det_by_pair = _by_pair(detections)
    return sum(not any(r.detects(s) for r in det_by_pair.get(s.pair, ())) for s in cases)
