"""Collections: folders, glob patterns and multi-record files in, a stream of documents out.

:func:`iter_collection` is what a corpus scan reads. Each PATH is a folder
(walked recursively in name order; hidden files and folders are skipped), a
glob pattern (``corpus/*.jsonl``, ``corpus/**/*.html``) or a file. Files are
read by extension, with the single-document loaders of this package:

=========================================  =====================================================
``.txt``, ``.text``, no extension          one document, :func:`~newstrace.ingest.load_text`
``.html``, ``.htm``, ``.xhtml``            one document, :func:`~newstrace.ingest.load_html`
``.json`` (``.json.gz``)                   one record, a JSON list of records, or one record per
                                           line (passim's output files are JSON lines)
``.jsonl``, ``.ndjson`` (and ``.gz``)      one record per line (passim's ``id``/``series``/
                                           ``text`` layout is read as is)
``.csv``, ``.tsv`` (and ``.gz``)           one record per row, columns named by the header
``.warc``, ``.warc.gz``                    each HTML ``response`` record (needs ``newstrace[warc]``)
=========================================  =====================================================

Records (JSON objects, CSV rows) go through
:func:`~newstrace.ingest.load_json_record`; :class:`FieldMap` names their keys
and :data:`PRESETS` holds the layouts of known collections. A file found by
walking a folder with any other extension is reported as :class:`Skipped`;
a file named directly (or matched by a glob) is read as plain text whatever
its extension, as :func:`~newstrace.ingest.load_path` does. A plain-text file
that is not an article (a list of URLs, a README, LICENSE or CHANGELOG, a
file without prose), found or named, is Skipped with the reason
(:mod:`~newstrace.ingest.nonarticle`; ``keep_non_articles=True`` reads them).
A format whose optional extra is not installed (WARC without warcio, HTML
without trafilatura) is an error, :class:`~newstrace.ingest.MissingExtra`,
not a Skipped: :func:`check_paths` finds it before anything is read.

The stream yields :class:`~newstrace.records.Document`, :class:`Skipped`
(something that was not ingested, and why) and :class:`Notice` (something
ingested with a caveat: a loader warning, a cut text). A Notice about a
document follows it. Bad input never stops the stream; only paths that do
not exist do, and they are checked before anything is read
(:func:`check_paths`).

Document ids, unique within a collection:

- a file read as one document: its path relative to the folder scanned (for
  a glob, to the pattern's folder part, ``corpus`` for ``corpus/**/*.txt``;
  for a file named directly, to its folder: its name), with ``/``
  separators. Given several PATHs, ids are relative to the common parent of
  those folders instead: ``scan articles summaries`` gives
  ``articles/151.txt`` and ``summaries/151.txt``, never a bare file name
  that two folders share;
- a record: its id field. A record without one gets ``<file id>:<line>``
  (``dump.jsonl:17``; ``<file id>:<n>`` for the n-th item of a JSON list).
  With ``FieldMap(id_scope="file")`` record ids only need to be unique
  within their file and the document id is ``<file id>#<record id>``
  (``census_articles.csv#2313``);
- a WARC page: its ``WARC-Target-URI``.

A second document with an id already used is Skipped, naming the first.

WARC files: each ``response`` with a 2xx status and an HTML Content-Type is
one document (:func:`~newstrace.ingest.load_html`, ``url`` the target URI;
the charset of the HTTP header is used when the page declares none;
``published`` falls back to the record's ``WARC-Date``, the crawl time, when
the page gives no date). Any other response is Skipped; ``request``,
``metadata``, ``warcinfo``, ``revisit``, ``resource`` records and DNS
lookups are ignored without a word.

Damaged files: a JSON line that does not parse or nests more than
:data:`~newstrace.ingest.jsonrec.MAX_JSON_DEPTH` levels, a record without
text, a CSV row that is not valid CSV (an unterminated quote: the Skipped
names every line the row took) or has more cells than the header, a page
with no extractable text each give one Skipped and the stream goes on.
Encodings: a CSV row or JSON line that is not UTF-8 is decoded as cp1252
(else latin-1), noted; a CSV or JSON file that is UTF-16/32 (by its
byte-order mark, or UTF-16 by its NUL bytes) is decoded as such; a lone
surrogate in a record becomes U+FFFD, noted. A compressed or WARC file that is cut short
or corrupt gives the records before the damage, then one Skipped for the
rest.

Memory: JSON-lines, CSV and WARC files are streamed record by record, so a
dump of any size can be read; a ``.json`` file that holds one document or a
JSON list is read whole, as is each text or HTML file. The stream keeps the
id and location of every document it has yielded, to reject duplicates.

Where things are (``Skipped.where``, ``Notice.where``): the file path for a
file, ``<path>:<line>`` for a JSON line or a CSV row (the row's first line),
``<path>:record <n>`` for an item of a JSON list, ``<path>:offset <byte>``
for a WARC record.
"""

from __future__ import annotations

import codecs
import csv
import glob
import gzip
import importlib
import io
import itertools
import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, Final, Literal, TypeVar, cast

from newstrace.ingest import load_path
from newstrace.ingest.dates import parse_date_string
from newstrace.ingest.errors import LoadError, MissingExtra
from newstrace.ingest.html import declared_charset, load_html
from newstrace.ingest.jsonrec import DEFAULT_KEYS, MISSING, load_json_record, lookup, parse_json
from newstrace.ingest.nonarticle import non_article_reason
from newstrace.ingest.seen import FirstSeen
from newstrace.ingest.text import decode_bytes, decode_fallback, published_relative_to, stream_encoding
from newstrace.records import Document

__all__ = [
    "DEFAULT_MAX_CHARS",
    "PRESETS",
    "CollectionItem",
    "FieldMap",
    "Notice",
    "Skipped",
    "check_paths",
    "common_parent",
    "file_format",
    "file_ids",
    "iter_collection",
    "truncate_text",
]

