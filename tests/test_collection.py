"""Collection readers: folders, globs, JSON lines, JSON, CSV, WARC; ids, bad records, limits.

Every text here is written for these tests. The news-2018 corpus test reads the
real collection in place (never copied) and skips when it is absent.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newstrace.ingest import LoadError, MissingExtra
from newstrace.ingest.collection import (
    PRESETS,
    FieldMap,
    Notice,
    Skipped,
    check_paths,
    file_format,
    iter_collection,
    truncate_text,
)
from newstrace.records import Document

from .conftest import require_corpus

PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"

FERRY_TEXT = (
    "Harbour council approves winter ferry timetable\n"
    "By Ada Lindqvist\n\n"
    "The harbour council voted on Tuesday to keep the morning ferry to the outer islands running "
    "through the winter, after fishermen and teachers asked for a reliable crossing.\n"
)

PARAGRAPHS = [
    "The island ferry will keep its early sailing through the winter months, the harbour council "
    "decided after a long evening meeting in the old customs house by the quay.",
    "Teachers who live on the outer islands had written to the council in the autumn, saying that "
    "the later boat made them miss the first lessons of the day at the mainland school.",
    "Fishermen also spoke at the meeting and said that the early crossing let them reach the market "
    "before the buyers left, which mattered more in the dark months than at any other time.",
    "The council will review the timetable again in the spring, when the summer visitors return and "
    "the larger boat goes back into service on the route between the harbour and the islands.",
]


def html_page(title: str, paragraphs: list[str] = PARAGRAPHS, head: str = "") -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{body}</article>"
        "<footer>Contact us</footer></body></html>"
    )


def split(items: list[Document | Skipped | Notice]) -> tuple[list[Document], list[Skipped], list[Notice]]:
    docs = [i for i in items if isinstance(i, Document)]
    skipped = [i for i in items if isinstance(i, Skipped)]
    notices = [i for i in items if isinstance(i, Notice)]
    assert len(docs) + len(skipped) + len(notices) == len(items)
    return docs, skipped, notices


def write_jsonl(path: Path, records: list[object], *, compress: bool = False) -> None:
    data = "".join(json.dumps(r) + "\n" for r in records).encode("utf-8")
    path.write_bytes(gzip.compress(data) if compress else data)


def story(i: int) -> str:
    return f"Story number {i}. The harbour council met again today to discuss the ferry, meeting {i}."


# --------------------------------------------------------------------------- files and folders


def test_folder_tree_ids_are_relative_paths(tmp_path: Path) -> None:
    pytest.importorskip("trafilatura")
    root = tmp_path / "corpus"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "a.txt").write_text(FERRY_TEXT, encoding="utf-8")
    (root / "b.html").write_text(html_page("Ferry timetable kept"), encoding="utf-8")
    (root / "sub" / "c.txt").write_text("Second story.\n\nThe quay will be repaired in March.\n", encoding="utf-8")
    (root / "sub" / "deeper" / "d").write_text("A note without an extension is plain text.\n", encoding="utf-8")
    (root / ".hidden.txt").write_text("never read\n", encoding="utf-8")
    (root / ".git" / "notes.txt").write_text("never read\n", encoding="utf-8")
    (root / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (root / "Thumbs.db").write_bytes(b"\x00\x01")
    (root / "logo.png").write_bytes(PNG_HEADER)

    docs, skipped, _ = split(list(iter_collection([root])))

    assert [d.id for d in docs] == ["a.txt", "b.html", "sub/c.txt", "sub/deeper/d"]
    a = docs[0]
    assert a.text == FERRY_TEXT  # exactly as loaded by load_text
    assert a.title == "Harbour council approves winter ferry timetable"
    assert a.byline == "Ada Lindqvist"
    assert a.source_path == str(root / "a.txt")
    assert "island ferry will keep its early sailing" in docs[1].text
    assert skipped == [Skipped(str(root / "logo.png"), skipped[0].reason)]
    assert skipped[0].reason.startswith("not an article format (.png)")


def test_unreadable_pages_are_skipped(tmp_path: Path) -> None:
    pytest.importorskip("trafilatura")
    (tmp_path / "shell.html").write_text(
        "<html><head><script>render()</script></head><body><div id='app'></div></body></html>", encoding="utf-8"
    )
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "ok.txt").write_text(FERRY_TEXT, encoding="utf-8")
    docs, skipped, _ = split(list(iter_collection([tmp_path])))
    assert [d.id for d in docs] == ["ok.txt"]
    assert [s.where for s in skipped] == [str(tmp_path / "empty.txt"), str(tmp_path / "shell.html")]
    assert skipped[0].reason.startswith("file is empty")
    assert skipped[1].reason.startswith("no article text could be extracted from the HTML")


def test_single_file_id_is_its_name_and_any_extension_is_read_as_text(tmp_path: Path) -> None:
    (tmp_path / "deep").mkdir()
    named = tmp_path / "deep" / "wire.story"
    named.write_text(FERRY_TEXT, encoding="utf-8")
    docs, skipped, _ = split(list(iter_collection([named])))
    assert [d.id for d in docs] == ["wire.story"] and not skipped
    # The same extension found by walking the folder is not an article format.
    docs, skipped, _ = split(list(iter_collection([tmp_path])))
    assert docs == [] and [s.where for s in skipped] == [str(named)]


def test_glob_ids_are_relative_to_the_pattern_folder(tmp_path: Path) -> None:
    (tmp_path / "c" / "x").mkdir(parents=True)
    (tmp_path / "c" / "one.txt").write_text("One.\n\nFirst text of the glob test.\n", encoding="utf-8")
    (tmp_path / "c" / "x" / "two.txt").write_text("Two.\n\nSecond text of the glob test.\n", encoding="utf-8")
    (tmp_path / "c" / "x" / "skip.csv").write_text("id,text\n", encoding="utf-8")
    docs, skipped, _ = split(list(iter_collection([str(tmp_path / "c" / "**" / "*.txt")])))
    assert [d.id for d in docs] == ["one.txt", "x/two.txt"] and not skipped
    assert check_paths([str(tmp_path / "c" / "*.txt")]) == [tmp_path / "c" / "one.txt"]


def test_missing_paths_raise_before_anything_is_read(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text(FERRY_TEXT, encoding="utf-8")
    missing = tmp_path / "nowhere" / "dump.jsonl"
    with pytest.raises(LoadError, match="no such file or folder") as err:
        iter_collection([tmp_path / "ok.txt", missing])  # raises at the call, not on first next()
    assert err.value.where == str(missing)
    with pytest.raises(LoadError, match="matches no files") as err:
        check_paths([tmp_path / "ok.txt", str(tmp_path / "*.jsonl")])
    assert err.value.where == str(tmp_path / "*.jsonl")
    with pytest.raises(LoadError, match="2 paths") as err:
        check_paths([missing, tmp_path / "gone.csv"])
    assert str(missing) in str(err.value) and "gone.csv" in str(err.value)
    with pytest.raises(TypeError, match="list of paths"):
        iter_collection(str(tmp_path))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one"):
        check_paths([])


def test_argument_checks() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        iter_collection(["."], max_chars=0)
    with pytest.raises(ValueError, match="csv_paragraph_separator"):
        iter_collection(["."], csv_paragraph_separator="")
    with pytest.raises(ValueError, match="id_scope"):
        FieldMap(id_scope="folder")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="FieldMap.text"):
        FieldMap(text="")


def test_file_format() -> None:
    assert file_format("a.JSONL.gz") == "jsonl"
    assert file_format("part-00000.json") == "json"
    assert file_format("crawl.warc.gz") == "warc"
    assert file_format("notes") == "text"
    assert file_format("page.HTM") == "html"
    assert file_format("scan.pdf") is None
    assert file_format("backup.gz") is None


# --------------------------------------------------------------------------- JSON lines


def test_jsonl_default_fields(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    write_jsonl(
        path,
        [
            {"id": "r1", "text": story(1), "title": "Ferry", "publisher": "Harbour Post", "date": "2021-02-03"},
            {"id": 2, "body": story(2), "author": ["Ada Lindqvist", "Ole Berg"]},
        ],
    )
    docs, skipped, notices = split(list(iter_collection([path])))
    assert not skipped and not notices
    assert [d.id for d in docs] == ["r1", "2"]
    assert docs[0].outlet == "Harbour Post" and docs[0].published == dt.date(2021, 2, 3)
    assert docs[0].title == "Ferry" and docs[0].text == story(1)
    assert docs[1].byline == "Ada Lindqvist, Ole Berg"
    assert docs[1].source_path == str(path)


def test_jsonl_custom_fields_and_missing_optional_keys(tmp_path: Path) -> None:
    path = tmp_path / "custom.ndjson"
    write_jsonl(
        path,
        [
            {"doc": "a", "body_text": story(1), "paper": "Island Times", "meta": {"when": "2020-01-02T03:04:05Z"}},
            {"doc": "b", "body_text": story(2), "source": "not the paper"},  # no "paper", no "meta"
            {"body_text": story(3), "paper": "Island Times"},  # no id: named after its line
        ],
    )
    fields = FieldMap(id="doc", text="body_text", outlet="paper", published="meta.when")
    docs, skipped, _ = split(list(iter_collection([path], fields=fields)))
    assert not skipped
    assert [d.id for d in docs] == ["a", "b", "custom.ndjson:3"]
    assert docs[0].outlet == "Island Times"
    assert docs[0].published == dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert docs[1].outlet is None and docs[1].published is None  # mapped keys absent: left empty, no fallback
    assert "no id" in docs[2].detected["id"]


def test_jsonl_passim_layout_outlet_from_series(tmp_path: Path) -> None:
    path = tmp_path / "passim.jsonl"
    write_jsonl(
        path,
        [
            {"id": "hp/1871-05-02/p3", "series": "harbour-post", "date": "1871-05-02", "text": story(1)},
            {"id": "it/1871-05-09/p1", "series": "island-times", "date": "1871-05-09", "text": story(2)},
        ],
    )
    for fields in (None, PRESETS["passim"][0]):
        docs, skipped, _ = split(list(iter_collection([path], fields=fields)))
        assert not skipped
        assert [(d.id, d.outlet, d.published) for d in docs] == [
            ("hp/1871-05-02/p3", "harbour-post", dt.date(1871, 5, 2)),
            ("it/1871-05-09/p1", "island-times", dt.date(1871, 5, 9)),
        ]
    # A series under another key name, and an outlet that wins over it.
    other = tmp_path / "other.jsonl"
    write_jsonl(
        other,
        [
            {"id": "x1", "newspaper": "harbour-post", "text": story(1)},
            {"id": "x2", "newspaper": "harbour-post", "outlet": "Harbour Post Weekly", "text": story(2)},
        ],
    )
    docs, _, _ = split(list(iter_collection([other], fields=FieldMap(series="newspaper"))))
    assert [d.outlet for d in docs] == ["harbour-post", "Harbour Post Weekly"]
    assert docs[0].detected["outlet"] == "json key 'newspaper' (series)"


def test_bad_lines_and_empty_texts_are_skipped_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    lines = [
        json.dumps({"id": "g1", "text": story(1)}),
        '{"id": "bad", "text": "unfinished" "x"}',
        json.dumps({"id": "g2", "text": story(2)}),
        "",  # a blank line is no record
        json.dumps(["a", "list"]),
        json.dumps({"id": "empty", "text": ""}),
        json.dumps({"id": "blank", "text": "   \n "}),
        json.dumps({"id": "none", "title": "no text at all"}),
        json.dumps({"id": "g3", "text": story(3)}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs, skipped, _ = split(list(iter_collection([path])))
    assert [d.id for d in docs] == ["g1", "g2", "g3"]
    assert [s.where for s in skipped] == [f"{path}:{n}" for n in (2, 5, 6, 7, 8)]
    assert skipped[0].reason == "line is not valid JSON (Expecting ',' delimiter at column 36); fix or remove the line"
    assert skipped[1].reason.startswith("line holds a list, not a JSON object")
    assert "is empty" in skipped[2].reason
    assert "only whitespace" in skipped[3].reason
    assert "no text field" in skipped[4].reason


def test_jsonl_gz_and_truncated_gz(tmp_path: Path) -> None:
    records = [{"id": f"n{i}", "text": story(i) + " " + "filler words " * (i % 7)} for i in range(200)]
    whole = tmp_path / "dump.jsonl.gz"
    write_jsonl(whole, records, compress=True)
    docs, skipped, _ = split(list(iter_collection([whole])))
    assert len(docs) == 200 and not skipped

    cut = tmp_path / "cut.jsonl.gz"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 3])
    items = list(iter_collection([cut]))
    docs, skipped, _ = split(items)
    assert 0 < len(docs) < 200
    assert [d.id for d in docs] == [f"n{i}" for i in range(len(docs))]  # the records before, in order
    assert items[-1] is skipped[-1]
    assert "truncated" in skipped[-1].reason and "were read" in skipped[-1].reason
    assert skipped[-1].where.startswith(f"{cut}:")
    # a final partial line, if the reader handed one over, is at most one more Skipped
    assert len(skipped) <= 2

    fake = tmp_path / "fake.jsonl.gz"
    fake.write_bytes(b'{"id": "p", "text": "plain, not gzip"}\n')
    docs, skipped, _ = split(list(iter_collection([fake])))
    assert not docs and len(skipped) == 1 and "not valid gzip" in skipped[0].reason


def test_duplicate_ids_are_skipped(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", [{"id": "same", "text": story(1)}])
    write_jsonl(tmp_path / "b.jsonl", [{"id": "same", "text": story(2)}, {"id": "other", "text": story(3)}])
    docs, skipped, _ = split(list(iter_collection([tmp_path])))
    assert [d.id for d in docs] == ["same", "other"]
    assert skipped[0].where == f"{tmp_path / 'b.jsonl'}:1"
    assert f"first used at {tmp_path / 'a.jsonl'}:1" in skipped[0].reason
    # ids unique only per file: qualified by the file's id
    docs, skipped, _ = split(list(iter_collection([tmp_path], fields=FieldMap(id_scope="file"))))
    assert [d.id for d in docs] == ["a.jsonl#same", "b.jsonl#same", "b.jsonl#other"] and not skipped


def test_same_file_named_twice_is_read_once(tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    path.write_text(FERRY_TEXT, encoding="utf-8")
    docs, skipped, notices = split(list(iter_collection([path, tmp_path])))
    assert len(docs) == 1 and not skipped
    assert notices == [Notice(str(path), f"already read as {path}; read once")]


# --------------------------------------------------------------------------- JSON files


def test_json_single_record_list_and_json_lines(tmp_path: Path) -> None:
    (tmp_path / "single.json").write_text(json.dumps({"text": story(1), "title": "One"}, indent=2), encoding="utf-8")
    (tmp_path / "list.json").write_text(
        json.dumps([{"id": "l1", "text": story(2)}, "not a record", {"text": story(3)}]), encoding="utf-8"
    )
    # passim writes its output as JSON lines in .json files
    write_jsonl(tmp_path / "part-00000.json", [{"id": "p1", "text": story(4)}, {"id": "p2", "text": story(5)}])
    (tmp_path / "broken.json").write_text('{"id": "x", "text": ', encoding="utf-8")
    docs, skipped, _ = split(list(iter_collection([tmp_path])))
    assert [d.id for d in docs] == ["l1", "list.json:3", "p1", "p2", "single.json"]
    assert docs[-1].title == "One"
    assert [s.where for s in skipped] == [str(tmp_path / "broken.json"), f"{tmp_path / 'list.json'}:record 2"]
    assert skipped[0].reason.startswith("is not valid JSON (line 1")


# --------------------------------------------------------------------------- CSV


def test_csv_news_2018_preset(tmp_path: Path) -> None:
    path = tmp_path / "ferry_articles.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "publisher", "scrape_time", "text"])
        w.writerow(["7", "harbourpost.example", "2018-07-15T07:54:28-04:00", " ### ".join(PARAGRAPHS[:3])])
        w.writerow(["8", "", "2018-07-16T10:00:00+02:00", "Short, with a comma, and a \"quote\" ### Second part."])
    fields, separator = PRESETS["news-2018"]
    items = list(iter_collection([path], fields=fields, csv_paragraph_separator=separator))
    docs, skipped, notices = split(items)
    assert not skipped and not notices
    a, b = docs
    assert a.id == "ferry_articles.csv#7" and b.id == "ferry_articles.csv#8"
    assert a.text == "\n\n".join(PARAGRAPHS[:3])  # offsets refer to the text after the replacement
    assert a.outlet == "harbourpost.example" and b.outlet is None  # an empty cell is a missing value
    assert a.published == dt.datetime(2018, 7, 15, 7, 54, 28, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    assert b.text == 'Short, with a comma, and a "quote"\n\nSecond part.'
    assert a.detected["paragraphs"] == "' ### ' replaced by a blank line"
    # without the separator the text is kept as stored
    docs, _, _ = split(list(iter_collection([path], fields=fields)))
    assert " ### " in docs[0].text


def test_csv_bad_rows_gz_tsv_and_missing_text_column(tmp_path: Path) -> None:
    rows = (
        b"id,text,outlet\r\n1,First story about the quay.,Harbour Post\r\n"
        b"2,Caf\x93 story,X\r\n3,,X\r\n4,Last story.,X\r\n"
    )
    (tmp_path / "rows.csv.gz").write_bytes(gzip.compress(rows))
    (tmp_path / "tabs.tsv").write_text("id\tbody\n9\tA tab separated story.\n", encoding="utf-8")
    (tmp_path / "nocol.csv").write_text("id,words\n1,some words\n2,more words\n", encoding="utf-8")
    docs, skipped, notices = split(list(iter_collection([tmp_path])))
    assert [d.id for d in docs] == ["1", "2", "4", "9"]
    assert docs[0].outlet == "Harbour Post"
    # a row that is not UTF-8 is decoded as cp1252, as a .txt or .jsonl line is, and noted
    assert docs[1].text == "Caf\u201c story"
    gz = tmp_path / "rows.csv.gz"
    assert [n.where for n in notices] == [f"{gz}:3"] and "cp1252" in notices[0].message
    assert [s.where for s in skipped] == [str(tmp_path / "nocol.csv"), f"{gz}:4"]
    assert skipped[0].reason.startswith("CSV header has no text column")  # once per file, not once per row
    assert "is empty" in skipped[1].reason


def test_csv_mapped_column_missing_from_header_is_noticed_once(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id,text\n1,One story.\n2,Two stories.\n", encoding="utf-8")
    docs, skipped, notices = split(list(iter_collection([path], fields=FieldMap(outlet="publisher"))))
    assert len(docs) == 2 and not skipped
    message = "column 'publisher' (given for outlet) is not in the header; outlet left empty"
    assert notices == [Notice(str(path), message)]


# --------------------------------------------------------------------------- WARC


def make_warc(path: Path, records: list[tuple[str, str, bytes, str | None, int]], *, date: str) -> None:
    """Write a gzipped WARC: (type, uri, body, content type, status) per record."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        for rec_type, uri, body, content_type, status in records:
            if rec_type == "request":
                http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "harbour.example")], is_http_request=True)
            else:
                headers = [("Content-Type", content_type)] if content_type else []
                http = StatusAndHeaders(f"{status} X", headers, protocol="HTTP/1.1")
            record = writer.create_warc_record(
                uri, rec_type, payload=io.BytesIO(body), http_headers=http, warc_headers_dict={"WARC-Date": date}
            )
            writer.write_record(record)


