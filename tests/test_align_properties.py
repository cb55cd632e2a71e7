"""Property tests: the fast paths against their slow, obviously correct twins,
and planted passages found with offsets that round-trip."""

import random

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newstrace.align import (
    AlignParams,
    align,
    align_reference,
    seeds,
    seeds_reference,
)
from newstrace.text import normalize, normalize_slow, tokenize

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# random "words" from a large synthetic vocabulary, so chance matches are rare
_SYL = ["ka", "lo", "mi", "re", "su", "to", "ban", "vel", "dor", "quin", "ra", "phe", "zu", "gri"]


def _vocab(rng: random.Random, n: int = 3000) -> list[str]:
    return ["".join(rng.choice(_SYL) for _ in range(rng.randint(1, 4))) for _ in range(n)]


def _sentences(rng: random.Random, vocab: list[str], words: int) -> str:
    out, k = [], 0
    while k < words:
        n = min(rng.randint(6, 18), words - k)
        s = [rng.choice(vocab) for _ in range(n)]
        s[0] = s[0].capitalize()
        out.append(" ".join(s) + rng.choice([".", ".", ".", "?", "!"]))
        k += n
    return " ".join(out)


def _edit(rng: random.Random, vocab: list[str], words: list[str], rate: float) -> list[str]:
    """Random word edits, none in the first or last three words."""
    out = list(words[:3])
    for w in words[3:-3]:
        r = rng.random()
        if r < rate / 3:
            continue  # delete
        if r < 2 * rate / 3:
            out.append(rng.choice(vocab))  # replace
            continue
        out.append(w)
        if r < rate:
            out.append(rng.choice(vocab))  # insert
    return out + list(words[-3:])


# --------------------------------------------------------------------------
# normalisation


@FAST
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_normalize_fast_agrees_with_slow(s):
    fast, slow = normalize(s), normalize_slow(s)
    assert fast.text == slow.text
    for k in range(len(fast.text) + 1):
        for j in range(k, min(len(fast.text), k + 3) + 1):
            assert fast.to_original(k, j) == slow.to_original(k, j)


@FAST
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=120))
def test_token_offsets_round_trip(s):
    t = tokenize(s)
    for w, a, b in zip(t.words, t.starts, t.ends):
        original = s[a:b]
        assert 0 <= a < b <= len(s)
        # the original characters normalise to the token (one character may
        # give several tokens: NFKC makes "\u00bc" into "1\u20444")
        assert w in normalize_slow(original).text


def test_normalisation_ignores_quotes_dashes_case_markup():
    a = tokenize("\u201cIt\u2019s   SAFE\u201d \u2014 said [Dr. Who](#) &amp; <b>co</b>.")
    b = tokenize('"it\'s safe" - said Dr. Who co.')
    assert a.words == b.words


def test_any_script():
    urdu = "\u067e\u0627\u06a9\u0633\u062a\u0627\u0646 \u06a9\u06d2 \u0648\u0632\u06cc\u0631\u0650 \u0627\u0639\u0638\u0645 \u0646\u06d2 \u06a9\u06c1\u0627\u06d4"
    t = tokenize(urdu)
    assert len(t) == 6
    assert all(urdu[a:b] for a, b in zip(t.starts, t.ends))
    assert tokenize("\u65e5\u672c\u8a9e").words == ["\u65e5", "\u672c", "\u8a9e"]
    assert tokenize("\u0395\u03bb\u03bb\u03ac\u03b4\u03b1 \u041c\u043e\u0441\u043a\u0432\u0430").words == [
        "\u03b5\u03bb\u03bb\u03ac\u03b4\u03b1", "\u043c\u043e\u0441\u043a\u0432\u0430"]


# --------------------------------------------------------------------------
# seeds


@FAST
@given(
    st.lists(st.integers(0, 4), max_size=40),
    st.lists(st.integers(0, 4), max_size=40),
    st.integers(1, 4),
    st.integers(1, 6),
)
def test_seeds_agree_with_reference(a, b, n, rep):
    i, j = seeds(np.array(a, dtype=np.int64), np.array(b, dtype=np.int64), n, rep)
    assert set(zip(i.tolist(), j.tolist())) == seeds_reference(a, b, n, rep)


# --------------------------------------------------------------------------
# planted passages


def _plant(seed: int, rate: float, plen: int):
    """Copy whole consecutive sentences (about ``plen`` words) of a random
    source into a random target, with word edits at ``rate``."""
    rng = random.Random(seed)
    vocab = _vocab(rng)
    sents = [_sentences(rng, vocab, rng.randint(6, 18)) for _ in range(16)]
    k0 = rng.randint(0, 6)
    k1 = k0 + 1
    while sum(len(x.split()) for x in sents[k0:k1]) < plen and k1 < len(sents):
        k1 += 1
    copied = " ".join(sents[k0:k1]).split(" ")
    pre = _sentences(rng, vocab, rng.randint(5, 60))
    post = _sentences(rng, vocab, rng.randint(5, 60))
    body = " ".join(_edit(rng, vocab, copied, rate))
    a = " ".join(sents)
    b = pre + " " + body + " " + post
    a_start = len(" ".join(sents[:k0])) + (1 if k0 else 0)
    a_span = (a_start, a_start + len(" ".join(copied)))
    b_span = (len(pre) + 1, len(pre) + 1 + len(body))
    assert a[a_span[0] : a_span[1]] == " ".join(copied)
    return a, b, a_span, b_span


