"""Evidence from the rest of a story: which of two documents carries the text that circulates.

A pair alone often cannot say who copied whom: two versions of one text,
no dates, no credits. The other documents of the story can. When Y copied
X, whatever Y shares with third documents is, mostly, text it took from X
(the third documents copied X too, or copied Y's copy of it); while X,
the source, shares text with third documents that Y never took. So for a
pair (X, Y) we measure, for each side, how much of what it shares with the
*other* documents of the story lies inside what it shares with its partner:

    explained(Y by X) = |others(Y) ∩ shared(Y, X)| / |others(Y)|

where ``others(Y)`` is the union of Y's spans in passages with any document
but X, and ``shared(Y, X)`` the union of Y's spans in passages with X. If
Y's circulating text is (nearly) all explained by X and X's is not by Y, X
is the likelier source: the reasoning of textual criticism, where the
witness that carries the readings the others share stands nearer the
archetype.

A second measure looks inside the shared text (``readings``): where X and
Y word a passage differently, which wording do the third documents carry?
The copy's changes are its own; the source's wording is the one the
others repeat.

Neither can tell a source from an aggregator that took pieces of several
sources which were copied apart; so it is weighed below dates and credits
and only counts when the difference is clear.
"""

from __future__ import annotations

import zlib
from bisect import bisect_left, bisect_right
from collections import defaultdict
from typing import Mapping, Sequence

import numpy as np

from ..records import Passage
from .direction import Evidence

W_CIRCULATION = 1.5
W_READING = 0.75  # per reading more that the others share with one side; at most W_READINGS_MAX
W_READINGS_MAX = 2.5
MAX_WITNESSES = 24  # third documents consulted for one pair's readings
MARGIN = 0.2  # the least difference between the two explained shares that counts

Intervals = list[tuple[int, int]]


def union_spans(spans: Sequence[tuple[int, int]]) -> Intervals:
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _length(iv: Intervals) -> int:
    return sum(e - s for s, e in iv)


def _overlap(x: Intervals, y: Intervals) -> int:
    i = j = total = 0
    while i < len(x) and j < len(y):
        s, e = max(x[i][0], y[j][0]), min(x[i][1], y[j][1])
        if e > s:
            total += e - s
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return total


class Witness:
    """What one document shares with one partner: the spans (merged) and the
    spans of its side of the edits inside them (merged)."""

    __slots__ = ("cover", "edits", "ends", "edit_ends")

    def __init__(self, cover: Intervals, edits: Intervals) -> None:
        self.cover, self.edits = cover, edits
        self.ends = [e for _, e in cover]
        self.edit_ends = [e for _, e in edits]

    def agrees(self, s: int, e: int) -> bool:
        """The partner carries this document's wording of ``[s, e)`` (an
        empty span: of the point ``s``): covered, and no edit touching it."""
        k = bisect_right(self.ends, s)
        if k == len(self.cover) or not (self.cover[k][0] <= s and e <= self.cover[k][1]) \
                or (s == e and not self.cover[k][0] < s < self.cover[k][1]):
            return False
        j = bisect_left(self.edit_ends, s)
        return j == len(self.edits) or self.edits[j][0] > e


