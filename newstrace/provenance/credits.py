"""Credits: where an article says its text, or a piece of it, came from.

A credit is a structured record with its span in the text, so that a reader
can be shown the words it rests on. Two families:

- whole-article credits say the article as a whole is (a copy of) another
  outlet's: ``First on CNN``, ``By Ryan Browne, CNN``, a dateline
  ``(CNN)`` / ``WASHINGTON (AP) —`` / ``(Reuters) -``, ``The original source
  of this article is Russia Insider``, ``Copyright © 2018 The Associated
  Press``, ``via Reuters``, ``Associated Press contributed to this report``;
- attributions inside the text credit a statement to the outlet that
  gathered it: ``told CNN``, ``CNN reported``, ``according to Reuters``,
  ``in an interview with the AP``. Inside a passage two documents share,
  such an attribution says which outlet wrote that passage.

Outlet names are normalised (``cnn.com``, ``CNN's``, ``the Associated
Press``, ``AP``) to one canonical name by :func:`normalize_outlet`: a
gazetteer of wire services and large outlets, then a generic rule (drop
``the``, a possessive, ``www.`` and a domain ending). Credits in the loose
forms (``told X``, ``via X``, ``X reported``) are only taken for a known
outlet, so that ``told reporters`` or ``via email`` are not credits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from ..ingest.text import clean_meta
from ..records import Span

CreditKind = Literal[
    "first_on", "byline", "dateline", "original_source", "copyright", "via", "contributed",
    "link", "told", "reported", "according_to",
]

# Kinds that claim the whole article for an outlet (the article is its copy).
WHOLE_ARTICLE: frozenset[str] = frozenset(
    {"first_on", "byline", "dateline", "original_source", "copyright", "contributed", "link"})

# canonical name -> (aliases, is a wire service). Aliases are matched after
# casefolding and dropping a leading "the" and a trailing "'s".
_GAZETTEER: dict[str, tuple[tuple[str, ...], bool]] = {
    "Associated Press": (("associated press", "ap", "a.p.", "apnews.com", "ap news"), True),
    "Reuters": (("reuters", "thomson reuters", "thomson", "reuters.com", "رائٹرز"), True),
    "AFP": (("afp", "agence france-presse", "agence france presse", "a.f.p.", "اے ایف پی"), True),
    "Xinhua": (("xinhua", "xinhua news agency", "xinhuanet"), True),
    "TASS": (("tass", "itar-tass"), True),
    "Bloomberg": (("bloomberg", "bloomberg news", "bloomberg.com"), True),
    "UPI": (("upi", "united press international"), True),
    "dpa": (("dpa", "deutsche presse-agentur"), True),
    "ANI": (("ani", "asian news international"), True),
    "PTI": (("pti", "press trust of india"), True),
    "APP": (("app", "associated press of pakistan", "اے پی پی"), True),
    "INN": (("inn", "international news network", "آئی این این"), True),
    "INP": (("inp", "آئی این پی", "آئی اےن پی"), True),
    "NNI": (("nni", "این این آئی"), True),
    "SANA": (("sana", "ثناء نیوز"), True),
    "Online": (("online news", "آن لائن"), True),
    "CNN": (("cnn", "cnn.com", "cable news network", "cnn wire", "cnn newsource"), False),
    "BBC": (("bbc", "bbc news", "bbc.com", "bbc.co.uk"), False),
    "The New York Times": (("new york times", "nytimes", "nytimes.com", "nyt"), False),
    "The Washington Post": (("washington post", "washingtonpost.com", "wapo"), False),
    "The Wall Street Journal": (("wall street journal", "wsj", "wsj.com"), False),
    "The Guardian": (("guardian", "theguardian.com"), False),
    "Fox News": (("fox news", "foxnews.com", "fox"), False),
    "NBC News": (("nbc news", "nbc", "nbcnews.com"), False),
    "ABC News": (("abc news", "abc", "abcnews.go.com"), False),
    "CBS News": (("cbs news", "cbs", "cbsnews.com"), False),
    "NPR": (("npr", "national public radio", "npr.org"), False),
    "Politico": (("politico", "politico.com"), False),
    "Al Jazeera": (("al jazeera", "aljazeera", "aljazeera.com"), False),
    "RT": (("rt", "russia today", "rt.com"), False),
    "Sputnik": (("sputnik", "sputnik news", "sputniknews.com"), False),
    "Russia Insider": (("russia insider", "russia-insider.com"), False),
    "Global Research": (("global research", "globalresearch.ca"), False),
    "USA Today": (("usa today", "usatoday.com"), False),
    "The Hill": (("hill", "thehill.com"), False),
    "Axios": (("axios",), False),
    "CNBC": (("cnbc", "cnbc.com"), False),
    "Financial Times": (("financial times", "ft", "ft.com"), False),
    "Los Angeles Times": (("los angeles times", "la times", "latimes.com"), False),
    "Newsweek": (("newsweek",), False),
    "Time": (("time magazine",), False),
}
_ALIASES: dict[str, str] = {a: canon for canon, (aliases, _) in _GAZETTEER.items() for a in aliases}
_ALIASES.update({canon.casefold(): canon for canon in _GAZETTEER})
WIRE_SERVICES: frozenset[str] = frozenset(c for c, (_, wire) in _GAZETTEER.items() if wire)

_DOMAIN = re.compile(r"^(?:https?://)?(?:www\.)?([\w-]+(?:\.[\w-]+)*?)\.(?:com|org|net|co\.uk|co|ca|news|info|io|us)/?$",
                     re.IGNORECASE)


@lru_cache(maxsize=4096)
def normalize_outlet(name: str | None) -> str | None:
    """The canonical name of an outlet: ``"CNN's"`` → ``"CNN"``,
    ``"the Associated Press"`` → ``"Associated Press"``, ``"cnn.com"`` →
    ``"CNN"``. An unknown name is kept with its article and possessive
    dropped and a bare domain reduced to its name; ``None`` for nothing."""
    if not name:
        return None
    # composed (NFC): Urdu "آن لائن" is as often typed alif + madda above
    s = unicodedata.normalize("NFC", clean_meta(name)).strip(" .,;:-–—|\"'“”‘’()")
    s = re.sub(r"(?:'s|’s|’|')$", "", s)
    s = re.sub(r"^(?:the)\s+", "", s, flags=re.IGNORECASE)
    if not s:
        return None
    s = re.sub(r"^(?:https?://)?www\.", "", s, flags=re.IGNORECASE)
    key = s.casefold()
    if key in _ALIASES:
        return _ALIASES[key]
    m = _DOMAIN.match(s)
    if m:
        stem = m.group(1).split(".")[-1]
        return _ALIASES.get(stem.casefold(), stem.replace("-", " ").title() if stem.islower() else stem)
    return s


def is_known_outlet(name: str | None) -> bool:
    return name is not None and bool(name) and (unicodedata.normalize("NFC", name).casefold() in _ALIASES
                                                 or normalize_outlet(name) in _GAZETTEER)


def is_wire(outlet: str | None) -> bool:
    """Is this (normalised) outlet a news agency whose copy others reprint?"""
    return normalize_outlet(outlet) in WIRE_SERVICES


@dataclass(frozen=True, slots=True)
class Credit:
    """One credit in a document: ``kind`` (see :data:`CreditKind`), the
    normalised ``outlet`` credited, the ``person`` named with it if any,
    and the ``span`` of the words it rests on (``text`` is exactly them)."""

    kind: str
    outlet: str
    span: Span
    text: str
    person: str | None = None

    @property
    def whole_article(self) -> bool:
        return self.kind in WHOLE_ARTICLE

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "outlet": self.outlet, "person": self.person,
                "start": self.span.start, "end": self.span.end, "text": self.text}


# ---------------------------------------------------------------------------
# patterns

_NAME = r"[A-Z][\w.&'’-]*(?:[ ][A-Z][\w.&'’-]*){0,4}"  # a capitalised name of up to 5 words


def _linked(group: str) -> str:
    """A name, or a markdown link whose text is the name."""
    return rf"(?:\[(?P<{group}L>[^\]\n]{{1,60}})\]\([^)\n]*\)|(?P<{group}>{_NAME}))"


_PERSON = r"(?P<p>[A-Z][\w.'’-]+(?:[ ](?:[A-Z][\w.'’-]+|de|van|von|al|bin|el)){0,4})"
# the known outlets' names, longest (escaped) first: the alternation a pattern tries first to last
_KNOWN_NAMES = sorted((a for a in _ALIASES if a.isascii()), key=lambda a: len(re.escape(a)), reverse=True)


def _known(names: list[str], by_letter: bool) -> str:
    """A known outlet in running text ("CNN", "the Associated Press",
    "CNN's", "Reuters"), case-insensitive. ``by_letter`` groups the names
    by their first letter, each group's in the same order: the same names
    matched with the same preference (names of different first letters
    never match at the same place), but a place is tried against one group,
    not against every name (the patterns ran three times faster)."""
    if not by_letter:
        return "(?i:" + "|".join(re.escape(a) for a in names) + ")"
    groups: dict[str, list[str]] = {}
    for a in names:
        groups.setdefault(a[0], []).append(a)
    return "(?i:" + "|".join(re.escape(c) + "(?:" + "|".join(re.escape(a[1:]) for a in g) + ")"
                             for c, g in groups.items()) + ")"


def _patterns(known: str) -> list[tuple[str, re.Pattern[str]]]:
    """The credit patterns, with ``known`` the known outlets' alternation (:func:`_known`)."""
    outlet_word = rf"(?:[Tt]he\s+)?(?P<o>{known})(?:'s|’s)?(?![\w.-]*\w)"
    return [
        ("first_on", re.compile(rf"\bFirst on (?P<o>{_NAME})\s*[:\-–—]")),
        ("byline", re.compile(rf"\b(?:By|BY)\s+{_PERSON}\s*,\s*(?:[Tt]he\s+)?(?P<o>{known})(?![\w-])")),
        ("original_source", re.compile(
            rf"\b(?:The\s+)?original\s+source\s+of\s+this\s+article\s+is\s+{_linked('o')}", re.IGNORECASE)),
        ("copyright", re.compile(
            r"(?:Copyright[^\S\n]*(?:©|\(c\))?|©[^\S\n]*(?:Copyright)?)[^\S\n]*(?:(?:19|20)\d\d[^\S\n]*,?[^\S\n]*)?"
            r"(?P<o>[^\n]{1,120})")),
        ("contributed", re.compile(
            rf"(?:The\s+)?(?P<o>{known})(?:\s+(?:writers?|reporters?|correspondents?)[^.\n]{{0,80}}?)?"
            rf"\s+contributed(?:\s+to\s+this\s+(?:report|story|article))?")),
        ("via", re.compile(rf"\b(?:via|Via|VIA)\s+{outlet_word}")),  # often a photo's: not whole-article
        ("told", re.compile(rf"\b(?:told|tell|tells|telling|said\s+to|speaking\s+to|in\s+an\s+interview\s+with)\s+"
                            rf"{outlet_word}")),
        ("according_to", re.compile(rf"\b(?:according\s+to|reported\s+by|first\s+reported\s+by)\s+{outlet_word}",
                                    re.IGNORECASE)),
        ("reported", re.compile(rf"(?<![\w-]){outlet_word}\s+(?:has\s+|had\s+)?(?:previously\s+|first\s+)?"
                                rf"(?:reported|reports|was\s+the\s+first\s+to\s+report|learned|has\s+learned)\b")),
    ]


