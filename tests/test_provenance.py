"""Who copied whom: credits, pairwise direction, the provenance graph, the command."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace.align import align
from newstrace.cli import main
from newstrace.ingest import load_path
from newstrace.provenance import (PAIR_REWRITE, decide, find_credits, normalize_outlet, pair_passages, profile,
                                  trace)
from newstrace.rewritten import align_rewritten
from newstrace.text import tokenize
from newstrace.records import Document

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"
A = str(SEEDS / "000_da43fc32711ce6b8.txt")
B = str(SEEDS / "002_c61f085763ff7fbd.txt")

# A wire story written for these tests, and two newspapers' copies of it.
WIRE = (
    "WASHINGTON (AP) — The city council voted on Tuesday to close the old river bridge for repairs "
    "that engineers say are long overdue, after an inspection found cracks in two of its steel supports. "
    "The bridge carries about twelve thousand cars a day and its closure is expected to last until the "
    "end of the summer, the council said in a statement released after the vote. Residents who live on "
    "the east bank will have to drive an extra eight miles to reach the hospital, officials said, and "
    "the city will add buses on the two routes that cross the water further south.\n"
)
COPY_1 = ("Bridge to close for repairs\n\nBy Staff\n\n" + WIRE.replace("WASHINGTON (AP) — ", "")
          + "\nThe Associated Press contributed to this report.\n")
COPY_2 = ("Council shuts bridge\n\n" + WIRE + "\nCopyright 2018 The Associated Press. All rights reserved.\n")


def _doc(i: str, text: str, **kw) -> Document:
    return Document(id=i, text=text, **kw)


# --------------------------------------------------------------------------- credits


def test_seed_credits_with_exact_spans():
    for path, expected in ((A, {("first_on", "CNN"), ("byline", "CNN"), ("dateline", "CNN"), ("told", "CNN")}),
                           (B, {("original_source", "Russia Insider"), ("copyright", "Russia Insider"),
                                ("link", "Russia Insider"), ("told", "CNN")})):
        text = load_path(path).document.text
        credits = find_credits(text)
        assert expected <= {(c.kind, c.outlet) for c in credits}
        for c in credits:
            assert text[c.span.start:c.span.end] == c.text
    byline = next(c for c in find_credits(load_path(A).document.text) if c.kind == "byline")
    assert byline.person == "Ryan Browne"


@pytest.mark.parametrize("raw, canon", [
    ("CNN's", "CNN"), ("cnn.com", "CNN"), ("the Associated Press", "Associated Press"), ("AP", "Associated Press"),
    ("Thomson Reuters", "Reuters"), ("www.globalresearch.ca", "Global Research"), ("The Daily Planet", "Daily Planet"),
    ("[Russia Insider](#)", "Russia Insider"), ("", None),
])
def test_outlet_names_normalised(raw, canon):
    assert normalize_outlet(raw) == canon


@pytest.mark.parametrize("text", [
    "The mayor told reporters the plan would go ahead.",
    "Users can sign in via email or via the app store.",
    "He told app developers the rules had changed.",
    "Sen. Jane Doe (R) said the vote was close.",
    "© Getty Images",
])
def test_not_credits(text):
    assert find_credits(text) == ()


def test_wire_credits():
    kinds = {(c.kind, c.outlet) for c in find_credits(COPY_1)} | {(c.kind, c.outlet) for c in find_credits(COPY_2)}
    assert {("contributed", "Associated Press"), ("dateline", "Associated Press"),
            ("copyright", "Associated Press")} <= kinds


# --------------------------------------------------------------------------- pairwise decisions


def _decide(a: Document, b: Document):
    return decide(profile(a), profile(b), align(a.text, b.text), words=(len(a.text.split()), len(b.text.split())))


def test_credit_to_the_others_outlet_decides():
    wire = _doc("wire", WIRE, outlet="Associated Press")
    paper = _doc("paper", COPY_1, outlet="Springfield Post")
    d = _decide(wire, paper)
    assert d.relation == "a->b" and d.confidence > 0.95
    assert any(e.kind == "credit" for e in d.evidence)
    assert _decide(paper, wire).relation == "b->a"


def test_two_copies_crediting_a_missing_wire_are_siblings():
    d = _decide(_doc("p1", COPY_1, outlet="Springfield Post"), _doc("p2", COPY_2, outlet="Shelbyville Times"))
    assert d.relation == "siblings" and d.common_source == "Associated Press"


def test_a_wire_dateline_of_no_outlet_makes_the_agency_the_source_not_a_sibling():
    # the agency's own copy (no outlet given: its dateline names AP) and a
    # paper crediting AP: the paper credits the other document, so AP is no
    # third source both take from
    wire, paper = _doc("wire", WIRE), _doc("paper", COPY_1)
    d = _decide(wire, paper)
    assert d.relation == "a->b" and d.common_source is None
    assert any(e.kind == "credit" and e.favours == "a" for e in d.evidence)
    assert _decide(paper, wire).relation == "b->a"
    g = trace([wire, paper], use_dates=False)
    assert [(e.source, e.target) for e in g.edges] == [("wire", "paper")]
    assert not any(n.placeholder for n in g.nodes.values())


def test_two_files_with_the_same_wire_dateline_are_not_siblings_of_a_placeholder():
    # both carry AP's dateline and neither has an outlet: one of them is AP's copy
    d = _decide(_doc("x", WIRE), _doc("y", COPY_2))
    assert d.relation != "siblings" and d.common_source is None
    g = trace([_doc("x", WIRE), _doc("y", COPY_2)], use_dates=False)
    assert not any(n.placeholder for n in g.nodes.values())


# An agency story and two rewrites of it, written for these tests: PAPER
# rewords every sentence and keeps the order (compare's bars find it);
# REWORDED goes further (only provenance's lower bars, PAIR_REWRITE, do).
AGENCY = ("Harbour fees to rise\n\nPORTVILLE (APP) The port authority on Monday raised harbour fees for cargo ships "
          "by eleven percent, citing the cost of dredging the northern channel. Shipping firms said the increase "
          "would be passed on to importers of grain and fuel within weeks. The authority said the dredging "
          "contract, worth forty million, would be signed in March with a Dutch company. Fishermen were "
          "exempted from the new charges after protests outside the harbour office last week.\n")
PAPER = ("Port charges go up\n\nPortville (our correspondent) Cargo ships will pay eleven percent more to use the "
         "harbour after the port authority announced higher fees on Monday, blaming the dredging of the northern "
         "channel. Importers of fuel and grain will soon bear the rise, according to shipping companies. A Dutch "
         "firm is expected to sign the forty million dredging contract in March. Local fishermen, who protested "
         "at the harbour office last week, will not pay the new charges.\n")
REWORDED = ("Shipping costs climb\n\nPortville (staff reporter) Vessels carrying cargo now face charges eleven "
            "percent higher at the harbour, officials announced Monday, pointing to the expense of deepening the "
            "northern channel. Companies that ship goods warned that buyers of grain and fuel abroad would soon "
            "feel the increase. Officials expect a Dutch contractor to finalise the forty million deal for the "
            "works in March. After demonstrations last week, fishermen have been spared the extra charges.\n")


@pytest.mark.parametrize("paper", [PAPER, REWORDED], ids=["rewritten", "reworded"])
def test_a_rewritten_copy_gets_an_edge_from_the_agency(paper):
    for first, second in ((AGENCY, paper), (paper, AGENCY)):
        g = trace([_doc("x", first), _doc("y", second)], use_dates=False)
        src, dst = ("x", "y") if first is AGENCY else ("y", "x")
        assert [(e.source, e.target) for e in g.edges] == [(src, dst)]
        assert any(e.kind == "wire" for e in g.edges[0].evidence)
        (decision,) = g.decisions
        assert decision.relation in ("a->b", "b->a")


def test_the_lower_bars_apply_only_to_a_pair_that_shares_nothing_at_compares():
    assert align_rewritten(AGENCY, PAPER) and not align_rewritten(AGENCY, REWORDED)
    ta, tp, tr = tokenize(AGENCY), tokenize(PAPER), tokenize(REWORDED)
    assert pair_passages(ta, tp) == align_rewritten(AGENCY, PAPER)
    (p,) = pair_passages(ta, tr)
    assert p.kind == "rewritten" and p == align_rewritten(AGENCY, REWORDED, PAIR_REWRITE)[0]
    assert AGENCY[p.a.start:p.a.end] == p.a_text and REWORDED[p.b.start:p.b.end] == p.b_text
    # the seeds share verbatim passages: no rewritten passage is added at the lower bars
    sa, sb = (tokenize(Path(f).read_text(encoding="utf-8")) for f in (A, B))
    assert all(q.kind != "rewritten" for q in pair_passages(sa, sb))
    unrelated = tokenize(WIRE)
    assert pair_passages(ta, unrelated) == []


def test_dates_alone_order_the_pair():
    early = _doc("early", WIRE.replace("WASHINGTON (AP) — ", ""), published=dt.date(2018, 7, 1))
    late = _doc("late", WIRE.replace("WASHINGTON (AP) — ", ""), published=dt.date(2018, 7, 3))
    assert _decide(early, late).relation == "a->b"
    assert _decide(late, early).relation == "b->a"
    undated = _doc("x", early.text)
    assert _decide(undated, _doc("y", early.text)).relation == "undetermined"


_MIRROR = {"a->b": "b->a", "b->a": "a->b", "siblings": "siblings", "undetermined": "undetermined"}


@settings(max_examples=40, deadline=None)
@given(cut=st.integers(0, 3), da=st.integers(1, 28), db=st.integers(1, 28),
       credit=st.sampled_from(["", "\nThe Associated Press contributed to this report.\n", "\n(Reuters) - "]),
       outlet_a=st.sampled_from([None, "Associated Press", "Springfield Post"]))
def test_decision_is_antisymmetric(cut, da, db, credit, outlet_a):
    """Swapping the documents mirrors the relation and keeps the confidence."""
    sentences = WIRE.split(". ")
    a = _doc("a", WIRE, outlet=outlet_a, published=dt.date(2018, 7, da))
    b = _doc("b", credit + ". ".join(sentences[cut:]), published=dt.date(2018, 7, db))
    pab = align(a.text, b.text)
    pba = align(b.text, a.text)
    d1 = decide(profile(a), profile(b), pab, words=(len(a.text.split()), len(b.text.split())))
    d2 = decide(profile(b), profile(a), pba, words=(len(b.text.split()), len(a.text.split())))
    assert d2.relation == _MIRROR[d1.relation]
    assert d1.confidence == pytest.approx(d2.confidence)


# --------------------------------------------------------------------------- the seeds


def test_seed_pair_provenance():
    g = trace([load_path(A).document, load_path(B).document])
    a, b = "000_da43fc32711ce6b8.txt", "002_c61f085763ff7fbd.txt"
    assert g.roots == ["placeholder:CNN"]
    cnn = g.nodes["placeholder:CNN"]
    assert cnn.placeholder and cnn.label == "CNN report by Ryan Browne, August 4, 2017"
    edges = {(e.source, e.target) for e in g.edges}
    # neither seed is named the source of the other
    assert (a, b) not in edges and (b, a) not in edges
    assert ("placeholder:CNN", a) in edges
    assert ("placeholder:CNN", "placeholder:Russia Insider") in edges and ("placeholder:Russia Insider", b) in edges
    assert g.reuse_class[a] == "wholly"
    assert g.hops == {"placeholder:CNN": 0, a: 1, "placeholder:Russia Insider": 1, b: 2}
    (pair,) = g.decisions
    assert pair.relation == "siblings" and pair.common_source == "CNN"
    kinds = {e.kind for e in pair.evidence}
    assert {"common_credit", "edits", "quotation"} <= kinds


def _cli(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_provenance_command_formats():
    text = _cli("provenance", A, B)
    assert text.exit_code == 0
    assert "[not in the collection] CNN report by Ryan Browne, August 4, 2017" in text.output
    data = json.loads(_cli("provenance", A, B, "--format", "json").output)
    for n in data["nodes"]:
        assert {"id", "path", "outlet", "published", "placeholder", "label", "reuse_class"} <= set(n)
    for e in data["edges"]:
        assert {"source", "target", "confidence", "evidence"} <= set(e)
        assert all({"kind", "detail"} <= set(x) for x in e["evidence"])
    root = ET.fromstring(_cli("provenance", A, B, "--format", "graphml").output)
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    assert len(root.findall(f".//{ns}node")) == len(data["nodes"])
    assert len(root.findall(f".//{ns}edge")) == len(data["edges"])


def test_compare_shows_provenance():
    out = _cli("compare", A, B).output
    assert "provenance: siblings: both derive from CNN" in out
    data = json.loads(_cli("compare", A, B, "--format", "json").output)
    assert data["provenance"]["relation"] == "siblings"


def test_provenance_command_errors(tmp_path):
    one = _cli("provenance", A)
    assert one.exit_code == 2 and "two or more files" in one.output
    missing = _cli("provenance", "--db", str(tmp_path / "none.duckdb"), "1")
    assert missing.exit_code == 2 and "no such store" in missing.output


def test_provenance_of_a_stored_story(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "p1.txt").write_text(COPY_1, encoding="utf-8")
    (folder / "p2.txt").write_text(COPY_2, encoding="utf-8")
    db = str(tmp_path / "s.duckdb")
    assert _cli("scan", str(folder), "--db", db, "--workers", "1").exit_code == 0
    listing = json.loads(_cli("provenance", "--db", db, "--format", "json").output)
    assert listing["stories"][0]["documents"] == 2
    g = json.loads(_cli("provenance", "--db", db, "p1.txt", "--format", "json").output)
    # p2 carries AP's dateline and no outlet: AP's copy, the source of p1 that credits AP
    assert g["roots"] == ["p2.txt"]
    assert {n["id"] for n in g["nodes"]} == {"p1.txt", "p2.txt"}
    bad = _cli("provenance", "--db", db, "nope")
    assert bad.exit_code == 2 and "neither a story number nor a document id" in bad.output


# --------------------------------------------------------------------------- the rest of the story


def _story(docs: list[Document]):
    from newstrace.provenance import trace_passages

    ps = {}
    for i, x in enumerate(docs):
        for y in docs[i + 1:]:
            found = align(x.text, y.text)
            if found:
                ps[(x.id, y.id)] = found
    return trace_passages(docs, ps), ps


def _pair(g, a: str, b: str):
    return next(d for d in g.decisions if {d.a, d.b} == {a, b})


def test_the_wording_the_other_copies_share_marks_the_source():
    # three undated copies of one text, each changing a different word; alone,
    # a pair of (source, copy) cannot be ordered; the other copies carry the
    # source's wording at each change
    base = WIRE.replace("WASHINGTON (AP) — ", "")
    c1 = base.replace("long overdue", "badly overdue")
    c2 = base.replace("twelve thousand cars", "twelve thousand vehicles")
    c3 = base.replace("add buses", "run buses")
    docs = [_doc("src", base), _doc("c1", c1), _doc("c2", c2), _doc("c3", c3)]
    alone = decide(profile(docs[0]), profile(docs[1]), align(base, c1))
    assert alone.relation == "undetermined"
    g, _ = _story(docs)
    for c in ("c1", "c2", "c3"):
        d = _pair(g, "src", c)
        assert d.source == "src", d
        assert any(e.kind == "readings" for e in d.evidence)
    assert g.roots == ["src"]


def test_the_text_that_circulates_marks_the_source():
    # the source has three parts; each copy takes two of them, with words of its own around
    parts = [
        "The city council voted on Tuesday to close the old river bridge for repairs that engineers say are "
        "long overdue, after an inspection found cracks in two of its steel supports.",
        "The bridge carries about twelve thousand cars a day and its closure is expected to last until the "
        "end of the summer, the council said in a statement released after the vote.",
        "Residents who live on the east bank will have to drive an extra eight miles to reach the hospital, "
        "officials said, and the city will add buses on the two routes that cross the water further south.",
    ]
    own = ["Our readers have written to us about this for months and we share their worries here.",
           "Traffic on the ring road was slow again this morning because of roadworks near the stadium.",
           "The mayor, who faces an election next spring, did not attend the meeting of the council.",
           "A local bakery said it would deliver bread by boat if the closure lasted into the autumn.",
           "Fishermen on the west bank welcomed the news, saying the bridge had scared off the salmon.",
           "The last time the bridge closed, in the winter of 1998, the ferry service was revived for a month."]
    src = _doc("src", " ".join(parts))
    copies = [_doc(f"c{k}", f"{own[2 * k]} {parts[i]} {own[2 * k + 1]} {parts[j]}")
              for k, (i, j) in enumerate([(0, 1), (1, 2), (0, 2)])]
    g, _ = _story([src, *copies])
    for c in copies:
        d = _pair(g, "src", c.id)
        ev = [e for e in d.evidence if e.kind == "circulation"]
        assert ev and all((e.favours == "a") == (d.a == "src") for e in ev), d
        assert d.source == "src"


def test_circulation_evidence_is_mirrored_when_the_pair_is_swapped():
    from newstrace.provenance.circulation import circulation_evidence

    base = WIRE.replace("WASHINGTON (AP) — ", "")
    docs = {"src": base, "c1": base.replace("long overdue", "badly overdue"),
            "c2": base.replace("twelve thousand cars", "twelve thousand vehicles")}
    fwd = {("src", "c1"): align(docs["src"], docs["c1"]), ("src", "c2"): align(docs["src"], docs["c2"]),
           ("c1", "c2"): align(docs["c1"], docs["c2"])}
    back = {("c1", "src"): align(docs["c1"], docs["src"]), ("c2", "src"): align(docs["c2"], docs["src"]),
            ("c2", "c1"): align(docs["c2"], docs["c1"])}
    ef, eb = circulation_evidence(fwd), circulation_evidence(back)
    flip = {"a": "b", "b": "a"}
    for (a, b), ev in ef.items():
        assert [(e.kind, e.favours, e.weight) for e in ev] == [
            (e.kind, flip[e.favours], e.weight) for e in eb[(b, a)]]
    assert any(ef.values())


def test_a_document_id_like_a_placeholder_does_not_collide():
    # two copies crediting a missing wire; one of them has an id that looks like the wire's placeholder
    docs = [_doc("placeholder:Associated Press", COPY_1, outlet="Springfield Post"),
            _doc("p2", COPY_2, outlet="Shelbyville Times")]
    g = trace(docs)
    placeholders = [n for n in g.nodes.values() if n.placeholder]
    assert len(placeholders) == 1 and placeholders[0].id != "placeholder:Associated Press"
    assert not g.nodes["placeholder:Associated Press"].placeholder
    assert {e.target for e in g.edges if e.source == placeholders[0].id} == {"placeholder:Associated Press", "p2"}


_iv = st.lists(st.tuples(st.integers(0, 80), st.integers(1, 25)).map(lambda t: (t[0], t[0] + t[1])), max_size=6)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from("xyzuv"), _iv, min_size=1, max_size=5), st.sampled_from("xyzuv"))
def test_explained_share_agrees_with_its_slow_twin(partners, x):
    from newstrace.provenance.circulation import Coverage, union_spans, Witness, explained

    witnesses = {"d": {z: Witness(union_spans(iv), []) for z, iv in partners.items()}}
    fast = Coverage([w.cover for w in witnesses["d"].values()]).explained_by(
        witnesses["d"][x].cover if x in witnesses["d"] else [])
    slow = explained(witnesses, "d", x)
    assert (fast is None) == (slow is None)
    if slow is not None:
        assert fast == pytest.approx(slow)


# --------------------------------------------------------------------------- evidence and decision agree


def test_date_evidence_names_the_earlier_date_first():
    text = WIRE.replace("WASHINGTON (AP) — ", "")
    late = _doc("late", text, published=dt.datetime(2018, 7, 16, 8, 36))
    early = _doc("early", text, published=dt.datetime(2018, 7, 16, 6, 47))
    for a, b in ((late, early), (early, late)):
        (ev,) = [e for e in _decide(a, b).evidence if e.kind == "date"]
        assert ev.detail == "early was published first (2018-07-16T06:47:00, late 2018-07-16T08:36:00)"
        assert ev.favours == ("a" if a is early else "b")


def test_the_text_alone_does_not_overturn_the_dates():
    # A, an excerpt of B, was published an hour before it: the containment
    # evidence (A cut down from B) points to B, the dates to A; no credit
    full = WIRE.replace("WASHINGTON (AP) — ", "")
    excerpt = _doc("a", ". ".join(full.split(". ")[:1]) + ".", published=dt.datetime(2018, 7, 1, 10, 0))
    whole = _doc("b", full, published=dt.datetime(2018, 7, 1, 11, 0))
    d = _decide(excerpt, whole)
    assert any(e.kind == "containment" and e.favours == "b" for e in d.evidence)
    assert d.relation != "b->a", d
    assert d.relation == "a->b"
    (note,) = [e for e in d.evidence if e.kind == "note"]
    assert "the dates decide" in note.detail
    # a credit to the other's outlet does overturn them, and says so
    wire = _doc("w", WIRE, outlet="Associated Press", published=dt.date(2018, 7, 2))
    paper = _doc("p", COPY_1, outlet="Springfield Post", published=dt.date(2018, 7, 1))
    d = _decide(wire, paper)
    assert d.relation == "a->b"
    assert any(e.kind == "note" and "outweighs" in e.detail and "credit" in e.detail for e in d.evidence)


SHARED_PARAGRAPH = ("The regional water board said on Thursday that reservoir levels had fallen to their lowest "
                    "point in twenty years and asked households to cut their use by a fifth until the autumn rains.")
AGGREGATOR_PAGE = "\n\n".join([
    "Top stories", "Water board asks households to cut use", "Riverside Gazette", "2 hours ago",
    SHARED_PARAGRAPH[:118] + " ...", "amp", "Drought: what the new limits mean for you", "Valley Courier",
    "3 hours ago", "Farmers warn of a thin harvest as rivers run low ...", "www.valleycourier.example/drought",
    "Full coverage", "Opinion: we waste too much water", "The Evening Herald", "5 hours ago",
    "Ministers to meet water companies next week ...", "amp", "more_vert",
    SHARED_PARAGRAPH,
])
ARTICLE = ("Water board asks households to cut use\n\nBy a staff reporter\n\n" + SHARED_PARAGRAPH +
           "\n\nThe board's chairman said the limits would be lifted as soon as the reservoirs recovered, and that "
           "fines were not being considered. Gardeners and car washes would be asked first to hold back.\n")


@pytest.mark.parametrize("outlet", ["news.google.com", "Daily Digest"])
def test_an_aggregator_page_is_never_a_source(outlet):
    # the index page is dated first and shares the paragraph whole; the
    # article, published later, is still not its derivative
    page = _doc("page", AGGREGATOR_PAGE, outlet=outlet, published=dt.date(2018, 7, 1))
    art = _doc("article", ARTICLE, outlet="Riverside Gazette", published=dt.date(2018, 7, 2))
    assert profile(page).aggregator and not profile(art).aggregator
    for a, b in ((page, art), (art, page)):
        d = _decide(a, b)
        assert d.source == "article", d
        assert any(e.kind == "aggregator" for e in d.evidence)
    g = trace([page, art])
    assert all(e.source != "page" for e in g.edges)
    assert g.roots == ["article"]


def test_an_article_is_not_taken_for_an_index_page():
    from newstrace.provenance.aggregators import index_signals

    assert not index_signals(ARTICLE).is_index
    assert not index_signals(WIRE + COPY_1).is_index
    assert index_signals(AGGREGATOR_PAGE).is_index


def test_reuse_class_agrees_with_containment_and_coverage():
    from newstrace.provenance import reuse_class

    # most of its words occur in the source, but the shared text is 16 % of it
    assert reuse_class(0.9, 0.16) == "partially"
    assert reuse_class(0.9, 0.6) == "wholly"
    assert reuse_class(0.9, 0.0) == "wholly"  # a rewrite with no verbatim passage: containment decides
    assert reuse_class(0.3, 0.85) == "partially"  # long passages whose edits replace most words
    assert reuse_class(0.6, 0.85) == "wholly"
    assert reuse_class(0.1, 0.0) == "non"


# Six notices of one form (issuers, amounts, dates, coupons, managers all differ)
_ISSUERS = [("Northwind Traders Plc", 150, "stg", "June 12, 1994", "9-1/4", "101-3/8", "Lambert Brothers International"),
            ("Kestrel Mining Corp", 75, "dlr", "March 3, 1997", "8-5/8", "100-7/8", "Hollis Capital Markets"),
            ("Orchid Telecom Inc", 200, "Canadian dlr", "May 20, 1992", "10-1/8", "101-1/2", "Banque Farrand"),
            ("Tamsin Paper Co Ltd", 40, "Australian dlr", "October 9, 1993", "14-3/4", "100-1/4", "Westgate Securities"),
            ("Greyfield Holdings NV", 120, "Ecu", "April 1, 1995", "7-3/8", "101-5/8", "Carrow Merchant Bank"),
            ("Ostrander Electric Co", 60, "mln yen", "August 30, 1996", "4-1/2", "102", "Ibara International")]


def _notice(i: int, amount: int | None = None) -> str:
    who, amt, cur, due, cpn, px, mgr = _ISSUERS[i]
    return (f"{who} is issuing a {amount or amt} mln {cur} eurobond due {due} paying {cpn} pct and priced at "
            f"{px} pct, lead manager {mgr} said.\n    The non-callable bond is available in denominations of "
            f"5,000 dlrs and will be listed in Luxembourg. The selling concession is 1-1/4 pct while management "
            f"and underwriting combined pays 5/8 pct.\n    The payment date is {due.split(',')[0]}.\n REUTER\n")


def test_template_notices_are_not_a_provenance_chain():
    notices = [_doc(f"n{i}", _notice(i), published=dt.date(1987, 3, 1 + i)) for i in range(6)]
    # a genuine copy of one notice, a day later, with the amount corrected
    copy = _doc("copy", _notice(2, amount=250).replace(" said.", " said on Tuesday."),
                published=dt.date(1987, 3, 4))
    g = trace([*notices, copy])
    assert {(e.source, e.target) for e in g.edges} == {("n2", "copy")}
    pair = _pair(g, "n0", "n1")
    assert pair.relation == "template"
    assert any(e.kind == "template" and "share a form, not content" in e.detail for e in pair.evidence)
    assert max(g.hops.values()) == 1


# --------------------------------------------------------------------------- a large story reads as a summary first


_PLACES = ["north", "south", "east", "west", "upper", "lower", "old", "new", "inner", "outer"]
_PAPERS = ["Springfield Post", "Shelbyville Times", "Ogdenville Echo", "North Haverbrook Star", "Capital Ledger",
           "Brockway Courier", "Cypress Creek Herald", "Waverly Hills Gazette", "Dunkirk Mail", "Evergreen Sentinel"]
_OWN = ["shopkeepers on the {p} side expect fewer visitors while the work goes on",
        "a ferry may run again from the {p} quay if the closure lasts into the autumn",
        "parents on the {p} estate asked for a school bus to cross at the weir",
        "cyclists will be allowed to walk their bikes along the {p} footpath",
        "the {p} parish council will meet next week to discuss the detour"]


def _big_story_store(tmp_path, n: int = 60) -> str:
    """A store with one story of ``n`` newspapers' copies of the wire text
    (generated), an hour apart, each with a paragraph of its own."""
    base = WIRE.replace("WASHINGTON (AP) — ", "")
    src = tmp_path / "big.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        for i in range(n):
            place = f"{_PLACES[i % 10]} {_PLACES[(i // 10) % 10]}"
            own = " and ".join(x.format(p=place) for x in (_OWN[i % 5], _OWN[(i + 2) % 5]))
            text = (f"Bridge to close, the {place} side hears\n\n" + base.replace("the east bank", f"the {place} bank")
                    + f"\nIn our area, {own}.\n")
            fh.write(json.dumps({"id": f"copy{i:03d}", "text": text, "outlet": _PAPERS[i % 10],
                                 "published": (dt.datetime(2018, 7, 1) + dt.timedelta(hours=i)).isoformat()}) + "\n")
    db = str(tmp_path / "big.duckdb")
    assert _cli("scan", str(src), "--db", db, "--workers", "1").exit_code == 0
    return db


def _tree_rows(out: str) -> list[str]:
    tree = out.split("\n\n", 1)[1]
    return [ln for ln in tree.splitlines()
            if ln.strip() and not ln.lstrip().startswith("·") and not ln.startswith("…")]


def test_a_large_story_prints_its_summary_and_a_limited_tree(tmp_path):
    from newstrace.cli import TREE_LIMIT

    db = _big_story_store(tmp_path)
    listing = json.loads(_cli("provenance", "--db", db, "--format", "json").output)
    story, size = listing["stories"][0]["story"], listing["stories"][0]["documents"]
    assert size == 60
    out = _cli("provenance", "--db", db, str(story)).output
    head = out.split("\n\n", 1)[0]
    assert head.startswith(f"story {story}: 60 documents from 10 outlets, 2018-07-01T00:00 to 2018-07-03T11:00")
    assert "pair decisions: " in head and "roots: " in head and "largest reprint clusters" in head
    assert "60 documents" in head.split("largest reprint clusters")[1]  # the shared text, in every copy
    rows = _tree_rows(out)
    assert 0 < len(rows) <= TREE_LIMIT
    assert out.rstrip().splitlines()[-1].startswith("… ") and "--all" in out
    everything = _cli("provenance", "--db", db, str(story), "--all").output
    assert "not shown" not in everything
    assert len({r.strip().removeprefix("└─ ").split("  [")[0].split(" (")[0] for r in _tree_rows(everything)}) == 60
    assert len(_tree_rows(_cli("provenance", "--db", db, str(story), "--limit", "5").output)) == 5
    # JSON stays complete
    g = json.loads(_cli("provenance", "--db", db, str(story), "--format", "json").output)
    assert len([n for n in g["nodes"] if not n["placeholder"]]) == 60


def test_story_summary_record():
    from newstrace.provenance import story_summary

    docs = [_doc("wire", WIRE, outlet="Associated Press", published=dt.date(2018, 7, 1)),
            _doc("p1", COPY_1, outlet="Springfield Post", published=dt.date(2018, 7, 2)),
            _doc("p2", COPY_2, outlet="Springfield Post", published=dt.date(2018, 7, 3))]
    g = trace(docs)
    s = story_summary(g, docs)
    assert s.documents == 3 and s.outlets == (("Springfield Post", 2), ("Associated Press", 1))
    assert (s.first, s.last, s.dated) == ("2018-07-01", "2018-07-03", 3)
    assert sum(n for _k, n in s.decisions) == len(g.decisions) == 3
    assert s.roots[0].id == "wire" and s.roots[0].below == 2 and s.root_count == len(g.roots)
    assert s.clusters and s.clusters[0].size == 3 and s.clusters[0].excerpt.startswith("\u201c")
    assert json.dumps(s.as_dict())


def test_notices_sharing_only_the_fixed_sentences_of_the_form_are_not_a_chain():
    leads = ["{who} said it launched a {amt} mln {cur} bond for seven years, lead managed by {mgr}.",
             "A {amt} mln {cur} issue for {who}, due {due}, was priced today by {mgr}.",
             "{mgr} is leading a {amt} mln {cur} offering for {who}, maturing {due}.",
             "Bankers at {mgr} said {who} had tapped the market for {amt} mln {cur}.",
             "{who} will raise {amt} mln {cur} through {mgr}, with the bonds due {due}.",
             "Through {mgr}, {who} sold {amt} mln {cur} of paper due {due}."]
    form = ("\n    The non-callable bond is available in denominations of 5,000 dlrs and will be listed in "
            "Luxembourg. The selling concession is 1-1/4 pct while management and underwriting combined pays "
            "5/8 pct.\n REUTER\n")
    docs = []
    for i, lead in enumerate(leads):
        who, amt, cur, due, _cpn, _px, mgr = _ISSUERS[i]
        docs.append(_doc(f"n{i}", lead.format(who=who, amt=amt, cur=cur, due=due, mgr=mgr) + form,
                         published=dt.date(1987, 3, 1 + i)))
    g = trace(docs)
    assert g.decisions and all(d.relation == "template" for d in g.decisions), [
        (d.a, d.b, d.relation) for d in g.decisions if d.relation != "template"]
    assert not g.edges


# the pieces a credit is made of, and near misses: each pattern's needle with and without its outlet
_CREDIT_PIECES = ["The Associated Press", "AP", "Reuters", "CNN's", "the BBC", "Springfield Post", "reported",
                  "reports", "has learned", "learned", "was the first to report", "report", "contributed",
                  "writers contributed to this report", "told", "according to", "via", "By Jane Doe,",
                  "Copyright 2018", "\u00a9", "(AP) \u2014", "First on CNN:", "[CNN](https://cnn.com)", "said",
                  "had", "previously", "first", "Reported", "Contributed", "Via", "BY", "ACCORDING TO", "speaking to",
                  "in an interview with", "The original source of this article is", "Original", ".", ",", "\n", " ",
                  "  "]


@given(st.lists(st.sampled_from(_CREDIT_PIECES), max_size=24), st.lists(st.booleans(), max_size=24))
def test_find_credits_is_its_slow_twin(pieces, joins):
    """The patterns skipped for want of their words find nothing where they are run."""
    from newstrace.provenance.credits import find_credits_slow

    text = "".join(p + (" " if j else "") for p, j in zip(pieces, joins + [True] * len(pieces)))
    assert find_credits.__wrapped__(text) == find_credits_slow(text)


@given(st.lists(st.sampled_from(["a", "b", "c", "dé", "e", "x", "y"]), max_size=12),
       st.lists(st.sampled_from(["a", "b", "c", "dé", "e", "x", "y"]), max_size=12))
def test_set_containment_is_word_containment(a_words, b_words):
    """The containment a story's graph gets from two sets of words is the one of the pair's word ids."""
    from newstrace.align import word_ids
    from newstrace.provenance.reuse import set_containment, word_containment
    from newstrace.text import tokenize

    ta, tb = tokenize(" ".join(a_words)), tokenize(" ".join(b_words))
    ia, ib = word_ids(ta, tb)
    assert set_containment(set(tb.words), set(ta.words)) == word_containment(ib, ia)
    assert set_containment(set(ta.words), set(tb.words)) == word_containment(ia, ib)


_SENTENCES = WIRE.replace("WASHINGTON (AP) — ", "").split(". ")


@settings(deadline=None, max_examples=40)
@given(st.lists(st.lists(st.integers(0, len(_SENTENCES) - 1), min_size=1, max_size=4), min_size=2, max_size=2),
       st.booleans(), st.sampled_from(["", "long overdue", "twelve thousand cars"]))
def test_circulation_evidence_of_two_documents_is_its_general_path(picks, both_ways, edit):
    """A two-document story's circulation evidence, not read, is what reading its passages gives."""
    from newstrace.provenance.circulation import circulation_evidence, circulation_evidence_of_all

    texts = [". ".join(_SENTENCES[i] for i in p) for p in picks]
    texts[1] = texts[1].replace(edit, "badly changed") if edit else texts[1]
    passages = {("a", "b"): align(texts[0], texts[1])}
    if both_ways:
        passages[("b", "a")] = align(texts[1], texts[0])
    assert circulation_evidence(passages) == circulation_evidence_of_all(passages)


