"""The anatomy of one derivative against its source(s).

:func:`anatomy` aligns the derivative with each source (the passages of
:mod:`newstrace.align`, plus whole source sentences found word for word in
the derivative, which the passage threshold misses when a summary reorders
short sentences), keeps the strongest passages where sources compete for
the same text, and labels every character of both sides.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from ..align import AlignParams, align_tokens, word_ids
from ..records import Change, Document, Flag, Passage, Segment, Span
from ..sentences import split_sentences
from ..text import Tokens, tokenize
from .boilerplate import boilerplate_spans
from .changes import passage_changes
from .headline import Headline, check_headline
from .lexicon import find_flags, stem
from .segments import tile

BORROWED = ("verbatim", "edited", "quotation")
KEPT_SHARE = 0.5  # a source sentence is kept when this share of its words is used
SENTENCE_MIN_WORDS = 3  # whole sentences matched on their own from this length


class AnatomyError(ValueError):
    """The arguments of :func:`anatomy` cannot be used (the message says why and what to do)."""


@dataclass(frozen=True, slots=True)
class SentenceUse:
    """One sentence of a source: the share of its words the derivative used, and whether it was kept."""

    start: int
    end: int
    used: float
    kept: bool

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "used": round(self.used, 4), "kept": self.kept}


@dataclass(frozen=True, slots=True)
class AnatomySummary:
    """Summary figures; shares are of word tokens."""

    words: int
    words_by_label: Mapping[str, int]
    share_borrowed: float
    share_added: float
    share_boilerplate: float
    share_used: Mapping[str, float]
    sentences_kept: Mapping[str, tuple[int, int]]
    omissions: int
    omissions_by_reason: Mapping[str, int]
    changes: int
    changes_by_kind: Mapping[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "words": self.words,
            "words_by_label": dict(self.words_by_label),
            "share_borrowed": round(self.share_borrowed, 4),
            "share_added": round(self.share_added, 4),
            "share_boilerplate": round(self.share_boilerplate, 4),
            "share_used": {k: round(v, 4) for k, v in self.share_used.items()},
            "sentences_kept": {k: {"kept": a, "sentences": b} for k, (a, b) in self.sentences_kept.items()},
            "omissions": self.omissions,
            "omissions_by_reason": dict(self.omissions_by_reason),
            "changes": self.changes,
            "changes_by_kind": dict(self.changes_by_kind),
        }


@dataclass(frozen=True, slots=True)
class Anatomy:
    """Borrowed, changed, added and left out: one derivative against its sources.

    passages:         ``(source id, passage)`` in the derivative's order; a
                      passage's A side is in the source, B in the derivative.
    segments:         labels tiling the derivative's text.
    source_segments:  labels (``used``/``left_out``) tiling each source's text.
    source_sentences: each source's sentences, with the share used and kept.
    omissions:        flagged words of the sources the derivative left out,
                      in source order (``weight`` ranks the short list).
    changes:          classified changes inside borrowed passages.
    headline:         the headline check.
    """

    derivative: Document
    sources: tuple[Document, ...]
    passages: tuple[tuple[str, Passage], ...]
    segments: tuple[Segment, ...]
    source_segments: Mapping[str, tuple[Segment, ...]]
    source_sentences: Mapping[str, tuple[SentenceUse, ...]]
    omissions: tuple[Flag, ...]
    changes: tuple[Change, ...]
    headline: Headline
    summary: AnatomySummary
    notes: tuple[str, ...] = field(default=())

    def source(self, source_id: str) -> Document:
        return next(s for s in self.sources if s.id == source_id)

    def as_dict(self) -> dict[str, Any]:
        texts = {s.id: s.text for s in self.sources}
        text = self.derivative.text
        return {
            "derivative": _doc_dict(self.derivative),
            "sources": [_doc_dict(s) for s in self.sources],
            "summary": self.summary.as_dict(),
            "segments": [s.as_dict(text) for s in self.segments],
            "source_segments": {sid: [s.as_dict(texts[sid]) for s in segs]
                                for sid, segs in self.source_segments.items()},
            "source_sentences": {sid: [s.as_dict() for s in ss] for sid, ss in self.source_sentences.items()},
            "passages": [{"source": sid, **p.as_dict()} for sid, p in self.passages],
            "changes": [c.as_dict() for c in self.changes],
            "omissions": [o.as_dict(texts[o.source]) for o in self.omissions],
            "headline": self.headline.as_dict(text, texts),
            "notes": list(self.notes),
        }


def _doc_dict(d: Document) -> dict[str, Any]:
    return {"id": d.id, "path": d.source_path, "title": d.title, "outlet": d.outlet,
            "published": d.published.isoformat() if d.published else None, "length": len(d.text)}


# --------------------------------------------------------------------------
# matching


def _token_range(t: Tokens, s: int, e: int) -> tuple[int, int]:
    i0 = int(np.searchsorted(t.starts, s, side="left"))
    i1 = int(np.searchsorted(t.ends, e, side="right"))
    return i0, max(i0, i1)


def _mask_tokens(t: Tokens, spans: Sequence[Span]) -> np.ndarray:
    """Which tokens of ``t`` lie inside one of ``spans``."""
    m = np.zeros(len(t), dtype=bool)
    for sp in spans:
        i0, i1 = _token_range(t, sp.start, sp.end)
        m[i0:i1] = True
    return m


def sentence_matches(ts: Tokens, td: Tokens, ids: tuple[np.ndarray, np.ndarray], s_sents: Sequence[Span],
                     d_sents: Sequence[Span], taken: Sequence[Passage],
                     min_words: int = SENTENCE_MIN_WORDS) -> list[Passage]:
    """Whole source sentences that stand word for word as whole sentences of
    the derivative, outside the passages already ``taken``."""
    ia, ib = ids
    used_a = _mask_tokens(ts, [p.a for p in taken])
    used_b = _mask_tokens(td, [p.b for p in taken])
    d_at: dict[int, Span] = {}
    d_end: set[int] = set()
    for s in d_sents:
        i0, i1 = _token_range(td, s.start, s.end)
        if i1 > i0:
            d_at[i0] = s
            d_end.add(i1)
    first = {}
    for j in d_at:
        first.setdefault(int(ib[j]), []).append(j)
    out: list[Passage] = []
    for s in s_sents:
        i0, i1 = _token_range(ts, s.start, s.end)
        n = i1 - i0
        if n < min_words or used_a[i0:i1].any():
            continue
        seq = ia[i0:i1]
        for j in first.get(int(seq[0]), ()):
            if j + n in d_end and not used_b[j:j + n].any() and np.array_equal(ib[j:j + n], seq):
                d = d_at[j]
                end = next(x.end for x in d_sents if x.start >= d.start and _token_range(td, x.start, x.end)[1] == j + n)
                out.append(Passage(a=s, b=Span(d.start, end), a_text=s.slice(ts.text), b_text=td.text[d.start:end],
                                   words=n, similarity=1.0, kind="passage"))
                used_a[i0:i1] = True
                used_b[j:j + n] = True
                break
    return out


def _resolve(candidates: list[tuple[str, Passage]]) -> list[tuple[str, Passage]]:
    """Strongest first; a passage overlapping a kept one in the derivative
    (or, from the same source, in the source) is dropped."""
    kept: list[tuple[str, Passage]] = []
    for sid, p in sorted(candidates, key=lambda c: (-c[1].words, c[1].kind == "quotation", c[1].b.start)):
        if any(p.b.overlaps(q.b) or (sid == ks and p.a.overlaps(q.a)) for ks, q in kept):
            continue
        kept.append((sid, p))
    return sorted(kept, key=lambda c: (c[1].b.start, c[1].b.end))


# --------------------------------------------------------------------------
# the anatomy


def _check(derivative: Document, sources: Sequence[Document]) -> None:
    if not sources:
        raise AnatomyError("no source given: pass the derivative and at least one source")
    ids = [s.id for s in sources]
    if len(set(ids)) != len(ids):
        raise AnatomyError("two sources have the same id; give sources with distinct ids (file names)")
    if derivative.id in ids:
        raise AnatomyError(f"{derivative.id!r} is both the derivative and a source; give distinct documents")


def _edited_spans(p: Passage, d_sents: Sequence[Span]) -> list[Span]:
    """The derivative's sentences inside passage ``p`` that hold a word edit, clipped to it."""
    out: list[Span] = []
    for e in p.edits:
        for s in d_sents:
            if s.start <= e.b.end and e.b.start <= s.end and (e.b.start < s.end or e.b.start == s.end == e.b.end):
                out.append(Span(max(s.start, p.b.start), min(s.end, p.b.end)))
    return out


