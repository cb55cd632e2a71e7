"""Word lists and patterns for English news: what changes the meaning when
dropped (hedges, negations, numbers, attributions), which headline words
assert something, which words carry no content, and a light stemmer.

Rules and lexicons only: nothing is downloaded or fetched.
"""

from __future__ import annotations

import bisect
from functools import lru_cache

import regex

from ..records import Flag, Span

# Hedges and limiters, longest first so that a phrase wins over its words.
_HEDGES = [
    r"very limited(?:,? if any)?", r"if any", r"less than a (?:handful|dozen)", r"(?:a )?(?:very )?small [\"“”]?handful[\"“”]?",
    r"(?:a )?handful", r"no measurable \w+", r"little (?:or no|if any) \w+", r"isolated", r"limited",
    r"alleged(?:ly)?", r"reported(?:ly)?", r"purported(?:ly)?", r"suspected", r"unconfirmed", r"unverified",
    r"apparent(?:ly)?", r"(?:appears?|appeared|seems?|seemed) to", r"believed to", r"thought to", r"said to be",
    r"possibl[ey]", r"potentially", r"likely", r"unlikely", r"probably", r"could", r"may", r"might",
    r"so far", r"to date", r"only", r"merely", r"at least", r"at most", r"up to", r"nearly", r"almost",
    r"partly", r"partially", r"largely", r"mostly", r"rarely", r"occasionally", r"minor", r"a few", r"few",
    r"estimated", r"unclear",
]
_NEGATIONS = [
    r"not", r"no", r"never", r"none", r"nothing", r"neither", r"nor", r"without", r"\w+n[’']t",
    r"den(?:y|ies|ied)", r"refus(?:e|es|ed)", r"fail(?:s|ed)? to", r"cannot",
]
_NUMBER_WORDS = (r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
                 r"hundreds?|thousands?|millions?|billions?|dozens?|half|third|quarter")
_QUANT = r"(?:(?:some|about|around|roughly|nearly|almost|more than|fewer than|less than|at least|up to|over) )?"
_NUMBERS = [
    _QUANT + r"[$£€]?\d[\d,.]*(?:\s?(?:%|per ?cent|bn|m|km|kilometers?|kilometres?|billion|million|thousand))?"
    r"(?:\s?(?:to|-|–)\s?[$£€]?\d[\d,.]*(?:\s?(?:%|bn|m|km|billion|million|thousand))?)?",
    _QUANT + rf"(?:{_NUMBER_WORDS})",
]
# Words are bounded (30 characters for a word of a name or before a
# speaker noun): an unbounded one read from every dot of "a.a.a.a…" to the
# end of the run, the square of its length.
_NAME = r"\p{Lu}[\w.’'-]{0,30}(?:\s\p{Lu}[\w.’'-]{0,30}){0,3}"
_SPEAKERS = r"(?:officials?|spokes(?:man|woman|person)|sources?|analysts?|experts?|diplomats?|officers?|aides?|envoy)"
_ATTRIBUTIONS = [
    rf"according to (?:{_NAME}|(?:a|an|the) [\w -]{{1,40}}?(?=[,.;]))",
    rf"(?:(?:a|an|one|the|some|two|several) )?(?:[\w.-]{{1,30}}+ ){{0,3}}{_SPEAKERS}"
    r"(?: (?:familiar with [\w ]{1,30}?|who [\w ]{1,30}?))?,? (?:said|say|says|believe|confirmed|(?:told|tell|tells) \w+)",
    rf"(?:told|tells|tell) (?:{_NAME}|reporters|the [\w ]{{1,25}}?(?=[,.;]))",
    rf"{_NAME},? (?:said|says|added|told \w+)",
    r"(?:he|she|they) (?:said|added|says|told \w+)",
]