def _witnesses(passages: Mapping[tuple[str, str], Sequence[Passage]]) -> dict[str, dict[str, Witness]]:
    cover: dict[str, dict[str, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    edits: dict[str, dict[str, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for (a, b), ps in passages.items():
        for p in ps:
            if p.kind != "passage":
                continue
            cover[a][b].append((p.a.start, p.a.end))
            cover[b][a].append((p.b.start, p.b.end))
            for ed in p.edits:
                edits[a][b].append((ed.a.start, ed.a.end))
                edits[b][a].append((ed.b.start, ed.b.end))
    return {d: {z: Witness(union_spans(iv), union_spans(edits[d][z])) for z, iv in by.items()} for d, by in cover.items()}


class Coverage:
    """How many partners share each stretch of one document's text: the
    points where that count changes, and the count between them."""

    __slots__ = ("points", "count", "length")

    def __init__(self, covers: Sequence[Intervals]) -> None:
        self.points = np.array(sorted({p for iv in covers for s, e in iv for p in (s, e)}), dtype=np.int64)
        diff = np.zeros(len(self.points) + 1, dtype=np.int64)
        for iv in covers:
            for s, e in iv:
                diff[np.searchsorted(self.points, s)] += 1
                diff[np.searchsorted(self.points, e)] -= 1
        self.count = np.cumsum(diff)[: max(0, len(self.points) - 1)]
        self.length = np.diff(self.points)

    def explained_by(self, cover_x: Intervals) -> float | None:
        """`explained` for the partner whose (merged) spans are ``cover_x``."""
        inside = np.zeros(len(self.count), dtype=bool)
        for s, e in cover_x:
            inside[np.searchsorted(self.points, s):np.searchsorted(self.points, e)] = True
        others = np.where(inside, self.count >= 2, self.count >= 1)
        total = int(self.length[others].sum())
        if not total:
            return None
        return int(self.length[others & inside].sum()) / total


def explained(witnesses: Mapping[str, Mapping[str, Witness]], y: str, x: str) -> float | None:
    """The share of what ``y`` shares with documents other than ``x`` that
    lies inside what it shares with ``x``; None when it shares with no other.
    (The slow twin of `Coverage.explained_by`.)"""
    mine = witnesses.get(y, {})
    others = union_spans([s for z, w in mine.items() if z != x for s in w.cover])
    total = _length(others)
    if not total:
        return None
    return _overlap(others, mine[x].cover if x in mine else []) / total


def circulation_evidence(passages: Mapping[tuple[str, str], Sequence[Passage]]
                         ) -> dict[tuple[str, str], list[Evidence]]:
    """For every pair ``(a, b)`` with passages, the circulation evidence
    (empty when the story says nothing clear about it).

    Passages between two documents only (most stories) say nothing: no
    third document carries either's wording, and neither shares text with
    any other; their evidence is empty without reading the passages
    (:func:`circulation_evidence_of_all` reads them, whatever the story)."""
    if len({d for pair in passages for d in pair}) <= 2:
        return {pair: [] for pair, ps in passages.items() if ps}
    return circulation_evidence_of_all(passages)


def circulation_evidence_of_all(passages: Mapping[tuple[str, str], Sequence[Passage]]
                                ) -> dict[tuple[str, str], list[Evidence]]:
    """:func:`circulation_evidence` by reading every story's passages."""
    witnesses = _witnesses(passages)
    coverage = {d: Coverage([w.cover for w in by.values()]) for d, by in witnesses.items()}
    out: dict[tuple[str, str], list[Evidence]] = {}
    for (a, b), ps in passages.items():
        if not ps:
            continue
        out[(a, b)] = []
        va, vb = reading_votes(witnesses, a, b, ps)
        if va != vb:
            src, copy, n_src, n_copy = (a, b, va, vb) if va > vb else (b, a, vb, va)
            out[(a, b)].append(Evidence(
                "readings", f"where {a} and {b} word the shared text differently, the other documents of the "
                            f"story carry {src}'s wording {n_src} times and {copy}'s {n_copy}",
                "a" if src == a else "b", min(W_READINGS_MAX, W_READING * (n_src - n_copy))))
        ea = coverage[a].explained_by(witnesses[a][b].cover) if b in witnesses.get(a, {}) else None  # a by b
        eb = coverage[b].explained_by(witnesses[b][a].cover) if a in witnesses.get(b, {}) else None  # b by a
        if ea is None or eb is None or abs(ea - eb) < MARGIN:
            continue
        w = W_CIRCULATION * min(1.0, abs(ea - eb) / 0.5)
        src, copy, e_src, e_copy = (a, b, ea, eb) if eb > ea else (b, a, eb, ea)
        out[(a, b)].append(Evidence(
            "circulation",
            f"{e_copy:.0%} of the text {copy} shares with other documents of the story is text it shares "
            f"with {src}; only {e_src:.0%} of what {src} shares with them is text it shares with {copy}",
            "a" if src == a else "b", w))
    return out


def reading_votes(witnesses: Mapping[str, Mapping[str, Witness]], a: str, b: str,
                  passages: Sequence[Passage]) -> tuple[int, int]:
    """Over the places ``a`` and ``b`` word differently: in how many do
    more third documents carry a's wording than b's, and the reverse. Words
    only one side has count only when some other document has them too."""
    wa, wb = witnesses.get(a, {}), witnesses.get(b, {})
    thirds = sorted((set(wa) & set(wb)) - {a, b}, key=lambda z: (zlib.crc32(z.encode("utf-8")), z))
    if not thirds:
        return 0, 0
    # a wire story has hundreds of copies; a fixed sample of them is enough to
    # tell which wording most carry, and keeps a story's cost linear
    thirds = thirds[:MAX_WITNESSES]
    va = vb = 0
    for p in passages:
        for ed in p.edits:
            ka = sum(wa[z].agrees(ed.a.start, ed.a.end) for z in thirds)
            kb = sum(wb[z].agrees(ed.b.start, ed.b.end) for z in thirds)
            if ed.op != "replace" and not (ka and kb):
                # words only one side has, and no other document with them:
                # the copy's own addition, or furniture of the source (stray
                # markup, "(See example 2)") that every copy dropped alike
                continue
            va += ka > kb
            vb += kb > ka
    return va, vb