def _word_labels(t: Tokens, segments: Sequence[Segment]) -> list[str]:
    starts = np.asarray([s.start for s in segments], dtype=np.int64)
    idx = np.searchsorted(starts, t.starts, side="right") - 1
    return [segments[i].label for i in idx.tolist()]


def anatomy(derivative: Document, sources: Sequence[Document], params: AlignParams | None = None, *,
            passages: Mapping[str, Sequence[Passage]] | None = None, notes: Sequence[str] = ()) -> Anatomy:
    """Label every character of ``derivative`` and of each of ``sources``.

    ``passages`` may give, per source id, passages already found (A = that
    source, B = the derivative); otherwise each source is aligned here.

    Raises :class:`AnatomyError` when no source is given or ids clash.
    """
    _check(derivative, sources)
    params = params or AlignParams()
    text = derivative.text
    td = tokenize(text)
    d_sents = split_sentences(text)
    tokens: dict[str, tuple[Tokens, tuple[Span, ...]]] = {}
    candidates: list[tuple[str, Passage]] = []
    for src in sources:
        ts = tokenize(src.text)
        ids = word_ids(ts, td)
        s_sents = split_sentences(src.text)
        tokens[src.id] = (ts, s_sents)
        found = list(passages[src.id]) if passages and src.id in passages else align_tokens(ts, td, params, ids=ids)
        found += sentence_matches(ts, td, ids, s_sents, d_sents, found)
        candidates += [(src.id, p) for p in found]
    kept = _resolve(candidates)

    # the derivative's labels
    boiler = [(s.start, s.end, "boilerplate", None, None) for s in boilerplate_spans(text)]
    borrowed = []
    for k, (sid, p) in enumerate(kept):
        borrowed.append((p.b.start, p.b.end, "quotation" if p.kind == "quotation" else "verbatim", sid, k))
        borrowed += [(s.start, s.end, "edited", sid, k) for s in _edited_spans(p, d_sents)]
    segments = tile(text, "added", [boiler, borrowed])

    # each source's labels, sentences, changes and flags
    source_segments: dict[str, tuple[Segment, ...]] = {}
    source_sentences: dict[str, tuple[SentenceUse, ...]] = {}
    used_spans: dict[str, list[Span]] = {}
    changes: list[Change] = []
    flags: list[Flag] = []
    share_used: dict[str, float] = {}
    for src in sources:
        ts, s_sents = tokens[src.id]
        spans = [p.a for sid, p in kept if sid == src.id]
        used_spans[src.id] = spans
        source_segments[src.id] = tile(src.text, "left_out", [[(s.start, s.end, "used", None, None) for s in spans]])
        used_tok = _mask_tokens(ts, spans)
        share_used[src.id] = float(used_tok.mean()) if len(ts) else 0.0
        uses = []
        for s in s_sents:
            i0, i1 = _token_range(ts, s.start, s.end)
            u = float(used_tok[i0:i1].mean()) if i1 > i0 else 0.0
            uses.append(SentenceUse(s.start, s.end, u, u >= KEPT_SHARE))
        source_sentences[src.id] = tuple(uses)
        used_chars = np.zeros(len(src.text), dtype=bool)
        for s in spans:
            used_chars[s.start:s.end] = True
        for f in find_flags(src.id, src.text, s_sents):
            flags.append(_replace_used(f, bool(used_chars[f.start:f.end].mean() >= 0.5)))
    for k, (sid, p) in enumerate(kept):
        changes += passage_changes(p, k, sid, tokens[sid][0], td)

    headline = check_headline(derivative, segments, sources, used_spans, flags)
    omissions = _omissions(flags, source_sentences, {s.id: s.text for s in sources}, headline)

    labels = _word_labels(td, segments) if len(td) else []
    counts = Counter(labels)
    n = max(len(td), 1)
    summary = AnatomySummary(
        words=len(td),
        words_by_label={k: counts.get(k, 0) for k in ("verbatim", "edited", "quotation", "added", "boilerplate")},
        share_borrowed=sum(counts.get(k, 0) for k in BORROWED) / n,
        share_added=counts.get("added", 0) / n,
        share_boilerplate=counts.get("boilerplate", 0) / n,
        share_used=share_used,
        sentences_kept={sid: (sum(u.kept for u in us), len(us)) for sid, us in source_sentences.items()},
        omissions=len(omissions),
        omissions_by_reason=dict(Counter(o.reason for o in omissions)),
        changes=len(changes),
        changes_by_kind=dict(Counter(c.kind for c in changes)),
    )
    return Anatomy(derivative, tuple(sources), tuple(kept), segments, source_segments, source_sentences,
                   tuple(omissions), tuple(changes), headline, summary, tuple(notes))


