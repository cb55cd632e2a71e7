"""HTML pages: charset detection, then main text and metadata by trafilatura.

trafilatura is an optional dependency (``pip install 'newstrace[html]'``),
imported only when a page is loaded. Nothing is fetched: the page is given
as bytes, a binary file object or a ``str``, and ``url`` is only recorded.

The document text is trafilatura's main-text extraction (paragraphs joined
by newlines, the page's boilerplate dropped); offsets refer to it, not to the
HTML source.
"""

from __future__ import annotations

import codecs
import datetime as _dt
import re
from typing import Any, BinaryIO

from newstrace.ingest.dates import parse_date_string
from newstrace.ingest.errors import LoadError, MissingExtra
from newstrace.ingest.text import (
    LoadResult,
    check_text,
    decode_bytes,
    decode_fallback,
    read_input,
    reject_binary,
    where_of,
)
from newstrace.records import Document

__all__ = ["decode_html", "declared_charset", "load_html"]

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Browsers decode these declarations as windows-1252 (WHATWG Encoding Standard).
_AS_CP1252 = {"ascii", "latin-1", "iso8859-1", "cp1252"}
_SHORT_TEXT_WORDS = 20
_DATE_PARAMS = {"original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}


def declared_charset(data: bytes, *, scan: int = 4096) -> str | None:
    """The charset a page declares in ``<meta charset>``, an http-equiv
    content type or an XML declaration within its first ``scan`` bytes."""
    head = data[:scan]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return m.group(1).decode("ascii") if m else None


def decode_html(data: bytes, *, where: str) -> tuple[str, str, tuple[str, ...]]:
    """Decode page bytes; return ``(html, encoding, warnings)``.

    A byte-order mark wins, then the declared charset (``latin-1`` and
    ``ascii`` read as cp1252, as browsers do), then UTF-8, cp1252, latin-1.
    """
    reject_binary(data, where=where)
    declared = declared_charset(data)
    if declared is None or data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_bytes(data, where=where)
    try:
        encoding = codecs.lookup(declared).name
    except LookupError:
        text, encoding, warnings = decode_fallback(data)
        return text, encoding, (f"unknown charset {declared!r} declared; ignored", *warnings)
    if encoding in _AS_CP1252:
        encoding = "cp1252"
    elif encoding.startswith(("utf-16", "utf-32")):
        encoding = "utf-8"  # without a byte-order mark such a declaration is wrong; browsers read UTF-8
    try:
        return data.decode(encoding), encoding, ()
    except UnicodeDecodeError as exc:
        bad = f"byte 0x{exc.object[exc.start]:02x} at offset {exc.start}"
        text, used, warnings = decode_fallback(data)
        return text, used, (f"declared charset {declared!r} does not fit the bytes ({bad})", *warnings)


def _import_trafilatura(where: str) -> Any:
    try:
        import trafilatura
    except ImportError as exc:
        raise MissingExtra(where, "HTML", "trafilatura", "html", str(exc)) from exc
    return trafilatura


def _html_date(value: str | None) -> _dt.date | _dt.datetime | None:
    """trafilatura's date string as a date, or a datetime when it carries a time.

    trafilatura prints a page that gives only a day as midnight without a
    zone; that is read back as a plain date.
    """
    parsed = parse_date_string(value) if value else None
    if isinstance(parsed, _dt.datetime) and parsed.tzinfo is None and parsed.time() == _dt.time():
        return parsed.date()
    return parsed


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def load_html(
    data: bytes | str | BinaryIO,
    *,
    doc_id: str,
    source_path: str | None = None,
    url: str | None = None,
) -> LoadResult:
    """Load an HTML page: its main text and metadata, without fetching anything.

    Maps trafilatura's title, author (byline), date (published), sitename
    (outlet) and url; an explicit ``url`` wins over the page's canonical one.
    Raises :class:`LoadError` for empty or binary input, a page without
    extractable text, or when trafilatura is not installed.
    """
    if not doc_id:
        raise ValueError("load_html: doc_id must be a non-empty string; pass doc_id='<name>'")
    where = where_of(doc_id, source_path)
    raw = read_input(data, where=where)
    warnings: tuple[str, ...]
    if isinstance(raw, str):
        html, encoding, warnings = raw, None, ()
    else:
        html, encoding, warnings = decode_html(raw, where=where)
    check_text(html, where=where)
    trafilatura = _import_trafilatura(where)
    found = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, date_extraction_params=dict(_DATE_PARAMS)
    )
    text = getattr(found, "text", None) if found is not None else None
    if not text or not text.strip():
        raise LoadError(
            where,
            "no article text could be extracted from the HTML",
            "check that the page holds the article itself (not a script-rendered shell), or save its text as .txt",
        )
    if len(text.split()) < _SHORT_TEXT_WORDS:
        warnings += (f"only {len(text.split())} words of main text extracted; the page may be mostly boilerplate",)
    detected = {"text": f"main text extracted by trafilatura {getattr(trafilatura, '__version__', '')}".rstrip()}
    meta = {
        "title": _clean(getattr(found, "title", None)),
        "byline": _clean(getattr(found, "author", None)),
        "outlet": _clean(getattr(found, "sitename", None)),
        "url": url or _clean(getattr(found, "url", None)),
    }
    published = _html_date(getattr(found, "date", None))
    for name, value in (*meta.items(), ("published", published)):
        if value is not None:
            detected[name] = "url argument" if name == "url" and url else "html metadata (trafilatura)"
    document = Document(
        id=doc_id, text=text, published=published, source_path=source_path, detected=detected, **meta
    )
    return LoadResult(document=document, warnings=warnings, encoding=encoding, format="html")