@FAST
@given(st.integers(0, 10**9), st.sampled_from([0.0, 0.04, 0.12]), st.integers(30, 80))
def test_planted_passage_found_and_offsets_round_trip(seed, rate, plen):
    a, b, (a0, a1), (b0, b1) = _plant(seed, rate, plen)
    ps = [p for p in align(a, b) if p.kind == "passage"]
    assert ps, "planted passage not found"
    for p in ps:
        assert a[p.a.start : p.a.end] == p.a_text
        assert b[p.b.start : p.b.end] == p.b_text
    # found passages lie inside the planted spans (trailing punctuation aside)
    for p in ps:
        assert p.a.start >= a0 and p.a.end <= a1 + 1
        assert p.b.start >= b0 and p.b.end <= b1 + 1
    covered = sum(min(p.b.end, b1) - max(p.b.start, b0) for p in ps)
    assert covered >= 0.8 * (b1 - b0)
    if rate == 0.0:
        assert len(ps) == 1 and ps[0].edits == ()


@FAST
@given(st.integers(0, 10**9), st.sampled_from([0.0, 0.05, 0.12]))
def test_edits_transform_a_into_b(seed, rate):
    """Applying a passage's edit script to A's words gives B's words."""
    a, b, _, _ = _plant(seed, rate, 60)
    for p in align(a, b):
        words_a = tokenize(a)
        pieces: list[str] = []
        pos = p.a.start
        for e in p.edits:
            pieces.append(a[pos : e.a.start])
            pieces.append(" " + e.b_text + " ")
            pos = e.a.end
        pieces.append(a[pos : p.a.end])
        assert tokenize("".join(pieces)).words == tokenize(p.b_text).words
        assert words_a  # the texts were tokenised


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**9), st.sampled_from([0.0, 0.05, 0.1]))
def test_fast_agrees_with_reference_alignment(seed, rate):
    """The seed-and-extend path and full local alignment (Smith-Waterman)
    find the same passage on small inputs without elisions."""
    a, b, _, _ = _plant(seed, rate, 40)
    params = AlignParams()
    fast = [p for p in align(a, b, params) if p.kind == "passage"]
    slow = align_reference(a, b, params)
    assert len(slow) >= 1 and len(fast) >= 1
    fa = sum(p.a.end - p.a.start for p in fast)
    sa = sum(s[0].end - s[0].start for s in slow)
    overlap = sum(
        max(0, min(p.a.end, s[0].end) - max(p.a.start, s[0].start)) for p in fast for s in slow
    )
    assert overlap >= 0.9 * max(fa, sa)


def test_elided_paragraph_gives_two_passages():
    rng = random.Random(7)
    vocab = _vocab(rng)
    p1, gap, p2 = (_sentences(rng, vocab, n) for n in (40, 40, 40))
    a = f"{p1}\n\n{gap}\n\n{p2}"
    b = _sentences(rng, vocab, 30) + f"\n\n{p1}\n\n{p2}\n\n" + _sentences(rng, vocab, 30)
    ps = align(a, b)
    assert [p.a_text for p in ps] == [p1, p2]


def test_skipped_sentence_inside_gap_tolerance_splits():
    rng = random.Random(8)
    vocab = _vocab(rng)
    s = [_sentences(rng, vocab, 25) for _ in range(3)]
    short = "Ka lo mi re su to."  # a 6-word sentence, inside the gap tolerance
    a = f"{s[0]} {short} {s[1]}"
    b = f"Intro words here. {s[0]} {s[1]} Outro words here."
    ps = align(a, b)
    assert [p.b_text for p in ps] == [s[0], s[1]]


def test_inserted_commentary_sentence_splits():
    rng = random.Random(9)
    vocab = _vocab(rng)
    s1, s2 = _sentences(rng, vocab, 30), _sentences(rng, vocab, 30)
    a = f"{s1} {s2}"
    b = f"{s1} Gri quin vel dor ban. {s2}"
    assert [p.b_text for p in align(a, b)] == [s1, s2]


def test_unrelated_texts_share_nothing():
    rng = random.Random(10)
    vocab = _vocab(rng)
    assert align(_sentences(rng, vocab, 300), _sentences(rng, vocab, 300)) == []


def test_parameters_checked():
    import pytest

    with pytest.raises(ValueError, match="min_words"):
        AlignParams(ngram=8, min_words=5)
    with pytest.raises(ValueError, match="ngram"):
        AlignParams(ngram=0)


def test_normalize_combining_mark_kept_character_for_character():
    # found by Hypothesis: a base character and a combining mark that
    # normalisation leaves alone map one to one, in both implementations
    s = "0\u0c55"
    assert normalize(s).to_original(0, 1) == normalize_slow(s).to_original(0, 1) == (0, 1)
    # a run that changes length maps every output character to the whole run
    assert normalize_slow("e\u0301x").to_original(0, 1) == (0, 2)


def _sentence_starts_reference(text: str) -> list[bool]:
    """Token by token: does the gap before a token end a sentence?"""
    from newstrace.sentences import ABBREVIATIONS as _ABBREVIATIONS
    from newstrace.text import SENTENCE_END, WORD

    norm = normalize(text).text
    ms = list(WORD.finditer(norm))
    out = []
    for k, m in enumerate(ms):
        if k == 0:
            out.append(True)
            continue
        gap = norm[ms[k - 1].end() : m.start()]
        prev = ms[k - 1].group()
        abbrev = prev in _ABBREVIATIONS or (len(prev) == 1 and prev.isalpha())
        out.append(bool(SENTENCE_END.search(gap)) and ("\n" in gap or not abbrev))
    return out


@FAST
@given(st.lists(st.sampled_from(["Col", "the", "x", "Iran's", ".", "!", "?", "\n", " ", "  ", ", ", "U.S.", "\u06d4", "\u3002"]), max_size=40))
def test_sentence_starts_agree_with_reference(parts):
    text = " ".join(parts)
    assert tokenize(text).sentence_start.tolist() == _sentence_starts_reference(text)
