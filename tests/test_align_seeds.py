"""Golden test on the founding example: the two seed articles.

What 002 (Global Research) copied from the CNN text that 000 (MESOP NEWS)
carries: three passages and one short quotation. Expected boundaries are
located by the phrases a reader sees, not hard-coded offsets.
"""

from pathlib import Path

import pytest

from newstrace.align import align

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
A = (SEEDS / "000_da43fc32711ce6b8.txt").read_text(encoding="utf-8")
B = (SEEDS / "002_c61f085763ff7fbd.txt").read_text(encoding="utf-8")

# (first words, last words) of each copied passage, the same in both texts
EXPECTED = [
    ("US Army Col. Ryan Dillon, a coalition spokesman", "advancing on that same area."),
    ("He added the regime", "key real-estate in southern Syria."),
    ("The second objective involves", "a US official familiar with the development told CNN."),
]
COMMENTARY = [
    "The reason why crossing over",
    "For the record",
    "unlawful presence",
    "switch sides:",
    "Featured image",
    "The US military confirmed",
]


def _span(text: str, first: str, last: str) -> tuple[int, int]:
    s = text.index(first)
    return s, text.index(last, s) + len(last)


@pytest.fixture(scope="module")
def passages():
    return align(A, B)


def test_three_passages_and_one_quotation(passages):
    kinds = [p.kind for p in passages]
    assert kinds.count("passage") == 3
    assert kinds.count("quotation") == 1


@pytest.mark.parametrize("k", range(3))
def test_passage_boundaries_exact(passages, k):
    first, last = EXPECTED[k]
    p = [p for p in passages if p.kind == "passage"][k]
    assert (p.a.start, p.a.end) == _span(A, first, last)
    assert (p.b.start, p.b.end) == _span(B, first, last)


def test_spans_slice_back_to_shown_text(passages):
    for p in passages:
        assert A[p.a.start : p.a.end] == p.a_text
        assert B[p.b.start : p.b.end] == p.b_text
        for e in p.edits:
            assert A[e.a.start : e.a.end] == e.a_text
            assert B[e.b.start : e.b.end] == e.b_text


def test_no_commentary_absorbed(passages):
    for p in passages:
        for phrase in COMMENTARY:
            assert phrase not in p.b_text


def test_no_overlaps(passages):
    for i, p in enumerate(passages):
        for q in passages[i + 1 :]:
            assert not p.a.overlaps(q.a)
            assert not p.b.overlaps(q.b)


def test_first_passage_only_edit_is_the_doubled_word(passages):
    p = passages[[q.kind for q in passages].index("passage")]
    assert [(e.op, e.a_text, e.b_text) for e in p.edits] == [("delete", "has", "")]
    assert "This has has prompted" in A[p.a.start : p.a.end]
    assert "This has prompted" in p.b_text


def test_straightened_quotes_and_split_paragraph_are_not_edits(passages):
    second, third = [p for p in passages if p.kind == "passage"][1:]
    assert "regime\u2019s" in second.a_text and "regime's" in second.b_text
    assert second.edits == () and second.similarity == 1.0
    # 000 glues "area.By poaching"; 002 splits it into two paragraphs
    assert "area.By poaching" in third.a_text and "area.\n\nBy poaching" in third.b_text
    assert third.edits == ()


def test_short_quotation(passages):
    (q,) = [p for p in passages if p.kind == "quotation"]
    assert q.b_text == q.a_text == "a handful of isolated defections"
    # B puts it in quotation marks; A has it inside Scrocca's longer quote
    assert B[q.b.start - 1] == "\u201c" and B[q.b.end] == "\u201d"
    assert "there have been a handful of isolated defections" in A[q.a.start - 30 : q.a.end]


def test_symmetric_when_arguments_swap(passages):
    swapped = align(B, A)
    assert sorted((p.b.start, p.b.end, p.a.start, p.a.end) for p in swapped) == sorted(
        (p.a.start, p.a.end, p.b.start, p.b.end) for p in passages
    )