DEFAULT_MAX_CHARS: Final = 5_000_000
IdScope = Literal["collection", "file"]
Format = Literal["text", "html", "json", "jsonl", "csv", "tsv", "warc"]


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Skipped:
    """Something that was not ingested.

    ``where`` names it (``"dump.jsonl:17"``, ``"crawl.warc.gz:offset 5120"``,
    ``"corpus/logo.png"``); ``reason`` is one line saying what is wrong and
    how to fix it.
    """

    where: str
    reason: str


@dataclass(frozen=True, slots=True)
class Notice:
    """Something ingested with a caveat: a loader warning, a text cut to
    ``max_chars``, a mapped column missing from a CSV header.

    A notice about a document comes right after the document in the stream
    and has the same ``where`` as anything else said about that record.
    """

    where: str
    message: str


CollectionItem = Document | Skipped | Notice

_RECORD_NAMES: Final = ("id", "text", "title", "outlet", "published", "url", "byline")


@dataclass(frozen=True, slots=True)
class FieldMap:
    """The keys (JSON) or columns (CSV) that hold each document field.

    ``None`` means the defaults of :func:`~newstrace.ingest.load_json_record`
    (:data:`~newstrace.ingest.jsonrec.DEFAULT_KEYS`: the first of ``text``,
    ``body``, ``content`` for the text, and so on). A dotted key
    (``"meta.date"``) reaches into nested JSON objects.

    ``series`` is passim's name for the newspaper or outlet a document
    belongs to; a record that has one but no outlet gets it as its outlet
    (the default outlet keys already include ``series``).

    A mapped key that a record lacks leaves that field empty (for the text:
    the record is Skipped). ``id_scope="file"`` says record ids are unique
    only within their file; document ids are then ``<file id>#<record id>``.
    """

    id: str | None = None
    text: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: str | None = None
    url: str | None = None
    byline: str | None = None
    series: str | None = None
    id_scope: IdScope = "collection"

    def __post_init__(self) -> None:
        for name in (*_RECORD_NAMES, "series"):
            key = getattr(self, name)
            if key is not None and (not isinstance(key, str) or not key):
                raise ValueError(f"FieldMap.{name}: give a non-empty key name, or None for the defaults")
        if self.id_scope not in ("collection", "file"):
            raise ValueError(f"FieldMap.id_scope: {self.id_scope!r} is not 'collection' or 'file'")

    def as_fields(self) -> dict[str, str]:
        """The mapping :func:`~newstrace.ingest.load_json_record` takes (``series`` apart)."""
        return {name: key for name in _RECORD_NAMES if (key := getattr(self, name)) is not None}


PRESETS: dict[str, tuple[FieldMap, str | None]] = {
    # passim's input and output records: {"id", "series", "text", "date", ...}.
    "passim": (FieldMap(id="id", text="text", series="series"), None),
    # news-event-clusters-2018 (asprout/ArticleComparisons): CSV id,publisher,scrape_time,text,
    # paragraphs joined by " ### ", ids unique only within each file. scrape_time is when the page
    # was fetched, the only date the set has.
    "news-2018": (
        FieldMap(id="id", text="text", outlet="publisher", published="scrape_time", id_scope="file"),
        " ### ",
    ),
}
"""Named layouts: ``PRESETS[name] == (fields, csv_paragraph_separator)``."""


# --------------------------------------------------------------------------- formats

_SUFFIXES: Final[tuple[tuple[str, Format], ...]] = (  # longest first
    (".jsonl.gz", "jsonl"),
    (".ndjson.gz", "jsonl"),
    (".json.gz", "json"),
    (".csv.gz", "csv"),
    (".tsv.gz", "tsv"),
    (".warc.gz", "warc"),
    (".jsonl", "jsonl"),
    (".ndjson", "jsonl"),
    (".json", "json"),
    (".csv", "csv"),
    (".tsv", "tsv"),
    (".warc", "warc"),
    (".html", "html"),
    (".htm", "html"),
    (".xhtml", "html"),
    (".txt", "text"),
    (".text", "text"),
)
# Not articles and not worth a Skipped line: system litter in folders.
_IGNORED_NAMES: Final = frozenset({"Thumbs.db", "desktop.ini", "__MACOSX", "__pycache__"})
_KNOWN: Final = ".txt, .html, .json, .jsonl, .csv, .tsv, .warc (or .gz of the record formats)"


def file_format(name: str) -> Format | None:
    """The format a file name's extension stands for; ``"text"`` for a name
    without one; ``None`` for any other extension."""
    lower = name.lower()
    for suffix, fmt in _SUFFIXES:
        if lower.endswith(suffix):
            return fmt
    return "text" if not Path(name).suffix else None


# --------------------------------------------------------------------------- paths

_GLOB_MAGIC = re.compile(r"[*?[]")


@dataclass(frozen=True, slots=True)
class _Root:
    """A PATH argument resolved: an existing file or folder and the folder ids are relative to."""

    path: Path
    base: Path


def _glob_base(pattern: str) -> Path:
    """The folder part of a glob pattern: ``corpus`` for ``corpus/**/*.txt``."""
    parts = Path(pattern).parts
    fixed = list(itertools.takewhile(lambda part: not _GLOB_MAGIC.search(part), parts[:-1]))
    return Path(*fixed) if fixed else Path(".")


