"""What the pages show, as plain data: the pair view, the story view, the
document view and the collection overview.

These functions make the library calls (compare, anatomy, trace_passages,
link_quotations) and arrange the results for the templates; they produce no
markup. Links between pages come from a :class:`Links` object, so the
offline report (relative file names) and the web app (routes) share them.
"""

from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence
from urllib.parse import urlsplit

from ..align import AlignParams
from ..compare import compare
from ..excerpt import excerpt as _quoted
from ..labels import document_label
from ..records import Document, Passage, Span
from .graph_svg import layout, outlet_colors
from ..analysis import StoryMeasures, story_measures
from .runs import derivative_runs, passage_by_source, passage_label, plain_runs, source_runs

BORROWED_LABELS = ("verbatim", "edited", "quotation")
BAR_LABELS = ("verbatim", "edited", "quotation", "added", "boilerplate")


def clip(text: str, width: int) -> str:
    """The text on one line, cut around an ellipsis to about ``width`` characters (no quotes)."""
    return _quoted(text, width)[1:-1]


@dataclass(frozen=True, slots=True)
class Links:
    """Where a page links to; ``None`` means "no page for it here"."""

    story: Callable[[int], str | None] = lambda _s: None
    doc: Callable[[str], str | None] = lambda _d: None
    pair: Callable[[str, str], str | None] = lambda _a, _b: None


def safe_url(url: str | None) -> str | None:
    """An article's URL if it is an http(s) address (anything else, such as
    ``javascript:``, is shown as text and never linked)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def _date(v: _dt.date | _dt.datetime | str | None) -> str | None:
    if v is None:
        return None
    return v if isinstance(v, str) else v.isoformat()


def doc_info(d: Document, links: Links | None = None) -> dict[str, Any]:
    links = links or Links()
    return {"id": d.id, "title": d.title, "name": document_label(d), "outlet": d.outlet,
            "byline": d.byline, "published": _date(d.published), "url": d.url, "safe_url": safe_url(d.url),
            "path": d.source_path, "length": len(d.text), "href": links.doc(d.id)}


def short_name(d: Document, n: int = 48) -> str:
    """A document's label (:func:`~newstrace.labels.document_label`) cut to ``n`` characters."""
    return document_label(d, limit=n)


def _bars(shares: Mapping[str, float]) -> list[dict[str, Any]]:
    return [{"label": k, "share": shares.get(k, 0.0), "pct": round(100 * shares.get(k, 0.0), 1)}
            for k in BAR_LABELS if shares.get(k, 0.0) > 0]


# --------------------------------------------------------------------------
# the pair view


def pair_view(a: Document, b: Document, params: AlignParams | None = None, links: Links | None = None,
              *, stored: tuple[Any, tuple[str, str], Sequence[Passage]] | None = None) -> dict[str, Any]:
    """Two documents side by side: the source on the left, the derivative on
    the right (the direction provenance decides; B when it cannot).

    ``stored``, what the scan stored about the pair (`Store.stored_pair`):
    its decision and its passages are shown as stored, nothing is realigned."""
    links = links or Links()
    if stored is not None:
        return _stored_pair_view(a, b, *stored, params, links)
    c = compare(a, b, params)
    decision = c.provenance
    source, derivative = (b, a) if decision is not None and decision.relation == "b->a" else (a, b)
    view: dict[str, Any] = {
        "left": doc_info(source, links), "right": doc_info(derivative, links), **_decision_view(decision),
        "coverage": {"left": c.coverage_a if source is a else c.coverage_b,
                     "right": c.coverage_b if source is a else c.coverage_a},
    }
    an = _pair_anatomy(view, derivative, source, params)
    if an is None or not an.passages:
        view.update(left_runs=plain_runs(source.text), right_runs=plain_runs(derivative.text), passages=[],
                    omissions=[], changes=[], bars=[], headline=None, summary=None)
        return view
    passages = [p for _sid, p in an.passages]
    mine = passage_by_source(an.passages, source.id)
    s = an.summary
    words = max(s.words, 1)
    shares = {k: v / words for k, v in s.words_by_label.items()}
    view.update(
        left_runs=source_runs(source.text, an.source_segments[source.id], mine, an.omissions),
        right_runs=derivative_runs(derivative.text, an.segments, passages),
        passages=[{"n": k, "label": passage_label(p), "kind": p.kind, "words": p.words,
                   "similarity": p.similarity, "a": (p.a.start, p.a.end), "b": (p.b.start, p.b.end),
                   "edits": len(p.edits), "excerpt": clip(p.b_text, 90),
                   "sentences": sentence_pairs(p, source.text, derivative.text)} for k, p in enumerate(passages)],
        omissions=[{"reason": f.reason, "text": f.text, "start": f.start, "end": f.end,
                    "sentence": clip(f.sentence.slice(source.text), 160)}
                   for f in sorted(an.omissions, key=lambda f: -f.weight)],
        changes=[{"kind": ch.kind.replace("_", " "), "detail": ch.detail, "passage": ch.passage,
                  "a_text": ch.a_text, "b_text": ch.b_text, "a": ch.a.start, "b": ch.b.start} for ch in an.changes],
        bars=_bars(shares),
        used=s.share_used.get(source.id, 0.0),
        summary=s,
        headline=_headline(an),
        notes=list(an.notes),
    )
    return view


