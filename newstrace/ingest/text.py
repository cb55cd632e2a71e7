"""Plain-text articles: decoding, sanity checks and header sniffing.

This module also holds what the other loaders share: :class:`LoadResult`,
reading bytes from a file object, decoding with a recorded fallback, and the
checks for empty and binary input.

The document text is the decoded input *exactly* (no stripping, no newline
conversion): every offset newstrace reports refers to it. Metadata is sniffed
from the header (the first 15 non-empty lines) and ``Document.detected`` says
where each value came from, with 1-based physical line numbers.

Header rules, in short:

- title: the first non-empty line, unless it is a byline, a date line or too
  long to be a headline (over 40 words). It is kept verbatim, blog prefixes
  included (``"MESOP NEWS MAIN STORY TODAY: First on CNN: ..."``): a loader
  does not guess where a site's label ends and the headline begins;
- byline: a line ``By NAME`` (also ``Posted by``/``Written by``), cut where a
  dash, a bar, a date or ``Updated``/``Published`` begins;
- published: the first date on the byline line or on a short line that is
  mostly a date (``Global Research, August 12, 2017``); dates on other header
  lines go to ``detected["other_dates"]``;
- outlet: the name before the date on such a short line when it looks like a
  name (``Global Research``); a place name in the same position
  (``Washington, August 4, 2017``) is taken for one too, which is why
  ``detected["outlet"]`` shows the line.

Markdown link syntax (``[Marko Marjanović](#)``) is stripped from sniffed
values, never from the text.
"""

from __future__ import annotations

import codecs
import datetime as _dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, BinaryIO, Literal

from newstrace.boilerplate import is_boilerplate_line, is_furniture_line
from newstrace.ingest.dates import DateMatch, find_dates, find_relative_date
from newstrace.ingest.errors import LoadError
from newstrace.records import Document

__all__ = [
    "HeaderInfo",
    "LoadResult",
    "check_text",
    "control_warning",
    "decode_bytes",
    "decode_fallback",
    "decode_input",
    "document_without_surrogates",
    "fix_surrogates",
    "reject_binary",
    "stream_encoding",
    "load_text",
    "read_input",
    "sniff_header",
    "sniff_record_title",
    "where_of",
]

Format = Literal["text", "html", "json"]

HEADER_LINES = 15
MAX_CONTROL_SHARE = 0.05
"""Text with a larger share of control characters is binary data decoded as text."""
MAX_NUL_SHARE = 0.01
"""Bytes with a larger share of NUL bytes (and no UTF-16/32 mark) are not text."""


@dataclass(frozen=True, slots=True)
class LoadResult:
    """A loaded document plus what the loader detected and warns about.

    ``encoding`` is the codec the bytes were decoded with (``None`` when the
    input was already a ``str`` or a parsed record); ``warnings`` are one-line
    notes such as ``"not valid UTF-8 (byte 0x93 at offset 12); decoded as
    cp1252"``; ``format`` is ``"text"``, ``"html"`` or ``"json"``.
    """

    document: Document
    warnings: tuple[str, ...] = ()
    encoding: str | None = None
    format: Format = "text"


# --------------------------------------------------------------------------- input


def where_of(doc_id: str | None, source_path: str | None) -> str:
    """How a :class:`LoadError` names the input: its path, else its document id."""
    if source_path:
        return str(source_path)
    return f"document {doc_id!r}" if doc_id else "<input>"


def read_input(data: bytes | bytearray | memoryview | str | BinaryIO, *, where: str) -> bytes | str:
    """Return ``data`` as ``bytes`` (or ``str``, if it already was), reading a file object."""
    if isinstance(data, (bytes, str)):
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    read = getattr(data, "read", None)
    if read is None:
        raise TypeError(f"{where}: expected bytes, str or a binary file object, got {type(data).__name__}")
    try:
        content = read()
    except OSError as exc:
        raise LoadError(where, f"cannot read the input ({exc.strerror or exc})", "check the file") from exc
    if not isinstance(content, (bytes, str)):
        raise TypeError(f"{where}: file object returned {type(content).__name__}; open the file in binary mode ('rb')")
    return content


