"""The alignment's fast paths against the general path (their slow twin):
near-duplicates (:func:`newstrace.align.colinear_chain`) and the quotations'
prefilter give the same passages, boundaries and edit scripts."""

from __future__ import annotations

import random
import string
from collections import Counter

import duckdb
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newstrace.align import (
    AlignParams,
    align_docs_many,
    cached_docs,
    chain_runs,
    colinear_chain,
    diagonal_runs,
    doc_seeds,
    seeds,
    two_in_a_row,
    two_in_a_row_reference,
)
from newstrace.cli import main
from tests.conftest import require_corpus

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])



def _vocab(rng: random.Random, n: int) -> list[str]:
    """``n`` made-up words of 2 to 9 letters (a large vocabulary: chance n-gram matches are rare)."""
    return ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9))) for _ in range(n)]


def _sentences(rng: random.Random, vocab: list[str], n: int, quote_share: float) -> list[list[str]]:
    """Sentences as word lists, some of them quoted (the first and last word carry the marks)."""
    out = []
    for _ in range(n):
        s = [rng.choice(vocab) for _ in range(rng.randint(4, 16))]
        s[0] = s[0].capitalize()
        s[-1] += rng.choice([".", ".", "?", ",", ";"])
        if rng.random() < quote_share:
            s[0], s[-1] = rng.choice(['"', "\u201c"]) + s[0], s[-1] + rng.choice(['"', "\u201d"])
        out.append(s)
    return out


def _edited(rng: random.Random, vocab: list, words: list, edits: int, moves: bool = True) -> list:
    """``words`` with a few replaced, deleted or inserted words, or (with
    ``moves``) a short stretch of them moved."""
    out = list(words)
    for _ in range(edits):
        if len(out) < 8:
            break
        k = rng.randrange(len(out))
        op = rng.choice(["replace", "delete", "insert", "insert"] + ["move"] * moves)
        if op == "replace":
            out[k] = rng.choice(vocab)
        elif op == "delete":
            del out[k]
        elif op == "insert":
            out.insert(k, rng.choice(vocab))
        else:
            n = rng.randint(2, 8)
            piece, out[k:k + n] = out[k:k + n], []
            at = rng.randrange(len(out) + 1)
            out[at:at] = piece
    return out


def _pair(seed: int, *, edits: int, quote_share: float, repeat: bool, vocab_size: int, moves: bool = True
          ) -> tuple[str, str]:
    """Two texts that are the same up to ``edits`` small edits; with
    ``repeat``, B also repeats one of its sentences somewhere, and a quoted
    sentence of A turns up unquoted in B (or the reverse)."""
    rng = random.Random(seed)
    vocab = _vocab(rng, vocab_size)
    sents = _sentences(rng, vocab, rng.randint(3, 14), quote_share)
    a = [w for s in sents for w in s]
    b = _edited(rng, vocab, a, edits, moves)
    if repeat and sents:
        s = rng.choice(sents)
        at = rng.randrange(len(b) + 1)
        b[at:at] = [w.strip('"\u201c\u201d') for w in s]
    return " ".join(a), " ".join(b)


def _both(a: str, b: str, params: AlignParams):
    da, db = cached_docs([(-1, a), (-2, b)], params.ngram)
    fast = align_docs_many([(da, db), (db, da)], params)
    slow = align_docs_many([(da, db), (db, da)], params, fast_paths=False)
    return fast, slow, (da, db)


_PARAMS = st.sampled_from([AlignParams(), AlignParams(ngram=3, min_words=6, quote_min_words=2),
                           AlignParams(ngram=4, min_words=8, max_gap=6, quote_min_words=8),
                           AlignParams(ngram=5, min_words=12, elision_min_words=2, max_seed_repeats=2)])


@FAST
@given(st.integers(0, 10**9), st.integers(0, 6), st.booleans(), _PARAMS)
def test_fast_paths_give_the_general_paths_passages(seed, edits, repeat, params):
    """Texts the same up to small edits (and, with ``repeat``, a repeated
    sentence that breaks colinearity): the passages, their offsets, words,
    similarity and edit scripts are the general path's, both ways round."""
    a, b = _pair(seed, edits=edits, quote_share=0.4, repeat=repeat, vocab_size=400)
    fast, slow, _ = _both(a, b, params)
    assert fast == slow


@FAST
@given(st.integers(0, 10**9), st.integers(0, 4))
def test_near_duplicates_take_the_fast_path(seed, edits):
    """A copy with a few word edits and no repeated passage takes the fast
    path: its runs make one colinear chain, and the passages are the
    general path's."""
    a, b = _pair(seed, edits=edits, quote_share=0.3, repeat=False, vocab_size=3000, moves=False)
    params = AlignParams()
    fast, slow, (da, db) = _both(a, b, params)
    runs = diagonal_runs(*doc_seeds(da, db, params.max_seed_repeats), params.ngram)
    assert not len(runs) or colinear_chain(runs, 2 * params.max_gap) is not None
    assert fast == slow
    assert not len(runs) or fast[0]  # a copy: a passage, or too few words for one



