"""The text rules and the pathological inputs they are timed on.

One registry for ``benchmarks/bench_text_rules.py`` (which prints the time
per character of every rule on every input at growing sizes) and
``tests/test_text_rules_linear.py`` (which asserts that the time grows
linearly and fuzzes every rule): :data:`RULES`, each public rule of the
regex-heavy modules as a function of one text, and :data:`INPUTS`, each
pathological input as a function of the length wanted (long runs of one
character, nested brackets, alternating quotation marks, one long line of
prose without a line break, ...).
"""

from __future__ import annotations

import datetime as _dt
import gc
import time
from collections.abc import Callable

from .. import boilerplate, labels, quotes, sentences
from ..anatomy import headline as anatomy_headline
from ..anatomy import lexicon
from ..ingest import dates
from ..ingest import text as ingest_text
from ..provenance import credits
from ..quotations import extract, find_quotations, reported, speakers
from ..records import Document

# The time a rule may take per character of pathological input, at the
# largest size. The slowest linear rule (find_quotations, which runs the
# others) takes about 3 µs a character on prose; 50 µs leaves room for a
# loaded machine and still catches a quadratic rule, which at 80k characters
# costs milliseconds a character.
BUDGET_US_PER_CHAR = 50.0
# the exponent of the time's growth over the sizes above which a rule is
# called super-linear: time ~ size ** exponent, 1.0 linear, 2.0 quadratic
# (timer noise on a loaded machine moves a linear rule's to about 1.3)
MAX_EXPONENT = 1.5
# and the growth of the last doubling (2.0 linear, 4.0 quadratic) above which it is
MAX_LAST_GROWTH = 3.0

_PROSE = ("The minister said on Tuesday that the plan, which critics called \u201ca disaster,\u201d would go ahead. "
          "\"We will not back down,\" said Dr. Jane Smith of the U.S. Department of State, according to Reuters. ")