_PATTERNS = _patterns(_known(_KNOWN_NAMES, by_letter=True))
_PATTERNS_SLOW = _patterns(_known(_KNOWN_NAMES, by_letter=False))  # the alternation as first written

# Literal words one of which every match of a pattern holds, read with the
# pattern's own flags (an IGNORECASE pattern's words match as the pattern's
# letters do): a text without any is not searched with the pattern. Each
# pattern reads the whole text, and the ones that lead with a known outlet's
# name try the alternation of names at every place; one search for a word
# costs a fraction of that. The twin without this test is find_credits_slow.
_WORDS: dict[str, tuple[str, ...]] = {
    "first_on": ("First on ",),
    "byline": ("By", "BY"),
    "original_source": ("original",),
    "copyright": ("Copyright", "\u00a9"),
    "contributed": ("contributed",),
    "via": ("via", "Via", "VIA"),
    "told": ("told", "tell", "said", "speaking", "interview"),
    "according_to": ("according", "reported"),
    "reported": ("report", "learned"),  # reported, reports, ... to report; (has) learned
}
_NEEDLES: dict[str, re.Pattern[str]] = {
    kind: re.compile("|".join(map(re.escape, _WORDS[kind])), pat.flags & re.IGNORECASE)
    for kind, pat in _PATTERNS if kind in _WORDS}


