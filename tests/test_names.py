"""Names and identity: same-named files in different folders are different
documents in every command, and every document is shown by a human label
(its title, else its first words), never by a path or a file name.

All texts here were written for these tests.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from newstrace.cli import main
from newstrace.ingest import load_json_record, load_paths
from newstrace.ingest.collection import PRESETS, file_ids, iter_collection
from newstrace.labels import document_label, label_from
from newstrace.records import Document

HARBOUR = (
    "The city council voted on Tuesday to approve the construction of a new harbour bridge, ending a debate "
    "that had lasted more than three years and divided the neighbourhoods on both sides of the water. "
    "The project is expected to cost forty million euros and to take four years to build, according to the "
    "planning office, which will publish the first tenders in the spring."
)
ARTICLE = (
    "Council approves new harbour bridge after long debate\n\n"
    + HARBOUR
    + '\n\n"This bridge will connect our neighbourhoods and our future," said mayor Anna Lind after the vote. '
    "Opposition members said the money would be better spent on schools.\n"
)
SUMMARY = (
    "Harbour bridge gets the green light\n\n"
    + HARBOUR
    + "\n\nCritics say the cost is too high for a city of this size.\n"
)


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture()
def same_names(tmp_path: Path) -> tuple[Path, Path]:
    """``articles/151.txt`` (the source) and ``summaries/151.txt`` (its derivative)."""
    a, b = tmp_path / "articles" / "151.txt", tmp_path / "summaries" / "151.txt"
    for path, text in ((a, ARTICLE), (b, SUMMARY)):
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
    return a, b


# --------------------------------------------------------------------------- ids


def test_file_ids_are_relative_to_the_common_parent(tmp_path: Path) -> None:
    assert file_ids([tmp_path / "articles/151.txt", tmp_path / "summaries/151.txt"]) == [
        "articles/151.txt", "summaries/151.txt"]
    assert file_ids([tmp_path / "x/a.txt", tmp_path / "x/b.txt"]) == ["a.txt", "b.txt"]  # one folder: names
    assert file_ids([tmp_path / "x/a.txt", tmp_path / "x/deep/b.txt"]) == ["a.txt", "deep/b.txt"]


def test_load_paths_keeps_same_named_files_apart(same_names: tuple[Path, Path]) -> None:
    a, b = load_paths(list(same_names))
    assert (a.document.id, b.document.id) == ("articles/151.txt", "summaries/151.txt")
    assert a.document.source_path == str(same_names[0])


def test_compare_same_named_files_has_distinct_ids(same_names: tuple[Path, Path]) -> None:
    r = run("compare", *same_names, "--format", "json")
    assert r.exit_code == 0, r.output
    ids = [d["id"] for d in json.loads(r.output)["documents"]]
    assert ids == ["articles/151.txt", "summaries/151.txt"]
    r = run("compare", *same_names)
    assert r.exit_code == 0, r.output
    assert "A  articles/151.txt" in r.output and "B  summaries/151.txt" in r.output
    assert "B derives from A" in r.output or "provenance:" in r.output


def test_anatomy_of_same_named_files(same_names: tuple[Path, Path]) -> None:
    a, b = same_names
    r = run("anatomy", b, a)
    assert r.exit_code == 0, r.output
    assert "both the derivative and a source" not in r.output
    assert "derivative  Harbour bridge gets the green light  (id summaries/151.txt)" in r.output
    assert "source      Council approves new harbour bridge after long debate  (id articles/151.txt)" in r.output
    data = json.loads(run("anatomy", b, a, "--format", "json").output)
    assert data["derivative"]["id"] == "summaries/151.txt"


def test_provenance_of_same_named_files(same_names: tuple[Path, Path]) -> None:
    r = run("provenance", *same_names, "--format", "json")
    assert r.exit_code == 0, r.output
    graph = json.loads(r.output)
    nodes = graph["nodes"] if isinstance(graph["nodes"], list) else list(graph["nodes"].values())
    assert sorted(n["id"] for n in nodes) == ["articles/151.txt", "summaries/151.txt"]
    text = run("provenance", *same_names).output
    assert "Council approves new harbour bridge after long debate" in text
    assert "Harbour bridge gets the green light" in text


def test_quotes_of_same_named_files(same_names: tuple[Path, Path]) -> None:
    r = run("quotes", *same_names, "--format", "json")
    assert r.exit_code == 0, r.output
    assert [d["id"] for d in json.loads(r.output)["documents"]] == ["articles/151.txt", "summaries/151.txt"]
    text = run("quotes", *same_names).output
    assert "articles/151.txt  Council approves new harbour bridge" in text


def test_the_same_file_twice_is_refused_naming_it(same_names: tuple[Path, Path]) -> None:
    r = CliRunner().invoke(main, ["quotes", str(same_names[0]), str(same_names[0])])
    assert r.exit_code == 2
    assert "both are document '151.txt'" in r.output and "Traceback" not in r.output


def test_report_pair_of_same_named_files(same_names: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "pair.html"
    r = run("report", *same_names, "-o", out)
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert "Council approves new harbour bridge after long debate" in html
    assert "Harbour bridge gets the green light" in html
    assert not re.search(r'class="title">[^<]*151\.txt', html)  # a file name is never shown as a title


def test_scan_of_two_folders_stores_both(same_names: tuple[Path, Path], tmp_path: Path) -> None:
    db = tmp_path / "two.duckdb"
    r = run("scan", same_names[0].parent, same_names[1].parent, "--db", db)
    assert r.exit_code == 0, r.output
    assert "2 added" in r.output and "0 skipped" in r.output
    con = duckdb.connect(str(db), read_only=True)
    try:
        ids = sorted(x for (x,) in con.execute("SELECT id FROM documents").fetchall())
    finally:
        con.close()
    assert ids == ["articles/151.txt", "summaries/151.txt"]


def test_one_folder_keeps_ids_relative_to_it(same_names: tuple[Path, Path]) -> None:
    docs = [d for d in iter_collection([same_names[0].parent]) if isinstance(d, Document)]
    assert [d.id for d in docs] == ["151.txt"]


def test_html_pages_named_index_in_two_folders(tmp_path: Path) -> None:
    pytest.importorskip("trafilatura")
    for outlet, title in (("outletA", "Council approves new harbour bridge"), ("outletB", "Harbour bridge approved")):
        (tmp_path / outlet).mkdir()
        paras = "".join(f"<p>{s}.</p>" for s in HARBOUR.split(". "))
        (tmp_path / outlet / "index.html").write_text(
            f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{paras}"
            "</article></body></html>", encoding="utf-8")
    a, b = tmp_path / "outletA" / "index.html", tmp_path / "outletB" / "index.html"
    data = json.loads(run("compare", a, b, "--format", "json").output)
    assert [d["id"] for d in data["documents"]] == ["outletA/index.html", "outletB/index.html"]
    r = run("provenance", a, b)
    assert r.exit_code == 0, r.output
    assert "same name" not in r.output and "index.html" not in r.output.splitlines()[0]


# --------------------------------------------------------------------------- labels


def test_label_is_the_title_else_the_first_words() -> None:
    assert label_from("  Bridge   approved ", "text") == "Bridge approved"
    assert label_from(None, "Sunday, Jul 15th 2018 5-Day Forecast and more words follow here") == (
        "\u201cSunday, Jul 15th 2018 5-Day Forecast and more\u2026\u201d")
    assert label_from(None, "Short text") == "\u201cShort text\u201d"
    doc = Document(id="dump.csv#7", text="May 30, 2019\n\nBy A Writer\n\nBody.", source_path="dump.csv")
    assert "dump.csv" not in document_label(doc)
    assert len(document_label(doc, limit=12)) <= 12


def test_json_record_without_title_gets_its_first_line() -> None:
    doc = load_json_record({"id": 1, "text": "Bridge approved\n\n" + HARBOUR}).document
    assert doc.title == "Bridge approved" and doc.detected["title"].startswith("line 1 of the text")
    doc = load_json_record({"id": 2, "text": "May 30, 2019\n\n" + HARBOUR}).document
    assert doc.title is None  # a date line is no headline
    doc = load_json_record({"id": 3, "title": "Given", "text": "Other\n\n" + HARBOUR}).document
    assert doc.title == "Given"


def _news_csv(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "publisher", "scrape_time", "text"])
        w.writerow([1, "Harbour Times", "2018-07-16 10:00:00", ARTICLE.replace("\n\n", " ### ").strip()])
        w.writerow([2, "Coast Daily", "2018-07-16 12:00:00", SUMMARY.replace("\n\n", " ### ").strip()])
        w.writerow([3, "Bay Post", "2018-07-16 13:00:00",
                    "July 16, 2018 ### " + HARBOUR + " ### More on this later."])


def test_csv_titles_and_labels_through_scan_report_and_provenance(tmp_path: Path) -> None:
    _news_csv(tmp_path / "harbour_articles.csv")
    fields, sep = PRESETS["news-2018"]
    docs = [d for d in iter_collection([tmp_path], fields=fields, csv_paragraph_separator=sep)
            if isinstance(d, Document)]
    assert [d.title for d in docs] == ["Council approves new harbour bridge after long debate",
                                      "Harbour bridge gets the green light", None]
    db = tmp_path / "csv.duckdb"
    r = run("scan", tmp_path / "harbour_articles.csv", "--db", db, "--preset", "news-2018")
    assert r.exit_code == 0, r.output
    r = run("provenance", "--db", db, "harbour_articles.csv#1")
    assert r.exit_code == 0, r.output
    assert "Council approves new harbour bridge after long debate" in r.output
    assert "\u201cJuly 16, 2018" in r.output  # no title: its first words, not the file name
    assert "harbour_articles.csv" not in r.output.split("·")[0]
    site = tmp_path / "site"
    r = run("report", "--db", db, "-o", site)
    assert r.exit_code == 0, r.output
    pages = "".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))
    assert "Harbour bridge gets the green light" in pages
    titles = re.findall(r'<bdi class="title">(?:<a [^>]*>)?([^<]*)', pages)
    assert titles and not any("harbour_articles.csv" in t for t in titles)
    r = run("anatomy", "--db", db, "harbour_articles.csv#2")
    assert r.exit_code == 0, r.output
    assert "derivative  Harbour bridge gets the green light  (id harbour_articles.csv#2)" in r.output