_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF file"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"(\xb5/\xfd", "zstd-compressed data"),
    (b"PK\x03\x04", "a zip archive (or a .docx/.odt document)"),
    (b"\x7fELF", "an executable"),
    (b"SQLite format 3\x00", "an SQLite database"),
)


def _bad_byte(exc: UnicodeDecodeError) -> str:
    return f"byte 0x{exc.object[exc.start]:02x} at offset {exc.start}"


def reject_binary(data: bytes, *, where: str) -> None:
    """Raise :class:`LoadError` if ``data`` starts like a known binary format,
    or if more than :data:`MAX_NUL_SHARE` of its bytes (and more than 3) are
    NUL without a UTF-16/32 byte-order mark (UTF-16 text without its mark, or
    binary data).

    A few stray NUL bytes, as scraped web pages hold, are not binary data:
    such text is loaded with them kept (see :func:`control_warning`).
    """
    what = _sniff_binary(data)
    if what:
        raise LoadError(where, f"looks like {what}, not text", "give the article as text, HTML or JSON")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)):
        return
    nuls = data.count(b"\x00")
    if nuls > max(MAX_NUL_SHARE * len(data), 3):
        if utf16_without_bom(data):
            problem = (f"{nuls:,} of its {len(data):,} bytes are NUL, every other byte: UTF-16 text without a "
                       "byte-order mark, and not valid UTF-16")
            raise LoadError(where, problem, "save the article as UTF-8 (or as UTF-16 with a byte-order mark)")
        raise LoadError(
            where,
            f"{nuls:,} of its {len(data):,} bytes are NUL, so it is binary data, not text",
            "give the article as UTF-8 text, HTML or JSON",
        )


def _sniff_binary(data: bytes) -> str | None:
    """A description of ``data`` if its first bytes mark a known binary format."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            if magic == b"BZh" and data[4:10] != b"1AY&SY":
                continue  # plain text may start with "BZh"; bzip2 has a block marker after the level
            return what
    return None


def utf16_without_bom(data: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` when ``data`` (a whole text or its
    first bytes) looks like UTF-16 without a byte-order mark: at least 30 % of
    its bytes NUL, nearly all on one side of each byte pair (the high byte of
    Latin-script characters); else ``None``."""
    nuls = data.count(b"\x00")
    if len(data) < 4 or nuls < 0.3 * len(data):
        return None
    odd = data[1::2].count(b"\x00")
    if odd >= 0.95 * nuls:
        return "utf-16-le"
    if nuls - odd >= 0.95 * nuls:
        return "utf-16-be"
    return None


