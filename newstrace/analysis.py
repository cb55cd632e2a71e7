"""The analysis a store keeps for each story, computed when a scan builds it.

What the pages and the commands show about a story is a function of its
documents and their passages: the provenance graph (pair decisions with
their evidence, edges, placeholders, roots, hops, reuse classes), the
sources anatomy compares each document with, and the quotations of each
document with where they travelled. :func:`analyse_story` computes all of
it with the same library calls the commands make (`trace_passages`,
`anatomy.inferred.sources_from_graph`, `quotation_report`); the store keeps
it (`Store.save_analysis`, docs/store.md) under the story's :func:`story_key`,
a digest of its member ids, so that a rescan recomputes only the stories
whose members changed, whatever numbers the stories get.

The graph is kept whole as JSON (:func:`graph_json`, :func:`graph_from_json`,
lossless: the graph read back equals the one computed), beside the rows a
query needs (pairs, edges, nodes).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from .cluster import Cluster, ClusterMember
from .labels import document_label
from .provenance import story_summary, trace_passages
from .provenance.credits import Credit
from .provenance.direction import Evidence, PairDecision, covered_chars
from .provenance.graph import Edge, Node, ProvenanceGraph
from .provenance.summary import ClusterLine, RootLine, StorySummary
from .quotations.links import QuoteLink
from .records import Document, Passage, Span
from .text import Tokens, tokenize_many

if TYPE_CHECKING:
    from .store import Store


def story_key(doc_ids: Sequence[str]) -> str:
    """What names a story's analysis: a digest of its sorted member ids (the
    same members, the same key, whatever number the story gets)."""
    h = hashlib.sha256()
    for i in sorted(doc_ids):
        h.update(i.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class DocumentAnalysis:
    """One document of a story: its ``reuse_class`` and ``hops`` from a root
    in the graph, the ``sources`` anatomy compares it with and the ``notes``
    on how they were chosen (`anatomy.inferred`), or why it has none
    (``no_sources``); its ``quotations``, the entry of `quotation_report`
    (with where each travelled in the story)."""

    doc_id: str
    reuse_class: str | None
    hops: int | None
    sources: tuple[str, ...]
    notes: tuple[str, ...]
    no_sources: str | None
    quotations: dict[str, Any]


@dataclass(frozen=True, slots=True)
class StoryMeasures:
    """What a story page counts over all the passages of a story:
    ``coverage``, the share of each document's characters in passages;
    ``borrowed``, ``(who, from whom, characters)`` along the graph's edges,
    most first; ``pairs``, the :data:`PAIR_ROWS` pairs with most shared words,
    ``(a, b, passages, words)``."""

    coverage: Mapping[str, float]
    borrowed: Sequence[tuple[str, str, int]]
    pairs: Sequence[tuple[str, str, int, int]]


PAIR_ROWS = 100


def story_measures(g: Any, docs: Sequence[Document], passages: Mapping[tuple[str, str], Sequence[Passage]]
                   ) -> StoryMeasures:
    """The :class:`StoryMeasures` of a story with provenance graph ``g`` (what the story page shows)."""
    by_id = {d.id: d for d in docs}
    names = {d.id: document_label(d, limit=48) for d in docs}  # report.views.short_name
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    pair_spans: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)  # (target, source) -> target spans
    pairs: list[tuple[str, str, int, int]] = []
    for (a, b), ps in sorted(passages.items()):
        if not ps:
            continue
        for p in ps:
            spans[a].append((p.a.start, p.a.end))
            spans[b].append((p.b.start, p.b.end))
            pair_spans[(b, a)].append((p.b.start, p.b.end))
            pair_spans[(a, b)].append((p.a.start, p.a.end))
        pairs.append((a, b, len(ps), sum(p.words for p in ps)))
    pairs.sort(key=lambda r: -r[3])
    borrowed: dict[tuple[str, str], int] = defaultdict(int)
    for e in g.edges:
        tgt = by_id.get(e.target)
        if tgt is None:
            continue
        src = g.nodes[e.source]
        who = tgt.outlet or names[tgt.id]
        frm = (src.label if src.placeholder else (src.outlet or names.get(src.id, src.id)))
        chars = covered_chars(pair_spans[(e.target, e.source)]) if not src.placeholder else covered_chars(spans[e.target])
        borrowed[(who, frm)] += chars
    return StoryMeasures({d.id: covered_chars(spans[d.id]) / max(len(d.text), 1) for d in docs},
                         [(w, f, n) for (w, f), n in sorted(borrowed.items(), key=lambda kv: -kv[1])],
                         pairs[:PAIR_ROWS])


@dataclass(frozen=True, slots=True)
class StoryAnalysis:
    """A story's stored analysis: its ``key`` (:func:`story_key`), its
    provenance ``graph``, its ``summary`` (`provenance.story_summary`), its
    :class:`StoryMeasures`, each
    of its ``documents``, and for a story of at most :data:`LINKED_DOCS`
    documents the ``links`` of its quotations (`quotations.link_quotations`,
    what the story page lists)."""

    key: str
    graph: ProvenanceGraph
    summary: StorySummary
    measures: StoryMeasures
    documents: tuple[DocumentAnalysis, ...]
    links: tuple[QuoteLink, ...] = ()


# the story page lists the quotations that travelled in stories of at most this many documents
LINKED_DOCS = 60


def analyse_story(docs: Sequence[Document], passages: Mapping[tuple[str, str], Sequence[Passage]]
                  ) -> StoryAnalysis:
    """The analysis of one story (``docs`` in scan order and the passages of
    their pairs, as `Store.story` gives them): :func:`analyse_provenance`
    and :func:`analyse_quotations` put together (the documents tokenised once for both)."""
    tokens = tokenize_many([d.text for d in docs])
    return combine(analyse_provenance(docs, passages, tokens=tokens), analyse_quotations(docs, tokens=tokens))


def analyse_provenance(docs: Sequence[Document], passages: Mapping[tuple[str, str], Sequence[Passage]], *,
                       tokens: Sequence[Tokens] | None = None) -> StoryAnalysis:
    """The provenance half of :func:`analyse_story`: graph, summary, measures
    and each document's sources (its quotations left empty). ``tokens``,
    when the caller has them, are `tokenize` of each document's text."""
    from .anatomy import AnatomyError
    from .anatomy.inferred import sources_from_graph

    graph = trace_passages(docs, passages, tokens=None if tokens is None else
                           {d.id: t for d, t in zip(docs, tokens)})
    out = []
    for d in docs:
        try:
            _, sources, notes = sources_from_graph(graph, docs, passages, d.id)
            src, why = tuple(s.id for s in sources), None
        except AnatomyError as e:
            src, notes, why = (), [], str(e)
        out.append(DocumentAnalysis(d.id, graph.reuse_class.get(d.id), graph.hops.get(d.id), src, tuple(notes),
                                    why, {}))
    return StoryAnalysis(story_key([d.id for d in docs]), graph, story_summary(graph, docs),
                         story_measures(graph, docs, passages), tuple(out))