def sentence_pairs(p: Passage, source_text: str, derivative_text: str, forward: bool = True
                   ) -> list[dict[str, Any]]:
    """A rewritten passage's aligned sentence pairs for the pair page: the
    source's sentence, the derivative's and their similarity (``forward``:
    the passage's A side is the source)."""
    out = []
    for x in p.sentences:
        s, d = (x.a, x.b) if forward else (x.b, x.a)
        out.append({"source": clip(s.slice(source_text), 400), "here": clip(d.slice(derivative_text), 400),
                    "a": (s.start, s.end), "b": (d.start, d.end), "similarity": x.similarity})
    return out


def _decision_view(decision: Any) -> dict[str, Any]:
    return {"relation": decision.relation if decision else None,
            "confidence": decision.confidence if decision else None,
            "common_source": decision.common_source if decision else None,
            "evidence": [{"kind": e.kind, "detail": e.detail} for e in decision.evidence] if decision else []}


def _pair_anatomy(view: dict[str, Any], derivative: Document, source: Document, params: AlignParams | None,
                  passages: Mapping[str, Sequence[Passage]] | None = None) -> Any:
    from ..anatomy import AnatomyError, anatomy

    try:
        return anatomy(derivative, [source], params, passages=passages)
    except AnatomyError as e:
        view["note"] = str(e)
        return None


