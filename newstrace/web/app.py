"""The web app: HTML pages and a JSON API over one (snapshot) store.

Every page is rendered by :mod:`newstrace.report` (autoescaped templates,
the same views as the offline report). Inputs are bounded: query parameters
by length, pages by number, pasted text by :data:`MAX_PASTE` characters (a
413 page beyond). Errors are pages (or JSON under ``/api``), never
tracebacks. No route takes a file path from the user; the stylesheet and
script are inlined from package data.
"""

# No "from __future__ import annotations": FastAPI reads the endpoints' annotations, which name
# classes imported inside create_app (FastAPI is an optional extra).

import datetime as _dt
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from . import require_web

MAX_PASTE = 200_000          # characters of pasted text for "where was this used"
MAX_BODY = 4 * MAX_PASTE + 64_000  # bytes of a request body (URL-encoded or JSON text)
MAX_ID = 1_000
MAX_Q = 500
PAGE = 50
MAX_PAGE = 100_000


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def create_app(db: str | Path, *, name: str | None = None, taken: _dt.datetime | None = None,
               allowed_hosts: tuple[str, ...] | None = None):
    """The FastAPI app over the store file ``db``, opened read-only.

    ``allowed_hosts``: the host names a request's ``Host`` header may give
    (any port); others get a 421 page. `serve` on a loopback address passes
    the loopback names, so that a web page elsewhere cannot reach the app
    through a DNS name rebound to 127.0.0.1. ``None`` checks nothing."""
    require_web()
    from fastapi import Body, FastAPI, Query, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import HTMLResponse, JSONResponse
    from starlette.exceptions import HTTPException

    from ..report import render
    from ..report.collection import document_rows, overview, search
    from ..report.render import content_security_policy
    from ..report.views import (Links, document_view, graph_neighbours, pair_view, short_name, stored_pair,
                                stored_story, story_view)
    from ..store import open_store

    store = open_store(db, read_only=True, create=False)
    lock = threading.Lock()
    name = name or Path(db).name
    links = Links(story=lambda s: f"/story/{s}", doc=lambda d: "/doc?" + urlencode({"id": d}),
                  pair=lambda a, b: "/pair?" + urlencode({"a": a, "b": b}))
    nav = [("Overview", "/"), ("Search", "/search"), ("Where was this used", "/query"), ("API", "/api")]

    app = FastAPI(title="newstrace", version="1", docs_url=None, redoc_url=None, openapi_url="/openapi.json",
                  description="Browse a newstrace store: documents, stories, pairs, search, and where a text was "
                              "used. Read only; served from a snapshot taken at start.")
    app.state.store = store

    def page(template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        html = render(template, offline=False, nav=nav, db=name, taken=taken, **ctx)
        return HTMLResponse(html, status_code=status)

    def error_page(request: Request, status: int, message: str):
        if request.url.path.startswith("/api"):
            return JSONResponse({"error": message, "status": status}, status_code=status)
        return page("error.html", status=status, status_code=status, message=message)

    @app.middleware("http")
    async def guard(request: Request, call_next):
        if allowed_hosts is not None:
            host = request.headers.get("host", "")
            host = host if host.startswith("[") and host.endswith("]") else host.rsplit(":", 1)[0] \
                if not host.startswith("[") else host[: host.index("]") + 1]
            if host not in allowed_hosts:
                return error_page(request, 421, "this server answers only to its own address "
                                                f"({', '.join(allowed_hosts)}); open it by that name")
        size = request.headers.get("content-length")
        if size is not None and (not size.isdigit() or int(size) > MAX_BODY):
            return error_page(request, 413, f"the request is too large: paste at most {MAX_PASTE:,} characters")
        try:
            response = await call_next(request)
        except Exception:  # noqa: BLE001 - a page, never a traceback
            response = error_page(request, 500, "something went wrong on our side; the server log has details")
        response.headers["Content-Security-Policy"] = content_security_policy(header=True)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        plain = {404: "no such page", 405: "this page does not take that kind of request"}
        message = exc.detail if isinstance(exc.detail, str) and exc.detail not in ("Not Found", "Method Not Allowed") \
            else plain.get(exc.status_code, "error")
        return error_page(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        parts = []
        for err in exc.errors()[:3]:
            where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body"))
            parts.append(f"{where}: {err.get('msg', 'invalid')}")
        return error_page(request, 422, "bad request: " + "; ".join(parts))

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception):  # pragma: no cover - the middleware catches first
        return error_page(request, 500, "something went wrong on our side; the server log has details")

    async def read_body(request: Request) -> bytes:
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                raise HTTPException(413, f"the request is too large: paste at most {MAX_PASTE:,} characters")
            chunks.append(chunk)
        return b"".join(chunks)

    # -- data, shared by the pages and the API ----------------------------------------

    def get_story(sid: int):
        with lock:
            docs, passages = store.story(sid)
        if not docs:
            raise HTTPException(404, f"no story {sid} in {name}")
        return docs, passages

    def get_stored(sid: int, docs, decisions: bool = False):
        """The story's analysis as the scan stored it (None: computed by the view)."""
        with lock:
            return stored_story(store, sid, [d.id for d in docs], decisions=decisions)

    def get_analysed_story(sid: int, decisions: bool = False):
        """A story's documents and stored analysis; its passages only when
        nothing is stored (the views compute from them then)."""
        with lock:
            docs = store.story_docs(sid)
        if not docs:
            raise HTTPException(404, f"no story {sid} in {name}")
        stored = get_stored(sid, docs, decisions)
        return (docs, {}, stored) if stored is not None else (*get_story(sid), None)

    def get_docs(*ids: str):
        with lock:
            rows = {d.id: (d, s) for d, s in store.documents(list(ids))}
        for i in ids:
            if i not in rows:
                raise HTTPException(404, f"no document with that id in {name}")
        return [rows[i] for i in ids]

    def run_query(text: str):
        from ..engines.local import query

        if len(text) > MAX_PASTE:
            raise HTTPException(413, f"the text is {len(text):,} characters; paste at most {MAX_PASTE:,}")
        if not text.strip():
            raise HTTPException(422, "paste some text to look for")
        with lock:
            return query(store, text, limit=200)

    def overview_data(page_no: int):
        with lock:
            ov = overview(store)
            rows = document_rows(store, offset=(page_no - 1) * PAGE, limit=PAGE)
        return ov, rows

    # -- pages ------------------------------------------------------------------------

    def Id():  # noqa: N802 - a fresh parameter declaration per use
        return Query(..., min_length=1, max_length=MAX_ID)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(page_no: int = Query(1, ge=1, le=MAX_PAGE, alias="page")):
        ov, rows = overview_data(page_no)
        for r in rows:
            r["href"] = links.doc(r["id"])
            r["story_href"] = links.story(r["story"]) if r["story"] is not None else None
        total = ov["counts"]["documents"]
        docs = {"rows": rows, "prev": f"/?page={page_no - 1}" if page_no > 1 else None,
                "next": f"/?page={page_no + 1}" if page_no * PAGE < total else None}
        return page("index.html", ov=ov, links={"story": {s["id"]: links.story(s["id"]) for s in ov["stories"]}
                                                | {c["story"]: links.story(c["story"]) for c in ov["clusters"]
                                                   if c["story"] is not None}}, docs=docs)

    @app.get("/story/{sid}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(sid: int):
        docs, passages, stored = get_analysed_story(sid)
        return page("story.html", view=story_view(docs, passages, links, story_id=sid, stored=stored))

    @app.get("/doc", response_class=HTMLResponse, include_in_schema=False)
    def doc_page(id: str = Id()):  # noqa: A002 - the parameter's public name
        (doc, sid), = get_docs(id)
        docs, passages, stored = get_analysed_story(sid) if sid is not None else ([doc], {}, None)
        if stored is not None:  # the pairs of this document only: its sources are stored
            with lock:
                mine = store.document_passages(doc.id, docs)
        view = document_view(doc, docs, mine if stored else passages, links, graph=stored.graph if stored else None)
        graph = None
        if sid is not None:
            sv = story_view(docs, passages, links, story_id=sid, stored=stored)
            graph = sv["svg"]
            view.update(graph_neighbours(sv["graph"], doc.id, {d.id: short_name(d) for d in docs}, links))
        return page("document.html", view=view, graph=graph, story=sid, story_href=links.story(sid) if sid else None)

    def get_pair(a: str, b: str):
        """The two documents and what the scan stored about them (None: compare them afresh)."""
        (da, sa), (db_, sb) = get_docs(a, b)
        with lock:
            return da, db_, stored_pair(store, da, db_, sa if sa == sb else None)

    @app.get("/pair", response_class=HTMLResponse, include_in_schema=False)
    def pair_page(a: str = Id(), b: str = Id()):
        da, db_, stored = get_pair(a, b)
        return page("pair.html", view=pair_view(da, db_, None, links, stored=stored))

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(q: str = Query("", max_length=MAX_Q), page_no: int = Query(1, ge=1, le=MAX_PAGE, alias="page")):
        with lock:
            total, hits = search(store, q, offset=(page_no - 1) * PAGE, limit=PAGE)
        for h in hits:
            h["href"] = links.doc(h["id"])
        nxt = "/search?" + urlencode({"q": q, "page": page_no + 1}) if page_no * PAGE < total else None
        return page("search.html", q=q, total=total, hits=hits, next=nxt)

    @app.get("/query", response_class=HTMLResponse, include_in_schema=False)
    def query_form():
        return page("query.html", text="", matches=None, max_paste=MAX_PASTE)

    @app.post("/query", response_class=HTMLResponse, include_in_schema=False)
    async def query_page(request: Request):
        body = await read_body(request)
        fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=4)
        text = (fields.get("text") or [""])[0]
        matches = run_query(text)
        rows = [{"href": links.doc(m.doc_id), "id": m.doc_id, "title": m.label, "outlet": m.outlet,
                 "published": m.published,
                 "passages": [{"a": (p.a.start, p.a.end), "b": (p.b.start, p.b.end), "words": p.words,
                               "kind": p.kind, "text": p.b_text[:600]} for p in m.passages[:10]]}
                for m in matches]
        return page("query.html", text=text[:MAX_PASTE], matches=rows, max_paste=MAX_PASTE)

    @app.get("/api", response_class=HTMLResponse, include_in_schema=False)
    def api_page():
        schema = app.openapi()
        endpoints = [{"method": m.upper(), "path": path, "summary": op.get("summary", ""),
                      "description": (op.get("description") or "").strip().split("\n")[0],
                      "params": [p["name"] for p in op.get("parameters", [])]}
                     for path, ops in schema["paths"].items() for m, op in ops.items()]
        return page("api.html", endpoints=endpoints)

    # -- the JSON API -------------------------------------------------------------

    @app.get("/api/overview", summary="Counts, outlets, largest stories and reprint clusters")
    def api_overview(page_no: int = Query(1, ge=1, le=MAX_PAGE, alias="page")):
        ov, rows = overview_data(page_no)
        return {"store": name, "as_of": taken.isoformat() if taken else None, **ov, "documents": rows,
                "page": page_no, "page_size": PAGE}

    @app.get("/api/stories/{sid}", summary="A story: its provenance graph, clusters and quotations that travelled")
    def api_story(sid: int):
        docs, passages, stored = get_analysed_story(sid, decisions=True)
        view = story_view(docs, passages, links, story_id=sid, stored=stored)
        return {"story": sid, "documents": [d.id for d in docs], "summary": view["summary"].as_dict(),
                "provenance": view["graph"].as_dict(),
                "clusters": view["clusters"], "quotations": view["quotes"]}

    @app.get("/api/document", summary="A document: its metadata, text, story, anatomy and provenance")
    def api_document(id: str = Id()):  # noqa: A002
        from ..anatomy import AnatomyError, anatomy

        (doc, sid), = get_docs(id)
        out: dict[str, Any] = {"document": doc.as_dict(), "story": sid, "anatomy": None, "provenance": None}
        if sid is not None:
            docs, passages = get_story(sid)
            from ..anatomy.inferred import sources_from_graph
            from ..provenance import trace_passages

            stored = get_stored(sid, docs, decisions=True)
            g = stored.graph if stored else trace_passages(docs, passages)
            out["provenance"] = g.as_dict()
            try:
                d, sources, notes = sources_from_graph(g, docs, passages, doc.id)
                out["anatomy"] = anatomy(d, sources, notes=notes).as_dict()
            except AnatomyError as e:
                out["anatomy_note"] = str(e)
        return out

    @app.get("/api/pair", summary="Two documents compared: passages, scores, provenance and the anatomy")
    def api_pair(a: str = Id(), b: str = Id()):
        from ..anatomy import AnatomyError, anatomy
        from ..compare import compare, comparison_of

        da, db_, stored = get_pair(a, b)
        if stored is None:
            c = compare(da, db_)
        else:  # the stored passages, in the way they are stored, and the stored decision
            decision, way, passages = stored
            c = comparison_of(*((da, db_) if way == (da.id, db_.id) else (db_, da)), passages, decision)
        out: dict[str, Any] = {"compare": c.as_dict(), "anatomy": None}
        src, der = (c.b, c.a) if c.provenance is not None and c.provenance.relation == "b->a" else (c.a, c.b)
        given = ({src.id: [p for p in c.passages if p.kind != "rewritten"]} if stored is not None and src is c.a
                 else None)  # the stored passages the anatomy's own alignment would find
        try:
            out["anatomy"] = anatomy(der, [src], passages=given).as_dict()
        except AnatomyError as e:
            out["anatomy_note"] = str(e)
        return out

    @app.get("/api/search", summary="Full-text search over titles and texts (case-insensitive substring)")
    def api_search(q: str = Query(..., min_length=1, max_length=MAX_Q), page_no: int = Query(1, ge=1, le=MAX_PAGE,
                                                                                           alias="page")):
        with lock:
            total, hits = search(store, q, offset=(page_no - 1) * PAGE, limit=PAGE)
        return {"q": q, "total": total, "page": page_no, "page_size": PAGE, "hits": hits}

    @app.post("/api/query", summary="Where was this used: find a pasted text in the store (at most 200,000 characters)")
    def api_query(text: str = Body(..., embed=True)):
        matches = run_query(text)
        return {"matches": [{"id": m.doc_id, "title": m.title, "label": m.label, "outlet": m.outlet, "published": m.published,
                             "passages": [p.as_dict() for p in m.passages]} for m in matches]}

    return app
