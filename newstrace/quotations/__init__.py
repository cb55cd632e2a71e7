"""Quotations and who said them, within one article and across articles.

- :func:`find_quotations` lists an article's direct quotations (between
  quotation marks, spans without the marks) and its reported speech, each
  with its speaker (:mod:`.extract`, :mod:`.speakers`, :mod:`.reported`);
- :func:`link_quotations` links the same quotation across articles and flags
  altered words, conflicting speakers and quotations carried without their
  attribution (:mod:`.links`).

Rules and lexicons only: nothing is downloaded.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import regex

from ..excerpt import excerpt
from ..labels import document_label
from ..records import Document, Quotation, Span
from .extract import MarkedSpan, find_marked_spans, paragraphs
from .links import QuoteLink, link_quotations, link_story_quotations
from .reported import ACCORDING, ACCORDING_AFTER, ACCORDING_WORDS, HAS_REPORT_WORD, LEAD, NEGATED, TRAIL
from .speakers import (MentionIndex, Speaker, attribution_after, attribution_before, mask_markup, mask_markup_slow, mentions,
                       parse_speaker, resolve, subject, SENT_END, is_abbrev_at)

__all__ = ["Quotation", "QuoteLink", "find_quotations", "link_quotations", "quotation_report", "render_text",
           "travels"]


def _sentences(text: str, p0: int, p1: int, inside: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence ranges of the paragraph ``[p0, p1)``; full stops inside a
    quotation or after an abbreviation do not end one. (The reference for
    :class:`_ParagraphSentences`, which answers the same for every prefix of a
    paragraph without reading the paragraph again.)"""
    starts = [a for a, _ in inside]
    out, at = [], p0
    for m in SENT_END.finditer(text, p0, p1):
        k = m.start()
        i = bisect.bisect_right(starts, k) - 1
        if i >= 0 and inside[i][0] <= k < inside[i][1]:
            continue
        if is_abbrev_at(text, k):
            continue
        end = m.end()
        while end < p1 and text[end] in _CLOSERS:
            end += 1
        if end > at:
            out.append((at, end))
        at = end
        while at < p1 and text[at].isspace():
            at += 1
    if at < p1:
        out.append((at, p1))
    return out


_CLOSERS = "\u201d\"\u2019)"
# what SENT_END's look-ahead reads after a mark before the character that decides
_LOOKAHEAD_RUN = regex.compile("[\\s\"\u201d\u2019)]+")


# The attribution after a quotation is read in the rest of its sentence, but no
# further than this many characters: a "sentence" of a page without full stops
# can run for the whole page, and reading the rest again for each of its
# quotations cost quotations x page. (Before a quotation the patterns are
# anchored at the sentence start and read at most a few hundred characters.)
ATTRIBUTION_CHARS = 1000