def _stored_pair_view(a: Document, b: Document, decision: Any, way: tuple[str, str], stored: Sequence[Passage],
                      params: AlignParams | None, links: Links) -> dict[str, Any]:
    """:func:`pair_view` from the stored decision and passages. The passage
    list and the painted texts are the stored passages (offsets slice both
    texts); the omissions, changes and headline check are the anatomy of the
    derivative given those passages (aligned afresh only when the stored
    passages run from the derivative to the source: they cannot be turned)."""
    from ..compare import coverage
    from ..text import tokenize

    directed = decision is not None and decision.relation in ("a->b", "b->a")
    by_id = {a.id: a, b.id: b}
    if directed:
        source, derivative = ((by_id[decision.b], by_id[decision.a]) if decision.relation == "b->a"
                              else (by_id[decision.a], by_id[decision.b]))
    else:  # no direction: as the passages are stored, so that they are the anatomy's
        source, derivative = by_id[way[0]], by_id[way[1]]
    forward = way == (source.id, derivative.id)  # stored A is the source, shown on the left

    def left(p: Passage) -> Span:
        return p.a if forward else p.b

    def right(p: Passage) -> Span:
        return p.b if forward else p.a

    view: dict[str, Any] = {"left": doc_info(source, links), "right": doc_info(derivative, links),
                            **_decision_view(decision), "stored": True,
                            "coverage": {"left": coverage(tokenize(source.text), [(left(p).start, left(p).end)
                                                                                  for p in stored]),
                                         "right": coverage(tokenize(derivative.text), [(right(p).start, right(p).end)
                                                                                       for p in stored])}}
    labels = [passage_label(p) for p in stored]
    view.update(
        left_runs=plain_runs(source.text, [(left(p).start, left(p).end, k) for p, k in zip(stored, labels)]),
        right_runs=plain_runs(derivative.text, [(right(p).start, right(p).end, k) for p, k in zip(stored, labels)]),
        passages=[{"n": k, "label": lab, "kind": p.kind, "words": p.words, "similarity": p.similarity,
                   "a": (left(p).start, left(p).end), "b": (right(p).start, right(p).end), "edits": len(p.edits),
                   "excerpt": clip(right(p).slice(derivative.text), 90),
                   "sentences": sentence_pairs(p, source.text, derivative.text, forward)}
                  for k, (p, lab) in enumerate(zip(stored, labels))],
        omissions=[], changes=[], bars=[], headline=None, summary=None)
    if not stored:
        return view
    an = _pair_anatomy(view, derivative, source, params, {source.id: list(stored)} if forward else None)
    if an is None or not an.passages:
        return view
    s = an.summary
    words = max(s.words, 1)
    rights = sorted((right(p).start, right(p).end, k) for k, p in enumerate(stored))

    def numbered(at: int) -> int | None:  # the stored passage holding a change
        return next((k for s0, e0, k in rights if s0 <= at < e0), None)

    view.update(
        omissions=[{"reason": f.reason, "text": f.text, "start": f.start, "end": f.end,
                    "sentence": clip(f.sentence.slice(source.text), 160)}
                   for f in sorted(an.omissions, key=lambda f: -f.weight)],
        changes=[{"kind": ch.kind.replace("_", " "), "detail": ch.detail, "passage": k,
                  "a_text": ch.a_text, "b_text": ch.b_text, "a": ch.a.start, "b": ch.b.start}
                 for ch in an.changes if (k := numbered(ch.b.start)) is not None],
        bars=_bars({k: v / words for k, v in s.words_by_label.items()}),
        used=s.share_used.get(source.id, 0.0), summary=s, headline=_headline(an), notes=list(an.notes))
    return view


def _headline(an) -> dict[str, Any] | None:
    """The headline check: its terms, supported by the borrowed text or not."""
    h = an.headline
    if h.headline is None:
        return None
    terms = [t for t in h.terms if t.part == "headline" and t.kind != "word"] or \
        [t for t in h.terms if t.part == "headline"]
    return {"text": h.headline.slice(an.derivative.text),
            "terms": [{"text": t.text, "kind": t.kind, "supported": t.supported, "in_source": t.in_source}
                      for t in terms],
            "unsupported": sum(not t.supported for t in terms)}


# --------------------------------------------------------------------------
# the story view


@dataclass(frozen=True, slots=True)
class StoredStory:
    """What a store keeps of a story for its pages (newstrace.analysis): its
    provenance ``graph``, ``summary``, :class:`StoryMeasures`, the
    ``quotations`` of each document (records with ``text`` and ``speaker``,
    by index) and their ``links``."""

    graph: Any
    summary: Any
    measures: StoryMeasures
    quotations: Mapping[str, Sequence[Any]]
    links: Sequence[Any]


def stored_story(store: Any, story_id: int, doc_ids: Sequence[str], *, decisions: bool = False
                 ) -> StoredStory | None:
    """The :class:`StoredStory` of a story from ``store``, or ``None`` when the
    scan stored no analysis for it (the page computes it then); its graph
    with the pair decisions only when asked (``decisions``: a story page
    shows their counts, from the summary)."""
    from ..records import Quotation

    graph = store.stored_graph(story_id, decisions=decisions)
    if graph is None:
        return None
    entries = store.stored_quotations(doc_ids) if len(doc_ids) <= 60 else {}
    quotations = {i: [Quotation(start=q["start"], end=q["end"], text=q["text"], speaker=q["speaker"]) for q in e["quotations"]]
                  for i, e in entries.items()}
    return StoredStory(graph, store.stored_summary(story_id), store.stored_measures(story_id), quotations,
                       store.stored_quote_links(story_id))


PAIR_STORY_DOCS = 60  # a pair whose story has no stored analysis: traced with its story up to this size


