"""Planted-passage benchmarks: exact truth offsets, real differences between
levels, determinism. Synthetic prose for the unit tests; the BBC corpus (read
in place, never copied) for the corpus tests, which skip when it is absent."""

from __future__ import annotations

import io
import random
import re
import tarfile
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from newstrace.evaluation.plagdet import Case
from newstrace.evaluation.synth import (
    LEVELS,
    NoRoomError,
    PlantedPair,
    split_sentences,
    load_bbc_articles,
    make_benchmark,
    make_pair,
    unpack_corpus,
)
from newstrace.text import tokenize

_SYLLABLES = "ka lo mi ne ru ta vo si pe da zu re mo li ga".split()


def prose(seed: int, paragraphs: int = 8) -> str:
    """A made-up article: a headline, then paragraphs of 1-4 sentences with
    commas, quotations and apostrophes."""
    rng = random.Random(seed)

    def word() -> str:
        return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 3)))

    def sentence() -> str:
        words = [word() for _ in range(rng.randint(6, 22))]
        if rng.random() < 0.3:
            words[rng.randrange(len(words))] += "'s"
        if rng.random() < 0.4:
            words[rng.randrange(len(words) - 1)] += ","
        text = " ".join(words)
        text = text[0].upper() + text[1:]
        if rng.random() < 0.2:
            return f'"{text}," {word()} said.'
        return text + rng.choice(".....?!")

    head = " ".join(word() for _ in range(5)).title()
    paras = [" ".join(sentence() for _ in range(rng.randint(1, 4))) for _ in range(paragraphs)]
    return "\n\n".join([head, *paras]) + "\n"


def words(text: str) -> list[str]:
    return tokenize(text).words


def check_offsets(p: PlantedPair) -> None:
    """Every case slices to clean text: a word character first, sentence
    punctuation last; the cases of a pair do not overlap."""
    assert p.cases
    for c in p.cases:
        for text in (p.source[c.src_start : c.src_end], p.suspicious[c.susp_start : c.susp_end]):
            assert re.match(r"\w", text) and text[-1] in ".!?", text
    for c, d in zip(p.cases, p.cases[1:]):
        assert c.src_end <= d.src_start
    susp = sorted(p.cases, key=lambda c: c.susp_start)
    for c, d in zip(susp, susp[1:]):
        assert c.susp_end <= d.susp_start


def edit_rate(pairs: list[PlantedPair]) -> float:
    """Word edits (normalised words, Levenshtein) per source word over all cases."""
    dist = total = 0
    for p in pairs:
        for c in p.cases:
            a = words(p.source[c.src_start : c.src_end])
            b = words(p.suspicious[c.susp_start : c.susp_end])
            dist += Levenshtein.distance(a, b)
            total += len(a)
    return dist / total


# ------------------------------------------------------ synthetic texts


SOURCES = [prose(s, 10) for s in range(40)]
TARGETS = [prose(1000 + s, 6) for s in range(40)]


def synthetic(level: str, seed: int = 0, n: int | None = None) -> list[PlantedPair]:
    rng = random.Random(seed)
    return [make_pair(s, t, level, rng, n, pair=k) for k, (s, t) in enumerate(zip(SOURCES, TARGETS))]


@pytest.mark.parametrize("level", LEVELS)
def test_offsets_round_trip_on_synthetic_text(level: str) -> None:
    for p in synthetic(level):
        check_offsets(p)
        assert p.level == level
        assert all(c.pair == p.cases[0].pair for c in p.cases)


def test_none_keeps_every_word() -> None:
    pairs = synthetic("none")
    for p in pairs:
        for c in p.cases:
            assert words(p.source[c.src_start : c.src_end]) == words(p.suspicious[c.susp_start : c.susp_end])
    # ... while the characters do change (quotes, spacing, paragraphs).
    assert all(
        p.source[c.src_start : c.src_end] != p.suspicious[c.susp_start : c.susp_end]
        for p in pairs
        for c in p.cases
    )


def test_target_text_is_kept_around_the_insertions() -> None:
    for p, target in zip(synthetic("heavy"), TARGETS):
        rest = p.suspicious
        for c in sorted(p.cases, key=lambda c: c.susp_start, reverse=True):
            rest = rest[: c.susp_start] + rest[c.susp_end :]
        assert words(rest) == words(target)


def test_explicit_passage_count() -> None:
    for p in synthetic("light", n=3):
        assert len(p.cases) == 3
    with pytest.raises(ValueError, match="1, 2 or 3"):
        make_pair(SOURCES[0], TARGETS[0], "none", random.Random(0), 4)


def test_heavy_drops_an_inner_sentence_into_two_cases() -> None:
    split = 0
    for p in synthetic("heavy", n=1):
        if len(p.cases) == 2:
            split += 1
            first, second = p.cases
            # The gap in the source holds exactly the dropped sentence(s)'s words...
            gap = p.source[first.src_end : second.src_start]
            assert re.search(r"\w", gap)
            # ... and nothing but spacing and marks in the suspicious document.
            assert not re.search(r"\w", p.suspicious[first.susp_end : second.susp_start])
            for c in p.cases:
                assert len(words(p.source[c.src_start : c.src_end])) >= 15
    assert split >= 5


