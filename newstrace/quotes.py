"""Quotations: spans of text an article puts between quotation marks.

This module finds the *inside* of quoted stretches, which the aligner uses to
report short quoted phrases that fall below the passage threshold.
"""

from __future__ import annotations

from functools import lru_cache

import regex

from .records import Span

# Opening mark -> closing marks accepted for it. Straight double quotes close
# themselves; curly and low-9 quotes accept either curly closer, because
# articles mix them; guillemets pair both ways round (French and German use).
_PAIRS: dict[str, str] = {
    '"': '"\u201d\u201c',
    "\u201c": "\u201d\u201c\"",
    "\u201e": "\u201c\u201d\"",
    "\u00ab": "\u00bb",
    "\u00bb": "\u00ab",
    "\u2018": "\u2019",
    "\u201a": "\u2018\u2019",
}
_OPENERS = regex.compile(r"[\"\u201c\u201e\u00ab\u00bb\u2018\u201a]")
_MAX_QUOTE_CHARS = 3000


@lru_cache(maxsize=4096)
def find_quoted_spans(text: str) -> tuple[Span, ...]:
    """Spans of text inside quotation marks (marks excluded), in text order.

    A quotation does not run over a paragraph break (a blank line) here;
    single quotes count only where the opening mark follows a space or an
    opening bracket, so that apostrophes are not taken for quotes.
    Unclosed marks are skipped.
    """
    spans: list[Span] = []
    pos = 0
    n = len(text)
    while True:
        m = _OPENERS.search(text, pos)
        if not m:
            break
        open_at = m.start()
        mark = m.group()
        if mark in "\u2018\u201a" and open_at > 0 and not (text[open_at - 1].isspace() or text[open_at - 1] in "([{\"\u201c"):
            pos = open_at + 1
            continue
        closers = _PAIRS[mark]
        limit = min(n, open_at + 1 + _MAX_QUOTE_CHARS)
        end = None
        for k in range(open_at + 1, limit):
            c = text[k]
            if c in closers:
                if mark == "\u2018" and k + 1 < n and text[k + 1].isalpha():
                    continue  # an apostrophe inside the quote (don't, Iran's)
                end = k
                break
            if c == "\n" and k + 1 < n and text[k + 1] == "\n":
                break
        if end is None:
            pos = open_at + 1
            continue
        if end > open_at + 1:
            spans.append(Span(open_at + 1, end))
        pos = end + 1
    return tuple(spans)