def test_warc_html_response_other_records_skipped_or_ignored(tmp_path: Path) -> None:
    pytest.importorskip("warcio")
    pytest.importorskip("trafilatura")
    path = tmp_path / "crawl.warc.gz"
    uri = "https://harbour.example/news/ferry-timetable"
    make_warc(
        path,
        [
            ("request", uri, b"", None, 0),
            ("response", uri, html_page("Ferry timetable kept").encode(), "text/html; charset=utf-8", 200),
            ("response", "https://harbour.example/logo.png", PNG_HEADER, "image/png", 200),
        ],
        date="2021-03-04T05:06:07Z",
    )
    docs, skipped, _ = split(list(iter_collection([path])))
    assert len(docs) == 1 and len(skipped) == 1
    doc = docs[0]
    assert doc.id == uri and doc.url == uri and doc.source_path == str(path)
    assert "island ferry will keep its early sailing" in doc.text
    assert doc.published == dt.datetime(2021, 3, 4, 5, 6, 7, tzinfo=dt.UTC)  # from WARC-Date
    assert doc.detected["published"].startswith("WARC-Date")
    assert skipped[0].where.startswith(f"{path}:offset ")
    assert "image/png, not HTML" in skipped[0].reason and "logo.png" in skipped[0].reason


def test_warc_page_date_status_and_http_charset(tmp_path: Path) -> None:
    pytest.importorskip("warcio")
    pytest.importorskip("trafilatura")
    path = tmp_path / "more.warc"
    dated = html_page("Dated", head="<meta property='article:published_time' content='2020-05-06'>")
    cyrillic = [
        "Паром на острова будет ходить по утрам всю зиму, решил городской совет после долгого "
        "заседания.",
        "Учителя и рыбаки просили совет сохранить ранний рейс, потому что поздний паром им не "
        "подходит.",
        "Совет вернётся к расписанию весной, когда на маршрут снова выйдет большое судно с "
        "туристами.",
    ]
    no_meta = html_page("Паром", cyrillic).replace("<meta charset='utf-8'>", "")
    make_warc(
        path,
        [
            ("response", "https://harbour.example/dated", dated.encode(), "text/html", 200),
            ("response", "https://harbour.example/gone", b"<html>Not found</html>", "text/html", 404),
            ("response", "https://harbour.example/ru", no_meta.encode("cp1251"), "text/html; charset=cp1251", 200),
        ],
        date="2021-03-04T05:06:07Z",
    )
    docs, skipped, _ = split(list(iter_collection([path])))
    assert [d.id for d in docs] == ["https://harbour.example/dated", "https://harbour.example/ru"]
    assert docs[0].published == dt.date(2020, 5, 6)  # the page's own date wins over WARC-Date
    assert "Паром на острова" in docs[1].text  # decoded with the charset the HTTP header names
    assert len(skipped) == 1 and "HTTP status 404" in skipped[0].reason


