"""The HTML report: pair view and site, offline, escaped, from the library calls."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from newstrace.cli import main
from newstrace.ingest import load_path
from newstrace.report import pair_report, pair_view
from newstrace.report.runs import derivative_runs, source_runs
from newstrace.report.views import safe_url
from tests.hostile import hostile_pair, write_hostile_files

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "examples" / "seeds").glob("*.txt"))


@pytest.fixture(scope="module")
def seeds():
    return [load_path(str(p)).document for p in SEEDS]


@pytest.fixture(scope="module")
def seed_html(seeds):
    return pair_report(*seeds)


def _text(runs) -> str:
    return "".join(r.text for r in runs if r.start is not None)


def test_runs_rebuild_both_texts_exactly(seeds):
    view = pair_view(*seeds)
    assert _text(view["left_runs"]) == seeds[0].text
    assert _text(view["right_runs"]) == seeds[1].text
    # offsets are where the text is
    for side, doc in (("left_runs", seeds[0]), ("right_runs", seeds[1])):
        for r in view[side]:
            if r.start is not None:
                assert doc.text[r.start:r.start + len(r.text)] == r.text


def test_seed_pair_view_shows_passages_on_both_sides(seeds, seed_html):
    view = pair_view(*seeds)
    assert view["relation"] == "siblings" and view["common_source"] == "CNN"
    kinds = [p["label"] for p in view["passages"]]
    assert kinds.count("quotation") == 1 and len(kinds) == 4
    for side in ("left", "right"):
        block = re.search(rf'<div class="text" dir="auto" data-side="{side}">(.*?)</div>', seed_html, re.S).group(1)
        found = set(re.findall(r'data-p="(\d+)"', block))
        assert found == {"0", "1", "2", "3"}, side
    # the doubled word 002 dropped is struck through on the right, and marked on the left
    assert re.search(r'<del class="k-edited gone" data-p="\d">has ?</del>', seed_html)
    # the qualifiers 002 left out are flagged
    assert 'class="k-left_out omission"' in seed_html
    assert "very limited, if any" in seed_html
    assert "[1272, 2083)" in seed_html and "[1066, 1873)" in seed_html


def test_report_is_offline(seed_html):
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)=', seed_html)
    assert "http://" not in seed_html.split("<footer>")[0].replace("http(s)", "")
    assert seed_html.count("<script>") == 1 and seed_html.count("<style>") == 1
    import html as _html

    assert "Content-Security-Policy" in seed_html and "script-src 'sha256-" in _html.unescape(seed_html)


def test_hostile_article_is_escaped():
    a, b = hostile_pair()
    html = pair_report(a, b)
    body = html.split("<script>(function", 1)[0]  # everything before our one script
    assert "<script>window" not in body and "<svg onload" not in body and "<img src=x" not in body
    assert "<b onmouseover" not in body and 'href="javascript:' not in body
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in body
    assert "&lt;img src=x onerror=&#34;window.__pwned=1&#34;&gt;" in body
    assert "javascript:window.__pwned=1" in body  # shown as text
    assert "قال المتحدث" in body and "הדובר" in body and "x" * 20_000 in body
    assert_inert(body)  # the attribute-breaking quote never closes one of our attributes


def test_safe_url():
    assert safe_url("https://example.org/a") == "https://example.org/a"
    for bad in ("javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,x", "//evil", "", None, "http://"):
        assert safe_url(bad) is None


def test_no_passages_still_renders():
    from newstrace.records import Document

    a = Document(id="a", text="Entirely one thing about the harbour budget.")
    b = Document(id="b", text="Something else about football results today.")
    html = pair_report(a, b)
    assert "No shared passages." in html


def test_derivative_runs_show_inserted_and_deleted_words(seeds):
    from newstrace.anatomy import anatomy

    an = anatomy(seeds[1], [seeds[0]])
    ps = [p for _s, p in an.passages]
    runs = derivative_runs(seeds[1].text, an.segments, ps)
    dels = [r for r in runs if r.tag == "del"]
    assert any(r.text.strip() == "has" for r in dels)
    srcr = source_runs(seeds[0].text, an.source_segments[seeds[0].id], ps, an.omissions)
    assert any(r.tag == "mark" for r in srcr)


def test_cli_report_pair_and_site(tmp_path):
    out = tmp_path / "r.html"
    r = CliRunner().invoke(main, ["report", *map(str, SEEDS), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "Pentagon Confirms" in out.read_text(encoding="utf-8")
    db = tmp_path / "s.duckdb"
    r = CliRunner().invoke(main, ["scan", *map(str, SEEDS), "--db", str(db), "--progress", "never", "--workers", "1"])
    assert r.exit_code == 0, r.output
    site = tmp_path / "site"
    r = CliRunner().invoke(main, ["report", "--db", str(db), "-o", str(site), "--stories", "5"])
    assert r.exit_code == 0, r.output
    names = sorted(p.name for p in site.iterdir())
    assert names == ["index.html", "pair-1-1.html", "story-1.html"]
    index = (site / "index.html").read_text(encoding="utf-8")
    story = (site / "story-1.html").read_text(encoding="utf-8")
    assert 'href="story-1.html"' in index
    assert 'href="pair-1-1.html"' in story and "<svg" in story and "stroke-dasharray" in story
    assert "not in the collection" in story and "common credit" in story
    # the story's summary comes before its lists
    glance = story.index("At a glance")
    assert glance < story.index("Who copied whom") < story.index("Timeline of publication")
    assert "CNN report by Ryan Browne, August 4, 2017" in story[glance:story.index("Who copied whom")]
    # every link is relative and resolves inside the site
    for page in site.iterdir():
        for href in re.findall(r'href="([^"#]+)"', page.read_text(encoding="utf-8")):
            if href.startswith(("http://", "https://")):
                continue
            assert (site / href).exists(), (page.name, href)


def test_cli_report_errors(tmp_path):
    r = CliRunner().invoke(main, ["report", str(SEEDS[0]), "-o", str(tmp_path / "x.html")])
    assert r.exit_code == 2 and "give two files" in r.output
    r = CliRunner().invoke(main, ["report", "--db", str(tmp_path / "none.duckdb"), "-o", str(tmp_path / "s")])
    assert r.exit_code == 2 and "no such store" in r.output


def test_hostile_site(tmp_path):
    db = tmp_path / "h.duckdb"
    paths = write_hostile_files(tmp_path)
    r = CliRunner().invoke(main, ["scan", *map(str, paths), "--db", str(db), "--progress", "never", "--workers", "1"])
    assert r.exit_code == 0, r.output
    site = tmp_path / "site"
    r = CliRunner().invoke(main, ["report", "--db", str(db), "-o", str(site)])
    assert r.exit_code == 0, r.output
    for page in site.iterdir():
        html = page.read_text(encoding="utf-8").split("<script>(function", 1)[0]
        assert_inert(html)
        assert "&lt;script&gt;window.__pwned=1" in html or page.name == "index.html"


def assert_inert(html: str) -> None:
    """No tag of the page carries the attacker's code, an event handler or a javascript: link."""
    assert "<script>window" not in html and 'href="javascript:' not in html
    for tag in re.findall(r"<[a-zA-Z][^>]*>", html):
        assert "pwned" not in tag, tag
        assert not re.search(r"\son[a-z]+\s*=", tag), tag


