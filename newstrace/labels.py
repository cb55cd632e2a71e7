"""How a document is named to a reader: one rule for every view.

The terminal output, the HTML report, the web app and the provenance graph
all name a document with :func:`document_label`: its title, or, when it has
none, the first words of its text in quotation marks
(``“Sunday, Jul 15th 2018 5-Day…”``). A path or a file name is never shown as
a title: a CSV of 600 articles has one file name, and a scraped site is full
of ``index.html``. Where a view needs to locate the document it shows the
document id beside the label, not instead of it.
"""

from __future__ import annotations

from newstrace.records import Document

__all__ = ["FIRST_WORDS", "document_label", "document_meta", "document_name", "label_from"]

FIRST_WORDS = 8
"""How many words of the text stand in for a missing title."""


def _clip(s: str, limit: int | None) -> str:
    return s if limit is None or len(s) <= limit else s[: max(limit - 1, 0)].rstrip() + "\u2026"


def label_from(title: str | None, text: str | None, *, limit: int | None = None) -> str:
    """The label for a document with this ``title`` and ``text`` (pure).

    The title with its whitespace collapsed; else ``“first words…”`` of the
    text; else ``"(untitled)"``. ``limit`` cuts the result to that many
    characters, with an ellipsis.
    """
    if title and (flat := " ".join(title.split())):
        return _clip(flat, limit)
    words = (text or "")[:2000].split()
    if not words:
        return "(untitled)"
    head = " ".join(words[:FIRST_WORDS])
    more = "\u2026" if len(words) > FIRST_WORDS else ""
    inner_limit = None if limit is None else max(limit - 2, 1)
    head = _clip(head + more, inner_limit)
    return f"\u201c{head}\u201d"


def document_label(d: Document, *, limit: int | None = None) -> str:
    """The label of ``d``: see :func:`label_from`."""
    return label_from(d.title, d.text, limit=limit)


def document_meta(d: Document) -> str:
    """The line under a document's label in the terminal: its outlet, byline
    and publication date, those it has, joined by middle dots ("" for none)."""
    return " \u00b7 ".join(x for x in (d.outlet, d.byline and f"by {d.byline}",
                                        d.published and d.published.isoformat()) if x)


def document_name(d: Document, *, limit: int = 48) -> str:
    """What a sentence calls ``d``: its outlet with its publication day, else
    its label cut to ``limit`` characters."""
    if d.outlet:
        return f"{d.outlet}, {d.published.isoformat()[:10]}" if d.published else d.outlet
    return document_label(d, limit=limit)
