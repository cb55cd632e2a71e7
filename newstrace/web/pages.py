"""The expensive pages of the app, made in worker processes.

A document, its neighbourhood, a story, a pair and "where was this used"
(and their ``/api`` twins) compute provenance, anatomy or alignments in
Python. :class:`PagePool` makes them in ``slots`` worker processes of their
own (spawned, each with a read-only connection to the snapshot), so that:

- the server process keeps its interpreter for the cheap pages (no work of
  theirs waits for a busy page's Python);
- the time limit is real: a page past it is stopped, its worker killed and
  a fresh one started (:class:`PageTimeout`);
- the memory limit is real: each worker's address space is capped
  (``RLIMIT_AS``), a page beyond it fails alone with a message.

:class:`Pages` is what a worker runs: the data access and the rendering of
each page, over the same views and templates as the rest of the app.
"""

from __future__ import annotations

import datetime as _dt
import multiprocessing
import queue
import sys
import threading
import time
import traceback
from typing import Any
from urllib.parse import urlencode

DOC_NEIGHBOURS = 8    # documents a document page reads around it (those sharing most text)
STORY_FULL = 40       # a story page draws its whole provenance graph up to this many documents
MAX_PAIR_CHARS = 300_000  # characters of each document the app compares on a pair page
MAX_PASTE = 200_000   # characters of pasted text for "where was this used"
MEMORY_LIMIT = "1GB"  # DuckDB's memory for the app's queries
STARTUP = 120         # seconds a new worker may take to start
TASKS = ("doc", "neighbourhood", "story", "pair", "query", "api_story", "api_neighbourhood", "api_document",
         "api_pair", "api_query")


class PageError(Exception):
    """A page that cannot be made: its HTTP status and the message the user sees."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, message)
        self.status, self.message = status, message


class PageTimeout(Exception):
    """A page's work outlived the time limit (its worker was stopped)."""


def doc_link(d: str) -> str:
    return "/doc?" + urlencode({"id": d})


def story_link(s: int) -> str:
    return f"/story/{s}"


def pair_link(a: str, b: str) -> str:
    return "/pair?" + urlencode({"a": a, "b": b})