def collection_roots(paths: Sequence[str | os.PathLike[str]]) -> list[_Root]:
    if isinstance(paths, (str, bytes, os.PathLike)):
        raise TypeError("paths: give a list of paths, e.g. [path], not a single path")
    if not paths:
        raise ValueError("paths: give at least one file, folder or glob pattern")
    roots: list[_Root] = []
    missing: list[tuple[str, str]] = []
    for given in paths:
        name = os.fspath(given)
        path = Path(name)
        if path.exists():
            roots.append(_Root(path, path if path.is_dir() else path.parent))
        elif _GLOB_MAGIC.search(name):
            matches = sorted(glob.glob(name, recursive=True))
            if not matches:
                missing.append((name, "the pattern matches no files or folders"))
            base = _glob_base(name)
            roots.extend(_Root(Path(m), base) for m in matches)
        else:
            missing.append((name, "no such file or folder"))
    if len(missing) == 1:
        raise LoadError(missing[0][0], missing[0][1], "check the path (and quote glob patterns)")
    if missing:
        where = ", ".join(name for name, _ in missing)
        raise LoadError(where, f"{len(missing)} paths do not exist or match nothing", "check the paths")
    if len(paths) > 1:  # ids relative to the common parent, so that a/151.txt and b/151.txt stay apart
        base = common_parent([root.base for root in roots])
        roots = [_Root(root.path, base) for root in roots]
    return roots


def common_parent(folders: Iterable[str | os.PathLike[str]]) -> Path:
    """The deepest folder that holds all of ``folders`` (made absolute, symlinks not resolved)."""
    return Path(os.path.commonpath([os.path.abspath(f) for f in folders]))


def check_paths(paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The files and folders ``paths`` name, glob patterns expanded, in order.

    Call it before any work (opening a database, say): it raises
    :class:`LoadError` naming every path that does not exist and every glob
    pattern that matches nothing; :class:`MissingExtra` when the collection
    holds files of a format whose optional extra is not installed (a
    ``.warc.gz`` without warcio), found by listing the folders' file names;
    ``ValueError`` for an empty list, ``TypeError`` for a single path not in
    a list. :func:`iter_collection` makes the path check (and raises
    MissingExtra at the first such file, when it meets it); give it the
    original ``paths`` (not this list), so that the ids of glob matches stay
    relative to the pattern's folder.
    """
    roots = collection_roots(paths)
    formats: dict[Format, list[Path]] = {}
    for found in _files(roots):
        if isinstance(found, CollectionFile) and (fmt := _format_of(found)) in _EXTRAS:
            formats.setdefault(fmt, []).append(found.path)
    for fmt, files in formats.items():
        require_extras(fmt, files[0], more=len(files) - 1)
    return [root.path for root in roots]


# The optional extras each format needs: (module, extra, what it reads).
_EXTRAS: Final[dict[Format, tuple[tuple[str, str, str], ...]]] = {
    "html": (("trafilatura", "html", "HTML"),),
    "warc": (("warcio", "warc", "WARC files"), ("trafilatura", "html", "the HTML pages of WARC files")),
}


def require_extras(fmt: Format, path: Path, *, more: int = 0) -> None:
    """Raise :class:`MissingExtra` if reading ``fmt`` needs a module that cannot be imported."""
    for module, extra, what in _EXTRAS.get(fmt, ()):
        try:
            importlib.import_module(module)
        except ImportError as exc:
            where = f"{path} (and {more:,} more)" if more else str(path)
            raise MissingExtra(where, what, module, extra, str(exc)) from exc


def _rel_id(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` with ``/`` separators (both taken as absolute paths)."""
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(base)).as_posix()
    except ValueError:  # not below base (a glob with ".." after a wildcard); keep the path
        return path.as_posix()


def file_ids(paths: Sequence[str | os.PathLike[str]]) -> list[str]:
    """The document ids of files named together (``newstrace compare A B``):
    each path relative to the common parent of their folders, so
    ``articles/151.txt`` and ``summaries/151.txt`` keep their folder names
    and files of one folder are known by their names, as a scan names them."""
    base = common_parent([Path(p).parent for p in paths]) if paths else Path(".")
    return [_rel_id(Path(p), base) for p in paths]


def _walk(folder: Path, visited: set[str]) -> Iterator[Path | Skipped]:
    """Files below ``folder`` in name order, hidden and ignored names left out."""
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield Skipped(str(folder), f"cannot list the folder ({exc.strerror or exc}); check its permissions")
        return
    for entry in entries:
        if entry.name.startswith(".") or entry.name in _IGNORED_NAMES:
            continue
        path = Path(entry.path)
        try:
            is_dir, is_file = entry.is_dir(), entry.is_file()
        except OSError:
            is_dir = is_file = False
        if is_dir:
            real = os.path.realpath(path)
            if real not in visited:  # a symlink loop, or a folder reached twice
                visited.add(real)
                yield from _walk(path, visited)
        elif is_file:
            yield path


@dataclass(frozen=True, slots=True)
class CollectionFile:
    path: Path
    id: str
    named: bool  # named directly or by a glob, rather than found by walking a folder


def _files(roots: Iterable[_Root]) -> Iterator[CollectionFile | Skipped]:
    visited: set[str] = set()
    for root in roots:
        if root.path.is_dir():
            visited.add(os.path.realpath(root.path))
            for found in _walk(root.path, visited):
                if isinstance(found, Skipped):
                    yield found
                else:
                    yield CollectionFile(found, _rel_id(found, root.base), named=False)
        else:
            yield CollectionFile(root.path, _rel_id(root.path, root.base), named=True)


# --------------------------------------------------------------------------- truncation


def truncate_text(text: str, max_chars: int) -> str:
    """``text`` if it fits in ``max_chars``, else its longest prefix of at most
    ``max_chars`` characters that ends at a word boundary (trailing whitespace
    dropped); a text with no whitespace to cut at is cut at ``max_chars``.

    The result is always a prefix of ``text``, so offsets into it are offsets
    into the original.
    """
    if len(text) <= max_chars:
        return text
    head = text[: max_chars + 1]  # one more character: a space right at the limit is a clean cut
    if head[-1].isspace():
        kept = head.rstrip()
    else:
        parts = head.rsplit(None, 1)
        kept = parts[0] if len(parts) == 2 else ""
    return kept if kept.strip() else text[:max_chars]


# --------------------------------------------------------------------------- the stream


@dataclass(frozen=True, slots=True)
class ReadOptions:
    fields: FieldMap
    separator: str | None
    max_chars: int
    keep_non_articles: bool = False


