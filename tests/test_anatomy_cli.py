"""`newstrace anatomy`: text output, JSON schema, a store, errors."""

import json
from pathlib import Path

from click.testing import CliRunner

from newstrace.cli import main

from .test_cli import A as CNN, B as GR, run


def test_text_output():
    r = run("anatomy", GR, CNN)
    assert r.exit_code == 0, r.output
    for phrase in ("borrowed (4, in the derivative's order)", "typo", "doubled word removed",
                   "For the record", "Disclaimer", "very limited, if any", "less than a handful",
                   "headline check", "Confirms"):
        assert phrase in r.output, phrase


def test_json_schema_and_offsets():
    r = run("anatomy", GR, CNN, "--format", "json")
    assert r.exit_code == 0
    d = json.loads(r.output)
    text = Path(GR).read_text(encoding="utf-8")
    src = Path(CNN).read_text(encoding="utf-8")
    sid = d["sources"][0]["id"]
    assert {"derivative", "sources", "summary", "segments", "source_segments", "omissions", "headline", "changes",
            "passages", "source_sentences"} <= d.keys()
    assert d["segments"][0]["start"] == 0 and d["segments"][-1]["end"] == len(text)
    for seg in d["segments"]:
        assert {"start", "end", "label"} <= seg.keys() and text[seg["start"]:seg["end"]] == seg["text"]
    for seg in d["source_segments"][sid]:
        assert seg["label"] in ("used", "left_out") and src[seg["start"]:seg["end"]] == seg["text"]
    for o in d["omissions"]:
        assert {"start", "end", "text", "reason"} <= o.keys() and src[o["start"]:o["end"]] == o["text"]
    terms = {t["text"]: t for t in d["headline"]["terms"] if t["part"] == "headline"}
    assert terms["Confirms"]["supported"] is False and terms["Defected"]["supported"] is True
    assert d["summary"]["changes_by_kind"]["typo"] == 1
    for c in d["changes"]:
        assert src[c["a_start"]:c["a_end"]] == c["a_text"] and text[c["b_start"]:c["b_end"]] == c["b_text"]


def test_store_document_against_inferred_sources(tmp_path):
    db = str(tmp_path / "seeds.duckdb")
    assert run("scan", CNN, GR, "--db", db, "--progress", "never").exit_code == 0
    r = run("anatomy", "--db", db, "002_c61f085763ff7fbd.txt", "--format", "json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert [s["id"] for s in d["sources"]] == ["000_da43fc32711ce6b8.txt"]
    assert any("stand in" in n for n in d["notes"])  # the CNN report itself is not in the collection
    assert d["summary"]["changes_by_kind"]["typo"] == 1


def test_errors_are_one_line(tmp_path):
    r = CliRunner().invoke(main, ["anatomy", str(tmp_path / "missing.txt"), CNN])
    assert r.exit_code == 2 and r.output.startswith("newstrace: error:") and "Traceback" not in r.output
    r = CliRunner().invoke(main, ["anatomy", GR])
    assert r.exit_code == 2 and "newstrace: error: give the derivative and at least one source" in r.output
    r = CliRunner().invoke(main, ["anatomy", GR, GR])
    assert r.exit_code == 2 and "newstrace: error:" in r.output
    db = str(tmp_path / "seeds.duckdb")
    run("scan", CNN, GR, "--db", db, "--progress", "never")
    r = CliRunner().invoke(main, ["anatomy", "--db", db, "nope"])
    assert r.exit_code == 2 and "newstrace: error: no document 'nope'" in r.output
    r = CliRunner().invoke(main, ["anatomy", "--db", str(tmp_path / "absent.duckdb"), "x"])
    assert r.exit_code == 2 and "newstrace: error:" in r.output


def test_rewritten_text_is_labelled_rewritten_and_its_source_sentences_used(tmp_path):
    from .test_provenance import AGENCY, PAPER

    src, der = tmp_path / "agency.txt", tmp_path / "paper.txt"
    src.write_text(AGENCY, encoding="utf-8")
    der.write_text(PAPER, encoding="utf-8")
    r = run("anatomy", str(der), str(src), "--format", "json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    (p,) = d["passages"]
    assert p["kind"] == "rewritten" and p["sentences"]
    rewritten = [s for s in d["segments"] if s["label"] == "rewritten"]
    assert rewritten and all(PAPER[s["start"]:s["end"]] == s["text"] for s in rewritten)
    # every sentence of the derivative in a sentence pair is rewritten text
    covered = {i for s in rewritten for i in range(s["start"], s["end"])}
    for x in p["sentences"]:
        body = [i for i in range(x["b"]["start"], x["b"]["end"]) if not PAPER[i].isspace()]
        assert all(i in covered for i in body)
    used = [s for s in d["source_segments"]["agency.txt"] if s["label"] == "used"]
    for x in p["sentences"]:
        assert any(s["start"] <= x["a"]["start"] and x["a"]["end"] <= s["end"] for s in used)
    assert d["summary"]["words_by_label"]["rewritten"] > 0
    assert d["summary"]["share_borrowed"] > 0.8  # rewritten text counts as borrowed
    text = run("anatomy", str(der), str(src))
    assert "#1 rewritten from Harbour fees to rise" in text.output and "sentence [" in text.output


def test_the_seeds_anatomy_has_no_rewritten_text():
    d = json.loads(run("anatomy", GR, CNN, "--format", "json").output)
    assert all(s["label"] != "rewritten" for s in d["segments"])
    assert all(p["kind"] != "rewritten" for p in d["passages"])
