"""A simple sentence splitter with exact offsets.

News text as it arrives is untidy: paragraphs glued without a space after
the full stop ("…At Tanf.US Army Col. Ryan Dillon…"), extractive summaries
whose sentences are joined with no space at all ("…$10.9bn.For the
full-year…"), quotations that end a sentence ("…he said.\u201d The…"). The
rules, in order:

- a line break always ends a sentence (paragraphs and list items);
- ``.``, ``!``, ``?`` (and ``…``, Arabic and CJK full stops) after a
  character that is not white space, with any closing quotes or brackets
  after them, end a sentence when what follows
  is white space and then a capital, a digit or an opening quote, or when a
  capital follows directly and the mark comes after a lower-case letter,
  a digit or a closing mark (a glued sentence, not "U.S.");
- not after a known abbreviation ("Col.", "Mr.", "Jan.") or a single
  letter ("J. Smith"), unless a closing quote or a line break follows.

Each sentence is a :class:`~newstrace.records.Span` with no white space at
either end; the spans are in text order and never overlap.
:func:`split_sentences_slow` is the character-by-character twin the
property tests compare it with.

This module is also the one home of the abbreviations after which a full
stop does not end a sentence: :data:`ABBREVIATIONS` and
:func:`is_abbreviation` serve the tokeniser's sentence starts
(``newstrace.text``), this splitter and the quotation side's sentence
bounds and attribution patterns (``newstrace.quotations.speakers``).
"""

from __future__ import annotations

import unicodedata

import regex

from .records import Span

# The words after which a full stop does not end a sentence, case folded,
# by kind. Titles and ranks stand before a name ("Col. Ryan Dillon").
TITLES = frozenset("mr mrs ms dr prof st jr sr col gen lt sgt capt cpl maj adm gov sen rep rev".split())
_REFERENCES = frozenset("no vs".split())
_DOTTED = frozenset("u.s a.m p.m".split())  # for callers whose words keep their inner dots
_SUFFIXES = frozenset("etc inc ltd co corp dept fig".split())
_MONTHS = frozenset("jan feb mar apr jun jul aug sep sept oct nov dec".split())
ABBREVIATIONS = TITLES | _REFERENCES | _DOTTED | _SUFFIXES | _MONTHS
# The quotation side (sentence bounds around a quotation, the subject of a
# reported-speech sentence) leaves out suffixes and months: there "Co." or
# "etc." ends a sentence as often as not, and "Dec" is also a name ("Ant and
# Dec", "the DEC"); running over a real end costs the speaker, ending early
# rarely does.
SPEECH_ABBREVIATIONS = TITLES | _REFERENCES | _DOTTED
# A regular expression for a title or an initial as written before its dot
# ("Col", "Dr", "J"): for look-behinds that keep such a dot inside a phrase.
TITLE_PATTERN = "(?:" + "|".join(sorted((t.capitalize() for t in TITLES), key=lambda t: (-len(t), t))) + "|[A-Z])"


def is_abbreviation(word: str, known: frozenset[str] = ABBREVIATIONS) -> bool:
    """Whether a full stop after ``word`` leaves the sentence open: a word of
    ``known`` (in any case) or a single letter (an initial, "J. Smith")."""
    return word.casefold() in known or (len(word) == 1 and word.isalpha())


_END = ".!?\u2026\u061f\u06d4\u3002\uff01\uff1f"
_CLOSE = "\"'\u201d\u2019\u00bb)]"
_OPEN = "\"'\u201c\u2018\u00ab(["
# A sentence end: the mark, any closers, then either white space and a
# plausible sentence opening, or a capital right after (glued sentences).
# A match starts only at the first mark of a run ("..."): from any later one
# it reads the same run's end, so it fails or succeeds as the first did, and
# trying it again from each of n dots cost n squared.
_BOUNDARY = regex.compile(
    rf"(?<![{regex.escape(_END)}])(?P<mark>[{regex.escape(_END)}]++)[{regex.escape(_CLOSE)}]*+"
    rf"(?:(?P<space>[^\S\n]+)(?=[\p{{Lu}}\p{{Lt}}\p{{N}}{regex.escape(_OPEN)}])"
    rf"|(?=[\p{{Lu}}\p{{Lt}}]|[\"\u201c][\p{{Lu}}\p{{Lt}}]))",
)
_LAST_WORD = regex.compile(r"(\w+)[^\w]*$")


