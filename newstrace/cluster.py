"""Reprint clusters and stories, from pairwise passages.

A *reprint cluster* gathers the copies of one text across documents: each
passage links its span in A with its span in B, and two spans of one
document are the same text there when their overlap covers more than half
of the longer one. Clusters are the connected components of that graph. (Any
overlap would not do: a news digest aligned whole with another copy of the
digest overlaps every story it carries, and would weld all of them into one
cluster.) A cluster's members are, per document, the union of its spans.

A *story* gathers documents connected by any reuse: the connected
components of the document graph whose edges are passages.

Both are pure functions over plain tuples; cluster and story numbers are
assigned in a deterministic order (by the smallest member), so every engine
numbers them alike.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Sequence

# A passage as the clustering sees it: (a_id, a_start, a_end, b_id, b_start, b_end)
PassageEnds = tuple[str, int, int, str, int, int]


@dataclass(frozen=True, slots=True)
class ClusterMember:
    doc_id: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Cluster:
    """One reprint cluster: the documents carrying copies of one text."""

    id: int
    members: tuple[ClusterMember, ...]
    passages: tuple[int, ...]  # indices into the passage list given

    @property
    def size(self) -> int:
        return len({m.doc_id for m in self.members})


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        p = self.parent
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return x

    def union(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            self.parent[max(rx, ry)] = min(rx, ry)


def _components(n: int, uf: _UnionFind) -> list[list[int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for k in range(n):
        groups[uf.find(k)].append(k)
    return list(groups.values())


def _merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _build(passages: Sequence[PassageEnds], uf: _UnionFind) -> list[Cluster]:
    ends = [(p[0], p[1], p[2]) for p in passages] + [(p[3], p[4], p[5]) for p in passages]
    n = len(passages)
    clusters = []
    for comp in _components(2 * n, uf):
        by_doc: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for k in comp:
            doc, s, e = ends[k]
            by_doc[doc].append((s, e))
        members = tuple(
            ClusterMember(doc, s, e) for doc in sorted(by_doc) for s, e in _merge_spans(by_doc[doc])
        )
        pidx = tuple(sorted({k % n for k in comp}))
        clusters.append((members, pidx))
    clusters.sort(key=lambda c: (c[0][0].doc_id, c[0][0].start))
    return [Cluster(k + 1, m, p) for k, (m, p) in enumerate(clusters)]


def same_text(s0: int, e0: int, s1: int, e1: int) -> bool:
    """Two spans of one document hold the same text: their overlap covers
    more than half of the longer span."""
    return 2 * (min(e0, e1) - max(s0, s1)) > max(e0 - s0, e1 - s1)


def reprint_clusters(passages: Sequence[PassageEnds]) -> list[Cluster]:
    """Group passages into reprint clusters (a sweep over each document's spans,
    comparing a span only with the earlier spans still open at its start)."""
    n = len(passages)
    uf = _UnionFind(2 * n)
    by_doc: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for k, (a, a0, a1, b, b0, b1) in enumerate(passages):
        uf.union(k, n + k)
        by_doc[a].append((a0, a1, k))
        by_doc[b].append((b0, b1, n + k))
    for spans in by_doc.values():
        spans.sort()
        open_: list[tuple[int, int, int]] = []
        for s, e, node in spans:
            open_ = [o for o in open_ if o[1] > s]
            for os_, oe, onode in open_:
                if same_text(os_, oe, s, e):
                    uf.union(onode, node)
            open_.append((s, e, node))
    return _build(passages, uf)


def reprint_clusters_reference(passages: Sequence[PassageEnds]) -> list[Cluster]:
    """Slow twin: compare every span with every other span."""
    n = len(passages)
    uf = _UnionFind(2 * n)
    ends = [(p[0], p[1], p[2]) for p in passages] + [(p[3], p[4], p[5]) for p in passages]
    for k in range(n):
        uf.union(k, n + k)
    for x in range(2 * n):
        for y in range(x + 1, 2 * n):
            (dx, sx, ex), (dy, sy, ey) = ends[x], ends[y]
            if dx == dy and sx < ey and sy < ex and same_text(sx, ex, sy, ey):
                uf.union(x, y)
    return _build(passages, uf)


def stories(doc_pairs: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Story number of every document linked by reuse: ``{doc_id: story}``."""
    pairs = list(doc_pairs)
    docs = sorted({d for p in pairs for d in p})
    index = {d: k for k, d in enumerate(docs)}
    uf = _UnionFind(len(docs))
    for a, b in pairs:
        uf.union(index[a], index[b])
    comps = sorted((sorted(docs[k] for k in comp) for comp in _components(len(docs), uf)), key=lambda c: c[0])
    return {d: s + 1 for s, comp in enumerate(comps) for d in comp}
