"""The text rules are linear in their input (issue 16, item 6).

Every public rule of the regex-heavy modules (the registry in
``newstrace.evaluation.text_rules``, which ``benchmarks/bench_text_rules.py``
times) is fuzzed with text made of the pieces that broke them (runs of
brackets, quotation marks, dots, initials, titles, markdown links), must not
raise and must give spans that slice back to their text; the fast rules are
compared with their slow twins; and for each rule that was quadratic on some
input, the time on 4n characters must stay under 8 times the time on n (a
quadratic rule takes 16 times as long). The reproductions of the issue: a
line of 40,000 ``[`` through ``newstrace quotes``.
"""

from __future__ import annotations

import re
import time

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace.cli import main
from newstrace.evaluation.text_rules import INPUTS, RULES, measure
from newstrace.ingest import dates
from newstrace.ingest.text import clean_meta, unlink_markdown
from newstrace.provenance.credits import find_credits, find_credits_slow
from newstrace.quotations import find_quotations, find_quotations_slow
from newstrace.quotations.speakers import mask_markup, mask_markup_slow, mentions, resolve, resolve_slow
from newstrace.quotes import find_quoted_spans
from newstrace.sentences import split_sentences

PIECES = ["[", "]", "(", ")", "](", '"', "\u201c", "\u201d", "\u2018", "\u2019", "\u00ab", "\u00bb", " ", "  ", ".",
          "...", ",", ":", ";", "!", "?", "\n", "\n\n", "-", "\u2014", "Mr.", "Dr.", "A.", "J. ", "said", "told CNN",
          "according to", "By ", "\u00a9 2018", "Aug. 4, 2017", "10:32 AM", "CNN", "Reuters", "Jane", "Smith",
          "officials", "a", "the", "1", "2,000", "who", "that", "Share", "http://x.com/a", "[AP](x)", "The",
          "says", "warned", "added", "reporters", "According to", "reported", "contributed", "learned"]
texts = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
    st.text(max_size=80),
)


def _check_spans(name: str, text: str, result: object) -> None:
    """The spans a rule reports slice back to the text it reports with them."""
    n = len(text)
    if name == "quotations.find_quotations":
        for q in result:  # type: ignore[attr-defined]
            assert text[q.start:q.end] == q.text and 0 <= q.start < q.end <= n
            if q.speaker_span is not None:
                assert 0 <= q.speaker_span.start < q.speaker_span.end <= n
    elif name == "speakers.mentions":
        for m in result:  # type: ignore[attr-defined]
            assert text[m.start:m.start + len(m.name)] == m.name
    elif name == "speakers.mask_markup":
        assert len(result) == n  # type: ignore[arg-type]
    elif name in ("sentences.split_sentences", "boilerplate.boilerplate_spans", "quotes.find_quoted_spans"):
        ends = 0
        for s in result:  # type: ignore[attr-defined]
            assert ends <= s.start < s.end <= n
            ends = s.end
    elif name == "dates.find_dates":
        for d in result:  # type: ignore[attr-defined]
            assert 0 <= d.start < d.end <= n
    elif name == "credits.find_credits":
        for c in result:  # type: ignore[attr-defined]
            assert text[c.span.start:c.span.end] == c.text
    elif name == "anatomy.find_flags":
        for f in result:  # type: ignore[attr-defined]
            assert text[f.start:f.end] == f.text


@settings(max_examples=150, deadline=None)
@given(texts)
def test_every_rule_takes_any_text(text):
    for name, rule in RULES.items():
        _check_spans(name, text, rule(text))


@settings(max_examples=300, deadline=None)
@given(texts)
def test_fast_rules_match_their_twins(text):
    assert mask_markup(text) == mask_markup_slow(text)
    assert find_quotations.__wrapped__(text) == find_quotations_slow(text)
    assert find_credits.__wrapped__(text) == find_credits_slow(text)
    assert unlink_markdown(text) == re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    assert unlink_markdown(text, "![") == re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    known = mentions(text)
    for m in known:
        for name in (m.name, m.name.split()[-1]):
            for at in (0, m.start, len(text)):
                assert resolve(name, None, at, known) == resolve_slow(name, None, at, known)


# (rule, input, n): each rule was quadratic on this input before it was made linear
GROWTH = [
    ("quotations.find_quotations", "[", 5_000),
    ("quotations.find_quotations", "prose line", 5_000),
    ("quotations.find_quotations", "titles", 2_000),
    ("speakers.mask_markup", "[", 5_000),
    ("speakers.mask_markup", "markdown links", 5_000),
    ("speakers.mentions", "titles", 2_000),
    ("speakers.mentions", "initials", 2_000),
    ("sentences.split_sentences", "dots", 5_000),
    ("ingest.clean_meta", "[", 5_000),
    ("ingest.clean_meta", "nested brackets", 5_000),
    ("ingest.sniff_header", "[", 5_000),
    ("credits.find_credits", "markdown links", 5_000),
    ("anatomy.find_flags", "dots", 2_000),
    ("anatomy.find_flags", "dotted word", 2_000),
    ("boilerplate.furniture_kind", "dotted word", 10_000),
]


@pytest.mark.parametrize(("rule", "pathology", "n"), GROWTH, ids=[f"{r}-{i}" for r, i, _ in GROWTH])
def test_time_grows_linearly(rule, pathology, n):
    make = INPUTS[pathology]
    small, big = make(n), make(4 * n)
    ratios = []
    for _ in range(3):  # a busy machine can slow one measure: any of three passing is enough
        t_small, t_big = measure(RULES[rule], [small, big], rounds=3)
        if t_big < 0.005:  # too quick to tell, and too quick to matter
            return
        ratios.append(t_big / t_small)
        if ratios[-1] < 8:
            return
    pytest.fail(f"{rule} on {4 * n:,} characters of {pathology!r} took {min(ratios):.1f}x the time on {n:,}")


def test_a_line_of_brackets_through_quotes(tmp_path):
    """The issue's case: 40,000 '[' on one line took 18-27 s in ``newstrace quotes``."""
    f = tmp_path / "brackets.txt"
    f.write_text("[" * 40_000 + "\n")
    t0 = time.process_time()
    r = CliRunner().invoke(main, ["quotes", str(f)])
    secs = time.process_time() - t0
    assert r.exit_code == 0, r.output
    assert "0 direct quotations" in r.output
    assert secs < 2.0, f"quotes took {secs:.1f} s on a line of 40,000 '['"


def test_a_long_line_of_quotations():
    """One 200,000-character line of quoted, attributed prose (the shape of the
    issue's 236 KB file): each quotation gets its speaker, in linear time."""
    text = INPUTS["prose line"](200_000)
    t0 = time.process_time()
    qs = find_quotations.__wrapped__(text)
    secs = time.process_time() - t0
    said = [q for q in qs if q.direct and q.text.startswith("We will not")]
    assert len(said) > 500 and all(q.speaker == "Dr. Jane Smith" for q in said[:-1])  # the last is cut off
    assert secs < 5.0, f"find_quotations took {secs:.1f} s on 200,000 characters"


def test_other_rules_on_a_long_line():
    """The other rules on the same line, each well under a second."""
    text = INPUTS["prose line"](200_000)
    for rule in (split_sentences, find_credits.__wrapped__, dates.find_dates, find_quoted_spans.__wrapped__,
                 clean_meta):
        t0 = time.process_time()
        rule(text)
        assert time.process_time() - t0 < 2.0, rule
