"""PAN's plagdet measures: hand-computed cases, and a per-character twin."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace.evaluation.plagdet import Case, Scores, boundary_errors, missed_cases, plagdet


# ------------------------------------------------------------ slow twin


def _chars(x: Case) -> set[tuple]:
    """The characters of a case, each named by (pair, side, offset)."""
    return {(x.pair, "src", i) for i in range(x.src_start, x.src_end)} | {
        (x.pair, "susp", i) for i in range(x.susp_start, x.susp_end)
    }


def _side(chars: set[tuple], side: str) -> set[tuple]:
    return {c for c in chars if c[1] == side}


def _detects(r: Case, s: Case) -> bool:
    both = _chars(r) & _chars(s)
    return bool(_side(both, "src")) and bool(_side(both, "susp"))


def _cap(s: Case, r: Case) -> set[tuple]:
    return _chars(s) & _chars(r) if _detects(r, s) else set()


def slow_plagdet(cases: list[Case], dets: list[Case]) -> tuple[float, float, float, float]:
    if not cases and not dets:
        return 1.0, 1.0, 1.0, 1.0
    if not cases or not dets:
        prec = rec = 0.0
    else:
        prec = sum(len(set().union(*(_cap(s, r) for s in cases))) / len(_chars(r)) for r in dets) / len(dets)
        rec = sum(len(set().union(*(_cap(s, r) for r in dets))) / len(_chars(s)) for s in cases) / len(cases)
    counts = [sum(_detects(r, s) for r in dets) for s in cases]
    detected = [c for c in counts if c]
    gran = sum(detected) / len(detected) if detected else 1.0
    score = 0.0 if prec + rec == 0 else (2 * prec * rec / (prec + rec)) / math.log2(1 + gran)
    return prec, rec, gran, score


_case = st.builds(
    lambda pair, a, la, b, lb: Case(pair, a, a + la, b, b + lb),
    st.sampled_from(["x", "y"]),
    st.integers(0, 40),
    st.integers(1, 15),
    st.integers(0, 40),
    st.integers(1, 15),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_case, max_size=6), st.lists(_case, max_size=6))
def test_matches_per_character_twin(cases: list[Case], dets: list[Case]) -> None:
    got = plagdet(cases, dets)
    want = slow_plagdet(cases, dets)
    assert (got.precision, got.recall, got.granularity, got.plagdet) == pytest.approx(want)
    assert got.missed == sum(not any(_detects(r, s) for r in dets) for s in cases)
    assert missed_cases(cases, dets) == got.missed
    assert len(boundary_errors(cases, dets)) == 4 * (len(cases) - got.missed)


# ------------------------------------------------------- hand-computed


CASE = Case("p", 0, 100, 1000, 1100)


def scores(s: Scores) -> tuple[float, float, float, float]:
    return s.precision, s.recall, s.granularity, s.plagdet


def test_perfect_detection() -> None:
    s = plagdet([CASE], [CASE])
    assert scores(s) == (1.0, 1.0, 1.0, 1.0)
    assert (s.cases, s.detections, s.missed) == (1, 1, 0)
    assert boundary_errors([CASE], [CASE]) == [0, 0, 0, 0]


def test_detection_covering_half_a_case() -> None:
    half = Case("p", 0, 50, 1000, 1050)
    s = plagdet([CASE], [half])
    assert scores(s) == pytest.approx((1.0, 0.5, 1.0, 2 / 3))
    assert boundary_errors([CASE], [half]) == [0, 50, 0, 50]


def test_two_adjacent_detections_of_one_case() -> None:
    dets = [Case("p", 0, 50, 1000, 1050), Case("p", 50, 100, 1050, 1100)]
    s = plagdet([CASE], dets)
    assert scores(s) == pytest.approx((1.0, 1.0, 2.0, 1 / math.log2(3)))
    # Both overlap by 100 characters: the first one is taken.
    assert boundary_errors([CASE], dets) == [0, 50, 0, 50]


def test_detection_spilling_past_the_case() -> None:
    spill = Case("p", 0, 110, 1000, 1100)
    s = plagdet([CASE], [spill])
    p = 200 / 210
    assert scores(s) == pytest.approx((p, 1.0, 1.0, 2 * p / (1 + p)))
    assert boundary_errors([CASE], [spill]) == [0, 10, 0, 0]


def test_false_detection_on_another_pair() -> None:
    false = Case("q", 0, 100, 1000, 1100)
    s = plagdet([CASE], [CASE, false])
    assert scores(s) == pytest.approx((0.5, 1.0, 1.0, 2 / 3))
    assert plagdet([CASE], [false]).plagdet == 0.0
    assert plagdet([CASE], [false]).missed == 1
    assert boundary_errors([CASE], [false]) == []


def test_overlap_in_one_document_only_is_no_detection() -> None:
    r = Case("p", 0, 100, 2000, 2100)
    s = plagdet([CASE], [r])
    assert scores(s) == (0.0, 0.0, 1.0, 0.0)
    assert missed_cases([CASE], [r]) == 1


def test_no_detections() -> None:
    s = plagdet([CASE], [])
    assert scores(s) == (0.0, 0.0, 1.0, 0.0)
    assert (s.cases, s.detections, s.missed) == (1, 0, 1)
    assert boundary_errors([CASE], []) == []


def test_nothing_to_find_and_nothing_found() -> None:
    assert scores(plagdet([], [])) == (1.0, 1.0, 1.0, 1.0)


def test_detections_but_no_cases() -> None:
    assert scores(plagdet([], [CASE])) == (0.0, 0.0, 1.0, 0.0)


def test_best_detection_is_the_largest_overlap() -> None:
    small = Case("p", 90, 120, 1090, 1120)
    big = Case("p", 5, 95, 1003, 1100)
    assert boundary_errors([CASE], [small, big]) == [5, 5, 3, 0]


@pytest.mark.parametrize("bad", [(0, 0, 0, 5), (5, 4, 0, 5), (-1, 3, 0, 5), (0, 5, 3, 3)])
def test_empty_or_reversed_ranges_are_rejected(bad: tuple[int, int, int, int]) -> None:
    with pytest.raises(ValueError, match="start < end"):
        Case("p", *bad)
