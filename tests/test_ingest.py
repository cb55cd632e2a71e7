"""Loaders: seeds' sniffed metadata, exact text, encodings, errors, HTML, JSON, dates."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newstrace.ingest import (
    LoadError,
    LoadResult,
    find_dates,
    load_html,
    load_json_record,
    load_path,
    load_text,
    parse_news_date,
    sniff_header,
)
from newstrace.ingest.text import sniff_record_title
from newstrace.text import tokenize

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"
SEED_000 = SEEDS / "000_da43fc32711ce6b8.txt"
SEED_002 = SEEDS / "002_c61f085763ff7fbd.txt"
UTC = dt.UTC

PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


# --------------------------------------------------------------------------- seeds


def test_seed_000_metadata() -> None:
    doc = load_path(SEED_000).document
    assert doc.id == "000_da43fc32711ce6b8.txt"
    assert doc.title == (
        "MESOP NEWS MAIN STORY TODAY: First on CNN: Russia & Syrian regime seeking to poach US-backed fighters"
    )
    assert doc.byline == "Ryan Browne, CNN"
    assert doc.published == dt.date(2017, 8, 4)
    assert doc.outlet is None
    assert doc.detected["title"] == "line 1"
    assert doc.detected["published"].startswith("line 6: 'By Ryan Browne, CNN")


def test_seed_002_metadata() -> None:
    doc = load_path(SEED_002).document
    assert doc.title == "Pentagon Confirms Its In-House Rebels Defected to the Syrian Army"
    assert doc.byline == "Marko Marjanović"
    assert doc.published == dt.date(2017, 8, 12)
    assert type(doc.published) is dt.date
    assert doc.outlet == "Global Research"
    assert doc.detected["published"] == "line 9: 'Global Research, August 12, 2017'"
    assert doc.detected["outlet"] == "line 9: 'Global Research, August 12, 2017'"
    assert doc.detected["byline"] == "line 7: 'By Marko Marjanović'"
    assert "Russia Insider 9 August 2017" in doc.detected["other_dates"]


@pytest.mark.parametrize("seed", [SEED_000, SEED_002])
def test_seed_text_is_the_file_decoded_unchanged(seed: Path) -> None:
    result = load_path(seed)
    raw = seed.read_bytes()
    assert result.document.text == raw.decode("utf-8")
    assert result.document.text.encode("utf-8") == raw
    assert result.encoding == "utf-8"
    assert result.warnings == ()
    assert result.format == "text"
    assert result.document.source_path == str(seed)


# --------------------------------------------------------------------------- text decoding


ARTICLE = (
    "Lighthouse Keepers Vote to Keep the Night Watch\n"
    "\n"
    "By Ingrid Salvesen, Coastal Post – March 3, 2019\n"
    "\n"
    "The keepers said the automated lamps “fail twice a winter”, and the café by the pier agreed.\n"
)


def test_text_keeps_newlines_and_spaces_exactly() -> None:
    text = "  \r\nHeadline Over Spaces  \r\n\r\n\tBody line with trailing spaces   \r\n\n"
    result = load_text(text.encode("utf-8"), doc_id="t")
    assert result.document.text == text
    assert result.document.title == "Headline Over Spaces"
    assert result.document.detected["title"] == "line 2"


def test_cp1252_file_decodes_with_warning(tmp_path: Path) -> None:
    path = tmp_path / "cp.txt"
    path.write_bytes(ARTICLE.encode("cp1252"))
    result = load_path(path)
    assert result.document.text == ARTICLE
    assert result.encoding == "cp1252"
    assert len(result.warnings) == 1
    assert "not valid UTF-8" in result.warnings[0] and "cp1252" in result.warnings[0]
    assert result.document.byline == "Ingrid Salvesen, Coastal Post"
    assert result.document.published == dt.date(2019, 3, 3)


def test_bytes_neither_utf8_nor_cp1252_fall_back_to_latin1() -> None:
    data = "Caf\xe9 owners meet\n\nThe meeting ran late.\x81\n".encode("latin-1")
    result = load_text(data, doc_id="l1")
    assert result.encoding == "latin-1"
    assert result.document.text == data.decode("latin-1")
    assert "latin-1" in result.warnings[0]


def test_utf8_bom_is_stripped() -> None:
    result = load_text(b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"), doc_id="bom")
    assert result.document.text == ARTICLE
    assert result.encoding == "utf-8-sig"
    assert result.document.title == "Lighthouse Keepers Vote to Keep the Night Watch"


def test_utf16_with_bom_is_text_not_binary() -> None:
    result = load_text(ARTICLE.encode("utf-16"), doc_id="u16")
    assert result.document.text == ARTICLE
    assert result.encoding == "utf-16"


def test_file_object_and_str_inputs() -> None:
    from_file = load_text(io.BytesIO(ARTICLE.encode("utf-8")), doc_id="f")
    from_str = load_text(ARTICLE, doc_id="s")
    assert from_file.document.text == from_str.document.text == ARTICLE
    assert from_file.encoding == "utf-8" and from_str.encoding is None
    assert isinstance(from_file, LoadResult)


def test_html_given_as_text_is_loaded_verbatim_with_a_warning() -> None:
    result = load_text(b"<!DOCTYPE html><html><body><p>Hello there</p></body></html>", doc_id="h")
    assert result.document.text.startswith("<!DOCTYPE html>")
    assert any("load_html" in w for w in result.warnings)


@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff")
        | st.sampled_from("\n\r\t "),
        min_size=1,
    ).filter(lambda s: s.strip())
)
def test_any_utf8_text_round_trips(text: str) -> None:
    assert load_text(text.encode("utf-8"), doc_id="p").document.text == text


# --------------------------------------------------------------------------- errors


def _assert_one_line_naming(exc: pytest.ExceptionInfo[LoadError], path: Path) -> str:
    message = str(exc.value)
    assert str(path) in message
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (b"", "empty"),
        (b"  \n\t\r\n  \n", "whitespace"),
        (PNG_HEADER, "PNG"),
        (gzip.compress(b"an article that was compressed"), "gzip"),
        (b"Headline\n\nBody\x00text\x00with\x00NUL\x00bytes\x00all\x00along\x00\n", "NUL"),
        # UTF-16 without a byte-order mark that does not decode (a lone surrogate): named, not "binary"
        ("Headline\n\nUTF-16 text saved without its mark.".encode("utf-16-le") + b"\x3d\xd8", "UTF-16"),
        (bytes(range(1, 9)) * 40 + b"some text", "binary"),
        (bytes(range(256)) * 20, "binary"),  # real binary is still refused; a few stray NULs are not (below)
    ],
)
def test_bad_text_files_raise_load_error_naming_the_path(tmp_path: Path, content: bytes, phrase: str) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(content)
    with pytest.raises(LoadError) as exc:
        load_path(path)
    assert phrase in _assert_one_line_naming(exc, path)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_byte_order_mark_is_detected(tmp_path: Path, codec: str) -> None:
    text = "Headline\n\nUTF-16 text saved without its byte-order mark, caf\u00e9 and all."
    path = tmp_path / "article.txt"
    path.write_bytes(text.encode(codec))
    result = load_path(path)
    assert result.document.text == text and result.encoding == codec
    assert "no byte-order mark" in result.warnings[0] and codec.upper() in result.warnings[0]


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    with pytest.raises(LoadError) as exc:
        load_path(path)
    assert "no such file" in _assert_one_line_naming(exc, path)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as exc:
        load_path(tmp_path)
    assert "directory" in _assert_one_line_naming(exc, tmp_path)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.txt"
    path.write_text("Some text\n")

    def deny(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", deny)  # chmod 000 does not stop root
    with pytest.raises(LoadError) as exc:
        load_path(path)
    assert "permission denied" in _assert_one_line_naming(exc, path)


def test_error_without_path_names_the_document_id() -> None:
    with pytest.raises(LoadError, match="document 'blank': file contains only whitespace"):
        load_text(b"   ", doc_id="blank")


def test_load_error_fields() -> None:
    err = LoadError("examples/x.txt", "file is empty", "give a file that contains article text")
    assert str(err) == "examples/x.txt: file is empty; give a file that contains article text"
    assert (err.where, err.problem) == ("examples/x.txt", "file is empty")
    assert err.fix == "give a file that contains article text"


# --------------------------------------------------------------------------- header sniffing


def test_byline_cut_before_updated_and_time_before_date() -> None:
    text = (
        "Ferry Timetable Changes Announced\n"
        "By [Tomasz Wiśniewski](#) and Aoife Brennan, Harbour Radio Updated 1:39 PM ET, Fri August 4, 2017\n"
        "\n"
        "Body text starts here and goes on for a while.\n"
    )
    head = sniff_header(text)
    assert head.byline == "Tomasz Wiśniewski and Aoife Brennan, Harbour Radio"
    assert head.published == dt.datetime(2017, 8, 4, 13, 39)


def test_no_title_when_the_text_starts_with_a_paragraph() -> None:
    text = " ".join(["The council met on Tuesday and argued about the bins for an hour."] * 5) + "\n"
    assert sniff_header(text).title is None


def test_date_inside_body_prose_is_not_the_publication_date() -> None:
    text = (
        "Bridge Reopens\n\n"
        "Engineers who inspected the span on June 2, 2016 found that the bolts had corroded badly, and the "
        "repairs took far longer than the council had promised residents at the first public meeting.\n"
    )
    head = sniff_header(text)
    assert head.published is None
    assert "June 2, 2016" in head.detected["other_dates"]


def test_outlet_not_taken_from_a_published_label() -> None:
    head = sniff_header("Snow Closes Passes\n\nPublished: 9 January 2018\n\nRoads were shut.\n")
    assert head.published == dt.date(2018, 1, 9)
    assert head.outlet is None


# --------------------------------------------------------------------------- HTML


PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Harbour Cranes Return to Port Ellen | The Islay Courier</title>
<meta name="author" content="Morag Lindqvist">
<meta property="article:published_time" content="2021-03-14T09:30:00+00:00">
<meta property="og:site_name" content="The Islay Courier">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">Newsdesk menu</a></li>
<li><a href="/sport">Sport fixtures</a></li></ul></nav>
<article><h1>Harbour Cranes Return to Port Ellen</h1>
<p>Two refurbished cranes were lifted back onto the quay at Port Ellen on Saturday, ending a winter in
which ferries had to unload by hand and delivery lorries queued along the shore road.</p>
<p>The harbour master, Euan Tobermory, said the cranes had been stripped down in Greenock and rebuilt
with new winches, and that the first cargo to use them would be a shipment of casks bound for the mainland.</p>
<p>Residents who had complained about the queues welcomed the news, although several pointed out that the
shore road itself still needs resurfacing before the summer visitors arrive in large numbers. Café owners agreed.</p>
</article>
<footer><p>Copyright 2021 Courier Media. All rights reserved. Privacy policy. Cookie settings.</p></footer>
</body></html>
"""


