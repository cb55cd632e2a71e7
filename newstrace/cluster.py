"""Reprint clusters and stories, from pairwise passages.

A *reprint cluster* gathers the copies of one text across documents: each
passage links its span in A with its span in B, and two spans of one
document are the same text there when their overlap covers more than half
of the longer one. Clusters are the connected components of that graph. (Any
overlap would not do: a news digest aligned whole with another copy of the
digest overlaps every story it carries, and would weld all of them into one
cluster.) A cluster's members are, per document, the union of its spans.

A *story* gathers documents connected by substantive reuse: the connected
components of the document graph whose edges are the pairs that share at
least :data:`STORY_MIN_WORDS` words in passages that are not boilerplate
(site furniture, newstrace.boilerplate). One shared sentence, a stock
phrase or a copyright line does not make two articles one story, so a
collection about unrelated events is not chained into one.

Both are pure functions over plain tuples; cluster and story numbers are
assigned in a deterministic order (by the smallest member), so every engine
numbers them alike.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

import numpy as np

from .boilerplate import RECURRENCE_REASON, BoilerplateParams, collection_boilerplate
from .columns import run_starts

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


# fewest words two documents must share (in passages and quotations that are
# not boilerplate) to be linked into one story: more than a sentence
STORY_MIN_WORDS = 25


def story_links(passages: Iterable[tuple[str, str, int]], min_words: int = STORY_MIN_WORDS
                ) -> list[tuple[str, str]]:
    """The document pairs that share at least ``min_words`` words, given
    ``(a_id, b_id, words)`` for each passage that is not boilerplate."""
    total: dict[tuple[str, str], int] = defaultdict(int)
    for a, b, w in passages:
        total[(a, b)] += w
    return sorted(p for p, w in total.items() if w >= min_words)


def stories(doc_pairs: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Story number of every document linked: ``{doc_id: story}`` (the pairs
    are the story links, `story_links`)."""
    pairs = list(doc_pairs)
    docs = sorted({d for p in pairs for d in p})
    index = {d: k for k, d in enumerate(docs)}
    uf = _UnionFind(len(docs))
    for a, b in pairs:
        uf.union(index[a], index[b])
    comps = sorted((sorted(docs[k] for k in comp) for comp in _components(len(docs), uf)), key=lambda c: c[0])
    return {d: s + 1 for s, comp in enumerate(comps) for d in comp}


# -- the same over integer arrays, for collections --------------------------------
#
# The store clusters hundreds of thousands of passages; Python tuples and a
# dict of span lists cost some 600 bytes a passage. These functions take
# numpy columns (documents as integers whose order is the order of their ids)
# and keep about 60 bytes a passage. They return what `reprint_clusters` and
# `stories` return, numbered alike; a property test compares them.


