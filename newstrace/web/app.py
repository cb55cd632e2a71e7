"""The web app: HTML pages and a JSON API over one (snapshot) store.

Every page is rendered by :mod:`newstrace.report` (autoescaped templates,
the same views as the offline report). Inputs are bounded: query parameters
by length, pages by number, pasted text by :data:`MAX_PASTE` characters, a
request body by :data:`MAX_BODY` bytes while it streams (a 413 page beyond).
Expensive pages (a document, its neighbourhood, a story, a pair, "where was
this used") are made in :data:`SLOTS` worker processes (:mod:`.pages`): a
request waits at most :data:`WAIT` seconds for one, a page is stopped after
:data:`TIME_LIMIT` seconds and each worker's memory is capped, else a 503
"busy" page with ``Retry-After`` (:mod:`.bounds`). The list pages and the
overview read the store in the server process, through a cursor per thread;
since the snapshot never changes their answers are cached. Errors are pages
(or JSON under ``/api``), never tracebacks. No route takes a file path from
the user; the stylesheet and script are inlined from package data.

Every table view (documents, passages, reprint clusters, duplicates) has a
``.csv`` and a ``.json`` twin with the same filters, streamed, at most
:data:`MAX_DOWNLOAD` rows.
"""

# No "from __future__ import annotations": FastAPI reads the endpoints' annotations, which name
# classes imported inside create_app (FastAPI is an optional extra).

import contextlib
import csv
import datetime as _dt
import functools
import io
import json
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import parse_qs, urlencode

from . import require_web
from .bounds import Busy, Limiter, TooLarge, limited_body
from .pages import MAX_PASTE, MEMORY_LIMIT, PagePool, PageError, PageTimeout

