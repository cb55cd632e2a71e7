"""The rewritten-passage aligner: a paraphrase written for this test, the
seeds (no rewritten passage where there is none), offsets, and the slow twin."""

from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from newstrace.compare import compare
from newstrace.records import Document
from newstrace.rewritten import (
    RewriteParams,
    align_rewritten,
    align_rewritten_slow,
    reuse_spans,
    unit_similarity,
    unit_similarity_slow,
    units,
)

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"

# A wire story and a newspaper's rewrite of its middle: words changed,
# clauses and sentences reordered, connectives reworded, no five words in a row kept.
WIRE = (
    "Markets in Asia opened quietly on Monday as traders waited for the central bank.\n\n"
    "The Harbour City council voted on Tuesday to close the old Kestrel Bridge for eighteen months. "
    "Engineers had warned that corrosion in the steel girders made the crossing unsafe for lorries. "
    "The repairs are expected to cost 42 million pounds, paid mostly from the regional transport fund. "
    "Commuters will be diverted over the Mill Lane crossing, which the council plans to widen. "
    "Shopkeepers near the bridge said they feared losing customers during the closure.\n\n"
    "In other news, the city zoo welcomed a pair of red pandas from a breeding programme."
)
PAPER = (
    "Local traders fear for their takings.\n\n"
    "Lorries can no longer safely use the Kestrel Bridge, engineers cautioned, because its steel "
    "girders have corroded badly. "
    "Councillors in Harbour City decided on Tuesday that the ageing bridge will shut for a period of eighteen months. "
    "Most of the 42 million pound bill for repairing it will come out of the regional transport fund. "
    "Traffic is to be sent across the Mill Lane crossing instead, and the council intends to widen it. "
    "Businesses close to the bridge fear customers will stay away while it is shut.\n\n"
    "The weekend weather looks set to be dry and bright across the region."
)


def test_paraphrase_is_one_rewritten_passage():
    found = align_rewritten(WIRE, PAPER)
    assert len(found) == 1
    p = found[0]
    assert p.kind == "rewritten"
    assert WIRE[p.a.start:p.a.end] == p.a_text and PAPER[p.b.start:p.b.end] == p.b_text
    assert "Kestrel Bridge" in p.a_text and "Kestrel Bridge" in p.b_text
    assert "red pandas" not in p.a_text and "Markets in Asia" not in p.a_text
    assert "weekend weather" not in p.b_text
    # the reordered sentences are paired with the ones they came from
    pairs = {(WIRE[s.a.start:s.a.end][:20], PAPER[s.b.start:s.b.end][:20]) for s in p.sentences}
    assert ("Engineers had warned", "Lorries can no longe") in pairs
    assert ("The Harbour City cou", "Councillors in Harbo") in pairs
    assert all(0 < s.similarity <= 1 for s in p.sentences)


def test_compare_reports_rewritten_beside_verbatim():
    c = compare(Document(id="wire", text=WIRE), Document(id="paper", text=PAPER))
    kinds = [p.kind for p in c.passages]
    assert kinds == ["rewritten"]
    d = c.as_dict()
    assert d["scores"]["rewritten"] == 1
    assert d["passages"][0]["sentences"]
    assert "sentences" not in {k for p in d["passages"] if p["kind"] != "rewritten" for k in p}


def test_unrelated_texts_share_nothing():
    other = ("The orchestra announced its new season, opening with a Mahler symphony in September. "
             "Tickets go on sale next week, and students will pay half price for every concert.")
    assert align_rewritten(WIRE, other) == []


def test_no_rewritten_passage_on_the_seeds():
    a = (SEEDS / "000_da43fc32711ce6b8.txt").read_text(encoding="utf-8")
    b = (SEEDS / "002_c61f085763ff7fbd.txt").read_text(encoding="utf-8")
    c = compare(Document(id="000", text=a), Document(id="002", text=b))
    assert [p.kind for p in c.passages].count("rewritten") == 0
    assert [p.kind for p in c.passages].count("passage") == 3


def test_caseless_script_sentences_are_units():
    text = "پاکستان نے میچ جیت لیا۔آخری میچ میں ٹیم نے اچھا کھیل پیش کیا۔ کپتان نے کہا کہ ٹیم خوش ہے"
    u = units(text, RewriteParams(min_unit_words=1))
    assert len(u.spans) == 3
    assert all(text[s.start:s.end].strip() == text[s.start:s.end] for s in u.spans)