class _ParagraphSentences:
    """The sentences of one paragraph ``[p0, p1)`` (as :func:`_sentences`),
    read once, and from them the sentence start and end around any position.

    A quotation's sentence start is that of the paragraph's prefix up to the
    quotation's opening mark, and that prefix's sentences are the
    paragraph's, but for a mark whose look-ahead runs (over spaces, closing
    quotes and brackets) up to the prefix's end: reading the prefix again for
    each quotation cost the square of a long paragraph full of quotations.
    """

    def __init__(self, text: str, p0: int, p1: int, inside: list[tuple[int, int]], starts: list[int]) -> None:
        self.text, self.p0, self.p1, self.inside, self.starts = text, p0, p1, inside, starts
        self.sentences: list[tuple[int, int]] = []
        self.marks: list[int] = []  # the accepted sentence marks, in order
        self.at_after: list[int] = []  # the sentence start after each accepted mark
        self.sentence_mark: list[int] = []  # the mark that ended each sentence (-1: the paragraph's end)
        at = p0
        for m in SENT_END.finditer(text, p0, p1):
            k = m.start()
            if self._inside(k) or is_abbrev_at(text, k):
                continue
            end = m.end()
            while end < p1 and text[end] in _CLOSERS:
                end += 1
            if end > at:
                self.sentences.append((at, end))
                self.sentence_mark.append(k)
            at = end
            while at < p1 and text[at].isspace():
                at += 1
            self.marks.append(k)
            self.at_after.append(at)
        if at < p1:
            self.sentences.append((at, p1))
            self.sentence_mark.append(-1)
        # the latest sentence end that can open a quotation's sentence, up to each sentence
        self.best_end: list[int] = []
        best = p0
        for a, b in self.sentences:
            if text[b - 1] in ".!?\u201d\"" and b - a > 1 and not text[a:b].rstrip().endswith(","):
                best = max(best, b)
            self.best_end.append(best)
        # the runs of look-ahead characters, read when a quotation first asks (most paragraphs have none)
        self.run_starts: list[int] | None = None
        self.run_ends: list[int] = []
        self._skipped: dict[int, int] = {}

    def _inside(self, k: int) -> bool:
        i = bisect.bisect_right(self.starts, k) - 1
        return i >= 0 and self.inside[i][0] <= k < self.inside[i][1]

    def start_before(self, pos: int) -> int:
        """The start of the sentence that holds a quotation opening at ``pos``
        (as ``_sentence_start`` reads the paragraph's prefix up to ``pos``)."""
        text, p0 = self.text, self.p0
        if pos <= p0:
            return p0
        if self.run_starts is None:
            runs = [m.span() for m in _LOOKAHEAD_RUN.finditer(text, p0, self.p1)]
            self.run_starts = [a for a, _ in runs]
            self.run_ends = [b for _, b in runs]
        # r: where the run of look-ahead characters that ends at pos begins
        i = bisect.bisect_right(self.run_starts, pos - 1) - 1
        r = self.run_starts[i] if i >= 0 and self.run_ends[i] > pos - 1 else pos
        # marks before r - 1 read the same with or without the text from pos on
        t = bisect.bisect_left(self.marks, r - 1)
        n = bisect.bisect_left(self.sentence_mark, r - 1, hi=len(self.sentence_mark) - (self.sentence_mark[-1:] == [-1]))
        start = self.best_end[n - 1] if n else p0
        at = self.at_after[t - 1] if t else p0
        k = r - 1
        if k >= p0 and text[k] in ".!?":
            m = SENT_END.match(text, k, pos)
            if m is not None and not self._inside(k) and not is_abbrev_at(text, k):
                end = m.end()
                while end < pos and text[end] in _CLOSERS:
                    end += 1
                if at < end < pos and text[end - 1] in ".!?\u201d\"" and end - at > 1 \
                        and not text[at:end].rstrip().endswith(","):
                    start = max(start, end)
        u = self._skipped.get(start)
        if u is None:  # the white space after a sentence end, read once for all the quotations after it
            u = start
            while u < len(text) and text[u].isspace():
                u += 1
            self._skipped[start] = u
        return min(u, pos)

    def end_after(self, pos: int) -> int:
        """The end of the sentence a quotation closing before ``pos`` is in."""
        t = bisect.bisect_left(self.marks, pos)
        return self.marks[t] + 1 if t < len(self.marks) else self.p1


def _clip(text: str, s: int, e: int) -> tuple[int, int]:
    while e > s and text[e - 1] in " .,;:!?\n\t":
        e -= 1
    while s < e and text[s].isspace():
        s += 1
    return s, e


class _ParagraphSentencesSlow:
    """:class:`_ParagraphSentences` as it was: each prefix read again."""

    def __init__(self, text: str, p0: int, p1: int, inside: list[tuple[int, int]], starts: list[int]) -> None:
        self.text, self.p0, self.p1, self.inside = text, p0, p1, inside
        self.sentences = _sentences(text, p0, p1, inside)

    def start_before(self, pos: int) -> int:
        return _sentence_start(self.text, self.p0, pos, self.inside)

    def end_after(self, pos: int) -> int:
        return _sentence_end(self.text, pos, self.p1, self.inside)


