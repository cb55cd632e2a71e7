"""Read-only questions about a store for the overview, search and document pages.

Plain functions over a :class:`newstrace.store.Store`'s own questions
(no SQL here); every page is bounded (``limit``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import regex

from ..provenance.reuse import COVERAGE_WHOLLY
from ..records import Document
from ..store import Store
from .graph_svg import layout, outlet_colors, timeline_layout
from .views import Links, clip, doc_info, graph_neighbours, short_name

MAX_LIMIT = 1000  # rows of one question (a page shows 50; a download reads in steps of this many)


def _bounded(limit: int) -> int:
    return max(1, min(int(limit), MAX_LIMIT))


def overview(store: Store, *, stories: int = 20, clusters: int = 20) -> dict[str, Any]:
    """Counts, outlets, the largest stories and reprint clusters."""
    counts = store.counts()
    outlets = store.outlets(50)
    rows = store.largest_stories(_bounded(stories))
    firsts = store.labels([r[2] for r in rows])
    story_rows = [{"id": sid, "documents": n, "outlets": store.story_outlet_count(sid),
                   "first": clip(firsts.get(first, first), 90)} for sid, n, first in rows]
    cl = store.largest_clusters(_bounded(clusters))
    story_of = store.stories_of([r[3] for r in cl])
    top = max(outlets[0][1], 1) if outlets else 1
    return {
        "boilerplate_total": counts["boilerplate"],
        "boilerplate": [{"excerpt": clip(e or "", 200), "passages": n, "documents": d, "reason": why}
                        for e, n, d, why in store.boilerplate_summary(10)],
        "counts": counts, "outlets_total": store.outlet_count(), "stories_total": counts["stories"],
        "outlets": [{"name": o or "(no outlet)", "documents": n, "pct": round(100 * n / top, 1)} for o, n in outlets],
        "stories": story_rows,
        "clusters": [{"id": c, "size": s, "passages": p, "first": f, "story": story_of.get(f),
                      "excerpt": clip(e or "", 200)} for c, s, p, f, e in cl],
    }


def document_rows(store: Store, *, offset: int = 0, limit: int = 50) -> list[dict[str, Any]]:
    """A page of the document list, in scan order."""
    rows = store.document_page(offset=max(0, int(offset)), limit=_bounded(limit))
    return [{"id": i, "title": t, "name": name, "outlet": o, "published": p, "length": n, "story": s}
            for i, t, o, p, n, s, name in rows]


def document(store: Store, doc_id: str) -> tuple[Document, int | None] | None:
    rows = store.documents([doc_id])
    return rows[0] if rows else None


# --------------------------------------------------------------------------
# the app's tables: documents (filtered, sorted, faceted), passages, clusters, duplicates

WORD = regex.compile(r"[\p{L}\p{N}]+")
SORTS = ("scan", "title", "outlet", "published", "length", "story", "shared")
REUSE = ("wholly", "partially", "non")
WHOLLY_SHARE = COVERAGE_WHOLLY  # share of a text inside shared passages from which it counts as wholly reused


@dataclass(frozen=True, slots=True)
class DocFilter:
    """What a document list shows: every field optional. ``q``: words of
    the title or text (each a whole word, the last may be a word's
    beginning), found together as typed (case-insensitive);
    ``since``/``until`` ISO dates (inclusive); ``outlet`` ``""`` for
    documents with no outlet; ``reuse`` one of :data:`REUSE`."""

    q: str = ""
    outlet: str | None = None
    since: str | None = None
    until: str | None = None
    month: str | None = None
    story: int | None = None
    reuse: str | None = None

    def store_filter(self) -> dict[str, Any]:
        words, prefix = query_words(self.q)
        return {"outlet": self.outlet, "since": self.since, "until": self.until, "month": self.month,
                "story": self.story, "reuse": self.reuse, "words": words, "prefix": prefix,
                "phrase": self.q.strip() or None, "wholly_share": WHOLLY_SHARE}

    def params(self) -> dict[str, str]:
        """The filter as query-string parameters (empty fields left out)."""
        return {k: str(v) for k, v in (("q", self.q), ("outlet", self.outlet), ("since", self.since),
                                       ("until", self.until), ("month", self.month), ("story", self.story),
                                       ("reuse", self.reuse)) if v not in (None, "") or (k == "outlet" and v == "")}


def query_words(q: str) -> tuple[list[str], bool]:
    """The words of a query (lower case) and whether the last one may be the
    beginning of a word (the query ends inside a word)."""
    q = q.strip().lower()
    words = WORD.findall(q)
    return words, bool(words) and bool(WORD.fullmatch(q[-1:]))


def _snippet(row: dict[str, Any], q: str) -> dict[str, str]:
    snip, k = row["snippet"], -1
    if row["at"]:
        k = snip.lower().find(q.lower())
    parts = (snip[:k], snip[k:k + len(q)], snip[k + len(q):]) if k >= 0 else (snip[:200], "", "")
    return {"before": " ".join(parts[0].split()), "hit": parts[1], "after": " ".join(parts[2].split())}


def document_table(store: Store, f: DocFilter, *, sort: str = "scan", descending: bool = False,
                   offset: int = 0, limit: int = 50) -> tuple[int, list[dict[str, Any]]]:
    """The documents that pass ``f``: how many, and a page of them sorted by
    ``sort`` (:data:`SORTS`), each with its reuse class and its share of
    shared text (the store needs its browsing index: `Store.with_index`)."""
    if sort not in SORTS:
        raise ValueError(f"sort by one of {', '.join(SORTS)}, not {sort!r}")
    total, rows = store.document_table(f.store_filter(), sort=sort, descending=descending,
                                       offset=max(0, int(offset)), limit=_bounded(limit))
    q = f.q.strip()
    for r in rows:
        snip = _snippet(r, q) if q else {}
        del r["at"], r["snippet"]
        r.update(snip)
    return total, rows


def document_facets(store: Store, f: DocFilter) -> dict[str, list[dict[str, Any]]]:
    """Facet counts of the documents that pass ``f``: outlets, stories, reuse classes, months."""
    out = store.document_facets(f.store_filter())
    return {name: [{"value": v, "count": n} for v, n in rows] for name, rows in out.items()}


def search(store: Store, q: str, *, offset: int = 0, limit: int = 50, f: DocFilter | None = None
           ) -> tuple[int, list[dict[str, Any]]]:
    """Documents that hold ``q`` (:class:`DocFilter` ``q``: its words through
    the browsing index, then the phrase itself), in scan order, each with a
    snippet around the first place of ``q`` in the text."""
    q = q.strip()
    if not q:
        return 0, []
    f = DocFilter(q=q) if f is None else DocFilter(**{**asdict(f), "q": q})
    return document_table(store, f, offset=offset, limit=limit)


def search_scan(store: Store, q: str) -> list[str]:
    """The slow twin of :func:`search`: every document read in Python, the
    same rule (all words of ``q`` words of the title or text, the last a
    word's beginning if ``q`` ends in a word, and ``q`` inside the title or
    text, case-insensitive). Returns ids in scan order."""
    words, prefix = query_words(q)
    phrase = q.strip().lower()
    if not phrase:
        return []
    out = []
    for d, _s in store.documents():
        terms = set(WORD.findall(f"{d.title or ''} {d.text}".lower()))
        ok = all(w in terms for w in (words[:-1] if prefix else words))
        if ok and prefix:
            ok = any(t.startswith(words[-1]) for t in terms)
        if ok and (phrase in d.text.lower() or phrase in (d.title or "").lower()):
            out.append(d.id)
    return out


def passage_table(store: Store, *, q: str = "", kind: str | None = None, doc_id: str | None = None,
                  cluster: int | None = None, sort: str = "words", offset: int = 0, limit: int = 50
                  ) -> tuple[int, list[dict[str, Any]]]:
    """Shared passages (both documents named by title, outlet and date, the text, its kind)."""
    if sort not in ("words", "published", "scan"):
        raise ValueError(f"sort passages by words, published or scan, not {sort!r}")
    words, prefix = query_words(q)
    return store.passage_table(phrase=q.strip() or None, kind=kind or None, doc_id=doc_id, cluster=cluster,
                               sort=sort, offset=max(0, int(offset)), limit=_bounded(limit), words=words,
                               prefix=prefix)


def cluster_table(store: Store, *, q: str = "", offset: int = 0, limit: int = 50) -> tuple[int, list[dict[str, Any]]]:
    """Reprint clusters, largest first, with their text and members in order of publication."""
    return store.cluster_table(phrase=q.strip() or None, offset=max(0, int(offset)), limit=_bounded(limit))


def duplicate_table(store: Store, *, offset: int = 0, limit: int = 50) -> tuple[int, list[dict[str, Any]]]:
    """Exact duplicates and the stored document each repeats."""
    return store.duplicate_table(offset=max(0, int(offset)), limit=_bounded(limit))


# --------------------------------------------------------------------------
# a document's neighbourhood and a story's timeline, from the story's provenance
# graph (stored by the scan; traced by the page for a small story of an older store)

NEIGHBOURHOOD_DOCS = 20  # documents at most in a neighbourhood


def neighbourhood_ids(store: Store, doc_id: str, hops: int = 2, *, max_docs: int = NEIGHBOURHOOD_DOCS
                      ) -> tuple[dict[str, int], bool]:
    """``{id: hops from doc_id}`` of the documents within ``hops`` shared-text
    steps of ``doc_id`` (the pairs sharing most words first), at most
    ``max_docs``, and whether some were left out."""
    dist, frontier, full = {doc_id: 0}, [doc_id], False
    for h in range(1, max(1, hops) + 1):
        here, nxt = set(frontier), []
        for a, b, _w in store.shared_words(frontier):
            for x, y in ((a, b), (b, a)):
                if x in here and y not in dist:
                    if len(dist) >= max_docs:
                        full = True
                        continue
                    dist[y] = h
                    nxt.append(y)
        frontier = nxt
        if not frontier:
            break
    return dist, full


STORY_TRACE = 40  # a story without stored analysis is traced whole by a page up to this many documents


def story_graph(store: Store, story_id: int | None) -> Any:
    """The story's provenance graph: as the scan stored it, else (a store
    scanned without the stored analysis) traced now when the story has at
    most :data:`STORY_TRACE` documents; ``None`` beyond that or for no story."""
    from ..provenance import trace_passages

    if story_id is None:
        return None
    g = store.stored_graph(story_id, decisions=False)
    if g is not None:
        return g
    if len(store.story_docs(story_id)) > STORY_TRACE:
        return None
    docs, passages = store.story(story_id)
    return trace_passages(docs, passages) if docs else None


def sub_graph(graph: Any, keep: Any) -> Any:
    """The part of ``graph`` over the nodes ``keep`` and the edges between them."""
    from ..provenance.graph import ProvenanceGraph

    return ProvenanceGraph(nodes={k: v for k, v in graph.nodes.items() if k in keep},
                           edges=[e for e in graph.edges if e.source in keep and e.target in keep],
                           reuse_class={k: v for k, v in graph.reuse_class.items() if k in keep},
                           hops={k: v for k, v in graph.hops.items() if k in keep})


def neighbourhood_view(store: Store, doc_id: str, hops: int = 2, links: Links | None = None, *,
                       max_docs: int = NEIGHBOURHOOD_DOCS) -> dict[str, Any] | None:
    """A document's neighbourhood: the documents within ``hops`` of it, the
    provenance graph among them (its sources and derivatives), drawn, and
    the documents and passages (for the document's anatomy). ``None`` when
    there is no such document. The graph is the story's (:func:`story_graph`:
    the stored analysis) cut to the document's sources and derivatives within
    ``hops`` and the documents it shares text with (``max_docs`` at most);
    for a large story without stored analysis, traced among the
    neighbourhood alone."""
    from ..provenance import trace_passages
    from ..provenance.graph import edge_distances

    links = links or Links()
    if not store.documents([doc_id]):
        return None
    near, truncated = neighbourhood_ids(store, doc_id, 1, max_docs=max_docs)
    whole = story_graph(store, store.stories_of([doc_id]).get(doc_id))
    if whole is not None:  # the story's decisions: its sources and derivatives, and those it shares text with
        distance = edge_distances(((e.source, e.target) for e in whole.edges), doc_id, hops)
        order = sorted(distance, key=lambda n: (abs(distance[n]), distance[n], n))
        truncated = truncated or len(order) > max_docs
        keep = {n: abs(distance[n]) for n in order[:max_docs]}
        for k, h in near.items():
            if k in whole.nodes:
                keep.setdefault(k, h)
        g = sub_graph(whole, keep)
        dist = {n: h for n, h in keep.items() if n in g.nodes and not g.nodes[n].placeholder}
        docs, passages = store.passages_among(list(dist))
    else:  # a large story without stored analysis: traced among the neighbourhood alone
        dist, truncated = neighbourhood_ids(store, doc_id, hops, max_docs=max_docs)
        docs, passages = store.passages_among(list(dist))
        g = trace_passages(docs, passages)
    names = {d.id: short_name(d) for d in docs}
    colors = outlet_colors(d.outlet for d in docs)
    svg = layout(g, colors, href=links.doc, labels=names)
    members: list[dict[str, Any]] = [{"doc": doc_info(d, links), "hops": dist[d.id], "reuse": g.reuse_class.get(d.id),
                                      "pair": links.pair(doc_id, d.id) if d.id != doc_id else None} for d in docs]
    members.sort(key=lambda m: (m["hops"], m["doc"]["published"] or "9999", m["doc"]["id"]))
    doc = next(d for d in docs if d.id == doc_id)
    return {"doc": doc_info(doc, links), "hops": hops, "truncated": truncated, "max_docs": max_docs,
            "members": members, "svg": svg, "graph": g, "docs": docs, "passages": passages, "stored": whole is not None,
            **graph_neighbours(g, doc_id, names, links)}


def timeline_view(store: Store, story_id: int, links: Links | None = None, *, limit: int = 400
                  ) -> dict[str, Any] | None:
    """A story as a timeline plot: its documents by date, one lane per
    outlet, and an arrow to each document from the earlier document it
    came from: its most confident parent in the story's provenance graph
    (:func:`story_graph`), or (a large story without stored analysis) the
    earlier document it shares most words with. ``None`` for no such story."""
    links = links or Links()
    docs, pairs = store.story_timeline_rows(story_id, limit=limit)
    if not docs:
        return None
    order = {d["id"]: k for k, d in enumerate(docs)}
    best: dict[str, tuple[int, str]] = {}
    graph = story_graph(store, story_id)
    if graph is not None:  # what came from whom: each document's most confident parent in the graph
        shared = {frozenset((a, b)): w for a, b, w in pairs}
        ranked = sorted(range(len(graph.edges)), key=lambda k: (-graph.edges[k].confidence, k))
        for k in ranked:
            e = graph.edges[k]
            if e.target in order and e.target not in best and e.source in order \
                    and not graph.nodes[e.source].placeholder:
                best[e.target] = (shared.get(frozenset((e.source, e.target)), 0), e.source)
    else:  # no stored analysis: the earlier document it shares most words with
        for a, b, w in pairs:
            s, t = (a, b) if order[a] < order[b] else (b, a)
            if docs[order[s]]["at"] is None or w <= best.get(t, (0, ""))[0]:
                continue
            best[t] = (w, s)
    edges = [(s, t, w) for t, (w, s) in best.items()]
    colors = outlet_colors(d["outlet"] for d in docs)
    plot = timeline_layout(docs, edges, colors, href=links.doc)
    rows = [{"id": d["id"], "name": d["name"], "outlet": d["outlet"], "published": d["published"],
             "href": links.doc(d["id"]), "from": docs[order[best[d["id"]][1]]]["name"] if d["id"] in best else None,
             "words": best[d["id"]][0] if d["id"] in best else None} for d in docs]
    return {"story": story_id, "plot": plot, "rows": rows, "edges": edges, "limit": limit}
