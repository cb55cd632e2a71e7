"""The headline check: the derivative's headline and lead against the text
it borrowed.

Each content word of the headline and of the lead (its first two sentences
of own text after the headline) becomes a term: a number, a name, a claim
(a verb that asserts, such as "confirms" or "defected") or another word. A
term is *supported* when the same stem (a number: the same digits) occurs in
the source text the derivative borrowed, and *in the source* when it occurs
anywhere in a source, borrowed or not. For each supported or in-source name
and claim, the hedges, negations and numbers of the source sentences that
hold it are the *qualifiers* the source attaches to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import regex

from ..records import Document, Flag, HeadlineTerm, Segment, Span
from ..sentences import split_sentences
from .lexicon import CLAIM_VERBS, STOPWORDS, stem

# a term of a headline or a sentence: a number (with its % sign) or a word
TERM = regex.compile(r"\p{N}[\p{N},.]*\p{N}%?|\p{N}%?|[\p{L}\p{M}][\p{L}\p{M}\p{N}’']*")
MAX_HEADLINE_WORDS = 25
LEAD_SENTENCES = 2


@dataclass(frozen=True, slots=True)
class Headline:
    """The headline check (see the module docstring); ``headline`` is a span
    of the derivative (``None`` when not found), ``lead`` its lead sentences."""

    headline: Span | None
    lead: tuple[Span, ...]
    terms: tuple[HeadlineTerm, ...]
    qualifiers: tuple[Flag, ...]

    def as_dict(self, text: str, sources: Mapping[str, str]) -> dict[str, Any]:
        def span(s: Span | None) -> dict[str, Any] | None:
            return None if s is None else {"start": s.start, "end": s.end, "text": s.slice(text)}

        return {"headline": span(self.headline), "lead": [span(s) for s in self.lead],
                "terms": [t.as_dict(dict(sources)) for t in self.terms],
                "qualifiers": [q.as_dict(sources[q.source]) for q in self.qualifiers]}


def find_headline(doc: Document) -> Span | None:
    """The headline's span: the document's title where the text holds it,
    else a short first line that does not end like a sentence."""
    text = doc.text
    if doc.title:
        at = text.find(doc.title.strip())
        if at >= 0 and at < 500:
            return Span(at, at + len(doc.title.strip()))
    for line_start, line in _lines(text):
        if not line.strip():
            continue
        words = line.split()
        if len(words) <= MAX_HEADLINE_WORDS and not line.rstrip().endswith((".", "!", "?", ":")):
            s = line_start + (len(line) - len(line.lstrip()))
            return Span(s, line_start + len(line.rstrip()))
        return None
    return None


def _lines(text: str):
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


def find_lead(text: str, headline: Span | None, segments: Sequence[Segment]) -> tuple[Span, ...]:
    """The first sentences after the headline that are not boilerplate."""
    after = headline.end if headline else 0
    boiler = [s for s in segments if s.label == "boilerplate"]
    picked: list[Span] = []
    for s in split_sentences(text):
        if s.start < after or any(b.start <= s.start < b.end for b in boiler):
            continue
        if len(s.slice(text).split()) < 4:
            continue
        picked.append(s)
        if len(picked) == LEAD_SENTENCES:
            break
    return tuple(picked)


def _kind(word: str, first: bool, capitalised_elsewhere: set[str]) -> str:
    if any(c.isdigit() for c in word):
        return "number"
    st = stem(word)
    if st in CLAIM_VERBS:
        return "claim"
    if word[:1].isupper() and (not first or word.casefold() in capitalised_elsewhere):
        if word.casefold() in capitalised_elsewhere:
            return "entity"
    return "word"


def _capitalised(texts: Sequence[str]) -> set[str]:
    """Words written with a capital where they do not start a sentence."""
    out: set[str] = set()
    for t in texts:
        for m in regex.finditer(r"(?<=[\p{Ll}\p{N},;]\s+)\p{Lu}[\p{L}’']+", t):
            out.add(m.group().casefold())
    return out


def term_key(word: str) -> str:
    """How two terms are matched: a number without its thousands commas, a word by its stem."""
    return word.replace(",", "") if any(c.isdigit() for c in word) else stem(word)


def check_headline(derivative: Document, segments: Sequence[Segment], sources: Sequence[Document],
                   used: Mapping[str, Sequence[Span]], flags: Sequence[Flag]) -> Headline:
    """The headline check of ``derivative`` given its segments, its sources,
    the spans of each source it used, and the sources' flags."""
    text = derivative.text
    headline = find_headline(derivative)
    lead = find_lead(text, headline, segments)
    # where each stem occurs in each source, borrowed first
    borrowed: dict[str, tuple[str, Span]] = {}
    anywhere: dict[str, tuple[str, Span]] = {}
    for src in sources:
        spans = used.get(src.id, ())
        for m in TERM.finditer(src.text):
            k = term_key(m.group())
            sp = Span(m.start(), m.end())
            if any(u.start <= sp.start and sp.end <= u.end for u in spans):
                borrowed.setdefault(k, (src.id, sp))
            anywhere.setdefault(k, (src.id, sp))
    caps = _capitalised([text, *(s.text for s in sources)])
    terms: list[HeadlineTerm] = []
    seen: set[tuple[str, str]] = set()
    parts = ([("headline", headline)] if headline else []) + [("lead", s) for s in lead]
    for part, span in parts:
        for n, m in enumerate(TERM.finditer(text, span.start, span.end)):
            word = m.group()
            if word.casefold() in STOPWORDS or (len(word) < 3 and not word[0].isdigit()):
                continue
            k = term_key(word)
            if (part, k) in seen:
                continue
            seen.add((part, k))
            sent_start = n == 0 or text[max(span.start, m.start() - 2):m.start()].strip() in (".", "!", "?")
            kind = _kind(word, sent_start, caps)
            found = borrowed.get(k) or anywhere.get(k)
            terms.append(HeadlineTerm(word, m.start(), m.end(), part, kind, k in borrowed,  # type: ignore[arg-type]
                                      k in anywhere, found))
    return Headline(headline, lead, tuple(terms), tuple(_qualifiers(terms, sources, flags)))


def _qualifiers(terms: Sequence[HeadlineTerm], sources: Sequence[Document], flags: Sequence[Flag]) -> list[Flag]:
    """What the sources say around the claims of the headline: the hedges,
    negations and numbers of the source sentences that hold a claim of the
    headline or lead, and the hedges of the sentences next to them."""
    keys = {term_key(t.text) for t in terms if t.in_source and t.kind == "claim"}
    if not keys:
        return []
    out: list[Flag] = []
    for src in sources:
        sents = split_sentences(src.text)
        holds = [bool(keys & {term_key(m.group()) for m in TERM.finditer(src.text, s.start, s.end)}) for s in sents]
        near = [False] * len(sents)
        for k, h in enumerate(holds):
            for j in (k - 1, k + 1):
                if h and 0 <= j < len(sents):
                    near[j] = True
        where = {s.start: k for k, s in enumerate(sents)}
        for f in flags:
            at = where.get(f.sentence.start)
            if f.source != src.id or at is None or f.reason == "attribution":
                continue
            if holds[at] or (near[at] and f.reason == "hedge"):
                out.append(f)
    return out
