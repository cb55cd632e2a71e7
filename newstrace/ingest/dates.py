"""Publication dates in the forms news pages print them.

Explicit patterns, no fuzzy guessing over whole texts:

- month-day-year: ``August 4, 2017``, ``Aug. 4, 2017``, ``Aug 4 2017``,
  ``Sept. 4th, 2017``, optionally after a weekday (``Friday, August 4, 2017``);
- day-month-year: ``9 August 2017``, ``4 Aug 2017``, ``4th of August, 2017``,
  ``Fri, 04 Aug 2017``;
- ISO: ``2017-08-04``, ``2017/08/04``, ``2017-08-04T10:32:00Z``.

A time right after the date (``August 4, 2017 10:32 AM``, ``9 August 2017,
14:05``, ``August 4, 2017 at 3 pm``) or right before it (CNN's ``Updated 1:39
PM ET, Fri August 4, 2017``) makes the value a :class:`datetime`; otherwise it
is a :class:`date`. A time before the date counts only with am/pm or a
zone (a bare ``03:06`` there is as likely a video's length); a time after it
must be on the same line with at most a comma or ``at`` between. Offsets such
as ``+02:00``, ``Z``, ``UTC``/``GMT`` and the fixed-offset abbreviations
(``EDT``, ``PST``, ``CEST`` ...) give an aware datetime; ``ET``/``PT``-style
zones, which do not say whether daylight saving applies, give a naive one.

Numeric day/month forms such as ``08/04/2017`` are deliberately not
recognised: the order of day and month cannot be told from the text.
Years must lie in 1900-2099.
"""

from __future__ import annotations

import datetime as _dt
import email.utils
import re
from typing import NamedTuple

__all__ = ["DateMatch", "find_dates", "find_dates_slow", "find_relative_date", "parse_date_string", "parse_news_date"]

DateValue = _dt.date | _dt.datetime

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip

# Whitespace that stays on one line (includes no-break spaces).
_SP = r"[^\S\r\n]"
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
    r"|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
    r"(?![^\W\d_])\.?"
)
_WEEKDAY = (
    r"(?:(?:mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(?:day)?"
    rf"(?![^\W\d_])\.?,?{_SP}+)?"
)
_DAY = r"(?<!\d)(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?![^\W_])"
_YEAR = r"(?P<year>(?:19|20)\d\d)(?!\d)"

_MDY = re.compile(
    rf"(?<![^\W_]){_WEEKDAY}{_MONTH}{_SP}*{_DAY},?{_SP}+{_YEAR}", re.IGNORECASE
)
_DMY = re.compile(
    rf"(?<![^\W_]){_WEEKDAY}{_DAY}{_SP}+(?:of{_SP}+)?{_MONTH},?{_SP}+{_YEAR}",
    re.IGNORECASE,
)
_ISO = re.compile(
    r"(?<![\d/-])(?P<year>(?:19|20)\d\d)(?P<sep>[-/])(?P<month>[01]\d)(?P=sep)(?P<day>[0-3]\d)(?![\d/-])"
)

_AMPM = r"(?P<ampm>[ap]\.?m\.?)(?![^\W\d_])"
_CLOCK = (
    r"(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)"
    r"(?::(?P<second>[0-5]\d)(?:[.,]\d+)?)?(?!\d)"
    rf"(?:{_SP}*{_AMPM})?"
)
_HOUR_ONLY = rf"(?P<hour>1[0-2]|0?[1-9]){_SP}*{_AMPM}"
_TZ = (
    rf"(?:{_SP}*(?P<tz>[+-][01]\d:?[0-5]\d|UTC|GMT|[ECMP][SD]T|BST|CES?T"
    r"|ET|CT|MT|PT)(?![^\W\d_])|(?P<zulu>Z)(?![^\W\d_]))?"
)
# Date, then a time on the same line: "..., 2017 10:32 AM EDT", "... 2017 at 3 pm".
_TIME_AFTER = [
    re.compile(rf"(?:{_SP}*,?{_SP}*(?:at{_SP}+)?|T){t}{_TZ}", re.IGNORECASE)
    for t in (_CLOCK, _HOUR_ONLY)
]
# A time with am/pm or a zone, then the date: "1:39 PM ET, Fri August 4, 2017".
_TIME_BEFORE = [
    re.compile(rf"(?<![\d:]){t}{_TZ}{_SP}*,?{_SP}*\Z", re.IGNORECASE)
    for t in (_CLOCK, _HOUR_ONLY)
]

