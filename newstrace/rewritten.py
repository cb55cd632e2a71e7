"""Rewritten passages: text one document paraphrased, reordered, translated
back and forth or summarised from another.

The verbatim aligner (:mod:`newstrace.align`) needs five identical words in
a row; a newsroom that rewords every clause leaves none. This aligner works a
level up, after Sanchez-Perez, Gelbukh and Sidorov's PAN 2014 text-alignment
system (sentence tf-idf cosine and Dice seeds, extension by clustering the
seeds, filtering, adaptive parameters for summaries), with these choices:

- **Units** are the sentences of :func:`newstrace.sentences.split_sentences`,
  with a single line break before a lower-case letter read as a space (hard
  wrapped lines), cut also after the full stop of a script without capitals
  (Urdu ``۔``, Devanagari ``।``, CJK ``。``) whatever follows, and units of
  fewer than ``min_unit_words`` words joined to the next one.
- **Terms** are the tokenizer's words cut to a prefix stem of ``stem``
  characters (``government``, ``governments`` → ``gover``), so inflection and
  derivation in any script that writes words apart survive; numbers stay
  whole. (Character n-grams over each sentence's words written together,
  tried for Urdu, whose papers space words inconsistently, did no better on
  COUNTER than stems at any threshold: fewer derived pairs found for each
  non-derived one flagged.) Each term is weighted ``tf × isf``, the inverse sentence frequency
  over the units of both texts, so names, numbers and rare words count most
  and function words count little without a stop list.
- **Seeds** are unit pairs whose weighted cosine and whose Dice coefficient
  (over distinct terms) both reach their thresholds.
- **Extension**: seeds are clustered by splitting, alternately in B's and
  in A's order, wherever two neighbours are more than ``max_gap`` units
  apart, until nothing splits; reordered sentences inside a stretch stay in
  one cluster. A cluster becomes a passage from its first to its last unit
  on each side when the cosine of the two stretches reaches
  ``min_similarity``; else it is split again with a smaller gap.
- **Summaries**: a second pass lets seeds lie ``summary_gap`` units apart on
  the longer side; a passage found so whose longer side is at least
  ``summary_ratio`` times its shorter side (one text condenses the other)
  replaces the fragments it covers, and is joined with every passage next to
  it on its short side however far apart they lie on its long side. A
  summary whose long side already spans ``summary_whole`` of its text is
  widened to the whole text: a brief that draws on most of a story
  summarises the story.
- **Filtering**: passages that overlap on both sides are merged, a passage
  that overlaps another on one side only loses to one long enough to be
  reported, else to the more similar one, and passages shorter than
  ``min_chars`` characters on either side are dropped.
- **Edges**: a passage's first and last unit are cut to the best-scoring
  suffix and prefix, each word scoring its isf when the other side's
  stretch shares its term and ``-edge_lack`` times the highest isf when it
  does not (a word whose term lies in one unit of each text is never cut
  off): copied stretches often begin and end inside a sentence.
- **Beside the verbatim passages** (:func:`beside_verbatim`): a rewritten
  passage that the verbatim passages inside it already cover is dropped;
  with ``reprint``, a pair sharing an exact copy of that many characters
  keeps only the rewritten passages that summarise or that join verbatim
  ones (Sanchez-Perez et al.'s per-pair verbatim decision).

Each passage is a :class:`~newstrace.records.Passage` of kind
``rewritten``; its spans begin and end on unit boundaries or, at an edge
cut, on word boundaries, and slice back to the text exactly, and
``sentences`` lists the aligned unit pairs inside it (which sentence became
which). :func:`align_rewritten_slow` is the
obviously-correct twin of the vectorised similarity (a loop over unit pairs
with dictionaries), compared by property tests.

No model and no word list is used: everything is computed from the two texts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import regex

from .records import Passage, SentencePair, Span
from .sentences import split_sentences
from .text import Tokens, tokenize

__all__ = ["RewriteParams", "Units", "stem_term", "units", "unit_similarity", "unit_similarity_slow",
           "align_rewritten", "align_rewritten_units", "align_rewritten_slow", "reuse_spans",
           "beside_verbatim", "compare_passages"]


@dataclass(frozen=True, slots=True)
class RewriteParams:
    """Parameters of the rewritten-passage aligner (see the module doc).

    stem:            characters kept of each word (a prefix stem); numbers stay whole.
    min_unit_words:  units with fewer words are joined to the next one.
    seed_cosine:     a unit pair is a seed when its weighted cosine reaches this ...
    seed_dice:       ... and the Dice coefficient of its distinct terms reaches this.
    max_gap:         seeds more than this many units apart (on either side) split a cluster.
    min_similarity:  a passage's two stretches must reach this weighted cosine.
    summary_gap:     in the summary pass, the gap allowed on the longer side.
    summary_ratio:   a summary passage's longer side is at least this many times its shorter.
    min_chars:       a passage is at least this many characters long on each side.
    near_best:       a seed's cosine is at least this share of the best seed of
                     each of its two units (a sentence's near neighbours on the
                     same topic are no seeds when its copy is found).
    grow_cosine:     a passage grows by a unit pair next to it (one unit away on
    grow_dice:       both sides) whose cosine and Dice reach these lower bars.
    summary_whole:   a summary whose long side spans this share of its text is
                     widened to the whole text (1 never widens).
    edge_lack:       at a passage's edge, what a word the other side lacks costs, as a
                     share of the highest isf (a shared word earns its own isf): a
                     paraphrase keeps about half its words, so a lack costs less.
    """

    stem: int = 5
    min_unit_words: int = 4
    seed_cosine: float = 0.33
    seed_dice: float = 0.33
    max_gap: int = 4
    min_similarity: float = 0.34
    summary_gap: int = 24
    summary_ratio: float = 3.0
    min_chars: int = 150
    near_best: float = 0.5
    grow_cosine: float = 0.2
    grow_dice: float = 0.2
    summary_whole: float = 0.5
    edge_lack: float = 0.25

    def __post_init__(self) -> None:
        if self.stem < 1 or self.min_unit_words < 1 or self.max_gap < 0 or self.summary_gap < 0:
            raise ValueError(f"bad {self!r}: stem and min_unit_words must be >= 1, gaps >= 0")
        if not (0 < self.seed_cosine <= 1 and 0 < self.seed_dice <= 1 and 0 < self.min_similarity <= 1):
            raise ValueError(f"bad {self!r}: thresholds must lie in (0, 1]")


@dataclass(frozen=True, slots=True)
class Units:
    """The sentence units of one text and their terms.

    ``spans[u]`` is unit ``u``'s character range; ``terms`` the stemmed term
    of each token and ``unit_of`` the unit each token lies in (``-1`` for
    none, which cannot happen for a word token).
    """

    text: str
    spans: tuple[Span, ...]
    terms: list[str]
    unit_of: np.ndarray
    words: np.ndarray  # tokens per unit
    starts: np.ndarray  # each token's character range
    ends: np.ndarray


_WRAPPED = regex.compile(r"(?<!\n)\n(?=\p{Ll})")


def _unwrapped(text: str) -> str:
    """``text`` with each single line break that is followed by a lower-case
    letter replaced by a space (same length): a hard-wrapped line, not a paragraph."""
    return _WRAPPED.sub(" ", text) if "\n" in text else text


# Full stops of scripts without capitals (Urdu and Arabic, Devanagari, CJK):
# the sentence splitter needs a capital after a mark with no space, these
# scripts have none, and their papers often glue sentences ("سکا۔آخری").
_CASELESS_END = regex.compile(r"[\u06d4\u061f\u0964\u0965\u3002\uff01\uff1f]+(?=\s*[\p{L}\p{N}])")


def _cut_caseless(text: str, sents: tuple[Span, ...]) -> tuple[Span, ...]:
    """``sents`` with each one also cut after a caseless script's full stop."""
    out: list[Span] = []
    for s in sents:
        start = s.start
        for m in _CASELESS_END.finditer(text, s.start, s.end):
            if m.end() < s.end:
                out.append(Span(start, m.end()))
                start = m.end()
                while start < s.end and text[start].isspace():
                    start += 1
        out.append(Span(start, s.end))
    return tuple(out)