@lru_cache(maxsize=1024)
def find_quotations(text: str) -> tuple[Quotation, ...]:
    """The quotations of one article, in text order (see the package doc).

    Never raises on odd input: unbalanced quotation marks give the best
    reading and a warning on the quotation concerned. Linear in the text
    on any input (``benchmarks/bench_text_rules.py``).
    """
    return _find_quotations(text, mask_markup, _ParagraphSentences)


def find_quotations_slow(text: str) -> tuple[Quotation, ...]:
    """:func:`find_quotations` by the obviously-correct rules it was first
    written with (each sentence prefix read again for each quotation, the
    markdown masked by one regular expression): quadratic on a long
    paragraph full of quotations, the reference for the property tests."""
    return _find_quotations(text, mask_markup_slow, _ParagraphSentencesSlow, words_first=False)


def _find_quotations(text: str, mask, paragraph_sentences, *, words_first: bool = True) -> tuple[Quotation, ...]:
    masked = mask(text)
    marked, stray = find_marked_spans(text)
    known = MentionIndex(mentions(masked))
    paras = paragraphs(text)
    inside = [(q.open_at, (q.close_at + 1) if q.close_at is not None else q.end) for q in marked]
    para_starts = [p for p, _ in paras]

    def para_of(pos: int) -> int:
        return max(0, bisect.bisect_right(para_starts, pos) - 1)

    # events in text order: ("direct", MarkedSpan) and ("reported", (start, end, Speaker))
    events: list[tuple[int, str, MarkedSpan | tuple[int, int, Speaker]]] = [(q.start, "direct", q) for q in marked]
    inside_starts = [a for a, _ in inside]
    sentences = [paragraph_sentences(masked, p0, p1, inside, inside_starts) for p0, p1 in paras]
    for ps in sentences:
        for s0, s1 in ps.sentences:
            rep = _reported(masked, s0, s1, words_first)
            if rep is not None:
                events.append((rep[0], "reported", rep))
    events.sort(key=lambda e: (e[0], e[1]))

    out: list[Quotation] = []
    last: tuple[str | None, str | None] = (None, None)  # the last speaker named, for pronouns
    last_in_para: dict[int, tuple[str | None, str | None, Span | None]] = {}
    for _, _what, item in events:
        if isinstance(item, MarkedSpan):  # "direct"
            q = item
            if q.kind == "scare":
                out.append(Quotation(start=q.start, end=q.end, text=text[q.start:q.end], kind="scare",
                                     warnings=q.warnings))
                continue
            pi = para_of(q.start)
            p0, p1 = paras[pi]
            after_at = (q.close_at + 1) if q.close_at is not None else q.end
            s_start = sentences[pi].start_before(q.open_at)
            s_end = min(sentences[pi].end_after(after_at), after_at + ATTRIBUTION_CHARS)
            sp = attribution_after(masked, after_at, s_end)
            if sp is None or (sp.label is None and not sp.pronoun):
                sp = attribution_before(masked, s_start, q.open_at)
            who = _settle(sp, q.start, known, last)
            if who[0] is None and pi in last_in_para:
                who = last_in_para[pi]
            elif who[0] is None and q.open_at == p0 and pi > 0:
                sents = sentences[pi - 1].sentences
                for a, b in sents[-1:] + sents[:1]:
                    if masked[a] in "\u201c\"\u00ab":
                        continue
                    sub = attribution_before(masked, a, b) if masked[a:b].rstrip().endswith(":") else None
                    sub = sub if sub is not None and sub.name else subject(masked, a, b)
                    if sub is not None:
                        who = _settle(sub, q.start, known, last)
                        break
            if who[0] is not None:
                last = who[:2]
                last_in_para[pi] = who
            out.append(Quotation(start=q.start, end=q.end, text=text[q.start:q.end], speaker=who[0],
                                 speaker_role=who[1], speaker_span=who[2], warnings=q.warnings))
        else:
            s, e, sp = item
            who = _settle(sp, s, known, last)
            if who[0] is None:
                continue
            last = who[:2]
            out.append(Quotation(start=s, end=e, text=text[s:e], speaker=who[0], speaker_role=who[1],
                                 speaker_span=who[2], direct=False))
    out.sort(key=lambda x: (x.start, x.end))
    for pos, msg in stray:  # a stray closing mark: said on the quotation nearest to it
        if out:
            k = min(range(len(out)), key=lambda i: min(abs(out[i].start - pos), abs(out[i].end - pos)))
            near = out[k]
            out[k] = Quotation(start=near.start, end=near.end, text=near.text, speaker=near.speaker,
                               speaker_role=near.speaker_role, speaker_span=near.speaker_span, direct=near.direct,
                               kind=near.kind, warnings=near.warnings + (msg,))
    return tuple(out)


