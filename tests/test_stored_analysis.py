"""The analysis a scan stores (newstrace.analysis) against the analysis computed again.

The collection is generated: the syndicated pages of tests/fixtures/syndication.py
(wire reports reprinted by several outlets, with credits, quotations and site
furniture) and a corpus of generated documents with planted passages
(newstrace.evaluation.corpus). The commands and pages are run twice on the
same store: reading the stored analysis, and on a copy whose analysis tables
are emptied, where they compute it as before; their outputs must be the same.
An incremental scan must recompute only the stories whose members changed and
end where a fresh scan of all documents ends.
"""

from __future__ import annotations

import datetime
import json
import random
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace.align import align
from newstrace.analysis import (analyse_provenance, analyse_quotations, analyse_story, combine, story_key,
                                story_measures)
from newstrace.anatomy import AnatomyError
from newstrace.anatomy.inferred import inferred_sources
from newstrace.cli import main
from newstrace.engines.local import scan
from newstrace.evaluation.corpus import make_corpus
from newstrace.ingest.collection import iter_collection
from newstrace.provenance import story_summary, trace_passages
from newstrace.provenance.template import opens_sentence, opens_sentence_slow
from newstrace.quotations import quotation_report
from newstrace.quotations.links import link_quotations, link_story_quotations
from newstrace.records import Document
from newstrace.store import ANALYSIS_TABLES, StoreError, open_store
from newstrace.text import tokenize_many

from .fixtures.syndication import records as syndicated

ROOT = Path(__file__).resolve().parents[1]