def test_warc_without_warcio_is_an_error_naming_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "crawl.warc"
    path.write_bytes(b"WARC/1.0\r\n")
    monkeypatch.setitem(sys.modules, "warcio", None)  # import fails as if not installed
    monkeypatch.setitem(sys.modules, "warcio.archiveiterator", None)
    with pytest.raises(MissingExtra, match=r"needs warcio.*pip install 'newstrace\[warc\]'$"):
        check_paths([tmp_path])
    with pytest.raises(MissingExtra, match=r"pip install 'newstrace\[warc\]'$"):  # not a Skipped: an error
        list(iter_collection([path]))


def test_truncated_warc_yields_what_was_read(tmp_path: Path) -> None:
    pytest.importorskip("warcio")
    pytest.importorskip("trafilatura")
    path = tmp_path / "crawl.warc.gz"
    pages = [
        ("response", f"https://harbour.example/p{i}", html_page(f"Page {i}").encode(), "text/html", 200)
        for i in range(6)
    ]
    make_warc(path, pages, date="2021-03-04T05:06:07Z")
    data = path.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) * 3 // 4])
    items = list(iter_collection([cut]))
    docs, skipped, _ = split(items)
    assert 0 < len(docs) < 6
    assert [d.id for d in docs] == [f"https://harbour.example/p{i}" for i in range(len(docs))]
    assert isinstance(items[-1], Skipped) and len(skipped) >= 1