# --- datelines: what a copy editor does to an agency's dateline -------------

BODY = WIRE.replace("WASHINGTON (AP) — ", "")


def test_a_dateline_printed_without_its_date_is_the_copy():
    agency = _doc("agency", "Bridge to close\n\nWASHINGTON, July 3 (Reuters) - " + BODY)
    paper = _doc("paper", "Bridge to close\n\nWASHINGTON (Reuters) - " + BODY)
    for a, b, want in ((agency, paper, "a->b"), (paper, agency, "b->a")):
        d = _decide(a, b)
        assert d.relation == want, d
        (e,) = [e for e in d.evidence if e.kind == "dateline"]
        assert "without its date" in e.detail and "'WASHINGTON (Reuters)'" in e.detail
    # both dated, or both not: the datelines say nothing
    assert not [e for e in _decide(agency, agency).evidence if e.kind == "dateline"]
    other = _doc("other", "Bridge to close\n\nWASHINGTON (Reuters) - " + BODY)
    assert not [e for e in _decide(paper, other).evidence if e.kind == "dateline"]


def test_a_dateline_of_several_sources_is_a_compilation():
    agency = _doc("agency", "Bridge to close\n\nWASHINGTON — " + BODY)
    for line in ("WASHINGTON (AP, Reuters) — ", "WASHINGTON (Agencies) — ", "WASHINGTON (Staff Reporter + agencies) — "):
        paper = _doc("paper", "Bridge to close\n\n" + line + BODY)
        d = _decide(paper, agency)
        (e,) = [e for e in d.evidence if e.kind == "dateline"]
        assert e.favours == "b" and "compilation" in e.detail, line
        assert d.relation == "b->a", (line, d)