def collection_records(n: int = 120) -> list[dict]:
    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples" / "seeds").glob("*.txt"))]
    corpus = make_corpus(seeds, n, reuse_share=0.3, words_per_doc=250, seed=3)
    out = [{k: v for k, v in r.items() if k != "event"} for r in syndicated()]
    out += [{"id": i, "text": t, "outlet": ["Daily A", "B Times", "C Post"][k % 3]}
            for k, (i, t) in enumerate(zip(corpus.ids, corpus.texts))]
    # wire reports that many outlets reprint, cut, credit and quote: larger stories
    for w, text in enumerate(corpus.texts[:3]):
        quote = ('"We will not back down on this, not today and not next year," said Mira Olsen, '
                 "the agency's director.")
        wire = f"{text[:1200]}\n\n{quote}\n\n{text[1200:]}"
        out.append({"id": f"wire{w}", "text": wire, "outlet": "Wire Service", "date": "2024-03-01"})
        for k in range(8):
            cut = wire[: len(wire) * (6 + k % 4) // 10]
            credit = "(Wire Service) " if k % 2 else ""
            out.append({"id": f"wire{w}-{k}", "text": f"{credit}{cut}\n\nReporting by staff of outlet {k}.",
                        "outlet": f"Outlet {k}", "date": f"2024-03-0{2 + k % 7}"})
    return out


def write_jsonl(path: Path, recs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    return path


def scan_files(db: Path, *files: Path, **kw):
    store = open_store(db)
    try:
        return scan(store, iter_collection([str(f) for f in files]), paths=[str(f) for f in files], workers=2, **kw)
    finally:
        store.close()


def without_analysis(db: Path, copy: Path) -> Path:
    """A copy of the store with its analysis tables emptied: the commands compute instead."""
    shutil.copy(db, copy)
    con = duckdb.connect(str(copy))
    for t in ANALYSIS_TABLES:
        con.execute(f"DELETE FROM {t}")
    con.close()
    return copy


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("stored")
    recs = collection_records()
    random.Random(5).shuffle(recs)
    cut = int(0.7 * len(recs))
    part1, part2 = write_jsonl(tmp / "part1.jsonl", recs[:cut]), write_jsonl(tmp / "part2.jsonl", recs[cut:])
    scan_files(tmp / "fresh.duckdb", part1, part2)  # the same files, in one scan
    first = scan_files(tmp / "inc.duckdb", part1)
    with open_store(tmp / "inc.duckdb", read_only=True) as s:
        before = {story_key(ids): sid for sid, ids in _members(s).items()}
    second = scan_files(tmp / "inc.duckdb", part2)
    return {"tmp": tmp, "fresh": tmp / "fresh.duckdb", "inc": tmp / "inc.duckdb", "before": before,
            "first": first, "second": second, "computed": without_analysis(tmp / "fresh.duckdb", tmp / "none.duckdb")}


def _members(store) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for sid, d in store.con.execute("SELECT story_id, doc_id FROM stories ORDER BY doc_id").fetchall():
        out.setdefault(sid, []).append(d)
    return out


def test_the_collection_has_stories_worth_comparing(stores):
    with open_store(stores["fresh"], read_only=True) as s:
        sizes = sorted((len(v) for v in _members(s).values()), reverse=True)
        assert len(sizes) >= 10 and sizes[0] >= 5  # syndicated wire reports and planted pairs
        assert s.analysed()
        assert s.con.execute("SELECT count(*) FROM analysis_edges").fetchone()[0] > 0
        assert s.con.execute("SELECT count(*) FROM analysis_quote_links").fetchone()[0] > 0


def test_stored_analysis_is_the_analysis_computed_again(stores):
    with open_store(stores["fresh"], read_only=True) as s:
        for sid in _members(s):
            docs, passages = s.story(sid)
            g = trace_passages(docs, passages)
            assert s.stored_graph(sid) == g
            assert s.stored_summary(sid) == story_summary(g, docs)
            assert s.stored_measures(sid) == story_measures(g, docs, passages)
            stories = {d.id: sid for d in docs}
            for d in docs:
                stored = s.stored_document(d.id)
                try:
                    _, sources, notes = inferred_sources(docs, passages, d.id)
                    assert (stored.sources, stored.notes, stored.no_sources) == (
                        tuple(x.id for x in sources), tuple(notes), None)
                except AnatomyError as e:
                    assert stored.sources == () and stored.no_sources == str(e)
                assert stored.reuse_class == g.reuse_class.get(d.id)
                assert stored.quotations == quotation_report(docs, stories, wanted=[d.id])[0]


def _cli(*args: str) -> str:
    r = CliRunner().invoke(main, list(args))
    assert r.exit_code == 0, r.output
    return r.output


def test_commands_read_the_same_from_the_stored_analysis(stores):
    stored, computed = str(stores["fresh"]), str(stores["computed"])
    with open_store(stored, read_only=True) as s:
        largest = s.largest_stories(3)
        docs = [d for sid, _n, _f in largest for d in _members(s)[sid][:3]]
    with open_store(computed, read_only=True) as s:
        assert not s.analysed()  # the copy computes
    for sid, _n, _first in largest:
        for fmt in ("text", "json", "graphml"):
            assert _cli("provenance", "--db", stored, str(sid), "--format", fmt) == \
                _cli("provenance", "--db", computed, str(sid), "--format", fmt)
    for d in docs:
        assert _cli("quotes", "--db", stored, d, "--format", "json") == _cli("quotes", "--db", computed, d,
                                                                              "--format", "json")
        a = CliRunner().invoke(main, ["anatomy", "--db", stored, d, "--format", "json"])
        b = CliRunner().invoke(main, ["anatomy", "--db", computed, d, "--format", "json"])
        assert (a.exit_code, a.output) == (b.exit_code, b.output)
    assert _cli("quotes", "--db", stored) == _cli("quotes", "--db", computed)


def test_pages_read_the_same_from_the_stored_analysis(stores):
    pytest.importorskip("fastapi", reason="the web extra is not installed")
    from fastapi.testclient import TestClient

    from newstrace.web.app import create_app

    apps = create_app(stores["fresh"]), create_app(stores["computed"])
    a, b = TestClient(apps[0]), TestClient(apps[1])
    with open_store(stores["fresh"], read_only=True) as s:
        members = _members(s)
    urls = []
    for sid, ids in sorted(members.items(), key=lambda kv: -len(kv[1]))[:4]:
        urls += [f"/story/{sid}", f"/api/stories/{sid}"]
        urls += [f"/doc?id={i}" for i in ids[:2]] + [f"/api/document?id={i}" for i in ids[:2]]
        urls += [f"/{p}?a={x}&b={y}" for p in ("pair", "api/pair") for x, y in ((ids[0], ids[1]), (ids[1], ids[0]))]
    for url in urls:
        ra, rb = a.get(url), b.get(url)
        assert ra.status_code == rb.status_code == 200, url
        assert ra.text == rb.text, url
    for app in apps:
        app.state.store.close()


def test_pair_pages_show_the_stored_passages_and_decision(stores):
    """The pair page and API read what the scan stored: its passages, whose
    offsets slice both texts, and its provenance decision."""
    pytest.importorskip("fastapi", reason="the web extra is not installed")
    from fastapi.testclient import TestClient

    from newstrace.web.app import create_app

    app = create_app(stores["fresh"])
    client = TestClient(app)
    with open_store(stores["fresh"], read_only=True) as s:
        pairs = s.con.execute(
            "SELECT p.a_id, p.b_id, p.relation FROM analysis_pairs p JOIN analysis_stories t USING (story_key) "
            "ORDER BY p.story_key, p.seq LIMIT 6").fetchall()
        assert pairs
        for a, b, relation in pairs:
            (da, _), (db_, _) = s.documents([a, b])
            want = s.con.execute(
                "SELECT a_id, a_start, a_end, b_id, b_start, b_end FROM passages WHERE kind <> 'boilerplate' "
                "AND ((a_id = ? AND b_id = ?) OR (a_id = ? AND b_id = ?))", [a, b, b, a]).fetchall()
            for x, y in ((a, b), (b, a)):
                got = client.get("/api/pair", params={"a": x, "b": y}).json()["compare"]
                assert got["provenance"]["relation"] == relation and {got["provenance"]["a"], got["provenance"]["b"]} == {a, b}
                first, second = (d["id"] for d in got["documents"])
                assert sorted((first, p["a_start"], p["a_end"], second, p["b_start"], p["b_end"])
                              for p in got["passages"]) == sorted(want)
                text = {da.id: da.text, db_.id: db_.text}
                for p in got["passages"]:
                    assert text[first][p["a_start"]:p["a_end"]] == p["a_text"]
                    assert text[second][p["b_start"]:p["b_end"]] == p["b_text"]
                page = client.get("/pair", params={"a": x, "b": y})
                assert page.status_code == 200 and page.text.count("<tr data-p=") >= len(want)
    app.state.store.close()


def test_incremental_scan_recomputes_only_the_stories_it_touches(stores):
    with open_store(stores["inc"], read_only=True) as s:
        now = {story_key(ids): sid for sid, ids in _members(s).items()}
        changed = set(now) - set(stores["before"])
        assert 0 < len(changed) < len(now)  # the second part grew or made some stories, not all
        assert stores["second"].stories_analysed == len(changed)
        runs = dict(s.con.execute("SELECT story_key, run_id FROM analysis_stories").fetchall())
        assert runs.keys() == now.keys()
        assert {k for k, r in runs.items() if r == stores["second"].run_id} == changed
        # the stories it kept answer to their current numbers
        assert all(s.stored_summary(sid) is not None for sid in now.values())


def _analysis(db: Path) -> dict[str, tuple]:
    """Each story's stored analysis by its members, as comparable rows."""
    con = duckdb.connect(str(db), read_only=True)
    out = {}
    for (key,) in con.execute("SELECT story_key FROM analysis_stories").fetchall():
        rows = []
        for t in ANALYSIS_TABLES:
            cols = [c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [t]).fetchall() if c not in ("story_id", "run_id")]
            rows.append(sorted(map(repr, con.execute(f"SELECT {', '.join(cols)} FROM {t} WHERE story_key = ?",
                                                     [key]).fetchall())))
        out[key] = tuple(map(tuple, rows))
    con.close()
    return out


def test_incremental_scan_ends_where_a_fresh_scan_ends(stores):
    assert _analysis(stores["inc"]) == _analysis(stores["fresh"])


def test_a_rescan_keeps_every_analysis(stores, tmp_path):
    db = tmp_path / "again.duckdb"
    shutil.copy(stores["fresh"], db)
    before = _analysis(db)
    rep = scan_files(db, stores["tmp"] / "part1.jsonl", stores["tmp"] / "part2.jsonl")
    assert rep.documents_added == 0 and rep.stories_analysed == 0
    assert _analysis(db) == before


def test_an_older_store_asks_for_a_scan_and_the_scan_stores_the_analysis(stores, tmp_path):
    db = tmp_path / "old.duckdb"
    shutil.copy(stores["fresh"], db)
    con = duckdb.connect(str(db))
    for t in ANALYSIS_TABLES:
        con.execute(f"DROP TABLE {t}")
    con.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(StoreError, match="run 'newstrace scan' on it once to upgrade it"):
        open_store(db, read_only=True)
    r = CliRunner().invoke(main, ["provenance", "--db", str(db), "1"])
    assert r.exit_code == 2 and "upgrade" in r.output
    scan_files(db, stores["tmp"] / "part1.jsonl", stores["tmp"] / "part2.jsonl")
    assert _analysis(db) == _analysis(stores["fresh"])


def test_neighbourhood_and_timeline_follow_the_stored_graph(stores):
    with open_store(stores["fresh"], read_only=True) as s:
        sid = s.largest_stories(1)[0][0]
        g = s.stored_graph(sid, decisions=False)
        target = next(e.target for e in g.edges if not g.nodes[e.source].placeholder)
        near = s.neighbourhood(target, hops=1)
        parents = {e.source for e in g.edges if e.target == target}
        children = {e.target for e in g.edges if e.source == target}
        assert {n["id"] for n in near["nodes"]} == parents | children | {target}
        assert {n["id"] for n in near["nodes"] if n["distance"] == -1} == parents
        assert all(e["source"] in parents | {target} for e in near["edges"])
        timeline = s.story_timeline(sid)
        assert {r["id"] for r in timeline} == set(_members(s)[sid])
        dated = [r["published_at"] for r in timeline if r["published_at"]]
        assert dated == sorted(dated)
        row = next(r for r in timeline if r["id"] == target)
        assert {x["id"] for x in row["sources"]} == parents
        alone = s.con.execute("SELECT id FROM documents WHERE id NOT IN (SELECT doc_id FROM stories) "
                              "LIMIT 1").fetchone()
        if alone:
            assert s.neighbourhood(alone[0])["edges"] == []


# --------------------------------------------------------------------------
# the fast twins


@given(st.text(alphabet=" \n\t.!?:\"“‘(aB1", max_size=30), st.integers(0, 30))
def test_opens_sentence_is_the_regular_expression(text, at):
    at = min(at, len(text))
    assert opens_sentence(text, at) == opens_sentence_slow(text, at)


_WORDS = ["the", "minister", "said", "we", "will", "not", "back", "down", "on", "taxes", "today", "Smith",
          "told", "reporters", "it", "is", "a", "good", "day", "for", "all"]


@st.composite
def quoting_docs(draw) -> list[Document]:
    quotes = [" ".join(draw(st.lists(st.sampled_from(_WORDS), min_size=3, max_size=9))) for _ in range(3)]
    docs = []
    for k in range(draw(st.integers(2, 5))):
        parts = []
        for _ in range(draw(st.integers(1, 4))):
            q = draw(st.sampled_from(quotes))
            form = draw(st.integers(0, 2))
            filler = " ".join(draw(st.lists(st.sampled_from(_WORDS), max_size=6)))
            parts.append([f'"{q}," Smith said. {filler}.', f"{filler} {q}.", f"He said: \u201c{q}\u201d {filler}."][form])
        docs.append(Document(id=f"d{k}", text=" ".join(parts)))
    return docs


@given(quoting_docs())
def test_link_story_quotations_is_link_quotations(docs):
    assert link_story_quotations(docs) == link_quotations(docs)
    assert link_story_quotations(docs, tokens=tokenize_many([d.text for d in docs])) == link_quotations(docs)


@settings(deadline=None, max_examples=50)  # each example aligns its pairs
@given(quoting_docs())
def test_the_story_s_analysis_is_its_two_halves(docs):
    """What a job of small stories computes (the documents tokenised once, the
    links found once) is what the two halves of a large story compute."""
    docs[-1] = Document(id=docs[-1].id, text=docs[0].text[: len(docs[0].text) // 2] + docs[-1].text,
                        outlet="B", published=datetime.date(2024, 1, 2))
    passages = {(a.id, b.id): align(a.text, b.text) for k, a in enumerate(docs) for b in docs[k + 1:]}
    assert analyse_story(docs, passages) == combine(analyse_provenance(docs, passages), analyse_quotations(docs))


# --------------------------------------------------------------------------
# the Spark engine and import


@pytest.mark.slow
@pytest.mark.spark
def test_spark_scan_and_import_store_the_same_analysis(stores):
    pytest.importorskip("pyspark", reason="the spark extra is not installed (pip install 'newstrace[spark]')")
    tmp = stores["tmp"]
    r = CliRunner().invoke(main, ["scan", str(tmp / "part1.jsonl"), str(tmp / "part2.jsonl"), "--engine", "spark", "--master", "local[2]",
                                  "--conf", "spark.driver.memory=1g", "--conf", "spark.sql.shuffle.partitions=4",
                                  "--output", str(tmp / "spark"), "--db", str(tmp / "spark.duckdb"),
                                  "--progress", "never"])
    assert r.exit_code == 0, r.output
    assert all(list((tmp / "spark" / t).glob("*.parquet")) for t in ANALYSIS_TABLES)  # the engine wrote them
    # the embedded engine's scan of the same files (both with the rewritten stage, the default)
    assert _analysis(tmp / "spark.duckdb") == _analysis(stores["fresh"])
    con = duckdb.connect(str(tmp / "spark.duckdb"), read_only=True)
    # the import loaded them (an analysis computed in the store records its run)
    assert con.execute("SELECT count(*) FROM analysis_stories WHERE run_id IS NOT NULL").fetchone()[0] == 0
    con.close()


def test_export_then_import_keeps_the_stored_analysis(stores, tmp_path):
    out = tmp_path / "tables"
    _cli("export", "--db", str(stores["fresh"]), "--format", "parquet", "--output", str(out))
    assert all((out / f"{t}.parquet").is_file() for t in ANALYSIS_TABLES)
    _cli("import", str(out), "--db", str(tmp_path / "imported.duckdb"))
    assert _analysis(tmp_path / "imported.duckdb") == _analysis(stores["fresh"])
    con = duckdb.connect(str(tmp_path / "imported.duckdb"), read_only=True)
    # loaded, not computed again (a computed analysis records the run that made it)
    assert con.execute("SELECT count(*) FROM analysis_stories WHERE run_id IS NOT NULL").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM analysis_stories WHERE story_id IS NULL").fetchone()[0] == 0
    con.close()


def test_stories_read_together_are_each_story_read_alone(stores):
    # the scan reads many small stories in two queries (Store.stories); Store.story is its twin
    with open_store(stores["fresh"], read_only=True) as s:
        ids = sorted(_members(s))
        together = s.stories(ids)
        assert sorted(together) == ids
        for sid in ids:
            assert together[sid] == s.story(sid)
        assert s.story_sizes(ids) == {sid: len(s.story(sid)[0]) for sid in ids}