# --------------------------------------------------------------------------- limits


def test_long_text_is_cut_with_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    text = "Huge story\n\n" + "lorem ipsum dolor sit amet " * 230_000  # about 6 MB
    path.write_text(text, encoding="utf-8")
    items = list(iter_collection([path], max_chars=1000))
    docs, skipped, notices = split(items)
    assert len(docs) == 1 and not skipped and items[0] is docs[0]
    doc = docs[0]
    assert len(doc.text) <= 1000 and text.startswith(doc.text)
    assert text[len(doc.text)].isspace()  # cut at a word boundary
    assert len(doc.text) > 990
    assert notices == [Notice(str(path), notices[0].message)]
    assert notices[0].message.startswith(f"text of {len(text):,} characters is over the limit of 1,000")
    assert "truncated" in doc.detected


def slow_truncate(text: str, max_chars: int) -> str:
    """The obviously-correct twin: the longest prefix that ends before a whitespace."""
    if len(text) <= max_chars:
        return text
    for k in range(max_chars, 0, -1):
        if text[k].isspace() and text[:k].strip():
            return text[:k].rstrip()
    return text[:max_chars]


@given(st.text(alphabet=st.sampled_from("ab \n\t\u2003\x1cé"), max_size=60), st.integers(1, 40))
def test_truncate_text_matches_the_slow_twin(text: str, max_chars: int) -> None:
    cut = truncate_text(text, max_chars)
    assert cut == slow_truncate(text, max_chars)
    assert text.startswith(cut) and len(cut) <= max_chars


