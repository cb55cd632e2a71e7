"""The anatomy of one derivative against its source(s).

:func:`anatomy` aligns the derivative with each source (the passages of
:mod:`newstrace.align`, plus whole source sentences found word for word in
the derivative, which the passage threshold misses when a summary reorders
short sentences), keeps the strongest passages where sources compete for
the same text, and labels every character of both sides. The rewritten
passages beside the verbatim ones (:mod:`newstrace.rewritten`, as compare
reports them) come after those in ``passages``: their sentences of the
derivative are labelled ``rewritten`` (where no verbatim text or furniture
lies) and their source sentences ``used``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from ..align import AlignParams, align_tokens, widen_close, widen_open, word_ids
from ..records import Change, Document, Edit, Flag, Passage, Segment, Span
from ..rewritten import align_rewritten, beside_verbatim
from ..sentences import split_sentences
from ..text import Tokens, tokenize
from ..boilerplate import boilerplate_spans
from .changes import passage_changes
from .headline import Headline, check_headline
from .lexicon import find_flags, stem
from .segments import tile

BORROWED = ("verbatim", "edited", "quotation", "rewritten")
KEPT_SHARE = 0.5  # a source sentence is kept when this share of its words is used
SENTENCE_MIN_WORDS = 3  # whole sentences matched on their own from this length
SENTENCE_EDIT_WORDS = 3  # an edit this long across a sentence start cuts a passage
CHUNK_MIN_WORDS = 8  # fewer matching words within one pair of sentences, under half of both: a coincidence


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


def _crosses_sentence(t: Tokens, i0: int, i1: int) -> bool:
    """Whether tokens ``[i0, i1)`` (or the gap at ``i0`` when empty) start a sentence."""
    hi = min(i1 + 1, len(t))
    return bool(t.sentence_start[i0:hi].any()) if i0 < len(t) else False


def split_at_sentence_edits(p: Passage, ta: Tokens, tb: Tokens, min_words: int,
                            min_edit_words: int = SENTENCE_EDIT_WORDS) -> list[Passage]:
    """Cut a passage where one of its edits takes out, puts in or swaps whole
    sentences (``min_edit_words`` words or more on one side, across a
    sentence start): a summary that dropped one sentence and put another
    from elsewhere in its place. Pieces keep their edits; pieces with fewer
    than ``min_words`` matching words are dropped (the sentence pass finds
    short whole sentences again)."""
    if p.kind != "passage" or not p.edits:
        return [p]
    cuts: list[Edit] = []
    for e in p.edits:
        a0, a1 = _token_range(ta, e.a.start, e.a.end)
        b0, b1 = _token_range(tb, e.b.start, e.b.end)
        if max(a1 - a0, b1 - b0) >= min_edit_words and (_crosses_sentence(ta, a0, a1) or _crosses_sentence(tb, b0, b1)):
            cuts.append(e)
    if not cuts:
        return [p]
    pieces: list[Passage] = []
    a_start, b_start = p.a.start, p.b.start
    for cut in [*cuts, None]:
        if cut is None:
            a_end, b_end = p.a.end, p.b.end
        else:
            a_end = int(ta.ends[int(np.searchsorted(ta.ends, cut.a.start, side="right")) - 1])
            b_end = int(tb.ends[int(np.searchsorted(tb.ends, cut.b.start, side="right")) - 1])
            a_end, b_end = widen_close(ta.text, tb.text, a_end, b_end)
        piece = _piece(p, ta, tb, a_start, a_end, b_start, b_end)
        if piece is not None and piece.words >= min_words:
            pieces.append(piece)
        if cut is not None:
            a_start = int(ta.starts[min(int(np.searchsorted(ta.starts, cut.a.end, side="left")), len(ta) - 1)])
            b_start = int(tb.starts[min(int(np.searchsorted(tb.starts, cut.b.end, side="left")), len(tb) - 1)])
            a_start, b_start = widen_open(ta.text, tb.text, a_start, b_start)
    return pieces


def _piece(p: Passage, ta: Tokens, tb: Tokens, a0: int, a1: int, b0: int, b1: int) -> Passage | None:
    """The part of passage ``p`` within the given spans, its edits and counts."""
    if a1 <= a0 or b1 <= b0:
        return None
    edits = tuple(e for e in p.edits if a0 <= e.a.start and e.a.end <= a1 and b0 <= e.b.start and e.b.end <= b1)
    i0, i1 = _token_range(ta, a0, a1)
    j0, j1 = _token_range(tb, b0, b1)
    ea = sum(np.subtract(*_token_range(ta, e.a.start, e.a.end)[::-1]) for e in edits)
    eb = sum(np.subtract(*_token_range(tb, e.b.start, e.b.end)[::-1]) for e in edits)
    words = (i1 - i0) - int(ea)
    if words <= 0 or words != (j1 - j0) - int(eb):
        return None
    sim = 2 * words / ((i1 - i0) + (j1 - j0))
    return Passage(a=Span(a0, a1), b=Span(b0, b1), a_text=ta.text[a0:a1], b_text=tb.text[b0:b1], words=words,
                   similarity=sim, kind="passage", edits=edits)


def _sentence_index(t: Tokens, sents: Sequence[Span]) -> np.ndarray:
    """For each token, the index of the sentence it lies in."""
    starts = np.asarray([s.start for s in sents], dtype=np.int64)
    return np.maximum(np.searchsorted(starts, t.starts, side="right") - 1, 0)


def keep_sentence_chunks(p: Passage, ta: Tokens, tb: Tokens, sa: np.ndarray, sb: np.ndarray,
                         min_words: int) -> list[Passage]:
    """Drop the stray ends of a passage: its matching words are grouped by
    the pair of sentences (source, derivative) they lie in, and a group with
    fewer than ``min_words`` words that covers less than half of both its
    sentences is a coincidence ("The … Oscar winner" in two different
    sentences), not borrowed text. The passage is cut around such groups;
    ``sa``/``sb`` give each token's sentence index."""
    if p.kind != "passage":
        return [p]
    i0, i1 = _token_range(ta, p.a.start, p.a.end)
    j0, j1 = _token_range(tb, p.b.start, p.b.end)
    in_edit_a = np.zeros(i1 - i0, dtype=bool)
    in_edit_b = np.zeros(j1 - j0, dtype=bool)
    for e in p.edits:
        x0, x1 = _token_range(ta, e.a.start, e.a.end)
        y0, y1 = _token_range(tb, e.b.start, e.b.end)
        in_edit_a[max(x0 - i0, 0):max(x1 - i0, 0)] = True
        in_edit_b[max(y0 - j0, 0):max(y1 - j0, 0)] = True
    ia = np.flatnonzero(~in_edit_a) + i0
    ib = np.flatnonzero(~in_edit_b) + j0
    if len(ia) != len(ib) or not len(ia):
        return [p]
    key_a, key_b = sa[ia], sb[ib]
    brk = np.flatnonzero((key_a[1:] != key_a[:-1]) | (key_b[1:] != key_b[:-1])) + 1
    bounds = [0, *brk.tolist(), len(ia)]
    len_a = np.bincount(sa, minlength=int(sa.max()) + 1 if len(sa) else 0)
    len_b = np.bincount(sb, minlength=int(sb.max()) + 1 if len(sb) else 0)
    good = []
    for g0, g1 in zip(bounds, bounds[1:]):
        n = g1 - g0
        whole = 2 * n >= len_a[key_a[g0]] or 2 * n >= len_b[key_b[g0]]
        good.append(n >= min_words or whole)
    if all(good):
        return [p]
    pieces: list[Passage] = []
    k = 0
    while k < len(good):
        if not good[k]:
            k += 1
            continue
        m = k
        while m + 1 < len(good) and good[m + 1]:
            m += 1
        first, last = bounds[k], bounds[m + 1] - 1
        a0, b0 = widen_open(ta.text, tb.text, int(ta.starts[ia[first]]), int(tb.starts[ib[first]]))
        a1, b1 = widen_close(ta.text, tb.text, int(ta.ends[ia[last]]), int(tb.ends[ib[last]]))
        piece = _piece(p, ta, tb, a0, a1, b0, b1)
        if piece is not None:
            pieces.append(piece)
        k = m + 1
    return pieces