@dataclass(frozen=True, slots=True)
class Loaded:
    """A document as a reader produced it, before the id check and truncation."""

    where: str
    document: Document
    warnings: tuple[str, ...] = ()
    record: bool = True  # from a record (JSON, CSV, WARC) rather than a whole file


_ReaderItem = Loaded | Skipped | Notice


def iter_collection(
    paths: Sequence[str | os.PathLike[str]],
    *,
    fields: FieldMap | None = None,
    csv_paragraph_separator: str | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    keep_non_articles: bool = False,
) -> Iterator[CollectionItem]:
    """Stream the documents of a collection, and what could not be read.

    ``paths`` are files, folders and glob patterns (see the module
    docstring). ``fields`` names the keys/columns of JSON and CSV records
    (:data:`PRESETS` holds known layouts). ``csv_paragraph_separator``
    (``" ### "`` for the news-2018 CSVs) is replaced by a blank line
    (``"\\n\\n"``) in CSV texts; offsets then refer to the text after the
    replacement. A text longer than ``max_chars`` is cut at the last word
    boundary before the limit (:func:`truncate_text`) and a :class:`Notice`
    follows the document. A plain-text file that is not an article (a URL
    list, a README or licence, a file without prose:
    :func:`~newstrace.ingest.nonarticle.non_article_reason`) is Skipped with
    the reason, unless ``keep_non_articles``.

    The paths are checked at once, before anything is read: raises
    :class:`LoadError` for a path that does not exist or a glob pattern
    that matches nothing, ``ValueError`` for bad arguments. After that,
    nothing raises for bad input: it becomes a :class:`Skipped`.
    """
    fields = FieldMap() if fields is None else fields
    if not isinstance(fields, FieldMap):
        raise TypeError(f"fields: expected a FieldMap, got {type(fields).__name__}")
    separator = csv_paragraph_separator
    if separator is not None and (not isinstance(separator, str) or not separator):
        raise ValueError("csv_paragraph_separator: give a non-empty string (such as ' ### '), or None")
    if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 1:
        raise ValueError(f"max_chars: give a positive number of characters, not {max_chars!r}")
    roots = collection_roots(paths)
    return _stream(roots, ReadOptions(fields, separator, max_chars, bool(keep_non_articles)))


def _stream(roots: list[_Root], options: ReadOptions) -> Iterator[CollectionItem]:
    with FirstSeen() as first_use:  # document id -> where it was first seen
        for found in collection_files(roots):
            if not isinstance(found, CollectionFile):
                yield found
                continue
            for item in read_file(found, options):
                if isinstance(item, Loaded):
                    yield from _emit(item, first_use, options.max_chars)
                else:
                    yield item


def collection_files(roots: list[_Root]) -> Iterator[CollectionFile | Skipped | Notice]:
    """The files a collection reads, in order, each once (a Notice for a file
    reached twice). An engine that reads files in parallel (Spark) lists them
    with this and reads each with :func:`read_file` and :func:`finish_item`."""
    with FirstSeen() as files_read:  # real path -> path as first read
        for found in _files(roots):
            if isinstance(found, Skipped):
                yield found
                continue
            first = files_read.first(os.path.realpath(found.path), str(found.path))
            if first is not None:
                yield Notice(str(found.path), f"already read as {first}; read once")
                continue
            yield found


def duplicate_id(where: str, doc_id: str, first: str, *, record: bool) -> Skipped:
    """The Skipped for the document at ``where`` whose id was first used at ``first``."""
    if record:
        fix = "give every record a unique id, or use FieldMap(id_scope='file') if ids are unique only per file"
    else:
        fix = "scan the folders' common parent instead, so that ids include the folder names"
    return Skipped(where, f"duplicate id {doc_id!r} (first used at {first}); {fix}")


def _emit(item: Loaded, first_use: FirstSeen, max_chars: int) -> Iterator[CollectionItem]:
    """The document (unless its id is taken), cut to ``max_chars``, then its notices."""
    if (first := first_use.first(item.document.id, item.where)) is not None:
        yield duplicate_id(item.where, item.document.id, first, record=item.record)
        return
    yield from finish_item(item, max_chars)


def finish_item(item: Loaded, max_chars: int) -> Iterator[CollectionItem]:
    """A loaded document cut to ``max_chars``, then its notices (the id check apart)."""
    doc = item.document
    notices = [Notice(item.where, warning) for warning in item.warnings]
    if len(doc.text) > max_chars:
        n = len(doc.text)
        cut = truncate_text(doc.text, max_chars)
        doc = replace(
            doc,
            text=cut,
            detected={**doc.detected, "truncated": f"first {len(cut):,} of {n:,} characters (max_chars {max_chars:,})"},
        )
        notices.append(
            Notice(
                item.where,
                f"text of {n:,} characters is over the limit of {max_chars:,}; kept the first {len(cut):,}, "
                "cut at a word boundary (raise max_chars to keep more)",
            )
        )
    yield doc
    yield from notices


def _format_of(file: CollectionFile) -> Format | None:
    """The format a file is read as: by its extension; plain text for a named file of any other."""
    fmt = file_format(file.path.name)
    return "text" if fmt is None and file.named else fmt


def read_file(file: CollectionFile, options: ReadOptions) -> Iterator[_ReaderItem]:
    fmt = _format_of(file)
    if fmt is None:
        suffix = file.path.suffix or file.path.name
        yield Skipped(
            str(file.path),
            f"not an article format ({suffix}); newstrace reads {_KNOWN}: "
            "rename plain-text files to .txt, or name the file itself to read it as text",
        )
        return
    require_extras(fmt, file.path)  # raises: a missing extra is not bad input to skip
    if fmt in ("text", "html"):
        yield from _read_page(file, options)
    elif fmt == "json":
        yield from _read_json(file, options)
    elif fmt == "jsonl":
        yield from _read_jsonl(file, options)
    elif fmt in ("csv", "tsv"):
        yield from _read_csv(file, options, delimiter="\t" if fmt == "tsv" else ",")
    else:
        yield from _read_warc(file)