# --------------------------------------------------------------------------- corpus


@pytest.mark.corpus
def test_news_event_clusters_2018_loads_with_the_preset() -> None:
    from newstrace.evaluation.synth import unpack_corpus

    tar = require_corpus("news-event-clusters-2018") / "news-event-clusters-2018.tar.xz"
    if not tar.is_file():
        pytest.skip(f"archive missing: {tar}")
    root = unpack_corpus(tar)
    fields, separator = PRESETS["news-2018"]
    items = list(iter_collection([str(root / "*.csv")], fields=fields, csv_paragraph_separator=separator))
    docs, skipped, _ = split(items)
    assert not skipped
    assert len(docs) == 680
    assert len({d.id for d in docs}) == 680
    assert Counter(d.id.split("#")[0] for d in docs) == {
        "helsinki_articles.csv": 612,
        "census_articles.csv": 32,
        "spotify_articles.csv": 36,
    }
    assert all(d.outlet for d in docs)
    # the scrape time, or a date the page gives relative to it ("5 hours ago", "May 30 at 2:44 PM")
    assert all(isinstance(d.published, dt.datetime) and d.published.tzinfo or type(d.published) is dt.date
               for d in docs)
    assert sum("relative to" in d.detected["published"] for d in docs) >= 40
    assert not any(" ### " in d.text for d in docs)


