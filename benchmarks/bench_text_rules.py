"""The text rules on pathological input: is each one linear in its input?

    python benchmarks/bench_text_rules.py [--sizes 10000,20000,40000,80000] [--rule NAME] [--input NAME]

For every public rule of the regex-heavy modules (quotations, sentences,
dates, credits, boilerplate, labels, the header sniffing, the anatomy's
lexicon and headline rules) and every pathological input (long runs of one
character, nested brackets, alternating quotation marks, one 100k-character
line of prose without a line break, ...), times the rule at growing sizes
and prints the microseconds per character and the growth ratio of each
doubling (linear is about 2x). A rule over the budget per character
(:data:`BUDGET_US_PER_CHAR`) at the largest size, or whose time grows
faster than size ** :data:`MAX_EXPONENT` and more than :data:`MAX_LAST_GROWTH`
times over the last doubling, gets a ``FAIL`` line; the last line says
how many. A rule that takes longer than :data:`STOP_SECONDS` at one size is
not run at the larger ones (it already failed).

Prints figures; asserts nothing (``tests/test_text_rules_linear.py`` holds
the asserted growth tests). On a shared machine the times vary: read the
ratios, and rerun a FAIL before believing it.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newstrace import boilerplate, labels, quotes, sentences  # noqa: E402
from newstrace.anatomy import headline as anatomy_headline  # noqa: E402
from newstrace.anatomy import lexicon  # noqa: E402
from newstrace.ingest import dates  # noqa: E402
from newstrace.ingest import text as ingest_text  # noqa: E402
from newstrace.provenance import credits  # noqa: E402
from newstrace.quotations import extract, reported, speakers  # noqa: E402
from newstrace.quotations import find_quotations  # noqa: E402
from newstrace.records import Document  # noqa: E402

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
STOP_SECONDS = 20.0
ROUNDS = 3
SIZES = (10_000, 20_000, 40_000, 80_000)

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
    """The best of ``repeats`` runs of ``rule(text)``, in seconds."""
    best = float("inf")
    gc.collect()
    gc.disable()  # a collection during one run would be charged to the rule
    try:
        for _ in range(repeats):
            t0 = time.perf_counter()
            rule(text)
            best = min(best, time.perf_counter() - t0)
            if best > 1.0:
                break
    finally:
        gc.enable()
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)), help="input lengths (default: %(default)s)")
    ap.add_argument("--rule", action="append", help="only this rule (repeatable; a prefix such as 'speakers.')")
    ap.add_argument("--input", action="append", help="only this input (repeatable)")
    ap.add_argument("--stop", type=float, default=STOP_SECONDS, help="seconds after which larger sizes are skipped")
    ap.add_argument("--all", action="store_true", help="print every line, not only the slow ones and FAILs")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rules = {k: v for k, v in RULES.items() if not args.rule or any(k.startswith(r) for r in args.rule)}
    inputs = {k: v for k, v in INPUTS.items() if not args.input or k in args.input}
    print(f"budget {BUDGET_US_PER_CHAR:g} µs per character at {sizes[-1]:,} characters; "
          f"a growth exponent over {MAX_EXPONENT:g} is super-linear")
    fails = 0
    worst: list[tuple[float, str]] = []
    t_start = time.perf_counter()
    for rname, rule in rules.items():
        for iname, make in inputs.items():
            texts = [make(n) for n in sizes]
            # rounds over all the sizes, the best of each: the load of a shared machine changes
            # from second to second, and should not pass for growth
            times = [float("inf")] * len(sizes)
            for _ in range(ROUNDS):
                for k, t in enumerate(texts):
                    if k and times[k - 1] > args.stop:
                        times = times[:k]
                        break
                    times[k] = min(times[k], time_rule(rule, t))
                if max(times) > args.stop:
                    break  # already over budget: no second round
            per_char = [t / n * 1e6 for t, n in zip(times, sizes)]
            growth = [b / a if a > 0 else 0.0 for a, b in zip(times, times[1:])]
            # the exponent of the time's growth over the whole range (1 linear, 2 quadratic), from the
            # first size that takes 5 ms (shorter runs are timer noise on a shared machine)
            judged = [(n, t) for n, t in zip(sizes, times) if t > 5e-3]
            exponent = (math.log(judged[-1][1] / judged[0][1]) / math.log(judged[-1][0] / judged[0][0])
                        if len(judged) >= 2 and judged[-1][0] > judged[0][0] else None)
            over_budget = len(times) < len(sizes) or per_char[-1] > BUDGET_US_PER_CHAR
            super_linear = (exponent is not None and exponent > MAX_EXPONENT
                            and len(growth) > 0 and growth[-1] > MAX_LAST_GROWTH)
            line = (f"{rname:<32} {iname:<20} " + " ".join(f"{p:8.3f}" for p in per_char)
                    + " µs/char  growth " + " ".join(f"{g:5.2f}" for g in growth)
                    + (f"  exponent {exponent:.2f}" if exponent is not None else ""))
            worst.append((per_char[-1], f"{rname} on {iname}"))
            if len(times) < len(sizes):
                line += f"  (stopped: {times[-1]:.1f} s at {sizes[len(times) - 1]:,})"
            if over_budget or super_linear:
                fails += 1
                why = "over budget" if over_budget else "super-linear"
                print(f"FAIL {line}  ({why})", flush=True)
            elif args.all:
                print(f"ok   {line}", flush=True)
    worst.sort(reverse=True)
    print("slowest per character at the largest size: "
          + "; ".join(f"{name} {us:.2f} µs" for us, name in worst[:5]))
    print(f"{len(rules)} rules x {len(inputs)} inputs in {time.perf_counter() - t_start:.0f} s: "
          f"{fails} FAIL" if fails else f"{len(rules)} rules x {len(inputs)} inputs: all within budget")


if __name__ == "__main__":
    main()