def _replace_used(f: Flag, used: bool) -> Flag:
    from dataclasses import replace

    return replace(f, used=used)


def _omissions(flags: Sequence[Flag], sentences: Mapping[str, Sequence[SentenceUse]], texts: Mapping[str, str],
               headline: Headline) -> list[Flag]:
    """The flags the derivative left out that matter: in a sentence it used
    part of, next to one it used (same paragraph), about a claim or number
    of its headline or lead, or qualifying such a claim (the headline
    check's qualifiers). Weighted: a cut inside a used sentence and what
    qualifies the headline weigh most."""
    from dataclasses import replace

    from .headline import _TERM, _key

    head_keys = {_key(t.text) for t in headline.terms if t.in_source and t.kind in ("claim", "number")}
    qualifying = {(q.source, q.start) for q in headline.qualifiers}
    index: dict[str, dict[int, int]] = {sid: {u.start: k for k, u in enumerate(us)} for sid, us in sentences.items()}
    out: list[Flag] = []
    for f in flags:
        if f.used:
            continue
        us = sentences[f.source]
        k = index[f.source].get(f.sentence.start)
        if k is None:
            continue
        text = texts[f.source]
        inside = us[k].used > 0
        near = any(0 <= j < len(us) and us[j].used > 0 and "\n\n" not in text[min(us[j].end, us[k].end):max(us[j].start, us[k].start)]
                   for j in (k - 1, k + 1))
        words = {_key(m.group()) for m in _TERM.finditer(text, f.sentence.start, f.sentence.end)}
        about = bool(head_keys & words) or (f.source, f.start) in qualifying
        if not (inside or near or about):
            continue
        out.append(replace(f, weight=f.weight + 1.5 * inside + 0.5 * near + 1.5 * about))
    return out


__all__ = ["Anatomy", "AnatomyError", "AnatomySummary", "SentenceUse", "anatomy", "sentence_matches", "stem"]