def connected_labels(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """For nodes ``0..n-1`` joined by edges ``(u[k], v[k])``, the smallest
    node of each node's connected component (hook and compress)."""
    label = np.arange(n, dtype=np.int64)
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    while len(u):
        lu, lv = label[u], label[v]
        differ = lu != lv
        if not differ.any():
            break
        lu, lv = lu[differ], lv[differ]
        m = np.minimum(lu, lv)
        # hook: every label points at a smaller node of its component, so
        # the pointers form a forest whose roots are the components' minima
        np.minimum.at(label, lu, m)
        np.minimum.at(label, lv, m)
        while True:  # compress: every node points at its root
            nxt = label[label]
            if np.array_equal(nxt, label):
                break
            label = nxt
    return label


@dataclass(frozen=True, slots=True)
class ClusterTable:
    """Reprint clusters as columns.

    passage_cluster: the cluster number (1-based) of each passage given.
    member_*: the members, sorted by cluster, document, start: per cluster
        and document the union of its spans, as in `Cluster.members`.
    size / passages: per cluster (index ``cluster - 1``), how many
        documents and passages it has.
    """

    passage_cluster: np.ndarray
    member_cluster: np.ndarray
    member_doc: np.ndarray
    member_start: np.ndarray
    member_end: np.ndarray
    size: np.ndarray
    passages: np.ndarray


def _same_text_edges(doc: np.ndarray, s: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of nodes (spans of one document) that hold the same text: the
    sweep of `reprint_clusters`, over the documents with two or more spans."""
    order = np.lexsort((e, s, doc))
    d_sorted = doc[order]
    cuts = np.flatnonzero(np.diff(d_sorted)) + 1
    lo = np.concatenate(([0], cuts))
    hi = np.concatenate((cuts, [len(order)]))
    us: list[int] = []
    vs: list[int] = []
    for a, b in zip(lo[hi - lo > 1].tolist(), hi[hi - lo > 1].tolist()):
        idx = order[a:b]
        open_: list[tuple[int, int, int]] = []
        for s1, e1, node in zip(s[idx].tolist(), e[idx].tolist(), idx.tolist()):
            open_ = [o for o in open_ if o[1] > s1]
            for s0, e0, onode in open_:
                if same_text(s0, e0, s1, e1):
                    us.append(onode)
                    vs.append(node)
            open_.append((s1, e1, node))
    return np.asarray(us, dtype=np.int64), np.asarray(vs, dtype=np.int64)


def reprint_cluster_table(a_doc: np.ndarray, a_start: np.ndarray, a_end: np.ndarray,
                          b_doc: np.ndarray, b_start: np.ndarray, b_end: np.ndarray) -> ClusterTable:
    """`reprint_clusters` over columns; documents are integers ordered as their ids."""
    n = len(a_doc)
    doc = np.concatenate([a_doc, b_doc]).astype(np.int64)
    s = np.concatenate([a_start, b_start]).astype(np.int64)
    e = np.concatenate([a_end, b_end]).astype(np.int64)
    nodes = np.arange(n, dtype=np.int64)
    su, sv = _same_text_edges(doc, s, e)
    label = connected_labels(2 * n, np.concatenate([nodes, su]), np.concatenate([nodes + n, sv]))
    # members: per (component, document) the union of overlapping spans
    order = np.lexsort((e, s, doc, label))
    lab, d, s_o, e_o = label[order], doc[order], s[order], e[order]
    group = run_starts(lab, d)
    gid = np.cumsum(group) - 1
    # the running end within each group; groups are kept apart by a large offset
    big = np.int64(1) << 33
    run_end = np.maximum.accumulate(gid * big + e_o) - gid * big
    new = group.copy()
    new[1:] |= s_o[1:] >= run_end[:-1]
    iv = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    m_lab, m_doc, m_start = lab[starts], d[starts], s_o[starts]
    m_end = np.zeros(len(starts), dtype=np.int64)
    np.maximum.at(m_end, iv, e_o)
    # number the clusters by their first member (document, start), ties by component
    comp, first = np.unique(m_lab, return_index=True)  # members are sorted by label, doc, start
    rank = np.lexsort((comp, m_start[first], m_doc[first]))
    number = np.empty(len(comp), dtype=np.int64)
    number[rank] = np.arange(1, len(comp) + 1)
    m_num = number[np.searchsorted(comp, m_lab)]
    p_num = number[np.searchsorted(comp, label[:n])]
    reorder = np.lexsort((m_start, m_doc, m_num))
    m_num, m_doc, m_start, m_end = m_num[reorder], m_doc[reorder], m_start[reorder], m_end[reorder]
    docs_per = np.bincount(m_num[run_starts(m_num, m_doc)] - 1, minlength=len(comp)).astype(np.int64)
    return ClusterTable(passage_cluster=p_num, member_cluster=m_num, member_doc=m_doc, member_start=m_start,
                        member_end=m_end, size=docs_per,
                        passages=np.bincount(p_num - 1, minlength=len(comp)).astype(np.int64))


def story_labels(a_doc: np.ndarray, b_doc: np.ndarray, n_docs: int) -> np.ndarray:
    """`stories` over columns: the story number (1-based) of each document
    ``0..n_docs-1`` (documents ordered as their ids), 0 for one in no pair."""
    label = connected_labels(n_docs, a_doc, b_doc)
    linked = np.zeros(n_docs, dtype=bool)
    linked[np.asarray(a_doc, dtype=np.int64)] = True
    linked[np.asarray(b_doc, dtype=np.int64)] = True
    roots = np.unique(label[linked])
    out = np.zeros(n_docs, dtype=np.int64)
    out[linked] = np.searchsorted(roots, label[linked]) + 1
    return out


def story_edges(a_doc: np.ndarray, b_doc: np.ndarray, words: np.ndarray, keep: np.ndarray,
                min_words: int = STORY_MIN_WORDS) -> tuple[np.ndarray, np.ndarray]:
    """`story_links` over columns: the pairs ``(a, b)`` whose ``keep``
    passages share at least ``min_words`` words."""
    a = np.asarray(a_doc, dtype=np.int64)[keep]
    b = np.asarray(b_doc, dtype=np.int64)[keep]
    if not len(a):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    pairs, inverse = np.unique(np.stack([a, b], axis=1), axis=0, return_inverse=True)
    total = np.bincount(inverse.ravel(), weights=np.asarray(words, dtype=np.float64)[keep])
    strong = total >= min_words
    return pairs[strong, 0], pairs[strong, 1]


# how many characters of a cluster's text its excerpt holds
EXCERPT_CHARS = 160


def excerpt_members(table: ClusterTable) -> np.ndarray:
    """Which member gives each cluster its excerpt: the index (into the
    ``member_*`` columns) of the longest member of each cluster, in cluster
    order; ties go to the first document (by id: documents are numbered in
    id order) and then the first start. The excerpt is the first
    :data:`EXCERPT_CHARS` characters of that member's span; every engine
    picks it here and writes that text."""
    c, d = table.member_cluster, table.member_doc
    s, e = table.member_start, table.member_end
    best = np.lexsort((s, d, -(e - s), c))  # per cluster the longest member first
    return best[run_starts(c[best])]


def outlet_codes(outlets: Sequence[str | None]) -> np.ndarray:
    """One integer per distinct outlet (compared without case by the
    caller), a distinct negative one for each document with none: the
    ``doc_outlet`` column of :func:`cluster_collection`."""
    out = np.empty(len(outlets), dtype=np.int64)
    codes: dict[str, int] = {}
    for k, o in enumerate(outlets):
        out[k] = codes.setdefault(o, len(codes)) if o else -1 - k
    return out


@dataclass(frozen=True, slots=True)
class CollectionClusters:
    """What the cluster stage finds in a whole collection (`cluster_collection`).

    recurring_docs, recurring_outlets: per passage that is boilerplate by
        its recurrence, the documents and outlets of its cluster (the numbers
        of its reason, `reason`); 0 for any other passage.
    table: the reprint clusters of the passages that are not boilerplate;
        ``passage_cluster`` is 0 for a boilerplate passage (by its wording or
        by its recurrence: `boilerplate`).
    story: the story number (1-based) of each document, 0 for one in no story.
    """

    recurring_docs: np.ndarray
    recurring_outlets: np.ndarray
    table: ClusterTable
    story: np.ndarray

    @property
    def boilerplate(self) -> np.ndarray:
        """Per passage, whether it is boilerplate: the passages no cluster holds."""
        return self.table.passage_cluster == 0

    def reason(self, k: int) -> str | None:
        """Why passage ``k`` is boilerplate by its recurrence, or ``None``."""
        if not self.recurring_docs[k]:
            return None
        return RECURRENCE_REASON.format(docs=int(self.recurring_docs[k]), outlets=int(self.recurring_outlets[k]))


# the kinds of passage the cluster stage takes as quotations (``quotation`` of
# cluster_collection): never boilerplate by their recurrence
QUOTATION_KINDS = ("quotation", "rewritten")


def cluster_collection(a_doc: np.ndarray, a_start: np.ndarray, a_end: np.ndarray,
                       b_doc: np.ndarray, b_start: np.ndarray, b_end: np.ndarray,
                       words: np.ndarray, worded: np.ndarray, quotation: np.ndarray,
                       doc_length: np.ndarray, doc_outlet: np.ndarray, *,
                       params: BoilerplateParams | None = None,
                       story_min_words: int = STORY_MIN_WORDS) -> CollectionClusters:
    """The cluster stage of a scan, the same in every engine.

    Passages are given as columns, documents as integers ``0..n-1`` ordered
    as their ids; ``worded`` marks the passages the aligner found to be
    furniture by their wording, ``quotation`` the quotations. Steps:
    reprint clusters over all passages; the clusters that are boilerplate
    by their recurrence (`boilerplate.collection_boilerplate`); reprint
    clusters again over the passages that are not boilerplate (so furniture
    joins no cluster); stories over the pairs that share at least
    ``story_min_words`` words of those passages."""
    worded = np.asarray(worded, dtype=bool)
    quotation = np.asarray(quotation, dtype=bool)
    every = reprint_cluster_table(a_doc, a_start, a_end, b_doc, b_start, b_end)
    banal, docs, outlets = collection_boilerplate(
        every.passage_cluster, a_doc, b_doc, worded, every.member_cluster, every.member_doc,
        every.member_start, every.member_end, np.asarray(doc_length), np.asarray(doc_outlet), params)
    pc0 = every.passage_cluster - 1
    recurring = banal[pc0] & ~worded & ~quotation
    keep = ~(worded | recurring)
    sub = reprint_cluster_table(a_doc[keep], a_start[keep], a_end[keep], b_doc[keep], b_start[keep], b_end[keep])
    passage_cluster = np.zeros(len(keep), dtype=np.int64)
    passage_cluster[keep] = sub.passage_cluster
    u, v = story_edges(a_doc, b_doc, words, keep, story_min_words)
    return CollectionClusters(recurring_docs=np.where(recurring, docs[pc0], 0),
                              recurring_outlets=np.where(recurring, outlets[pc0], 0),
                              table=replace(sub, passage_cluster=passage_cluster),
                              story=story_labels(u, v, len(doc_length)))