def test_unknown_level_and_no_room() -> None:
    with pytest.raises(ValueError, match="unknown level"):
        make_pair(SOURCES[0], TARGETS[0], "medium", random.Random(0))  # type: ignore[arg-type]
    with pytest.raises(NoRoomError):
        make_pair("Too short to copy. Really.", TARGETS[0], "none", random.Random(0))


def test_sentences_skip_headlines_and_keep_quotes_outside() -> None:
    text = 'Big News Today\n\n"It works," she said. Then it stopped!\n\nDone.'
    got = [(text[s.start : s.end], s.lead, s.run) for s in split_sentences(text)]
    assert got == [
        ('It works," she said.', '"', 1),
        ("Then it stopped!", "", 1),
        ("Done.", "", 1),
    ]
    initials = "Xbox chief J. Allard spoke. The U.S. firm agreed!"
    assert [initials[s.start : s.end] for s in split_sentences(initials)] == [
        "Xbox chief J. Allard spoke.",
        "The U.S. firm agreed!",
    ]


def test_make_benchmark_is_deterministic_and_pairs_articles_alike_at_every_level() -> None:
    arts = SOURCES + TARGETS
    a = make_benchmark(arts, "heavy", 15, seed=3)
    assert a == make_benchmark(arts, "heavy", 15, seed=3)
    assert a != make_benchmark(arts, "heavy", 15, seed=4)
    assert [p.source for p in a] == [p.source for p in make_benchmark(arts, "none", 15, seed=3)]
    assert [c.pair for p in a for c in p.cases] == [k for k, p in enumerate(a) for _ in p.cases]


def test_make_benchmark_skips_duplicates_and_excluded_pairs() -> None:
    with pytest.raises(ValueError, match="two distinct"):
        make_benchmark([SOURCES[0]] * 3, "none", 1, seed=0)
    banned = SOURCES[0]
    pairs = make_benchmark(SOURCES[:5], "none", 10, seed=0, exclude=lambda s, t: banned in (s, t))
    assert all(p.source != banned and banned[:40] not in p.suspicious for p in pairs)
    with pytest.raises(ValueError, match="usable pairs"):
        make_benchmark(SOURCES[:5], "none", 3, seed=0, exclude=lambda s, t: True)


# ----------------------------------------------------------- corpus I/O


def _tar(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:xz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_unpack_once_and_load(tmp_path: Path) -> None:
    tar = _tar(
        tmp_path / "bbc-news.tar.xz",
        {
            "bbc-news/articles/sport/002.txt": "Two\n\nMatch won for \u00a31m.\n".encode(),
            "bbc-news/articles/sport/001.txt": b"One\n\nCost \xa35.\n",  # Latin-1
            "bbc-news/articles/tech/001.txt": b"Three\n\nText.\n",
        },
    )
    cache = tmp_path / "cache"
    # A leftover of an interrupted extraction is not taken for a result.
    (cache / ".bbc-news-killed").mkdir(parents=True)
    root = unpack_corpus(tar, cache)
    assert root == cache / "bbc-news"
    texts = load_bbc_articles(root)
    assert texts == ["One\n\nCost \u00a35.\n", "Two\n\nMatch won for \u00a31m.\n", "Three\n\nText.\n"]
    assert load_bbc_articles(cache) == texts
    tar.unlink()  # a second call finds the unpacked folder and extracts nothing
    assert unpack_corpus(tar, cache) == root
    assert sorted(p.name for p in cache.iterdir()) == [".bbc-news-killed", "bbc-news"]
    with pytest.raises(FileNotFoundError, match="bbc-news folder"):
        load_bbc_articles(tmp_path / "nowhere")


# ---------------------------------------------------------- BBC corpus


@pytest.fixture(scope="module")
def bbc_benchmarks(bbc_articles: list[str]) -> dict[str, list[PlantedPair]]:
    return {level: make_benchmark(bbc_articles, level, 60, seed=0) for level in LEVELS}


@pytest.mark.corpus
@pytest.mark.parametrize("level", LEVELS)
def test_bbc_offsets_round_trip(bbc_benchmarks: dict[str, list[PlantedPair]], level: str) -> None:
    pairs = bbc_benchmarks[level]
    assert len(pairs) == 60
    for p in pairs:
        check_offsets(p)
    assert sum(len(p.cases) for p in pairs) > 60  # some pairs hold several passages


@pytest.mark.corpus
def test_bbc_levels_differ(bbc_benchmarks: dict[str, list[PlantedPair]]) -> None:
    none, light, heavy = (bbc_benchmarks[level] for level in LEVELS)
    assert edit_rate(none) == 0.0
    assert 1 / 40 < edit_rate(light) < 1 / 15
    # One edit per 8 words, plus a few swaps (two edits each).
    assert 1 / 11 < edit_rate(heavy) < 1 / 5
    assert sum(len(p.cases) for p in heavy) > sum(len(p.cases) for p in none)  # dropped sentences
    differ = [
        words(p.source[c.src_start : c.src_end]) != words(p.suspicious[c.susp_start : c.susp_end])
        for p in heavy
        for c in p.cases
    ]
    assert sum(differ) > 0.9 * len(differ)


@pytest.mark.corpus
def test_bbc_benchmark_is_deterministic(bbc_articles: list[str]) -> None:
    a = make_benchmark(bbc_articles, "light", 10, seed=7)
    assert a == make_benchmark(bbc_articles, "light", 10, seed=7)
    assert isinstance(a[0].cases[0], Case)