def _check_page(result: LoadResult) -> None:
    doc = result.document
    assert result.format == "html"
    assert "Two refurbished cranes were lifted back onto the quay" in doc.text
    assert "Euan Tobermory" in doc.text
    assert "still needs resurfacing" in doc.text
    assert "Café owners agreed." in doc.text
    for boilerplate in ("Newsdesk menu", "Sport fixtures", "All rights reserved", "Cookie settings"):
        assert boilerplate not in doc.text
    assert doc.title == "Harbour Cranes Return to Port Ellen"
    assert doc.byline == "Morag Lindqvist"
    assert doc.published == dt.datetime(2021, 3, 14, 9, 30, tzinfo=UTC)
    assert doc.outlet == "The Islay Courier"
    assert doc.detected["byline"] == "html metadata (trafilatura)"


def test_html_page_main_text_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "cranes.html"
    path.write_bytes(PAGE.encode("utf-8"))
    result = load_path(path)
    _check_page(result)
    assert result.encoding == "utf-8"
    assert result.document.id == "cranes.html"


def test_html_from_str_and_url_argument() -> None:
    result = load_html(PAGE, doc_id="cranes", url="https://courier.example/cranes")
    _check_page(result)
    assert result.encoding is None
    assert result.document.url == "https://courier.example/cranes"
    assert result.document.detected["url"] == "url argument"