def test_find_dateline_reads_dates_sources_and_long_headlines():
    from newstrace.provenance.credits import find_dateline

    dl = find_dateline("Headline\n\nLONDON, Aug 4 (Reuters) - Text.")
    assert dl and dl.dated and dl.sources == ("Reuters",) and dl.outlets == {"Reuters"} and not dl.compiled
    assert dl.text == "LONDON, Aug 4 (Reuters)"
    text = "Headline\n\nDHAKA, 1 December (APP): Text."
    dl = find_dateline(text)
    assert dl and text[dl.span.start:dl.span.end] == dl.text == "DHAKA, 1 December (APP)"
    assert find_dateline("Headline\n\nWASHINGTON (AP) — x").dated is False
    assert find_dateline("Headline\n\nPARIS (AFP, AP) — x").compiled
    assert find_dateline("Headline (video)\n\nNo dateline here.") is None
    # a headline longer than the first 600 characters: the dateline opens the next paragraph
    long = "Minister " * 90 + "\n\nLAHORE (APP) — " + BODY
    dl = find_dateline(long)
    assert dl and dl.outlets == {"APP"} and long[dl.span.start:dl.span.end] == "LAHORE (APP)"
    assert any(c.kind == "dateline" and c.outlet == "APP" for c in find_credits(long))


def test_outlet_names_are_read_composed():
    # Urdu "Online" typed with alif + madda above, and composed
    decomposed, composed = "\u0627\u0653\u0646 \u0644\u0627\u0626\u0646", "\u0622\u0646 \u0644\u0627\u0626\u0646"
    assert normalize_outlet(decomposed) == normalize_outlet(composed) == "Online"
    assert any(c.outlet == "Online" for c in find_credits(f"Headline\n\nBEIJING({decomposed}) text"))


def test_containment_counts_each_shared_character_once():
    from newstrace.provenance.direction import covered_chars

    assert covered_chars([(0, 10), (5, 15), (20, 25), (21, 22)]) == 20
    assert covered_chars([]) == 0
    # a rewritten passage over the verbatim one adds nothing to the share
    a, b = _doc("a", BODY), _doc("b", BODY + " " + BODY)
    (p,) = align(a.text, b.text)[:1]
    d = decide(profile(a), profile(b), [p, replace(p, kind="rewritten")], words=(1, 1))
    (e,) = [e for e in d.evidence if e.kind == "containment" and e.detail.startswith("the shared")]
    assert "100% of a" in e.detail, e.detail
