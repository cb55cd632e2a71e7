"""Loaders: bytes or files in, a :class:`~newstrace.records.Document` out.

Each loader returns a :class:`LoadResult` (the document plus the encoding,
format and warnings it detected) and raises :class:`LoadError`, whose
one-line message names the input and the fix. Loaders never fetch anything.

- :func:`load_text` - plain text; the text is kept exactly as decoded, and
  title, byline, date and outlet are sniffed from the header;
- :func:`load_html` - HTML pages, main text and metadata via trafilatura
  (optional extra ``newstrace[html]``);
- :func:`load_json_record` - one JSON object with configurable field names;
- :func:`load_path` - a file on disk, loader chosen by its extension;
- :func:`load_paths` - several files named together, with ids that tell
  same-named files of different folders apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from newstrace.ingest.dates import find_dates, parse_date_string, parse_news_date
from newstrace.ingest.errors import LoadError, MissingExtra
from newstrace.ingest.html import load_html
from newstrace.ingest.jsonrec import load_json_record
from newstrace.ingest.text import LoadResult, document_without_surrogates, load_text, sniff_header

__all__ = [
    "LoadError",
    "LoadResult",
    "MissingExtra",
    "find_dates",
    "load_html",
    "load_json_record",
    "load_path",
    "load_paths",
    "load_text",
    "parse_date_string",
    "parse_news_date",
    "sniff_header",
]

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
JSON_SUFFIXES = frozenset({".json"})


def read_file(path: Path) -> bytes:
    """The bytes of ``path``; :class:`LoadError` if it is missing, a directory or unreadable."""
    where = str(path)
    if not path.exists():
        raise LoadError(where, "no such file", "check the path")
    if path.is_dir():
        raise LoadError(where, "is a directory, not a file", "give the path of one article file")
    try:
        return path.read_bytes()
    except PermissionError as exc:
        raise LoadError(where, "cannot read the file (permission denied)", "check its permissions") from exc
    except OSError as exc:
        raise LoadError(where, f"cannot read the file ({exc.strerror or exc})", "check the path and the file") from exc


def load_path(path: str | Path, *, doc_id: str | None = None) -> LoadResult:
    """Load one article file, choosing the loader by extension.

    ``.html``/``.htm``/``.xhtml`` go to :func:`load_html`, ``.json`` to
    :func:`load_json_record`, anything else to :func:`load_text`. ``doc_id``
    defaults to the record's own id for JSON (then the file name), and to the
    file name (with its extension) for everything else.
    ``Document.source_path`` is the path as given.
    """
    path = Path(path)
    data = read_file(path)
    source_path = str(path)
    suffix = path.suffix.lower()
    if suffix in JSON_SUFFIXES:
        return load_json_record(data, doc_id=doc_id, source_path=source_path)
    doc_id = doc_id or path.name
    if suffix in HTML_SUFFIXES:
        return load_html(data, doc_id=doc_id, source_path=source_path)
    return load_text(data, doc_id=doc_id, source_path=source_path)


def load_paths(paths: Sequence[str | Path]) -> list[LoadResult]:
    """Load files named together (``newstrace compare A B``), in order.

    Each document id is the file's path relative to the common parent of the
    files' folders (:func:`~newstrace.ingest.collection.file_ids`): files of
    one folder keep their names, ``outletA/index.html`` and
    ``outletB/index.html`` stay two documents. A JSON record keeps its own id
    when it has one. Raises :class:`LoadError` for the first file that cannot
    be loaded.
    """
    from newstrace.ingest.collection import file_ids

    results = []
    for path, doc_id in zip(paths, file_ids(paths)):
        if Path(path).suffix.lower() in JSON_SUFFIXES:
            result = load_path(path)
            if "record_id" not in result.document.detected:
                result = replace(result, document=replace(result.document, id=doc_id))
        else:
            result = load_path(path, doc_id=doc_id)
        document, notes = document_without_surrogates(result.document)  # a file name that is not UTF-8
        if notes:
            result = replace(result, document=document, warnings=result.warnings + notes)
        results.append(result)
    return results
