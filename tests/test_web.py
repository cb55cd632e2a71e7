"""The web app: pages, API, bounds, errors, escaping, and the snapshot that lets a scan run meanwhile."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from newstrace.cli import main  # noqa: E402
from newstrace.web import SnapshotError, snapshot  # noqa: E402
from newstrace.web.app import MAX_PASTE, create_app  # noqa: E402
from tests.hostile import write_hostile_files  # noqa: E402
from tests.test_report import assert_inert  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "examples" / "seeds").glob("*.txt"))
A, B = (p.name for p in SEEDS)


def scan_store(db: Path, *paths) -> None:
    r = CliRunner().invoke(main, ["scan", *map(str, paths), "--db", str(db), "--progress", "never", "--workers", "1"])
    assert r.exit_code == 0, r.output


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("web") / "seeds.duckdb"
    scan_store(db, *SEEDS)
    return db


@pytest.fixture(scope="module")
def client(seed_db):
    return TestClient(create_app(seed_db), raise_server_exceptions=False)


def test_pages(client):
    r = client.get("/")
    assert r.status_code == 200 and "Collection overview" in r.text and 'href="/story/1"' in r.text
    assert "Content-Security-Policy" in r.headers and "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    r = client.get("/story/1")
    assert r.status_code == 200 and "<svg" in r.text and "/pair?a=" in r.text
    assert r.text.index("At a glance") < r.text.index("Who copied whom")
    r = client.get("/doc", params={"id": B})
    assert r.status_code == 200 and "What this text is made of" in r.text and "Russia Insider" in r.text
    r = client.get("/pair", params={"a": A, "b": B})
    assert r.status_code == 200 and r.text.count('<div class="text" dir="auto" data-side=') == 2 and "very limited, if any" in r.text
    r = client.get("/search", params={"q": "Dillon"})
    assert r.status_code == 200 and "2 documents contain" in r.text and '<span class="hit">Dillon</span>' in r.text
    r = client.post("/query", data={"text": "We can confirm there have been a handful of isolated defections"})
    assert r.status_code == 200 and "Found in 1 document" in r.text


def test_api(client):
    ov = client.get("/api/overview").json()
    assert ov["counts"]["documents"] == 2 and ov["stories"][0]["id"] == 1
    st = client.get("/api/stories/1").json()
    assert any(n["placeholder"] for n in st["provenance"]["nodes"])
    assert st["summary"]["documents"] == 2 and st["summary"]["placeholders"] == 2
    assert st["summary"]["roots"][0]["label"] == "CNN report by Ryan Browne, August 4, 2017"
    doc = client.get("/api/document", params={"id": B}).json()
    assert doc["anatomy"]["summary"]["words"] > 0 and doc["story"] == 1
    pair = client.get("/api/pair", params={"a": A, "b": B}).json()
    assert pair["compare"]["scores"]["passages"] == 3 and pair["compare"]["scores"]["quotations"] == 1
    hits = client.get("/api/search", params={"q": "at tanf"}).json()
    assert hits["total"] == 2
    q = client.post("/api/query", json={"text": "US Army Col. Ryan Dillon, a coalition spokesman, told CNN that one of"
                                                " the defectors was actively attempting to recruit"}).json()
    assert {m["id"] for m in q["matches"]} == {A, B}
    schema = client.get("/openapi.json").json()
    assert {"/api/overview", "/api/pair", "/api/query", "/api/search"} <= set(schema["paths"])
    page = client.get("/api")
    assert "/api/stories/{sid}" in page.text and "/openapi.json" in page.text
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404


def test_errors_and_bounds(client):
    r = client.get("/nowhere")
    assert r.status_code == 404 and '<div class="error">' in r.text and "Traceback" not in r.text
    assert client.get("/story/999").status_code == 404
    assert client.get("/api/stories/999").json()["status"] == 404
    assert client.get("/doc", params={"id": "../../etc/passwd"}).status_code == 404
    assert client.get("/static/../../etc/passwd").status_code == 404
    r = client.get("/search", params={"q": "x" * 501})
    assert r.status_code == 422 and '<div class="error">' in r.text
    assert client.get("/", params={"page": 10**9}).status_code == 422
    assert client.get("/story/abc").status_code == 422
    r = client.post("/query", data={"text": "y" * (MAX_PASTE + 1)})
    assert r.status_code == 413 and "paste at most 200,000" in r.text
    r = client.post("/api/query", json={"text": "y" * (MAX_PASTE + 1)})
    assert r.status_code == 413 and r.json()["status"] == 413
    r = client.post("/query", content=b"x" * (5 * MAX_PASTE), headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413
    r = client.post("/query", data={"text": "   "})
    assert r.status_code == 422 and "paste some text" in r.text
    assert client.delete("/").status_code == 405


def test_hostile_documents_escaped(tmp_path):
    db = tmp_path / "h.duckdb"
    scan_store(db, *write_hostile_files(tmp_path))
    c = TestClient(create_app(db), raise_server_exceptions=False)
    for url, params in [("/", {}), ("/story/1", {}), ("/doc", {"id": "evil-a"}), ("/pair", {"a": "evil-a", "b": "evil-b"}),
                        ("/search", {"q": "<script>"})]:
        r = c.get(url, params=params)
        assert r.status_code == 200, url
        body = r.text.split("<script>(function", 1)[0]
        assert_inert(body)
    r = c.get("/search", params={"q": "<script>"})
    assert "&lt;script&gt;" in r.text and "1 document contain" in r.text or "2 documents contain" in r.text


def test_snapshot_refuses_while_a_writer_holds_the_store(seed_db, tmp_path):
    import shutil

    from newstrace.store import open_store

    seed_db = Path(shutil.copy(seed_db, tmp_path / "held.duckdb"))  # the app fixture holds the original
    w = open_store(seed_db, read_only=False)
    try:
        code = ("import sys; from newstrace.web import snapshot, SnapshotError\n"
                "try:\n    snapshot(sys.argv[1], sys.argv[2])\nexcept SnapshotError as e:\n    print(e); sys.exit(3)\n")
        r = subprocess.run([sys.executable, "-c", code, str(seed_db), str(tmp_path)], capture_output=True, text=True,
                           cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    finally:
        w.close()
    assert r.returncode == 3, r.stderr
    assert f"{seed_db}: the store is open for writing by PID {os.getpid()} (" in r.stdout  # this test's process
    assert "start serve when it ends" in r.stdout
    with pytest.raises(SnapshotError, match="no such store"):
        snapshot(tmp_path / "missing.duckdb", tmp_path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int) -> subprocess.Popen:
    """``newstrace serve`` in a subprocess, once it answers."""
    proc = subprocess.Popen([sys.executable, "-m", "newstrace", "serve", "--db", str(db), "--port", str(port)],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/overview", timeout=2)
            return proc
        except OSError:
            if proc.poll() is not None:
                raise AssertionError(proc.stderr.read()) from None
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("serve did not start")


def test_serve_while_a_scan_writes(tmp_path):
    db = tmp_path / "live.duckdb"
    scan_store(db, SEEDS[0])
    port = free_port()
    proc = start_server(db, port)
    try:
        more = tmp_path / "more"
        more.mkdir()
        (more / "copy.txt").write_text(SEEDS[1].read_text(encoding="utf-8"), encoding="utf-8")
        r = subprocess.run([sys.executable, "-m", "newstrace", "scan", str(more), "--db", str(db), "--progress", "never",
                            "--workers", "1"], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        assert "1 added" in r.stdout
        ov = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/overview", timeout=10))
        assert ov["counts"]["documents"] == 1  # the data as of its start
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).read().decode("utf-8")
        assert "Collection overview" in page
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_serve_without_fastapi_says_how_to_install(monkeypatch):
    import newstrace.web as web

    def missing():
        raise web.WebUnavailable("the web app needs FastAPI and uvicorn (fastapi is missing): "
                                 "pip install 'newstrace[web]'")

    monkeypatch.setattr(web, "require_web", missing)
    r = CliRunner().invoke(main, ["serve", "--db", "x.duckdb"])
    assert r.exit_code == 2 and "newstrace: error:" in r.output and "pip install 'newstrace[web]'" in r.output


def test_only_its_own_host_name_is_answered(seed_db):
    from newstrace.web.app import LOOPBACK_NAMES

    app = create_app(seed_db, allowed_hosts=LOOPBACK_NAMES)
    ok = TestClient(app, base_url="http://127.0.0.1:8000", raise_server_exceptions=False)
    assert ok.get("/").status_code == 200
    assert TestClient(app, base_url="http://localhost", raise_server_exceptions=False).get("/").status_code == 200
    evil = TestClient(app, base_url="http://rebound.example:8000", raise_server_exceptions=False)
    r = evil.get("/")
    assert r.status_code == 421 and "own address" in r.text and "Traceback" not in r.text
    assert evil.get("/api/overview").status_code == 421