def stem_term(word: str, stem: int) -> str:
    """A word's term: its first ``stem`` characters (a prefix stem); a number stays whole."""
    return word if len(word) <= stem or word.isdigit() else word[:stem]


def units(text: str, params: RewriteParams | None = None, tokens: Tokens | None = None) -> Units:
    """Split ``text`` into sentence units with stemmed terms (see the module doc)."""
    params = params or RewriteParams()
    t = tokens if tokens is not None else tokenize(text)
    sents = _cut_caseless(text, split_sentences(_unwrapped(text)))
    if not len(t) or not sents:
        z = np.zeros(0, dtype=np.int64)
        return Units(text, (), [], z, z, z, z)
    starts = np.asarray([s.start for s in sents], dtype=np.int64)
    raw = np.searchsorted(starts, t.starts, side="right") - 1
    raw = np.maximum(raw, 0)
    counts = np.bincount(raw, minlength=len(sents))
    # join short units to the next one (the last to the one before)
    merged: list[tuple[int, int]] = []
    group_of = np.zeros(len(sents), dtype=np.int64)
    cur_start, cur_words = -1, 0
    for k, s in enumerate(sents):
        if counts[k] == 0 and merged and cur_start < 0:  # no word: belongs to the previous unit
            group_of[k] = len(merged) - 1
            merged[-1] = (merged[-1][0], s.end)
            continue
        if cur_start < 0:
            cur_start, cur_words = s.start, 0
        cur_words += int(counts[k])
        group_of[k] = len(merged)
        if cur_words >= params.min_unit_words:
            merged.append((cur_start, s.end))
            cur_start = -1
    if cur_start >= 0:
        last = sents[-1].end
        if merged and cur_words < params.min_unit_words:
            group_of[group_of == len(merged)] = len(merged) - 1
            merged[-1] = (merged[-1][0], last)
        else:
            merged.append((cur_start, last))
    unit_of = group_of[raw]
    spans = tuple(Span(a, b) for a, b in merged)
    k = params.stem
    terms = [stem_term(w, k) for w in t.words]
    return Units(text, spans, terms, unit_of, np.bincount(unit_of, minlength=len(spans)), t.starts, t.ends)