# A dateline at the start of the body: "(CNN)", "WASHINGTON (AP) —",
# "LONDON, Aug 4 (Reuters) -", "ڈھاکہ ۔ یکم دسمبر (اے پی پی)".
_DATELINE = re.compile(r"(?m)^[^\S\n]*(?:[^\n()]{0,60}?)\((?P<o>[^()\n]{1,40})\)[^\S\n]*[-–—:]?")
_BLANK = re.compile(r"\s*")


def _after_blanks(text: str, pos: int = 0) -> int:
    m = _BLANK.match(text, pos)
    return m.end() if m else pos


def dateline_head(text: str, dateline_chars: int = 600) -> int:
    """Where the search for a dateline ends: after the first ``dateline_chars``
    characters, or, when the headline is longer than that, after the first
    200 characters of the paragraph that follows it (the body's first line,
    where a dateline stands)."""
    if len(text) <= dateline_chars:
        return len(text)
    nl = text.find("\n", _after_blanks(text))
    if nl < 0:
        return dateline_chars
    return max(dateline_chars, min(len(text), _after_blanks(text, nl) + 200))


# What a dateline's brackets name when they name several sources, or news
# agencies in general: "(AP, Reuters)", "(ثناء نیوز،آن لائن)", "(نامہ نگار+ ایجنسیاں)"
_SOURCE_SEPARATORS = re.compile(r"[^\S\n]*(?:[,،+/&;؛]|\band\b|(?<=\s)و(?=\s))[^\S\n]*")
_AGENCIES = frozenset({"agencies", "news agencies", "agency", "wires", "wire services", "wire reports",
                       "ایجنسیاں", "ایجنسیز", "ایجنسی", "خبر رساں ادارے"})