def analyse_quotations(docs: Sequence[Document], *, tokens: Sequence[Tokens] | None = None
                       ) -> tuple[dict[str, dict[str, Any]], tuple[QuoteLink, ...]]:
    """The quotations half of :func:`analyse_story` (it needs no passages):
    each document's `quotation_report` entry in the story, and for a story
    of at most :data:`LINKED_DOCS` documents the links of its quotations."""
    from .quotations import quotation_report
    from .quotations.links import link_story_quotations

    links = link_story_quotations(docs, tokens=tokens)  # found once: the report's travels and the story's links
    entries = {e["id"]: e for e in quotation_report(docs, {d.id: 0 for d in docs}, links=links)}
    return entries, links if len(docs) <= LINKED_DOCS else ()


def combine(provenance: StoryAnalysis, quotations: tuple[dict[str, dict[str, Any]], tuple[QuoteLink, ...]]
            ) -> StoryAnalysis:
    """:func:`analyse_provenance` with the quotations of :func:`analyse_quotations`."""
    entries, links = quotations
    return replace(provenance, documents=tuple(replace(d, quotations=entries[d.doc_id])
                                               for d in provenance.documents), links=links)


Story = tuple[Sequence[Document], Mapping[tuple[str, str], Sequence[Passage]]]


def _analyse_job(part: str, stories: Sequence[Story], sids: Sequence[int]) -> Any:
    """One job of :func:`analyse_stories`: the analyses of several small
    stories (``part`` ``"stories"``) as the rows the store keeps
    (:func:`analysis_rows`: the rows pass between processes for less than
    the analyses), or one half of a large story."""
    if part == "stories":
        return [analysis_rows(sid, analyse_story(docs, passages)) for sid, (docs, passages) in zip(sids, stories)]
    ((docs, passages),) = stories
    return analyse_provenance(docs, passages) if part == "provenance" else analyse_quotations(docs)


