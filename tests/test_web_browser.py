"""The report and the app in a real headless Chromium (Debian's chromium and chromedriver),
as a person would use them. Skipped when either is missing. Set NEWSTRACE_SHOTS=DIR to keep
the screenshots."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

webdriver = pytest.importorskip("selenium.webdriver")

from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from newstrace.ingest import load_path  # noqa: E402
from newstrace.report import pair_report  # noqa: E402
from tests.hostile import hostile_pair  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "examples" / "seeds").glob("*.txt"))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = [pytest.mark.skipif(not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER)),
                                 reason="needs Debian's chromium and chromium-driver"),
              pytest.mark.slow]


@pytest.fixture(scope="module")
def browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
              "--disable-extensions", "--no-first-run"):
        opts.add_argument(a)
    d = webdriver.Chrome(service=Service(executable_path=DRIVER), options=opts)  # never Selenium Manager
    d.set_page_load_timeout(60)
    yield d
    d.quit()


@pytest.fixture
def shots(tmp_path):
    keep = os.environ.get("NEWSTRACE_SHOTS")

    def save(d, name: str) -> Path:
        path = tmp_path / f"{name}.png"
        assert d.save_screenshot(str(path)) and path.stat().st_size > 10_000
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(keep) / path.name)
        return path

    return save


def _visible_in_pane(d, el) -> bool:
    return d.execute_script("""
        const el = arguments[0], pane = el.closest('.pane-body');
        const r = el.getBoundingClientRect(), p = pane.getBoundingClientRect();
        return r.top >= p.top - 1 && r.top < p.bottom && r.bottom > p.top;""", el)


def test_seed_pair_report(browser, tmp_path, shots):
    docs = [load_path(str(p)).document for p in SEEDS]
    page = tmp_path / "report.html"
    page.write_text(pair_report(*docs), encoding="utf-8")
    d = browser
    d.get(page.as_uri())
    for side in ("left", "right"):
        for p in range(4):  # three passages and the quoted phrase, on both sides
            els = d.find_elements(By.CSS_SELECTOR, f'.text[data-side="{side}"] [data-p="{p}"]')
            assert els, (side, p)
            bg = d.execute_script("return getComputedStyle(arguments[0]).backgroundColor", els[0])
            assert bg not in ("rgba(0, 0, 0, 0)", "transparent"), (side, p, bg)
    # the last passage sits far down the left text: clicking it on the right brings it into view on the left
    left = d.find_element(By.CSS_SELECTOR, '.text[data-side="left"] [data-p="3"]')
    assert not _visible_in_pane(d, left)
    d.find_element(By.CSS_SELECTOR, '.text[data-side="right"] [data-p="3"]').click()
    WebDriverWait(d, 5).until(lambda _d: _visible_in_pane(d, left))
    assert "hl" in left.get_attribute("class")
    assert len(d.find_elements(By.CSS_SELECTOR, '.hl[data-p="3"]')) >= 2
    # a row of the passage list does the same
    d.find_element(By.CSS_SELECTOR, 'table.passages tr[data-p="1"]').click()
    first = d.find_element(By.CSS_SELECTOR, '.text[data-side="left"] [data-p="1"]')
    WebDriverWait(d, 5).until(lambda _d: _visible_in_pane(d, first))
    assert d.find_elements(By.CSS_SELECTOR, "del.k-edited")  # the doubled word, struck
    assert d.find_elements(By.CSS_SELECTOR, "mark.omission")
    d.execute_script("window.scrollTo(0, 0)")
    shots(d, "pair-report")


def test_hostile_article_does_not_execute(browser, tmp_path, shots):
    page = tmp_path / "hostile.html"
    page.write_text(pair_report(*hostile_pair()), encoding="utf-8")
    d = browser
    d.get(page.as_uri())
    for el in d.find_elements(By.CSS_SELECTOR, ".text [data-p]")[:3]:
        el.click()
    assert d.execute_script("return typeof window.__pwned") == "undefined"
    text = d.find_element(By.TAG_NAME, "body").text
    assert "<script>window.__pwned=1</script>" in text
    assert '<img src=x onerror="window.__pwned=1">' in text
    assert "[the full plan](javascript:window.__pwned=1)" in text
    assert "قال المتحدث" in text and "הדובר" in text
    assert not d.find_elements(By.CSS_SELECTOR, "main img, main script, .text svg, a[href^='javascript']")
    # the 20,000-character line wraps inside its pane instead of widening the page
    assert d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    shots(d, "hostile-report")


def test_serve_browse_and_query(browser, tmp_path, shots):
    from tests.test_web import free_port, scan_store, start_server

    db = tmp_path / "seeds.duckdb"
    scan_store(db, *SEEDS)
    port = free_port()
    proc = start_server(db, port)
    d = browser
    wait = WebDriverWait(d, 20)
    try:
        d.get(f"http://127.0.0.1:{port}/")
        assert "Collection overview" in d.find_element(By.TAG_NAME, "h1").text
        shots(d, "app-overview")
        d.find_element(By.LINK_TEXT, "story 1").click()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "svg.graph")))
        assert d.find_elements(By.CSS_SELECTOR, "svg.graph .node.placeholder")
        shots(d, "app-story")
        d.find_element(By.LINK_TEXT, "side by side").click()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, '.text[data-side="right"] [data-p="2"]')))
        d.find_element(By.CSS_SELECTOR, '.text[data-side="right"] [data-p="2"]').click()
        left = d.find_element(By.CSS_SELECTOR, '.text[data-side="left"] [data-p="2"]')
        wait.until(lambda _d: _visible_in_pane(d, left))
        shots(d, "app-pair")
        d.find_element(By.LINK_TEXT, "Where was this used").click()
        box = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "form.query textarea")))
        box.send_keys("We can confirm there have been a handful of isolated defections")
        d.find_element(By.CSS_SELECTOR, "form.query button").click()
        result = wait.until(EC.presence_of_element_located((By.ID, "results")))
        assert "Found in 1 document" in result.text
        shots(d, "app-query")
        d.get(f"http://127.0.0.1:{port}/search?q=Dillon")
        assert "2 documents contain" in d.find_element(By.TAG_NAME, "main").text
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_walk_a_collection(browser, tmp_path, shots):
    """overview → filtered list → document → neighbourhood → pair → download, in a real browser."""
    import json

    from tests.test_web import collection_jsonl, free_port, scan_store, start_server

    src = tmp_path / "articles.jsonl"
    collection_jsonl(src)
    db = tmp_path / "coll.duckdb"
    scan_store(db, src)
    port = free_port()
    proc = start_server(db, port)
    d = browser
    wait = WebDriverWait(d, 30)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    d.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    try:
        d.get(f"http://127.0.0.1:{port}/")
        assert "Collection overview" in d.find_element(By.TAG_NAME, "h1").text
        shots(d, "walk-1-overview")
        d.find_element(By.LINK_TEXT, "Documents").click()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "aside.facets")))
        # the first outlet of the facet: its count is the list's total
        link = d.find_element(By.CSS_SELECTOR, 'section.facet[data-facet="outlet"] li a')
        outlet = link.text
        count = int(d.find_element(By.CSS_SELECTOR, 'section.facet[data-facet="outlet"] li .n').text)
        link.click()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "p.chips a.chip")))
        assert outlet in d.find_element(By.CSS_SELECTOR, "p.chips").text
        assert d.find_element(By.CSS_SELECTOR, "nav.pager .count").text.startswith(f"{count} row")
        cells = d.find_elements(By.CSS_SELECTOR, "table.docs tbody tr td:nth-child(2)")
        assert len(cells) == count and {c.text for c in cells} == {outlet}
        # sort by date, newest first (two clicks on the header)
        d.find_element(By.LINK_TEXT, "published").click()
        d.find_element(By.LINK_TEXT, "published").click()
        dates = [c.text for c in d.find_elements(By.CSS_SELECTOR, "table.docs tbody tr td:nth-child(3)")]
        assert dates == sorted(dates, reverse=True) and len(dates) == count
        listed = [a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "table.docs tbody tr td:first-child > a")]
        shots(d, "walk-2-filtered-list")
        # the JSON download of this view has the same rows in the same order
        d.find_element(By.CSS_SELECTOR, "nav.pager a.dl-json").click()
        data = json.loads(wait.until(EC.presence_of_element_located((By.TAG_NAME, "body"))).text)
        assert [f"http://127.0.0.1:{port}/doc?id={r['id']}" for r in data["rows"]] == listed
        d.back()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.docs")))
        d.find_element(By.CSS_SELECTOR, "nav.pager a.dl-csv").click()
        for _ in range(100):
            done = [p for p in downloads.iterdir() if p.suffix == ".csv"]
            if done:
                break
            time.sleep(0.1)
        assert done and len(done[0].read_text(encoding="utf-8").splitlines()) == count + 1
        # a document, its neighbourhood, a pair
        d.find_element(By.CSS_SELECTOR, "table.docs tbody tr td:first-child > a").click()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "a.nb-link")))
        assert d.find_elements(By.CSS_SELECTOR, ".text")
        shots(d, "walk-3-document")
        d.find_element(By.CSS_SELECTOR, "a.nb-link").click()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "svg.graph")))
        assert len(d.find_elements(By.CSS_SELECTOR, "svg.graph .node")) >= 2
        shots(d, "walk-4-neighbourhood")
        d.find_element(By.CSS_SELECTOR, "a.pair-link").click()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, '.text[data-side="right"]')))
        assert len(d.find_elements(By.CSS_SELECTOR, ".text[data-side]")) == 2
        shots(d, "walk-5-pair")
        d.get(f"http://127.0.0.1:{port}/story/1")
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "svg.timeline circle")))
        shots(d, "walk-6-story-timeline")
        d.get(f"http://127.0.0.1:{port}/passages")
        shots(d, "walk-7-passages")
        assert d.execute_script("return typeof window.__pwned") == "undefined"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