def test_html_declared_legacy_charset() -> None:
    declaration = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
    page = PAGE.replace('<meta charset="utf-8">', declaration)
    result = load_html(page.encode("cp1252"), doc_id="legacy")
    assert result.encoding == "cp1252"
    _check_page(result)


def test_html_undeclared_cp1252_falls_back_with_warning() -> None:
    page = PAGE.replace('<meta charset="utf-8">', "")
    result = load_html(page.encode("cp1252"), doc_id="nodecl")
    assert result.encoding == "cp1252"
    assert any("cp1252" in w for w in result.warnings)
    _check_page(result)


def test_html_without_text_raises(tmp_path: Path) -> None:
    path = tmp_path / "shell.html"
    path.write_text(
        "<html><head><title>App</title></head><body><div id='root'></div>"
        "<script>renderEverything()</script></body></html>"
    )
    with pytest.raises(LoadError) as exc:
        load_path(path)
    assert "no article text" in _assert_one_line_naming(exc, path)


def test_html_without_trafilatura_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "trafilatura", None)
    with pytest.raises(LoadError, match=r"pip install 'newstrace\[html\]'"):
        load_html(PAGE, doc_id="x", source_path="page.html")


# --------------------------------------------------------------------------- JSON


def test_json_default_field_names() -> None:
    record = {
        "doc_id": 42,
        "body": "Kelp farmers in the sound doubled their harvest.\n\nPrices held.",
        "headline": "Kelp Harvest Doubles",
        "publisher": "Sound Weekly",
        "url": "https://sound.example/kelp",
        "date": "2020-06-01",
        "author": ["Ola Nordmann", "Kari Nordmann"],
    }
    result = load_json_record(record)
    doc = result.document
    assert doc.id == "42"
    assert doc.text == record["body"]
    assert doc.title == "Kelp Harvest Doubles"
    assert doc.outlet == "Sound Weekly"
    assert doc.url == "https://sound.example/kelp"
    assert doc.published == dt.date(2020, 6, 1)
    assert doc.byline == "Ola Nordmann, Kari Nordmann"
    assert doc.detected["text"] == "json key 'body'"
    assert result.format == "json" and result.encoding is None