class Pages:
    """The expensive pages over one store (opened read-only) and its browsing index."""

    def __init__(self, db: str, index_dir: str, name: str, taken: _dt.datetime | None,
                 nav: list[tuple[str, str]]) -> None:
        from ..report.views import Links
        from ..store import open_store

        self._root = open_store(db, read_only=True, create=False)
        self._root.con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        self.store = self._root.with_index(index_dir)
        self.name, self.taken, self.nav = name, taken, nav
        self.links = Links(story=story_link, doc=doc_link, pair=pair_link)

    def close(self) -> None:
        self._root.close()

    def call(self, task: str, args: tuple) -> Any:
        if task not in TASKS:
            raise PageError(404, "no such page")
        return getattr(self, task)(*args)

    def page(self, template: str, **ctx: Any) -> str:
        from ..report import render

        return render(template, offline=False, nav=self.nav, db=self.name, taken=self.taken, **ctx)

    # -- data ------------------------------------------------------------------

    def get_docs(self, *ids: str):
        rows = {d.id: (d, s) for d, s in self.store.documents(list(ids))}
        for i in ids:
            if i not in rows:
                raise PageError(404, f"no document with that id in {self.name}")
        return [rows[i] for i in ids]

    def get_story(self, sid: int):
        docs, passages = self.store.story(sid)
        if not docs:
            raise PageError(404, f"no story {sid} in {self.name}")
        return docs, passages

    def _neighbourhood(self, doc_id: str, hops: int, max_docs: int | None = None):
        from ..report import collection as coll

        self.get_docs(doc_id)
        nb = coll.neighbourhood_view(self.store, doc_id, hops, self.links,
                                     **({"max_docs": max_docs} if max_docs else {}))
        if nb is None:
            raise PageError(404, f"no document with that id in {self.name}")
        return nb

    def _story(self, sid: int, decisions: bool = False):
        from ..report import collection as coll
        from ..report.views import story_view, stored_story

        tl = coll.timeline_view(self.store, sid, self.links)
        if tl is None:
            raise PageError(404, f"no story {sid} in {self.name}")
        n = len(tl["rows"])  # at most the timeline's limit, far above STORY_FULL
        docs = self.store.story_docs(sid)
        stored = stored_story(self.store, sid, [d.id for d in docs], decisions=decisions)
        if stored is not None:  # the scan's analysis: no passage is read, the story is drawn whole
            return tl, story_view(docs, {}, self.links, story_id=sid, stored=stored), len(docs)
        if n > STORY_FULL:
            return tl, None, n
        docs, passages = self.get_story(sid)
        return tl, story_view(docs, passages, self.links, story_id=sid), len(docs)

    def _pair(self, a: str, b: str):
        """The two documents and what the scan stored about them (None: compared afresh)."""
        from ..report.views import stored_pair

        (da, sa), (db_, sb) = self.get_docs(a, b)
        for d in (da, db_):
            if len(d.text) > MAX_PAIR_CHARS:
                raise PageError(413, f"a document of this pair has {len(d.text):,} characters; the app compares "
                                     f"at most {MAX_PAIR_CHARS:,} (newstrace compare works on any length)")
        return da, db_, stored_pair(self.store, da, db_, sa if sa == sb else None)

    def _query(self, text: str):
        from ..engines.local import query

        if len(text) > MAX_PASTE:
            raise PageError(413, f"the text is {len(text):,} characters; paste at most {MAX_PASTE:,}")
        if not text.strip():
            raise PageError(422, "paste some text to look for")
        matches = query(self.store, text, limit=200)
        return sorted(matches, key=lambda m: (str(m.published or "9999"), m.doc_id))  # earliest first

    # -- pages -----------------------------------------------------------------

    def doc(self, doc_id: str) -> str:
        from ..report.views import document_view

        (doc, sid), = self.get_docs(doc_id)
        nb = self._neighbourhood(doc_id, 1, DOC_NEIGHBOURS)
        view = document_view(doc, nb["docs"], nb["passages"], self.links, graph=nb["graph"] if nb["stored"] else None)
        view.update(parents=nb["parents"], children=nb["children"])
        return self.page("document.html", view=view, graph=nb["svg"] if nb["graph"].edges else None, story=sid,
                         story_href=story_link(sid) if sid else None,
                         neighbourhood_href="/neighbourhood?" + urlencode({"id": doc_id}),
                         passages_href="/passages?" + urlencode({"doc": doc_id}))

    def neighbourhood(self, doc_id: str, hops: int) -> str:
        nb = self._neighbourhood(doc_id, hops)
        (_d, sid), = self.get_docs(doc_id)
        return self.page("neighbourhood.html", nb=nb, story=sid, story_href=story_link(sid) if sid else None,
                         hop_links=[(h, "/neighbourhood?" + urlencode({"id": doc_id, "hops": h})) for h in (1, 2, 3, 4)])

    def story(self, sid: int) -> str:
        tl, view, n = self._story(sid)
        return self.page("story.html", view=view, timeline=tl, story_id=sid, size=n, full=STORY_FULL,
                         documents_href="/documents?" + urlencode({"story": sid}))

    def pair(self, a: str, b: str) -> str:
        from ..report.views import pair_view

        da, db_, stored = self._pair(a, b)
        return self.page("pair.html", view=pair_view(da, db_, None, self.links, stored=stored))

    def query(self, text: str) -> str:
        rows = [{"href": doc_link(m.doc_id), "id": m.doc_id, "title": m.label, "outlet": m.outlet,
                 "published": m.published,
                 "passages": [{"a": (p.a.start, p.a.end), "b": (p.b.start, p.b.end), "words": p.words,
                               "kind": p.kind, "text": p.b_text[:600]} for p in m.passages[:10]]}
                for m in self._query(text)]
        return self.page("query.html", text=text[:MAX_PASTE], matches=rows, max_paste=MAX_PASTE)

    # -- the API's twins -----------------------------------------------------------

    def api_story(self, sid: int) -> dict[str, Any]:
        tl, view, n = self._story(sid, decisions=True)
        out: dict[str, Any] = {"story": sid, "size": n, "documents": [r["id"] for r in tl["rows"]],
                               "timeline": [{"source": s, "derivative": t, "words": w} for s, t, w in tl["edges"]]}
        if view is None:
            out.update(summary=None, provenance=None, clusters=None, quotations=None,
                       note=f"the story has {n} documents; the app draws provenance per document "
                            f"(/api/neighbourhood) above {STORY_FULL}")
        else:
            out.update(summary=view["summary"].as_dict(), provenance=view["graph"].as_dict(),
                       clusters=view["clusters"], quotations=view["quotes"])
        return out

    def api_neighbourhood(self, doc_id: str, hops: int) -> dict[str, Any]:
        nb = self._neighbourhood(doc_id, hops)
        return {"document": doc_id, "hops": hops, "truncated": nb["truncated"],
                "members": [{"id": m["doc"]["id"], "title": m["doc"]["title"], "outlet": m["doc"]["outlet"],
                             "published": m["doc"]["published"], "hops": m["hops"], "reuse_class": m["reuse"]}
                            for m in nb["members"]],
                "provenance": nb["graph"].as_dict()}

    def api_document(self, doc_id: str) -> dict[str, Any]:
        from ..anatomy import AnatomyError, anatomy
        from ..anatomy.inferred import inferred_sources, sources_from_graph

        (doc, sid), = self.get_docs(doc_id)
        out: dict[str, Any] = {"document": doc.as_dict(), "story": sid, "anatomy": None, "provenance": None}
        nb = self._neighbourhood(doc_id, 1, DOC_NEIGHBOURS)
        if nb["passages"]:
            out["provenance"] = nb["graph"].as_dict()
            try:
                d, sources, notes = (sources_from_graph(nb["graph"], nb["docs"], nb["passages"], doc.id)
                                     if nb["stored"] else inferred_sources(nb["docs"], nb["passages"], doc.id))
                out["anatomy"] = anatomy(d, sources, notes=notes).as_dict()
            except AnatomyError as e:
                out["anatomy_note"] = str(e)
        return out

    def api_pair(self, a: str, b: str) -> dict[str, Any]:
        from ..anatomy import AnatomyError, anatomy
        from ..compare import compare, comparison_of

        da, db_, stored = self._pair(a, b)
        if stored is None:
            c = compare(da, db_)
        else:  # the stored passages, in the way they are stored, and the stored decision
            decision, way, passages = stored
            c = comparison_of(*((da, db_) if way == (da.id, db_.id) else (db_, da)), passages, decision)
        out: dict[str, Any] = {"compare": c.as_dict(), "anatomy": None}
        src, der = (c.b, c.a) if c.provenance is not None and c.provenance.relation == "b->a" else (c.a, c.b)
        given = ({src.id: list(c.passages)} if stored is not None and src is c.a
                 else None)  # the stored passages, rewritten ones too (anatomy labels those rewritten)
        try:
            out["anatomy"] = anatomy(der, [src], passages=given).as_dict()
        except AnatomyError as e:
            out["anatomy_note"] = str(e)
        return out

    def api_query(self, text: str) -> dict[str, Any]:
        return {"matches": [{"id": m.doc_id, "title": m.title, "label": m.label, "outlet": m.outlet,
                             "published": m.published, "passages": [p.as_dict() for p in m.passages]}
                            for m in self._query(text)]}


