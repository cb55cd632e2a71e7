"""The vectorised tokeniser and shingler against their slow twins, on any text.

``text.tokenize_many`` (numpy over a whole batch) must give exactly the
tokens, offsets, word ids and sentence starts of ``text.tokenize_slow``
(the WORD pattern match by match, ``word_id`` word by word), and ``candidates.prepare_many`` exactly the
shingles of hashing every word with ``candidates.word_hash``, on every
script, combining marks, NUL, lone surrogates, CJK, Urdu and Arabic,
markup leftovers and abbreviations.
"""

from __future__ import annotations

import random

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newstrace.align import (
    AlignParams,
    align,
    align_chain,
    align_pairs,
    chain_may_reach,
    chain_runs,
    diagonal_runs,
    extend_ends,
    extend_reference,
    find_sequence,
    find_sequence_reference,
    seeds,
    split_at_elisions,
    word_ids,
)
from newstrace.boilerplate import mark_furniture
from newstrace.candidates import (
    CandidateParams,
    IdTable,
    batch_words,
    prepare_many,
    shingles_of_hashes,
    word_hash,
    word_hashes,
)
from newstrace.candidates_rewritten import RewrittenCandidateParams, term_sketch
from newstrace.engines.local import prepare_batch
from newstrace.text import char_classes, normalize, normalize_slow, tokenize, tokenize_many, tokenize_slow, word_id

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that exercise every rule of the tokeniser: apostrophes inside and
# around words, sentence marks of several scripts, abbreviations and initials,
# line breaks, combining marks, joiners, compatibility forms, CJK, Urdu,
# Arabic, Devanagari, NUL, a lone surrogate, markup leftovers.
PIECES = [
    "the", "Iran's", "don't", "'quoted'", "''", "a''b", "x'", "'y", "Col", "Dr", "J", "U.S.", "etc", ".", "!", "?",
    "\n", "\n\n", " ", "  ", ", ", "\u2019", "\u201cHe said\u201d", "\u2014", "\u2026", "e\u0301", "\u0301",
    "\u00bc", "\ufb01ne", "\u1e9e", "Stra\u00dfe", "\u0130stanbul", "\u200c", "\u200d", "\u00a0", "\u3000",
    "\u6771\u4eac", "\u3072\u3089\u304c\u306a", "\u30ab\u30bf\u30ab\u30ca", "\u3002", "\uff01",
    "\u067e\u0627\u06a9\u0633\u062a\u0627\u0646", "\u06d4", "\u061f", "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",
    "\u0939\u093f\u0928\u094d\u0926\u0940", "\x00", "\ud800", "\udfff", "<b>", "</p>", "&amp;", "&#8217;",
    "[link](#)", "](x)", "`", "42", "\u0661\u0662", "\U0001d400", "\U00020000", "\u00c5ngstr\u00f6m",
]

ANY_CHAR = st.characters(exclude_categories=())  # every code point, lone surrogates included
TEXT = st.one_of(
    st.text(alphabet=ANY_CHAR, max_size=120),
    st.lists(st.sampled_from(PIECES), max_size=40).map(" ".join),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(alphabet=ANY_CHAR, max_size=4)), max_size=30).map("".join),
)


def _same(fast, slow) -> None:
    assert fast.text == slow.text
    assert fast.words == slow.words
    assert fast.ids.tolist() == slow.ids.tolist() == [word_id(w) for w in slow.words]
    assert fast.starts.tolist() == slow.starts.tolist()
    assert fast.ends.tolist() == slow.ends.tolist()
    assert fast.sentence_start.tolist() == slow.sentence_start.tolist()


@FAST
@given(TEXT)
def test_tokenize_agrees_with_slow_twin(s):
    _same(tokenize(s), tokenize_slow(s))


@FAST
@given(st.lists(TEXT, max_size=6))
def test_batch_agrees_with_one_text_at_a_time(texts):
    """Joining texts into one batch changes nothing: no token, sentence
    start or offset crosses from one text into the next."""
    batch = tokenize_many(texts)
    assert len(batch) == len(texts)
    for fast, s in zip(batch, texts):
        _same(fast, tokenize_slow(s))