def test_json_custom_field_names_and_news_dates() -> None:
    record = {
        "key": "k-1",
        "article_body": "  Text kept exactly, spaces too.  ",
        "meta": {"name": "Ridge Gazette", "when": "Aug. 4, 2017 10:32 a.m. EDT"},
        "source": {"id": "rg", "name": "Ignored Because Mapped Elsewhere"},
    }
    fields = {"id": "key", "text": "article_body", "outlet": "meta.name", "published": "meta.when"}
    doc = load_json_record(json.dumps(record), fields=fields).document
    assert doc.id == "k-1"
    assert doc.text == "  Text kept exactly, spaces too.  "
    assert doc.outlet == "Ridge Gazette"
    assert doc.published == dt.datetime(2017, 8, 4, 10, 32, tzinfo=dt.timezone(dt.timedelta(hours=-4)))


def test_json_epoch_time_and_source_object() -> None:
    record = {"id": "e", "content": "Some text here.", "scrape_time": 1501842720, "source": {"name": "Wire Desk"}}
    doc = load_json_record(record).document
    assert doc.published == dt.datetime(2017, 8, 4, 10, 32, tzinfo=UTC)
    assert doc.outlet == "Wire Desk"


def test_json_unparseable_date_warns() -> None:
    result = load_json_record({"id": "d", "text": "Body.", "date": "sometime last week"})
    assert result.document.published is None
    assert "sometime last week" in result.warnings[0]


def test_json_record_id_wins_over_file_name(tmp_path: Path) -> None:
    path = tmp_path / "rec.json"
    path.write_bytes(json.dumps({"id": "inner", "text": "Body text."}).encode("utf-8"))
    result = load_path(path)
    assert result.document.id == "inner"
    assert result.document.detected["record_id"] == "json key 'id': 'inner'"
    assert result.encoding == "utf-8"
    assert load_path(path, doc_id="given").document.id == "given"
    path.write_bytes(json.dumps({"text": "Body text."}).encode("utf-8"))
    assert load_path(path).document.id == "rec.json"


