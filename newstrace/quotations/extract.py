"""Direct quotations: the stretches an article sets between quotation marks.

Marks handled: straight and curly double quotes (and the German low-9
opener „), guillemets both ways round (« » and » «), and curly single quotes
at the top level. Quotes nested inside a quotation (‘traitors,’ or
'a danger …' inside double quotes) are part of the outer quotation.

Spans exclude the marks. A quotation that runs over several paragraphs
(the opening mark repeated at the start of each, no closing mark until the
last) is one span from after the first opening mark to before the closing
mark. Unbalanced marks never raise: an opening mark that is never closed is
read to an attribution (``…, said X``) or the end of its paragraph, a closing
mark with nothing to close is skipped, and both leave a warning.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from ..text import WORD

# mark -> family; marks of another family inside an open quotation are content
_FAMILY = {'"': "double", "\u201c": "double", "\u201d": "double", "\u201e": "double", "\u201f": "double",
           "\u00ab": "guillemet", "\u00bb": "guillemet", "\u2018": "single", "\u2019": "single"}
_MARKS = regex.compile("[\"\u201c\u201d\u201e\u201f\u00ab\u00bb\u2018\u2019]")
_PARAGRAPH = regex.compile(r"\n[^\S\n]*\n\s*")
_LINE = regex.compile(r"\n\s*")
MAX_PARAGRAPHS = 12  # a quotation runs over at most this many paragraphs
_SAID = regex.compile(
    r",\s+(?:(?:said|says|added|adds|told|explained|wrote|insisted|warned)\b"
    r"|(?:[A-Z][\w.'\u2019-]*\s+){1,4}(?:said|says|added|adds|told)\b|(?:he|she|they)\s+(?:said|added)\b)")
_FUNCTION = frozenset("of the a an and for in on at to de la le du von van al".split())


@dataclass(frozen=True, slots=True)
class MarkedSpan:
    """A stretch between quotation marks: ``[start, end)`` without the marks;
    ``open_at``/``close_at`` are the positions of the marks (``close_at`` is
    ``None`` when no closing mark was found); ``kind`` is ``speech`` or
    ``scare``; ``warnings`` describe unbalanced marks."""

    start: int
    end: int
    open_at: int
    close_at: int | None
    kind: str
    warnings: tuple[str, ...] = ()


def _prev(text: str, k: int) -> str:
    return text[k - 1] if k > 0 else " "


def _next(text: str, k: int) -> str:
    return text[k + 1] if k + 1 < len(text) else " "


def _can_open(text: str, k: int) -> bool:
    """Could the mark at ``k`` open a quotation? The next character must be
    text, and a straight or closing-shaped mark must follow a space or
    bracket (``”Nobody`` after a space is a mark typed the wrong way round)."""
    ch, p, n = text[k], _prev(text, k), _next(text, k)
    if n.isspace():
        return False
    if ch in "\u201c\u201e\u00ab\u2018":
        return not (ch == "\u201c" and not p.isspace() and p not in "([{\u2014\u2013-" and not n.isalnum())
    if ch == "\u00bb":  # German-style »…«
        return p.isspace() or p in "([{"
    return p.isspace() or p in "([{\u2014\u2013-:/" or k == 0


def _can_close(text: str, k: int) -> bool:
    """Could the mark at ``k`` close a quotation? It must follow text and not
    run straight into a letter (an apostrophe, or the next quotation's opener)."""
    p, n = _prev(text, k), _next(text, k)
    if p.isspace():
        return False
    return not n.isalnum() or text[k] in "\u201d\u00bb"


def _closes(open_mark: str, mark: str) -> bool:
    fam = _FAMILY[open_mark]
    if fam == "double":
        return mark in '"\u201d\u201c\u201f'
    if fam == "guillemet":
        return mark == ("\u00bb" if open_mark == "\u00ab" else "\u00ab")
    return mark == "\u2019"


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Paragraph ranges: split on blank lines, or on line breaks when the text
    has no blank line at all."""
    splitter = _PARAGRAPH if _PARAGRAPH.search(text) else _LINE
    out, at = [], 0
    for m in splitter.finditer(text):
        if m.start() > at:
            out.append((at, m.start()))
        at = m.end()
    if at < len(text):
        out.append((at, len(text)))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1].isspace():
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    return start, end


def _kind(inner: str) -> str:
    """``scare`` for one or two words without the punctuation of speech, or
    a capitalised name of a few words ("Commandos of the Revolution")."""
    words = [m.group() for m in WORD.finditer(inner)]
    stripped = inner.rstrip()
    if len(words) <= 2 and not stripped.endswith((",", "!", "?", ".")):
        return "scare"
    if (len(words) <= 6 and not any(c in inner for c in ".,;:!?")
            and all(w[0].isupper() or w.casefold() in _FUNCTION for w in words) and words[0][0].isupper()):
        return "scare"
    return "speech"


def find_marked_spans(text: str) -> tuple[tuple[MarkedSpan, ...], tuple[tuple[int, str], ...]]:
    """Every stretch of ``text`` between quotation marks (see the module doc),
    and ``(position, warning)`` for closing marks that had nothing to close."""
    out: list[MarkedSpan] = []
    stray: list[tuple[int, str]] = []
    paras = paragraphs(text)
    # state of an open quotation: (mark position, mark, paragraphs spanned, warnings)
    open_at: int | None = None
    open_mark = ""
    spanned = 0
    warnings: list[str] = []

    def emit(end: int, close_at: int | None) -> None:
        nonlocal open_at, warnings
        assert open_at is not None
        s, e = _trim(text, open_at + 1, end)
        if e > s:
            out.append(MarkedSpan(s, e, open_at, close_at, _kind(text[s:e]), tuple(warnings)))
        open_at, warnings = None, []

    for pi, (p0, p1) in enumerate(paras):
        skip_first = False
        if open_at is not None:  # a quotation carried on from the paragraph before
            skip_first = True
        for m in _MARKS.finditer(text, p0, p1):
            k, ch = m.start(), m.group()
            if skip_first:
                skip_first = False
                if k == p0:
                    continue  # the repeated opening mark of a continued quotation
            fam = _FAMILY[ch]
            if open_at is None:
                if fam == "single" and not (ch == "\u2018" and (_prev(text, k).isspace() or k == 0)):
                    continue  # apostrophes; single quotes count only as openers after a space
                if _can_open(text, k):
                    open_at, open_mark, spanned = k, ch, 1
                elif fam != "single":
                    stray.append((k, f"closing mark at {k} has no opening mark; skipped"))
                continue
            if _FAMILY[open_mark] != fam:
                continue  # another family nested inside: content
            if fam == "single" and _next(text, k).isalpha():
                continue  # an apostrophe inside a single-quoted quotation
            if _closes(open_mark, ch) and _can_close(text, k):
                emit(k, k)
            elif _can_open(text, k) and k > open_at + 1:
                warnings.append(f"opening mark at {open_at} not closed before the next opening mark at {k}; "
                                "read to there")
                end = k
                cut = _SAID.search(text, open_at + 1, k)
                if cut:
                    end = cut.start() + 1
                emit(end, None)
                open_at, open_mark, spanned = k, ch, 1
        if open_at is not None:
            nxt = paras[pi + 1] if pi + 1 < len(paras) else None
            if (nxt is not None and spanned < MAX_PARAGRAPHS and _FAMILY.get(text[nxt[0]]) == _FAMILY[open_mark]
                    and _can_open(text, nxt[0])):
                spanned += 1
                continue
            cut = _SAID.search(text, open_at + 1, p1)
            if cut:
                warnings.append(f"opening mark at {open_at} has no closing mark; read to the attribution at "
                                f"{cut.start() + 2}")
                emit(cut.start() + 1, None)
            else:
                warnings.append(f"opening mark at {open_at} has no closing mark; read to the end of its paragraph")
                emit(p1, None)
    return tuple(out), tuple(stray)