def _is_abbreviation(text: str, mark_at: int) -> bool:
    """Whether the full stop at ``mark_at`` follows an abbreviation or an initial."""
    if text[mark_at] != ".":
        return False
    m = _LAST_WORD.search(text, max(0, mark_at - 20), mark_at)
    if not m or m.end() != mark_at:
        return False
    return is_abbreviation(m.group(1))


def _cuts(text: str) -> list[int]:
    """Offsets where a new sentence may start (before trimming white space)."""
    cuts: list[int] = []
    for m in _BOUNDARY.finditer(text):
        mark_at = m.start("mark")
        before = text[mark_at - 1] if mark_at > 0 else ""
        if mark_at > 0 and before.isspace():
            continue
        if not m.group("space") and not _glued_ok(text, mark_at, m.end()):
            continue
        if m.end("mark") == m.end() - len(m.group("space") or "") and _is_abbreviation(text, mark_at):
            continue
        cuts.append(m.end())
    return cuts


def _trimmed(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if start < end else None


def split_sentences(text: str) -> tuple[Span, ...]:
    """The sentences of ``text`` as spans (see the module docstring)."""
    bounds = sorted(set(_cuts(text)) | {i + 1 for i, c in enumerate(text) if c == "\n"} if "\n" in text
                    else set(_cuts(text)))
    out: list[Span] = []
    prev = 0
    for b in [*bounds, len(text)]:
        s = _trimmed(text, prev, b)
        if s is not None:
            out.append(s)
        prev = b
    return tuple(out)


def split_sentences_slow(text: str) -> tuple[Span, ...]:
    """Reference twin of :func:`split_sentences`: walks the text character by character."""
    out: list[Span] = []
    start = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            s = _trimmed(text, start, i + 1)
            if s is not None:
                out.append(s)
            start = i + 1
            i += 1
            continue
        if c in _END:
            j = i
            while j < n and text[j] in _END:
                j += 1
            k = j
            while k < n and text[k] in _CLOSE:
                k += 1
            before = text[i - 1] if i > 0 else ""
            before_ok = i == 0 or not before.isspace()
            cut = None
            if before_ok:
                w = k
                while w < n and text[w].isspace() and text[w] != "\n":
                    w += 1
                if w > k and w < n and (_is_capital(text[w]) or unicodedata.category(text[w])[0] == "N"
                                        or text[w] in _OPEN):
                    cut = w
                elif w == k and k < n and _glued_opening(text, k) and _glued_ok(text, i, k):
                    cut = k
            if cut is not None and not (k == j and _is_abbreviation(text, i)):
                s = _trimmed(text, start, cut)
                if s is not None:
                    out.append(s)
                start = cut
                i = cut
                continue
            i = k if k > i else i + 1
            continue
        i += 1
    s = _trimmed(text, start, n)
    if s is not None:
        out.append(s)
    return tuple(out)


def _glued_ok(text: str, mark_at: int, nxt: int) -> bool:
    """Whether a mark with a capital right after it (no space) ends a sentence:
    after a lower-case letter, a digit or a closing mark ("bn.For"), after an
    acronym of two or more capitals when a capitalised word follows
    ("US.The", not "U.S.Army"), or when the mark is not a full stop."""
    before = text[mark_at - 1] if mark_at > 0 else ""
    if text[mark_at] != "." or before.islower() or before.isdigit() or before in _CLOSE or before == "%":
        return True
    if not _is_capital(before):
        return False
    k = mark_at - 1
    while k > 0 and _is_capital(text[k - 1]):
        k -= 1
    acronym = mark_at - k >= 2 and (k == 0 or not text[k - 1].isalnum())
    follows = text[nxt:nxt + 2]
    return acronym and len(follows) == 2 and _is_capital(follows[0]) and follows[1].islower()


def _glued_opening(text: str, k: int) -> bool:
    """A capital starting a word right at ``k`` (or an opening double quote and a capital)."""
    c = text[k]
    nxt = text[k + 1] if k + 1 < len(text) else ""
    return _is_capital(c) or (c in "\"\u201c" and _is_capital(nxt))


def _is_capital(c: str) -> bool:
    return unicodedata.category(c) in ("Lu", "Lt") if c else False