def _sentence_start(text: str, p0: int, pos: int, inside: list[tuple[int, int]]) -> int:
    start = p0
    for a, b in _sentences(text, p0, pos, inside):
        if b < pos and text[b - 1] in ".!?\u201d\"" and b - a > 1 and not text[a:b].rstrip().endswith(","):
            start = max(start, b)
    while start < pos and text[start].isspace():
        start += 1
    return start


def _sentence_end(text: str, pos: int, p1: int, inside: list[tuple[int, int]]) -> int:
    for m in SENT_END.finditer(text, pos, p1):
        k = m.start()
        if any(a <= k < b for a, b in inside) or is_abbrev_at(text, k):
            continue
        return m.end()
    return p1


def _settle(sp: Speaker | None, at: int, known, last) -> tuple[str | None, str | None, Span | None]:
    """A parsed speaker as (speaker, role, span): pronouns take the last
    speaker named, names their fullest mention."""
    if sp is None:
        return None, None, None
    if sp.pronoun:
        return last[0], last[1], sp.span if last[0] else None
    if sp.name:
        full, role = resolve(sp.name, sp.role, at, known)
        return full, role, sp.span
    return sp.description, sp.role, sp.span


def _reported(text: str, s0: int, s1: int, words_first: bool = True) -> tuple[int, int, Speaker] | None:
    """Reported speech in the sentence ``[s0, s1)``: (start, end, speaker).
    With ``words_first`` a pattern is tried only on a sentence holding its
    words (`reported.REPORT_WORDS`, `reported.ACCORDING_WORDS`); the slow
    twin tries every one."""
    sent = text[s0:s1]
    if not sent or sent[0] in "\u201c\"\u00ab\u201e":
        return None
    m = (ACCORDING.match(sent) or ACCORDING_AFTER.match(sent)) if not words_first or ACCORDING_WORDS in sent else None
    if m:
        sp = parse_speaker(text, s0 + m.start("s"), s0 + m.end("s"))
        s, e = _clip(text, s0 + m.start("c"), s0 + m.end("c"))
        return (s, e, sp) if sp and e - s > 10 else None
    if words_first and not HAS_REPORT_WORD.search(sent):
        return None
    m = LEAD.match(sent)
    if m and len(m.group("s").split()) <= 25 and not NEGATED.search(m.group("s")) \
            and len(m.group("c").split()) >= 3 and m.group("c")[0] not in "\u201c\"\u00ab\u201e":
        sp = parse_speaker(text, s0 + m.start("s"), s0 + m.end("s"))
        if sp is not None and (sp.label or sp.pronoun) and not (sp.description and len(sp.description.split()) > 12):
            s, e = _clip(text, s0 + m.start("c"), s0 + m.end("c"))
            return s, e, sp
    for m in TRAIL.finditer(sent):
        if m.start() < 15:
            continue
        sp = parse_speaker(text, s0 + m.start("s"), s0 + m.end("s"))
        if sp is not None and sp.label:
            s, e = _clip(text, s0, s0 + m.start())
            if text[s] in "\u201c\"\u00ab\u201e":
                return None
            return s, e, sp
    return None