def stored_pair(store: Any, a: Document, b: Document, story_id: int | None
                ) -> tuple[Any, tuple[str, str], list[Passage]] | None:
    """What a pair page shows of ``a`` and ``b``, documents of story
    ``story_id``: the pair's provenance decision, the way its passages run
    and the passages, as the scan stored them (`Store.stored_pair`). When
    the story has no stored analysis, the same computed from the stored
    passages of a story of at most :data:`PAIR_STORY_DOCS` documents (its
    provenance is traced: a pair's decision weighs the story's other
    pairs). ``None`` otherwise (the page compares the two afresh)."""
    found = store.stored_pair(a, b)
    if found is not None or story_id is None or a.id == b.id:
        return found
    if len(store.story_docs(story_id)) > PAIR_STORY_DOCS:
        return None
    from ..provenance import trace_passages

    docs, passages = store.story(story_id)
    decision = next((d for d in trace_passages(docs, passages).decisions if {d.a, d.b} == {a.id, b.id}), None)
    way = next((k for k in ((a.id, b.id), (b.id, a.id)) if k in passages),
               (decision.a, decision.b) if decision else (a.id, b.id))
    return decision, way, passages.get(way, [])


def story_view(docs: Sequence[Document], passages: Mapping[tuple[str, str], Sequence[Passage]],
               links: Links | None = None, *, story_id: int | None = None, stored: Any = None) -> dict[str, Any]:
    """A story: its summary (newstrace.provenance.summary), provenance
    graph, timeline, reprint clusters, quotations that travelled, coverage
    per document and who borrowed from whom. ``stored``, the story's
    :class:`StoredStory` from a store, saves computing its graph, summary
    and quotations again."""
    from ..provenance import story_summary, trace_passages
    from ..quotations import find_quotations
    from ..quotations.links import link_quotations

    links = links or Links()
    by_id = {d.id: d for d in docs}
    g = stored.graph if stored is not None else trace_passages(docs, passages)
    colors = outlet_colors(d.outlet for d in docs)
    names = {d.id: short_name(d) for d in docs}
    svg = layout(g, colors, href=links.doc, labels=names)

    m = stored.measures if stored is not None else story_measures(g, docs, passages)
    pair_rows = [{"a": names[a], "b": names[b], "passages": n, "words": w, "href": links.pair(a, b)}
                 for a, b, n, w in m.pairs]
    coverage: list[dict[str, Any]] = [{"doc": doc_info(d, links), "short": names[d.id],
                                       "color": colors.get(d.outlet or "", "#6b7a8f"),
                                       "share": m.coverage.get(d.id, 0.0), "reuse": g.reuse_class.get(d.id)}
                                      for d in docs]
    for row in coverage:
        row["pct"] = round(100 * row["share"], 1)
    coverage.sort(key=lambda r: -r["share"])
    top = max((n for _w, _f, n in m.borrowed), default=1) or 1
    borrow_rows = [{"who": w, "from": f, "chars": n, "pct": round(100 * n / top, 1)} for w, f, n in m.borrowed]

    dated = sorted(docs, key=lambda d: (_date(d.published) or "9999", d.id))
    timeline = [{"doc": doc_info(d, links), "short": names[d.id], "color": colors.get(d.outlet or "", "#6b7a8f"),
                 "reuse": g.reuse_class.get(d.id)} for d in dated]

    clusters = []
    for cl in sorted(g.clusters, key=lambda c: (-c.size, c.id))[:30]:
        longest = max(cl.members, key=lambda m: m.end - m.start)
        clusters.append({"id": cl.id, "size": cl.size, "passages": len(cl.passages),
                         "excerpt": clip(by_id[longest.doc_id].text[longest.start:longest.end], 200),
                         "members": [{"name": names[m.doc_id], "href": links.doc(m.doc_id), "start": m.start,
                                      "end": m.end} for m in cl.members][:20],
                         "root": names.get(g.cluster_roots.get(cl.id, ""), None)})

    quotes = []
    if len(docs) <= 60:
        if stored is not None:
            found: Mapping[str, Sequence[Any]] = stored.quotations
            quote_links: Sequence[Any] = stored.links
        else:
            found = {d.id: find_quotations(d.text) for d in docs}
            quote_links = link_quotations(docs)
        for link in quote_links:
            q = found[link.a_id][link.a_index]
            quotes.append({"text": clip(q.text, 220), "speaker": q.speaker, "from": names[link.a_id],
                           "to": names[link.b_id], "quoted": link.b_index is not None,
                           "flags": [f.replace("_", " ") for f in link.flags],
                           "diff": [{"op": o, "a": x, "b": y} for o, x, y in link.diff[:4]],
                           "href": links.pair(link.a_id, link.b_id)})
            if len(quotes) >= 60:
                break
    summary = stored.summary if stored is not None else story_summary(g, docs)
    return {"story_id": story_id, "documents": len(docs), "summary": summary, "svg": svg, "timeline": timeline, "coverage": coverage,
            "borrowed": borrow_rows, "clusters": clusters, "quotes": quotes, "pairs": pair_rows,
            "outlets": sorted(colors.items()), "graph": g}