@FAST
@given(TEXT)
def test_normalize_agrees_with_slow_twin_on_any_code_point(s):
    fast, slow = normalize(s), normalize_slow(s)
    assert fast.text == slow.text
    for k in range(len(fast.text)):
        assert fast.to_original(k, k + 1) == slow.to_original(k, k + 1)


def _shingles_reference(hashes: list[int], params: CandidateParams) -> list[int]:
    """The sampled shingles of one document, n-gram by n-gram in Python integers."""
    out = set()
    mask = (1 << 64) - 1
    for at in range(len(hashes) - params.ngram + 1):
        h = 0
        for x in hashes[at : at + params.ngram]:
            h = ((h ^ x) * 0x9E3779B97F4A7C15) & mask
        h = (h ^ (h >> 29)) >> 1
        if h % params.sample == 0:
            out.add(h)
    return sorted(out)


@FAST
@given(st.lists(TEXT, max_size=5), st.sampled_from([1, 2, 4]), st.sampled_from([2, 5]))
def test_prepare_many_agrees_with_word_by_word_hashing(texts, sample, n):
    """The batch's n-grams hashed at once (none crossing from one text into
    the next) are each text's shingles, word by word and n-gram by n-gram."""
    params = CandidateParams(ngram=n, sample=sample)
    got = prepare_many(texts, params)
    for (words, sh), s in zip(got, texts):
        t = tokenize_slow(s)
        hashes = [word_hash(w) for w in t.words]
        assert words == len(t)
        assert sh.tolist() == _shingles_reference(hashes, params)
        assert sh.tolist() == shingles_of_hashes(np.array(hashes, dtype=np.uint64), params).tolist()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES + ["x" * 31, "y" * 33, "\u00e9" * 40, "\u0939" * 9, "a" * 8, "b" * 16]),
                min_size=1, max_size=8), st.integers(0, 40), st.sampled_from(["a", "\u00e9", "\u0939"]))
def test_long_texts_agree_across_the_hash_segments(pieces, shift, filler):
    """Words long and short, narrow and wide, placed across the boundaries
    of the word-id power tables (every 2**18 characters of a batch)."""
    word = " ".join(pieces)
    text = filler + " " * ((1 << 18) - 40 + shift) + word  # the filler makes the batch narrow or wide
    _same(tokenize(text), tokenize_slow(text))


def test_word_ids_do_not_depend_on_the_batch():
    """A word gets one id whether its batch is all Latin-1 (hashed as bytes)
    or holds wider characters (hashed as code points), and the ids tell
    words apart."""
    words = ["caf\u00e9", "cafe", "the", "Iran's", "a" * 8, "a" * 9, "x" * 40]
    alone = tokenize(" ".join(words))
    beside_wide = tokenize(" ".join(words) + " \u6771 \u0939\u093f")
    assert alone.ids.tolist() == beside_wide.ids.tolist()[: len(words)] == [word_id(w) for w in alone.words]
    assert len(set(alone.ids.tolist())) == len(words)
    assert word_id("ab") != word_id("ba") and word_id("a") != word_id("a\x00")


def test_token_hashes_survive_a_full_table(monkeypatch):
    """When the table of seen word ids is full it starts afresh, and every
    token still gets its word's hash."""
    import newstrace.candidates as cand

    monkeypatch.setattr(cand._KNOWN, "limit", 5)
    cand.forget_word_hashes()
    for text in ("one two three", "two three four five six", "seven one eight nine ten two"):
        t = tokenize_slow(text)
        assert cand.token_hashes([tokenize(text)]).tolist() == [word_hash(w) for w in t.words]
    cand.forget_word_hashes()


@FAST
@given(st.lists(st.lists(TEXT, max_size=4), min_size=1, max_size=3), st.sampled_from([1, 3, 5]),
       st.sampled_from([1, 2, 4]))