def stream_encoding(head: bytes) -> tuple[str | None, str | None]:
    """The encoding a multi-record file (CSV, JSON lines) must be decoded with
    as a whole, judged by its first bytes, and a note when it is not what the
    file says: a UTF-16/32 byte-order mark (``"utf-16"``, ``"utf-32"``), or
    UTF-16 without one (:func:`utf16_without_bom`, with a note). ``(None,
    None)`` for anything else: such files are read as UTF-8, each record
    falling back to cp1252 on its own (:func:`decode_fallback`)."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return (None, None) if encoding == "utf-8-sig" else (encoding, None)
    if utf16 := utf16_without_bom(head):
        return utf16, (f"no byte-order mark, but NUL bytes every other byte: read as {utf16.upper()}; "
                          "save the file as UTF-8 to silence this")
    return None, None


_SURROGATE_CHARS = re.compile("[\ud800-\udfff]")


def fix_surrogates(text: str, *, what: str = "text") -> tuple[str, str | None]:
    """``text`` with every lone surrogate (half of a UTF-16 pair, as a JSON
    ``"\\ud83d"`` escape of a truncated emoji gives) replaced by U+FFFD, and a
    note saying so; ``(text, None)`` when it holds none. One code point for
    one, so offsets into the result are offsets into ``text``. A surrogate
    cannot be written as UTF-8, so the store, the reports and the terminal
    would all fail on it."""
    if text.isascii() or not (m := _SURROGATE_CHARS.search(text)):
        return text, None
    first = m.start()
    fixed, n = _SURROGATE_CHARS.subn("\ufffd", text)
    plural = "s" if n != 1 else ""
    cause = ("a byte that is not UTF-8" if 0xDC80 <= ord(m.group()) <= 0xDCFF
             else "half of a UTF-16 pair, as a cut emoji leaves")
    note = (f"{what} holds {n} lone surrogate{plural} (the first, U+{ord(m.group()):04X} at offset {first}, "
            f"is {cause}); each is kept as U+FFFD, one character for one, so offsets are exact")
    return fixed, note


_DOCUMENT_STRINGS = ("id", "text", "title", "outlet", "url", "byline", "source_path")


def document_without_surrogates(doc: Document) -> tuple[Document, tuple[str, ...]]:
    """``doc`` with lone surrogates in any of its strings replaced by U+FFFD
    (:func:`fix_surrogates`), and a note for each string that held one. A
    document handed to a scan directly, or named after a file whose name is
    not UTF-8 (Python keeps such bytes as surrogates), would otherwise fail
    where it is stored or printed."""
    changes: dict[str, Any] = {}
    notes: list[str] = []
    for name in _DOCUMENT_STRINGS:
        value = getattr(doc, name)
        if isinstance(value, str):
            fixed, note = fix_surrogates(value, what="the file name" if name == "source_path" else f"the {name}")
            if note:
                changes[name] = fixed
                notes.append(note)
    detected = {k: fix_surrogates(v)[0] for k, v in doc.detected.items()}
    if detected != doc.detected:
        changes["detected"] = detected
    return (replace(doc, **changes) if changes else doc), tuple(notes)


def decode_bytes(data: bytes, *, where: str) -> tuple[str, str, tuple[str, ...]]:
    """Decode article bytes; return ``(text, encoding, warnings)``.

    A byte-order mark decides (UTF-8, UTF-16 or UTF-32; the mark is dropped).
    UTF-16 without a mark (:func:`utf16_without_bom`) is read as such, with a
    warning. Otherwise UTF-8, falling back to cp1252 and then latin-1, each
    fallback noted in the warnings. Raises :class:`LoadError` for known binary
    formats and for data that is mostly NUL bytes outside UTF-16/32
    (:func:`reject_binary`).
    """
    if (utf16 := utf16_without_bom(data)) and not data.startswith(tuple(bom for bom, _ in _BOMS)):
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError:
            pass  # reject_binary says what is wrong
        else:
            if not _SURROGATE_CHARS.search(text):
                return text, utf16, (f"no byte-order mark, but NUL bytes every other byte: decoded as "
                                     f"{utf16.upper()}",)
    reject_binary(data, where=where)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            if encoding == "utf-8-sig":
                text, used, warnings = decode_fallback(data[len(bom) :])
                return text, ("utf-8-sig" if used == "utf-8" else used), warnings
            try:
                return data.decode(encoding), encoding, ()
            except UnicodeDecodeError as exc:
                problem = f"has a {encoding.upper()} byte-order mark but is not valid {encoding.upper()}"
                raise LoadError(where, problem, "save it as UTF-8") from exc
    return decode_fallback(data)


def decode_fallback(data: bytes) -> tuple[str, str, tuple[str, ...]]:
    """UTF-8, else cp1252, else latin-1 (which decodes anything), with warnings."""
    try:
        return data.decode("utf-8"), "utf-8", ()
    except UnicodeDecodeError as exc:
        not_utf8 = f"not valid UTF-8 ({_bad_byte(exc)})"
    try:
        return data.decode("cp1252"), "cp1252", (f"{not_utf8}; decoded as cp1252",)
    except UnicodeDecodeError as exc:
        not_cp1252 = f"nor cp1252 ({_bad_byte(exc)})"
    return data.decode("latin-1"), "latin-1", (f"{not_utf8} {not_cp1252}; decoded as latin-1",)


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")


def check_text(text: str, *, where: str, what: str = "file") -> None:
    """Raise :class:`LoadError` if ``text`` is empty, blank or more than
    :data:`MAX_CONTROL_SHARE` control characters (binary data decoded as text).
    A few control characters, NUL included, are fine: :func:`control_warning`
    notes them."""
    if not text:
        raise LoadError(where, f"{what} is empty", "give a file that contains article text")
    if not text.strip():
        raise LoadError(where, f"{what} contains only whitespace", "give a file that contains article text")
    controls = len(_CONTROL.findall(text))
    if controls > MAX_CONTROL_SHARE * len(text):
        raise LoadError(
            where,
            f"looks like binary data, not text ({controls} of {len(text)} characters are control characters)",
            "give the article as text, HTML or JSON",
        )


_STRAY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # control characters a text should not hold


def control_warning(text: str) -> str | None:
    """A note on the NUL and other control characters ``text`` holds, or
    ``None``. They are kept, so that offsets stay exact; they count as
    spaces between words."""
    found = [m.start() for m in _STRAY.finditer(text)]
    if not found:
        return None
    nul = text.count("\x00")
    at = ", ".join(str(i) for i in found[:3]) + (", ..." if len(found) > 3 else "")
    what = f"{len(found)} control character{'s' * (len(found) != 1)}" + (f" ({nul} NUL)" if nul else "")
    return f"holds {what} at offset {at}; kept as they are, so offsets are exact: clean the file to drop them"


def decode_input(data: bytes | str, *, where: str) -> tuple[str, str | None, tuple[str, ...]]:
    """Decode (if bytes) and check; return ``(text, encoding, warnings)``."""
    warnings: tuple[str, ...]
    if isinstance(data, str):
        text, encoding, warnings = data, None, ()
        text, note = fix_surrogates(text)
        warnings += (note,) if note else ()
    else:
        text, encoding, warnings = decode_bytes(data, where=where)
    check_text(text, where=where)
    if note := control_warning(text):
        warnings += (note,)
    return text, encoding, warnings


# --------------------------------------------------------------------------- header sniffing


@dataclass(frozen=True, slots=True)
class HeaderInfo:
    """Metadata sniffed from an article's header, and where each value came from."""

    title: str | None = None
    byline: str | None = None
    published: _dt.date | _dt.datetime | None = None
    outlet: str | None = None
    detected: dict[str, str] = field(default_factory=dict)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|[\r\n])?")
