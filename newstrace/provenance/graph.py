"""The provenance graph of a story: documents and placeholder sources.

Built from the pairwise decisions (newstrace.provenance.direction):

1. a pair of siblings crediting outlet X gets X's article as common parent:
   the earliest document of outlet X in the collection if there is one,
   else a placeholder node (``CNN report by Ryan Browne, August 4, 2017``);
2. a child of that parent which is itself credited whole to another outlet
   Y not in the collection (``The original source of this article is
   Russia Insider``) hangs below a placeholder for Y's article: X → Y → child;
3. a reprint cluster whose copies credit an outlet X (at least two of them)
   gets X's article as its root and parent of every copy; a cluster without
   such credits is rooted at its earliest copy;
4. direct decisions give source → derivative edges;
5. an aggregator or index page is never a source: no edge leaves it;
6. each derivative keeps its three most confident parents; edges are added
   by confidence, skipping any that would close a cycle, and an edge
   ``u → w`` is dropped when a longer path ``u → … → w`` remains (the
   chain says more than the shortcut).

Each document gets a reuse class against its parents (newstrace.provenance
.reuse) and its number of hops from a root.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

from ..ingest.dates import find_dates
from ..labels import document_label
from ..records import Document
from .credits import Credit
from ..cluster import Cluster
from .direction import W_CREDIT, Evidence, PairDecision, Profile, credit_where, shared_text_credits
from .reuse import reuse_class

PARENTS_KEPT = 3
CLUSTER_CREDITING = 0.98  # a copy that credits the outlet most copies credit
CLUSTER_OTHER = 0.85      # a copy without the credit: from the outlet, maybe through another copy


def _total(spans: list[tuple[int, int]]) -> int:
    return sum(e - s for s, e in spans)


def edge_distances(edges: Iterable[tuple[str, str]], doc_id: str, hops: int) -> dict[str, int]:
    """``{node: edges from doc_id}`` over ``(source, target)`` edges: its
    sources (negative, followed up only) and derivatives (positive, followed
    down only) within ``hops`` edges; the document itself is 0."""
    up: dict[str, list[str]] = {}
    down: dict[str, list[str]] = {}
    for src, tgt in edges:
        down.setdefault(src, []).append(tgt)
        up.setdefault(tgt, []).append(src)
    distance = {doc_id: 0}
    for way, sign in ((up, -1), (down, 1)):
        frontier = [doc_id]
        for step in range(1, max(0, int(hops)) + 1):
            nxt = [w for v in frontier for w in way.get(v, ()) if w not in distance]
            for w in nxt:
                distance.setdefault(w, sign * step)
            frontier = nxt
    return distance


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    label: str
    placeholder: bool = False
    path: str | None = None
    outlet: str | None = None
    published: str | None = None


@dataclass(frozen=True, slots=True)
class Edge:
    """``source`` → ``target``: the target (a derivative) took text from the source."""

    source: str
    target: str
    confidence: float
    evidence: tuple[Evidence, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "confidence": round(self.confidence, 3),
                "evidence": [{"kind": e.kind, "detail": e.detail} for e in self.evidence]}


@dataclass(slots=True)
class ProvenanceGraph:
    nodes: dict[str, Node]
    edges: list[Edge]
    reuse_class: dict[str, str] = field(default_factory=dict)
    hops: dict[str, int] = field(default_factory=dict)
    decisions: list[PairDecision] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    cluster_roots: dict[int, str] = field(default_factory=dict)

    @property
    def roots(self) -> list[str]:
        has_parent = {e.target for e in self.edges}
        return [n for n in self.nodes if n not in has_parent]

    def parents(self, node: str) -> list[Edge]:
        return [e for e in self.edges if e.target == node]

    def below_roots(self) -> dict[str, int]:
        """For each root, how many nodes lie below it (reachable by edges)."""
        kids: dict[str, list[str]] = defaultdict(list)
        for e in self.edges:
            kids[e.source].append(e.target)
        out = {}
        for r in self.roots:
            seen, todo = set(), [r]
            while todo:
                for w in kids[todo.pop()]:
                    if w not in seen:
                        seen.add(w)
                        todo.append(w)
            out[r] = len(seen)
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "nodes": [{"id": n.id, "path": n.path, "outlet": n.outlet, "published": n.published,
                       "placeholder": n.placeholder, "label": n.label,
                       "reuse_class": self.reuse_class.get(n.id), "hops": self.hops.get(n.id)}
                      for n in self.nodes.values()],
            "edges": [e.as_dict() for e in self.edges],
            "roots": self.roots,
            "cluster_roots": {str(k): v for k, v in sorted(self.cluster_roots.items())},
            "pairs": [d.as_dict() for d in self.decisions],
        }

    def to_graphml(self) -> str:
        """The graph as GraphML (nodes and edges with their attributes)."""
        keys = [("label", "node", "string"), ("path", "node", "string"), ("outlet", "node", "string"),
                ("published", "node", "string"), ("placeholder", "node", "boolean"),
                ("reuse_class", "node", "string"), ("hops", "node", "int"),
                ("confidence", "edge", "double"), ("evidence", "edge", "string")]
        out = ['<?xml version="1.0" encoding="UTF-8"?>',
               '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">']
        out += [f'  <key id="{k}" for="{f}" attr.name="{k}" attr.type="{t}"/>' for k, f, t in keys]
        out.append('  <graph id="provenance" edgedefault="directed">')
        for n in self.nodes.values():
            vals = {"label": n.label, "path": n.path, "outlet": n.outlet, "published": n.published,
                    "placeholder": "true" if n.placeholder else "false",
                    "reuse_class": self.reuse_class.get(n.id), "hops": self.hops.get(n.id)}
            data = "".join(f'<data key="{k}">{escape(str(v))}</data>' for k, v in vals.items() if v is not None)
            out.append(f"    <node id={quoteattr(n.id)}>{data}</node>")
        for k, e in enumerate(self.edges):
            ev = "; ".join(f"{x.kind}: {x.detail}" for x in e.evidence)
            out.append(f"    <edge id=\"e{k}\" source={quoteattr(e.source)} target={quoteattr(e.target)}>"
                       f'<data key="confidence">{e.confidence:.3f}</data><data key="evidence">{escape(ev)}</data></edge>')
        out += ["  </graph>", "</graphml>", ""]
        return "\n".join(out)


def _iso(v: _dt.date | _dt.datetime | None) -> str | None:
    return v.isoformat() if v else None


def _doc_label(d: Document) -> str:
    parts = [d.outlet or "", document_label(d)]
    return " — ".join(p for p in parts if p)


def _line_date(text: str, c: Credit) -> str | None:
    """A date printed on the credit's line (``By Ryan Browne, CNN – August 4, 2017``)."""
    start = text.rfind("\n", 0, c.span.start) + 1
    end = text.find("\n", c.span.end)
    line = text[start:end if end >= 0 else len(text)]
    dates = find_dates(line)
    if not dates:
        return None
    return re.sub(r"\s+", " ", line[dates[0].start:dates[0].end]).strip()


