"""Boilerplate: site furniture by its wording and by its recurrence in a
collection, and the stories built without it (newstrace.boilerplate,
newstrace.cluster). The collection is tests/fixtures/syndication.py: two
unrelated wire stories reprinted by the sites of two networks whose pages
share footers, widget code, prompts and an "about us" blurb."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace.align import align
from newstrace.boilerplate import (BoilerplateParams, boilerplate_reason, collection_boilerplate,
                                   collection_boilerplate_reference, furniture_reason, mark_furniture)
from newstrace.cli import main
from newstrace.cluster import outlet_codes, reprint_cluster_table, stories, story_edges, story_labels, story_links

from .fixtures.syndication import ABOUT, BRIDGE, CHESS, LOCAL, PROMPT, RIGHTS, SHARE, WIDGET, write_collection

# -- wording ----------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    RIGHTS.format(group="Example Media"),
    "All Rights Reserved. This material may not be published, broadcast, rewritten, or redistributed.",
    WIDGET,
    PROMPT,
    SHARE,
    "Check out this story on example.com: https://example.com/s/1\n\nCancelSend\n\nA link has been sent to your "
    "friend's email address.",
    "example.com/2018/07/16/one-story-about-a-thing\nexample.org/news/another-story-about-a-thing-123",
    "To find out more about Facebook commenting please read the Conversation Guidelines and FAQs",
])
def test_furniture_by_its_wording(text):
    assert furniture_reason(text)


@pytest.mark.parametrize("text", [
    BRIDGE, CHESS, LOCAL[0][1],
    # credits are evidence of provenance, not furniture
    "The original source of this article is Global Research. Copyright readers may share it.\n\n" + CHESS,
    "WASHINGTON (Reuters) - The president said on Monday that the talks would go ahead as planned.",
    "Associated Press writers Jill Colvin and Vladimir Isachenkov contributed to this report.",
    # a subscriber count or a parenthesis is prose
    "The service would not promote that music to its 70 million subscribers (in 60 countries).",
])
def test_news_and_credits_are_not_furniture(text):
    assert furniture_reason(text) is None


def test_furniture_at_a_passage_foot_is_cut_off_exactly():
    a = "Headline one\n\n" + BRIDGE + "\n\n" + RIGHTS.format(group="X Media") + "\n\nA local note on the cat show."
    b = ("Another headline\n\n" + BRIDGE.replace("Thursday", "Friday") + "\n\n" + RIGHTS.format(group="X Media")
         + "\n\nThe weather on Sunday will be dry.")
    whole = align(a, b)
    assert len(whole) == 1 and whole[0].kind == "passage"
    parts = mark_furniture(whole)
    assert [p.kind for p in parts] == ["passage", "boilerplate"]
    body, foot = parts
    for p in parts:
        assert a[p.a.start:p.a.end] == p.a_text and b[p.b.start:p.b.end] == p.b_text
    assert body.a_text == BRIDGE and foot.a_text == RIGHTS.format(group="X Media") == foot.b_text
    assert [e.b_text for e in body.edits] == ["Friday"]
    assert body.words + foot.words == whole[0].words and boilerplate_reason(foot)


def test_furniture_at_a_passage_head_is_cut_off_and_different_feet_are_kept():
    head = "To find out more about Facebook commenting please read the Conversation Guidelines and FAQs"
    a = "Page A\n\n" + head + "\n\n" + CHESS + "\n\nCopyright 2024 A Media. All rights reserved."
    b = "Page B\n\n" + head + "\n\n" + CHESS + "\n\nCopyright 2024 B Media. All rights reserved."
    parts = mark_furniture(align(a, b))
    kinds = [(p.kind, p.a_text[:20]) for p in parts]
    assert kinds[0] == ("boilerplate", head[:20]) and kinds[1][0] == "passage"
    assert parts[1].a_text.startswith("VELSBURG") and all(a[p.a.start:p.a.end] == p.a_text for p in parts)


# -- the column functions against their slow twins --------------------------------

span = st.tuples(st.integers(0, 60), st.integers(1, 30)).map(lambda t: (t[0], t[0] + t[1]))
passage = st.tuples(st.sampled_from("abcdefg"), span, st.sampled_from("abcdefg"), span).filter(
    lambda p: p[0] != p[2]).map(lambda p: (p[0], *p[1], p[2], *p[3]))


def _columns(passages):
    names = sorted({p[0] for p in passages} | {p[3] for p in passages})
    rank = {d: k for k, d in enumerate(names)}
    cols = [np.array([rank[p[i]] if i in (0, 3) else p[i] for p in passages], dtype=np.int64) for i in range(6)]
    return names, cols


@settings(max_examples=300, deadline=None)
@given(st.lists(passage, min_size=1, max_size=30), st.data())
def test_collection_boilerplate_agrees_with_reference(passages, data):
    names, cols = _columns(passages)
    worded = data.draw(st.lists(st.booleans(), min_size=len(passages), max_size=len(passages)))
    length = {d: data.draw(st.integers(1, 400)) for d in names}
    outlet = {d: data.draw(st.sampled_from(["x", "y", "z", None])) for d in names}
    params = BoilerplateParams(min_documents=2, min_documents_per_outlet=1.5, edge=0.3, min_edge=0.5)
    t = reprint_cluster_table(*cols)
    got, docs, _ = collection_boilerplate(
        t.passage_cluster, cols[0], cols[3], np.array(worded, dtype=bool), t.member_cluster, t.member_doc,
        t.member_start, t.member_end, np.array([length[d] for d in names]),
        outlet_codes([outlet[d] for d in names]), params)
    assert got.tolist() == collection_boilerplate_reference(passages, worded, length, outlet, params)
    assert docs.tolist() == t.size.tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(passage, st.integers(1, 40), st.booleans()), max_size=30), st.integers(1, 60))
def test_story_edges_agree_with_reference(items, min_words):
    passages = [p for p, _, _ in items]
    names, cols = _columns(passages) if passages else ([], [np.zeros(0, dtype=np.int64)] * 6)
    words = np.array([w for _, w, _ in items], dtype=np.int64)
    keep = np.array([k for _, _, k in items], dtype=bool)
    u, v = story_edges(cols[0], cols[3], words, keep, min_words)
    links = story_links([(p[0], p[3], w) for p, w, k in items if k], min_words)
    assert sorted(zip((names[x] for x in u.tolist()), (names[x] for x in v.tolist()))) == links
    labels = story_labels(u, v, len(names))
    assert {names[k]: int(s) for k, s in enumerate(labels) if s} == stories(links)


def test_one_shared_sentence_does_not_make_a_story():
    # X and Y share a long passage; Y and Z share only a sentence
    links = story_links([("X", "Y", 180), ("Y", "Z", 14), ("Y", "Z", 6)])
    assert links == [("X", "Y")]
    assert stories(links) == {"X": 1, "Y": 1}


# -- a scanned collection ---------------------------------------------------------


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("syndication")
    records = write_collection(tmp / "pages")
    db = tmp / "s.duckdb"
    r = CliRunner().invoke(main, ["scan", str(tmp / "pages"), "--db", str(db), "--progress", "never"])
    assert r.exit_code == 0, r.output
    return records, db, tmp


def _passages(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT p.a_id, p.b_id, p.kind, p.boilerplate, p.cluster_id, p.words, "
            "substr(d.text, p.a_start + 1, p.a_end - p.a_start) FROM passages p "
            "JOIN documents d ON d.doc_key = p.a_key ORDER BY p.passage_id").fetchall()


BODIES = [BRIDGE, CHESS] + [t for _, t in LOCAL]


def _in_a_body(text: str) -> bool:
    return any(line.strip() and line.strip() in body for body in BODIES for line in text.split("\n"))


def test_stories_keep_unrelated_events_apart(scanned):
    records, db, _ = scanned
    event = {r["id"]: r["event"] for r in records}
    with duckdb.connect(str(db), read_only=True) as con:
        story = dict(con.execute("SELECT doc_id, story_id FROM stories").fetchall())
    by_story: dict[int, set[str]] = {}
    for doc, s in story.items():
        by_story.setdefault(s, set()).add(event[doc])
    assert all(len(events) == 1 for events in by_story.values()), by_story
    # each wire report's reprints are one story, found through the wire text
    for ev in ("bridge", "chess"):
        docs = [d for d, e in event.items() if e == ev]
        assert len(docs) == 3 and len({story[d] for d in docs}) == 1
    # pages that share nothing but furniture are in no story
    assert not any(event[d] == "local" and d not in ("harbourherald.example/2", "lakesidegazette.example/2")
                   for d in story)


def test_furniture_is_boilerplate_and_reuse_is_not(scanned):
    _, db, _ = scanned
    rows = _passages(db)
    furniture = [r for r in rows if not _in_a_body(r[6])]
    assert len(furniture) > 50
    assert all(r[2] == "boilerplate" and r[3] and r[4] is None for r in furniture)
    # no passage of kind passage is furniture, and the wire copy with its credit is reuse
    assert all(_in_a_body(r[6]) for r in rows if r[2] == "passage")
    assert any("(Northern Wire)" in r[6] for r in rows if r[2] == "passage")
    # the blurb no wording rule knows is found by its recurrence: six pages of two outlets
    about = [r for r in rows if r[6].startswith(ABOUT)]
    assert len(about) == 9 and all(r[3].startswith("recurs in 6 documents of 2 outlets") for r in about)
    assert furniture_reason(ABOUT) is None


def test_clusters_hold_no_furniture_and_export_says_why(scanned):
    _, db, tmp = scanned
    with duckdb.connect(str(db), read_only=True) as con:
        members = [r[0] for r in con.execute(
            'SELECT substr(d.text, m.start + 1, m."end" - m.start) FROM cluster_members m '
            "JOIN documents d ON d.id = m.doc_id").fetchall()]
    assert members and all(_in_a_body(m) for m in members)
    out = tmp / "export"
    r = CliRunner().invoke(main, ["export", "--db", str(db), "--format", "csv", "--output", str(out)])
    assert r.exit_code == 0, r.output
    with duckdb.connect() as con:
        kinds = dict(con.execute(f"SELECT kind, count(*) FROM read_csv('{out}/passages.csv') GROUP BY 1").fetchall())
        why = con.execute(f"SELECT count(*) FROM read_csv('{out}/passages.csv') "
                          "WHERE kind = 'boilerplate' AND boilerplate IS NOT NULL").fetchone()[0]
    assert kinds["boilerplate"] == why and kinds["passage"] >= 7


def test_provenance_of_a_store_ignores_furniture(scanned):
    _, db, _ = scanned
    r = CliRunner().invoke(main, ["provenance", "--db", str(db), "harbourherald.example/0", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert "northstar" not in r.output and "lakesidegazette" not in r.output  # the other event, linked by footers
    assert "lakesidecourier.example/0" in r.output


def test_version_3_store_is_upgraded_with_its_furniture_marked(tmp_path):
    records = write_collection(tmp_path / "pages")
    db = tmp_path / "v3.duckdb"
    runner = CliRunner()
    assert runner.invoke(main, ["scan", str(tmp_path / "pages"), "--db", str(db)]).exit_code == 0
    before = _passages(db)
    with duckdb.connect(str(db)) as con:  # what a version-3 store looked like
        con.execute("UPDATE passages SET kind = 'passage' WHERE kind = 'boilerplate'")
        con.execute("ALTER TABLE passages DROP COLUMN boilerplate")
        con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    r = runner.invoke(main, ["provenance", "--db", str(db)])
    assert r.exit_code == 2 and "run 'newstrace scan' on it once to upgrade it" in r.output
    r = runner.invoke(main, ["scan", str(tmp_path / "pages"), "--db", str(db)])
    assert r.exit_code == 0, r.output
    assert f"{len(records)} already stored" in r.output
    assert _passages(db) == before


@pytest.mark.parametrize("line,control", [
    ("Email Bio Follow", True), ("Share on Facebook Share on Twitter", True), ("Purchase: Order Reprint", True),
    ("CONNECT TWEET LINKEDIN 27 COMMENTEMAILMORE", True), ("Photo gallery", True), ("Advertisement", True),
    ("Back home in Helsinki", False), ("Trump to sign order on tariffs", False), ("Follow the money", False),
    ("Putin video shows the meeting", False),
])
def test_page_controls(line, control):
    from newstrace.boilerplate import is_page_control_line

    assert is_page_control_line(line) is control


def test_a_record_title_is_not_a_share_bar():
    from newstrace.ingest.text import sniff_record_title

    found = sniff_record_title("Share on Facebook Share on Twitter\n\nCourt weighs the census question\n\n"
                               "WASHINGTON — The justices heard the case on Tuesday.")
    assert found and found[0] == "Court weighs the census question"
    found = sniff_record_title("Email Bio Follow\n\nBridge to close for six weeks\n\nThe bridge will close.")
    assert found and found[0] == "Bridge to close for six weeks"


def test_provenance_evidence_names_outlets_not_ids(scanned):
    _, db, _ = scanned
    r = CliRunner().invoke(main, ["provenance", "--db", str(db), "harbourherald.example/0"])
    assert r.exit_code == 0, r.output
    evidence = [line for line in r.output.splitlines() if line.strip().startswith("·")]
    assert evidence and not any(".example/" in line for line in evidence), evidence


@pytest.mark.parametrize("head", ["— CBS News (@CBSNews) July 16, 2018", "3 Hours Ago | 04:15", "A A",
                                  "Speaker Nancy Pelosi (D-Calif.) (AP Photo/Eric Risberg)",
                                  "View Comments", "You must be logged in to post a comment.", "CBS News"])
def test_a_record_title_is_not_page_noise(head):
    from newstrace.ingest.text import sniff_record_title

    found = sniff_record_title(head + "\n\nTrump meets Putin in Helsinki\n\nThe two leaders met on Monday.",
                               "cbsnews.com")
    assert found and found[0] == "Trump meets Putin in Helsinki"


def test_the_store_lists_its_stories_by_label_not_id(scanned):
    _, db, _ = scanned
    r = CliRunner().invoke(main, ["provenance", "--db", str(db)])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].split()[:3] == ["story", "documents", "outlets"] and len(lines) == 4  # bridge, chess, library
    assert "Harbour Bridge to close" in r.output and ".example/" not in r.output
    r = CliRunner().invoke(main, ["provenance", "--db", str(db), "--format", "json"])
    stories = json.loads(r.output)["stories"]
    assert {s["documents"] for s in stories} == {3, 2} and all(s["first_label"] for s in stories)


def test_publication_times_are_stored_as_instants(tmp_path):
    import json as _json

    (tmp_path / "c").mkdir()
    recs = [{"id": "a", "date": "2019-05-31T17:45:53-04:00", "text": BRIDGE},
            {"id": "b", "date": "2018-07-15", "text": CHESS}, {"id": "c", "text": LOCAL[0][1]}]
    (tmp_path / "c" / "r.jsonl").write_text("\n".join(_json.dumps(r) for r in recs), encoding="utf-8")
    db = tmp_path / "t.duckdb"
    assert CliRunner().invoke(main, ["scan", str(tmp_path / "c"), "--db", str(db)]).exit_code == 0
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        got = dict(con.execute("SELECT id, strftime(published_at, '%Y-%m-%d %H:%M:%S') FROM documents").fetchall())
        text = dict(con.execute("SELECT id, published FROM documents").fetchall())
    assert got == {"a": "2019-05-31 21:45:53", "b": "2018-07-15 00:00:00", "c": None}
    assert text["a"] == "2019-05-31T17:45:53-04:00"  # the outlet's own offset, as evidence quotes it


@pytest.mark.parametrize("line,address", [
    ("nypost.com/2018/07/16/trump-and-putin-meet", True), ("https://usat.ly/2ut7JN2", True),
    ("www.example.org", True), ("3.25", False), ("U.S", False), ("1.5.2", False),
])
def test_an_address_line_is_an_address_not_a_number(line, address):
    from newstrace.boilerplate import furniture_kind, is_address_line

    assert is_address_line(line) is address
    assert (furniture_kind(line) == "links") is address