_OFFSETS = {
    "UTC": 0, "GMT": 0, "Z": 0, "BST": 1, "CET": 1, "CEST": 2,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}  # fmt: skip


class DateMatch(NamedTuple):
    """A date found in a text: ``text[start:end]`` is the date as printed."""

    start: int
    end: int
    value: DateValue


def _tzinfo(m: re.Match[str]) -> _dt.tzinfo | None:
    """The time zone a time match names, or ``None`` when it names none or an ambiguous one."""
    name = m.group("zulu") or m.group("tz")
    if not name:
        return None
    name = name.upper()
    if name in _OFFSETS:
        return _dt.timezone(_dt.timedelta(hours=_OFFSETS[name]))
    if name[0] in "+-":
        digits = name[1:].replace(":", "")
        delta = _dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return _dt.timezone(-delta if name[0] == "-" else delta)
    return None  # ET, CT, MT, PT: daylight saving unknown


def _time_of(m: re.Match[str]) -> _dt.time | None:
    """The clock time a time match stands for, or ``None`` if it is impossible (``13 pm``)."""
    hour = int(m.group("hour"))
    minute = int(m.groupdict().get("minute") or 0)
    second = int(m.groupdict().get("second") or 0)
    ampm = (m.group("ampm") or "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    return _dt.time(hour, minute, second, tzinfo=_tzinfo(m))


def _date_of(m: re.Match[str]) -> _dt.date | None:
    """The calendar date a date match stands for, or ``None`` if it does not exist."""
    month = m.group("month")
    month_no = int(month) if month.isdigit() else _MONTHS[month[:3].lower()]
    try:
        return _dt.date(int(m.group("year")), month_no, int(m.group("day")))
    except ValueError:
        return None


def _attach_time(text: str, start: int, end: int, day: _dt.date) -> DateMatch:
    """Extend a date match with a time printed right after or right before it."""
    for pattern in _TIME_AFTER:
        t = pattern.match(text, end)
        if t and (clock := _time_of(t)) is not None:
            return DateMatch(start, t.end(), _dt.datetime.combine(day, clock))
    window = max(0, start - 40)
    for pattern in _TIME_BEFORE:
        t = pattern.search(text, window, start)
        # Only a time that says am/pm or a zone: a bare "03:06, Aug. 4" may be a clip length.
        if t and (t.group("ampm") or t.group("tz")) and (clock := _time_of(t)) is not None:
            return DateMatch(t.start(), end, _dt.datetime.combine(day, clock))
    return DateMatch(start, end, day)


# Every form find_dates reads has a four-digit year: a text without one has no date.
_A_YEAR = re.compile(r"(?:19|20)\d\d")


def find_dates(text: str) -> list[DateMatch]:
    """All dates printed in ``text``, in order, as ``(start, end, value)``.

    Overlapping candidates are resolved in favour of the earliest, then the
    longest. Impossible dates (``February 30, 2017``) are skipped. A text
    with no year in it is not searched (:func:`find_dates_slow` searches
    every text: the twin of the property tests).
    """
    if not _A_YEAR.search(text):
        return []
    return find_dates_slow(text)


def find_dates_slow(text: str) -> list[DateMatch]:
    """:func:`find_dates` with every pattern run over every text."""
    found: list[DateMatch] = []
    for pattern in (_MDY, _DMY, _ISO):
        for m in pattern.finditer(text):
            day = _date_of(m)
            if day is not None:
                found.append(_attach_time(text, m.start(), m.end(), day))
    found.sort(key=lambda d: (d.start, -(d.end - d.start)))
    kept: list[DateMatch] = []
    for d in found:
        if not kept or d.start >= kept[-1].end:
            kept.append(d)
    return kept


def parse_news_date(s: str) -> DateValue | None:
    """Parse a string that *is* a date (and maybe a time), or return ``None``.

    The whole string, apart from surrounding spaces and punctuation, must be
    one date in a form :func:`find_dates` knows: ``"Aug. 4, 2017"`` gives
    ``date(2017, 8, 4)``, ``"2017-08-04T10:32:00Z"`` an aware datetime, while
    ``"Region: Middle East"`` and ``"Global Research, August 12, 2017"`` give
    ``None`` (use :func:`find_dates` to search inside a longer text).
    """
    core = s.strip().strip(".,;|()[]").strip()
    dates = find_dates(core)
    if len(dates) == 1 and dates[0].start == 0 and dates[0].end == len(core):
        return dates[0].value
    return None


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date_string(s: str) -> DateValue | None:
    """Parse a date from a metadata field: ISO 8601 first, then the news forms
    of :func:`parse_news_date`, then RFC 2822 (``Fri, 04 Aug 2017 10:32:00 GMT``).

    A bare ``YYYY-MM-DD`` gives a :class:`date`; anything with a time a
    :class:`datetime`. Returns ``None`` when nothing fits.
    """
    s = s.strip()
    if not s:
        return None
    try:
        if _ISO_DAY.fullmatch(s):
            return _dt.date.fromisoformat(s)
        return _dt.datetime.fromisoformat(s)
    except ValueError:
        pass
    if (value := parse_news_date(s)) is not None:
        return value
    try:
        return email.utils.parsedate_to_datetime(s)
    except (TypeError, ValueError, IndexError):
        return None


# --------------------------------------------------------------------------- relative to a known time

_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_AGO = re.compile(
    r"(?<![^\W_])(?P<n>\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
    rf"{_SP}*(?P<unit>min(?:ute)?s?|mins|h(?:ou)?rs?|hours?|days?|weeks?){_SP}+ago(?![^\W_])",
    re.IGNORECASE)
_YESTERDAY = re.compile(r"(?<![^\W_])(?P<w>yesterday|today)(?![^\W_])", re.IGNORECASE)
_MD_NOYEAR = re.compile(rf"(?<![^\W_]){_WEEKDAY}{_MONTH}{_SP}*{_DAY}(?!,?{_SP}*(?:19|20)\d\d)", re.IGNORECASE)
_DM_NOYEAR = re.compile(rf"(?<![^\W_]){_WEEKDAY}{_DAY}{_SP}+(?:of{_SP}+)?{_MONTH}(?!,?{_SP}*(?:19|20)\d\d)",
                        re.IGNORECASE)


def find_relative_date(text: str, reference: DateValue) -> DateMatch | None:
    """The first date in ``text`` given relative to a known time (when the
    page was scraped or crawled): ``3 hours ago``, ``yesterday``, or a day
    without its year (``Aug. 4``: the latest such day not after the
    reference). ``None`` when there is none, or when ``text`` prints a full
    date (:func:`find_dates` reads that one as it is).
    """
    if find_dates(text):
        return None
    ref_day = reference.date() if isinstance(reference, _dt.datetime) else reference
    found: list[DateMatch] = []
    if m := _AGO.search(text):
        n = int(m.group("n")) if m.group("n").isdigit() else _NUMBER_WORDS[m.group("n").lower()]
        unit = m.group("unit").lower()
        delta = (_dt.timedelta(minutes=n) if unit.startswith("m") else _dt.timedelta(hours=n) if unit.startswith("h")
                 else _dt.timedelta(days=n) if unit.startswith("d") else _dt.timedelta(weeks=n))
        if isinstance(reference, _dt.datetime):
            found.append(DateMatch(m.start(), m.end(), reference - delta))
        elif delta >= _dt.timedelta(days=1):
            found.append(DateMatch(m.start(), m.end(), reference - _dt.timedelta(days=delta.days)))
    if m := _YESTERDAY.search(text):
        back = 1 if m.group("w").lower() == "yesterday" else 0
        found.append(DateMatch(m.start(), m.end(), ref_day - _dt.timedelta(days=back)))
    for pattern in (_MD_NOYEAR, _DM_NOYEAR):
        for m in pattern.finditer(text):
            month, day = _MONTHS[m.group("month").lower()[:3]], int(m.group("day"))
            for year in (ref_day.year, ref_day.year - 1):
                try:
                    value = _dt.date(year, month, day)
                except ValueError:
                    continue
                if value <= ref_day + _dt.timedelta(days=1):  # a day of slack for time zones
                    found.append(_attach_time(text, m.start(), m.end(), value))
                    break
            break
    return min(found, key=lambda d: d.start) if found else None