def placeholder_label(outlet: str, credits: Iterable[tuple[Profile, Credit]], kind: str = "report") -> str:
    """``CNN report by Ryan Browne, August 4, 2017`` from the credits that name it."""
    persons, dates = set(), set()
    for p, c in credits:
        if c.kind in ("byline", "first_on", "link", "original_source"):
            if c.kind == "byline" and c.person:
                persons.add(c.person)
            d = _line_date(p.text, c)
            if d:
                dates.add(d)
    # name a person or a date only when the credits agree on one
    person = persons.pop() if len(persons) == 1 else None
    date = dates.pop() if len(dates) == 1 else None
    label = f"{outlet} {kind}"
    if person:
        label += f" by {person}"
    if date:
        label += f", {date}"
    return label


def build_graph(docs: Mapping[str, Document], profiles: Mapping[str, Profile], decisions: list[PairDecision],
                measures: Mapping[tuple[str, str], tuple[float, float]],
                clusters: Sequence[Cluster] = ()) -> ProvenanceGraph:
    """The provenance graph of ``docs`` from their pairwise ``decisions``
    and their reprint ``clusters``.

    ``measures[(source, derivative)]`` holds ``(containment, coverage)`` of
    the derivative against the source, for its reuse class.
    """
    nodes: dict[str, Node] = {
        i: Node(i, _doc_label(d), False, d.source_path, d.outlet, _iso(d.published)) for i, d in docs.items()}
    by_outlet: dict[str, list[str]] = defaultdict(list)
    for i in sorted(docs, key=lambda i: (str(docs[i].published or "9999"), i)):
        if (outlet := profiles[i].outlet) and not profiles[i].aggregator:
            by_outlet[outlet].append(i)
    cand: list[Edge] = []
    credited: dict[str, list[tuple[Profile, Credit]]] = defaultdict(list)
    sibling_children: dict[str, dict[str, PairDecision]] = defaultdict(dict)
    for d in decisions:
        if d.relation in ("a->b", "b->a"):
            cand.append(Edge(d.source, d.derivative, d.confidence, d.evidence))  # type: ignore[arg-type]
        elif d.relation == "siblings" and d.common_source:
            x = d.common_source
            for c in d.common_credits:
                owner = profiles[d.a] if c in profiles[d.a].credits else profiles[d.b]
                credited[x].append((owner, c))
            for child in (d.a, d.b):
                old = sibling_children[x].get(child)
                if old is None or d.confidence > old.confidence:
                    sibling_children[x][child] = d
    # placeholder node ids: a prefix no document of the collection starts with
    prefix = "placeholder:"
    while any(i.startswith(prefix) for i in docs):
        prefix = "_" + prefix

    def parent_of(x: str, exclude: Iterable[str]) -> str:
        """Outlet ``x``'s article: its earliest document in the collection, or a placeholder."""
        mine = [i for i in by_outlet.get(x, []) if i not in set(exclude)]
        if mine:
            return mine[0]
        pid = f"{prefix}{x}"
        if pid not in nodes:
            nodes[pid] = Node(pid, placeholder_label(x, credited[x]), True, None, x, None)
        return pid

    def link(parent: str, child: str, x: str, conf: float, ev: tuple[Evidence, ...]) -> None:
        """``parent`` (outlet x's article) → ``child``, through a placeholder for
        the outlet ``child`` is credited whole to, when that is another one."""
        origin = _other_origin(profiles[child], x, by_outlet)  # never x itself
        if origin:
            y, credit = origin
            mid = f"{prefix}{y}"
            nodes.setdefault(mid, Node(mid, placeholder_label(y, [(profiles[child], credit)], "article"),
                                       True, None, y, None))
            cand.append(Edge(parent, mid, conf, ev + (Evidence(
                "credit", f"{child} is credited whole to {y} ({credit.text!r} at "
                          f"[{credit.span.start},{credit.span.end})) and carries text credited to {x}",
                "common", 0.0),)))
            cand.append(Edge(mid, child, 0.95, (Evidence(
                "credit", f"{child}: {credit.text!r} at [{credit.span.start},{credit.span.end})", "a", 0.0),)))
        else:
            cand.append(Edge(parent, child, conf, ev))

    for x, children in sibling_children.items():
        parent = parent_of(x, children)
        for child, d in children.items():
            link(parent, child, x, d.confidence, tuple(e for e in d.evidence if e.kind == "common_credit"))

    # reprint clusters: the copies of one text, and the outlet most of them credit for it
    cluster_roots: dict[int, str] = {}
    for cl in clusters:
        spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for m in cl.members:
            spans[m.doc_id].append((m.start, m.end))
        if len(spans) < 2 or any(d not in profiles for d in spans):
            continue
        count: Counter[str] = Counter()
        example: dict[str, tuple[str, Credit]] = {}
        for doc, sp in spans.items():
            for outlet, cs in shared_text_credits(profiles[doc], sp).items():
                count[outlet] += 1
                example.setdefault(outlet, (doc, cs[0]))
                credited[outlet].append((profiles[doc], cs[0]))
        if count and count.most_common(1)[0][1] >= 2:
            x, n = count.most_common(1)[0]
            crediting = {d for d, sp in spans.items() if x in shared_text_credits(profiles[d], sp)}
            parent = parent_of(x, ())
            cluster_roots[cl.id] = parent
            doc, c = example[x]
            for child in spans:
                if child == parent:
                    continue
                ev = Evidence("common_credit", f"{n} of the {len(spans)} copies of this text credit {x} "
                                               f"(e.g. {doc}: {credit_where(c)})", "common", W_CREDIT)
                link(parent, child, x, CLUSTER_CREDITING if child in crediting else CLUSTER_OTHER, (ev,))
        else:
            first = min(spans, key=lambda d: (bool(profiles[d].aggregator), str(profiles[d].published or "9999"),
                                              -_total(spans[d]), d))
            cluster_roots[cl.id] = first

    # an aggregator or index page is never a source (newstrace.provenance.aggregators)
    edges = _dag([e for e in cand if not (e.source in profiles and profiles[e.source].aggregator)])
    g = ProvenanceGraph(nodes, edges, decisions=list(decisions), clusters=list(clusters),
                        cluster_roots=cluster_roots)
    g.hops = _hops(g)
    for i in docs:
        g.reuse_class[i] = _reuse_of(i, g, profiles, measures)
    return g