# a date after the place: a digit of any script, or a month's name (English, Urdu)
_DATED = re.compile(r"\d|(?i:\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b\.?)"
                    r"|جنوری|فروری|مارچ|اپریل|مئی|جون|جولائی|اگست|ستمبر|اکتوبر|نومبر|دسمبر")


@dataclass(frozen=True, slots=True)
class Dateline:
    """The dateline that opens an article's body, up to its closing bracket
    (``LONDON, Aug 4 (Reuters)``, ``سیالکوٹ+ سمبڑیال (نامہ نگار+ ایجنسیاں)``):
    its ``span`` and ``text``, the names in its brackets as written
    (``sources``, composed), and whether a date follows the place
    (``dated``)."""

    span: Span
    text: str
    sources: tuple[str, ...]
    dated: bool

    @property
    def outlets(self) -> frozenset[str]:
        """The sources, each as :func:`normalize_outlet` names it."""
        return frozenset(o for o in map(normalize_outlet, self.sources) if o)

    @property
    def compiled(self) -> bool:
        """Several sources, or news agencies in general: a newspaper's
        compilation of other outlets' copy, not any one outlet's own."""
        return len(self.sources) > 1 or any(s.casefold() in _AGENCIES for s in self.sources)


@lru_cache(maxsize=256)
def find_dateline(text: str, *, dateline_chars: int = 600) -> Dateline | None:
    """The dateline of ``text`` (looked for where :func:`find_credits` looks),
    when its brackets name a known outlet, several sources or news agencies
    in general; else ``None``."""
    head = text[:dateline_head(text, dateline_chars)]
    for m in _DATELINE.finditer(head):
        raw = unicodedata.normalize("NFC", m.group("o")).strip()
        sources = tuple(x for x in (y.strip(" .-–—") for y in _SOURCE_SEPARATORS.split(raw)) if x)
        line = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
        dl = Dateline(Span(line, m.end("o") + 1), text[line:m.end("o") + 1], sources,
                      bool(_DATED.search(text, line, m.start("o"))))
        if any(is_known_outlet(x) for x in sources) or dl.compiled:
            return dl
    return None


