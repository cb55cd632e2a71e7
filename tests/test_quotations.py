"""Quotations: spans, speakers, links across articles, the quality floor, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace.cli import main
from newstrace.evaluation.quotations import load_gold, scare_recall, score
from newstrace.quotations import find_quotations, link_quotations
from newstrace.records import Document

ROOT = Path(__file__).resolve().parents[1]
A = str(ROOT / "examples/seeds/000_da43fc32711ce6b8.txt")
B = str(ROOT / "examples/seeds/002_c61f085763ff7fbd.txt")
GOLD = ROOT / "tests/fixtures/quotations/gold.json"

# Measured when pinned (python benchmarks/bench_quotations.py), on the labelled set the
# rules were written against: direct 1.000 exact and overlapping F1, speaker 1.000 (56 quotes);
# reported speech 0.943 overlapping F1, speaker 1.000. Lower only on purpose.
FLOORS = {"direct_overlap_f1": 0.95, "direct_exact_f1": 0.90, "direct_speaker": 0.95,
          "reported_overlap_f1": 0.85, "reported_speaker": 0.90}


def _quote(text: str, words: str):
    return next(q for q in find_quotations(text) if q.direct and q.kind == "speech" and q.text.startswith(words))


def test_seed_speakers_resolved_with_roles():
    text = Path(A).read_text(encoding="utf-8")
    heras = _quote(text, "Assad and his allies")
    assert heras.speaker == "Nick Heras" and heras.speaker_role.startswith("a fellow at the Center")
    assert _quote(text, "Some of the Syrian fighters").speaker == "Nick Heras"  # "Heras added", nested 'traitors'
    assert _quote(text, "Here’s the conundrum").speaker == "Gen. Raymond Thomas"
    assert _quote(text, "They also agreed").speaker == "US Army Col. Joe Scrocca"
    mcgurk = _quote(text, "We have actually")
    assert mcgurk.speaker == "Brett McGurk" and mcgurk.speaker_role == "the US special envoy for the fight against ISIS"
    assert _quote(text, "So there are rules").speaker == "Brett McGurk"  # "he added"
    dillon = [q for q in find_quotations(text) if not q.direct and q.text.startswith("one of the defectors")][0]
    assert dillon.speaker == "US Army Col. Ryan Dillon" and dillon.speaker_role == "a coalition spokesman"
    later = [q for q in find_quotations(text) if not q.direct and q.text.startswith("The group’s decision")][0]
    assert later.speaker == "US Army Col. Ryan Dillon"  # "US Dillon told reporters"
    unnamed = [q for q in find_quotations(text) if not q.direct and q.text.startswith("By poaching")][0]
    assert unnamed.speaker == "a US official familiar with the development"
    scare = {q.text for q in find_quotations(text) if q.kind == "scare"}
    assert {"hold-force", "de-confliction", "handful", "cordial", "Tony"} <= scare


def test_unbalanced_marks_warn_not_raise():
    text = "“These numbers are a disgrace, said Dr Ann Lee.\n\nShe added that ” nothing changed.\n\n“Unclosed to the end"
    qs = find_quotations(text)
    assert qs[0].text == "These numbers are a disgrace," and qs[0].speaker == "Dr Ann Lee"
    assert any("no closing mark" in w for q in qs for w in q.warnings)
    assert any("no opening mark" in w for q in qs for w in q.warnings)


def test_multi_paragraph_quote_and_guillemets():
    text = "Minister Jo Bell said:\n\n“First part.\n\n“Second part.\n\n“Last part,” she said.\n\n«Nous restons», dit Paul Roy."
    qs = [q for q in find_quotations(text) if q.direct]
    assert qs[0].text == "First part.\n\n“Second part.\n\n“Last part," and qs[0].speaker == "Minister Jo Bell"
    assert qs[1].text == "Nous restons" and qs[1].kind == "scare"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("ab .,:\n—\"“”‘’'«»„") + ["said", " Dillon", "told CNN", "He", "Col. Ann Lee"]),
                max_size=80).map("".join))
def test_every_quotation_slices_back(text):
    for q in find_quotations(text):
        assert text[q.start:q.end] == q.text and 0 <= q.start <= q.end <= len(text)


def test_links_across_seeds():
    docs = [Document(id="a", text=Path(A).read_text(encoding="utf-8")),
            Document(id="b", text=Path(B).read_text(encoding="utf-8"))]
    links = link_quotations(docs)
    handful = [lk for lk in links if lk.b_id == "b" and lk.b_index is not None]
    assert len(handful) == 1 and "speaker_conflict" in handful[0].flags  # Scrocca vs "The US military"
    t1 = "“We will not leave this town without a fight,” Mayor Ann Cole said."
    t2 = "“We will never leave this town without a fight,” Ann Cole said.\n\n“We will not leave this town without a fight.”"
    links = link_quotations([Document(id="x", text=t1), Document(id="y", text=t2)])
    altered = [lk for lk in links if lk.b_index == 0][0]
    assert altered.flags == ("altered",) and ("replace", "not", "never") in altered.diff
    assert "unattributed" in [lk for lk in links if lk.b_index == 1][0].flags


def test_quality_floor_on_labelled_set():
    gold = load_gold(GOLD, ROOT)
    d = score(gold, find_quotations, direct=True)
    r = score(gold, find_quotations, direct=False)
    assert d.gold >= 50
    assert d.overlap_f1 >= FLOORS["direct_overlap_f1"] and d.exact_f1 >= FLOORS["direct_exact_f1"]
    assert d.speaker_accuracy >= FLOORS["direct_speaker"]
    assert r.overlap_f1 >= FLOORS["reported_overlap_f1"] and r.speaker_accuracy >= FLOORS["reported_speaker"]
    found, total = scare_recall(gold, find_quotations)
    assert found / total >= 0.8


def test_quality_floor_on_second_set():
    # eight texts labelled by another hand before the extractor was run on
    # them; first scores: direct speaker accuracy 0.857, reported overlapping
    # F1 0.857. The generic faults they showed ("said Dr. X" read as "Dr",
    # "Prof. X of Y", "Asked ..., he replied:", a closing "according to X")
    # were then fixed, so it is no longer held out; these are its floors now
    gold = load_gold(GOLD.parent / "heldout" / "gold.json", ROOT)
    d = score(gold, find_quotations, direct=True)
    r = score(gold, find_quotations, direct=False)
    assert d.gold >= 40 and r.gold >= 15
    assert d.overlap_f1 >= 0.95 and d.speaker_accuracy >= 0.95
    assert r.overlap_f1 >= 0.90 and r.speaker_accuracy >= 0.90


def test_cli_text_and_json():
    r = CliRunner().invoke(main, ["quotes", A])
    assert r.exit_code == 0, r.output
    assert "Nick Heras, a fellow at the Center" in r.output and "scare quotes:" in r.output
    r = CliRunner().invoke(main, ["quotes", A, "--format", "json"])
    data = json.loads(r.output)
    text = Path(A).read_text(encoding="utf-8")
    qs = data["documents"][0]["quotations"]
    assert qs and all({"start", "end", "text", "speaker", "speaker_role", "direct"} <= set(q) for q in qs)
    assert all(text[q["start"]:q["end"]] == q["text"] for q in qs)


def test_cli_missing_file():
    r = CliRunner().invoke(main, ["quotes", "no/such/file.txt"])
    assert r.exit_code == 2 and "newstrace: error:" in r.output and "no/such/file.txt" in r.output
    assert "Traceback" not in r.output


def test_cli_store_mode(tmp_path):
    db = str(tmp_path / "seeds.duckdb")
    r = CliRunner().invoke(main, ["scan", str(ROOT / "examples/seeds"), "--db", db, "--workers", "1",
                                  "--progress", "never"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["quotes", "--db", db, "--format", "json"])
    assert r.exit_code == 0, r.output
    docs = {d["id"]: d for d in json.loads(r.output)["documents"]}
    b = next(d for k, d in docs.items() if k.startswith("002"))
    handful = next(q for q in b["quotations"] if q["text"] == "a handful of isolated defections")
    assert handful["travelled"] and handful["travelled"][0]["id"].startswith("000")
    r = CliRunner().invoke(main, ["quotes", "--db", db, b["id"]])
    assert r.exit_code == 0 and "travelled to 000" in r.output
    r = CliRunner().invoke(main, ["quotes", "--db", db, "nope"])
    assert r.exit_code == 2 and "newstrace: error:" in r.output