# --------------------------------------------------------------------------- dates relative to the scrape time


@pytest.mark.parametrize("line, expected", [
    ("Updated 3 hours ago", dt.datetime(2018, 7, 3, 11, 0)),
    ("May 30 at 2:44 PM", dt.datetime(2018, 5, 30, 14, 44)),
    ("Published yesterday", dt.date(2018, 7, 2)),
    ("By Jane Roe | Aug. 4", dt.date(2017, 8, 4)),      # no year: the last Aug. 4 before the scrape
    ("By Jane Roe | June 30", dt.date(2018, 6, 30)),
])
def test_dates_relative_to_the_scrape_time(tmp_path: Path, line: str, expected) -> None:
    body = f"Harbour ferry keeps its early sailing\n{line}\n\nThe island ferry will keep its early sailing, " \
           "the harbour board said after a week of complaints from workers who take it each morning."
    path = tmp_path / "dump.jsonl"
    path.write_text(json.dumps({"id": "f1", "text": body, "scrape_time": "2018-07-03T14:00:00"}) + "\n",
                    encoding="utf-8")
    docs, _, _ = split(list(iter_collection([path])))
    assert docs[0].published == expected
    assert "relative to 2018-07-03T14:00:00" in docs[0].detected["published"]


def _jsonl(tmp_path: Path, head: str) -> Path:
    path = tmp_path / "head.jsonl"
    body = f"Ferry news\n{head}\n\nThe island ferry will keep its early sailing, the board said."
    path.write_text(json.dumps({"id": "h1", "text": body, "scrape_time": "2018-07-03T14:00:00"}) + "\n",
                    encoding="utf-8")
    return path


