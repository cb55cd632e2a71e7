"""A hostile article and a copy of it, for the report and web app tests.

Everything an attacker controls is here: the text (HTML tags, event
handlers, a ``javascript:`` link in markdown and in HTML, a quote that tries
to break out of an attribute), the title, the outlet, the URL; plus a very
long line and right-to-left text that must still show as text.
"""

from __future__ import annotations

import datetime as dt
import json
import gzip
import io
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

from newstrace.records import Document

PWN = "window.__pwned=1"
LONG = "x" * 20_000
ARABIC = "قال المتحدث باسم التحالف إن عدد المنشقين قليل جدا"
HEBREW = "הדובר אמר כי מספר העריקים קטן מאוד"

BODY = (
    f"<script>{PWN}</script> The council met on Tuesday to discuss the new budget for the harbour.\n\n"
    f'<img src=x onerror="{PWN}"> Officials said the harbour budget would rise by ten percent next year, '
    "the first rise in a decade, and that the money would go to dredging and new cranes.\n\n"
    f"Read [the full plan](javascript:{PWN}) or <a href=\"javascript:{PWN}\">click here</a>.\n\n"
    f'"><svg onload="{PWN}"> The mayor said the plan was \'fair and overdue\' and thanked the port workers.\n\n'
    f"{ARABIC}\n{HEBREW}\n\n"
    f"{LONG}\n"
)
COPY_EXTRA = "Our own note: we copied this from the council's release.\n\n"


def hostile_pair() -> tuple[Document, Document]:
    a = Document(id="evil-a", text=BODY, title=f'<script>{PWN}</script>"><img src=x onerror="{PWN}">',
                 outlet=f'<b onmouseover="{PWN}">Evil Outlet</b>', url=f"javascript:{PWN}",
                 published=dt.date(2020, 1, 1), source_path="evil-a.txt")
    b = Document(id="evil-b", text=COPY_EXTRA + BODY, title=f"Copy of '<svg onload={PWN}>'",
                 outlet="Copy Outlet", url="https://example.org/copy", published=dt.date(2020, 1, 2),
                 source_path="evil-b.txt")
    return a, b


def write_hostile_files(folder) -> list:
    """The pair as two JSON records (so title, outlet and URL come through the loader)."""

    paths = []
    for d in hostile_pair():
        p = folder / f"{d.id}.json"
        p.write_text(json.dumps({"id": d.id, "text": d.text, "title": d.title, "outlet": d.outlet, "url": d.url,
                                 "published": d.published.isoformat()}), encoding="utf-8")
        paths.append(p)
    return paths


# --------------------------------------------------------------------------- a hostile collection
#
# What a clumsy user, a broken scraper or an attacker puts in a folder, next to good records: every
# reader (text, HTML, JSON, JSON lines, CSV, WARC, gzip) meets each kind of bad input at least once.
# ``HostileCollection`` says what a scan must make of it: the good records stored with these exact
# texts, each bad one a skipped row naming it, the repaired ones stored with a notice.

_SYLLABLES = ("ka do mi ren tol vas pe lu gor an bri sel mon tha vik ra ne po sto lin dar quel fi "
              "mar zen cor lo tu bel ha ris").split()
WIRE = ("The harbour authority said on Tuesday that the new container berth would open in the spring, two "
        "years later than planned, after engineers found the old quay wall was weaker than the drawings showed. "
        "The delay will cost the port about forty million euros, the authority's finance director told reporters.")


def story(n: int, words: int = 70) -> str:
    """An article of its own (seeded by ``n``): sentences of made-up words, so that two stories share
    no run of words and a scan aligns only what the tests plant (the wire story)."""
    rng = random.Random(n)
    sentences = []
    count = 0
    while count < words:
        length = rng.randint(8, 16)
        sentence = " ".join("".join(rng.choices(_SYLLABLES, k=rng.randint(1, 3))) for _ in range(length))
        sentences.append(sentence.capitalize() + ".")
        count += length
    return " ".join(sentences)


def derived(n: int) -> str:
    """An article that reprints the wire story between two paragraphs of its own."""
    return f"{story(n, 40)}\n\n{WIRE}\n\n{story(n + 1000, 30)}"