def _alternation(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


# One pattern, reasons in priority order: at a position the first reason that
# matches wins, and within it the longest alternative listed first.
_FLAG_PATTERN = (
    rf"(?<![\w-])(?:(?P<attribution>{_alternation(_ATTRIBUTIONS)})|(?P<hedge>{_alternation(_HEDGES)})"
    rf"|(?P<number>{_alternation(_NUMBERS)})|(?P<negation>{_alternation(_NEGATIONS)}))(?![\w])"
)
_FLAG = regex.compile(_FLAG_PATTERN, flags=regex.IGNORECASE | regex.VERSION1)
# The same pattern with simple case folding ("(?-f)"): about ten times faster
# (full case folding makes every case-insensitive literal try multi-character
# folds). The two agree on any text in which no character folds to several
# ("ß" -> "ss", ligatures), which find_flags checks before using it.
_FLAG_SIMPLE = regex.compile("(?-f)" + _FLAG_PATTERN, flags=regex.IGNORECASE | regex.VERSION1)
_CASED = {"attribution"}  # names in these patterns need their capitals

# How much dropping one matters, by reason.
REASON_WEIGHT: dict[str, float] = {"hedge": 3.0, "negation": 2.5, "attribution": 2.0, "number": 1.5}


def find_flags(source_id: str, text: str, sentences: tuple[Span, ...]) -> list[Flag]:
    """Every hedge, negation, number and attribution in ``text``, with its
    sentence (``used`` false and ``weight`` the reason's base weight; the
    caller fills both in)."""
    simple = len(text.casefold()) == len(text)  # no character folds to several: simple folding is exact
    return _flags(_FLAG_SIMPLE if simple else _FLAG, source_id, text, sentences)


def find_flags_slow(source_id: str, text: str, sentences: tuple[Span, ...]) -> list[Flag]:
    """:func:`find_flags` with full case folding on every text: the slow,
    obviously-correct twin the property tests compare it with."""
    return _flags(_FLAG, source_id, text, sentences)


def _flags(pattern: regex.Pattern, source_id: str, text: str, sentences: tuple[Span, ...]) -> list[Flag]:
    out: list[Flag] = []
    starts = [s.start for s in sentences]
    for m in pattern.finditer(text):
        reason = m.lastgroup
        s, e = m.span()
        if reason == "attribution" and not _attribution_ok(m.group()):
            continue
        k = bisect.bisect_right(starts, s) - 1
        sent = sentences[k] if k >= 0 and sentences[k].end >= e else Span(s, e)
        out.append(Flag(source_id, s, e, text[s:e], reason, sent, False, REASON_WEIGHT[reason]))
    return out


def _attribution_ok(phrase: str) -> bool:
    """IGNORECASE makes ``\\p{Lu}`` match anything: a name-led attribution
    must really start with a capital."""
    low = phrase.casefold()
    if low.startswith(("according to", "told", "tell", "he ", "she ", "they ")) or regex.search(_SPEAKERS, low):
        return True
    return phrase[:1].isupper() and phrase.split()[0].casefold() not in STOPWORDS


STOPWORDS = frozenset("""
a an the and or but if of in on at to for from by with without as into onto over under about after before
than then that this these those there here it its it's is are was were be been being am do does did has have
had having will would shall should can could may might must not no nor so such too very just also only own
same other another some any each every all both few more most much many less least his her hers him he she
they them their theirs we us our ours you your yours i me my mine who whom whose which what when where why how
while during since until up down out off again further once new says said say according told tell tells
""".split())

# Verbs that assert something happened or was established: the claims a
# headline makes. Matched by stem.
CLAIM_VERBS = frozenset(
    "confirm admit reveal deny defect prove expose claim warn accuse acknowledge announce declare vow threaten "
    "kill attack seiz captur flee join abandon betray collaps surrender win lose ban quit resign arrest charg "
    "convict sentenc order approv reject block launch invad bomb destroy fail succeed collud lie cover "
    "switch desert mutin".split()
)

_SUFFIXES = ("ational", "ations", "ation", "ions", "ion", "ings", "ing", "ors", "ers", "ies", "ied", "ed",
             "ly", "or", "er", "es", "s")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stemmer: "defected", "defections", "defectors" →
    "defect"; "confirms", "confirmed", "confirmation" → "confirm"."""
    w = word.casefold().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.strip("'")
    if not w.isalpha() or len(w) <= 3:
        return w
    for suf in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            if suf == "es" and not w[:-2].endswith(("s", "x", "z", "ch", "sh")):
                suf = "s"
            if suf == "ies" or suf == "ied":
                w = w[: -len(suf)] + "y"
                break
            if suf == "s" and w.endswith(("ss", "us", "is")):
                break
            w = w[: -len(suf)]
            break
    if w.endswith("ian") and len(w) > 5:
        w = w[:-1]  # Syrian -> syria, Russian -> russia
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":
        w = w[:-1]  # planned -> plann -> plan
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w