def _reason(exc: LoadError) -> str:
    return f"{exc.problem}; {exc.fix}"


def _crash(exc: Exception) -> str:
    return f"the loader failed ({type(exc).__name__}: {exc}); this is a bug, please report it with the file"


# --------------------------------------------------------------------------- one file, one document


def _read_page(file: CollectionFile, options: ReadOptions) -> Iterator[_ReaderItem]:
    where = str(file.path)
    try:
        result = load_path(file.path, doc_id=file.id)
    except MissingExtra:
        raise
    except LoadError as exc:
        yield Skipped(where, _reason(exc))
        return
    except Exception as exc:  # noqa: BLE001 - a third-party extractor failing on one page must not stop a scan
        yield Skipped(where, _crash(exc))
        return
    if result.format == "text" and not options.keep_non_articles:
        if why := non_article_reason(file.path.name, result.document.text):
            yield Skipped(where, f"not an article: {why}; to read it anyway, scan with --keep-non-articles "
                                 "(keep_non_articles=True)")
            return
    yield Loaded(where, result.document, result.warnings, record=False)


# --------------------------------------------------------------------------- reading files safely

# What reading a damaged or truncated file raises (gzip.BadGzipFile is an OSError).
_READ_ERRORS: Final = (EOFError, zlib.error, OSError)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Broken:
    error: BaseException


def _guarded(items: Iterable[T], errors: tuple[type[BaseException], ...] = _READ_ERRORS) -> Iterator[T | _Broken]:
    """``items``, then a :class:`_Broken` (and the end) if reading them raises one of ``errors``."""
    it = iter(items)
    while True:
        try:
            item = next(it)
        except StopIteration:
            return
        except errors as exc:
            yield _Broken(exc)
            return
        yield item


def _damage(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return "the compressed data ends early: the file is truncated"
    if isinstance(exc, gzip.BadGzipFile):
        return f"not valid gzip data ({exc})"
    if isinstance(exc, zlib.error):
        return f"corrupt compressed data ({exc})"
    if isinstance(exc, OSError):
        return f"read error ({exc.strerror or exc})"
    return str(exc) or type(exc).__name__


def _broken(where: str, exc: BaseException, unit: str = "lines") -> Skipped:
    return Skipped(
        where,
        f"cannot read the rest of the file: {_damage(exc)}; the {unit} before were read, "
        "the rest was not: re-download or re-create the file",
    )


def _open_binary(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))  # a GzipFile is a binary file object
    return open(path, "rb")


def _cannot_open(path: Path, exc: OSError) -> Skipped:
    return Skipped(str(path), f"cannot read the file ({exc.strerror or exc}); check the path and its permissions")


# --------------------------------------------------------------------------- records

def _label(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return (" ".join(value.split()) or None) if isinstance(value, str) else None


def read_record(
    record: Mapping[str, Any],
    *,
    where: str,
    fallback_id: str,
    file: CollectionFile,
    options: ReadOptions,
    warnings: tuple[str, ...] = (),
    note: Mapping[str, str] | None = None,
) -> Iterator[_ReaderItem]:
    """One JSON object or CSV row through :func:`load_json_record`, ids and series applied."""
    fmap = options.fields
    fields = fmap.as_fields()
    # A mapped key this record lacks: present it as null, so that the loader leaves the field
    # empty (rather than rejecting the record, or falling back to other keys). Not for the text.
    absent = [key for name, key in fields.items() if name != "text" and lookup(record, key) is MISSING]
    if absent:
        record = {**record, **dict.fromkeys(absent)}
    try:
        result = load_json_record(record, fields=fields, source_path=str(file.path))
    except LoadError as exc:
        yield Skipped(where, _reason(exc))
        return
    doc = result.document
    detected = {**doc.detected, **(note or {})}
    changes: dict[str, Any] = {}
    if "record_id" not in detected:
        changes["id"] = fallback_id
        detected["id"] = f"the record has no id; named after its place ({where})"
    elif fmap.id_scope == "file":
        changes["id"] = f"{file.id}#{doc.id}"
        detected["id"] = "record id qualified by its file (id_scope='file')"
    if doc.outlet is None and fmap.series is not None and (series := _label(lookup(record, fmap.series))):
        changes["outlet"] = series
        detected["outlet"] = f"json key {fmap.series!r} (series)"
    if changes or note:
        doc = replace(doc, detected=detected, **changes)
    yield Loaded(where, doc, warnings + result.warnings)


_JSON_TYPES: Final = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), "a number")


# --------------------------------------------------------------------------- JSON lines


def _numbered_lines(f: IO[bytes]) -> Iterator[tuple[int, bytes] | _Broken]:
    return _guarded(enumerate(f, start=1))


def read_json_line(lineno: int, raw: bytes, file: CollectionFile, options: ReadOptions) -> Iterator[_ReaderItem]:
    if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    if not raw.strip():
        return  # blank lines (a trailing newline, say) are no records
    where = f"{file.path}:{lineno}"
    line, _, warnings = decode_fallback(raw)
    try:
        value = parse_json(line, where=where)
    except json.JSONDecodeError as exc:
        yield Skipped(where, f"line is not valid JSON ({exc.msg} at column {exc.colno}); fix or remove the line")
        return
    except LoadError as exc:
        yield Skipped(where, f"line {_reason(exc)}")
        return
    if not isinstance(value, dict):
        yield Skipped(where, f"line holds {_json_type(value)}, not a JSON object; give one object per line")
        return
    yield from read_record(
        value, where=where, fallback_id=f"{file.id}:{lineno}", file=file, options=options, warnings=warnings
    )


def _json_lines(lines: Iterable[tuple[int, bytes] | _Broken], file: CollectionFile, options: ReadOptions) -> Iterator[_ReaderItem]:
    last = 0
    for item in lines:
        if isinstance(item, _Broken):
            yield _broken(f"{file.path}:{last + 1}", item.error)
            return
        last, raw = item
        yield from read_json_line(last, raw, file, options)


