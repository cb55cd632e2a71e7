"""The scan's rewritten stage: candidate pairs that share rare terms, and
the alignment of a batch of pairs with rewritten passages beside verbatim.

The verbatim candidates (:mod:`newstrace.candidates`) are documents sharing
hashed five-word shingles; a newsroom that rewords every clause leaves none.
A rewrite keeps its source's names, numbers and rare words, so here:

- :func:`term_sketch`: a document's distinct *terms* (the words cut to the
  prefix stem of :class:`~newstrace.rewritten.RewriteParams`, numbers
  whole, as the rewritten aligner compares them), hashed to int64;
- the store keeps them (``terms (term, doc_key)``) and
  ``Store.rewritten_pairs`` drops the terms in more than ``max_df``
  documents (function words, stock words: what is left is names, numbers
  and rarer words), keeps each document's ``sketch`` terms of smallest hash
  among the rest (a bottom-k MinHash sketch of its rare terms) and pairs
  the documents whose sketches share at least ``min_shared`` terms, in one
  SQL join (:func:`rewritten_pairs_sql`, which the Spark engine runs too). A sketch depends on the collection only through ``max_df``, as
  the verbatim postings do, so an incremental scan finds the pairs a fresh
  scan of the same documents finds (a ranking of each document's terms by
  their document frequency, tried first, found a fifth as many candidates
  for the same derived pairs of COUNTER, but changed every old document's
  ranking with each new one);
- :func:`align_pairs_rewritten`: a batch of pairs aligned as
  :func:`newstrace.align.align_pairs` does, and for the pairs asked, the
  rewritten passages (:func:`newstrace.rewritten.align_rewritten`) the
  verbatim ones do not already cover (:func:`~newstrace.rewritten.beside_verbatim`),
  as ``compare`` reports them, less those whose every sentence pair lies
  inside the verbatim passages or site furniture (:func:`says_more`: pages
  of two outlets that share a blurb, a script line and a share prompt
  around unrelated stories share no rewritten text).

:func:`rewritten_pairs_slow` is the obviously-correct twin of the SQL
candidate query (dictionaries over the sketches), compared by property tests.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .align import AlignParams, align_pairs, cached_tokens
from .candidates import BatchWords, IdTable, batch_words
from .columns import run_starts
from .records import Passage, Span
from .rewritten import RewriteParams, align_rewritten, beside_verbatim, stem_term
from .text import Tokens, tokenize_many

__all__ = ["RewrittenCandidateParams", "term_sketch", "term_sketch_many", "term_sketches", "term_hash",
           "rewritten_pairs_sql", "rewritten_pairs_slow", "align_pairs_rewritten", "says_more"]


@dataclass(frozen=True, slots=True)
class RewrittenCandidateParams:
    """How the scan finds pairs for the rewritten aligner.

    stem:        characters kept of each word (the rewritten aligner's prefix stem).
    sketch:      terms of smallest hash kept of each document (after max_df).
    min_shared:  a pair shares at least this many terms of both documents' sketches.
    max_df:      a term in more documents is too common to count.
    """

    stem: int = RewriteParams().stem
    sketch: int = 100
    min_shared: int = 12
    max_df: int = 50

    def __post_init__(self) -> None:
        if self.stem < 1 or self.sketch < 1 or self.min_shared < 1 or self.max_df < 1:
            raise ValueError(f"bad {self!r}: stem, sketch, min_shared and max_df must be >= 1")


def term_hash(term: str) -> int:
    """A term's 64-bit signed hash (stable across processes and runs)."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                          "little", signed=True)


def term_sketch(tokens: Tokens, params: RewrittenCandidateParams | None = None) -> np.ndarray:
    """The sorted distinct hashed terms of one document."""
    k = (params or RewrittenCandidateParams()).stem
    terms = {stem_term(w, k) for w in tokens.words}
    return np.unique(np.fromiter((term_hash(t) for t in terms), dtype=np.int64, count=len(terms)))


# word id -> term hash of the words this process has seen, per stem length
_TERMS: dict[int, IdTable] = {}


def _term_table(stem: int) -> IdTable:
    table = _TERMS.get(stem)
    if table is None:
        table = _TERMS[stem] = IdTable(lambda w: term_hash(stem_term(w, stem)), np.int64)
    return table


def term_sketches(toks: Sequence[Tokens], params: RewrittenCandidateParams, words: BatchWords | None = None
                  ) -> list[np.ndarray]:
    """:func:`term_sketch` of each of a batch of tokenised documents, with
    numpy over the whole batch: each distinct word is cut to its term and
    hashed once per process (looked up by its word id in an
    :class:`~newstrace.candidates.IdTable`), and no Python code runs per
    token or per term. ``words``: the batch's
    :func:`~newstrace.candidates.batch_words`, if made already (the scan's
    ingest shares it with the shingles)."""
    words = words or batch_words(toks)
    n, u = len(toks), len(words.unique)
    if not u:
        return [np.zeros(0, dtype=np.int64) for _ in range(n)]
    hashes = _term_table(params.stem).lookup(words)
    # the batch's distinct terms (words of one stem share theirs), sorted, and each word's place among them
    order = np.argsort(hashes)
    new = run_starts(hashes[order])
    terms = hashes[order][new]
    rank = np.empty(u, dtype=np.int64)
    rank[order] = np.cumsum(new) - 1
    # each document's distinct terms: doc * len(terms) + rank, sorted (by document, then by term)
    t = len(terms)
    key = np.sort(np.repeat(np.arange(n, dtype=np.int64) * t, words.lengths) + rank[words.inverse])
    key = key[run_starts(key)]
    doc, term = key // t, terms[key % t]
    bounds = np.searchsorted(doc, np.arange(n + 1)).tolist()
    return [term[bounds[d] : bounds[d + 1]] for d in range(n)]


def term_sketch_many(items: Sequence[tuple[int, str]], params: RewrittenCandidateParams
                     ) -> list[tuple[int, np.ndarray]]:
    """:func:`term_sketch` of a batch of ``(doc_key, text)`` (a worker's
    job, for stored documents that have none), tokenised together
    (:func:`term_sketches`)."""
    sketches = term_sketches(tokenize_many([text for _, text in items]), params)
    return [(key, sk) for (key, _), sk in zip(items, sketches)]


def rewritten_pairs_sql(terms: str, params: RewrittenCandidateParams, fresh: str | None = None) -> str:
    """The pair rule of the rewritten stage as one SQL query, which DuckDB
    and Spark SQL read alike (``Store.rewritten_pairs`` and the Spark
    engine run it): over the table or view named ``terms``, with columns
    ``term`` (a document's distinct hashed terms, 0 for a document of no
    term) and ``doc_key``, the pairs ``a_key < b_key`` that share at least
    ``min_shared`` terms of both documents' sketches (the ``sketch`` terms
    of smallest hash among those in at most ``max_df`` documents).
    ``fresh``, a condition on the pair's keys ``x.doc_key`` and
    ``y.doc_key``, keeps only the pairs that meet it (the store's: one
    document not scanned yet)."""
    where = f"WHERE {fresh}" if fresh else ""
    return f"""
        WITH common AS (SELECT term FROM {terms} GROUP BY term HAVING count(*) > {int(params.max_df)}),
        ranked AS (SELECT term, doc_key, row_number() OVER (PARTITION BY doc_key ORDER BY term) AS r
                   FROM {terms} ANTI JOIN common USING (term) WHERE term <> 0),
        kept AS (SELECT term, doc_key FROM ranked WHERE r <= {int(params.sketch)})
        SELECT x.doc_key AS a_key, y.doc_key AS b_key FROM kept x JOIN kept y
        ON x.term = y.term AND x.doc_key < y.doc_key {where}
        GROUP BY x.doc_key, y.doc_key HAVING count(*) >= {int(params.min_shared)}"""


def rewritten_pairs_slow(sketches: Mapping[int, np.ndarray], fresh: Iterable[int],
                         params: RewrittenCandidateParams) -> set[tuple[int, int]]:
    """Twin of ``Store.rewritten_pairs`` over in-memory term sets (no
    same-series rule, no pairs aligned before): the pairs ``(a, b)``,
    ``a < b``, with at least one document in ``fresh``, sharing at least
    ``min_shared`` terms that are in both documents' sketches."""
    df = Counter(int(t) for s in sketches.values() for t in set(s.tolist()))
    kept = {key: set(sorted(t for t in set(map(int, s.tolist())) if t != 0 and df[t] <= params.max_df)
                         [:params.sketch]) for key, s in sketches.items()}  # 0: a document of no term
    fresh = set(fresh)
    keys = sorted(sketches)
    return {(a, b) for i, a in enumerate(keys) for b in keys[i + 1:]
            if (a in fresh or b in fresh) and len(kept[a] & kept[b]) >= params.min_shared}


def align_pairs_rewritten(pairs: list[tuple[int, int]], texts: dict[int, str], params: AlignParams,
                          rewrite: Sequence[tuple[int, int]], rewrite_params: RewriteParams | None = None
                          ) -> list[tuple[int, int, list[Passage]]]:
    """:func:`newstrace.align.align_pairs` on ``pairs``; for those also in
    ``rewrite``, the rewritten passages beside the verbatim ones after them
    (the rewritten aligner's spans begin and end on sentence units)."""
    want = set(rewrite)
    out = []
    for a, b, ps in align_pairs(pairs, texts, params):
        if (a, b) in want:
            ta, tb = cached_tokens(a, texts[a])[0], cached_tokens(b, texts[b])[0]
            found = align_rewritten(texts[a], texts[b], rewrite_params, tokens=(ta, tb))
            ps = ps + [p for p in beside_verbatim(found, ps) if says_more(p, ps)]
        out.append((a, b, ps))
    return out


def _covered(span: Span, spans: Sequence[Span]) -> int:
    marks = sorted((max(s.start, span.start), min(s.end, span.end)) for s in spans if s.overlaps(span))
    total, end = 0, span.start
    for x, y in marks:
        x = max(x, end)
        if y > x:
            total += y - x
            end = y
    return total


def says_more(p: Passage, verbatim: Sequence[Passage]) -> bool:
    """Does rewritten passage ``p`` pair a sentence the pair's verbatim
    passages (site furniture and quotations included) do not already hold?
    A sentence pair lies inside them when half of either of its sentences
    does; a rewritten passage made only of such pairs is the verbatim
    passages and the furniture between them, seen again."""
    sa, sb = [v.a for v in verbatim], [v.b for v in verbatim]
    return any(2 * _covered(x.a, sa) < len(x.a) and 2 * _covered(x.b, sb) < len(x.b) for x in p.sentences)