def test_a_full_date_or_a_date_field_is_not_made_relative(tmp_path: Path) -> None:
    from newstrace.ingest.dates import find_relative_date

    assert find_relative_date("July 3, 2018 - 3 hours ago", dt.datetime(2018, 7, 3, 14)) is None
    path = tmp_path / "dump.jsonl"
    body = "Ferry news\nUpdated 3 hours ago\n\nThe island ferry will keep its early sailing, the board said."
    path.write_text(json.dumps({"id": "f1", "text": body, "published": "2018-07-03T14:00:00"}) + "\n",
                    encoding="utf-8")
    docs, _, _ = split(list(iter_collection([path])))
    assert docs[0].published == dt.datetime(2018, 7, 3, 14, 0)  # a publication field is taken as it is


# --------------------------------------------------------------------------- files that are not articles

FERRY = (
    "Ferry strike ends after pay deal\n\n"
    "The ferry workers returned to work on Monday after the union and the operator agreed on a new pay deal "
    "that raises wages by four per cent over two years. Crossings to the islands resumed in the afternoon.\n"
)


def _non_articles(root: Path) -> None:
    (root / "labels").mkdir(parents=True)
    (root / "labels" / "population.txt").write_text(
        "harbour.example/2018/07/19/ferry-strike-ends/799733002\n"
        "https://news.example.org/politics/2018/07/council-vote.html\n"
        "www.coast.example/story/12345\n", encoding="utf-8")
    (root / "README").write_text("This folder holds the ferry articles we collected in July.\n", encoding="utf-8")
    (root / "LICENSE.txt").write_text("Permission is hereby granted, free of charge, to any person.\n",
                                      encoding="utf-8")
    (root / "licence").write_text("You may share these files for research.\n", encoding="utf-8")
    (root / "CHANGELOG.txt").write_text("1.1 added the July files\n", encoding="utf-8")
    (root / "table.txt").write_text("\n".join(f"{i} {i * 7} {i * 13:.2f} 0x{i:04x} -- ++" for i in range(40)),
                                    encoding="utf-8")
    (root / "ferry.txt").write_text(FERRY, encoding="utf-8")