@dataclass(frozen=True, slots=True)
class _Space:
    """Both texts' units as weighted term vectors over one vocabulary."""

    na: np.ndarray  # each unit's vector norm (over all its terms)
    nb: np.ndarray
    da: np.ndarray  # distinct terms per unit
    db: np.ndarray
    ea: tuple[np.ndarray, np.ndarray, np.ndarray]  # (unit, term, weight) entries of A, all terms
    eb: tuple[np.ndarray, np.ndarray, np.ndarray]
    vocab: int
    ia: np.ndarray  # each token's term id
    ib: np.ndarray
    isf: np.ndarray  # per term id: its inverse sentence frequency
    once: np.ndarray  # per term id: in one unit of each text (it pairs them)


def _entries(ids: np.ndarray, unit_of: np.ndarray, vocab: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (unit, term) pairs of one text with their counts."""
    if not len(ids):
        z = np.zeros(0, dtype=np.int64)
        return z, z, np.zeros(0)
    key, cnt = np.unique(unit_of * vocab + ids, return_counts=True)
    return key // vocab, key % vocab, cnt.astype(np.float64)


def _space(ua: Units, ub: Units) -> _Space:
    vocab: dict[str, int] = {}
    ia = np.fromiter((vocab.setdefault(w, len(vocab)) for w in ua.terms), dtype=np.int64, count=len(ua.terms))
    ib = np.fromiter((vocab.setdefault(w, len(vocab)) for w in ub.terms), dtype=np.int64, count=len(ub.terms))
    v = max(1, len(vocab))
    au, at, ac = _entries(ia, ua.unit_of, v)
    bu, bt, bc = _entries(ib, ub.unit_of, v)
    df = np.bincount(at, minlength=v) + np.bincount(bt, minlength=v)
    n_units = len(ua.spans) + len(ub.spans)
    isf = np.log(np.maximum(n_units, 1) / np.maximum(df, 1))
    aw, bw = ac * isf[at], bc * isf[bt]
    na = np.sqrt(np.bincount(au, weights=aw * aw, minlength=len(ua.spans)))
    nb = np.sqrt(np.bincount(bu, weights=bw * bw, minlength=len(ub.spans)))
    da = np.bincount(au, minlength=len(ua.spans)).astype(np.float64)
    db = np.bincount(bu, minlength=len(ub.spans)).astype(np.float64)
    once = (np.bincount(at, minlength=v) == 1) & (np.bincount(bt, minlength=v) == 1)
    return _Space(na, nb, da, db, (au, at, aw), (bu, bt, bw), v, ia, ib, isf, once)


def unit_similarity(ua: Units, ub: Units) -> tuple[np.ndarray, np.ndarray]:
    """The weighted cosine and the Dice coefficient of every unit pair,
    two ``(units of A, units of B)`` arrays."""
    sp = _space(ua, ub)
    return _similarity(sp)


def _similarity(sp: _Space) -> tuple[np.ndarray, np.ndarray]:
    """Cosine and Dice of every unit pair, summed over the (A entry, B entry)
    pairs that share a term: no dense matrix product (under load, a BLAS
    thread pool costs more than these small products)."""
    au, at, aw = sp.ea
    bu, bt, bw = sp.eb
    na, nb = len(sp.na), len(sp.nb)
    order = np.argsort(bt, kind="stable")
    bu_s, bw_s = bu[order], bw[order]
    per_term = np.bincount(bt, minlength=sp.vocab)
    first = np.concatenate(([0], np.cumsum(per_term)[:-1]))
    times = per_term[at]  # B entries each A entry pairs with
    rep = np.repeat(np.arange(len(at)), times)
    within = np.arange(len(rep)) - np.repeat(np.cumsum(times) - times, times)
    bidx = first[at[rep]] + within
    key = au[rep] * nb + bu_s[bidx]
    wa_, wb_ = aw[rep], bw_s[bidx]
    dot = np.bincount(key, weights=wa_ * wb_, minlength=na * nb).reshape(na, nb)
    common = np.bincount(key, weights=((wa_ > 0) & (wb_ > 0)).astype(np.float64), minlength=na * nb).reshape(na, nb)
    norms = np.outer(sp.na, sp.nb)
    # (bincount of no entries gives integers: the outputs are floats whatever it gave)
    cos = np.divide(dot, norms, out=np.zeros(dot.shape, dtype=np.float64), where=norms > 0)
    sizes = sp.da[:, None] + sp.db[None, :]
    dice = np.divide(2 * common, sizes, out=np.zeros(common.shape, dtype=np.float64), where=sizes > 0)
    return cos, dice


def unit_similarity_slow(ua: Units, ub: Units) -> tuple[list[list[float]], list[list[float]]]:
    """Reference twin of :func:`unit_similarity`: dictionaries and loops."""
    bags_a: list[dict[str, int]] = [{} for _ in ua.spans]
    bags_b: list[dict[str, int]] = [{} for _ in ub.spans]
    for w, u in zip(ua.terms, ua.unit_of.tolist()):
        bags_a[u][w] = bags_a[u].get(w, 0) + 1
    for w, u in zip(ub.terms, ub.unit_of.tolist()):
        bags_b[u][w] = bags_b[u].get(w, 0) + 1
    n = len(bags_a) + len(bags_b)
    df: dict[str, int] = {}
    for bag in bags_a + bags_b:
        for w in bag:
            df[w] = df.get(w, 0) + 1

    def vec(bag: dict[str, int]) -> dict[str, float]:
        return {w: c * math.log(n / df[w]) for w, c in bag.items()}

    va, vb = [vec(b) for b in bags_a], [vec(b) for b in bags_b]
    cos = [[0.0] * len(vb) for _ in va]
    dice = [[0.0] * len(vb) for _ in va]
    for i, x in enumerate(va):
        for j, y in enumerate(vb):
            dot = sum(x[w] * y[w] for w in x if w in y)
            nx = math.sqrt(sum(v * v for v in x.values()))
            ny = math.sqrt(sum(v * v for v in y.values()))
            cos[i][j] = dot / (nx * ny) if nx > 0 and ny > 0 else 0.0
            both = sum(1 for w in x if w in y and x[w] > 0 and y[w] > 0)
            dice[i][j] = 2 * both / (len(x) + len(y)) if x or y else 0.0
    return cos, dice


# --------------------------------------------------------------------------
# extension


Seed = tuple[int, int]


def _split_by(cluster: list[Seed], side: int, gap: int) -> list[list[Seed]]:
    ordered = sorted(cluster, key=lambda s: (s[side], s[1 - side]))
    out = [[ordered[0]]]
    for prev, s in zip(ordered, ordered[1:]):
        if s[side] - prev[side] > gap:
            out.append([])
        out[-1].append(s)
    return out


def clusters(seeds: Sequence[Seed], gap_a: int, gap_b: int) -> list[list[Seed]]:
    """Seeds grouped by splitting, alternately in B's and A's order, wherever
    neighbours lie more than the side's gap apart, until nothing splits."""
    if not seeds:
        return []
    current = [list(seeds)]
    while True:
        nxt = [z for c in current for y in _split_by(c, 1, gap_b) for z in _split_by(y, 0, gap_a)]
        if len(nxt) == len(current):
            return nxt
        current = nxt


def _stretch_cosine(sp: _Space, a0: int, a1: int, b0: int, b1: int) -> float:
    """Weighted cosine of units ``a0..a1`` of A and ``b0..b1`` of B (inclusive)."""
    au, at, aw = sp.ea
    bu, bt, bw = sp.eb
    ma, mb = (au >= a0) & (au <= a1), (bu >= b0) & (bu <= b1)
    va = np.bincount(at[ma], weights=aw[ma], minlength=sp.vocab)
    vb = np.bincount(bt[mb], weights=bw[mb], minlength=sp.vocab)
    n = float(np.linalg.norm(va) * np.linalg.norm(vb))
    return float(va @ vb) / n if n > 0 else 0.0


@dataclass(frozen=True, slots=True)
class _Found:
    a0: int
    a1: int
    b0: int
    b1: int
    similarity: float
    seeds: tuple[Seed, ...]


def _validated(sp: _Space, cluster: list[Seed], gap_a: int, gap_b: int, threshold: float) -> list[_Found]:
    a0, a1 = min(s[0] for s in cluster), max(s[0] for s in cluster)
    b0, b1 = min(s[1] for s in cluster), max(s[1] for s in cluster)
    sim = _stretch_cosine(sp, a0, a1, b0, b1)
    if sim >= threshold:
        return [_Found(a0, a1, b0, b1, sim, tuple(sorted(cluster, key=lambda s: (s[1], s[0]))))]
    if gap_a == 0 and gap_b == 0 or len(cluster) == 1:
        return []
    ga, gb = max(0, gap_a // 2 if gap_a > 1 else 0), max(0, gap_b // 2 if gap_b > 1 else 0)
    return [f for c in clusters(cluster, ga, gb) for f in _validated(sp, c, ga, gb, threshold)]


def _extend(sp: _Space, seeds: list[Seed], gap_a: int, gap_b: int, threshold: float) -> list[_Found]:
    return [f for c in clusters(seeds, gap_a, gap_b) for f in _validated(sp, c, gap_a, gap_b, threshold)]


def _chars(u: Units, u0: int, u1: int) -> int:
    return u.spans[u1].end - u.spans[u0].start


def _overlap(x0: int, x1: int, y0: int, y1: int) -> bool:
    return x0 <= y1 and y0 <= x1


def _merge(sp: _Space, found: list[_Found], stands: Callable[[_Found], bool] | None = None) -> list[_Found]:
    """Merge passages overlapping on both sides; of two overlapping on one
    side only, keep the one that ``stands`` (long enough to be reported:
    a sentence repeated in one text must not cost the passage around its
    other copy), then the more similar, then the longer."""
    items = sorted(found, key=lambda f: (f.b0, f.a0))
    changed = True
    while changed:
        changed = False
        for x in range(len(items)):
            for y in range(x + 1, len(items)):
                f, g = items[x], items[y]
                oa, ob = _overlap(f.a0, f.a1, g.a0, g.a1), _overlap(f.b0, f.b1, g.b0, g.b1)
                if oa and ob:
                    a0, a1, b0, b1 = min(f.a0, g.a0), max(f.a1, g.a1), min(f.b0, g.b0), max(f.b1, g.b1)
                    seeds = tuple(sorted(set(f.seeds) | set(g.seeds), key=lambda s: (s[1], s[0])))
                    merged = _Found(a0, a1, b0, b1, _stretch_cosine(sp, a0, a1, b0, b1), seeds)
                    items = [h for k, h in enumerate(items) if k not in (x, y)] + [merged]
                elif ob or oa:
                    keep = max((f, g), key=lambda h: (stands is None or stands(h), h.similarity,
                                                      h.a1 - h.a0 + h.b1 - h.b0))
                    items = [h for k, h in enumerate(items) if k not in (x, y)] + [keep]
                else:
                    continue
                changed = True
                break
            if changed:
                break
    return sorted(items, key=lambda f: (f.b0, f.a0))


def _summaries(sp: _Space, ua: Units, ub: Units, seeds: list[Seed], params: RewriteParams) -> list[_Found]:
    """Passages in which one side condenses the other (the summary pass):
    at least two units of the long side drawn on."""
    out: list[_Found] = []
    for ga, gb, long_a in ((params.summary_gap, params.max_gap, True), (params.max_gap, params.summary_gap, False)):
        for f in _extend(sp, seeds, ga, gb, params.min_similarity):
            la, lb = _chars(ua, f.a0, f.a1), _chars(ub, f.b0, f.b1)
            drawn_on = len({s[0] if long_a else s[1] for s in f.seeds})
            if drawn_on >= 2 and ((la >= params.summary_ratio * lb) if long_a else (lb >= params.summary_ratio * la)):
                out.append(f)
    return out


def _join_summaries(sp: _Space, ua: Units, ub: Units, found: list[_Found], params: RewriteParams) -> list[_Found]:
    """A summary joined with every passage next to it on its short side
    (``max_gap`` units), however far apart they lie on its long side: a
    summary draws on its source from anywhere, one passage per summarised stretch."""
    items = list(found)
    changed = True
    while changed:
        changed = False
        for s in items:
            la, lb = _chars(ua, s.a0, s.a1), _chars(ub, s.b0, s.b1)
            if max(la, lb) < params.summary_ratio * min(la, lb):
                continue
            for g in items:
                if g is s:
                    continue
                if la >= lb:
                    gap = max(g.b0 - s.b1, s.b0 - g.b1) - 1
                else:
                    gap = max(g.a0 - s.a1, s.a0 - g.a1) - 1
                if gap > params.max_gap:
                    continue
                a0, a1, b0, b1 = min(s.a0, g.a0), max(s.a1, g.a1), min(s.b0, g.b0), max(s.b1, g.b1)
                seeds = tuple(sorted(set(s.seeds) | set(g.seeds), key=lambda x: (x[1], x[0])))
                joined = _Found(a0, a1, b0, b1, _stretch_cosine(sp, a0, a1, b0, b1), seeds)
                items = [h for h in items if h is not s and h is not g] + [joined]
                changed = True
                break
            if changed:
                break
    return sorted(items, key=lambda f: (f.b0, f.a0))


def _covers(f: _Found, g: _Found) -> bool:
    return _overlap(f.a0, f.a1, g.a0, g.a1) and _overlap(f.b0, f.b1, g.b0, g.b1)


def _grow(sp: _Space, found: list[_Found], weak: list[Seed], threshold: float) -> list[_Found]:
    """Each passage with the weak seeds next to it (one unit beyond either
    end, on both sides), again and again until none is next to it, when the
    grown stretches still reach the ``threshold`` cosine."""
    out: list[_Found] = []
    for f in found:
        seeds = set(f.seeds)
        while True:
            a0, a1 = min(s[0] for s in seeds), max(s[0] for s in seeds)
            b0, b1 = min(s[1] for s in seeds), max(s[1] for s in seeds)
            more = {w for w in weak if w not in seeds and a0 - 1 <= w[0] <= a1 + 1 and b0 - 1 <= w[1] <= b1 + 1}
            if not more:
                break
            seeds |= more
        sim = _stretch_cosine(sp, a0, a1, b0, b1) if len(seeds) > len(f.seeds) else 0.0
        if sim < threshold:  # not grown, or grown past what the stretches share
            out.append(f)
        else:
            out.append(_Found(a0, a1, b0, b1, sim, tuple(sorted(seeds, key=lambda s: (s[1], s[0])))))
    return out


def _widened(sp: _Space, ua: Units, ub: Units, f: _Found, params: RewriteParams) -> _Found:
    """The summary ``f`` with its long side widened to the whole text when it
    spans ``summary_whole`` of that text's characters already: a brief that
    draws on most of a story summarises the story (PAN's summaries are of
    the whole source document)."""
    la, lb = _chars(ua, f.a0, f.a1), _chars(ub, f.b0, f.b1)
    a0, a1, b0, b1 = f.a0, f.a1, f.b0, f.b1
    if la >= params.summary_ratio * lb and la >= params.summary_whole * _chars(ua, 0, len(ua.spans) - 1):
        a0, a1 = 0, len(ua.spans) - 1
    elif lb >= params.summary_ratio * la and lb >= params.summary_whole * _chars(ub, 0, len(ub.spans) - 1):
        b0, b1 = 0, len(ub.spans) - 1
    else:
        return f
    return _Found(a0, a1, b0, b1, _stretch_cosine(sp, a0, a1, b0, b1), f.seeds)


def _found(sp: _Space, ua: Units, ub: Units, seeds: list[Seed], params: RewriteParams,
           weak: list[Seed] | None = None) -> list[_Found]:
    found = _extend(sp, seeds, params.max_gap, params.max_gap, params.min_similarity)
    def stands(f: _Found) -> bool:
        return _chars(ua, f.a0, f.a1) >= params.min_chars and _chars(ub, f.b0, f.b1) >= params.min_chars

    found = _merge(sp, _grow(sp, found, weak or [], params.min_similarity), stands)
    summaries = _merge(sp, _summaries(sp, ua, ub, seeds, params), stands)
    if summaries:
        found = [f for f in found if not any(_covers(s, f) for s in summaries)] + summaries
        found = _join_summaries(sp, ua, ub, _merge(sp, found, stands), params)
        if params.summary_whole < 1.0:
            found = _merge(sp, [_widened(sp, ua, ub, f, params) for f in found], stands)
    return [f for f in found if stands(f)]


def _edges(u: Units, ids: np.ndarray, isf: np.ndarray, once: np.ndarray, u0: int, u1: int,
           first_other: np.ndarray, last_other: np.ndarray, lack: float) -> Span:
    """The stretch of units ``u0..u1``, its first unit cut to start and its
    last unit cut to end where the words the other side's stretch shares
    outweigh those it lacks: PAN's cases, and copied stretches, often begin
    and end inside a sentence.

    Each word of an edge unit scores its term's isf when the other side's
    stretch has the term (``first_other``, ``last_other``: its term ids for
    either end, none to leave that end uncut) and ``-lack`` times the
    highest isf when it has not; the first unit keeps its best-scoring
    suffix, the last its best-scoring prefix (one unit alone: its
    best-scoring run), the longest of equal scores, and no cut leaves out a
    word whose term lies in one unit of each text (it pairs those units)."""
    start, end = u.spans[u0].start, u.spans[u1].end
    first = np.nonzero(u.unit_of == u0)[0]
    last = first if u1 == u0 else np.nonzero(u.unit_of == u1)[0]
    if not len(first) or not len(last):
        return Span(start, end)
    cost = lack * float(isf.max(initial=0.0))

    def scores(toks: np.ndarray, other: np.ndarray) -> np.ndarray:
        return np.where(np.isin(ids[toks], other), isf[ids[toks]], -cost)

    if u0 == u1:
        sc = scores(first, np.union1d(first_other, last_other))
        i, j = _best_run(sc)
    else:
        sf, sl = scores(first, first_other), scores(last, last_other)
        suffix = np.cumsum(sf[::-1])[::-1]
        prefix = np.cumsum(sl)
        i = int(np.argmax(suffix))
        j = len(sl) - 1 - int(np.argmax(prefix[::-1]))
    # a word whose term lies in one unit of each text pairs those units: never cut off
    pf = np.nonzero(np.isin(ids[first], first_other) & once[ids[first]])[0]
    pl = np.nonzero(np.isin(ids[last], last_other) & once[ids[last]])[0]
    if len(pf):
        i = min(i, int(pf[0]))
    if len(pl):
        j = max(j, int(pl[-1]))
    # cut only where a word is left out: the unit's own first and last
    # characters (an opening quote, the full stop) stay
    if i > 0 and len(first_other):
        start = int(u.starts[first[i]])
    if j < len(last) - 1 and len(last_other):
        end = int(u.ends[last[j]])
    return Span(start, end) if start < end else Span(u.spans[u0].start, u.spans[u1].end)


def _best_run(sc: np.ndarray) -> tuple[int, int]:
    """``(i, j)``: the run ``sc[i..j]`` (inclusive) of the highest sum, the longest of equal sums."""
    c = np.concatenate(([0.0], np.cumsum(sc)))
    best, bi, bj, lo = -math.inf, 0, len(sc) - 1, 0
    for k in range(1, len(c)):
        if c[k - 1] < c[lo] - 1e-12:
            lo = k - 1
        v = c[k] - c[lo]
        if v > best + 1e-12 or (abs(v - best) <= 1e-12 and k - 1 - lo > bj - bi):
            best, bi, bj = v, lo, k - 1
    return bi, bj


def _passage(ua: Units, ub: Units, sp: _Space, f: _Found, cos: np.ndarray, lack: float) -> Passage:
    in_a = (ua.unit_of >= f.a0) & (ua.unit_of <= f.a1)
    in_b = (ub.unit_of >= f.b0) & (ub.unit_of <= f.b1)
    terms_a, terms_b = np.unique(sp.ia[in_a]), np.unique(sp.ib[in_b])

    def seeded(side: int, unit: int, terms: np.ndarray) -> np.ndarray:
        """``terms``, or none when no seed lies in ``unit`` (a side widened to its whole text)."""
        return terms if any(s[side] == unit for s in f.seeds) else terms[:0]

    a = _edges(ua, sp.ia, sp.isf, sp.once, f.a0, f.a1, seeded(0, f.a0, terms_b), seeded(0, f.a1, terms_b), lack)
    b = _edges(ub, sp.ib, sp.isf, sp.once, f.b0, f.b1, seeded(1, f.b0, terms_a), seeded(1, f.b1, terms_a), lack)
    pairs = tuple(
        SentencePair(_clip(ua.spans[i], a), _clip(ub.spans[j], b), round(float(cos[i, j]), 4)) for i, j in f.seeds
    )
    words = int(np.isin(sp.ib[in_b & (ub.starts >= b.start) & (ub.ends <= b.end)], terms_a).sum())
    return Passage(a, b, a.slice(ua.text), b.slice(ub.text), words, f.similarity, kind="rewritten",
                   sentences=pairs)


def _clip(s: Span, within: Span) -> Span:
    lo, hi = max(s.start, within.start), min(s.end, within.end)
    return Span(lo, hi) if lo < hi else s


def _seeds(cos: np.ndarray, ok: np.ndarray, near_best: float) -> list[Seed]:
    """The seed pairs of ``ok`` whose cosine is near the best seed of both of their units."""
    c = np.where(ok, cos, 0.0)
    best_a, best_b = c.max(axis=1, initial=0.0), c.max(axis=0, initial=0.0)
    keep = ok & (c >= near_best * best_a[:, None] - 1e-12) & (c >= near_best * best_b[None, :] - 1e-12)
    si, sj = np.nonzero(keep)
    return list(zip(si.tolist(), sj.tolist()))


def align_rewritten_units(ua: Units, ub: Units, params: RewriteParams | None = None) -> list[Passage]:
    """The rewritten passages of two texts already split into units, in B's order."""
    params = params or RewriteParams()
    if not ua.spans or not ub.spans:
        return []
    sp = _space(ua, ub)
    cos, dice = _similarity(sp)
    seeds = _seeds(cos, (cos >= params.seed_cosine) & (dice >= params.seed_dice), params.near_best)
    weak = _seeds(cos, (cos >= params.grow_cosine) & (dice >= params.grow_dice), params.near_best)
    return [_passage(ua, ub, sp, f, cos, params.edge_lack) for f in _found(sp, ua, ub, seeds, params, weak)]


def align_rewritten(a_text: str, b_text: str, params: RewriteParams | None = None, *,
                    tokens: tuple[Tokens, Tokens] | None = None) -> list[Passage]:
    """The rewritten passages ``a_text`` and ``b_text`` share, in B's order
    (see the module doc). ``tokens`` may pass both texts' tokens."""
    params = params or RewriteParams()
    ta, tb = tokens if tokens is not None else (None, None)
    return align_rewritten_units(units(a_text, params, ta), units(b_text, params, tb), params)


def align_rewritten_slow(a_text: str, b_text: str, params: RewriteParams | None = None) -> list[Passage]:
    """Twin of :func:`align_rewritten` whose seeds come from
    :func:`unit_similarity_slow` (the extension is shared)."""
    params = params or RewriteParams()
    ua, ub = units(a_text, params), units(b_text, params)
    if not ua.spans or not ub.spans:
        return []
    cos_l, dice_l = unit_similarity_slow(ua, ub)

    def seeds_at(min_cos: float, min_dice: float) -> list[Seed]:
        ok = [[c >= min_cos and dice_l[i][j] >= min_dice for j, c in enumerate(row)] for i, row in enumerate(cos_l)]
        best_a = [max((c for c, k in zip(row, oks) if k), default=0.0) for row, oks in zip(cos_l, ok)]
        best_b = [max((cos_l[i][j] for i in range(len(cos_l)) if ok[i][j]), default=0.0)
                  for j in range(len(ub.spans))]
        return [(i, j) for i, row in enumerate(cos_l) for j, c in enumerate(row)
                if ok[i][j] and c >= params.near_best * best_a[i] - 1e-12 and c >= params.near_best * best_b[j] - 1e-12]

    sp = _space(ua, ub)
    cos = np.asarray(cos_l, dtype=np.float64).reshape(len(ua.spans), len(ub.spans))
    found = _found(sp, ua, ub, seeds_at(params.seed_cosine, params.seed_dice), params,
                   seeds_at(params.grow_cosine, params.grow_dice))
    return [_passage(ua, ub, sp, f, cos, params.edge_lack) for f in found]


def reuse_spans(passages: Sequence[Passage], min_chars: int = 0) -> list[tuple[int, int, int, int]]:
    """The stretches of reuse, as ``(a_start, a_end, b_start, b_end)`` in B's
    order, as PAN scores detections: passages (quotations left out: a quoted
    phrase is cited, not reused) merged where they overlap on both sides; of
    stretches whose B sides overlap by more than half the shorter one, the
    longer is kept (the same text of B found twice in A).

    A rewritten passage and the verbatim passages inside it are one stretch
    of reuse. Stretches shorter than ``min_chars`` characters on either side
    are left out (PAN's cases are at least a few sentences long; the
    rewritten aligner's own passages are at least ``min_chars`` long)."""
    items = [(p.a.start, p.a.end, p.b.start, p.b.end) for p in passages if p.kind != "quotation"]
    changed = True
    while changed:
        changed = False
        for x in range(len(items)):
            for y in range(x + 1, len(items)):
                f, g = items[x], items[y]
                if f[0] < g[1] and g[0] < f[1] and f[2] < g[3] and g[2] < f[3]:
                    m = (min(f[0], g[0]), max(f[1], g[1]), min(f[2], g[2]), max(f[3], g[3]))
                    items = [h for k, h in enumerate(items) if k not in (x, y)] + [m]
                    changed = True
                    break
            if changed:
                break

    def size(t: tuple[int, int, int, int]) -> int:
        return t[1] - t[0] + t[3] - t[2]

    kept: list[tuple[int, int, int, int]] = []
    for t in sorted(items, key=size, reverse=True):
        if not any(2 * (min(t[3], k[3]) - max(t[2], k[2])) > min(t[3] - t[2], k[3] - k[2]) for k in kept):
            kept.append(t)
    return sorted((t for t in kept if min(t[1] - t[0], t[3] - t[2]) >= min_chars), key=lambda t: (t[2], t[0]))


def _covered_share(span: Span, spans: Sequence[Span]) -> float:
    marks = sorted((max(s.start, span.start), min(s.end, span.end)) for s in spans)
    total, end = 0, span.start
    for a, b in marks:
        a = max(a, end)
        if b > a:
            total += b - a
            end = b
    return total / len(span) if len(span) else 1.0


def beside_verbatim(rewritten: Sequence[Passage], verbatim: Sequence[Passage], cover: float = 0.8,
                    summary_ratio: float = 3.0, *, join: bool = False, reprint: int = 0) -> list[Passage]:
    """The rewritten passages that say something the verbatim ones do not.

    When the verbatim passages inside a rewritten passage (those overlapping
    it on both sides) cover ``cover`` of its characters on its shorter side,
    or on either side while its two sides are of like length (not a summary,
    where one side is ``summary_ratio`` times the other), the copy is found
    already and what the rewritten passage adds beyond them is a neighbouring
    sentence on the same topic: it is dropped, or with ``join`` cut to the
    stretch from the first to the last of those verbatim passages (dropped
    when that is one verbatim passage alone: a stretch of reuse, as PAN
    counts a case, that the verbatim aligner reports in pieces). Other
    rewritten passages stay as they are.

    With ``reprint`` > 0, a pair that shares an exact copy of at least
    ``reprint`` characters on both sides (a verbatim passage of similarity
    1) is a reprint, as Sanchez-Perez, Gelbukh and Sidorov's aligner decides
    a pair: its copied text is what the verbatim passages say, so a rewritten
    passage that holds none is the shared topic, not reuse, and is dropped,
    and one that holds verbatim passages is cut to the stretch from the first
    to the last of them (with ``join``) or dropped.
    """
    reprinted = reprint > 0 and any(v.kind == "passage" and v.similarity >= 1.0
                                    and min(len(v.a), len(v.b)) >= reprint for v in verbatim)
    out: list[Passage] = []
    for p in rewritten:
        inside = [v for v in verbatim if v.a.overlaps(p.a) and v.b.overlaps(p.b)]
        summary = max(len(p.a), len(p.b)) >= summary_ratio * min(len(p.a), len(p.b))
        ca, cb = _covered_share(p.a, [v.a for v in inside]), _covered_share(p.b, [v.b for v in inside])
        short = ca if len(p.a) <= len(p.b) else cb
        if reprinted and not summary:
            if join and len(inside) > 1:
                out.append(_hull(p, inside))
            continue
        if not (short >= cover or (not summary and max(ca, cb) >= cover)):
            out.append(p)
        elif join and len(inside) > 1:
            out.append(_hull(p, inside))
    return out


def _hull(p: Passage, inside: Sequence[Passage]) -> Passage:
    """``p`` cut to the stretch from the first to the last of the verbatim passages ``inside`` it."""
    return _cut(p, Span(min(v.a.start for v in inside), max(v.a.end for v in inside)),
                Span(min(v.b.start for v in inside), max(v.b.end for v in inside)), sum(v.words for v in inside))


def _cut(p: Passage, a: Span, b: Span, words: int) -> Passage:
    """``p`` cut to the spans ``a`` and ``b`` (inside its own), keeping the
    sentence pairs that still lie in both."""
    def within(s: Span, w: Span) -> bool:
        return s.start < w.end and w.start < s.end

    a_text = p.a_text[a.start - p.a.start : a.end - p.a.start]
    b_text = p.b_text[b.start - p.b.start : b.end - p.b.start]
    pairs = tuple(SentencePair(_clip(x.a, a), _clip(x.b, b), x.similarity) for x in p.sentences
                  if within(x.a, a) and within(x.b, b))
    return replace(p, a=a, b=b, a_text=a_text, b_text=b_text, words=words, sentences=pairs)




def compare_passages(a_text: str, b_text: str, params: RewriteParams | None = None, *,
                     join: bool = False, reprint: int = 150) -> list[Passage]:
    """Verbatim passages (:func:`newstrace.align.align`) and, beside them,
    the rewritten passages they do not already cover, in B's order (``join``
    and ``reprint``, an exact copy of that many characters making the pair a
    reprint, 0 never, as in :func:`beside_verbatim`)."""
    from .align import align_tokens

    ta, tb = tokenize(a_text), tokenize(b_text)
    verbatim = align_tokens(ta, tb)
    rewritten = beside_verbatim(align_rewritten(a_text, b_text, params, tokens=(ta, tb)), verbatim, join=join,
                                reprint=reprint)
    return sorted([*verbatim, *rewritten], key=lambda p: (p.b.start, p.a.start))