_LINK = re.compile(r"\[(?P<o>[^\]\n]{1,40})\]\([^)\n]*\)")
# _LINK up to its "(": the rest, to the first ")" of the line, is looked up in
# _ClosingMarks (the pattern read from every "[a](" to the line's end)
_LINK_HEAD = re.compile(r"\[(?P<o>[^\]\n]{1,40})\]\(")
_CLOSE_OR_BREAK = re.compile(r"[)\n]")


class _ClosingMarks:
    """Where the first ``)`` or line break after a position is, for a text:
    found once per stretch, however many ``](`` ask."""

    def __init__(self, text: str) -> None:
        self.text = text
        # the last answer: the first ")" or "\n" at or after every position from lo to at
        self.lo = self.at = -1

    def closing(self, pos: int) -> int | None:
        """The position of the ``)`` that closes a link target opened before
        ``pos`` (the first ``)`` at or after ``pos`` on its line), or None."""
        if not self.lo <= pos <= self.at:
            m = _CLOSE_OR_BREAK.search(self.text, pos)
            self.lo, self.at = pos, (m.start() if m else len(self.text))
        return self.at if self.at < len(self.text) and self.text[self.at] == ")" else None


def _links(text: str):
    """The matches of :data:`_LINK` as ``(start, end, name)``, in one pass."""
    marks = _ClosingMarks(text)
    pos = 0
    while m := _LINK_HEAD.search(text, pos):
        k = marks.closing(m.end())
        if k is None:
            pos = m.end()  # an opener inside this name meets the same "](": it fails too
            continue
        yield m.start(), k + 1, m.group("o")
        pos = k + 1


_CORPORATE = re.compile(r"\b(?:all\s+rights\s+reserved|inc|llc|ltd|plc|interactive|limited|corp|"
                        r"corporation|group|company|co)\b\.?", re.IGNORECASE)
_NOT_OUTLETS = frozenset({"utc", "gmt", "et", "est", "edt", "pst", "pdt", "am", "pm", "copyright", "video", "photo",
                          "file", "ap photo", "update", "updated", "reuters photo"})


def _copyright_holder(raw: str) -> str | None:
    """The outlet in a copyright line's rest: "2018 The Associated Press. All
    rights reserved." → "The Associated Press"; "[Marko Marjanović](#),
    [Russia Insider](#), 2017" → "Russia Insider" (a known outlet, else the
    last name)."""
    raw = clean_meta(raw)
    raw = re.split(r"\.\s|\s[|–—-]\s|\.$|###", raw)[0]
    raw = re.sub(r"^by\s+", "", raw.strip(), flags=re.IGNORECASE)
    parts = [_CORPORATE.sub("", x).strip(" .,;") for x in re.split(r"[,/]", raw)]
    parts = [re.sub(r"\s*(?:19|20)\d\d$", "", x) for x in parts]
    parts = [x for x in parts if x and not re.fullmatch(r"[\d\s-]+", x)]
    if not parts:
        return None
    for x in parts:
        if is_known_outlet(x):
            return x
    return parts[-1] if len(parts[-1].split()) <= 6 else None


_STRICT = frozenset({"first_on", "original_source", "copyright"})