def test_json_invalid(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"text": "unterminated}\n')
    with pytest.raises(LoadError) as exc:
        load_path(path)
    assert "not valid JSON" in _assert_one_line_naming(exc, path)


def test_json_without_text_field(tmp_path: Path) -> None:
    path = tmp_path / "notext.json"
    path.write_text('{"id": "x", "title": "Only a title"}')
    with pytest.raises(LoadError) as exc:
        load_path(path)
    message = _assert_one_line_naming(exc, path)
    assert "no text field" in message and "fields={'text': KEY}" in message


def test_json_errors_for_lists_empty_text_and_missing_custom_key() -> None:
    with pytest.raises(LoadError, match="list of 2 items"):
        load_json_record(b'[{"text": "a"}, {"text": "b"}]', doc_id="l")
    with pytest.raises(LoadError, match="only whitespace"):
        load_json_record({"id": "w", "text": "   "})
    with pytest.raises(LoadError, match="no key 'story'"):
        load_json_record({"id": "m", "text": "Body."}, fields={"text": "story"})
    with pytest.raises(ValueError, match="unknown name"):
        load_json_record({"id": "m", "text": "Body."}, fields={"headline": "title"})


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("s", "expected"),
    [
        ("August 4, 2017", dt.date(2017, 8, 4)),
        ("Aug. 4, 2017", dt.date(2017, 8, 4)),
        ("Aug 4 2017", dt.date(2017, 8, 4)),
        ("Sept. 14th, 2017", dt.date(2017, 9, 14)),
        ("9 August 2017", dt.date(2017, 8, 9)),
        ("4 Aug 2017", dt.date(2017, 8, 4)),
        ("4th of August, 2017", dt.date(2017, 8, 4)),
        ("August 12, 2017", dt.date(2017, 8, 12)),
        ("2017-08-04", dt.date(2017, 8, 4)),
        ("2017/08/04", dt.date(2017, 8, 4)),
        ("Friday, August 4, 2017", dt.date(2017, 8, 4)),
        ("MAY 1, 2019", dt.date(2019, 5, 1)),
        ("August 4, 2017 10:32 AM", dt.datetime(2017, 8, 4, 10, 32)),
        ("August 4, 2017 at 3 pm", dt.datetime(2017, 8, 4, 15, 0)),
        ("12 Aug 2017, 12:15 a.m.", dt.datetime(2017, 8, 12, 0, 15)),
        ("9 August 2017 14:05 CEST", dt.datetime(2017, 8, 9, 14, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))),
        ("2017-08-04T10:32:00Z", dt.datetime(2017, 8, 4, 10, 32, tzinfo=UTC)),
        ("2017-08-04T10:32:00.5+02:00", dt.datetime(2017, 8, 4, 10, 32, tzinfo=dt.timezone(dt.timedelta(hours=2)))),
        ("Fri, 04 Aug 2017 10:32:00 +0000", dt.datetime(2017, 8, 4, 10, 32, tzinfo=UTC)),
        ("1:39 PM ET, Fri August 4, 2017", dt.datetime(2017, 8, 4, 13, 39)),
    ],
)
def test_parse_news_date_forms(s: str, expected: dt.date) -> None:
    value = parse_news_date(s)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    "s",
    [
        "Region: Middle East",
        "Region: [Middle East & North Africa](#)",
        "Theme: Intelligence",
        "Global Research, August 12, 2017",
        "February 30, 2017",
        "August 2017",
        "08/04/2017",
        "Augusta 4, 2017",
        "4 Augustus 2017",
        "June 9th",
        "",
        "In 2017 there were 80% fewer",
    ],
)
def test_parse_news_date_negatives(s: str) -> None:
    assert parse_news_date(s) is None


def test_find_dates_offsets() -> None:
    text = "Global Research, August 12, 2017\n\n[Russia Insider](#) 9 August 2017\nvideo 03:06, Aug. 4, 2017 – end"
    found = find_dates(text)
    assert [text[d.start : d.end] for d in found] == ["August 12, 2017", "9 August 2017", "Aug. 4, 2017"]
    assert [d.value for d in found] == [dt.date(2017, 8, 12), dt.date(2017, 8, 9), dt.date(2017, 8, 4)]


def test_find_dates_does_not_take_a_time_across_a_dash() -> None:
    text = "By Ryan Browne, CNN – August 4, 2017\xa0 – \xa0Exclusive: Raqqa 03:06"
    (d,) = find_dates(text)
    assert text[d.start : d.end] == "August 4, 2017"
    assert d.value == dt.date(2017, 8, 4)


