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
from typing import Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from .columns import run_starts
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


class IdTable:
    """A memo of one value per word id (:func:`~newstrace.text.word_id`) in
    this process: the ids seen, sorted, with their values side by side, so
    that a batch's values are looked up with numpy and a value is made (by
    ``make``, from the word) only the first time its id is seen. When it
    would hold more than ``limit`` ids it starts afresh with the batch's."""

    def __init__(self, make: Callable[[str], int], dtype: type, limit: int = 2_000_000) -> None:
        self.make, self.dtype, self.limit = make, dtype, limit
        self.forget()

    def forget(self) -> None:
        self.ids = np.zeros(0, dtype=np.int64)
        self.values: np.ndarray = np.zeros(0, dtype=self.dtype)

    def lookup(self, words: BatchWords) -> np.ndarray:
        """The value of each of ``words.unique`` (in their order)."""
        uniq = words.unique
        known, values = self.ids, self.values
        at = np.searchsorted(known, uniq)
        if len(known):
            hit = known[np.minimum(at, len(known) - 1)] == uniq
        else:
            hit = np.zeros(len(uniq), dtype=bool)
        if hit.all():
            return values[at]
        miss = np.flatnonzero(~hit)
        made: np.ndarray = np.fromiter(map(self.make, words.cut(miss)), dtype=self.dtype, count=len(miss))
        out: np.ndarray = np.empty(len(uniq), dtype=self.dtype)
        out[hit] = values[at[hit]]
        out[miss] = made
        if len(known) + len(miss) > self.limit:  # start the table afresh, with this batch's words
            self.ids, self.values = uniq.copy(), out.copy()
        else:
            self.ids = np.insert(known, at[miss], uniq[miss])
            self.values = np.insert(values, at[miss], made)
        return out


@dataclass(frozen=True, slots=True)
class BatchWords:
    """The distinct words of a batch of tokenised documents, by word id.

    unique:  the batch's distinct word ids, sorted.
    inverse: for each token of the batch (the documents' tokens in turn), its id's place in ``unique``.
    first:   for each of ``unique``, the batch position of one of its tokens.
    lengths: each document's number of tokens.
    """

    toks: Sequence[Tokens]
    unique: np.ndarray
    inverse: np.ndarray
    first: np.ndarray
    lengths: np.ndarray

    def cut(self, which: np.ndarray) -> Iterator[str]:
        """The normalised words of ``unique[which]``, each cut out of one of its tokens."""
        ends = np.cumsum(self.lengths)
        tok_at = self.first[which]
        doc = np.searchsorted(ends, tok_at, side="right")
        local = tok_at - (ends - self.lengths)[doc]
        toks = self.toks
        for d, i in zip(doc.tolist(), local.tolist()):
            t = toks[d]
            yield t.normalized[int(t.norm_starts[i]) : int(t.norm_ends[i])]


def batch_words(toks: Sequence[Tokens]) -> BatchWords:
    """The :class:`BatchWords` of ``toks`` (one sort of the batch's word ids)."""
    lengths = np.fromiter(map(len, toks), dtype=np.int64, count=len(toks))
    ids = np.concatenate([t.ids for t in toks]) if len(toks) > 1 else toks[0].ids if toks else _NO_IDS
    if not len(ids):
        none = np.zeros(0, dtype=np.int64)
        return BatchWords(toks, none, none, none, lengths)
    order = np.argsort(ids)  # (a plain sort of the ids is faster, but gives no inverse)
    s = ids[order]
    new = run_starts(s)
    inverse = np.empty(len(ids), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return BatchWords(toks, s[new], inverse, order[new], lengths)


_NO_IDS = np.zeros(0, dtype=np.int64)

# the word ids seen in this process and their words' word_hash
_KNOWN = IdTable(_blake2b63, np.uint64)


def token_hashes(toks: Sequence[Tokens], words: BatchWords | None = None) -> np.ndarray:
    """:func:`word_hash` of every token of ``toks`` (in order, as uint64),
    looked up by the tokens' word ids (:func:`~newstrace.text.word_id`) in a
    sorted table of the ids this process has seen (:class:`IdTable`): a word
    is cut out as a string and hashed only the first time its id is seen,
    and no Python code runs per token. ``words``: the batch's
    :func:`batch_words`, if made already."""
    words = words or batch_words(toks)
    if not len(words.inverse):
        return np.zeros(0, dtype=np.uint64)
    return _KNOWN.lookup(words)[words.inverse]


def forget_word_hashes() -> None:
    """Empty this process's caches of word hashes (for timing a cold start)."""
    _WORD_HASH.clear()
    _KNOWN.forget()


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
    return prepare_tokens(tokenize_many(texts), params)


def prepare_tokens(toks: Sequence[Tokens], params: CandidateParams = CandidateParams(),
                   words: BatchWords | None = None) -> list[tuple[int, np.ndarray]]:
    """:func:`prepare_many` of documents tokenised already (``words``: their
    :func:`batch_words`, if made already)."""
    if not toks:
        return []
    words = words or batch_words(toks)
    return list(zip(words.lengths.tolist(), shingles_many(token_hashes(toks, words), words.lengths, params)))


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
