"""Aggregator and index pages: pages that list other outlets' headlines and links.

A page of Google News, or a site's index of links to other outlets, carries
other outlets' text (a headline, the first lines of an article, a photo
caption) but writes none: it is never the source of anything, though a scan
finds it sharing text with the articles it lists. Two rules recognise one:

- the host (``outlet`` or the URL's host) is a known aggregator
  (:data:`AGGREGATOR_HOSTS`: ``news.google.com``, Flipboard, NewsNow, ...);
- the content is an index (:func:`index_signals`): at least
  :data:`MIN_LINES` non-empty lines, of which at least
  :data:`INDEX_LINES_AT` are index lines (a headline-like short line, a
  snippet cut off with ``...``, a link, an outlet's name, ``5 hours ago``,
  ``amp``), at least :data:`LISTED_AT` of them naming outlets, links or
  times, and at most :data:`PROSE_AT` of its words in continuous prose
  (paragraphs of 25 words or more that are not cut-off snippets).

A page is an aggregator when either rule holds: the known host on its own
(such a host never writes an article), the content rule on its own for the
index pages of other hosts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .credits import is_known_outlet

AGGREGATOR_HOSTS: frozenset[str] = frozenset({
    "news.google.com", "google news", "flipboard.com", "flipboard", "newsnow.co.uk", "newsnow",
    "drudgereport.com", "drudge report", "memeorandum.com", "techmeme.com", "feedly.com", "inoreader.com",
    "newsblur.com", "ground.news", "smartnews.com", "bing.com/news", "news.yahoo.co.jp",
})

MIN_LINES = 6
INDEX_LINES_AT = 0.6
LISTED_AT = 0.1
PROSE_AT = 0.4

_SHORT_WORDS = 12
_PROSE_WORDS = 25
_SNIPPET = re.compile(r"(?:\.\.\.|…)\s*$")
_LINK = re.compile(r"^(?:https?://|www\.)\S+$|^\S+\.(?:com|org|net|co\.uk|news)(?:/\S*)?$", re.IGNORECASE)
_TIME = re.compile(r"^(?:\d+\s+(?:minutes?|mins?|hours?|days?)\s+ago|today|yesterday|just now)$", re.IGNORECASE)
_FURNITURE = frozenset({"amp", "more_vert", "share", "video_youtube", "view full coverage", "top coverage",
                        "full coverage", "read more", "more", "related", "see more"})


@dataclass(frozen=True, slots=True)
class IndexSignals:
    """What the content rule counts on a page: its non-empty ``lines``, the
    ``index_lines`` among them (short, snippet, link, outlet, time or page
    furniture), the ``listed`` lines that name an outlet, a link or a time,
    and the share of its words in continuous ``prose``."""

    lines: int
    index_lines: int
    listed: int
    prose: float

    @property
    def is_index(self) -> bool:
        return (self.lines >= MIN_LINES and self.index_lines >= INDEX_LINES_AT * self.lines
                and self.listed >= max(2, LISTED_AT * self.lines) and self.prose <= PROSE_AT)


def index_signals(text: str) -> IndexSignals:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    index = listed = prose_words = words = 0
    for ln in lines:
        n = len(ln.split())
        words += n
        low = ln.casefold()
        is_listed = bool(_LINK.match(ln) or _TIME.match(ln) or (n <= 4 and is_known_outlet(ln)))
        listed += is_listed
        snippet = bool(_SNIPPET.search(ln))
        if is_listed or snippet or low in _FURNITURE or n <= _SHORT_WORDS:
            index += 1
        if n >= _PROSE_WORDS and not snippet:
            prose_words += n
    return IndexSignals(len(lines), index, listed, prose_words / max(1, words))


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        parts = urlsplit(url if "//" in url else "//" + url)
    except ValueError:
        return None
    host = (parts.hostname or "").removeprefix("www.")
    return host + ("/news" if host == "bing.com" and parts.path.startswith("/news") else "")


def known_aggregator(outlet: str | None, url: str | None = None) -> str | None:
    """The known aggregator host an ``outlet`` name or ``url`` names, if any."""
    for v in (outlet and outlet.strip().casefold().removeprefix("www."), _host(url)):
        if v and v in AGGREGATOR_HOSTS:
            return v
    return None


def aggregator_reason(outlet: str | None, url: str | None, text: str) -> str | None:
    """Why a page is an aggregator or index page (a phrase for the evidence),
    or None when it is not one."""
    host = known_aggregator(outlet, url)
    if host:
        return f"its host {host} is a news aggregator"
    s = index_signals(text)
    if s.is_index:
        return (f"it is an index page: {s.index_lines} of its {s.lines} lines are headlines, snippets or links "
                f"({s.listed} naming outlets, links or times), {s.prose:.0%} of its words in prose")
    return None
