"""A story at a glance: what a reader wants before the long list.

:func:`story_summary` reduces a provenance graph to a small record — the
documents and outlets, the date range, the largest reprint clusters with an
excerpt, the roots and placeholders, the decisions by kind and the reuse
classes — that the command line, the report and the web app render the
same way above their lists (:func:`render_summary` for the terminal).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from ..excerpt import excerpt
from ..records import Document
from .graph import ProvenanceGraph

TOP_OUTLETS = 8
TOP_CLUSTERS = 5
TOP_ROOTS = 8
EXCERPT_WIDTH = 100
NO_OUTLET = "(no outlet)"


@dataclass(frozen=True, slots=True)
class ClusterLine:
    """A reprint cluster: its ``id``, ``size`` (documents), an ``excerpt``
    of its longest copy and the ``root`` it is hung from (a node label)."""

    id: int
    size: int
    excerpt: str
    root: str | None


@dataclass(frozen=True, slots=True)
class RootLine:
    """A root of the graph: node ``id``, ``label``, whether it is a
    ``placeholder`` (not in the collection) and how many nodes lie ``below`` it."""

    id: str
    label: str
    placeholder: bool
    below: int


@dataclass(frozen=True, slots=True)
class StorySummary:
    """The summary of one story's provenance graph.

    ``outlets`` are ``(outlet, documents)``, most first (all of them;
    renderers show the first few); ``first`` and ``last`` the earliest and
    latest publication dates (ISO strings) of the ``dated`` documents;
    ``clusters`` the largest reprint clusters (of ``cluster_count``);
    ``roots`` the roots with most below them, placeholders included (of
    ``root_count``; ``placeholders`` counts the placeholder nodes);
    ``decisions`` the pair decisions by relation (``directed`` for a source
    and its derivative, ``siblings``, ``template``, ``undetermined``) and ``reuse`` the documents
    by reuse class, both as ``(kind, count)``, most first; ``edges`` the
    number of edges of the graph."""

    documents: int
    outlets: tuple[tuple[str, int], ...]
    first: str | None
    last: str | None
    dated: int
    clusters: tuple[ClusterLine, ...]
    cluster_count: int
    roots: tuple[RootLine, ...]
    root_count: int
    placeholders: int
    decisions: tuple[tuple[str, int], ...]
    reuse: tuple[tuple[str, int], ...]
    edges: int

    def as_dict(self) -> dict[str, Any]:
        return {"documents": self.documents, "outlets": [{"outlet": o, "documents": n} for o, n in self.outlets],
                "first": self.first, "last": self.last, "dated": self.dated,
                "clusters": [{"id": c.id, "size": c.size, "excerpt": c.excerpt, "root": c.root}
                             for c in self.clusters],
                "cluster_count": self.cluster_count,
                "roots": [{"id": r.id, "label": r.label, "placeholder": r.placeholder, "below": r.below}
                          for r in self.roots],
                "root_count": self.root_count, "placeholders": self.placeholders,
                "decisions": dict(self.decisions), "reuse": dict(self.reuse), "edges": self.edges}


def _ranked(counts: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def story_summary(g: ProvenanceGraph, docs: Sequence[Document], *, clusters: int = TOP_CLUSTERS,
                  roots: int = TOP_ROOTS, width: int = EXCERPT_WIDTH) -> StorySummary:
    """The :class:`StorySummary` of graph ``g`` over the story's ``docs``."""
    by_id = {d.id: d for d in docs}
    dates = sorted(d.published.isoformat() for d in docs if d.published is not None)
    cl_lines = []
    for cl in sorted(g.clusters, key=lambda c: (-c.size, c.id))[:clusters]:
        longest = max(cl.members, key=lambda m: (m.end - m.start, m.doc_id))
        root = g.cluster_roots.get(cl.id)
        cl_lines.append(ClusterLine(cl.id, cl.size, excerpt(by_id[longest.doc_id].text[longest.start:longest.end], width)
                                    if longest.doc_id in by_id else "",
                                    g.nodes[root].label if root in g.nodes else None))
    below = g.below_roots()
    ranked_roots = sorted(below, key=lambda r: (-below[r], not g.nodes[r].placeholder, r))
    return StorySummary(
        documents=len(docs),
        outlets=_ranked(Counter(d.outlet or NO_OUTLET for d in docs)),
        first=dates[0] if dates else None, last=dates[-1] if dates else None, dated=len(dates),
        clusters=tuple(cl_lines), cluster_count=len(g.clusters),
        roots=tuple(RootLine(r, g.nodes[r].label, g.nodes[r].placeholder, below[r]) for r in ranked_roots[:roots]),
        root_count=len(below), placeholders=sum(n.placeholder for n in g.nodes.values()),
        decisions=_ranked(Counter(_DIRECTED.get(d.relation, d.relation) for d in g.decisions)),
        reuse=_ranked(Counter(g.reuse_class.get(d.id, "non") for d in docs)),
        edges=len(g.edges))


_DIRECTED = {"a->b": "directed", "b->a": "directed"}
_RELATION_WORDS = {"directed": "source and derivative", "siblings": "siblings",
                   "template": "template matches (a form, not content)", "undetermined": "undetermined"}
_REUSE_WORDS = {"wholly": "wholly derived", "partially": "partially derived", "non": "not derived"}


def render_summary(s: StorySummary, title: str = "Story") -> str:
    """The summary as a few lines for the terminal."""
    span = f", {s.first[:16]} to {s.last[:16]}" if s.first and s.last else ""
    lines = [f"{title}: {s.documents:,} documents from {len(s.outlets):,} outlets{span}"
             + (f" ({s.dated:,} dated)" if s.dated != s.documents else "")]
    shown = ", ".join(f"{o} {n}" for o, n in s.outlets[:TOP_OUTLETS])
    more = len(s.outlets) - TOP_OUTLETS
    lines.append(f"outlets: {shown}" + (f" (and {more:,} more)" if more > 0 else ""))
    lines.append("pair decisions: " + (", ".join(f"{n:,} {_RELATION_WORDS.get(k, k)}" for k, n in s.decisions)
                                       or "none"))
    lines.append("reuse: " + ", ".join(f"{n:,} {_REUSE_WORDS.get(k, k)}" for k, n in s.reuse))
    lines.append(f"roots: {s.root_count:,} ({s.placeholders:,} not in the collection); with most below them:")
    for r in s.roots:
        tag = "[not in the collection] " if r.placeholder else ""
        lines.append(f"  {tag}{r.label} ({r.below:,} below)")
    if s.clusters:
        lines.append(f"largest reprint clusters (of {s.cluster_count:,}):")
        for c in s.clusters:
            root = f", from {c.root}" if c.root else ""
            lines.append(f"  {c.size:,} documents{root}: {c.excerpt}")
    return "\n".join(lines)


def render_story_list(rows: Sequence[Mapping[str, Any]]) -> str:
    """The stories of a store (`Store.story_list`) as ``newstrace provenance
    --db FILE`` lists them: number, size, outlets, dates, and the first
    document by its label."""
    out = ["story  documents  outlets  dates                    first document"]
    for r in rows:
        d0, d1 = (str(r["first_published"] or "")[:10], str(r["last_published"] or "")[:10])
        dates = d0 if d0 == d1 else f"{d0} to {d1}"
        out.append(f"{r['story']:>5}  {r['documents']:>9}  {r['outlets']:>7}  {dates:<23}  "
                   f"{excerpt(r['first_label'], 70)}")
    return "\n".join(out)