def sentence_matches(ts: Tokens, td: Tokens, ids: tuple[np.ndarray, np.ndarray], s_sents: Sequence[Span],
                     d_sents: Sequence[Span], taken: Sequence[Passage],
                     min_words: int = SENTENCE_MIN_WORDS) -> list[Passage]:
    """Whole source sentences that stand word for word as whole sentences of
    the derivative, outside the passages already ``taken``.

    A sentence of the derivative starts where the sentence splitter or the
    tokenizer starts one (they differ on glued text such as "…the US.The
    …"), and ends where the next one starts or the text ends.
    """
    ia, ib = ids
    used_a = _mask_tokens(ts, [p.a for p in taken])
    used_b = _mask_tokens(td, [p.b for p in taken])
    starts = np.array(td.sentence_start, dtype=bool, copy=True)
    for s in d_sents:
        i0, _ = _token_range(td, s.start, s.end)
        if i0 < len(starts):
            starts[i0] = True
    first: dict[int, list[int]] = {}
    for j in np.flatnonzero(starts).tolist():
        first.setdefault(int(ib[j]), []).append(j)
    out: list[Passage] = []
    for s in s_sents:
        i0, i1 = _token_range(ts, s.start, s.end)
        n = i1 - i0
        if n < min_words or used_a[i0:i1].any():
            continue
        seq = ia[i0:i1]
        for j in first.get(int(seq[0]), ()):
            if (j + n == len(td) or (j + n < len(td) and starts[j + n])) and not used_b[j:j + n].any() \
                    and np.array_equal(ib[j:j + n], seq):
                b0 = int(td.starts[j])
                lead = s.start - int(ts.starts[i0])  # opening marks the source sentence starts with
                if lead and td.text[max(0, b0 - lead):b0] == ts.text[s.start:int(ts.starts[i0])]:
                    b0 -= lead
                b1 = int(td.ends[j + n - 1])
                tail = ts.text[int(ts.ends[i1 - 1]):s.end]  # closing marks the source sentence ends with
                if td.text[b1:b1 + len(tail)] == tail:
                    b1 += len(tail)
                out.append(Passage(a=s, b=Span(b0, b1), a_text=s.slice(ts.text), b_text=td.text[b0:b1],
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
    rewrites: list[tuple[str, Passage]] = []  # rewritten passages (A = a source), after the verbatim ones
    for src in sources:
        ts = tokenize(src.text)
        ids = word_ids(ts, td)
        s_sents = split_sentences(src.text)
        tokens[src.id] = (ts, s_sents)
        if passages and src.id in passages:
            found = [p for p in passages[src.id] if p.kind != "rewritten"]
            rewrites += [(src.id, p) for p in passages[src.id] if p.kind == "rewritten"]
        else:
            found = align_tokens(ts, td, params, ids=ids)
            rewrites += [(src.id, p) for p in beside_verbatim(align_rewritten(src.text, text, tokens=(ts, td)),
                                                              [p for p in found if p.kind != "boilerplate"])]
        found = [q for p in found for q in split_at_sentence_edits(p, ts, td, params.min_words)]
        s_idx, d_idx = _sentence_index(ts, s_sents), _sentence_index(td, d_sents)
        found = [q for p in found for q in keep_sentence_chunks(p, ts, td, s_idx, d_idx, CHUNK_MIN_WORDS)]
        found += sentence_matches(ts, td, ids, s_sents, d_sents, found)
        candidates += [(src.id, p) for p in found]
    kept = _resolve(candidates)
    verbatim_count = len(kept)
    kept += sorted(rewrites, key=lambda x: (x[1].b.start, x[1].a.start))

    # the derivative's labels: a rewritten passage's sentences of the
    # derivative are ``rewritten`` where nothing verbatim or furniture lies
    rewritten = [(x.b.start, x.b.end, "rewritten", sid, k) for k, (sid, p) in enumerate(kept)
                 if k >= verbatim_count for x in p.sentences]
    boiler = [(s.start, s.end, "boilerplate", None, None) for s in boilerplate_spans(text)]
    borrowed = []
    for k, (sid, p) in enumerate(kept[:verbatim_count]):
        borrowed.append((p.b.start, p.b.end, "quotation" if p.kind == "quotation" else "verbatim", sid, k))
        borrowed += [(s.start, s.end, "edited", sid, k) for s in _edited_spans(p, d_sents)]
    segments = tile(text, "added", [rewritten, boiler, borrowed])

    # each source's labels, sentences, changes and flags
    source_segments: dict[str, tuple[Segment, ...]] = {}
    source_sentences: dict[str, tuple[SentenceUse, ...]] = {}
    used_spans: dict[str, list[Span]] = {}
    changes: list[Change] = []
    flags: list[Flag] = []
    share_used: dict[str, float] = {}
    for src in sources:
        ts, s_sents = tokens[src.id]
        # the source text used: verbatim passages, and the source sentences of rewritten ones
        spans = [p.a for sid, p in kept[:verbatim_count] if sid == src.id]
        spans += [x.a for sid, p in kept[verbatim_count:] if sid == src.id for x in p.sentences]
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
        words_by_label={k: counts.get(k, 0) for k in ("verbatim", "edited", "quotation", "rewritten", "added",
                                                      "boilerplate")},
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

    from .headline import TERM, term_key

    head_keys = {term_key(t.text) for t in headline.terms if t.in_source and t.kind in ("claim", "number")}
    qualifying = {(q.source, q.start) for q in headline.qualifiers}
    index: dict[str, dict[int, int]] = {sid: {u.start: k for k, u in enumerate(us)} for sid, us in sentences.items()}
    out: list[Flag] = []
    words: dict[tuple[str, int, int], set[str]] = {}
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
        key = (f.source, f.sentence.start, f.sentence.end)
        if key not in words:  # a sentence's terms once, however many flags it holds
            words[key] = {term_key(m.group()) for m in TERM.finditer(text, f.sentence.start, f.sentence.end)}
        about = bool(head_keys & words[key]) or (f.source, f.start) in qualifying
        if not (inside or near or about):
            continue
        out.append(replace(f, weight=f.weight + 1.5 * inside + 0.5 * near + 1.5 * about))
    return out


__all__ = ["Anatomy", "AnatomyError", "AnatomySummary", "SentenceUse", "anatomy", "sentence_matches", "stem"]