def _other_origin(p: Profile, x: str, by_outlet: Mapping[str, list[str]]) -> tuple[str, Credit] | None:
    """A whole-article credit of ``p`` to an outlet other than ``x`` whose
    article is not in the collection."""
    if x in p.origins:
        return None
    for c in p.credits:
        if c.whole_article and c.outlet not in (x, p.outlet) and c.outlet not in by_outlet:
            return c.outlet, c
    return None


def _dag(cand: list[Edge]) -> list[Edge]:
    best: dict[tuple[str, str], Edge] = {}
    for e in cand:
        k = (e.source, e.target)
        if k not in best or e.confidence > best[k].confidence:
            best[k] = e
    per_target: dict[str, list[Edge]] = defaultdict(list)
    for e in best.values():
        per_target[e.target].append(e)
    pool = [e for es in per_target.values()
            for e in sorted(es, key=lambda e: (-e.confidence, e.source))[:PARENTS_KEPT]]
    pool.sort(key=lambda e: (-e.confidence, e.source, e.target))
    children: dict[str, set[str]] = defaultdict(set)

    def reaches(u: str, w: str, skip: tuple[str, str] | None = None) -> bool:
        seen, todo = {u}, [u]
        while todo:
            v = todo.pop()
            for x in children[v]:
                if (v, x) == skip:
                    continue
                if x == w:
                    return True
                if x not in seen:
                    seen.add(x)
                    todo.append(x)
        return False

    kept: list[Edge] = []
    for e in pool:
        if e.source == e.target or reaches(e.target, e.source):
            continue
        children[e.source].add(e.target)
        kept.append(e)
    # drop shortcuts u -> w when u -> ... -> w remains
    out = []
    for e in kept:
        if reaches(e.source, e.target, skip=(e.source, e.target)):
            children[e.source].discard(e.target)
            continue
        out.append(e)
    return out


def _hops(g: ProvenanceGraph) -> dict[str, int]:
    kids: dict[str, list[str]] = defaultdict(list)
    for e in g.edges:
        kids[e.source].append(e.target)
    hops = {r: 0 for r in g.roots}
    todo = deque(hops)
    while todo:
        v = todo.popleft()
        for w in kids[v]:
            if w not in hops:
                hops[w] = hops[v] + 1
                todo.append(w)
    return hops


def _reuse_of(i: str, g: ProvenanceGraph, profiles: Mapping[str, Profile],
              measures: Mapping[tuple[str, str], tuple[float, float]]) -> str:
    """Against its parents: a document parent by its measures, a
    placeholder by the credits (credited whole: wholly derived)."""
    order = {"non": 0, "partially": 1, "wholly": 2}
    best = "non"
    for e in g.parents(i):
        if g.nodes[e.source].placeholder:
            x = g.nodes[e.source].outlet
            cls = "wholly" if x in profiles[i].origins else "partially"
        else:
            containment, coverage = measures.get((e.source, i), (0.0, 0.0))
            cls = reuse_class(containment, coverage)
            if cls == "non":
                cls = "partially"  # it shares passages with its parent
        if order[cls] > order[best]:
            best = cls
    return best