_MD_MARKS = re.compile(r"(\*\*|__|`)")
_HEADING = re.compile(r"^\s*(?:#{1,6}\s+|>\s*)")
_BYLINE = re.compile(r"^(?:(?:posted|written|reported|story|words|text|report)\s+)?by\s+(?P<rest>\S.*)$", re.IGNORECASE)
_BYLINE_END = re.compile(
    r"\s+[–—|•·]|\s-\s|\|"
    r"|\b(?:updated|published|posted|last\s+updated|first\s+published)\b",
    re.IGNORECASE,
)
_TRAILING_ON = re.compile(r"\s+(?:on|at)$", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")
_NAME_LINK_WORDS = {"of", "the", "and", "&", "de", "la", "le", "du", "der", "die", "el", "al"}
_NOT_OUTLET = {
    "published", "updated", "posted", "date", "dated", "last", "modified", "on", "by",
    "first", "created", "issued", "released", "filed", "region", "theme",
}  # fmt: skip
_MAX_TITLE_WORDS = 40
_MAX_DATELINE_WORDS = 8


def unlink_markdown(line: str, opener: str = "[") -> str:
    """``line`` with each markdown link ``[text](target)`` (``opener`` ``"!["``:
    each image) replaced by its text, as the regular expression
    ``[label](target)`` with no ``]`` in the label and no ``)`` in the target does
    (the twin its test compares it with), in one pass: the regular expression reads from
    every ``[`` to the next ``]``, the square of a line of brackets. An
    opener's text runs to the first ``]`` after it; when no ``(`` follows
    that ``]``, no opener before it starts a link either."""
    if opener not in line:
        return line
    out: list[str] = []
    done = at = 0
    while (i := line.find(opener, at)) >= 0:
        j = line.find("]", i + len(opener))
        if j < 0:
            break
        if not line.startswith("(", j + 1):
            at = j + 1
            continue
        k = line.find(")", j + 2)
        if k < 0:
            break  # no ")" after this link's "(": none after a later one either
        out += (line[done:i], line[i + len(opener):j])
        done = at = k + 1
    return "".join(out) + line[done:] if out else line


def clean_meta(line: str) -> str:
    """A header line as a metadata value: markdown links, emphasis and extra spaces removed."""
    line = unlink_markdown(line, "![")
    line = unlink_markdown(line)
    line = _HEADING.sub("", line)
    line = _MD_MARKS.sub("", line)
    return " ".join(line.split())


def iter_header_lines(text: str, max_lines: int = HEADER_LINES) -> Iterator[tuple[int, str]]:
    """The first ``max_lines`` non-empty lines as ``(line number, cleaned line)``,
    cleaned one at a time (a caller that stops at the first line pays for one)."""
    found = 0
    for number, m in enumerate(_LINE.finditer(text), start=1):
        line = clean_meta(m.group())
        if line:
            yield number, line
            found += 1
            if found >= max_lines:
                return


def header_lines(text: str, max_lines: int = HEADER_LINES) -> list[tuple[int, str]]:
    """The first ``max_lines`` non-empty lines as ``(line number, cleaned line)``."""
    return list(iter_header_lines(text, max_lines))


def published_relative_to(text: str, reference: _dt.date | _dt.datetime
                          ) -> tuple[_dt.date | _dt.datetime, str] | None:
    """A publication date the head of an article gives relative to a known
    time (``Updated 3 hours ago``, ``yesterday``, ``Aug. 4`` with no year),
    resolved against ``reference`` (when the page was scraped or crawled):
    the value and where it was found; ``None`` when the head has none."""
    for number, line in header_lines(text):
        m = find_relative_date(line, reference)
        if m is None:
            continue
        # a dateline ("Updated 3 hours ago", "May 30 at 2:44 PM") or a byline,
        # not a sentence ("a hearing on the request for June 5")
        if sniff_byline(line) is None and len(_words(line[: m.start] + " " + line[m.end :])) > 3:
            continue
        value = m.value
        if isinstance(value, _dt.datetime) and value.tzinfo is None and isinstance(reference, _dt.datetime):
            value = value.replace(tzinfo=reference.tzinfo)  # the site's clock, taken as the scraper's
        return value, f"{_quote(number, line)}, relative to {reference.isoformat()}"
    return None


def _quote(number: int, line: str, limit: int = 80) -> str:
    snippet = line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
    return f"line {number}: '{snippet}'"


def _words(s: str) -> list[str]:
    return _WORD.findall(s)


def sniff_byline(line: str) -> str | None:
    """The name(s) in a ``By ...`` line (``"By Ryan Browne, CNN – August 4, 2017"`` gives
    ``"Ryan Browne, CNN"``), or ``None`` if the line is not a byline."""
    m = _BYLINE.match(line)
    if not m:
        return None
    rest = m.group("rest")
    cuts = [len(rest)]
    if end := _BYLINE_END.search(rest):
        cuts.append(end.start())
    if dates := find_dates(rest):
        cuts.append(dates[0].start)
    name = rest[: min(cuts)].strip(" \t,;:–—-|")
    name = _TRAILING_ON.sub("", name)
    words = _words(name)
    if not words or not name[0].isupper() or len(words) > 12 or len(name) > 120:
        return None
    return name


def _is_dateline(line: str, dates: list[DateMatch]) -> bool:
    """True if ``line`` is mostly a date: at most a few words beside its dates."""
    rest = line
    for d in reversed(dates):
        rest = rest[: d.start] + " " + rest[d.end :]
    return len(_words(rest)) <= _MAX_DATELINE_WORDS


def sniff_outlet(line: str, first_date: DateMatch) -> str | None:
    """The outlet in a line like ``"Global Research, August 12, 2017"``, or ``None``."""
    if line[first_date.end :].strip(" \t.,;:–—-|"):
        return None
    name = line[: first_date.start].strip(" \t,;:–—-|")
    words = name.split()
    if not 1 <= len(words) <= 5 or not name[0].isupper():
        return None
    for w in words:
        if w.lower().strip(".:") in _NOT_OUTLET:
            return None
        if not (w[0].isupper() or w[0].isdigit() or w.lower() in _NAME_LINK_WORDS):
            return None
    return name


def _looks_like_title(line: str) -> bool:
    words = _words(line)
    if not words or len(words) > _MAX_TITLE_WORDS or len(line) > 300:
        return False
    if sniff_byline(line) is not None:
        return False
    dates = find_dates(line)
    return not (dates and _is_dateline(line, dates))


_FURNITURE_WORDS = 2  # "Advertisement", "Getty Images", "×": page furniture, not a headline
_MAX_LATE_TITLE_WORDS = 20
_MAX_PASSED_LINES = 2  # lines of prose a headline may stand below (a caption, a section's blurb)


# lines at a page's head that are neither a headline nor the article: a social embed's
# attribution ("— CBS News (@CBSNews) July 16, 2018"), a relative time ("3 Hours Ago | 04:15"),
# a comment prompt, a search box's "powered by"
_HEAD_NOISE = re.compile(
    r"^\s*[—–-]\s.*\(@\w+\)|\b\d+\s+(?:minutes?|mins?|hours?|hrs?|days?)\s+ago\b|\blogged in to\b|"
    r"^\s*powered by\b|\bof readers think\b|^\s*enter (?:your )?(?:city|zip|postal)\b|\bcontinue reading\b|"
    r"^\s*(?:just watched|must watch|live updates?|breaking news|developing story)\s*$|"
    r"^\s*\d+\s*(?:of|/)\s*\d+\s*$|\baccuweather\b|"  # a gallery's counter ("1 of 12"), a weather box
    r"^[\w .'’-]{3,40}(?:,|\s\|)\s*(?:AP|AFP|Reuters|Getty Images|EPA)\b[^.]{0,30}$|"  # a photo credit alone
    r"^\s*posted (?:on|at)\b|\bsigned in as\b|^\s*(?:view|show|hide|read)\s+(?:\d+\s+)?comments?\b",
    re.IGNORECASE)


# a photo caption ends with its credit ("… | Alex Wong/Getty Images", "(AP Photo/Eric Risberg)")
_CAPTION = re.compile(r"(?:\w/(?:AP Photo|AP|Getty Images|AFP|Reuters|EPA)\b|\bAP Photo/\w|\(Photo:)[^|]{0,60}$",
                      re.IGNORECASE)
_CAPTION_TAIL = 100  # the credit and the characters before it that the pattern reads
_NOISE_MAX_CHARS = 200  # a longer line is prose (or a blob): never a headline, nor weighed as page noise


def _head_noise(line: str, outlet: str | None) -> bool:
    """A line at the head of a record's text that is not its headline."""
    if _CAPTION.search(line[-_CAPTION_TAIL:]):
        return True
    if len(line) > _NOISE_MAX_CHARS:  # the furniture rules are for short lines; a long one is prose
        return False
    if is_furniture_line(line) or _HEAD_NOISE.search(line):
        return True
    if is_boilerplate_line(line) and not _looks_like_title(line):
        return True
    words = _words(line)
    if len(words) <= 1 or all(len(w) <= 1 for w in words):  # "World", "A A" (text size buttons), "×"
        return True
    if not re.search(r"[^\W\d_]", line):  # "1 / 19": no letters at all
        return True
    if len(words) <= 6 and (find_dates(line) or re.search(r"\b\d{1,2}:\d{2}\b", line)):
        return True  # "Politics 07/16/2018, 06:45am", "May 30 at 2:44 PM": a section and a time
    # the outlet's own name ("CBS News" on cbsnews.com)
    squashed = re.sub(r"\W+", "", line).lower()
    host = re.sub(r"^www\.", "", (outlet or "").lower().split("/")[0])
    return bool(squashed and host and squashed == re.sub(r"\W+", "", host.split(".")[0]))


def sniff_record_title(text: str, outlet: str | None = None) -> tuple[str, str] | None:
    """A headline for a record that has no title field, and where it was found.

    Lines of page controls ("Email Bio Follow", "Share on Facebook"), of
    site furniture, of relative times and social-embed attributions, and the
    ``outlet``'s own name are passed over. The first other line if it reads as a
    headline (:func:`sniff_header`'s rule). Else, past leading datelines, bylines and bits of page furniture
    of one or two words (``"Sunday, Jul 15th 2018 5-Day Forecast"``,
    ``"Advertisement"``), the first line of 3 to 20 words that starts with a
    capital or a digit and does not end with a full stop, as headlines do
    not (nor with a parenthesis, as photo credits do); up to two lines of prose
    (a caption, a section's blurb) may stand above it in the first eight.
    """
    passed = 0  # lines of prose passed over (a photo caption, a section's blurb)
    for k, (number, line) in enumerate(iter_header_lines(text, 8)):
        words = _words(line)
        if k == 0 or len(words) <= _MAX_LATE_TITLE_WORDS:  # a longer later line is prose
            if _head_noise(line, outlet):
                continue  # "Email Bio Follow", "Share on Facebook Share on Twitter", a copyright line
            if k == 0 and _looks_like_title(line):
                return line, f"line {number}"
            dates = find_dates(line)
            if sniff_byline(line) is not None or (dates and _is_dateline(line, dates)) or len(words) <= _FURNITURE_WORDS:
                continue
            if (
                k > 0
                and (line[0].isupper() or line[0].isdigit())
                and not line.rstrip("\"”’'").endswith((".", ")", "…", ":"))
                and not (line.isupper() and len(words) <= 3)  # "JUST WATCHED"
            ):
                return line, f"line {number} (after a dateline, byline or page furniture)"
        passed += 1
        if passed > _MAX_PASSED_LINES:
            return None
    return None


def sniff_header(text: str, *, max_lines: int = HEADER_LINES) -> HeaderInfo:
    """Title, byline, publication date and outlet from the head of an article.

    Pure: reads only ``text``. See the module docstring for the rules.
    """
    lines = header_lines(text, max_lines)
    detected: dict[str, str] = {}
    title = byline = outlet = None
    published: _dt.date | _dt.datetime | None = None
    title_line = None
    if lines and _looks_like_title(lines[0][1]):
        title_line, title = lines[0]
        detected["title"] = f"line {title_line}"
    other_dates: list[str] = []
    for number, line in lines:
        if number == title_line:
            continue
        name = sniff_byline(line) if byline is None else None
        if name:
            byline = name
            detected["byline"] = _quote(number, line)
        dates = find_dates(line)
        if not dates:
            continue
        if published is None and (name or _is_dateline(line, dates)):
            published = dates[0].value
            detected["published"] = _quote(number, line)
            if not name and (outlet := sniff_outlet(line, dates[0])):
                detected["outlet"] = _quote(number, line)
        else:
            other_dates.append(_quote(number, line))
    if other_dates:
        detected["other_dates"] = "; ".join(other_dates)
    return HeaderInfo(title=title, byline=byline, published=published, outlet=outlet, detected=detected)


# --------------------------------------------------------------------------- loader


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or "<html" in head


def load_text(
    data: bytes | str | BinaryIO,
    *,
    doc_id: str,
    source_path: str | None = None,
) -> LoadResult:
    """Load a plain-text article from bytes, a binary file object or a ``str``.

    The document text is the decoded input exactly. Metadata comes from
    :func:`sniff_header`. Raises :class:`LoadError` (naming ``source_path``,
    else ``doc_id``) for empty, whitespace-only or binary input.
    """
    if not doc_id:
        raise ValueError("load_text: doc_id must be a non-empty string; pass doc_id='<name>'")
    where = where_of(doc_id, source_path)
    text, encoding, warnings = decode_input(read_input(data, where=where), where=where)
    if _looks_like_html(text):
        warnings += ("looks like HTML; load it with load_html (or name it .html) to extract the main text",)
    head = sniff_header(text)
    document = Document(
        id=doc_id,
        text=text,
        title=head.title,
        outlet=head.outlet,
        published=head.published,
        byline=head.byline,
        source_path=source_path,
        detected=dict(head.detected),
    )
    return LoadResult(document=document, warnings=warnings, encoding=encoding, format="text")