_WORDS = st.sampled_from("the bridge council voted close repairs cost million fund traffic crossing widen "
                         "shop customers 42 18 engineers warned steel lorries".split())
_SENT = st.lists(_WORDS, min_size=3, max_size=12).map(lambda ws: " ".join(ws).capitalize() + ".")
_TEXT = st.lists(_SENT, min_size=1, max_size=8).map(" ".join)


@given(_TEXT, _TEXT)
def test_similarity_matches_slow_twin(a, b):
    ua, ub = units(a), units(b)
    cos, dice = unit_similarity(ua, ub)
    cos_s, dice_s = unit_similarity_slow(ua, ub)
    assert cos.shape == (len(ua.spans), len(ub.spans))
    for i in range(len(ua.spans)):
        for j in range(len(ub.spans)):
            assert abs(cos[i, j] - cos_s[i][j]) < 1e-9
            assert abs(dice[i, j] - dice_s[i][j]) < 1e-9


def test_texts_sharing_no_term_are_no_rewriting():
    # a pair with no term in common (a README beside an article) gave integer sums and a crash
    ua, ub = units("Read me first. Install it."), units("The bridge council voted. Repairs cost 42 million.")
    cos, dice = unit_similarity(ua, ub)
    assert cos.dtype == dice.dtype == np.float64 and not cos.any() and not dice.any()
    c = compare(Document(id="readme", text="Read me first. Install it."), Document(id="wire", text=WIRE))
    assert not c.passages


@given(_TEXT, _TEXT)
def test_passages_match_slow_twin_and_slice_back(a, b):
    params = RewriteParams(min_chars=20)
    fast = align_rewritten(a, b, params)
    slow = align_rewritten_slow(a, b, params)
    assert [(p.a, p.b) for p in fast] == [(p.a, p.b) for p in slow]
    for p in fast:
        assert a[p.a.start:p.a.end] == p.a_text and b[p.b.start:p.b.end] == p.b_text
        for s in p.sentences:
            assert p.a.start <= s.a.start < s.a.end <= p.a.end
            assert p.b.start <= s.b.start < s.b.end <= p.b.end
    spans = reuse_spans(fast)
    assert len(spans) <= len(fast)


def test_compare_command_shows_rewritten_passage(tmp_path):
    import json

    from click.testing import CliRunner

    from newstrace.cli import main

    (tmp_path / "wire.txt").write_text(WIRE, encoding="utf-8")
    (tmp_path / "paper.txt").write_text(PAPER, encoding="utf-8")
    args = ["compare", str(tmp_path / "wire.txt"), str(tmp_path / "paper.txt")]
    text = CliRunner().invoke(main, args)
    assert text.exit_code == 0, text.output
    assert "1 rewritten passage" in text.output
    assert "sentence A [" in text.output
    out = CliRunner().invoke(main, [*args, "--format", "json"])
    data = json.loads(out.output)
    (p,) = [p for p in data["passages"] if p["kind"] == "rewritten"]
    assert WIRE[p["a_start"]:p["a_end"]] == p["a_text"]
    assert all(set(s) == {"a", "b", "similarity"} for s in p["sentences"])


# a paragraph both texts carry word for word (an exact copy of 300 characters)
COPY = ("The festival committee confirmed that the lantern parade will start at the harbour steps at seven o'clock, "
        "follow the old tram route along Quay Street and finish with fireworks over the marina at half past nine. "
        "Volunteers are still needed to marshal the crossings and to hand out programmes at the gates.")


def test_a_reprint_is_its_verbatim_passages():
    from newstrace.rewritten import compare_passages

    a, b = WIRE + "\n\n" + COPY, PAPER + "\n\n" + COPY
    start_a, start_b = a.index(COPY), b.index(COPY)
    loose = compare_passages(a, b, reprint=0)
    assert "rewritten" in [p.kind for p in loose]
    (p,) = compare_passages(a, b, reprint=150)
    assert p.kind == "passage" and (p.a.start, p.b.start) == (start_a, start_b)
    assert p.a_text == a[p.a.start:p.a.end] == COPY
    # a copy shorter than the bar is no reprint
    assert [q.kind for q in compare_passages(a, b, reprint=len(COPY) + 1)] == [q.kind for q in loose]
    assert all(min(t[1] - t[0], t[3] - t[2]) >= 200 for t in reuse_spans(loose, min_chars=200))
