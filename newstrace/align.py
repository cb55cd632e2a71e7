"""Seed-and-extend alignment of two texts into shared passages.

The stages, each a pure function over plain arrays:

1. :func:`seeds`: every position pair ``(i, j)`` where the word n-gram at
   ``i`` in A equals the one at ``j`` in B (n-grams repeated more than
   ``max_seed_repeats`` times in either text are not seeds).
2. :func:`diagonal_runs`: seeds on the same diagonal that touch merge into
   runs of exactly matching words.
3. :func:`chain_runs`: runs are chained into colinear chains when the gap
   between them is at most ``max_gap`` words in both texts.
4. :func:`align_chain`: the words between consecutive runs of a chain are
   aligned exactly (an LCS alignment over word ids, computed by RapidFuzz):
   since runs are at most ``max_gap`` words apart, this is a banded alignment
   around the chain. The chain's ends are then extended with a small X-drop
   dynamic programme that tolerates a replaced, inserted or deleted word.
5. :func:`split_at_elisions`: the alignment is cut where one text has a gap
   the other has not and that gap holds a sentence boundary (the quoter
   skipped a sentence, or wrapped commentary around the quote); pieces are
   trimmed to start and end on matching words, and pieces with fewer than
   ``min_words`` matching words are dropped.
6. Passages that overlap a stronger passage in either text are dropped; short
   phrases of ``quote_min_words`` or more words that one text quotes and the
   other contains are added as ``quotation`` passages.

:func:`align_reference` is the slow, obviously correct twin used by the
property tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
from rapidfuzz.distance import Indel

from .boilerplate import mark_furniture
from .quotes import find_quoted_spans
from .records import Edit, EditOp, Passage, Span
from .text import FOLD, Tokens, no_tokens, tokenize, tokenize_many

__all__ = [
    "AlignParams",
    "Alignment",
    "align",
    "align_tokens",
    "align_docs",
    "align_docs_many",
    "aligned_doc",
    "AlignDoc",
    "align_reference",
    "cached_doc",
    "cached_docs",
    "chain_may_reach",
    "colinear_chain",
    "two_in_a_row",
    "two_in_a_row_reference",
    "doc_seeds",
    "find_sequence",
    "chain_runs",
    "diagonal_runs",
    "extend_ends",
    "extend_reference",
    "ngram_keys",
    "seeds",
    "seeds_reference",
    "split_at_elisions",
    "word_ids",
]

# Marks that end a sentence or clause: a passage does not start with them.
_NOT_OPENING = set(".,;:!?)]}\u00bb\u201d\u2019\u2026")


@dataclass(frozen=True, slots=True, kw_only=True)
class AlignParams:
    """Alignment parameters; the defaults suit news text.

    ngram:             seed length in words. Shorter finds more, but more by chance.
    min_words:         a passage must have at least this many matching words.
    max_gap:           at most this many unmatched words between two matching
                       stretches of one passage (gap tolerance), in either text.
    elision_min_words: a one-sided gap of this many words or more that holds a
                       sentence boundary splits a passage (an elision, or
                       commentary inserted into a quote).
    quote_min_words:   a phrase one text puts in quotation marks and the other
                       contains is reported as a quotation from this length.
    max_seed_repeats:  n-grams occurring more often in one text are not seeds.
    """

    ngram: int = 5
    min_words: int = 12
    max_gap: int = 20
    elision_min_words: int = 4
    quote_min_words: int = 5
    max_seed_repeats: int = 16

    def __post_init__(self) -> None:
        for name in ("ngram", "min_words", "max_gap", "elision_min_words", "quote_min_words", "max_seed_repeats"):
            v = getattr(self, name)
            if not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {v!r}")
        if self.ngram > 25:
            raise ValueError(f"ngram={self.ngram} is too long to find edited copies; use 3 to 8")
        if self.min_words < self.ngram:
            raise ValueError(f"min_words ({self.min_words}) must be at least ngram ({self.ngram})")


@dataclass(frozen=True, slots=True)
class Alignment:
    """A word-level alignment of token ranges ``a[a0:a1]`` and ``b[b0:b1]``.

    ``ops`` are ``(tag, i0, i1, j0, j1)`` with absolute token indices and tag
    ``equal`` or ``gap`` (any unequal stretch, one side possibly empty).
    """

    ops: tuple[tuple[str, int, int, int, int], ...]

    @property
    def matches(self) -> int:
        return sum(i1 - i0 for t, i0, i1, _, _ in self.ops if t == "equal")


# --------------------------------------------------------------------------
# word ids and seeds


def word_ids(ta: Tokens, tb: Tokens) -> tuple[np.ndarray, np.ndarray]:
    """Map the words of both texts to small integer ids (same word, same id)."""
    vocab: dict[str, int] = {}
    get = vocab.setdefault
    ia = np.fromiter((get(w, len(vocab)) for w in ta.words), dtype=np.int64, count=len(ta.words))
    ib = np.fromiter((get(w, len(vocab)) for w in tb.words), dtype=np.int64, count=len(tb.words))
    return ia, ib


def ngram_keys(ids: np.ndarray, n: int) -> np.ndarray:
    """A 64-bit polynomial hash of every word n-gram (wrapping arithmetic)."""
    if len(ids) < n:
        return np.zeros(0, dtype=np.uint64)
    win = np.lib.stride_tricks.sliding_window_view(ids.astype(np.uint64), n)
    mult = np.uint64(0x9E3779B97F4A7C15)
    h = np.zeros(len(win), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(n):
            h = h * mult + win[:, k] + np.uint64(1)
    return h


@dataclass(frozen=True, slots=True, eq=False)
class AlignDoc:
    """One document as the alignment stage reads it, computed once per
    document and reused for every pair it is in (:func:`aligned_doc`).

    tokens:      its tokens.
    ids:         its word ids (one vocabulary for both sides of any pair).
    ngram:       the n-gram length of the keys below.
    keys:        :func:`ngram_keys` of ``ids``, one per n-gram position.
    order:       the positions sorted by key (stable).
    unique_keys: the distinct keys, sorted; ``group_start[g]`` and
                 ``group_count[g]`` say where key ``g``'s positions are in
                 ``order`` and how many there are.
    quoted:      token ranges ``(i0, i1)`` of the spans it puts in quotation
                 marks (:func:`~newstrace.quotes.find_quoted_spans`), any length.
    id_bytes:    ``ids`` as bytes, for finding a phrase with ``bytes.find``.
    quoted_keys: for each quoted span of at least ``ngram`` words, its first
                 n-gram's key (``keys[i0]``); 0 for a shorter span, whose
                 ``quoted_keyed`` is False. A text that holds the span holds
                 that key: the other text of a pair is searched only for the
                 quoted spans whose key it has.
    """

    tokens: Tokens
    ids: np.ndarray
    ngram: int
    keys: np.ndarray
    order: np.ndarray
    unique_keys: np.ndarray
    group_start: np.ndarray
    group_count: np.ndarray
    quoted: tuple[tuple[int, int], ...]
    id_bytes: bytes
    quoted_keys: np.ndarray
    quoted_keyed: np.ndarray


def aligned_doc(tokens: Tokens, ids: np.ndarray, ngram: int) -> AlignDoc:
    """What the alignment stage needs of one document (see :class:`AlignDoc`)."""
    id_bytes = np.ascontiguousarray(ids, dtype=np.int64).tobytes()
    ids = np.frombuffer(id_bytes, dtype=np.int64)  # one copy of the ids, seen as an array and as bytes
    keys = ngram_keys(ids, ngram).view(np.int64)  # signed: numpy searches int64 several times faster
    order = np.argsort(keys, kind="stable").astype(np.int32)  # a process caches thousands of these
    sorted_keys = keys[order]
    new_key = np.ones(len(keys), dtype=bool)
    new_key[1:] = sorted_keys[1:] != sorted_keys[:-1]
    group_start = np.flatnonzero(new_key).astype(np.int32)
    group_count = np.diff(np.append(group_start, len(keys))).astype(np.int32)
    unique_keys = sorted_keys[group_start]
    spans = find_quoted_spans(tokens.text)
    if spans:
        q0 = np.searchsorted(tokens.starts, [q.start for q in spans], side="left")
        q1 = np.searchsorted(tokens.ends, [q.end for q in spans], side="right")
        quoted = tuple(zip(q0.tolist(), q1.tolist()))
    else:
        quoted = ()
    keyed = np.array([i1 - i0 >= ngram for i0, i1 in quoted], dtype=bool)
    quoted_keys = np.zeros(len(quoted), dtype=np.int64)
    if keyed.any():
        quoted_keys[keyed] = keys[np.array([i0 for i0, _ in quoted])[keyed]]
    return AlignDoc(tokens, ids, ngram, keys, order, unique_keys, group_start, group_count, quoted, id_bytes,
                    quoted_keys, keyed)


def seeds(ia: np.ndarray, ib: np.ndarray, n: int, max_repeats: int) -> tuple[np.ndarray, np.ndarray]:
    """All ``(i, j)`` with ``ia[i:i+n] == ib[j:j+n]``, sorted by diagonal then ``i``.

    N-grams that occur more than ``max_repeats`` times in either text are left out.
    """
    a = aligned_doc(no_tokens(), ia, n)
    b = aligned_doc(no_tokens(), ib, n)
    return doc_seeds(a, b, max_repeats)


_EMPTY = np.zeros(0, dtype=np.int64)


def doc_seeds(a: AlignDoc, b: AlignDoc, max_repeats: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`seeds` of two documents from their precomputed n-gram keys:
    B's distinct keys (sorted, so one search walks A's distinct keys once)
    looked up among A's, each shared key's positions in A paired with its
    positions in B."""
    ia, ib, n = a.ids, b.ids, a.ngram
    empty = _EMPTY
    ua, ub = a.unique_keys, b.unique_keys
    if not len(ua) or not len(ub):
        return empty, empty
    g = np.minimum(np.searchsorted(ua, ub), len(ua) - 1)
    ca, cb = a.group_count[g], b.group_count
    gb = np.flatnonzero((ua[g] == ub) & (ca <= max_repeats) & (cb <= max_repeats))
    if not len(gb):
        return empty, empty
    ga = g[gb]
    ca, cb = ca[gb], cb[gb]
    sa, sb = a.group_start[ga], b.group_start[gb]
    if int(ca.max()) == 1 and int(cb.max()) == 1:  # keys that occur once on each side (most)
        i = a.order[sa].astype(np.int64)
        j = b.order[sb].astype(np.int64)
    else:  # every position of the key in A with every one in B
        per = ca.astype(np.int64) * cb
        k = np.repeat(np.arange(len(gb)), per)
        off = np.arange(int(per.sum())) - np.repeat(np.cumsum(per) - per, per)
        i = a.order[sa[k] + off // cb[k]].astype(np.int64)
        j = b.order[sb[k] + off % cb[k]].astype(np.int64)
    # verify (guards against hash collisions)
    good = ia[i] == ib[j]
    for step in range(1, n):
        good &= ia[i + step] == ib[j + step]
    i, j = i[good], j[good]
    d = j - i
    o = np.lexsort((i, d))
    return i[o], j[o]


def seeds_reference(ia: Sequence[int], ib: Sequence[int], n: int, max_repeats: int) -> set[tuple[int, int]]:
    """Slow twin of :func:`seeds`: compare every n-gram with every other."""
    ga = [tuple(ia[k : k + n]) for k in range(len(ia) - n + 1)]
    gb = [tuple(ib[k : k + n]) for k in range(len(ib) - n + 1)]
    out = set()
    for i, x in enumerate(ga):
        for j, y in enumerate(gb):
            if x == y and ga.count(x) <= max_repeats and gb.count(y) <= max_repeats:
                out.add((i, j))
    return out


# --------------------------------------------------------------------------
# runs and chains


def diagonal_runs(si: np.ndarray, sj: np.ndarray, n: int) -> np.ndarray:
    """Merge touching seeds on one diagonal into exact runs ``[a0, a1, b0, b1]``."""
    if not len(si):
        return np.zeros((0, 4), dtype=np.int64)
    d = sj - si
    brk = np.ones(len(si), dtype=bool)
    brk[1:] = (d[1:] != d[:-1]) | (si[1:] > si[:-1] + n)
    starts = np.nonzero(brk)[0]
    ends = np.append(starts[1:], len(si)) - 1
    a0 = si[starts]
    a1 = si[ends] + n
    b0 = sj[starts]
    b1 = sj[ends] + n
    runs = np.stack([a0, a1, b0, b1], axis=1)
    return runs[np.lexsort((runs[:, 2], runs[:, 0]))]


def colinear_chain(runs: np.ndarray, max_gap: int) -> list[tuple[int, int, int, int]] | None:
    """The near-duplicate fast path of :func:`chain_runs`: when the runs
    (sorted by their start in A, as :func:`diagonal_runs` gives them) make
    one chain, that chain; otherwise ``None`` (ask :func:`chain_runs`).

    Two texts that are the same up to small edits, with no passage repeated
    in either, have such runs: one per stretch between two edits, each
    following the one before by a few words in both texts (or overlapping it
    by a word or two where a repeated word was deleted). One pass over the
    runs, against the chain's last run only, instead of the greedy loop over
    every run and every open chain.

    Why it is :func:`chain_runs`' answer: the first run opens the chain;
    while each later run starts within ``max_gap`` words of the chain's last
    run (before or after its end) and ends after it, in both texts, the chain
    is active, is the only chain, and takes the run, cut as :func:`chain_runs`
    cuts it. The first run that does not opens a second chain there: ``None``.
    """
    chain: list[tuple[int, int, int, int]] = []
    for a0, a1, b0, b1 in runs.tolist():
        if chain:
            _, ea1, _, eb1 = chain[-1]
            if not (-max_gap <= a0 - ea1 <= max_gap and -max_gap <= b0 - eb1 <= max_gap and a1 > ea1 and b1 > eb1):
                return None
            cut = max(0, ea1 - a0, eb1 - b0)
            a0, b0 = a0 + cut, b0 + cut
            if not (a0 < a1 and b0 < b1):
                continue
        chain.append((a0, a1, b0, b1))
    return chain or None


def chain_runs(runs: np.ndarray, max_gap: int) -> list[list[tuple[int, int, int, int]]]:
    """Greedy colinear chaining of runs sorted by their start in A.

    A run joins the chain whose end it follows most closely, when it starts at
    most ``max_gap`` words after that end in both texts (a small overlap from
    repeated words is tolerated and trimmed).
    """
    chains: list[list[tuple[int, int, int, int]]] = []
    active: list[list[tuple[int, int, int, int]]] = []  # chains that can still grow
    for a0, a1, b0, b1 in runs.tolist():
        # runs come in order of a0: a chain ending more than max_gap before
        # it can take no later run either
        active = [ch for ch in active if ch[-1][1] >= a0 - max_gap]
        best = None
        best_cost = None
        for ch in active:
            ea1, eb1 = ch[-1][1], ch[-1][3]
            ga, gb = a0 - ea1, b0 - eb1
            if ga > max_gap or gb > max_gap or a1 <= ea1 or b1 <= eb1:
                continue
            if ga < -max_gap or gb < -max_gap:
                continue
            cost = abs(ga) + abs(gb) + abs(ga - gb)
            if best_cost is None or cost < best_cost:
                best, best_cost = ch, cost
        if best is None:
            chains.append([(a0, a1, b0, b1)])
            active.append(chains[-1])
            continue
        ea1, eb1 = best[-1][1], best[-1][3]
        cut = max(0, ea1 - a0, eb1 - b0)
        a0, b0 = a0 + cut, b0 + cut
        if a0 < a1 and b0 < b1:
            best.append((a0, a1, b0, b1))
    return chains


# --------------------------------------------------------------------------
# alignment of a chain


def _gap_ops(ia: np.ndarray, ib: np.ndarray, i0: int, i1: int, j0: int, j1: int) -> list[tuple[str, int, int, int, int]]:
    """LCS alignment of ``ia[i0:i1]`` with ``ib[j0:j1]``; unequal stretches merged."""
    if i0 == i1 and j0 == j1:
        return []
    if i0 == i1 or j0 == j1:
        return [("gap", i0, i1, j0, j1)]
    out: list[tuple[str, int, int, int, int]] = []
    for op in Indel.opcodes(ia[i0:i1].tolist(), ib[j0:j1].tolist()):
        t = "equal" if op.tag == "equal" else "gap"
        _append(out, (t, i0 + op.src_start, i0 + op.src_end, j0 + op.dest_start, j0 + op.dest_end))
    return out


def _append(ops: list[tuple[str, int, int, int, int]], op: tuple[str, int, int, int, int]) -> None:
    """Append an op, merging it with the previous one if they have the same tag."""
    t, i0, i1, j0, j1 = op
    if i0 == i1 and j0 == j1:
        return
    if ops and ops[-1][0] == t and ops[-1][2] == i0 and ops[-1][4] == j0:
        ops[-1] = (t, ops[-1][1], i1, ops[-1][3], j1)
    else:
        ops.append(op)


_XDROP = 8


def extend_reference(ia: np.ndarray, ib: np.ndarray, i: int, j: int, di: int, window: int, lo_a: int, hi_a: int,
                     lo_b: int, hi_b: int) -> tuple[int, int]:
    """Slow twin of :func:`extend_ends`: X-drop style extension from ``(i, j)`` in direction ``di`` (+1 right, -1 left).

    Scores +1 a match, -1 a mismatch or a skipped word, within ``window`` words,
    and stops once a whole row scores more than ``_XDROP`` below the best (a
    longer match further on would be a seed of its own). Returns the end
    reached with the best score, taken only if it ends on two matching words
    in a row and scores at least 1. ``i``/``j`` are the
    boundary positions (exclusive end when extending right, start when left).
    """
    if di > 0:
        xa = ia[i : min(hi_a, i + window)].tolist()
        xb = ib[j : min(hi_b, j + window)].tolist()
    else:
        xa = ia[max(lo_a, i - window) : i][::-1].tolist()
        xb = ib[max(lo_b, j - window) : j][::-1].tolist()
    m, n = len(xa), len(xb)
    if not m or not n:
        return i, j
    neg = -(10**9)
    prev = [-q for q in range(n + 1)]
    run_prev = [0] * (n + 1)
    best = (0, 0, 0)
    for p in range(1, m + 1):
        cur = [-p] + [neg] * n
        run = [0] * (n + 1)
        xp = xa[p - 1]
        for q in range(1, n + 1):
            if xp == xb[q - 1]:
                s = prev[q - 1] + 1
                r = run_prev[q - 1] + 1
            else:
                s = prev[q - 1] - 1
                r = 0
            g = max(prev[q], cur[q - 1]) - 1
            if g > s:
                s, r = g, 0
            cur[q] = s
            run[q] = r
            if r >= 2 and s > best[0]:
                best = (s, p, q)
        if max(cur) < best[0] - _XDROP:
            break  # X-drop: this row cannot lead back above the best
        prev, run_prev = cur, run
    _, p, q = best
    return (i + p, j + q) if di > 0 else (i - p, j - q)


def align_chain(ia: np.ndarray, ib: np.ndarray, chain: list[tuple[int, int, int, int]], window: int,
                bounds: tuple[int, int, int, int],
                ends: tuple[tuple[int, int], tuple[int, int]] | None = None) -> Alignment:
    """Align a chain of exact runs: runs are equal, gaps aligned by LCS, ends extended.

    ``ends`` may pass where the ends extend to (:func:`extend_ends` of the
    chain, for many chains at once); otherwise they are extended here."""
    ops: list[tuple[str, int, int, int, int]] = []
    lo_a, hi_a, lo_b, hi_b = bounds
    a0, _, b0, _ = chain[0]
    if ends is None:
        (na0, nb0), (ea, eb) = extend_ends(ia, ib, [chain], window, bounds)[0]
    else:
        (na0, nb0), (ea, eb) = ends
    for op in _gap_ops(ia, ib, na0, a0, nb0, b0):
        _append(ops, op)
    prev_a, prev_b = a0, b0
    for r0, r1, s0, s1 in chain:
        for op in _gap_ops(ia, ib, prev_a, r0, prev_b, s0):
            _append(ops, op)
        _append(ops, ("equal", r0, r1, s0, s1))
        prev_a, prev_b = r1, s1
    for op in _gap_ops(ia, ib, prev_a, ea, prev_b, eb):
        _append(ops, op)
    return Alignment(tuple(ops))


def extend_ends(ia: np.ndarray, ib: np.ndarray, chains: Sequence[list[tuple[int, int, int, int]]], window: int,
                bounds: tuple[int, int, int, int]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Where each chain's start extends to (leftwards) and its end (rightwards):
    the X-drop extension of :func:`extend_reference`, computed for all the
    chains' ends at once, one row of the dynamic programme at a time over
    every end together (numpy), instead of cell by cell in Python."""
    wins_a, wins_b = _end_windows(ia, ib, chains, window, bounds)
    return _ends(chains, _xdrop_many(wins_a, wins_b))


def _end_windows(ia: np.ndarray, ib: np.ndarray, chains: Sequence[list[tuple[int, int, int, int]]], window: int,
                 bounds: tuple[int, int, int, int]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The words each chain's start (reversed) and end may extend into, in A and in B."""
    lo_a, hi_a, lo_b, hi_b = bounds
    wins_a: list[np.ndarray] = []
    wins_b: list[np.ndarray] = []
    for chain in chains:
        a0, b0, a1, b1 = chain[0][0], chain[0][2], chain[-1][1], chain[-1][3]
        wins_a.append(ia[max(lo_a, a0 - window) : a0][::-1])
        wins_b.append(ib[max(lo_b, b0 - window) : b0][::-1])
        wins_a.append(ia[a1 : min(hi_a, a1 + window)])
        wins_b.append(ib[b1 : min(hi_b, b1 + window)])
    return wins_a, wins_b


def _ends(chains: Sequence[list[tuple[int, int, int, int]]], reach: Sequence[tuple[int, int]]
          ) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The chains' extended ends from how far each end reaches (start, end in turn)."""
    out = []
    for k, chain in enumerate(chains):
        (pl, ql), (pr, qr) = reach[2 * k], reach[2 * k + 1]
        out.append(((chain[0][0] - pl, chain[0][2] - ql), (chain[-1][1] + pr, chain[-1][3] + qr)))
    return out


def _xdrop_many(wins_a: list[np.ndarray], wins_b: list[np.ndarray]) -> list[tuple[int, int]]:
    """For each pair of windows (words in the direction of extension), how
    many words of each the best X-drop extension takes (see
    :func:`extend_reference`, whose loop this computes for all pairs at once:
    the horizontal step of a row is a running maximum)."""
    out = [(0, 0)] * len(wins_a)
    todo = np.flatnonzero(two_in_a_row(wins_a, wins_b)).tolist()  # the others extend by nothing
    if not todo:
        return out
    m = np.array([len(wins_a[k]) for k in todo])
    n = np.array([len(wins_b[k]) for k in todo])
    rows, cols = int(m.max()), int(n.max())
    K = len(todo)
    A = np.zeros((K, rows), dtype=np.int64)
    B = np.zeros((K, cols), dtype=np.int64)
    for r, k in enumerate(todo):
        A[r, : m[r]] = wins_a[k]
        B[r, : n[r]] = wins_b[k]
    idx = np.arange(cols + 1)
    col_ok = idx[None, :] <= n[:, None]  # real columns (0..n) of each pair
    real_b = col_ok[:, 1:]  # padding matches nothing
    prev = np.broadcast_to(-idx, (K, cols + 1)).copy()
    prev_run = np.zeros((K, cols + 1), dtype=np.int64)
    best_s = np.zeros(K, dtype=np.int64)
    best_p = np.zeros(K, dtype=np.int64)
    best_q = np.zeros(K, dtype=np.int64)
    alive = np.ones(K, dtype=bool)
    cur = np.empty((K, cols + 1), dtype=np.int64)
    run = np.zeros((K, cols + 1), dtype=np.int64)
    for p in range(1, rows + 1):
        match = (A[:, p - 1 : p] == B) & real_b
        diag = prev[:, :-1] + np.where(match, 1, -1)
        cur[:, 0] = -p
        cur[:, 1:] = np.maximum(diag, prev[:, 1:] - 1)
        cur[:] = np.maximum.accumulate(cur + idx, axis=1) - idx  # the horizontal steps
        gap = np.maximum(prev[:, 1:], cur[:, :-1]) - 1
        run[:, 1:] = np.where(match & (diag >= gap), prev_run[:, :-1] + 1, 0)
        live = alive & (p <= m)
        ok = (run >= 2) & col_ok & live[:, None]
        score = np.where(ok, cur, np.iinfo(np.int64).min)
        q = score.argmax(axis=1)  # the first best column of the row
        s = score[np.arange(K), q]
        better = ok.any(axis=1) & (s > best_s)
        best_s = np.where(better, s, best_s)
        best_p = np.where(better, p, best_p)
        best_q = np.where(better, q, best_q)
        row_max = np.where(col_ok, cur, np.iinfo(np.int64).min).max(axis=1)
        alive &= ~(live & (row_max < best_s - _XDROP))  # X-drop: this row cannot lead back above the best
        alive &= p < m
        if not alive.any():
            break
        prev, cur = cur, prev
        prev_run, run = run, prev_run
    for r, k in enumerate(todo):
        out[k] = (int(best_p[r]), int(best_q[r]))
    return out


def _padded(wins: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Windows as the rows of one array (zeros after each), and their lengths."""
    lens = np.fromiter(map(len, wins), dtype=np.int64, count=len(wins))
    out = np.zeros((len(wins), max(1, int(lens.max()) if len(wins) else 1)), dtype=np.int64)
    if int(lens.sum()):
        rows = np.repeat(np.arange(len(wins)), lens)
        cols = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
        out[rows, cols] = np.concatenate(wins)
    return out, lens


def two_in_a_row(wins_a: Sequence[np.ndarray], wins_b: Sequence[np.ndarray]) -> np.ndarray:
    """For each pair of windows, whether two words in a row of one match
    two in a row of the other (``xa[p:p+2] == xb[q:q+2]``): without that,
    :func:`extend_reference` extends by nothing. All the pairs at once,
    over the windows padded into one array each."""
    if not len(wins_a):
        return np.zeros(0, dtype=bool)
    a, m = _padded(wins_a)
    b, n = _padded(wins_b)
    real_a = np.arange(a.shape[1])[None, :] < m[:, None]
    real_b = np.arange(b.shape[1])[None, :] < n[:, None]
    eq = (a[:, :, None] == b[:, None, :]) & real_a[:, :, None] & real_b[:, None, :]
    return (eq[:, 1:, 1:] & eq[:, :-1, :-1]).any(axis=(1, 2))


def two_in_a_row_reference(xa: Sequence[int], xb: Sequence[int]) -> bool:
    """Slow twin of :func:`two_in_a_row`, for one pair of windows."""
    return any(xa[p] == xb[q] and xa[p + 1] == xb[q + 1] for p in range(len(xa) - 1) for q in range(len(xb) - 1))


def split_at_elisions(al: Alignment, ta: Tokens, tb: Tokens, params: AlignParams) -> list[Alignment]:
    """Cut an alignment at elisions and over-long gaps; trim; drop short pieces.

    Decisions look at *unmatched stretches*: consecutive unequal ops together
    with isolated one-word matches between them (a chance "the" or "of" in
    the middle of unrelated text is no evidence of copying). The ops kept in
    a piece are the exact ones, so edit scripts stay word-precise.
    """
    ops = al.ops
    pieces: list[list[tuple[str, int, int, int, int]]] = [[]]
    k = 0
    while k < len(ops):
        if ops[k][0] == "equal":
            pieces[-1].append(ops[k])
            k += 1
            continue
        # the stretch ops[k:m]: gaps and one-word matches up to a solid match
        m = k
        while m < len(ops) and (ops[m][0] != "equal" or (ops[m][2] - ops[m][1] < 2 and m + 1 < len(ops))):
            m += 1
        i0, j0 = ops[k][1], ops[k][3]
        i1, j1 = ops[m - 1][2], ops[m - 1][4]
        if _is_break(i0, i1, j0, j1, ta, tb, params):
            pieces.append([])
        else:
            pieces[-1].extend(ops[k:m])
        k = m
    out = []
    for piece_ops in pieces:
        while piece_ops and piece_ops[0][0] != "equal":
            piece_ops.pop(0)
        while piece_ops and piece_ops[-1][0] != "equal":
            piece_ops.pop()
        piece_ops = _trim_fragments(piece_ops, ta, tb)
        piece = Alignment(tuple(piece_ops))
        if piece_ops and piece.matches >= params.min_words:
            out.append(piece)
    return out


_MAX_FRAGMENT = 3


def _trim_fragments(ops: list[tuple[str, int, int, int, int]], ta: Tokens, tb: Tokens) -> list[tuple[str, int, int, int, int]]:
    """Drop a coincidental sentence fragment at either end of a passage.

    Two texts that diverge after a shared passage often both go on with a
    common sentence opening ("... in southern Syria. The first objective" and
    "... in southern Syria. The second objective"). A copy does not end on
    the first words of an unfinished sentence, nor start on the last words of
    one: a fragment of at most three words beyond a sentence boundary that
    both texts share is trimmed unless it is a whole sentence in both texts.
    """
    if not ops:
        return ops
    sa, sb = ta.sentence_start, tb.sentence_start
    # tail: a sentence start inside the last equal stretch, near its end
    t, i0, i1, j0, j1 = ops[-1]
    for k in range(max(1, i1 - i0 - _MAX_FRAGMENT), i1 - i0):
        if sa[i0 + k] and sb[j0 + k]:
            closed = (i1 >= len(sa) or sa[i1]) and (j1 >= len(sb) or sb[j1])
            if not closed:
                ops = ops[:-1] + [(t, i0, i0 + k, j0, j0 + k)]
            break
    # head: a sentence start inside the first equal stretch, near its start
    t, i0, i1, j0, j1 = ops[0]
    for k in range(min(_MAX_FRAGMENT, i1 - i0 - 1), 0, -1):
        if sa[i0 + k] and sb[j0 + k]:
            if not (sa[i0] and sb[j0]):
                ops = [(t, i0 + k, i1, j0 + k, j1)] + ops[1:]
            break
    return ops


def _is_break(i0: int, i1: int, j0: int, j1: int, ta: Tokens, tb: Tokens, params: AlignParams) -> bool:
    ga, gb = i1 - i0, j1 - j0
    if max(ga, gb) > params.max_gap:
        return True
    if min(ga, gb) >= 2 * params.elision_min_words:
        return True  # a whole stretch replaced: the other text's own words
    if abs(ga - gb) < params.elision_min_words or min(ga, gb) > 2:
        return False
    # the longer side skipped or added whole sentences
    if ga > gb:
        return _holds_sentence_boundary(ta, i0, i1)
    return _holds_sentence_boundary(tb, j0, j1)


def _holds_sentence_boundary(t: Tokens, i0: int, i1: int) -> bool:
    ss = t.sentence_start
    hi = min(i1 + 1, len(ss))
    return bool(ss[i0:hi].any()) or i1 >= len(ss)


# --------------------------------------------------------------------------
# from token alignments to passages


def _passage(al: Alignment, ta: Tokens, tb: Tokens, kind: str = "passage") -> Passage:
    first, last = al.ops[0], al.ops[-1]
    a0, a1 = ta.char_span(first[1], last[2])
    b0, b1 = tb.char_span(first[3], last[4])
    a0, b0 = widen_open(ta.text, tb.text, a0, b0)
    a1, b1 = widen_close(ta.text, tb.text, a1, b1)
    edits = []
    len_a = len_b = 0
    for t, i0, i1, j0, j1 in al.ops:
        len_a += i1 - i0
        len_b += j1 - j0
        if t == "equal":
            continue
        op: EditOp = "replace" if i0 < i1 and j0 < j1 else ("delete" if i0 < i1 else "insert")
        ea = _edit_span(ta, i0, i1)
        eb = _edit_span(tb, j0, j1)
        edits.append(Edit(op, ea, eb, ea.slice(ta.text), eb.slice(tb.text)))
    words = al.matches
    sim = 2 * words / (len_a + len_b) if len_a + len_b else 1.0
    return Passage(
        a=Span(a0, a1),
        b=Span(b0, b1),
        a_text=ta.text[a0:a1],
        b_text=tb.text[b0:b1],
        words=words,
        similarity=sim,
        kind=kind,  # type: ignore[arg-type]
        edits=tuple(edits),
    )


def _edit_span(t: Tokens, i0: int, i1: int) -> Span:
    if i0 < i1:
        return Span(*t.char_span(i0, i1))
    pos = int(t.ends[i0 - 1]) if i0 > 0 else (int(t.starts[0]) if len(t) else 0)
    return Span(pos, pos)


def _fold(c: str) -> str:
    """One character as matching sees it (curly quotes straight, etc.)."""
    return c.translate(FOLD)


def _is_mark(c: str) -> bool:
    """Punctuation or a symbol: neither a word character nor white space."""
    return not (c.isalnum() or c.isspace())


def widen_close(a: str, b: str, a1: int, b1: int) -> tuple[int, int]:
    """Take in punctuation and symbols ("%", ".", a closing quote) that
    follow the passage identically (after folding quotes) in both texts."""
    while a1 < len(a) and b1 < len(b) and _is_mark(a[a1]) and _fold(a[a1]) == _fold(b[b1]):
        a1 += 1
        b1 += 1
    return a1, b1


def widen_open(a: str, b: str, a0: int, b0: int) -> tuple[int, int]:
    """Take in opening quotes, brackets and symbols ("$") that precede the
    passage identically in both texts."""
    while a0 > 0 and b0 > 0 and _is_mark(a[a0 - 1]) and a[a0 - 1] not in _NOT_OPENING and _fold(a[a0 - 1]) == _fold(b[b0 - 1]):
        a0 -= 1
        b0 -= 1
    return a0, b0


def _resolve_overlaps(passages: Iterable[Passage]) -> list[Passage]:
    """Keep the strongest passages so that none overlap another in either text."""
    kept: list[Passage] = []
    for p in sorted(passages, key=lambda p: (-p.words, p.b.start, p.a.start)):
        if any(p.a.overlaps(k.a) or p.b.overlaps(k.b) for k in kept):
            continue
        kept.append(p)
    return sorted(kept, key=lambda p: (p.b.start, p.a.start))


def _quotations(da: AlignDoc, db: AlignDoc, taken: list[Passage], params: AlignParams, *,
                prefilter: bool = True) -> list[Passage]:
    """Short phrases one text quotes and the other contains word for word.

    With ``prefilter``, a quoted span of ``ngram`` words or more is searched
    for only when the other text has its first n-gram's key
    (:attr:`AlignDoc.quoted_keys`, one vectorised lookup per pair): most
    quotations of a document are in neither text of most of its pairs.
    Without it every quoted span is searched for (the slow twin)."""
    ta, tb = da.tokens, db.tokens
    found: list[Passage] = []
    for src, dst, src_is_b in ((db, da, True), (da, db, False)):
        src_tok, dst_tok = src.tokens, dst.tokens
        may = _may_hold(dst, src) if prefilter else None
        for k, (i0, i1) in enumerate(src.quoted):
            if i1 - i0 < params.quote_min_words or (may is not None and not may[k]):
                continue
            hit = find_sequence(dst.id_bytes, src.id_bytes[8 * i0 : 8 * i1])
            if hit is None:
                continue
            s0, s1 = src_tok.char_span(i0, i1)
            d0, d1 = dst_tok.char_span(hit, hit + i1 - i0)
            a_span, b_span = (Span(d0, d1), Span(s0, s1)) if src_is_b else (Span(s0, s1), Span(d0, d1))
            if any(a_span.overlaps(p.a) or b_span.overlaps(p.b) for p in taken + found):
                continue
            found.append(
                Passage(
                    a=a_span,
                    b=b_span,
                    a_text=ta.text[a_span.start : a_span.end],
                    b_text=tb.text[b_span.start : b_span.end],
                    words=i1 - i0,
                    similarity=1.0,
                    kind="quotation",
                )
            )
    return found


def _may_hold(dst: AlignDoc, src: AlignDoc) -> list[bool]:
    """For each quoted span of ``src``, whether ``dst`` may hold it: it is
    shorter than an n-gram, or ``dst`` has its first n-gram's key."""
    if not len(src.quoted):
        return []
    uk = dst.unique_keys
    if not len(uk):
        return (~src.quoted_keyed).tolist()
    qk = src.quoted_keys
    return ((uk[np.minimum(np.searchsorted(uk, qk), len(uk) - 1)] == qk) | ~src.quoted_keyed).tolist()


def find_sequence(hay: bytes, needle: bytes, width: int = 8) -> int | None:
    """The first item index where the items ``needle`` occur in ``hay`` in a
    row (both arrays of ``width``-byte items as bytes), or ``None``."""
    if not needle:
        return None
    at = hay.find(needle)
    while at >= 0 and at % width:
        at = hay.find(needle, at + 1)
    return at // width if at >= 0 else None


def find_sequence_reference(hay: Sequence[int], needle: Sequence[int]) -> int | None:
    """Slow twin of :func:`find_sequence`, over sequences of items."""
    n = len(needle)
    for c in range(len(hay) - n + 1):
        if n and list(hay[c : c + n]) == list(needle):
            return c
    return None


# --------------------------------------------------------------------------
# entry points


def align_tokens(
    ta: Tokens,
    tb: Tokens,
    params: AlignParams | None = None,
    *,
    ids: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[Passage]:
    """All passages shared by two tokenised texts, ordered by their place in B.

    ``ids`` may pass the texts' word ids (from :func:`word_ids`) when the
    caller has them already.
    """
    params = params or AlignParams()
    ia, ib = ids if ids is not None else word_ids(ta, tb)
    return align_docs(aligned_doc(ta, ia, params.ngram), aligned_doc(tb, ib, params.ngram), params)


def align_docs(da: AlignDoc, db: AlignDoc, params: AlignParams) -> list[Passage]:
    """:func:`align_tokens` of two documents prepared by :func:`aligned_doc`
    (with word ids of one vocabulary and ``params.ngram``-word keys)."""
    return align_docs_many([(da, db)], params)[0]


def align_docs_many(pairs: Sequence[tuple[AlignDoc, AlignDoc]], params: AlignParams, *,
                    fast_paths: bool = True) -> list[list[Passage]]:
    """:func:`align_docs` of each pair, with the chain ends of all the pairs
    extended together (:func:`extend_ends` over one batch).

    ``fast_paths=False`` is the general path, the slow twin the property
    tests compare with: without the near-duplicate fast path
    (:func:`colinear_chain`, where a pair's runs make one colinear chain) and
    without the quotations' prefilter (:func:`_quotations`). The passages
    are the same either way."""
    staged = []
    wins_a: list[np.ndarray] = []
    wins_b: list[np.ndarray] = []
    for da, db in pairs:
        if da.ngram != params.ngram or db.ngram != params.ngram:
            raise ValueError(f"documents prepared for {da.ngram}/{db.ngram}-word seeds, aligned with "
                             f"ngram={params.ngram}")
        ia, ib = da.ids, db.ids
        si, sj = doc_seeds(da, db, params.max_seed_repeats)
        runs = diagonal_runs(si, sj, params.ngram)
        bounds = (0, len(ia), 0, len(ib))
        # Seeds may lie up to twice the gap tolerance apart: under heavy editing a
        # stretch of max_gap words can hold no intact n-gram. What a passage may
        # not hold (unmatched stretches over max_gap) is decided on the exact
        # alignment by split_at_elisions.
        one = colinear_chain(runs, 2 * params.max_gap) if fast_paths else None
        chains = [ch for ch in ([one] if one is not None else chain_runs(runs, 2 * params.max_gap))
                  if chain_may_reach(ia, ib, ch, params.max_gap, bounds, params.min_words)]
        wa, wb = _end_windows(ia, ib, chains, params.max_gap, bounds)
        wins_a += wa
        wins_b += wb
        staged.append((da, db, chains, bounds))
    reach = _xdrop_many(wins_a, wins_b)
    out = []
    at = 0
    for da, db, chains, bounds in staged:
        ends = _ends(chains, reach[at : at + 2 * len(chains)])
        at += 2 * len(chains)
        candidates: list[Passage] = []
        for chain, end in zip(chains, ends):
            al = align_chain(da.ids, db.ids, chain, params.max_gap, bounds, end)
            for piece in split_at_elisions(al, da.tokens, db.tokens, params):
                candidates.append(_passage(piece, da.tokens, db.tokens))
        passages = _resolve_overlaps(candidates)
        passages += _quotations(da, db, passages, params, prefilter=fast_paths)
        out.append(sorted(passages, key=lambda p: (p.b.start, p.a.start)))
    return out


def chain_may_reach(ia: np.ndarray, ib: np.ndarray, chain: list[tuple[int, int, int, int]], window: int,
               bounds: tuple[int, int, int, int], min_words: int) -> bool:
    """Whether :func:`align_chain` of ``chain`` can have ``min_words``
    matching words, by an upper bound on them: the chain's runs, at most the
    shorter side of each gap between runs, and at most the longest common
    subsequence of the ``window`` words before (and after) the chain in both
    texts, where its ends may be extended. A chain that cannot is skipped
    before it is aligned: none of its pieces would be kept."""
    bound = sum(r1 - r0 for r0, r1, _, _ in chain)
    for (_, pa1, _, pb1), (r0, _, s0, _) in zip(chain, chain[1:]):
        bound += min(r0 - pa1, s0 - pb1)
    if bound >= min_words:
        return True
    lo_a, hi_a, lo_b, hi_b = bounds
    a0, b0, a1, b1 = chain[0][0], chain[0][2], chain[-1][1], chain[-1][3]
    for xa, xb in ((ia[max(lo_a, a0 - window) : a0], ib[max(lo_b, b0 - window) : b0]),
                   (ia[a1 : min(hi_a, a1 + window)], ib[b1 : min(hi_b, b1 + window)])):
        if len(xa) and len(xb):
            bound += (len(xa) + len(xb) - Indel.distance(xa.tolist(), xb.tolist())) // 2
    return bound >= min_words


def align(a_text: str, b_text: str, params: AlignParams | None = None) -> list[Passage]:
    """All passages ``a_text`` and ``b_text`` share (see the module docstring)."""
    return align_tokens(tokenize(a_text), tokenize(b_text), params)


_DOCS: dict[tuple[int, int, int, int], AlignDoc] = {}
CACHED_DOCS = 4096  # documents :func:`cached_docs` keeps in a process


def cached_docs(docs: Sequence[tuple[int, str]], ngram: int) -> list[AlignDoc]:
    """Documents ``(key, text)`` as the alignment stage reads them
    (:func:`aligned_doc`, with their tokens' own word ids,
    :func:`~newstrace.text.word_id`), cached in this process, where a batch
    of pairs names the same document again and again; those not cached are
    tokenised together (:func:`~newstrace.text.tokenize_many`). The cache
    key holds the text's length and hash besides the document key: a
    process may serve scans of several stores (a library caller, forked
    workers inheriting the cache), where one key names different texts."""
    keys = [(key, len(text), hash(text), ngram) for key, text in docs]
    missing = {k: text for k, (_, text) in zip(keys, docs) if k not in _DOCS}
    if missing:
        if len(_DOCS) + len(missing) > CACHED_DOCS:
            _DOCS.clear()  # the batch's documents that were cached are made again with the others
            missing = {k: text for k, (_, text) in zip(keys, docs)}
        for k, tok in zip(missing, tokenize_many(list(missing.values()))):
            tok = tok.detached()  # a cached document keeps no other document's arrays alive
            _DOCS[k] = aligned_doc(tok, tok.ids, ngram)
    return [_DOCS[k] for k in keys]


def forget_cached_docs() -> int:
    """Empty this process's cache of :func:`cached_docs` (a worker done
    with the alignment stage); returns how many documents it held."""
    n = len(_DOCS)
    _DOCS.clear()
    return n


def cached_doc(key: int, text: str, ngram: int) -> AlignDoc:
    """:func:`cached_docs` of one document."""
    return cached_docs([(key, text)], ngram)[0]


def cached_tokens(key: int, text: str) -> tuple[Tokens, np.ndarray]:
    """A document's tokens and word ids, from the cache of :func:`cached_doc`."""
    d = cached_doc(key, text, AlignParams().ngram)
    return d.tokens, d.ids


def align_pairs(pairs: list[tuple[int, int]], texts: dict[int, str], params: AlignParams
                ) -> list[tuple[int, int, list[Passage]]]:
    """The alignment stage of a scan, per batch of candidate pairs (the same
    in every engine): each pair ``(a, b)`` of document keys (A is the
    earlier-stored document) aligned over ``texts[a]`` and ``texts[b]``; a
    passage whose wording is site furniture is kind ``boilerplate``
    (`boilerplate.mark_furniture`). Each document is tokenised, keyed and
    searched for quotations once (:func:`cached_docs`), not once per pair."""
    order = list(dict.fromkeys(k for p in pairs for k in p))
    by_key = dict(zip(order, cached_docs([(k, texts[k]) for k in order], params.ngram)))
    docs = [(by_key[a], by_key[b]) for a, b in pairs]
    return [(a, b, mark_furniture(ps)) for (a, b), ps in zip(pairs, align_docs_many(docs, params))]


def align_reference(a_text: str, b_text: str, params: AlignParams | None = None) -> list[tuple[Span, Span]]:
    """Slow twin of :func:`align` for small texts: local alignment by full dynamic programming.

    Repeatedly finds the best-scoring local alignment of the two word sequences
    (Smith-Waterman with +1 match, -1 mismatch or gap, over words not yet used),
    keeps it if it has at least ``min_words`` matching words, and masks its
    words. Returns the character spans of the kept alignments; elision rules
    are not applied, so compare it on inputs without elisions.
    """
    params = params or AlignParams()
    ta, tb = tokenize(a_text), tokenize(b_text)
    A, B = ta.words, tb.words
    used_a = [False] * len(A)
    used_b = [False] * len(B)
    out: list[tuple[Span, Span]] = []
    while True:
        m, n = len(A), len(B)
        H = [[0] * (n + 1) for _ in range(m + 1)]
        best = (0, 0, 0)
        for i in range(1, m + 1):
            for j in range(1, n + 1):
                if used_a[i - 1] or used_b[j - 1]:
                    continue
                s = 1 if A[i - 1] == B[j - 1] else -1
                v = max(0, H[i - 1][j - 1] + s, H[i - 1][j] - 1, H[i][j - 1] - 1)
                H[i][j] = v
                if v > best[0]:
                    best = (v, i, j)
        score, i, j = best
        if score == 0:
            break
        end_i, end_j = i, j
        matches = 0
        while i > 0 and j > 0 and H[i][j] > 0:
            s = 1 if A[i - 1] == B[j - 1] else -1
            if H[i][j] == H[i - 1][j - 1] + s:
                matches += s > 0
                i, j = i - 1, j - 1
            elif H[i][j] == H[i - 1][j] - 1:
                i -= 1
            else:
                j -= 1
        for k in range(i, end_i):
            used_a[k] = True
        for k in range(j, end_j):
            used_b[k] = True
        if matches < params.min_words:
            break
        out.append((Span(*ta.char_span(i, end_i)), Span(*tb.char_span(j, end_j))))
    return sorted(out, key=lambda s: s[1].start)