def _read_jsonl(file: CollectionFile, options: ReadOptions) -> Iterator[_ReaderItem]:
    f, said = _open_utf8(file)
    yield from said
    if f is not None:
        with f:
            yield from _json_lines(_numbered_lines(f), file, options)


def _open_utf8(file: CollectionFile) -> tuple[IO[bytes] | None, list[_ReaderItem]]:
    """A JSON file opened as UTF-8 bytes, and what to say first (a Notice on
    its encoding; a Skipped, with ``None`` for the file, if it cannot be read).

    Recoded when its first bytes say it is UTF-16/32
    (:func:`~newstrace.ingest.text.stream_encoding`; an undecodable unit
    becomes U+FFFD); else the bytes as they are (each line is decoded on its own)."""
    try:
        raw = _open_binary(file.path)
    except OSError as exc:
        return None, [_cannot_open(file.path, exc)]
    try:
        peek = getattr(raw, "peek", None)
        encoding, note = stream_encoding(peek(4096)[:4096] if peek is not None else b"")
    except _READ_ERRORS as exc:
        raw.close()
        return None, [_broken(str(file.path), exc, unit="bytes")]
    said: list[_ReaderItem] = [Notice(str(file.path), note)] if note else []
    if encoding is None:
        return raw, said
    return cast(IO[bytes], codecs.EncodedFile(raw, "utf-8", encoding, errors="replace")), said


# --------------------------------------------------------------------------- JSON files


def _is_object_line(raw: bytes) -> bool:
    try:
        return isinstance(parse_json(raw, where=""), dict)
    except (ValueError, LoadError):  # JSONDecodeError, UnicodeDecodeError, nested too deep
        return False


def _read_json(file: CollectionFile, options: ReadOptions) -> Iterator[_ReaderItem]:
    """A ``.json`` file: JSON lines if its first line is a whole object and
    another line follows (passim's output), else one JSON value read whole."""
    opened, said = _open_utf8(file)
    yield from said
    if opened is None:
        return
    with opened as f:
        lines = _numbered_lines(f)
        head: list[tuple[int, bytes] | _Broken] = []
        nonblank = 0
        for item in lines:
            head.append(item)
            if isinstance(item, _Broken):
                break
            if item[1].strip():
                nonblank += 1
                if nonblank == 2:
                    yield from _json_lines(itertools.chain(head, lines), file, options)
                    return
                if not _is_object_line(item[1]):
                    break  # a value over several lines: read the file whole
        chunks: list[bytes] = []
        for item in head:
            if isinstance(item, _Broken):
                yield _broken(str(file.path), item.error, unit="bytes")
                return
            chunks.append(item[1])
        try:
            chunks.append(f.read())
        except _READ_ERRORS as exc:
            yield _broken(str(file.path), exc, unit="bytes")
            return
    yield from _json_value(b"".join(chunks), file, options)


def _json_value(data: bytes, file: CollectionFile, options: ReadOptions) -> Iterator[_ReaderItem]:
    where = str(file.path)
    if not data.strip():
        yield Skipped(where, "file is empty; give a file that holds JSON records")
        return
    try:
        text, _, warnings = decode_bytes(data, where=where)
    except LoadError as exc:
        yield Skipped(where, _reason(exc))
        return
    try:
        value = parse_json(text, where=where)
    except json.JSONDecodeError as exc:
        yield Skipped(
            where,
            f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "fix the JSON, or name the file .txt to read it as plain text",
        )
        return
    except LoadError as exc:
        yield Skipped(where, f"file {_reason(exc)}")
        return
    if isinstance(value, dict):
        yield from read_record(value, where=where, fallback_id=file.id, file=file, options=options, warnings=warnings)
        return
    if not isinstance(value, list):
        yield Skipped(where, f"holds {_json_type(value)}, not a JSON object or a list of objects; give records")
        return
    yield from (Notice(where, warning) for warning in warnings)
    if not value:
        yield Notice(where, "holds an empty list: no records")
    for n, element in enumerate(value, start=1):
        item_where = f"{file.path}:record {n}"
        if isinstance(element, dict):
            yield from read_record(element, where=item_where, fallback_id=f"{file.id}:{n}", file=file, options=options)
        else:
            yield Skipped(item_where, f"list item is {_json_type(element)}, not a JSON object; give a list of objects")


# --------------------------------------------------------------------------- CSV

_SURROGATE = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept by errors="surrogateescape"


class _CsvLines:
    """The physical lines a ``csv.reader`` reads, numbered from 1, with the
    first and last line of the row being read (a quoted cell may span lines)."""

    def __init__(self, f: IO[str]) -> None:
        self.f = f
        self.number = 0
        self.first = 0  # the first line of the row being read; 0 before it reads any

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        line = next(self.f)
        self.number += 1
        if not self.first:
            self.first = self.number
        return line


def _utf8_or_fallback(cells: list[str]) -> tuple[list[str], int, str | None]:
    """A row's cells with bytes that were not UTF-8 (kept as surrogate escapes)
    decoded as cp1252 (else latin-1), as for ``.txt`` and ``.jsonl``; the
    first such cell's index and the warning (``None`` if all were UTF-8)."""
    warning: str | None = None
    first = 0
    out = []
    for n, cell in enumerate(cells):
        if _SURROGATE.search(cell):
            cell, _, notes = decode_fallback(cell.encode("utf-8", "surrogateescape"))
            if warning is None and notes:
                warning, first = notes[0], n
        out.append(cell)
    return out, first, warning


