"""Candidate pairs: which documents of a collection may share a passage.

Per document (a pure function both engines call): the set of its word
n-gram *shingles*, hashed with a stable 64-bit hash so that shingles computed
in another process, another run or another engine agree. Shingles are
sampled by content (a shingle is kept when its hash falls in one residue
class modulo ``sample``), so two documents keep the same shingles of a shared
passage and the postings table shrinks ``sample``-fold.

Across documents (a relational step, run as SQL by the store): postings
``(shingle, doc)`` joined with themselves on ``shingle``, leaving out
shingles found in more than ``max_df`` documents (boilerplate, stock
phrases); a pair sharing at least ``min_shared`` shingles is a candidate.
:func:`candidate_pairs_reference` is the slow twin of that query.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from itertools import combinations
from typing import Iterable, Mapping, Sequence

import numpy as np

from .text import Tokens, tokenize_many

_WORD_HASH: dict[str, int] = {}
_MASK63 = (1 << 63) - 1


@dataclass(frozen=True, slots=True, kw_only=True)
class CandidateParams:
    """How candidates are found.

    ngram:      shingle length in words (the aligner's seed length).
    sample:     keep one shingle in ``sample`` (by hash); 1 keeps all.
    max_df:     shingles in more documents than this are ignored.
    min_shared: a pair needs this many shared (sampled) shingles.
    """

    ngram: int = 5
    sample: int = 4
    max_df: int = 100
    min_shared: int = 2

    def __post_init__(self) -> None:
        for name in ("ngram", "sample", "max_df", "min_shared"):
            v = getattr(self, name)
            if not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {v!r}")
        if self.max_df < 2:
            raise ValueError("max_df must be at least 2: a shingle in one document pairs nothing")


def _blake2b63(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little") & _MASK63


def word_hash(word: str) -> int:
    """A stable 63-bit hash of a normalised word (the same in every process)."""
    h = _WORD_HASH.get(word)
    if h is None:
        h = _blake2b63(word)
        if len(_WORD_HASH) < 2_000_000:
            _WORD_HASH[word] = h
    return h


def word_hashes(words: Sequence[str]) -> np.ndarray:
    """:func:`word_hash` of every word, as uint64, with no Python code run
    per word but per distinct word not seen before in this process."""
    new = set(words).difference(_WORD_HASH)
    if len(_WORD_HASH) + len(new) > 2_000_000:
        _WORD_HASH.clear()
        new = set(words)
    for w in new:
        _WORD_HASH[w] = _blake2b63(w)
    return np.fromiter(map(_WORD_HASH.__getitem__, words), dtype=np.uint64, count=len(words))


def shingles(tokens: Tokens, params: CandidateParams = CandidateParams()) -> np.ndarray:
    """The distinct sampled n-gram hashes of one document, as sorted int64."""
    return shingles_of_hashes(token_hashes([tokens]), params)


# the word ids seen in this process (sorted) and their words' word_hash, side by side
_KNOWN: list[np.ndarray] = [np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)]
_MAX_KNOWN = 2_000_000


def token_hashes(toks: Sequence[Tokens]) -> np.ndarray:
    """:func:`word_hash` of every token of ``toks`` (in order, as uint64),
    looked up by the tokens' word ids (:func:`~newstrace.text.word_id`) in a
    sorted table of the ids this process has seen: a word is cut out as a
    string and hashed only the first time its id is seen, and no Python code
    runs per token."""
    ids = np.concatenate([t.ids for t in toks]) if len(toks) != 1 else toks[0].ids
    if not len(ids):
        return np.zeros(0, dtype=np.uint64)
    known_ids, known_hashes = _KNOWN
    at = np.searchsorted(known_ids, ids)
    if len(known_ids):
        miss = np.flatnonzero(known_ids[np.minimum(at, len(known_ids) - 1)] != ids)
    else:
        miss = np.arange(len(ids))
    if len(miss):
        new, first = np.unique(ids[miss], return_index=True)
        tok_at = miss[first]  # each new id's first token
        lens = np.fromiter(map(len, toks), dtype=np.int64, count=len(toks))
        ends = np.cumsum(lens)
        doc = np.searchsorted(ends, tok_at, side="right")
        local = tok_at - (ends - lens)[doc]
        fresh = np.fromiter((_blake2b63(toks[d].normalized[int(toks[d].norm_starts[i]) : int(toks[d].norm_ends[i])])
                             for d, i in zip(doc.tolist(), local.tolist())), dtype=np.uint64, count=len(new))
        if len(known_ids) + len(new) > _MAX_KNOWN:  # start the table afresh, with this batch's words
            hashes = np.empty(len(ids), dtype=np.uint64)
            hit = np.ones(len(ids), dtype=bool)
            hit[miss] = False
            hashes[hit] = known_hashes[at[hit]]
            hashes[miss] = fresh[np.searchsorted(new, ids[miss])]
            uniq, first = np.unique(ids, return_index=True)
            _KNOWN[:] = [uniq, hashes[first]]
            return hashes
        ins = np.searchsorted(known_ids, new)
        known_ids = np.insert(known_ids, ins, new)
        known_hashes = np.insert(known_hashes, ins, fresh)
        _KNOWN[:] = [known_ids, known_hashes]
        at = np.searchsorted(known_ids, ids)
    return known_hashes[at]


def forget_word_hashes() -> None:
    """Empty this process's caches of word hashes (for timing a cold start)."""
    _WORD_HASH.clear()
    _KNOWN[:] = [np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)]