def _rewritten_pair(hostile: bool = False):
    from newstrace.records import Document
    from tests.test_provenance import AGENCY, PAPER

    paper = PAPER.replace("Local fishermen", "Local <script>window.__pwned=1</script> fishermen") if hostile else PAPER
    return Document(id="agency", text=AGENCY), Document(id="paper", text=paper)


def test_pair_view_tints_rewritten_text_and_lists_its_sentence_pairs():
    a, b = _rewritten_pair()
    view = pair_view(a, b)
    (p,) = view["passages"]
    assert p["kind"] == p["label"] == "rewritten" and len(p["sentences"]) >= 3
    for x in p["sentences"]:
        assert x["source"] == a.text[x["a"][0]:x["a"][1]] and x["here"] == b.text[x["b"][0]:x["b"][1]]
    assert {r.label for r in view["right_runs"]} >= {"rewritten"} and _text(view["right_runs"]) == b.text
    assert {r.label for r in view["left_runs"]} >= {"used"} and _text(view["left_runs"]) == a.text
    html = pair_report(a, b)
    assert 'class="k-rewritten"' in html or "k-rewritten" in html
    assert "which sentence became which" in html
    assert "Cargo ships will pay eleven percent more" in html  # a sentence of the derivative, in the table


def test_rewritten_sentence_pairs_are_escaped():
    a, b = _rewritten_pair(hostile=True)
    html = pair_report(a, b)
    body = html.split("<script>(function", 1)[0]
    assert "which sentence became which" in body
    assert "<script>window" not in body and "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in body


def test_stored_pair_page_shows_rewritten_passages(tmp_path):
    a, b = _rewritten_pair()
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "agency.txt").write_text(a.text, encoding="utf-8")
    (folder / "paper.txt").write_text(b.text, encoding="utf-8")
    db = tmp_path / "s.duckdb"
    r = CliRunner().invoke(main, ["scan", str(folder), "--db", str(db), "--progress", "never", "--workers", "1"])
    assert r.exit_code == 0, r.output
    site = tmp_path / "site"
    r = CliRunner().invoke(main, ["report", "--db", str(db), "-o", str(site)])
    assert r.exit_code == 0, r.output
    pair = next(p for p in site.iterdir() if p.name.startswith("pair-")).read_text(encoding="utf-8")
    assert "k-rewritten" in pair and "which sentence became which" in pair
    assert "Cargo ships will pay eleven percent more" in pair