def _open_text(raw: IO[bytes], where: str) -> tuple[IO[str], Notice | None]:
    """A CSV file's bytes as text: UTF-16/32 when a byte-order mark or the NUL
    bytes say so (:func:`~newstrace.ingest.text.stream_encoding`), else UTF-8
    with bytes that are not UTF-8 kept as surrogate escapes, to be decoded
    row by row (:func:`_utf8_or_fallback`)."""
    peek = getattr(raw, "peek", None)
    head = peek(4096)[:4096] if peek is not None else b""
    encoding, note = stream_encoding(head)
    notice = Notice(where, note) if note else None
    if encoding is None:
        return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline=""), notice
    return io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline=""), notice


def _read_csv(file: CollectionFile, options: ReadOptions, *, delimiter: str) -> Iterator[_ReaderItem]:
    csv.field_size_limit(2**31 - 1)
    where = str(file.path)
    try:
        raw = _open_binary(file.path)
    except OSError as exc:
        yield _cannot_open(file.path, exc)
        return
    with raw:
        try:
            f, notice = _open_text(raw, where)
        except _READ_ERRORS as exc:
            yield _broken(where, exc, unit="bytes")
            return
        if notice:
            yield notice
        lines = _CsvLines(f)
        # strict: a quote that closes a cell must be followed by the delimiter or the row's end, so an
        # unterminated quote ends in an error (at the next quote, or at the end of the file) instead of
        # silently swallowing the rows after it
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            yield Skipped(where, f"the header row is not valid CSV ({exc}); fix the file")
            return
        except _READ_ERRORS as exc:
            yield _broken(where, exc, unit="bytes")
            return
        if not header or not any(header):
            yield Skipped(where, "file is empty (no header row); give a CSV file whose first row names the columns")
            return
        header, _, warning = _utf8_or_fallback(header)
        if warning:
            yield Notice(where, f"the header row is {warning}")
        yield from _csv_rows(reader, lines, header, file, options)


def _csv_rows(reader: Iterator[list[str]], lines: _CsvLines, header: list[str], file: CollectionFile,
              options: ReadOptions) -> Iterator[_ReaderItem]:
    where = str(file.path)
    fmap = options.fields
    text_column = fmap.text or next((key for key in DEFAULT_KEYS["text"] if key in header), None)
    if text_column not in header:
        looked = repr(fmap.text) if fmap.text else ", ".join(repr(k) for k in DEFAULT_KEYS["text"])
        columns = ", ".join(repr(c) for c in header[:20])
        yield Skipped(
            where,
            f"CSV header has no text column (looked for {looked}; columns: {columns}); "
            "name the column that holds the article text with FieldMap(text=...)",
        )
        return
    mapped = {**fmap.as_fields(), **({"series": fmap.series} if fmap.series else {})}
    for name, column in mapped.items():
        if column not in header:
            yield Notice(where, f"column {column!r} (given for {name}) is not in the header; {name} left empty")
    note = {"paragraphs": f"{options.separator!r} replaced by a blank line"} if options.separator else {}
    decoded_note = False  # the first row decoded as cp1252 is noted, not every one
    while True:
        lines.first = 0
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield _bad_csv_row(file.path, lines, exc)
            continue
        except _READ_ERRORS as exc:
            yield _broken(f"{file.path}:{lines.first or lines.number}", exc, unit="rows")
            return
        start = lines.first
        row_where = f"{file.path}:{start}"
        if not any(cells):
            continue  # a blank line
        cells, bad_column, warning = _utf8_or_fallback(cells)
        extra = [c for c in cells[len(header):] if c != ""]
        if extra:
            shown = ", ".join(repr(excerpt_cell(c)) for c in extra[:3]) + (", ..." if len(extra) > 3 else "")
            yield Skipped(
                row_where,
                f"row has {len(cells)} cells, the header {len(header)}: {len(extra)} more cell"
                f"{'s' * (len(extra) != 1)} than columns ({shown}), so its cells cannot be matched to the "
                "columns; quote cells that hold the delimiter, or name the extra columns in the header",
            )
            continue
        if len(cells) <= header.index(text_column):
            yield Skipped(
                row_where,
                f"row has {len(cells)} of the header's {len(header)} cells, none for the text column {text_column!r}; "
                "fix or remove the row (is the file cut short?)",
            )
            continue
        # Empty cells are missing values, except the text's (an empty text is reported as such).
        record: dict[str, Any] = {k: (v if k == text_column or v != "" else None) for k, v in zip(header, cells)}
        text = record.get(text_column)
        if options.separator and isinstance(text, str):
            record[text_column] = text.replace(options.separator, "\n\n")
        items = list(read_record(
            record, where=row_where, fallback_id=f"{file.id}:{start}", file=file, options=options, note=note
        ))
        yield from items
        if warning and not decoded_note and any(isinstance(item, Loaded) for item in items):
            decoded_note = True
            yield Notice(row_where, f"row is {warning} (first in column {header[bad_column]!r}); "
                                    "every row of this file that is not UTF-8 is decoded so, noted here once")


def excerpt_cell(cell: str, limit: int = 30) -> str:
    return cell if len(cell) <= limit else cell[: limit - 1] + "…"


def _bad_csv_row(path: Path, lines: _CsvLines, exc: csv.Error) -> Skipped:
    """The Skipped for a row the csv reader rejects, naming every line it took."""
    first = lines.first or lines.number
    last = lines.number
    if last > first:
        span = (f"lines {first}-{last} were read as one row and skipped ({last - first + 1} lines: a quote that "
                "opens a cell is not closed, and the rows on those lines were not read)")
    else:
        span = "a quote inside a cell is not doubled"
    return Skipped(f"{path}:{first}", f"row is not valid CSV ({exc}): {span}; fix the quotes in the file "
                                      "(a quote inside a quoted cell is written twice: \"\")")


# --------------------------------------------------------------------------- WARC

