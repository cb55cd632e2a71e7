"""Golden test of the anatomy on the founding example: 002 (Global Research)
against the CNN text that 000 carries. Phrases a reader sees must and must
not appear under each label; no hard-coded offsets."""

from pathlib import Path

import pytest

from newstrace.anatomy import anatomy, render_text
from newstrace.ingest import load_path

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


@pytest.fixture(scope="module")
def result():
    d = load_path(SEEDS / "002_c61f085763ff7fbd.txt").document
    s = load_path(SEEDS / "000_da43fc32711ce6b8.txt").document
    return anatomy(d, [s])


def _labelled(result, label):
    text = result.derivative.text
    return " ".join(text[g.start:g.end] for g in result.segments if g.label == label)


def test_three_passages_and_the_quotation(result):
    kinds = [p.kind for _, p in result.passages]
    assert kinds.count("passage") == 3 and kinds.count("quotation") == 1
    starts = [p.b_text[:30] for _, p in result.passages if p.kind == "passage"]
    assert starts == ["US Army Col. Ryan Dillon, a co", "He added the regime's recruitm", "The second objective involves "]
    q = next(p for _, p in result.passages if p.kind == "quotation")
    assert q.b_text == "a handful of isolated defections"


def test_borrowed_labels(result):
    borrowed = _labelled(result, "verbatim") + _labelled(result, "edited")
    for phrase in ("Dillon would not say whether Russia", "This has prompted the US military",
                   "building a force of local fighters", "By poaching leaders of the rebel group"):
        assert phrase in borrowed
    assert "This has prompted the US military" in _labelled(result, "edited")  # the sentence with the fix
    assert "Dillon would not say" in _labelled(result, "verbatim")
    assert _labelled(result, "quotation") == "a handful of isolated defections"


def test_fixed_doubled_word_is_a_typo(result):
    typos = [c for c in result.changes if c.kind == "typo"]
    assert len(typos) == 1 and typos[0].a_text == "has" and typos[0].detail == "doubled word removed"
    kinds = {c.kind for c in result.changes}
    assert "sentence_split" in kinds  # 002 split "…area.By poaching…" into two paragraphs
    assert kinds <= {"typo", "sentence_split", "punctuation"}  # straightened quote marks, nothing else


def test_added_commentary(result):
    added = _labelled(result, "added")
    for phrase in ("Pentagon Confirms Its In-House Rebels Defected", "For the record: unlike what the US official",
                   "unlawful presence", "The reason why crossing over to the Syrian army",
                   "What I hadn"):
        assert phrase in added, phrase
    for phrase in ("Disclaimer", "Become a Member", "Dillon would not say", "Copyright"):
        assert phrase not in added, phrase


def test_boilerplate(result):
    boiler = _labelled(result, "boilerplate")
    for phrase in ("Disclaimer: The contents of this article", "Become a Member of Global Research",
                   "Copyright ©", "Comment on Global Research Articles on our Facebook page",
                   "contains copyrighted material", "For media inquiries", "Region:", "Featured image"):
        assert phrase in boiler, phrase
    for phrase in ("For the record", "Pentagon Confirms", "Dillon", "unlawful presence"):
        assert phrase not in boiler, phrase


def test_source_used_and_left_out(result):
    sid = result.sources[0].id
    text = result.sources[0].text
    used = " ".join(text[g.start:g.end] for g in result.source_segments[sid] if g.label == "used")
    left = " ".join(text[g.start:g.end] for g in result.source_segments[sid] if g.label == "left_out")
    assert "This has has prompted" in used and "a handful of isolated defections" in used
    assert "very limited, if any, success" in left and "less than a handful" in left
    assert "Brett McGurk" in left


def test_omitted_qualifiers(result):
    omitted = {(o.reason, o.text) for o in result.omissions}
    for hedge in ("very limited, if any", "less than a handful", "only"):
        assert ("hedge", hedge) in omitted, hedge
    texts = {o.text for o in result.omissions}
    # what 002 did take is not an omission
    assert "no measurable success" not in texts and "isolated" not in texts
    assert result.summary.omissions == len(result.omissions) <= 15  # a short list


def test_headline_check(result):
    h = result.headline
    assert h.headline.slice(result.derivative.text) == "Pentagon Confirms Its In-House Rebels Defected to the Syrian Army"
    terms = {t.text: t for t in h.terms if t.part == "headline"}
    assert terms["Confirms"].kind == "claim" and not terms["Confirms"].supported and terms["Confirms"].in_source
    assert terms["Pentagon"].supported is False
    assert terms["Defected"].supported and terms["Defected"].kind == "claim"
    assert not terms["House"].in_source  # the derivative's own
    quals = {q.text for q in h.qualifiers}
    assert {"a handful", "isolated", "very limited, if any", "less than a handful"} <= quals


def test_summary_figures(result):
    s = result.summary
    assert 0.25 < s.share_borrowed < 0.40 and 0.25 < s.share_added < 0.45 and 0.2 < s.share_boilerplate < 0.4
    assert abs(s.share_borrowed + s.share_added + s.share_boilerplate - 1) < 1e-9
    assert 0.12 < s.share_used[result.sources[0].id] < 0.22
    assert s.changes_by_kind["typo"] == 1


def test_text_report(result):
    out = render_text(result)
    for phrase in ("summary", "borrowed (4", "doubled word removed", "For the record", "boilerplate (site furniture)",
                   "very limited, if any", "less than a handful", "headline check",
                   "Confirms", "NOT in the borrowed text", "a handful of isolated defections"):
        assert phrase in out, phrase


def test_siblings_swapped_and_no_source_text():
    """000 against 002: the blog took nothing from 002's own text; borrowed
    text is the shared CNN text."""
    d = load_path(SEEDS / "000_da43fc32711ce6b8.txt").document
    s = load_path(SEEDS / "002_c61f085763ff7fbd.txt").document
    r = anatomy(d, [s])
    assert "For the record" not in " ".join(d.text[g.start:g.end] for g in r.segments if g.label != "added")
    assert r.summary.share_borrowed < 0.25