def _plausible(kind: str, raw: str) -> bool:
    """Loose forms match known names case-insensitively; keep only those
    written as names ("told CNN", not "told app users")."""
    if kind in _STRICT:
        return len(raw.split()) <= 6
    if raw[:1].isascii() and not raw[:1].isupper():
        return False
    return len(raw) > 3 or raw.isupper()


def _outlet_group(m: re.Match[str]) -> str | None:
    """The outlet a pattern matched: a markdown link's text or a plain name."""
    groups = m.groupdict()
    return groups.get("oL") or groups.get("o")


@lru_cache(maxsize=256)
def find_credits(text: str, *, dateline_chars: int = 600) -> tuple[Credit, ...]:
    """Every credit in ``text``, in order of position (see the module doc).

    A dateline is looked for in the first ``dateline_chars`` characters
    only, and counts only for a known outlet or a short name in capitals.
    """
    return _find_credits(text, dateline_chars, _NEEDLES, _PATTERNS)


def find_credits_slow(text: str, *, dateline_chars: int = 600) -> tuple[Credit, ...]:
    """:func:`find_credits` with every pattern run over the whole text (none
    skipped for want of its :data:`_NEEDLES`), the known outlets' names one
    alternation: the reference of the property tests."""
    return _find_credits(text, dateline_chars, {}, _PATTERNS_SLOW)


def _find_credits(text: str, dateline_chars: int, needles: dict[str, re.Pattern[str]],
                  patterns: list[tuple[str, re.Pattern[str]]]) -> tuple[Credit, ...]:
    found: list[Credit] = []
    closing = _ClosingMarks(text)
    for kind, pat in patterns:
        if kind in needles and not needles[kind].search(text):
            continue
        for m in pat.finditer(text):
            raw = _outlet_group(m)
            if raw and kind == "copyright":
                raw = _copyright_holder(raw)
                # a bare "© Name" is as often a photographer's; need a year or a known outlet
                if raw and not (is_known_outlet(raw) or re.search(r"(?:19|20)\d\d", m.group(0)[:40])):
                    continue
            if not raw or raw.casefold() in _NOT_OUTLETS:
                continue
            outlet = normalize_outlet(raw)
            if not outlet or not _plausible(kind, raw):
                continue
            person = m.groupdict().get("p")
            start, end = m.start(), m.end()
            if kind == "copyright":  # the span ends with the holder's name
                at = text.find(raw, start, end)
                if at >= 0:
                    end = at + len(raw)
                elif (nl := text.find("\n", start, end)) > 0:
                    end = nl
                if text.startswith("](", end):
                    k = closing.closing(end + 2)
                    end = k + 1 if k is not None else end
            found.append(Credit(kind, outlet, Span(start, end), text[start:end], person))
    head = text[:dateline_head(text, dateline_chars)]
    for m in _DATELINE.finditer(head):
        raw = m.group("o").strip()
        outlet = normalize_outlet(raw)
        # an unknown name counts only as an agency-style dateline: capitals, then a dash
        dash = re.match(r"[^\S\n]*[-–—]", head[m.end("o") + 1:m.end("o") + 4])
        if outlet and raw.casefold() not in _NOT_OUTLETS and (
                is_known_outlet(raw) or (raw.isupper() and 3 <= len(raw) <= 12 and raw.isalpha() and dash)):
            found.append(Credit("dateline", outlet, Span(m.start("o") - 1, m.end("o") + 1),
                                text[m.start("o") - 1:m.end("o") + 1]))
            break  # one dateline per article
    for start, end, raw in _links(text):
        if is_known_outlet(raw):
            found.append(Credit("link", normalize_outlet(raw) or raw, Span(start, end), text[start:end]))
    # one credit per span: the earliest, then the longest, pattern wins
    found.sort(key=lambda c: (c.span.start, -(c.span.end - c.span.start)))
    out: list[Credit] = []
    spans: set[Span] = set()
    for c in found:
        if out and c.span.start < out[-1].span.end and c.outlet == out[-1].outlet and c.kind == "link":
            continue
        if c.span in spans:
            continue
        out.append(c)
        spans.add(c.span)
    return tuple(out)