_HTML_TYPES: Final = frozenset({"text/html", "application/xhtml+xml"})
# Records that are not a fetched page, or repeat one: ignored without a word.
_SILENT_TYPES: Final = frozenset(
    {"request", "metadata", "warcinfo", "revisit", "resource", "conversion", "continuation"}
)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_BOMS: Final = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _with_http_charset(payload: bytes, content_type: str) -> bytes | str:
    """The page decoded with the charset its HTTP header names, when the page
    itself declares none and has no byte-order mark; else the bytes as they are
    (for :func:`load_html` to decode)."""
    m = _CHARSET.search(content_type)
    if not m or payload.startswith(_BOMS) or declared_charset(payload) is not None:
        return payload
    try:
        encoding = codecs.lookup(m.group(1)).name
    except LookupError:
        return payload
    if encoding in ("ascii", "latin-1", "iso8859-1"):
        encoding = "cp1252"  # as browsers read these declarations
    try:
        return payload.decode(encoding)
    except UnicodeDecodeError:
        return payload


def _warc_error(exc: Exception) -> BaseException:
    """``exc`` if it is a read error (an ``OSError``, a cut gzip stream); else an error saying
    the WARC data is malformed, with warcio's words cut short (it quotes the bytes it met)."""
    if isinstance(exc, _READ_ERRORS):
        return exc
    said = str(exc)
    said = "".join(ch if ch.isprintable() else "?" for ch in (said if len(said) <= 80 else said[:79] + "…"))
    return ValueError(f"the data is not WARC records, or they are malformed or cut short ({type(exc).__name__}: "
                      f"{said})")


def _read_warc(file: CollectionFile) -> Iterator[_ReaderItem]:
    where = str(file.path)
    try:
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed
    except ImportError as exc:
        raise MissingExtra(where, "WARC files", "warcio", "warc", str(exc)) from exc
    errors = (ArchiveLoadFailed, *_READ_ERRORS, ValueError)
    try:
        f = open(file.path, "rb")
    except OSError as exc:
        yield _cannot_open(file.path, exc)
        return
    with f:
        archive = ArchiveIterator(f)
        records = iter(archive)
        last, end = "the start", 0
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except Exception as exc:  # noqa: BLE001 - warcio fails on damaged input in many ways
                yield _broken(f"{file.path}:after {last}", _warc_error(exc), unit="records")
                return
            # The offset is known only once the record is read to its end: read the page first.
            outcome = None if record.rec_type in _SILENT_TYPES else _warc_response(record, file, errors)
            try:
                offset = archive.get_record_offset()
                end = offset + archive.get_record_length()
            except Exception as exc:  # noqa: BLE001 - as above
                yield _broken(f"{file.path}:after {last}", _warc_error(exc), unit="records")
                return
            last = f"offset {offset}"
            if cut := _warc_cut(record, archive):
                yield Skipped(
                    f"{file.path}:{last}",
                    f"the file ends {cut}: it is truncated or damaged; "
                    "the records before were read: re-download or re-create the file",
                )
                return
            if outcome is not None:
                yield replace(outcome, where=f"{file.path}:{last}")
        # warcio also stops quietly at data it cannot read as a record (a gzip member cut short).
        try:
            f.seek(end)
            tail = f.read(4096)
        except OSError as exc:
            yield _broken(f"{file.path}:offset {end}", exc, unit="records")
            return
        if tail.strip():
            yield Skipped(
                f"{file.path}:offset {end}",
                "the file goes on after its last complete record with data that is not a WARC record: "
                "it is truncated or damaged; the records before were read: re-download or re-create the file",
            )


def _warc_cut(record: Any, archive: Any) -> str:
    """Where a record read to its end turned out to be cut short, or ``""`` if it is whole."""
    if not (record.rec_headers.get_header("Content-Length") or "").strip().isdigit():  # every record has one
        return "in the header of this record"
    if (missing := getattr(record.raw_stream, "limit", 0)) > 0:
        return f"inside this record ({missing:,} bytes missing)"
    decompressor = getattr(archive.reader, "decompressor", None)
    if decompressor is not None and not getattr(decompressor, "eof", True):
        return "inside this record's gzip member"
    return ""


def _warc_response(record: Any, file: CollectionFile, errors: tuple[type[BaseException], ...]) -> Loaded | Skipped | None:
    """A WARC ``response``: a document if it is a successful HTML page, a Skipped
    if it is not (``where`` left for the caller to fill in), ``None`` to ignore it."""
    where = ""
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    if uri.startswith("dns:"):
        return None  # a crawler's DNS lookup, not a page
    if not uri:
        return Skipped(where, "response record has no WARC-Target-URI, so the page has no id; fix the WARC file")
    http = record.http_headers
    content_type = (http.get_header("Content-Type") if http else None) or ""
    mime = content_type.split(";")[0].strip().lower()
    status = http.get_statuscode() if http else None
    if status and not status.startswith("2"):
        return Skipped(where, f"{uri}: HTTP status {status}, not a page; only successful (2xx) HTML responses are read")
    if mime not in _HTML_TYPES:
        what = mime or "of no stated Content-Type"
        return Skipped(where, f"{uri}: response is {what}, not HTML; only HTML pages are read from WARC files")
    try:
        payload = record.content_stream().read()
    except errors as exc:
        return Skipped(where, f"{uri}: cannot read the response body ({_damage(exc)}); the record is damaged")
    try:
        result = load_html(_with_http_charset(payload, content_type), doc_id=uri, url=uri, source_path=str(file.path))
    except LoadError as exc:
        return Skipped(where, f"{uri}: {_reason(exc)}")
    except Exception as exc:  # noqa: BLE001 - a third-party extractor failing on one page must not stop a scan
        return Skipped(where, f"{uri}: {_crash(exc)}")
    doc = result.document
    if doc.published is None and (warc_date := parse_date_string(record.rec_headers.get_header("WARC-Date") or "")):
        if rel := published_relative_to(doc.text, warc_date):
            doc = replace(doc, published=rel[0], detected={**doc.detected, "published": f"{rel[1]} (the WARC-Date)"})
        else:
            detected = {**doc.detected, "published": "WARC-Date (the page gives no date; this is when it was crawled)"}
            doc = replace(doc, published=warc_date, detected=detected)
    return Loaded(where, doc, result.warnings)
