"""One article as a JSON object (a parsed ``dict``, or JSON bytes/text).

``fields`` maps newstrace's names to the record's keys, for example
``{"text": "article_body", "published": "meta.date"}`` (a dotted key reaches
into nested objects when no key with the dot itself exists). Names not given
fall back to the common keys in :data:`DEFAULT_KEYS`, first present wins.

The document text is the record's text value exactly as stored, except that
a lone surrogate (``"\\ud83d"``, half of a cut emoji) becomes U+FFFD, one
code point for one, with a warning. JSON is parsed with a bound:
:func:`parse_json` refuses values nested deeper than :data:`MAX_JSON_DEPTH`.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

import numpy as np

from newstrace.ingest.dates import parse_date_string
from newstrace.ingest.errors import LoadError
from newstrace.ingest.text import (
    LoadResult,
    check_text,
    control_warning,
    decode_bytes,
    fix_surrogates,
    published_relative_to,
    sniff_record_title,
    where_of,
)
from newstrace.records import Document

# a date field that records when the page was fetched, not when it appeared
_SCRAPED = re.compile(r"scrap|crawl|fetch|harvest", re.IGNORECASE)

__all__ = ["DEFAULT_KEYS", "MAX_JSON_DEPTH", "load_json_record", "parse_date_value", "parse_json"]

MAX_JSON_DEPTH = 200
"""The deepest nesting of objects and lists a JSON value may have. News
records nest a few levels; Python's parser fails near 1,000 levels (a
RecursionError), and whatever walks a value afterwards could fail earlier."""

# a JSON string (valid JSON: every quote that opens a string closes it), for json_depth
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')


def json_depth(text: str) -> int:
    """How deeply the valid JSON ``text`` nests objects and lists (``{}`` is 1),
    in linear time: strings dropped, then a running count of brackets."""
    rest = np.frombuffer(_JSON_STRING.sub("", text).encode("utf-8", "replace"), dtype=np.uint8)
    step = np.isin(rest, (0x5B, 0x7B)).astype(np.int32) - np.isin(rest, (0x5D, 0x7D)).astype(np.int32)
    return int(np.cumsum(step).max(initial=0))


def parse_json(text: str | bytes, *, where: str) -> Any:
    """``json.loads(text)``, bounded: raises :class:`LoadError` for a value
    nested deeper than :data:`MAX_JSON_DEPTH` levels (never RecursionError),
    and ``json.JSONDecodeError`` for text that is not JSON, for the caller to
    word (it knows whether ``text`` is a line, a record or a file)."""
    try:
        value = json.loads(text)
    except RecursionError:
        value = None
    else:
        if not isinstance(value, (dict, list)):
            return value
        opened = text.count("[") + text.count("{") if isinstance(text, str) else text.count(b"[") + text.count(b"{")
        if opened <= MAX_JSON_DEPTH:
            return value
        if json_depth(text if isinstance(text, str) else text.decode("utf-8", "replace")) <= MAX_JSON_DEPTH:
            return value
    raise LoadError(where, f"holds JSON nested more than {MAX_JSON_DEPTH} levels deep",
                    f"newstrace reads records nested at most {MAX_JSON_DEPTH} levels: flatten the record or remove it")

DEFAULT_KEYS: dict[str, tuple[str, ...]] = {
    "id": ("id", "doc_id"),
    "text": ("text", "body", "content"),
    "title": ("title", "headline"),
    "outlet": ("outlet", "publisher", "source", "series", "site"),
    "url": ("url",),
    "published": ("published", "date", "pubdate", "scrape_time"),
    "byline": ("byline", "author", "authors"),
}
MISSING = object()
"""What :func:`lookup` returns for a key the record does not have."""


def lookup(record: Mapping[str, Any], key: str) -> Any:
    """``record[key]``, or the nested value a dotted key names (``"meta.date"``),
    else :data:`MISSING`."""
    if key in record:
        return record[key]
    if "." not in key:
        return MISSING
    value: Any = record
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return MISSING
        value = value[part]
    return value


def _find(record: Mapping[str, Any], name: str, fields: Mapping[str, str]) -> tuple[str | None, Any]:
    """The key and value for one of our names; ``(None, None)`` if absent or null."""
    for key in (fields[name],) if name in fields else DEFAULT_KEYS[name]:
        value = lookup(record, key)
        if value is not MISSING and value is not None:
            return key, value
    return None, None


def _as_label(value: Any) -> str | None:
    """A metadata value as one line of text: strings, lists of names, ``{"name": ...}``."""
    if isinstance(value, Mapping):
        value = value.get("name")
    if isinstance(value, (list, tuple)):
        value = ", ".join(v for v in (_as_label(x) for x in value) if v)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def parse_date_value(value: Any) -> _dt.date | _dt.datetime | None:
    """A record's date: ISO or news-style string, or Unix time in seconds or milliseconds (UTC)."""
    if isinstance(value, str):
        return parse_date_string(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if abs(value) >= 1e11 else value
        try:
            return _dt.datetime.fromtimestamp(seconds, tz=_dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None


def _parse_record(
    record: Mapping[str, Any] | bytes | str, *, where: str
) -> tuple[Mapping[str, Any], str | None, tuple[str, ...]]:
    """The record as a mapping, with the encoding and warnings of decoding it."""
    if isinstance(record, Mapping):
        return record, None, ()
    encoding: str | None = None
    warnings: tuple[str, ...] = ()
    if isinstance(record, (bytes, bytearray)):
        record, encoding, warnings = decode_bytes(bytes(record), where=where)
    if not isinstance(record, str):
        raise TypeError(f"{where}: expected a dict, JSON bytes or a JSON string, got {type(record).__name__}")
    check_text(record, where=where)
    try:
        parsed = parse_json(record, where=where)
    except json.JSONDecodeError as exc:
        raise LoadError(
            where,
            f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            "fix the JSON, or give the file a .txt extension to load it as plain text",
        ) from exc
    if isinstance(parsed, list):
        problem = f"holds a JSON list of {len(parsed)} items, not one record"
        raise LoadError(where, problem, "give one JSON object per file")
    if not isinstance(parsed, dict):
        raise LoadError(where, f"holds a JSON {type(parsed).__name__}, not an object", "give one JSON object per file")
    return parsed, encoding, warnings


def _text_of(record: Mapping[str, Any], fields: Mapping[str, str], *, where: str) -> tuple[str, str]:
    """The article text and the key it came from; raises :class:`LoadError` if absent."""
    key, value = _find(record, "text", fields)
    keys = ", ".join(repr(k) for k in list(record)[:20]) or "none"
    if key is None:
        looked = fields["text"] if "text" in fields else "', '".join(DEFAULT_KEYS["text"])
        raise LoadError(
            where,
            f"JSON record has no text field (looked for '{looked}'; keys present: {keys})",
            "name the key that holds the article text with fields={'text': KEY}",
        )
    if not isinstance(value, str):
        raise LoadError(
            where,
            f"JSON field {key!r} holds a {type(value).__name__}, not a string",
            "name a key whose value is the article text with fields={'text': KEY}",
        )
    check_text(value, where=where, what=f"JSON field {key!r}")
    return key, value


def load_json_record(
    record: Mapping[str, Any] | bytes | str,
    *,
    doc_id: str | None = None,
    source_path: str | None = None,
    fields: Mapping[str, str] | None = None,
) -> LoadResult:
    """Load one article from a JSON object.

    ``doc_id`` wins over the record's own id, which wins over the file name
    of ``source_path``. A record without a title field gets the headline its
    text starts with (:func:`~newstrace.ingest.text.sniff_record_title`). Unparseable dates are left empty with a warning.
    Raises :class:`LoadError` for invalid JSON, a value that is not one
    object, or a record without a usable text field; ``ValueError`` for a
    ``fields`` name newstrace does not know.
    """
    fields = dict(fields or {})
    if unknown := sorted(set(fields) - set(DEFAULT_KEYS)):
        raise ValueError(f"fields: unknown name(s) {unknown}; use any of {', '.join(DEFAULT_KEYS)}")
    where = where_of(doc_id, source_path) if (doc_id or source_path) else "JSON record"
    data, encoding, warnings = _parse_record(record, where=where)
    key: str | None  # a key of the fields mapping, then one that _find found
    for name, key in fields.items():
        if lookup(data, key) is MISSING:
            raise LoadError(where, f"JSON record has no key {key!r} (given for {name!r})", "check the fields mapping")
    text_key, text = _text_of(data, fields, where=where)
    text, surrogates = fix_surrogates(text, what=f"JSON field {text_key!r}")
    warnings += (surrogates,) if surrogates else ()
    if note := control_warning(text):
        warnings += (note,)
    detected = {"text": f"json key {text_key!r}"}
    id_key, record_id = _find(data, "id", fields)
    if record_id is not None:
        detected["record_id"] = f"json key {id_key!r}: {record_id!r}"
    final_id = doc_id or (str(record_id) if record_id is not None else None)
    final_id = final_id or (PurePath(source_path).name if source_path else None)
    if not final_id:
        raise LoadError(where, "JSON record has no id", "pass doc_id=..., or name the id key with fields={'id': KEY}")
    final_id, surrogates = fix_surrogates(final_id, what="the id")
    warnings += (surrogates,) if surrogates else ()
    meta: dict[str, Any] = {}
    for name in ("title", "outlet", "url", "byline"):
        key, value = _find(data, name, fields)
        if key is not None and (label := _as_label(value)):
            meta[name], surrogates = fix_surrogates(label, what=f"JSON field {key!r}")
            warnings += (surrogates,) if surrogates else ()
            detected[name] = f"json key {key!r}"
    if "title" not in meta and (found := sniff_record_title(text, meta.get("outlet"))):
        # no title field: the headline the text starts with (the news-2018 CSVs start with
        # theirs, before the first paragraph separator), past any dateline or page furniture
        meta["title"] = found[0]
        detected["title"] = f"{found[1]} of the text (the record has no title field)"
    key, value = _find(data, "published", fields)
    if key is not None:
        meta["published"] = parse_date_value(value)
        if meta["published"] is None:
            warnings += (f"JSON field {key!r} = {value!r} is not a date newstrace understands; published left empty",)
        else:
            detected["published"] = f"json key {key!r}"
            if _SCRAPED.search(str(key)) and (rel := published_relative_to(text, meta["published"])):
                # the field is when the page was fetched; the page may say how long before it appeared
                meta["published"], detected["published"] = rel
    document = Document(id=final_id, text=text, source_path=source_path, detected=detected, **meta)
    return LoadResult(document=document, warnings=warnings, encoding=encoding, format="json")