MAX_BODY = 4 * MAX_PASTE + 64_000  # bytes of a request body (URL-encoded or JSON text)
MAX_ID = 1_000
MAX_STORED_ID = 12_000  # the longest stored id the app reaches (h11 reads request lines of up to 16 KB)
MAX_Q = 500
PAGE = 50
MAX_PAGE = 100_000
SLOTS = 2            # expensive pages computed at once
WAIT = 2.0           # seconds a request waits for a free slot
TIME_LIMIT = 20.0    # seconds an expensive page may take
MAX_DOWNLOAD = 10_000  # rows of a CSV or JSON download
DOWNLOADS = 2        # downloads streamed at once
PAGE_MEMORY = 3 << 30  # bytes of address space of each page worker (pages.PagePool)
CACHED = 512         # answers of the list pages kept (the snapshot never changes)


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def _flat(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A row for CSV and JSON downloads: nested records as ``outer_inner`` columns."""
    out: dict[str, Any] = {}
    for k, v in row.items():
        if k in ("href", "story_href", "members"):
            continue
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}_"))
        else:
            out[prefix + k] = v
    return out


def create_app(db: str | Path, *, name: str | None = None, taken: _dt.datetime | None = None,
               allowed_hosts: tuple[str, ...] | None = None, slots: int = SLOTS, wait: float = WAIT,
               time_limit: float = TIME_LIMIT, memory: int | None = PAGE_MEMORY, warm: bool = True):
    """The FastAPI app over the store file ``db``, opened read-only.

    ``allowed_hosts``: the host names a request's ``Host`` header may give
    (any port); others get a 421 page. `serve` on a loopback address passes
    the loopback names, so that a web page elsewhere cannot reach the app
    through a DNS name rebound to 127.0.0.1. ``None`` checks nothing.
    ``slots``, ``wait``, ``time_limit``, ``memory``: the bounds of the
    expensive pages, made in ``slots`` worker processes
    (:class:`newstrace.web.bounds.Limiter`, :class:`newstrace.web.pages.PagePool`),
    started at once when ``warm`` (else when first needed). The workers are
    spawned: a script that calls this needs the ``if __name__ ==
    "__main__":`` guard."""
    require_web()
    from fastapi import FastAPI, Query, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException

    from ..report import render
    from ..report import collection as coll
    from ..report.render import content_security_policy
    from ..report.views import Links
    from ..store import open_store

    # the event loop asks for the interpreter while list pages render in threads: hand it over
    # sooner than the default 5 ms (process-wide; the pages' heavy work is in other processes)
    sys.setswitchinterval(min(sys.getswitchinterval(), 0.001))
    root = open_store(db, read_only=True, create=False)
    root.con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    index_dir = tempfile.TemporaryDirectory(prefix="newstrace-index-")
    root.browse_index(index_dir.name)
    local = threading.local()

    def store():
        """This thread's Store (a cursor of the one connection, with the browsing index)."""
        s = getattr(local, "store", None)
        if s is None:
            s = local.store = root.with_index(index_dir.name)
        return s

    downloading = threading.BoundedSemaphore(DOWNLOADS)
    name = name or Path(db).name
    links = Links(story=lambda s: f"/story/{s}", doc=lambda d: "/doc?" + urlencode({"id": d}),
                  pair=lambda a, b: "/pair?" + urlencode({"a": a, "b": b}))
    nav = [("Overview", "/"), ("Documents", "/documents"), ("Passages", "/passages"), ("Reprints", "/clusters"),
           ("Duplicates", "/duplicates"), ("Where was this used", "/query"), ("API", "/api")]

    # the pool stops a page at the time limit; the limiter's own limit only guards the pool
    heavy = Limiter(slots, wait=wait, time_limit=time_limit + 30)
    pool = PagePool({"db": str(db), "index_dir": index_dir.name, "name": name, "taken": taken, "nav": nav},
                    slots=slots, time_limit=time_limit, memory=memory)
    if warm:
        pool.warm()

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        heavy.close()
        pool.close()
        index_dir.cleanup()

    app = FastAPI(title="newstrace", version="1", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url="/openapi.json",
                  description="Browse a newstrace store: documents, passages, reprint clusters, stories, pairs, "
                              "search, and where a text was used. Read only; served from a snapshot taken at start.")
    app.state.store = root
    app.state.index_dir = index_dir  # removed with the app
    app.state.limiter = heavy
    app.state.pages = pool

    def page(template: str, status: int = 200, headers: dict[str, str] | None = None, **ctx: Any) -> HTMLResponse:
        html = render(template, offline=False, nav=nav, db=name, taken=taken, **ctx)
        return HTMLResponse(html, status_code=status, headers=headers)

    def error_page(request: Request, status: int, message: str, headers: dict[str, str] | None = None):
        if request.url.path.startswith("/api") or request.url.path.endswith(".json"):
            return JSONResponse({"error": message, "status": status}, status_code=status, headers=headers)
        return page("error.html", status=status, headers=headers, status_code=status, message=message)

    too_large = f"the request is too large: paste at most {MAX_PASTE:,} characters"

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
            return error_page(request, 413, too_large)
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

    @app.exception_handler(Busy)
    async def busy(request: Request, exc: Busy):
        return error_page(request, 503, str(exc), headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(TooLarge)
    async def large(request: Request, exc: TooLarge):
        return error_page(request, 413, too_large, headers={"Connection": "close"})

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

    # -- data, shared by the pages and the API ----------------------------------------

    @functools.lru_cache(maxsize=64)
    def overview_data(page_no: int):
        ov = coll.overview(store())
        rows = coll.document_rows(store(), offset=(page_no - 1) * PAGE, limit=PAGE)
        return ov, rows

    cached_documents = functools.lru_cache(maxsize=CACHED)(
        lambda f, sort, desc, offset, limit: coll.document_table(store(), f, sort=sort, descending=desc,
                                                                 offset=offset, limit=limit))
    cached_facets = functools.lru_cache(maxsize=CACHED)(lambda f: coll.document_facets(store(), f))

    def doc_filter(q: str, outlet: str | None, since: str | None, until: str | None, month: str | None,
                   story: int | None, reuse: str | None):
        for label, v in (("since", since), ("until", until)):
            if v:
                try:
                    _dt.date.fromisoformat(v)
                except ValueError:
                    raise HTTPException(422, f"bad request: {label}: give a date as YYYY-MM-DD") from None
        if month and not (len(month) == 7 and month[4] == "-" and month[:4].isdigit() and month[5:].isdigit()):
            raise HTTPException(422, "bad request: month: give a month as YYYY-MM")
        if reuse and reuse not in coll.REUSE:
            raise HTTPException(422, f"bad request: reuse: one of {', '.join(coll.REUSE)}")
        return coll.DocFilter(q=q.strip(), outlet=outlet, since=since or None, until=until or None,
                              month=month or None, story=story, reuse=reuse or None)

    # -- downloads: every table view as CSV and JSON, streamed, bounded -------------------

    def download(fmt: str, stem: str, fetch: Callable[[int, int], tuple[int, list[dict[str, Any]]]]):
        step = coll.MAX_LIMIT
        if not downloading.acquire(blocking=False):
            raise Busy(f"the server is sending {DOWNLOADS} downloads; try again in a few seconds", 5)

        def rows() -> Iterator[tuple[int, dict[str, Any]]]:
            offset = 0
            try:
                while offset < MAX_DOWNLOAD:
                    total, chunk = fetch(offset, min(step, MAX_DOWNLOAD - offset))
                    for r in chunk:
                        yield total, _flat(r)
                    if len(chunk) < step:
                        return
                    offset += len(chunk)
            finally:
                release()

        released = [False]

        def release() -> None:
            if not released[0]:
                released[0] = True
                downloading.release()

        def as_csv() -> Iterator[str]:
            buf = io.StringIO()
            w = None
            for _total, r in rows():
                if w is None:
                    w = csv.DictWriter(buf, fieldnames=list(r), extrasaction="ignore")
                    w.writeheader()
                w.writerow(r)
                if buf.tell() > 64_000:
                    yield buf.getvalue()
                    buf.seek(0)
                    buf.truncate()
            yield buf.getvalue()

        def as_json() -> Iterator[str]:
            n, total, buf = 0, 0, ["{\"rows\": ["]
            for seen, r in rows():
                buf.append(("," if n else "") + json.dumps(r, ensure_ascii=False, default=str))
                n, total = n + 1, seen
                if len(buf) >= 200:
                    yield "".join(buf)
                    buf = []
            yield "".join(buf)
            yield f"], \"total\": {total}, \"returned\": {n}, \"truncated\": {json.dumps(n < total)}, " \
                  f"\"max_rows\": {MAX_DOWNLOAD}}}"

        from starlette.background import BackgroundTask

        done = BackgroundTask(release)  # also when the client leaves before the end
        if fmt == "csv":
            return StreamingResponse(as_csv(), background=done, media_type="text/csv; charset=utf-8",
                                     headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'})
        return StreamingResponse(as_json(), media_type="application/json", background=done)

    def pager(base: str, params: dict[str, Any], page_no: int, total: int) -> dict[str, Any]:
        def at(n: int) -> str:
            return base + "?" + urlencode({**params, "page": n})

        last = max(1, (total + PAGE - 1) // PAGE)
        return {"page": page_no, "pages": last, "total": total,
                "prev": at(page_no - 1) if page_no > 1 else None, "next": at(page_no + 1) if page_no < last else None,
                "csv": base + ".csv?" + urlencode(params), "json": base + ".json?" + urlencode(params)}

    # -- pages ------------------------------------------------------------------------

    # every stored id is reachable: the limit is the longest id of the store when that is longer
    # (up to what a request line carries)
    id_limit = max(MAX_ID, min(MAX_STORED_ID, int(root.con.execute(
        "SELECT coalesce(max(length(id)), 0) FROM documents").fetchone()[0])))

    def Id():  # noqa: N802 - a fresh parameter declaration per use
        return Query(..., min_length=1, max_length=id_limit)

    def Page():  # noqa: N802
        return Query(1, ge=1, le=MAX_PAGE, alias="page")

    def Text(n: int = MAX_Q):  # noqa: N802
        return Query("", max_length=n)

    def Opt(n: int = MAX_Q):  # noqa: N802
        return Query(None, max_length=n)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(page_no: int = Page()):
        ov, rows = overview_data(page_no)
        rows = [{**r, "href": links.doc(r["id"]),
                 "story_href": links.story(r["story"]) if r["story"] is not None else None} for r in rows]
        total = ov["counts"]["documents"]
        docs = {"rows": rows, "prev": f"/?page={page_no - 1}" if page_no > 1 else None,
                "next": f"/?page={page_no + 1}" if page_no * PAGE < total else None}
        outlet_links = {o["name"]: "/documents?" + urlencode({"outlet": "" if o["name"] == "(no outlet)" else o["name"]})
                        for o in ov["outlets"]}
        return page("index.html", ov=ov, links={"story": {s["id"]: links.story(s["id"]) for s in ov["stories"]}
                                                | {c["story"]: links.story(c["story"]) for c in ov["clusters"]
                                                   if c["story"] is not None}, "outlet": outlet_links}, docs=docs)

    def documents_data(f, sort: str, desc: bool, page_no: int):
        try:
            total, rows = cached_documents(f, sort, desc, (page_no - 1) * PAGE, PAGE)
        except ValueError as e:
            raise HTTPException(422, f"bad request: {e}") from None
        return total, [{**r, "href": links.doc(r["id"]),
                        "story_href": links.story(r["story"]) if r["story"] is not None else None} for r in rows]

    @app.get("/documents", response_class=HTMLResponse, include_in_schema=False)
    def documents_page(q: str = Text(), outlet: str | None = Opt(), since: str | None = Opt(20),
                       until: str | None = Opt(20), month: str | None = Opt(7), story: int | None = None,
                       reuse: str | None = Opt(20), sort: str = Query("scan", max_length=20), desc: bool = False,
                       page_no: int = Page()):
        f = doc_filter(q, outlet, since, until, month, story, reuse)
        total, rows = documents_data(f, sort, desc, page_no)
        params = f.params()
        facets = cached_facets(f)

        def toggle(key: str, value: Any) -> str:
            p = dict(params)
            if p.get(key) == str(value):
                p.pop(key)
            else:
                p[key] = str(value)
            return "/documents?" + urlencode({**p, "sort": sort, **({"desc": "true"} if desc else {})})

        chips = [{"key": k, "value": v, "drop": "/documents?" + urlencode({x: y for x, y in params.items() if x != k})}
                 for k, v in params.items()]
        heads = [{"key": k, "label": label, "href": "/documents?" + urlencode(
            {**params, "sort": k, **({"desc": "true"} if sort == k and not desc else {})}),
                  "mark": ("▼" if desc else "▲") if sort == k else ""}
                 for k, label in (("title", "document"), ("outlet", "outlet"), ("published", "published"),
                                  ("length", "characters"), ("story", "story"), ("shared", "shared text"))]
        face = {k: [{**v, "href": toggle(k, v["value"]), "on": params.get(k) == str(v["value"])} for v in vals]
                for k, vals in facets.items()}
        return page("documents.html", rows=rows, f=f, params=params, facets=face, chips=chips, heads=heads,
                    sort=sort, desc=desc, pages=pager("/documents", {**params, "sort": sort,
                                                                     **({"desc": "true"} if desc else {})},
                                                      page_no, total))

    @app.get("/documents.{fmt}", summary="The document list as CSV or JSON (the same filters as /documents)")
    def documents_download(fmt: str, q: str = Text(), outlet: str | None = Opt(), since: str | None = Opt(20),
                           until: str | None = Opt(20), month: str | None = Opt(7), story: int | None = None,
                           reuse: str | None = Opt(20), sort: str = Query("scan", max_length=20), desc: bool = False):
        if fmt not in ("csv", "json"):
            raise HTTPException(404, "download as .csv or .json")
        f = doc_filter(q, outlet, since, until, month, story, reuse)
        if sort not in coll.SORTS:
            raise HTTPException(422, f"bad request: sort: one of {', '.join(coll.SORTS)}")
        return download(fmt, "documents", lambda o, n: coll.document_table(store(), f, sort=sort, descending=desc,
                                                                          offset=o, limit=n))

    @app.get("/api/facets", summary="Facet counts of the documents that pass the filters (outlets, stories, "
                                    "reuse classes, months)")
    def api_facets(q: str = Text(), outlet: str | None = Opt(), since: str | None = Opt(20),
                   until: str | None = Opt(20), month: str | None = Opt(7), story: int | None = None,
                   reuse: str | None = Opt(20)):
        f = doc_filter(q, outlet, since, until, month, story, reuse)
        return {"filter": f.params(), "facets": cached_facets(f)}

    def passage_rows(q: str, kind: str | None, doc: str | None, cluster: int | None, sort: str, offset: int,
                     limit: int):
        try:
            total, rows = coll.passage_table(store(), q=q, kind=kind, doc_id=doc, cluster=cluster, sort=sort,
                                             offset=offset, limit=limit)
        except ValueError as e:
            raise HTTPException(422, f"bad request: {e}") from None
        for r in rows:
            for side in ("a", "b"):
                r[side]["href"] = links.doc(r[side]["id"])
            r["href"] = links.pair(r["a"]["id"], r["b"]["id"])
        return total, rows

    KINDS = ("passage", "quotation", "boilerplate")

    @app.get("/passages", response_class=HTMLResponse, include_in_schema=False)
    def passages_page(q: str = Text(), kind: str | None = Opt(20), doc: str | None = Opt(id_limit),
                      cluster: int | None = None, sort: str = Query("words", max_length=20), page_no: int = Page()):
        if kind and kind not in KINDS:
            raise HTTPException(422, f"bad request: kind: one of {', '.join(KINDS)}")
        total, rows = passage_rows(q, kind, doc, cluster, sort, (page_no - 1) * PAGE, PAGE)
        params = {k: v for k, v in (("q", q), ("kind", kind), ("doc", doc), ("cluster", cluster), ("sort", sort))
                  if v not in (None, "")}
        return page("passages.html", rows=rows, q=q, kind=kind, doc=doc, cluster=cluster, sort=sort, kinds=KINDS,
                    pages=pager("/passages", params, page_no, total))

    @app.get("/passages.{fmt}", summary="Shared passages as CSV or JSON (the same filters as /passages)")
    def passages_download(fmt: str, q: str = Text(), kind: str | None = Opt(20), doc: str | None = Opt(id_limit),
                          cluster: int | None = None, sort: str = Query("words", max_length=20)):
        if fmt not in ("csv", "json"):
            raise HTTPException(404, "download as .csv or .json")
        if sort not in ("words", "published", "scan") or (kind and kind not in KINDS):
            raise HTTPException(422, f"bad request: sort by words, published or scan; kind one of {', '.join(KINDS)}")
        return download(fmt, "passages", lambda o, n: passage_rows(q, kind, doc, cluster, sort, o, n))

    def cluster_rows(q: str, offset: int, limit: int):
        total, rows = coll.cluster_table(store(), q=q, offset=offset, limit=limit)
        for r in rows:
            r["story_href"] = links.story(r["story"]) if r["story"] is not None else None
            r["passages_href"] = "/passages?" + urlencode({"cluster": r["cluster"]})
            for m in r["members"]:
                m["href"] = links.doc(m["id"])
            r["documents"] = "; ".join(f"{m['name']} ({m['outlet'] or 'no outlet'}, {m['published'] or 'undated'})"
                                       for m in r["members"][:50])
        return total, rows

    @app.get("/clusters", response_class=HTMLResponse, include_in_schema=False)
    def clusters_page(q: str = Text(), page_no: int = Page()):
        total, rows = cluster_rows(q, (page_no - 1) * PAGE, PAGE)
        return page("clusters.html", rows=rows, q=q, pages=pager("/clusters", {"q": q} if q else {}, page_no, total))

    @app.get("/clusters.{fmt}", summary="Reprint clusters as CSV or JSON (the same filter as /clusters)")
    def clusters_download(fmt: str, q: str = Text()):
        if fmt not in ("csv", "json"):
            raise HTTPException(404, "download as .csv or .json")
        return download(fmt, "clusters", lambda o, n: cluster_rows(q, o, n))

    def duplicate_rows(offset: int, limit: int):
        total, rows = coll.duplicate_table(store(), offset=offset, limit=limit)
        for r in rows:
            r["of"]["href"] = links.doc(r["of"]["id"])
        return total, rows

    @app.get("/duplicates", response_class=HTMLResponse, include_in_schema=False)
    def duplicates_page(page_no: int = Page()):
        total, rows = duplicate_rows((page_no - 1) * PAGE, PAGE)
        return page("duplicates.html", rows=rows, pages=pager("/duplicates", {}, page_no, total))

    @app.get("/duplicates.{fmt}", summary="Exact duplicates as CSV or JSON")
    def duplicates_download(fmt: str):
        if fmt not in ("csv", "json"):
            raise HTTPException(404, "download as .csv or .json")
        return download(fmt, "duplicates", duplicate_rows)

    # -- the expensive pages: a slot each, made in a worker process within the time limit ---

    async def made(task: str, *args: Any) -> Any:
        try:
            return await heavy.run(pool.make, task, *args)
        except PageTimeout:
            heavy.timed_out += 1
            raise Busy(f"this page took longer than {time_limit:g} s to make and was stopped; try again later, "
                       "or the command line for it", heavy.retry_after * 4) from None
        except PageError as e:
            raise HTTPException(e.status, e.message) from None

    @app.get("/story/{sid}", response_class=HTMLResponse, include_in_schema=False)
    async def story_page(sid: int):
        return HTMLResponse(await made("story", sid))

    @app.get("/doc", response_class=HTMLResponse, include_in_schema=False)
    async def doc_page(id: str = Id()):  # noqa: A002 - the parameter's public name
        return HTMLResponse(await made("doc", id))

    @app.get("/neighbourhood", response_class=HTMLResponse, include_in_schema=False)
    async def neighbourhood_page(id: str = Id(), hops: int = Query(2, ge=1, le=4)):  # noqa: A002
        return HTMLResponse(await made("neighbourhood", id, hops))

    @app.get("/pair", response_class=HTMLResponse, include_in_schema=False)
    async def pair_page(a: str = Id(), b: str = Id()):
        return HTMLResponse(await made("pair", a, b))

    def search_data(q: str, page_no: int):
        return coll.search(store(), q, offset=(page_no - 1) * PAGE, limit=PAGE)

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(q: str = Query("", max_length=MAX_Q), page_no: int = Page()):
        total, hits = search_data(q, page_no)
        hits = [{**h, "href": links.doc(h["id"])} for h in hits]
        nxt = "/search?" + urlencode({"q": q, "page": page_no + 1}) if page_no * PAGE < total else None
        return page("search.html", q=q, total=total, hits=hits, next=nxt,
                    documents_href="/documents?" + urlencode({"q": q}))

    @app.get("/query", response_class=HTMLResponse, include_in_schema=False)
    def query_form():
        return page("query.html", text="", matches=None, max_paste=MAX_PASTE)

    @app.post("/query", response_class=HTMLResponse, include_in_schema=False)
    async def query_page(request: Request):
        body = await limited_body(request.stream(), MAX_BODY)
        fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=4)
        return HTMLResponse(await made("query", (fields.get("text") or [""])[0]))

    @app.get("/api", response_class=HTMLResponse, include_in_schema=False)
    def api_page():
        schema = app.openapi()
        endpoints = [{"method": m.upper(), "path": path, "summary": op.get("summary", ""),
                      "description": (op.get("description") or "").strip().split("\n")[0],
                      "params": [p["name"] for p in op.get("parameters", [])]}
                     for path, ops in schema["paths"].items() for m, op in ops.items()]
        return page("api.html", endpoints=endpoints)

    # -- the JSON API -------------------------------------------------------------

    @functools.lru_cache(maxsize=64)
    def overview_json(page_no: int) -> bytes:
        ov, rows = overview_data(page_no)
        return json.dumps({"store": name, "as_of": taken.isoformat() if taken else None, **ov, "documents": rows,
                           "page": page_no, "page_size": PAGE}, ensure_ascii=False, default=str).encode("utf-8")

    overview_json(1)  # ready before the first request

    @app.get("/api/overview", summary="Counts, outlets, largest stories and reprint clusters")
    async def api_overview(page_no: int = Page()):
        # answered on the event loop from the cache (no thread to wait for while the app is busy)
        body = overview_json(page_no) if page_no == 1 else await run_in_threadpool(overview_json, page_no)
        return Response(body, media_type="application/json")

    @app.get("/api/stories/{sid}", summary="A story: its timeline and (up to 40 documents) its provenance graph, "
                                           "clusters and quotations that travelled")
    async def api_story(sid: int):
        return await made("api_story", sid)

    @app.get("/api/neighbourhood", summary="A document's neighbourhood: its sources and derivatives within hops")
    async def api_neighbourhood(id: str = Id(), hops: int = Query(2, ge=1, le=4)):  # noqa: A002
        return await made("api_neighbourhood", id, hops)

    @app.get("/api/document", summary="A document: its metadata, text, story, anatomy and the provenance of its "
                                      "neighbourhood")
    async def api_document(id: str = Id()):  # noqa: A002
        return await made("api_document", id)

    @app.get("/api/pair", summary="Two documents compared: passages, scores, provenance and the anatomy")
    async def api_pair(a: str = Id(), b: str = Id()):
        return await made("api_pair", a, b)

    @app.get("/api/search", summary="Search titles and texts: every word of q a word of the document (the last "
                                    "may be a word's beginning), q itself inside it (case-insensitive)")
    def api_search(q: str = Query(..., min_length=1, max_length=MAX_Q), page_no: int = Page()):
        total, hits = search_data(q, page_no)
        return {"q": q, "total": total, "page": page_no, "page_size": PAGE, "hits": hits}

    @app.post("/api/query", summary="Where was this used: find a pasted text in the store (at most 200,000 "
                                    "characters), earliest document first",
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                  "type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}}}}})
    async def api_query(request: Request):
        body = await limited_body(request.stream(), MAX_BODY)
        try:
            text = json.loads(body or b"null")["text"]
            if not isinstance(text, str):
                raise TypeError
        except (ValueError, TypeError, KeyError):
            raise HTTPException(422, 'bad request: send {"text": "..."} as JSON') from None
        return await made("api_query", text)

    return app