# --------------------------------------------------------------------------
# a document in a store


def document_view(doc: Document, story_docs: Sequence[Document],
                  passages: Mapping[tuple[str, str], Sequence[Passage]], links: Links | None = None,
                  params: AlignParams | None = None, *, graph: Any = None) -> dict[str, Any]:
    """One stored document: its anatomy against the sources provenance infers
    (from the story's provenance ``graph`` when given, as a store keeps it),
    its place in the story's provenance graph and the documents it shares text with."""
    from ..anatomy import AnatomyError, anatomy
    from ..anatomy.inferred import inferred_sources, sources_from_graph

    links = links or Links()
    view: dict[str, Any] = {"doc": doc_info(doc, links), "runs": plain_runs(doc.text), "bars": [],
                            "omissions": [], "sources": [], "notes": [], "parents": [], "children": [],
                            "partners": [], "story": None}
    if not passages:
        view["notes"].append("shares no text with any other document of the collection")
        return view
    partners: dict[str, int] = defaultdict(int)
    for (a, b), ps in passages.items():
        if doc.id in (a, b):
            partners[b if a == doc.id else a] += sum(p.words for p in ps)
    by_id = {d.id: d for d in story_docs}
    view["partners"] = [{"doc": doc_info(by_id[o], links), "words": w, "pair": links.pair(o, doc.id)}
                        for o, w in sorted(partners.items(), key=lambda kv: -kv[1]) if o in by_id]
    try:
        derivative, sources, notes = (inferred_sources(story_docs, passages, doc.id) if graph is None else
                                      sources_from_graph(graph, story_docs, passages, doc.id))
        an = anatomy(derivative, sources, params, notes=notes)
    except AnatomyError as e:
        view["notes"].append(str(e))
        an = None
    if an is not None and an.passages:
        words = max(an.summary.words, 1)
        view["runs"] = derivative_runs(doc.text, an.segments, [p for _s, p in an.passages])
        view["bars"] = _bars({k: v / words for k, v in an.summary.words_by_label.items()})
        view["sources"] = [{"doc": doc_info(s, links), "used": an.summary.share_used.get(s.id, 0.0),
                            "pair": links.pair(s.id, doc.id)} for s in an.sources]
        view["omissions"] = [{"reason": f.reason, "text": f.text, "source": f.source,
                              "sentence": clip(f.sentence.slice(an.source(f.source).text), 160)}
                             for f in sorted(an.omissions, key=lambda f: -f.weight)[:20]]
        view["notes"].extend(an.notes)
        view["headline"] = _headline(an)
    return view


def graph_neighbours(g, doc_id: str, names: Mapping[str, str], links: Links) -> dict[str, list]:
    parents = [{"name": g.nodes[e.source].label if e.source not in names else names[e.source],
                "placeholder": g.nodes[e.source].placeholder, "confidence": e.confidence,
                "evidence": [f"{ev.kind}: {ev.detail}" for ev in e.evidence],
                "href": None if g.nodes[e.source].placeholder else links.doc(e.source)}
               for e in g.edges if e.target == doc_id]
    children = [{"name": names.get(e.target, e.target), "confidence": e.confidence, "href": links.doc(e.target)}
                for e in g.edges if e.source == doc_id]
    return {"parents": parents, "children": children}