def test_ingest_batches_agree_with_shingles_and_sketches_one_by_one(batches, stem, sample):
    """The ingest's batch (one tokenisation, the batch's distinct words shared
    by shingles and term sketch, memoised across batches) against the
    shingler (word by word) and the term sketch of each text alone."""
    params, rewritten = CandidateParams(sample=sample), RewrittenCandidateParams(stem=stem)
    for texts in batches:
        got = prepare_batch(texts, params, rewritten)
        assert [(n, sh.tolist()) for n, sh, _ in got] == [(n, sh.tolist()) for n, sh in prepare_many(texts, params)]
        for (n, sh, terms), text in zip(got, texts):
            t = tokenize_slow(text)
            assert n == len(t) and sh.tolist() == _shingles_reference([word_hash(w) for w in t.words], params)
            want = term_sketch(tokenize(text), rewritten)
            assert terms is not None and terms.dtype == want.dtype and terms.tolist() == want.tolist()
        assert all(t is None for _, _, t in prepare_batch(texts, params, None))


@FAST
@given(st.lists(st.lists(TEXT, max_size=4), min_size=1, max_size=4), st.integers(1, 6))
def test_id_table_gives_each_word_its_value_when_full(batches, limit):
    """A memo of one value per word id that starts afresh when full: every
    distinct word of every batch gets its own value, made from its word."""
    table = IdTable(word_hash, np.uint64, limit=limit)
    biggest = 0
    for texts in batches:
        words = batch_words(tokenize_many(texts))
        cut = {w for text in texts for w in tokenize_slow(text).words}
        assert len(words.unique) == len(cut)
        got = table.lookup(words)
        by_id = {word_id(w): word_hash(w) for w in cut}
        assert got.tolist() == [by_id[i] for i in words.unique.tolist()]
        biggest = max(biggest, len(words.unique))
        assert len(table.ids) <= max(limit, biggest)  # over the limit only by one batch's words


def test_word_hashes_are_word_hash():
    words = ["the", "Iran's", "\u6771", "the", "\u0939\u093f", ""]
    assert word_hashes(words).tolist() == [word_hash(w) for w in words]


def test_character_table_is_the_word_pattern():
    """Spot checks of the table against the WORD pattern itself: letters,
    marks and digits of any script are word characters, CJK characters are
    tokens of their own, punctuation, spaces, NUL and surrogates are neither."""
    table = char_classes()
    assert table.shape == (0x110000,)
    for c in "aZ\u00e9\u0301\u0664\u06a9\u0939\u094d\u200c\u200d7":
        assert table[ord(c)] & 1 and not table[ord(c)] & 2, repr(c)
    for c in "\u6771\u3072\u30ab":
        assert table[ord(c)] & 2 and not table[ord(c)] & 1, repr(c)
    for c in " .,'\"\x00\ud800-\u3000":
        assert not table[ord(c)] & 3, repr(c)
    assert [w for w in tokenize("\u6771\u4eac is big").words] == ["\u6771", "\u4eac", "is", "big"]


# --------------------------------------------------------------------------
# the alignment stage's per-document work, once per document


@FAST
@given(st.lists(st.integers(0, 3), max_size=30), st.lists(st.integers(0, 3), max_size=4))
def test_find_sequence_agrees_with_reference(hay, needle):
    h = np.array(hay, dtype=np.int64)
    n = np.array(needle, dtype=np.int64)
    assert find_sequence(h.tobytes(), n.tobytes()) == find_sequence_reference(hay, needle)


def _texts(seed: int, shared: int) -> tuple[str, str]:
    """Two texts over a small vocabulary (many chance n-grams) sharing a
    stretch of ``shared`` words with a few edits."""
    rng = random.Random(seed)
    vocab = ["the", "of", "minister", "said", "on", "a", "new", "plan", "to", "cut", "tax", "and", "in", "city", "."]
    a = [rng.choice(vocab) for _ in range(rng.randint(20, 120))]
    b = [rng.choice(vocab) for _ in range(rng.randint(20, 120))]
    copy = a[: min(shared, len(a))]
    for _ in range(rng.randint(0, 3)):
        if copy:
            copy[rng.randrange(len(copy))] = rng.choice(vocab)
    at = rng.randint(0, len(b))
    b[at:at] = copy
    return " ".join(a), " ".join(b)


