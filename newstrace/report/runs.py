"""Highlighted text as runs: ``(text, label, attrs)`` pieces a template escapes one by one.

Article text is untrusted. Nothing here produces markup: a run carries the
raw text, a label from a fixed vocabulary (it becomes a CSS class) and a few
attributes with values made here (passage numbers, offsets). The templates
escape the text and every attribute value, so hostile text stays text.

Over a derivative, :func:`derivative_runs` paints the anatomy's segments
(verbatim, edited, quotation, added, boilerplate), marks the words an edit
inserted or replaced (``ins``) and shows, where an edit replaced or deleted
words, the source's words struck through (``del``, text that is not in the
derivative). Over a source, :func:`source_runs` paints used and left-out
text, the words the derivative changed and the flagged omissions.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from ..records import Flag, Passage, Segment

LABELS = frozenset({"verbatim", "edited", "quotation", "rewritten", "added", "boilerplate", "used", "left_out",
                    "plain"})
TAGS = frozenset({"span", "del", "ins", "mark"})


@dataclass(frozen=True, slots=True)
class Run:
    """A piece of text to show: ``tag`` and ``label`` from fixed sets, ``attrs`` data-* values.

    ``passage`` is the index of the borrowed passage the run belongs to
    (``None`` outside one); ``start`` its offset in the text (``None`` for
    words shown from the other side, such as struck source words).
    """

    text: str
    label: str
    tag: str = "span"
    passage: int | None = None
    start: int | None = None
    extra: tuple[str, ...] = field(default=())  # more CSS classes, from a fixed vocabulary

    def __post_init__(self) -> None:
        if self.label not in LABELS or self.tag not in TAGS:
            raise ValueError(f"run label {self.label!r} / tag {self.tag!r} not allowed")

    @property
    def css(self) -> str:
        return " ".join((f"k-{self.label}", *self.extra))


def _cuts(n: int, spans: Iterable[tuple[int, int]]) -> list[int]:
    pts = {0, n}
    for s, e in spans:
        pts.add(min(max(s, 0), n))
        pts.add(min(max(e, 0), n))
    return sorted(pts)


def _covering(starts: Sequence[int], items: Sequence, pos: int):
    """The item (sorted by start, non-overlapping) whose span holds ``pos``."""
    k = bisect.bisect_right(starts, pos) - 1
    if k >= 0:
        it = items[k]
        if it[0] <= pos < it[1]:
            return it
    return None


def _in_any(spans: Sequence[tuple[int, int]], pos: int) -> bool:
    return any(s <= pos < e for s, e in spans)


def _merge(runs: list[Run]) -> list[Run]:
    out: list[Run] = []
    for r in runs:
        if out and r.tag == "span" and out[-1].tag == "span" and (out[-1].label, out[-1].passage, out[-1].extra) == (
                r.label, r.passage, r.extra):
            out[-1] = Run(out[-1].text + r.text, r.label, "span", r.passage, out[-1].start, r.extra)
        else:
            out.append(r)
    return out


def passage_label(p: Passage) -> str:
    """``quotation``, ``rewritten``, ``edited`` (a passage with word-level
    edits) or ``verbatim``."""
    if p.kind in ("quotation", "rewritten"):
        return p.kind
    return "edited" if p.edits else "verbatim"


def derivative_runs(text: str, segments: Sequence[Segment], passages: Sequence[Passage],
                    *, show_deleted: bool = True) -> list[Run]:
    """Runs over a derivative: segments by label, edits as ``ins`` and struck ``del``.

    ``passages`` are indexed as the segments' ``passage`` field; their B side
    is in ``text``, A side in the source.
    """
    n = len(text)
    segs = [(s.start, s.end, s.label, s.passage) for s in segments]
    seg_starts = [s[0] for s in segs]
    ins_spans: list[tuple[int, int, int]] = []
    deleted: dict[int, list[tuple[str, int]]] = {}  # position in text -> struck source words
    for k, p in enumerate(passages):
        for e in p.edits:
            if e.op in ("replace", "insert") and e.b.end > e.b.start:
                ins_spans.append((e.b.start, e.b.end, k))
            if show_deleted and e.op in ("replace", "delete") and e.a_text.strip():
                deleted.setdefault(e.b.start, []).append((e.a_text, k))
    ins_spans.sort()
    ins_starts = [s[0] for s in ins_spans]
    cuts = _cuts(n, [(s, e) for s, e, *_ in segs] + [(s, e) for s, e, _ in ins_spans] + [(p, p) for p in deleted])
    runs: list[Run] = []
    for a, b in zip(cuts, cuts[1:] + [n]):
        for word, k in deleted.pop(a, []):
            runs.append(Run(word, "edited", "del", k, None, ("gone",)))
        if a >= b:
            continue
        seg = _covering(seg_starts, segs, a)
        label, passage = (seg[2], seg[3]) if seg else ("plain", None)
        ins = _covering(ins_starts, ins_spans, a)
        if ins is not None:
            runs.append(Run(text[a:b], label, "ins", ins[2] if passage is None else passage, a))
        else:
            runs.append(Run(text[a:b], label, "span", passage, a))
    return _merge(runs)


def source_runs(text: str, segments: Sequence[Segment], passages: Sequence[Passage | None],
                omissions: Sequence[Flag] = ()) -> list[Run]:
    """Runs over a source: used / left out, the words the derivative changed
    (``del``), and flagged omissions (``mark``).

    ``passages`` are numbered as in the anatomy, with ``None`` for those taken
    from other sources. Text inside a passage's A side is tied to it and
    labelled with its kind (:func:`passage_label`), so both sides of a
    passage show the same colour; other used text keeps ``used``.
    """
    n = len(text)
    segs = [(s.start, s.end, s.label) for s in segments]
    seg_starts = [s[0] for s in segs]
    pspans = sorted((p.a.start, p.a.end, k) for k, p in enumerate(passages) if p is not None)
    changed = [(e.a.start, e.a.end) for p in passages if p is not None for e in p.edits
               if e.op in ("replace", "delete") and e.a.end > e.a.start]
    flags = [(f.start, f.end) for f in omissions if not f.used]
    cuts = _cuts(n, [(s, e) for s, e, _ in segs] + [(s, e) for s, e, _ in pspans] + changed + flags)
    runs: list[Run] = []
    for a, b in zip(cuts, cuts[1:]):
        if a >= b:
            continue
        seg = _covering(seg_starts, segs, a)
        owner = next((k for s, e, k in pspans if s <= a < e), None)
        mine = passages[owner] if owner is not None else None  # not None: pspans holds only passages
        label = passage_label(mine) if mine is not None else (seg[2] if seg else "plain")
        if _in_any(flags, a):
            runs.append(Run(text[a:b], label, "mark", owner, a, ("omission",)))
        elif _in_any(changed, a):
            runs.append(Run(text[a:b], label, "del", owner, a))
        else:
            runs.append(Run(text[a:b], label, "span", owner, a))
    return _merge(runs)


def plain_runs(text: str, passages: Sequence[tuple[int, int, str]] = ()) -> list[Run]:
    """Runs over a text with only passage spans ``(start, end, kind)`` painted
    (``kind`` one of the borrowed labels); the rest plain."""
    spans = sorted((s, e, k, lab) for k, (s, e, lab) in enumerate(passages))
    starts = [s[0] for s in spans]
    runs = []
    cuts = _cuts(len(text), [(s, e) for s, e, *_ in spans])
    for a, b in zip(cuts, cuts[1:]):
        if a >= b:
            continue
        hit = _covering(starts, spans, a)
        runs.append(Run(text[a:b], hit[3] if hit else "plain", "span", hit[2] if hit else None, a))
    return _merge(runs)


def passage_by_source(passages: Sequence[tuple[str, Passage]], source_id: str) -> list[Passage | None]:
    """The passages of an anatomy, with those from other sources blanked (keeps the numbering)."""
    return [p if sid == source_id else None for sid, p in passages]


def label_counts(runs: Iterable[Run]) -> Mapping[str, int]:
    out: dict[str, int] = {}
    for r in runs:
        if r.tag != "del" or r.start is not None:
            out[r.label] = out.get(r.label, 0) + len(r.text)
    return out