# --------------------------------------------------------------------------- stray control characters


@pytest.mark.parametrize(
    "text",
    [
        "Ferry strike ends\n\nThe ferry workers\x00 returned to work on Monday after a deal on pay.\n",
        "Ferry strike ends\n\nThe union\x19s members voted\x13by a wide margin\x02to accept the offer.\n",
        "\x00Ferry strike ends\n\nThe ferry workers returned to work on Monday after a deal on pay.\x00",
    ],
)
def test_text_with_stray_nul_and_control_characters_loads_unchanged(tmp_path: Path, text: str) -> None:
    path = tmp_path / "ferry.txt"
    path.write_bytes(text.encode("utf-8"))
    result = load_path(path)
    assert result.document.text == text  # kept: offsets refer to the file as it is
    assert any("control character" in w and "offsets are exact" in w for w in result.warnings)
    tokens = tokenize(result.document.text)
    for s, e in zip(tokens.starts.tolist(), tokens.ends.tolist()):
        word = text[s:e]
        assert word and "\x00" not in word and word.strip() == word
    assert {"Ferry", "strike", "ends"} <= {text[s:e] for s, e in zip(tokens.starts.tolist(), tokens.ends.tolist())}


def test_compare_aligns_across_a_nul(tmp_path: Path) -> None:
    from newstrace.compare import compare

    body = ("The ferry workers returned to work on Monday after the union and the operator agreed on a "
            "new pay deal that raises wages by four per cent over two years and ends the strike.")
    a = load_path(_write(tmp_path / "a.txt", "Ferry strike ends\n\n" + body.replace(" Monday", "\x00Monday")))
    b = load_path(_write(tmp_path / "b.txt", "Strike over\n\n" + body))
    c = compare(a.document, b.document)
    assert c.passages
    for p in c.passages:
        assert a.document.text[p.a.start : p.a.end] == p.a_text
        assert b.document.text[p.b.start : p.b.end] == p.b_text
    assert any("\x00" in p.a_text for p in c.passages)


def _write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def test_json_record_with_nul_loads_with_a_notice() -> None:
    result = load_json_record({"id": "n1", "text": "Ferry strike ends\n\nWorkers\u0000 returned on Monday."})
    assert "\x00" in result.document.text
    assert any("control character" in w for w in result.warnings)



# --------------------------------------------------------------------------- a record's headline


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Ferry talks resume\n\nThe union and the operator met again on Monday.", "Ferry talks resume"),
        ("Monday, Jul 16th 2018 5-Day Forecast\n\nAdvertisement\n\nFerry talks resume in the harbour city\n\n"
         "The union and the operator met again on Monday.", "Ferry talks resume in the harbour city"),
        ("By Anna Lind\n\nJuly 16, 2018\n\nFerry talks resume\n\nThe union met again.", "Ferry talks resume"),
        ("July 16, 2018\n\nThe union and the operator met again on Monday to talk about pay.", None),  # a lede
        ("July 16, 2018\n\npowered by Ask\n\nThe union and the operator met again.", None),
        ("The union and the operator met again on Monday, and " + "talks went on " * 20 + "late.", None),
    ],
)
def test_record_title_is_the_headline_past_datelines_and_furniture(text: str, title: str | None) -> None:
    found = sniff_record_title(text)
    assert (found[0] if found else None) == title
    doc = load_json_record({"id": "r", "text": text}).document
    assert doc.title == title and doc.text == text


_DATE_BITS = ["Aug. 4, 2017", "4 August 2017", "2017-08-04", "1999/12/31", "June 3 2018", "3rd of May, 2021",
              "May", "2017", "Aug 4", "10:32 am EDT", " ", ", ", "\n", "Sunday,", "20", "19", "a", "٢٠١٧", "١٩"]


@given(st.lists(st.sampled_from(_DATE_BITS) | st.text(max_size=6), max_size=10).map("".join))
def test_find_dates_is_find_dates_slow(text: str) -> None:
    # a text with no four-digit year is not searched: the same dates either way
    from newstrace.ingest.dates import find_dates_slow

    assert find_dates(text) == find_dates_slow(text)