@dataclass
class HostileCollection:
    folder: Path
    good: dict[str, str] = field(default_factory=dict)  # document id -> its exact stored text
    maybe: dict[str, str] = field(default_factory=dict)  # records before a cut in a file: exact text if stored
    phrases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # HTML: id -> phrases its text holds
    bad: dict[str, str] = field(default_factory=dict)  # Skipped.where -> a word its reason holds
    bad_prefix: dict[str, str] = field(default_factory=dict)  # Skipped.where starts so (a cut file) -> word
    noticed: dict[str, str] = field(default_factory=dict)  # where -> a word a notice about it holds
    # no text extracted from a page holds its scripts (a JSON or text record keeps them as text,
    # escaped wherever it is shown)
    html_absent: tuple[str, ...] = (PWN, "__pwned")

    def path(self, name: str) -> Path:
        return self.folder / name

    def where(self, name: str, line: int | None = None) -> str:
        return str(self.folder / name) + (f":{line}" if line is not None else "")


HUGE = "huge-line.jsonl"
LONG_TOKEN = "long-token.txt"


def _jsonl(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def write_hostile_collection(folder: Path) -> HostileCollection:
    """Write the hostile collection into ``folder`` (created) and say what a scan must make of it."""

    folder.mkdir(parents=True, exist_ok=True)
    c = HostileCollection(folder)
    n = iter(range(1, 10_000))

    # ---- plain text files
    def txt(name: str, text: str, data: bytes | None = None) -> None:
        c.path(name).write_bytes(text.encode("utf-8") if data is None else data)

    c.good["wire.txt"] = WIRE + "\n\n" + story(next(n))
    txt("wire.txt", c.good["wire.txt"])
    c.good["copy-cp1252.txt"] = "Caf\u00e9 owners \u201cwelcome\u201d the plan\n\n" + derived(next(n))
    txt("copy-cp1252.txt", "", c.good["copy-cp1252.txt"].encode("cp1252"))
    c.noticed[c.where("copy-cp1252.txt")] = "cp1252"
    c.good["utf16-no-bom.txt"] = derived(next(n))
    txt("utf16-no-bom.txt", "", c.good["utf16-no-bom.txt"].encode("utf-16-le"))
    c.noticed[c.where("utf16-no-bom.txt")] = "UTF-16"
    c.good["utf16-bom.txt"] = derived(next(n))
    txt("utf16-bom.txt", "", c.good["utf16-bom.txt"].encode("utf-16"))
    c.good["stray-nul.txt"] = story(next(n)) + "\x00 and a bell \x07 in the text.\n"
    txt("stray-nul.txt", c.good["stray-nul.txt"])
    c.noticed[c.where("stray-nul.txt")] = "control character"
    c.good["crlf.txt"] = derived(next(n)).replace("\n", "\r\n")
    txt("crlf.txt", c.good["crlf.txt"])
    long_line = " ".join(story(next(n), 80) for _ in range(500))  # one line of 500 KB
    c.good["one-long-line.txt"] = long_line
    txt("one-long-line.txt", long_line)
    # a 3,000-character token (a base64 image pasted into the text): the catastrophic-regex probe of
    # anatomy (issue 16 item 6); a story of its own, in no reprint cluster
    blob = "".join(random.Random(11).choices("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", k=3000))
    c.good[LONG_TOKEN] = f"{story(next(n))} data:image/png;base64,{blob} {story(next(n))}"
    txt(LONG_TOKEN, c.good[LONG_TOKEN])
    name_bytes = b"caf\xe9-latin1-name.txt"  # a file name that is not UTF-8
    if os.fsencode(os.fsdecode(name_bytes)) == name_bytes:
        c.good["caf\ufffd-latin1-name.txt"] = derived(next(n))
        (folder / os.fsdecode(name_bytes)).write_text(c.good["caf\ufffd-latin1-name.txt"], encoding="utf-8")
    for name, data, word in [
        ("zero-bytes.txt", b"", "empty"),
        ("blank.txt", b" \n\t\r\n  \n", "whitespace"),
        ("junk.txt", random.Random(7).randbytes(6000), "binary"),
        ("mostly-nul.txt", b"\x00" * 3000 + b"a few words", "NUL"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG"),
        ("gzip-named-txt.txt", gzip.compress(story(99).encode()), "gzip"),
        ("utf16-broken.txt", derived(98).encode("utf-16-le") + b"\x3d\xd8", "UTF-16"),
    ]:
        txt(name, "", data)
        c.bad[c.where(name)] = word
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    c.bad[c.where("logo.png")] = "not an article format"
    (folder / "README").write_text("Read me: https://example.org/a\nhttps://example.org/b\n", encoding="utf-8")
    c.bad[c.where("README")] = "not an article"

    # ---- JSON lines
    lines: list[str] = []

    def line(record: str | dict, *, good: str | None = None, bad: str | None = None,
             notice: str | None = None, text: str | None = None) -> None:
        lines.append(record if isinstance(record, str) else json.dumps(record))
        where = c.where("records.jsonl", len(lines))
        if good is not None:
            c.good[good] = text if text is not None else record["text"]  # type: ignore[index]
        if bad is not None:
            c.bad[where] = bad
        if notice is not None:
            c.noticed[where] = notice

    first = derived(next(n))
    line({"id": "j-good", "text": first, "title": "A good record"}, good="j-good")
    # a cut emoji: the JSON escape of half a surrogate pair, stored as U+FFFD at the same offset
    cut_emoji = "Broken \\ud83d emoji. " + story(next(n))
    line('{"id": "j-surrogate", "title": "Title \\udc00 cut", "text": "' + cut_emoji + '"}',
         good="j-surrogate", text=cut_emoji.replace("\\ud83d", "\ufffd"), notice="surrogate")
    whole_emoji = "Whole \\ud83d\\ude00 emoji. " + story(next(n))
    line('{"id": "j-emoji", "text": "' + whole_emoji + '"}', good="j-emoji",
         text=whole_emoji.replace("\\ud83d\\ude00", "\U0001f600"))
    line('{"id": "j-deep", "text": "x", "meta": ' + "[" * 1100 + "]" * 1100 + "}", bad="nested")
    line("[" * 1100 + "]" * 1100, bad="nested")
    line('{"id": "j-cut", "text": "a record cut off in the mid', bad="not valid JSON")
    line("[1, 2, 3]", bad="not a JSON object")
    line('"just a string"', bad="not a JSON object")
    line({"id": "j-no-text", "body_html": "<p>x</p>"}, bad="no text field")
    line({"id": "j-number", "text": 12345}, bad="not a string")
    line({"id": "j-empty", "text": ""}, bad="empty")
    line({"id": "j-binary", "text": "".join(chr(i % 32) for i in range(400))}, bad="binary")
    line({"id": "j-good", "text": story(next(n))}, bad="duplicate id")
    line({"id": "j-controls", "text": story(next(n)) + "\x1b[31m red \x1b[0m"}, good="j-controls",
         notice="control character")
    long_id = "j-" + "long-id-" * 700
    line({"id": long_id, "text": derived(next(n))}, good=long_id)
    line({"id": "j-nested-ok", "text": story(next(n)), "meta": {"a": [[[{"b": 1}]]]}}, good="j-nested-ok")
    line({"id": "j-script", "text": f"<script>{PWN}</script> " + story(next(n))}, good="j-script")
    lines.append("")  # blank lines are no records
    line({"id": "j-last", "text": derived(next(n)), "published": "not a date"}, good="j-last",
         notice="not a date")
    c.path("records.jsonl").write_text(_jsonl(lines), encoding="utf-8")

    # a huge line (2 MB of "["): a bounded parse in bounded time; named to a command as text, it is
    # the quadratic-regex probe of issue 16 (kept in its own file, HUGE, for the tests that time it)
    huge_good = derived(next(n))
    c.path(HUGE).write_text(_jsonl(["[" * 2_000_000, json.dumps({"id": "huge-good", "text": huge_good})]),
                            encoding="utf-8")
    c.bad[c.where(HUGE, 1)] = "nested"
    c.good["huge-good"] = huge_good

    # ---- CSV
    def csv_file(name: str, rows: list[tuple[str, str]], encoding: str = "utf-8") -> None:
        body = "id,text,outlet\n" + "".join(f'{i},"{t}",Harbour Post\n' for i, t in rows)
        c.path(name).write_bytes(body.encode(encoding))
        c.good.update(rows)

    csv_file("latin1.csv", [("l1", "Caf\u00e9 " + derived(next(n))), ("l2", story(next(n)))], "cp1252")
    c.noticed[c.where("latin1.csv", 2)] = "cp1252"
    csv_file("utf16-no-bom.csv", [("u1", derived(next(n))), ("u2", story(next(n)))], "utf-16-le")
    c.noticed[c.where("utf16-no-bom.csv")] = "UTF-16"
    csv_file("utf16-bom.csv", [("ub1", derived(next(n))), ("ub2", story(next(n)))], "utf-16")
    # bad.csv: each row with what a scan must make of it; a quoted cell may span lines (derived texts
    # hold blank lines), so where a row starts is counted, not assumed
    good2 = derived(next(n))
    rows: list[tuple[str, str | None, str | None]] = [  # (row, id if good, word of the skipped reason)
        ("id,text,outlet", None, None),
        (f'b1,"{story(next(n))}",Harbour Post', "b1", None),
        ('b2,"an unterminated quote swallows the next line,Harbour Post', None, "lines 3-4"),
        (f'b3,"{story(next(n))}",Harbour Post', None, None),  # swallowed by b2's row, listed with it
        (f'b4,"{good2}",Harbour Post', "b4", None),  # spans lines
        (f'b5,"{story(next(n))}",Harbour Post,extra,"cells"', None, "2 more cells"),
        ("b6", None, "none for the text column"),
        (f'b7,"{story(next(n))}\x00 with a NUL",Harbour Post,,', "b7", None),  # trailing empty cells are fine
        ("b8,,Harbour Post", None, "empty"),
        (f'b1,"{story(next(n))}",Harbour Post', None, "duplicate id"),
    ]
    number = 1
    for row, good, word in rows:
        if good:
            c.good[good] = row.split('"')[1]
            if "\x00" in row:
                c.noticed[c.where("bad.csv", number)] = "NUL"
        if word:
            c.bad[c.where("bad.csv", number)] = word
        number += row.count("\n") + 1
    c.path("bad.csv").write_text("\n".join(row for row, _, _ in rows) + "\n", encoding="utf-8")
    c.path("zero.csv").write_bytes(b"")
    c.bad[c.where("zero.csv")] = "empty"
    c.path("no-text-column.csv").write_text("id,words\n1,some words\n", encoding="utf-8")
    c.bad[c.where("no-text-column.csv")] = "no text column"

    # ---- JSON files
    c.path("list.json").write_text(json.dumps([{"id": "list-1", "text": derived(next(n))}, "a string",
                                               {"id": "list-3", "text": story(next(n))}]), encoding="utf-8")
    for i in (1, 3):
        c.good[f"list-{i}"] = json.loads(c.path("list.json").read_text())[i - 1]["text"]
    c.bad[f"{c.path('list.json')}:record 2"] = "not a JSON object"
    c.path("deep.json").write_text("{" + '"a":{' * 1200 + "}" * 1201, encoding="utf-8")
    c.bad[c.where("deep.json")] = "nested"
    c.good["json-utf16"] = derived(next(n))
    c.path("utf16.json").write_bytes(json.dumps({"id": "json-utf16", "text": c.good["json-utf16"]}).encode("utf-16-be"))
    c.path("empty.json").write_bytes(b"")
    c.bad[c.where("empty.json")] = "empty"

    # ---- gzip
    gz_records = [{"id": f"gz-{i}", "text": story(next(n)) + " " + "padding words " * 40} for i in range(60)]
    whole = gzip.compress(_jsonl([json.dumps(r) for r in gz_records]).encode())
    c.path("cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    c.maybe.update({r["id"]: r["text"] for r in gz_records})
    c.bad_prefix[c.where("cut.jsonl.gz") + ":"] = "truncated"
    c.path("not-gzip.jsonl.gz").write_text('{"id": "x", "text": "plain"}\n', encoding="utf-8")
    c.bad_prefix[c.where("not-gzip.jsonl.gz")] = "gzip"

    # ---- HTML
    html = (f"<html><head><title>Harbour &#xd83d; page</title><script>{PWN}</script></head><body>"
            f"<article><h1>Harbour page</h1><p>{derived(next(n))}</p><p onclick=\"{PWN}\">"
            f"{story(next(n))} &#xd83d; broken entity.</p></article></body></html>")
    c.path("page.html").write_text(html, encoding="utf-8")
    c.phrases["page.html"] = ("quay wall was weaker",)
    c.path("shell.html").write_text(f"<html><body><script>{PWN}</script><div id=app></div></body></html>",
                                    encoding="utf-8")
    c.bad[c.where("shell.html")] = "no article text"

    # ---- WARC
    _write_warc(c, next(n))
    return c


def _write_warc(c: HostileCollection, seed: int) -> None:
    try:
        from warcio.statusandheaders import StatusAndHeaders
        from warcio.warcwriter import WARCWriter
    except ImportError:
        return
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    pages = []
    for i in range(6):
        uri = f"https://harbour.example/warc/{i}"
        body = (f"<html><head><title>Page {i}</title></head><body><article><h1>Page {i}</h1>"
                f"<p>{derived(seed * 100 + i)}</p><p>{story(seed * 100 + 50 + i)}</p></article></body></html>")
        pages.append(uri)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body.encode()),
                                                      http_headers=http,
                                                      warc_headers_dict={"WARC-Date": "2021-03-04T05:06:07Z"}))
    data = buf.getvalue()
    c.path("cut.warc.gz").write_bytes(data[: len(data) * 3 // 4])
    c.phrases.update({uri: ("quay wall was weaker",) for uri in pages})  # those before the cut, if stored
    c.bad_prefix[c.where("cut.warc.gz") + ":"] = "truncated"
    c.path("junk.warc").write_bytes(random.Random(3).randbytes(3000))
    c.bad_prefix[c.where("junk.warc")] = "WARC"