def shingles_of_hashes(ids: np.ndarray, params: CandidateParams = CandidateParams()) -> np.ndarray:
    """:func:`shingles` of a document whose words' :func:`word_hashes` are ``ids``."""
    return shingles_many(ids, np.array([len(ids)], dtype=np.int64), params)[0]


def other_series_sql(a_outlet: str, b_outlet: str) -> str:
    """The same-series rule as one SQL condition, which DuckDB and Spark SQL
    read alike: a pair is a candidate only if its documents come from
    different outlets (compared without case), or either has none. A scan
    with ``same_series`` leaves the condition out. ``a_outlet`` and
    ``b_outlet`` are the two columns' names."""
    return f"({a_outlet} IS NULL OR {b_outlet} IS NULL OR lower({a_outlet}) <> lower({b_outlet}))"


def prepare(text: str, params: CandidateParams = CandidateParams()) -> tuple[int, np.ndarray]:
    """A document's part of the candidate stage: its number of words and its
    sampled shingles (what the postings hold). ``Store.load_tables`` calls
    this per document; the engines call :func:`prepare_many` per batch."""
    return prepare_many([text], params)[0]


def prepare_many(texts: Sequence[str], params: CandidateParams = CandidateParams()) -> list[tuple[int, np.ndarray]]:
    """:func:`prepare` of each text, tokenised and hashed as one batch
    (:func:`~newstrace.text.tokenize_many`, :func:`token_hashes`)."""
    toks = tokenize_many(texts)
    if not toks:
        return []
    lengths = np.fromiter(map(len, toks), dtype=np.int64, count=len(toks))
    return list(zip(lengths.tolist(), shingles_many(token_hashes(toks), lengths, params)))


def shingles_many(hashes: np.ndarray, lengths: np.ndarray, params: CandidateParams = CandidateParams()
                  ) -> list[np.ndarray]:
    """:func:`shingles_of_hashes` of each document of a batch whose words'
    hashes are ``hashes``, ``lengths[d]`` of them for document ``d`` in turn:
    the n-grams of the whole batch hashed at once, those that cross from one
    document into the next dropped, the rest sampled and made distinct per
    document with one sort."""
    n = params.ngram
    docs = len(lengths)
    if len(hashes) < n:
        return [np.zeros(0, dtype=np.int64) for _ in range(docs)]
    # Not align.ngram_keys: these hashes are stored in postings and pick the
    # sample, so they are frozen; changing them changes which pairs a scan
    # finds and breaks incremental scans of existing stores.
    win = np.lib.stride_tricks.sliding_window_view(hashes, n)
    h = np.zeros(len(win), dtype=np.uint64)
    mult = np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        for k in range(n):
            h = (h ^ win[:, k]) * mult
        h ^= h >> np.uint64(29)
    h = (h >> np.uint64(1)).astype(np.int64)  # non-negative, fits BIGINT
    starts = np.cumsum(lengths) - lengths
    doc = np.repeat(np.arange(docs), lengths)[: len(h)]
    keep = np.arange(len(h)) - starts[doc] <= lengths[doc] - n  # the n-gram ends inside its document
    if params.sample > 1:
        s = params.sample
        keep &= (h & (s - 1) == 0) if s & (s - 1) == 0 else (h % s == 0)  # h >= 0: a power of two by its bits
    h, doc = h[keep], doc[keep]
    order = np.argsort(h)
    order = order[np.argsort(doc[order], kind="stable")]  # by document, then by hash
    h, doc = h[order], doc[order]
    first = np.ones(len(h), dtype=bool)
    first[1:] = (h[1:] != h[:-1]) | (doc[1:] != doc[:-1])
    h, doc = h[first], doc[first]
    bounds = np.searchsorted(doc, np.arange(docs + 1)).tolist()
    return [h[bounds[d] : bounds[d + 1]] for d in range(docs)]


def candidate_pairs_reference(
    doc_shingles: Mapping[str, Iterable[int]], params: CandidateParams = CandidateParams()
) -> dict[tuple[str, str], int]:
    """Slow twin of the candidate query: ``{(a, b): shared}`` with ``a < b``."""
    sets = {d: set(s) for d, s in doc_shingles.items()}
    df = Counter(x for s in sets.values() for x in s)
    out = {}
    for a, b in combinations(sorted(sets), 2):
        shared = sum(1 for x in sets[a] & sets[b] if df[x] <= params.max_df)
        if shared >= params.min_shared:
            out[(a, b)] = shared
    return out