# --------------------------------------------------------------------------
# the worker processes


def _die_with_parent() -> None:
    """End this process when its parent dies (it is then given a new parent): a watchdog thread.
    (Not PR_SET_PDEATHSIG: that fires when the parent's *thread* that started it ends.)"""
    import os

    parent = os.getppid()

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(0)
            time.sleep(1.0)

    threading.Thread(target=watch, daemon=True, name="newstrace-page-watchdog").start()


def _worker(conn: Any, init: dict[str, Any], memory: int | None) -> None:  # pragma: no cover - a child process
    _die_with_parent()
    if memory:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    pages = Pages(**init)
    conn.send(("ready",))
    while True:
        try:
            task, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            out: tuple = ("ok", pages.call(task, args))
        except PageError as e:
            out = ("error", e.status, e.message)
        except MemoryError:
            out = ("error", 503, "this page needs more memory than the app gives one page; "
                                 "use the command line for it (newstrace anatomy, provenance, compare)")
        except Exception:  # noqa: BLE001 - a message, never a traceback, to the user
            traceback.print_exc(file=sys.stderr)
            out = ("error", 500, "something went wrong on our side; the server log has details")
        try:
            conn.send(out)
        except (OSError, ValueError):
            return


class _Worker:
    def __init__(self, ctx: Any, init: dict[str, Any], memory: int | None) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, init, memory), daemon=True, name="newstrace-page")
        self.proc.start()
        child.close()
        self._stopping = threading.Lock()
        self._stopped = False

    def stop(self) -> None:
        """Kill the worker and close its pipe, once: serve's shutdown and the
        thread still starting this worker (which then drops it) may both ask."""
        with self._stopping:
            if self._stopped:
                return
            self._stopped = True
            if self.proc.is_alive():
                self.proc.kill()
            self.proc.join(timeout=5)
            try:
                self.conn.close()
            except OSError:  # the starting thread's poll lost its pipe under it
                pass