@settings(max_examples=400, deadline=None)
@given(st.sampled_from([1, 3, 40]), st.data())
def test_colinear_chain_is_what_chain_runs_makes(gap, data):
    """On runs that follow one another closely, far apart or overlapping
    (gaps about the limits), ``colinear_chain`` answers exactly when
    ``chain_runs`` makes one chain, and with that chain."""
    near = st.sampled_from([-gap - 1, -gap, -2, -1, 0, 1, 2, gap, gap + 1])
    steps = data.draw(st.lists(st.tuples(st.integers(1, 12) | st.integers(gap, gap + 8), near, near), max_size=8))
    rows, a, b = [], 50, 50
    for length, ga, gb in steps:
        a, b = a + ga, b + gb
        rows.append((a, a + length, b, b + length))
        a, b = a + length, b + length
    runs = np.array(rows, dtype=np.int64).reshape(-1, 4)
    runs = runs[np.lexsort((runs[:, 2], runs[:, 0]))]  # as diagonal_runs orders them
    one = colinear_chain(runs, gap)
    chains = chain_runs(runs, gap)
    assert (one is not None) == (len(chains) == 1)
    if one is not None:
        assert chains == [one]


@FAST
@given(st.lists(st.integers(0, 6), min_size=0, max_size=60), st.integers(0, 10**9), st.integers(0, 8),
       st.sampled_from([2, 3, 5]), st.sampled_from([1, 3, 40]))
def test_colinear_chain_on_runs_of_repetitive_texts(ia, seed, edits, n, gap):
    """The runs of real seeds over a small alphabet (repeats, crossings)."""
    ib = _edited(random.Random(seed), list(range(7)), ia, edits)
    runs = diagonal_runs(*seeds(np.array(ia, dtype=np.int64), np.array(ib, dtype=np.int64), n, 16), n)
    one = colinear_chain(runs, gap)
    chains = chain_runs(runs, gap)
    assert (one is not None) == (len(chains) == 1)
    if one is not None:
        assert chains == [one]


def test_quotation_prefilter_keeps_short_and_unkeyed_spans():
    """A quoted span shorter than an n-gram is always looked for; a longer
    one whose first n-gram the other text lacks is not there to find."""
    params = AlignParams(ngram=5, min_words=12, quote_min_words=2)
    a = 'The minister said "grave danger" was near and "the harbour will close on Monday" at dawn.'
    b = "Nobody spoke of grave danger at the meeting, and the harbour will close on Monday after all."
    fast, slow, _ = _both(a, b, params)
    assert fast == slow
    assert sorted(p.a_text for p in fast[0]) == ["grave danger", "the harbour will close on Monday"]


# --------------------------------------------------------------------------- the 2018 collection


@pytest.mark.slow
@pytest.mark.corpus
def test_every_near_duplicate_pair_of_the_2018_collection_aligns_the_same(tmp_path):
    """The real collection dense in syndication: every candidate pair that
    the fast path takes, and every near-duplicate pair (verbatim passages
    holding 80 % of the shorter document), gives the general path's passages."""
    from newstrace.evaluation.synth import unpack_corpus

    tar = require_corpus("news-event-clusters-2018") / "news-event-clusters-2018.tar.xz"
    if not tar.is_file():
        pytest.skip(f"archive missing: {tar}")
    root = unpack_corpus(tar)
    db = tmp_path / "s.duckdb"
    r = CliRunner().invoke(main, ["scan", str(root), "--db", str(db), "--progress", "never"])
    assert r.exit_code == 0, r.output
    con = duckdb.connect(str(db), read_only=True)
    texts = dict(con.execute("SELECT doc_key, text FROM documents").fetchall())
    words = dict(con.execute("SELECT doc_key, words FROM documents").fetchall())
    pairs = con.execute("SELECT a_key, b_key FROM aligned_pairs ORDER BY 1, 2").fetchall()
    matched: Counter[tuple[int, int]] = Counter()
    for a, b, w in con.execute("SELECT a_key, b_key, words FROM passages WHERE kind IN ('passage', 'boilerplate')"
                               ).fetchall():
        matched[(a, b)] += w
    con.close()
    params = AlignParams()
    keys = sorted(texts)
    docs = dict(zip(keys, cached_docs([(k, texts[k]) for k in keys], params.ngram)))
    near = [p for p in pairs if matched[p] >= 0.8 * min(words[p[0]], words[p[1]])]
    taken = [p for p in pairs if colinear_chain(diagonal_runs(*doc_seeds(docs[p[0]], docs[p[1]],
                                                                          params.max_seed_repeats), params.ngram),
                                                2 * params.max_gap) is not None]
    assert len(near) >= 300 and len(taken) >= 1000  # the collection's syndication, as measured on 17,521 pairs
    for sel in (near, taken):
        batch = [(docs[a], docs[b]) for a, b in sel]
        assert align_docs_many(batch, params) == align_docs_many(batch, params, fast_paths=False)


@FAST
@given(st.lists(st.tuples(st.lists(st.integers(0, 3), max_size=8), st.lists(st.integers(0, 3), max_size=8)),
                max_size=6))
def test_two_in_a_row_agrees_with_reference(wins):
    """The X-drop extension's prefilter, all windows at once, against one pair at a time."""
    wa = [np.array(a, dtype=np.int64) for a, _ in wins]
    wb = [np.array(b, dtype=np.int64) for _, b in wins]
    assert two_in_a_row(wa, wb).tolist() == [two_in_a_row_reference(a, b) for a, b in wins]