def _repeat(unit: str) -> Callable[[int], str]:
    return lambda n: (unit * (n // len(unit) + 1))[:n]


def _nested(n: int) -> str:
    half = n // 2
    return "[" * half + "]" * (n - half)


# Pathological inputs by name: each a function of the length wanted.
INPUTS: dict[str, Callable[[int], str]] = {
    "[": _repeat("["),
    "(": _repeat("("),
    "straight quote": _repeat('"'),
    "curly quote": _repeat("\u201c"),
    "alternating quotes": _repeat("\u201c\u201d\"'\u2018\u2019\u00ab\u00bb"),
    "quote-word": _repeat('"a '),
    "spaces": _repeat(" "),
    "dots": _repeat("."),
    "digits": _repeat("1"),
    "digits and spaces": _repeat("1 "),
    "colons": _repeat(":"),
    "capitalised words": _repeat("Word "),
    "initials": _repeat("A. "),
    "titles": _repeat("Mr. "),
    "dotted word": _repeat("a."),
    "hyphens": _repeat("-"),
    "nested brackets": _nested,
    "markdown links": _repeat("[a]("),
    "commas": _repeat("a, "),
    "said": _repeat("said "),
    "according to": _repeat("according to "),
    "by": _repeat("By "),
    "copyright": _repeat("\u00a9 2018 "),
    "dates": _repeat("Aug 4 "),
    "newlines": _repeat("\n"),
    "blank lines": _repeat("\n \n"),
    "prose line": _repeat(_PROSE),
    "prose lines": _repeat(_PROSE + "\n\n"),
    "quotes in one sentence": _repeat('and Smith said: "we will go on, " and '),
}

_REF = _dt.datetime(2018, 8, 4, 12, 0)


def _find_flags(t: str) -> object:
    return lexicon.find_flags("s", t, sentences.split_sentences(t))


def _check_headline(t: str) -> object:
    doc = Document(id="d", text=t)
    return anatomy_headline.check_headline(doc, (), [Document(id="s", text=t)], {}, ())


# The public rules by name: each takes one text.
RULES: dict[str, Callable[[str], object]] = {
    "quotations.find_quotations": find_quotations.__wrapped__,
    "quotations.find_marked_spans": extract.find_marked_spans,
    "quotations.paragraphs": extract.paragraphs,
    "speakers.mask_markup": speakers.mask_markup,
    "speakers.mentions": speakers.mentions,
    "speakers.parse_speaker": lambda t: speakers.parse_speaker(t, 0, len(t)),
    "speakers.attribution_after": lambda t: speakers.attribution_after(t, 0, len(t)),
    "speakers.attribution_before": lambda t: speakers.attribution_before(t, 0, len(t)),
    "speakers.subject": lambda t: speakers.subject(t, 0, len(t)),
    "speakers.sentence_bounds": lambda t: speakers.sentence_bounds(t, len(t) // 2, 0, len(t)),
    "reported.LEAD": lambda t: reported.LEAD.match(t),
    "reported.TRAIL": lambda t: list(reported.TRAIL.finditer(t)),
    "reported.ACCORDING": lambda t: reported.ACCORDING.match(t),
    "reported.ACCORDING_AFTER": lambda t: reported.ACCORDING_AFTER.match(t),
    "quotes.find_quoted_spans": quotes.find_quoted_spans.__wrapped__,
    "sentences.split_sentences": sentences.split_sentences,
    "dates.find_dates": dates.find_dates,
    "dates.parse_news_date": dates.parse_news_date,
    "dates.parse_date_string": dates.parse_date_string,
    "dates.find_relative_date": lambda t: dates.find_relative_date(t, _REF),
    "credits.find_credits": credits.find_credits.__wrapped__,
    "credits.normalize_outlet": credits.normalize_outlet,
    "boilerplate.boilerplate_spans": boilerplate.boilerplate_spans,
    "boilerplate.is_boilerplate_line": boilerplate.is_boilerplate_line,
    "boilerplate.furniture_reason": boilerplate.furniture_reason,
    "boilerplate.furniture_kind": boilerplate.furniture_kind,
    "boilerplate.is_page_control_line": boilerplate.is_page_control_line,
    "labels.label_from": lambda t: labels.label_from(None, t),
    "ingest.clean_meta": ingest_text.clean_meta,
    "ingest.sniff_header": ingest_text.sniff_header,
    "ingest.sniff_byline": ingest_text.sniff_byline,
    "ingest.sniff_record_title": ingest_text.sniff_record_title,
    "ingest.published_relative_to": lambda t: ingest_text.published_relative_to(t, _REF),
    "anatomy.find_headline": lambda t: anatomy_headline.find_headline(Document(id="d", text=t)),
    "anatomy.find_flags": _find_flags,
    "anatomy.check_headline": _check_headline,
}


def time_rule(rule: Callable[[str], object], text: str, repeats: int = 1) -> float:
    """The best of ``repeats`` runs of ``rule(text)``, in seconds of CPU time
    of this process: on a machine shared with other work the wall clock
    charges their load to the rule (a load of 20 on two cores made a linear
    rule look 20 times slower on one run than on the next)."""
    best = float("inf")
    gc.collect()
    gc.disable()  # a collection during one run would be charged to the rule
    try:
        for _ in range(repeats):
            t0 = time.process_time()
            rule(text)
            best = min(best, time.process_time() - t0)
            if best > 1.0:
                break
    finally:
        gc.enable()
    return best


def measure(rule: Callable[[str], object], texts: list[str], *, rounds: int = 3, stop: float = float("inf")
            ) -> list[float]:
    """The best time of ``rule`` on each of ``texts`` (growing), over
    ``rounds`` rounds through all of them: the load of a shared machine
    changes from second to second and should not pass for growth. A text
    that takes over ``stop`` seconds ends the measure there (the list is
    then shorter than ``texts``)."""
    times = [float("inf")] * len(texts)
    for _ in range(rounds):
        for k, t in enumerate(texts):
            if k and times[k - 1] > stop:
                times = times[:k]
                break
            times[k] = min(times[k], time_rule(rule, t))
        if max(times) > stop:
            break
    return times