class PagePool:
    """``slots`` worker processes making :class:`Pages`, started when first needed.

    :meth:`make` (from a thread) sends a task to an idle worker and waits
    at most ``time_limit`` seconds; past that the worker is killed and a new
    one takes its place (:class:`PageTimeout`). ``memory``: bytes of address
    space each worker may use (``None``: no cap)."""

    def __init__(self, init: dict[str, Any], *, slots: int, time_limit: float, memory: int | None) -> None:
        self._ctx = multiprocessing.get_context("spawn")  # never fork a process that holds DuckDB
        self._init, self._memory, self.time_limit = init, memory, time_limit
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._slots = slots
        self._closed = False

    def warm(self) -> None:
        """Start the workers now (in the background), so that the first pages need not wait for them."""
        def start() -> None:
            for _ in range(self._slots):
                try:
                    self._idle.put(self._new())
                except PageError:
                    return
                except OSError:
                    if self._closed:  # serve stopped (SIGTERM, Ctrl-C) while the workers were starting
                        return
                    raise

        threading.Thread(target=start, daemon=True, name="newstrace-page-warm").start()

    def _take(self) -> _Worker:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            return self._new()

    def _new(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise PageError(503, "the server is stopping")
            w = _Worker(self._ctx, self._init, self._memory)
            self._all.append(w)
        # a new worker's start (imports, the store opened) is not a page's time
        try:
            ready = w.conn.poll(STARTUP) and w.conn.recv() == ("ready",)
        except (EOFError, OSError):
            ready = False
        if not ready:
            self._drop(w)
            raise PageError(500, "a page worker did not start; the server log has details")
        return w

    def _drop(self, w: _Worker) -> None:
        w.stop()
        with self._lock:
            if w in self._all:
                self._all.remove(w)

    def make(self, task: str, *args: Any) -> Any:
        w = self._take()
        try:
            w.conn.send((task, args))
            if not w.conn.poll(self.time_limit):
                self._drop(w)
                raise PageTimeout(task)
            out = w.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._drop(w)
            raise PageError(500, "the page's worker stopped; the server log has details") from None
        self._idle.put(w)
        if out[0] == "ok":
            return out[1]
        raise PageError(out[1], out[2])

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._all = self._all, []
        for w in workers:
            w.stop()