def test_folder_scan_skips_files_that_are_not_articles(tmp_path: Path) -> None:
    _non_articles(tmp_path)
    docs, skipped, _ = split(list(iter_collection([tmp_path])))
    assert [d.id for d in docs] == ["ferry.txt"]  # the article beside them is kept
    reasons = {Path(s.where).name: s.reason for s in skipped}
    assert sorted(reasons) == ["CHANGELOG.txt", "LICENSE.txt", "README", "licence", "population.txt", "table.txt"]
    assert "a URL list (3 of 3 lines are URLs)" in reasons["population.txt"]
    assert "a README" in reasons["README"] and "a licence" in reasons["LICENSE.txt"]
    assert "a licence" in reasons["licence"] and "a change log" in reasons["CHANGELOG.txt"]
    assert "no prose" in reasons["table.txt"]
    assert all(r.startswith("not an article: ") and "--keep-non-articles" in r for r in reasons.values())
    kept, skipped, _ = split(list(iter_collection([tmp_path], keep_non_articles=True)))
    assert len(kept) == 7 and not skipped


def test_a_named_non_article_is_skipped_too(tmp_path: Path) -> None:
    _non_articles(tmp_path)
    docs, skipped, _ = split(list(iter_collection([tmp_path / "README", tmp_path / "ferry.txt"])))
    assert [d.id for d in docs] == ["ferry.txt"] and "a README" in skipped[0].reason


def test_scan_reports_skipped_non_articles_in_the_store(tmp_path: Path) -> None:
    import duckdb
    from click.testing import CliRunner

    from newstrace.cli import main

    corpus = tmp_path / "corpus"
    _non_articles(corpus)
    db = tmp_path / "n.duckdb"
    r = CliRunner().invoke(main, ["scan", str(corpus), "--db", str(db)])
    assert r.exit_code == 0, r.output
    assert "1 added" in r.output and "6 skipped" in r.output
    assert "a URL list" in r.output
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT * FROM skipped").fetchall()
    finally:
        con.close()
    assert len(rows) == 6 and sum("not an article" in " ".join(map(str, row)) for row in rows) == 6


# --------------------------------------------------------------------------- a missing extra


@pytest.mark.parametrize(("name", "module", "extra"), [("crawl.warc.gz", "warcio", "warc"),
                                                      ("page.html", "trafilatura", "html")])
def test_scan_without_the_extra_is_an_error_and_writes_no_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, module: str, extra: str
) -> None:
    from click.testing import CliRunner

    from newstrace.cli import main

    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "ferry.txt").write_text(FERRY, encoding="utf-8")
    (junk / name).write_bytes(b"WARC/1.0\r\n" if extra == "warc" else b"<html><p>Ferry</p></html>")
    monkeypatch.setitem(sys.modules, module, None)  # the import fails as if the extra were not installed
    db = tmp_path / "junk.duckdb"
    r = CliRunner().invoke(main, ["scan", str(junk), "--db", str(db)])
    assert r.exit_code == 2, r.output
    assert r.output.startswith("newstrace: error: ") and len(r.output.strip().splitlines()) == 1
    assert f"needs {module}" in r.output and f"pip install 'newstrace[{extra}]'" in r.output
    assert str(junk / name) in r.output and "Traceback" not in r.output
    assert not db.exists()  # failed before the store was opened


def test_several_paths_ids_relative_to_their_common_parent(tmp_path: Path) -> None:
    for folder in ("articles", "summaries"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "151.txt").write_text(FERRY.replace("Ferry", folder.title()), encoding="utf-8")
    docs, skipped, _ = split(list(iter_collection([tmp_path / "articles", tmp_path / "summaries"])))
    assert [d.id for d in docs] == ["articles/151.txt", "summaries/151.txt"] and not skipped
    docs, _, _ = split(list(iter_collection([str(tmp_path / "articles" / "*.txt"), tmp_path / "summaries"])))
    assert [d.id for d in docs] == ["articles/151.txt", "summaries/151.txt"]