@FAST
@given(st.integers(0, 10**9), st.sampled_from([0, 8, 14, 40]), st.sampled_from([5, 12, 20]))
def test_chains_skipped_before_alignment_would_give_no_passage(seed, shared, min_words):
    """chain_may_reach is an upper bound: a chain it rejects aligns to no
    piece that split_at_elisions would keep."""
    a, b = _texts(seed, shared)
    params = AlignParams(min_words=min_words)
    ta, tb = tokenize(a), tokenize(b)
    ia, ib = word_ids(ta, tb)
    si, sj = seeds(ia, ib, params.ngram, params.max_seed_repeats)
    bounds = (0, len(ia), 0, len(ib))
    for chain in chain_runs(diagonal_runs(si, sj, params.ngram), 2 * params.max_gap):
        if not chain_may_reach(ia, ib, chain, params.max_gap, bounds, params.min_words):
            al = align_chain(ia, ib, chain, params.max_gap, bounds)
            assert al.matches < min_words
            assert split_at_elisions(al, ta, tb, params) == []


@FAST
@given(st.lists(st.tuples(st.integers(0, 10**9), st.sampled_from([8, 14, 40])), min_size=1, max_size=4))
def test_cached_documents_align_as_a_fresh_pair(cases):
    """align_pairs (documents tokenised and keyed once, process-wide word
    ids, cached; the chain ends of the whole batch extended together) gives
    exactly the passages of aligning each pair afresh."""
    texts: dict[int, str] = {}
    pairs = []
    for k, (seed, shared) in enumerate(cases):
        texts[2 * k], texts[2 * k + 1] = _texts(seed, shared)
        pairs += [(2 * k, 2 * k + 1), (2 * k + 1, 2 * k)]
    got = align_pairs(pairs, texts, AlignParams())
    assert [(a, b) for a, b, _ in got] == pairs
    assert [ps for _, _, ps in got] == [mark_furniture(align(texts[a], texts[b])) for a, b in pairs]


@FAST
@given(st.lists(st.integers(0, 3), min_size=1, max_size=60), st.lists(st.integers(0, 3), min_size=1, max_size=60),
       st.lists(st.tuples(st.integers(0, 59), st.integers(0, 59), st.integers(1, 8)), min_size=1, max_size=6),
       st.sampled_from([3, 8, 20]))
def test_extensions_at_once_agree_with_one_at_a_time(a, b, runs, window):
    """extend_ends (every chain end in one numpy dynamic programme) reaches
    exactly where extend_reference (one end, cell by cell) does."""
    ia, ib = np.array(a, dtype=np.int64), np.array(b, dtype=np.int64)
    bounds = (0, len(a), 0, len(b))
    chains = [[(i, min(len(a), i + k), j, min(len(b), j + k))] for i, j, k in runs if i < len(a) and j < len(b)]
    got = extend_ends(ia, ib, chains, window, bounds)
    for chain, (left, right) in zip(chains, got):
        (a0, _, b0, _), (_, a1, _, b1) = chain[0], chain[-1]
        assert left == extend_reference(ia, ib, a0, b0, -1, window, *bounds)
        assert right == extend_reference(ia, ib, a1, b1, +1, window, *bounds)


def test_cached_docs_full_cache_keeps_every_document_of_the_batch(monkeypatch):
    """A batch naming documents already cached and new ones, when the new
    ones overflow the cache: the cache is cleared and every document of the
    batch is made again (the Reuters scan died with a KeyError when the
    cleared cache lost the batch's cached documents)."""
    from newstrace import align

    monkeypatch.setattr(align, "CACHED_DOCS", 4)
    monkeypatch.setattr(align, "_DOCS", {})
    texts = {k: f"document number {k} says words {k} and more words of its own" for k in range(6)}
    first = align.cached_docs([(k, texts[k]) for k in (0, 1, 2)], 5)
    batch = align.cached_docs([(k, texts[k]) for k in (1, 2, 3, 4)], 5)  # 3 + 2 new > 4: cleared
    assert [d.tokens.text for d in batch] == [texts[k] for k in (1, 2, 3, 4)]
    assert [d.tokens.text for d in first] == [texts[k] for k in (0, 1, 2)]
    assert len(align._DOCS) == 4