def travels(docs, stories=None, *, links: Sequence[QuoteLink] | None = None
            ) -> dict[str, list[tuple[int, QuoteLink]]]:
    """For each document id, ``(quotation index, link)`` for every other
    document its quotations were found in. ``stories`` maps a document id
    to its story: only documents of one story are compared (all documents
    when it is ``None``). ``links``, when the caller has them, are
    :func:`link_story_quotations` of ``docs``, all of one story (they are not found again)."""
    groups: dict[object, list] = {}
    for d in docs:
        groups.setdefault(stories.get(d.id) if stories is not None else 0, []).append(d)
    out: dict[str, list[tuple[int, QuoteLink]]] = {d.id: [] for d in docs}
    if links is not None and len(groups) > 1:
        raise ValueError("links are those of one story: give travels the documents of one story")
    for key, group in groups.items():
        if key is None or len(group) < 2:
            continue
        found = link_story_quotations(group) if links is None else links  # link_quotations' links, found faster
        for link in found:
            out[link.a_id].append((link.a_index, link))
            if link.b_index is not None:
                out[link.b_id].append((link.b_index, QuoteLink(
                    link.b_id, link.b_index, link.a_id, link.a_index, *_a_span(group, link), link.similarity,
                    link.flags, tuple((op, b, a) for op, a, b in link.diff))))
    return out


def _a_span(group, link: QuoteLink) -> tuple[int, int]:
    doc = next(d for d in group if d.id == link.a_id)
    q = find_quotations(doc.text)[link.a_index]
    return q.start, q.end


# --------------------------------------------------------------------------
# the report of ``newstrace quotes``


def quotation_report(docs: Sequence[Document], stories: Mapping[str, int | None] | None = None,
                     wanted: Iterable[str] | None = None, *, links: Sequence[QuoteLink] | None = None
                     ) -> list[dict[str, Any]]:
    """The quotations of the ``wanted`` documents (all when ``None``) and
    where each travelled among ``docs`` (:func:`travels`, ``stories`` and
    ``links`` as there): per document ``{"id", "path", "label", "quotations"}``, each quotation
    its ``as_dict()`` with ``"travelled"``, the links to other documents
    (docs/quotations-json.md)."""
    keep = set(wanted) if wanted is not None else {d.id for d in docs}
    moved = travels(docs, stories, links=links) if len(docs) > 1 else {d.id: [] for d in docs}
    report = []
    for d in docs:
        if d.id not in keep:
            continue
        entries = []
        for k, q in enumerate(find_quotations(d.text)):
            e = q.as_dict()
            e["travelled"] = [link.as_dict() | {"id": link.b_id} for i, link in moved[d.id] if i == k]
            entries.append(e)
        report.append({"id": d.id, "path": d.source_path, "label": document_label(d), "quotations": entries})
    return report


def render_text(report: Sequence[dict[str, Any]]) -> str:
    """A :func:`quotation_report` as ``newstrace quotes`` prints it."""
    return "\n\n".join(_document_text(r) for r in report)


def _document_text(r: dict[str, Any]) -> str:
    """One document's entry of a :func:`quotation_report` as text."""
    qs = r["quotations"]
    speech = [q for q in qs if q["kind"] == "speech"]
    scare = [q for q in qs if q["kind"] == "scare"]
    out = [f"{r['id']}  {r['label']}: {sum(q['direct'] for q in speech)} direct quotations, "
           f"{sum(not q['direct'] for q in speech)} reported, {len(scare)} scare quotes"]
    for q in speech:
        who = q["speaker"] or "(no speaker found)"
        if q["speaker_role"]:
            who += f", {q['speaker_role']}"
        kind = "direct" if q["direct"] else "reported"
        out.append(f"  [{q['start']}, {q['end']}) {kind:<8} {who}")
        out.append(f"      {excerpt(q['text'])}")
        for w in q["warnings"]:
            out.append(f"      warning: {w}")
        for t in q["travelled"]:
            flags = ", ".join(t["flags"]) or "same words, same speaker"
            where = "as text without quotation marks" if t["b_index"] is None else "quoted"
            out.append(f"      travelled to {t['id']} [{t['b_start']}, {t['b_end']}) {where}: {flags}")
            for dd in t["diff"][:5]:
                out.append(f"         {dd['op']}: {excerpt(dd['a'], 30)} \u2192 {excerpt(dd['b'], 30)}")
    if scare:
        out.append("  scare quotes: " + ", ".join(excerpt(q["text"], 30) for q in scare))
    return "\n".join(out)
