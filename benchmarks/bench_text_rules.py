"""The text rules on pathological input: is each one linear in its input?

    python benchmarks/bench_text_rules.py [--sizes 10000,20000,40000,80000] [--rule NAME] [--input NAME]

For every public rule of the regex-heavy modules (quotations, sentences,
dates, credits, boilerplate, labels, the header sniffing, the anatomy's
lexicon and headline rules) and every pathological input (long runs of one
character, nested brackets, alternating quotation marks, one 100k-character
line of prose without a line break, ...), times the rule at growing sizes
and prints the microseconds per character and the growth ratio of each
doubling (linear is about 2x). A rule over the budget per character
(``BUDGET_US_PER_CHAR`` in ``newstrace.evaluation.text_rules``) at the largest size, or whose time grows
faster than size ** ``MAX_EXPONENT`` and more than ``MAX_LAST_GROWTH``
times over the last doubling, gets a ``FAIL`` line; the last line says
how many. A rule that takes longer than ``STOP_SECONDS`` at one size is
not run at the larger ones (it already failed).

Times are CPU seconds of this process, the best of three rounds over the
sizes, so that other work on a shared machine is not charged to a rule
(the wall clock under a load of 20 made linear rules look quadratic).
Prints figures; asserts nothing (``tests/test_text_rules_linear.py`` holds
the asserted growth tests); rerun a FAIL before believing it.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newstrace.evaluation.text_rules import (BUDGET_US_PER_CHAR, INPUTS, MAX_EXPONENT, MAX_LAST_GROWTH,  # noqa: E402
                                             RULES, measure)

STOP_SECONDS = 20.0
ROUNDS = 3
SIZES = (10_000, 20_000, 40_000, 80_000)


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
            times = measure(rule, [make(n) for n in sizes], rounds=ROUNDS, stop=args.stop)
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
          + (f"{fails} FAIL" if fails else "all within budget"))


if __name__ == "__main__":
    main()
