"""Files in a collection that are not articles: URL lists, READMEs, licences, files without prose.

A scraped or downloaded collection carries files beside its articles: the
list of URLs it was fetched from, a README, a licence, a change log, a table
of numbers. Read as articles they become documents that share "text" (URLs,
licence clauses) with nothing or with each other. :func:`non_article_reason`
says, from a file's name and text alone, why a plain-text file is not an
article, by general rules rather than a list tuned to one collection:

- its name is one that projects give their papers (``README``, ``LICENSE``,
  ``LICENCE``, ``COPYING``, ``CHANGELOG``, ...), with any extension;
- at least :data:`URL_LINE_SHARE` of its non-empty lines are each one URL
  (``https://...``, ``www...``, or ``site.com/path`` with no spaces);
- under :data:`PROSE_WORD_SHARE` of its words are prose words: runs of
  letters (any script), punctuation around them allowed, rather than
  numbers, codes or symbols.

Pure functions: no file is read here.
"""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Final

from newstrace.boilerplate import is_address_line

__all__ = ["PROSE_WORD_SHARE", "URL_LINE_SHARE", "non_article_reason", "prose_word_share", "url_line_share"]

URL_LINE_SHARE: Final = 0.8
"""A file whose non-empty lines are this share of URLs or more is a URL list."""
PROSE_WORD_SHARE: Final = 0.3
"""A file with a smaller share of prose words than this has no prose."""

# Stems of the files projects ship beside their data (matched case-insensitively, any extension).
_PAPER_NAMES: Final = {
    "readme": "a README",
    "read_me": "a README",
    "license": "a licence",
    "licence": "a licence",
    "copying": "a licence",
    "copyright": "a copyright notice",
    "changelog": "a change log",
    "authors": "a list of authors",
    "contributors": "a list of contributors",
    "contributing": "contribution guidelines",
}
_UNSPACED_SCRIPTS = re.compile(r"[\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_MAX_WORD = 30  # a longer token in a spaced script is a code, a hash or base64, not a word


def _paper_kind(name: str) -> str | None:
    stem = PurePath(name).name.split(".", 1)[0].strip().lower().replace("-", "_")
    return _PAPER_NAMES.get(stem)


def url_line_share(text: str) -> tuple[int, int]:
    """``(URL lines, non-empty lines)`` of ``text``: lines that are one URL and nothing else."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return sum(is_address_line(line) for line in lines), len(lines)


def _is_prose_word(token: str) -> bool:
    core = token.strip("\"'“”‘’«»()[]{}<>.,;:!?…-–—*_/\\|")
    if not core:
        return False
    if len(core) > _MAX_WORD and not _UNSPACED_SCRIPTS.search(core):
        return False
    letters = sum(c.isalpha() for c in core)
    return letters >= 0.8 * len(core)


def prose_word_share(text: str) -> tuple[int, int]:
    """``(prose words, words)`` of ``text``, words split at whitespace."""
    words = text.split()
    return sum(_is_prose_word(w) for w in words), len(words)


def non_article_reason(name: str, text: str) -> str | None:
    """Why the plain-text file ``name`` holding ``text`` is not an article
    (one phrase, such as ``"a URL list (491 of 491 lines are URLs)"``), or
    ``None`` if it may be one."""
    if kind := _paper_kind(name):
        return f"{kind} (by its name)"
    urls, lines = url_line_share(text)
    if lines and urls >= URL_LINE_SHARE * lines:
        return f"a URL list ({urls:,} of {lines:,} lines are URLs)"
    prose, words = prose_word_share(text)
    if words and prose < PROSE_WORD_SHARE * words:
        return f"no prose ({prose:,} of {words:,} words are words of letters)"
    return None