def analyse_stories(store: Store, *, workers: Callable[[Callable, Iterable], Iterator] | None = None,
                    say: Callable[..., None] | None = None) -> tuple[int, int]:
    """Bring the stored analysis up to date with the store's stories: the
    analyses of stories whose members are unchanged are kept (and given the
    stories' current numbers), those of stories that are gone are dropped,
    and only the new or changed stories are analysed, largest first.
    ``workers`` maps a function over ``(context, arguments)`` pairs and
    yields ``(context, result)`` in order (a process pool's map; in this
    process when ``None``). A story of :data:`SPLIT_DOCS` documents or more
    is two jobs, its provenance and its quotations, so that two workers
    share the largest stories; smaller ones go many to a job (of about
    :data:`JOB_DOCS` documents), as a job a story cost more in passing the
    jobs and their results between processes than the analysis of a
    two-document story. Returns ``(analysed, kept)``."""
    say = say or (lambda msg, milestone=False: None)
    todo, kept = store.stale_stories()
    if not todo:
        return 0, kept
    total = len(todo)
    say(f"analysing {total:,} new or changed stories ({kept:,} kept)", milestone=True)

    def jobs() -> Iterator[tuple[tuple[str, list[int]], tuple[str, list[Story], list[int]]]]:
        for chunk in _story_chunks(todo, store):
            read = store.stories(chunk)  # many small stories in two queries
            batch: list[int] = []
            n = 0
            for sid in chunk:
                docs, passages = read[sid]
                if len(docs) >= SPLIT_DOCS:
                    yield ("provenance", [sid]), ("provenance", [(docs, passages)], [sid])
                    yield ("quotations", [sid]), ("quotations", [(docs, {})], [sid])
                    continue
                batch.append(sid)
                n += len(docs)
                if n >= JOB_DOCS:
                    yield ("stories", batch), ("stories", [read[i] for i in batch], batch)
                    batch, n = [], 0
            if batch:
                yield ("stories", batch), ("stories", [read[i] for i in batch], batch)

    mapped = workers(_analyse_job, jobs()) if workers else ((c, _analyse_job(*a)) for c, a in jobs())
    done = docs_ready = 0
    half: Any = None
    ready: list[dict[str, list[tuple]]] = []
    for (part, sids), result in mapped:
        if part == "provenance":
            half = result
            continue
        for rows in result if part == "stories" else [analysis_rows(sids[0], combine(half, result))]:
            ready.append(rows)
            docs_ready += len(rows["analysis_documents"])
            done += 1
            if len(ready) >= SAVE_STORIES or docs_ready >= SAVE_DOCUMENTS or done == total:
                # one transaction a batch: a killed scan keeps the batches saved; stale_stories
                # listed only stories without an analysis, so there is none to replace
                store.save_analysis_rows(ready, replace=False)
                ready, docs_ready = [], 0
            say(f"analysed {done:,}/{total:,} stories (provenance, sources, quotations)",
                milestone=10 * (done - 1) // total != 10 * done // total)
    return total, kept


# While the scan reads a run of stories or saves a batch of analyses, the
# workers have only the jobs already given them (two each): reads and saves
# are few and jobs large enough that the workers seldom wait.
SAVE_STORIES = 2_000     # stories whose analyses are saved in one transaction, at most
SAVE_DOCUMENTS = 20_000  # ... and documents
READ_DOCUMENTS = 8_000   # documents of the stories read from the store in one go, at most
SPLIT_DOCS = 20          # a story of this many documents or more is two jobs (provenance, quotations)
JOB_DOCS = 200           # the documents of the small stories of one job, about


def _story_chunks(todo: Sequence[int], store: Store) -> Iterator[list[int]]:
    """``todo`` in runs of stories of at most :data:`READ_DOCUMENTS`
    documents together (a larger story alone), in order."""
    sizes = store.story_sizes(todo)
    chunk: list[int] = []
    n = 0
    for sid in todo:
        size = sizes.get(sid, 0)
        if chunk and n + size > READ_DOCUMENTS:
            yield chunk
            chunk, n = [], 0
        chunk.append(sid)
        n += size
    if chunk:
        yield chunk


def analysis_rows(story_id: int | None, a: StoryAnalysis) -> dict[str, list[tuple]]:
    """The rows of each analysis table for one story, columns as
    `engines.tables.ANALYSIS_COLUMNS` (what the store and the Spark engine write)."""
    g = a.graph
    roots = set(g.roots)
    k = a.key
    return {
        "analysis_stories": [(k, story_id, len(a.documents), summary_json(a.summary), graph_json(g),
                              measures_json(a.measures))],
        "analysis_pairs": [(k, n, *decision_row(d)) for n, d in enumerate(g.decisions)],
        "analysis_edges": [(k, n, e.source, e.target, float(e.confidence), g.nodes[e.source].placeholder,
                            evidence_json(e.evidence)) for n, e in enumerate(g.edges)],
        "analysis_nodes": [(k, n.id, n.label, n.placeholder, n.outlet, n.published, g.reuse_class.get(n.id),
                            g.hops.get(n.id), n.id in roots) for n in g.nodes.values()],
        "analysis_documents": [(d.doc_id, k, d.reuse_class, d.hops, json.dumps(list(d.sources), ensure_ascii=False),
                                json.dumps(list(d.notes), ensure_ascii=False), d.no_sources,
                                json.dumps(d.quotations, ensure_ascii=False)) for d in a.documents],
        "analysis_quote_links": [(k, n, *link_json(x)) for n, x in enumerate(a.links)],
    }


def stored_quotation_report(store: Store, doc_id: str | None = None, *, say: Callable[..., None] | None = None
                            ) -> list[dict[str, Any]] | None:
    """`quotations.quotation_report` of document ``doc_id`` in its story (of
    every document when ``None``) from the stored analysis, as ``newstrace
    quotes --db`` writes it; ``None`` when there is no such document. What
    is not stored (documents in no story, a story without stored analysis)
    is computed, with progress to ``say``."""
    from .quotations import quotation_report

    ids = [doc_id] if doc_id is not None else store.document_ids()
    stored = store.stored_quotations(ids)
    rows = store.documents([i for i in ids if i not in stored])
    if doc_id is not None and not rows and not stored:
        return None
    by_story: dict[int | None, list[Document]] = {}
    for d, sid in rows:
        by_story.setdefault(sid, []).append(d)
    done = 0
    for sid, docs in by_story.items():
        group = [d for d, _ in store.story_documents(docs[0].id)] if sid is not None else docs
        for e in quotation_report(group, {d.id: sid for d in group}, wanted=[d.id for d in docs]):
            stored[e["id"]] = e
        done += len(docs)
        if say:
            say(f"quotations of {done:,}/{len(rows):,} documents not in the stored analysis")
    return [stored[i] for i in ids if i in stored]


# --------------------------------------------------------------------------
# the graph as JSON, and back


def _evidence(e: Evidence) -> list[Any]:
    return [e.kind, e.detail, e.favours, e.weight]


def _credit(c: Credit) -> list[Any]:
    return [c.kind, c.outlet, c.span.start, c.span.end, c.text, c.person]


def graph_json(g: ProvenanceGraph) -> str:
    """The graph as one JSON text, every field (floats unrounded) but its
    pair decisions, which the store keeps as rows (:func:`decision_row`)."""
    return json.dumps({
        "nodes": [[n.id, n.label, n.placeholder, n.path, n.outlet, n.published] for n in g.nodes.values()],
        "edges": [[e.source, e.target, e.confidence, [_evidence(x) for x in e.evidence]] for e in g.edges],
        "reuse_class": g.reuse_class, "hops": g.hops,
        "clusters": [[c.id, [[m.doc_id, m.start, m.end] for m in c.members], list(c.passages)] for c in g.clusters],
        "cluster_roots": [[k, v] for k, v in g.cluster_roots.items()],
    }, ensure_ascii=False)


def _evidence_of(rows: list) -> tuple[Evidence, ...]:
    return tuple(Evidence(*r) for r in rows)


def graph_from_json(text: str, decisions: Sequence[PairDecision] = ()) -> ProvenanceGraph:
    """The graph :func:`graph_json` wrote, with its ``decisions``."""
    j = json.loads(text)
    return ProvenanceGraph(
        nodes={r[0]: Node(*r) for r in j["nodes"]},
        edges=[Edge(s, t, c, _evidence_of(x)) for s, t, c, x in j["edges"]],
        reuse_class=j["reuse_class"], hops=j["hops"], decisions=list(decisions),
        clusters=[Cluster(cid, tuple(ClusterMember(*m) for m in members), tuple(ps))
                  for cid, members, ps in j["clusters"]],
        cluster_roots={k: v for k, v in j["cluster_roots"]},
    )


def decision_row(d: PairDecision) -> tuple[str, str, str, float, str | None, str, str]:
    """A pair decision as the store keeps it: ``(a, b, relation, confidence,
    common_source, evidence JSON, common credits JSON)``."""
    return (d.a, d.b, d.relation, d.confidence, d.common_source,
            json.dumps([_evidence(x) for x in d.evidence], ensure_ascii=False),
            json.dumps([_credit(c) for c in d.common_credits], ensure_ascii=False))


def decision_from_row(a: str, b: str, relation: Any, confidence: float, common: str | None, evidence: str,
                      credits: str) -> PairDecision:
    """The decision :func:`decision_row` wrote."""
    return PairDecision(a, b, relation, confidence, _evidence_of(json.loads(evidence)), common, tuple(
        Credit(k, o, Span(s, e), t, p) for k, o, s, e, t, p in json.loads(credits)))


def evidence_json(e: Sequence[Evidence]) -> str:
    return json.dumps([_evidence(x) for x in e], ensure_ascii=False)


def measures_json(m: StoryMeasures) -> str:
    return json.dumps([m.coverage, m.borrowed, m.pairs], ensure_ascii=False)


def measures_from_json(text: str) -> StoryMeasures:
    coverage, borrowed, pairs = json.loads(text)
    return StoryMeasures(coverage, [tuple(r) for r in borrowed], [tuple(r) for r in pairs])


def summary_json(s: StorySummary) -> str:
    """A story summary as JSON (:func:`summary_from_json` reads it back)."""
    return json.dumps([s.documents, s.outlets, s.first, s.last, s.dated,
                       [[c.id, c.size, c.excerpt, c.root] for c in s.clusters], s.cluster_count,
                       [[r.id, r.label, r.placeholder, r.below] for r in s.roots], s.root_count, s.placeholders,
                       s.decisions, s.reuse, s.edges], ensure_ascii=False)


def summary_from_json(text: str) -> StorySummary:
    (docs, outlets, first, last, dated, clusters, cluster_count, roots, root_count, placeholders, decisions,
     reuse, edges) = json.loads(text)

    def pairs(rows: list) -> tuple[tuple[str, int], ...]:
        return tuple((k, n) for k, n in rows)

    return StorySummary(docs, pairs(outlets), first, last, dated, tuple(ClusterLine(*c) for c in clusters),
                        cluster_count, tuple(RootLine(*r) for r in roots), root_count, placeholders,
                        pairs(decisions), pairs(reuse), edges)


def link_json(link: QuoteLink) -> tuple[str, int, str, int | None, int, int, float, str, str]:
    """A quotation link as the store keeps it."""
    return (link.a_id, link.a_index, link.b_id, link.b_index, link.b_start, link.b_end, link.similarity,
            json.dumps(list(link.flags)), json.dumps([list(x) for x in link.diff], ensure_ascii=False))


def link_from_row(a: str, ai: int, b: str, bi: int | None, s: int, e: int, sim: float, flags: str,
                  diff: str) -> QuoteLink:
    return QuoteLink(a, ai, b, bi, s, e, sim, tuple(json.loads(flags)), tuple(tuple(x) for x in json.loads(diff)))
