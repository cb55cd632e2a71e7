"""Planted-passage benchmarks with known truth, built as PAN builds its
text-alignment corpora.

A *planted pair* takes 1–3 passages of whole consecutive sentences from a
source article, obfuscates each, and inserts them into a target article at
sentence or paragraph boundaries. The truth is a list of :class:`Case`: the
character range of each copied passage in the source and of its obfuscated
text in the suspicious document. Ranges start at the first word character
and end after the final sentence punctuation (quote marks, brackets and
whitespace around a passage are outside the truth).

Obfuscation levels (each includes the one before):

``none``
    Words verbatim; quote marks and apostrophes switched between straight
    and curly; one paragraph split at a sentence boundary or two joined;
    spacing changed.
``light``
    About one word edit per 25 words (a word inserted, deleted, or replaced
    by a word from the corpus vocabulary), and commas added or removed.
``heavy``
    About one word edit per 8 words, neighbouring words swapped, and a whole
    sentence dropped from inside the passage when it has at least 3
    sentences and both remaining pieces keep at least 15 words. The dropped
    sentence was not copied, so the truth then holds two cases: the text
    before it and the text after it.

Everything random comes from an injected :class:`random.Random`, so a seed
fixes the output. Loading the BBC corpus (:func:`unpack_corpus`,
:func:`load_bbc_articles`) is apart from generation.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import tarfile
import tempfile
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

from .plagdet import Case

__all__ = [
    "LEVELS",
    "Level",
    "NoRoomError",
    "PlantedPair",
    "corpus_vocabulary",
    "default_cache_dir",
    "load_bbc_articles",
    "make_benchmark",
    "make_pair",
    "unpack_corpus",
]

Level = Literal["none", "light", "heavy"]
LEVELS: tuple[Level, ...] = ("none", "light", "heavy")

MIN_WORDS, MAX_WORDS = 40, 250  # words per planted passage (in the source)
MIN_PIECE_WORDS = 15  # words each side of a dropped sentence must keep


class _Rates(NamedTuple):
    edit: float  # word edits (insert/delete/replace) per word
    swap: float  # neighbour swaps per word
    comma: float  # comma changes per word (at least one if > 0)
    drop: bool  # drop an inner sentence when possible


_RATES: dict[str, _Rates] = {
    "none": _Rates(0.0, 0.0, 0.0, False),
    "light": _Rates(1 / 25, 0.0, 1 / 60, False),
    "heavy": _Rates(1 / 8, 1 / 60, 1 / 60, True),
}


class NoRoomError(ValueError):
    """The source or target text cannot take the passages asked for."""


@dataclass(frozen=True, slots=True)
class PlantedPair:
    """A source, the suspicious document made from a target, and the truth.

    ``cases`` are in order of their source offsets.
    """

    source: str
    suspicious: str
    cases: list[Case]
    level: Level


# ---------------------------------------------------------------- corpus I/O


def default_cache_dir() -> Path:
    """Where unpacked corpora go: ``$NEWSTRACE_CACHE/corpora`` if that
    variable is set, else ``<repo>/.cache/corpora`` (git-ignored)."""
    env = os.environ.get("NEWSTRACE_CACHE")
    root = Path(env) if env else Path(__file__).resolve().parents[2] / ".cache"
    return root / "corpora"


def _archive_stem(name: str) -> str:
    for ext in (".tar.xz", ".tar.gz", ".tar.bz2", ".tgz", ".tar"):
        if name.endswith(ext):
            return name[: -len(ext)]
    raise ValueError(f"{name!r} is not a tar archive (.tar, .tar.xz, .tar.gz, .tar.bz2, .tgz)")


def unpack_corpus(tar_path: Path, dest: Path | None = None) -> Path:
    """Extract ``tar_path`` once into ``dest`` (default :func:`default_cache_dir`).

    Returns ``dest/<name>`` where ``<name>`` is the archive name without its
    extension (``bbc-news.tar.xz`` → ``dest/bbc-news``); if that folder
    exists, nothing is extracted. The archive is extracted into a temporary
    folder first and renamed into place, so an interrupted extraction is never
    taken for a complete one.
    """
    tar_path = Path(tar_path)
    dest = Path(dest) if dest is not None else default_cache_dir()
    target = dest / _archive_stem(tar_path.name)
    if target.is_dir():
        return target
    if not tar_path.is_file():
        raise FileNotFoundError(f"no corpus archive at {tar_path}; pass the path of the .tar.xz file")
    dest.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=dest))
    try:
        with tarfile.open(tar_path) as tar:
            tar.extractall(tmp, filter="data")
        entries = list(tmp.iterdir())
        # The usual layout: the archive holds one folder of the same name.
        src = entries[0] if len(entries) == 1 and entries[0].name == target.name else tmp
        try:
            src.rename(target)
        except OSError:
            if not target.is_dir():  # not a lost race with another process
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def load_bbc_articles(root: Path) -> list[str]:
    """Texts of ``articles/<category>/*.txt`` under ``root``, in path order.

    ``root`` is the unpacked ``bbc-news`` folder (as :func:`unpack_corpus`
    returns it) or the folder holding it. Files are decoded as UTF-8, or as
    Latin-1 when they are not valid UTF-8 (one BBC file is).
    """
    root = Path(root)
    articles = root / "articles"
    if not articles.is_dir():
        articles = root / "bbc-news" / "articles"
    if not articles.is_dir():
        raise FileNotFoundError(
            f"no articles/<category>/*.txt under {root}; pass the unpacked bbc-news folder"
        )
    texts = []
    for path in sorted(articles.glob("*/*.txt")):
        data = path.read_bytes()
        try:
            texts.append(data.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(data.decode("latin-1"))
    return texts


# ------------------------------------------------------------- segmentation

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_FIRST_WORD_CHAR = re.compile(r"\w")
_PARAGRAPH = re.compile(r"(?:[^\n]|\n(?![ \t]*\n))+")
_CLOSERS = "\"'”’)]"
# A sentence ends at . ! or ? (not an initial such as "J."), then closing
# quotes/brackets, then the end of the paragraph or whitespace and a capital
# or digit (after openers).
_SENT_END = re.compile(rf"(?<!\b[A-Z])[.!?][{re.escape(_CLOSERS)}]*(?=\s+[^\w\s]*[A-Z0-9]|\s*$)")
_WS = re.compile(r"\s+")


class _Sent(NamedTuple):
    start: int  # first word character
    end: int  # just after the final . ! or ?
    trail_end: int  # after the closing quotes/brackets that follow
    lead: str  # opening quotes/brackets before ``start``
    run: int  # sentences of one run are consecutive, with no other text between


def _paragraphs(text: str) -> list[tuple[int, int]]:
    out = []
    for m in _PARAGRAPH.finditer(text):
        a, b = m.span()
        chunk = text[a:b]
        a += len(chunk) - len(chunk.lstrip())
        b -= len(chunk) - len(chunk.rstrip())
        if a < b:
            out.append((a, b))
    return out


def split_sentences(text: str) -> list[_Sent]:
    """Sentences of ``text``; text that is not a sentence (a headline with no
    final punctuation) starts a new run."""
    out: list[_Sent] = []
    run = 0
    for p0, p1 in _paragraphs(text):
        pos = p0
        for m in _SENT_END.finditer(text, p0, p1):
            w = _FIRST_WORD_CHAR.search(text, pos, m.start())
            if w is None:
                run += 1
            else:
                out.append(_Sent(w.start(), m.start() + 1, m.end(), text[pos : w.start()].strip(), run))
            pos = m.end()
        if text[pos:p1].strip():
            run += 1
    return out


def _insertion_points(text: str) -> list[int]:
    """Offsets just after a sentence (and its closing quotes) or a paragraph."""
    points = {s.trail_end for s in split_sentences(text)} | {b for _, b in _paragraphs(text)}
    return sorted(points)


def corpus_vocabulary(texts: Iterable[str]) -> list[str]:
    """Sorted distinct lower-case alphabetic words (2+ letters) of ``texts``."""
    vocab: set[str] = set()
    for t in texts:
        vocab.update(w.lower() for w in _WORD.findall(t) if w.isalpha() and len(w) > 1)
    return sorted(vocab)


# -------------------------------------------------------------- obfuscation


@dataclass(slots=True)
class _Sentence:
    """A mutable sentence: ``words[0] gaps[0] words[1] … words[-1] end``."""

    words: list[str]
    gaps: list[str]
    end: str

    @classmethod
    def parse(cls, s: str) -> _Sentence:
        ms = list(_WORD.finditer(s))
        if not ms or ms[0].start() != 0:
            raise ValueError(f"sentence must start with a word: {s[:40]!r}")
        gaps = [s[a.end() : b.start()] for a, b in zip(ms, ms[1:])]
        return cls([m.group() for m in ms], gaps, s[ms[-1].end() :])

    def text(self) -> str:
        parts = [self.words[0]]
        for g, w in zip(self.gaps, self.words[1:]):
            parts += [g, w]
        parts.append(self.end)
        return "".join(parts)


def _new_word(rng: random.Random, vocab: Sequence[str], old: str = "") -> str:
    for _ in range(20):
        w = rng.choice(vocab)
        if w.casefold() != old.casefold():
            break
    return w[:1].upper() + w[1:] if old[:1].isupper() else w


def _word_edit(s: _Sentence, i: int, rng: random.Random, vocab: Sequence[str]) -> None:
    """Insert a word before word ``i``, delete it, or replace it."""
    op = rng.choice(("insert", "delete", "replace"))
    n = len(s.words)
    if op == "insert":
        s.words.insert(i, _new_word(rng, vocab))
        s.gaps.insert(i, " ")  # i < n: the new word goes before word i
        return
    if op == "delete" and n > 3:
        # Drop the word with a neighbouring gap that is only spacing, so
        # punctuation stays; else fall back to a replacement.
        if i < n - 1 and s.gaps[i].isspace():
            del s.words[i], s.gaps[i]
            return
        if i > 0 and s.gaps[i - 1].isspace():
            del s.words[i], s.gaps[i - 1]
            return
    s.words[i] = _new_word(rng, vocab, s.words[i])


def _count(n_words: int, rate: float, rng: random.Random) -> int:
    """``n_words * rate`` rounded at random, so it is right on average."""
    return int(n_words * rate + rng.random()) if rate else 0


def _pick_word(sents: list[_Sentence], rng: random.Random) -> tuple[_Sentence, int]:
    k = rng.randrange(sum(len(s.words) for s in sents))
    for s in sents:
        if k < len(s.words):
            return s, k
        k -= len(s.words)
    raise AssertionError("unreachable")


def _obfuscate_words(sents: list[_Sentence], rates: _Rates, rng: random.Random, vocab: Sequence[str]) -> None:
    n_words = sum(len(s.words) for s in sents)
    for _ in range(_count(n_words, rates.edit, rng)):
        s, i = _pick_word(sents, rng)
        _word_edit(s, i, rng, vocab)
    for _ in range(_count(n_words, rates.swap, rng)):
        s, i = _pick_word(sents, rng)
        i = min(i, len(s.words) - 2)
        if i >= 0:
            s.words[i], s.words[i + 1] = s.words[i + 1], s.words[i]
    if rates.comma:
        for _ in range(max(1, _count(n_words, rates.comma, rng))):
            slots = [(s, j) for s in sents for j, g in enumerate(s.gaps) if g in (" ", ", ")]
            if slots:
                s, j = rng.choice(slots)
                s.gaps[j] = ", " if s.gaps[j] == " " else " "


def _reflow(seps: list[str], sents: list[_Sentence], rng: random.Random) -> None:
    """Split a paragraph or join two, and change some spacing (in place)."""
    joins = [k for k, sep in enumerate(seps) if "\n" in sep]
    splits = [k for k, sep in enumerate(seps) if (ws := _WS.search(sep)) and ws.group() == " "]
    choices = [c for c in (joins and "join", splits and "split") if c]
    if choices:
        if rng.choice(choices) == "join":
            k = rng.choice(joins)
            seps[k] = _WS.sub(" ", seps[k], count=1)
        else:
            k = rng.choice(splits)
            seps[k] = _WS.sub("\n\n", seps[k], count=1)
    spaces: list[tuple[_Sentence | None, int]] = [(None, k) for k, sep in enumerate(seps) if " " in sep and "\n" not in sep]
    spaces += [(s, j) for s in sents for j, g in enumerate(s.gaps) if g == " "]
    for _ in range(min(len(spaces), rng.randint(1, 2))):
        s, j = spaces.pop(rng.randrange(len(spaces)))
        if s is None:
            seps[j] = seps[j].replace(" ", "  ", 1)
        else:
            s.gaps[j] = "  "


def _swap_quotes(text: str) -> str:
    """Straight quotes and apostrophes become curly and curly ones straight;
    the length is kept."""
    out = []
    for k, c in enumerate(text):
        prev = text[k - 1] if k else " "
        opening = prev.isspace() or prev in "([{“‘—-"
        if c == '"':
            c = "“" if opening else "”"
        elif c == "'":
            c = "‘" if opening else "’"
        elif c in "“”":
            c = '"'
        elif c in "‘’":
            c = "'"
        out.append(c)
    return "".join(out)


def _interleave(items: list[str], seps: list[str]) -> list[str]:
    """``items[0], seps[0], items[1], …, items[-1]``."""
    out = [items[0]]
    for sep, it in zip(seps, items[1:]):
        out += [sep, it]
    return out


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise AssertionError(f"planted-pair bookkeeping is wrong: {what}")


# ------------------------------------------------------------- generation


def _select_passages(sents: list[_Sent], wc: list[int], n: int, rng: random.Random) -> list[tuple[int, int]]:
    """Up to ``n`` runs ``[i, j)`` of sentences with 40–250 words (``wc`` is
    each sentence's word count), one sentence apart at least, in source order.

    Passage lengths are drawn up to a fair share of the text's words, so that
    several passages fit; a few random rounds are tried and the best kept.
    """
    if not sents:
        return []
    cap = max(MIN_WORDS, min(MAX_WORDS, sum(wc) // (n + 1)))
    best: list[tuple[int, int]] = []
    for _ in range(20):
        chosen: list[tuple[int, int]] = []
        blocked: set[int] = set()
        for _ in range(30 * n):
            if len(chosen) == n:
                break
            goal = rng.randint(MIN_WORDS, cap)
            i = j = rng.randrange(len(sents))
            words = 0
            while j < len(sents) and sents[j].run == sents[i].run and j not in blocked and words < goal:
                words += wc[j]
                j += 1
            if MIN_WORDS <= words <= MAX_WORDS:
                chosen.append((i, j))
                blocked.update(range(i - 1, j + 1))
        if len(chosen) > len(best):
            best = chosen
        if len(best) == n:
            break
    return sorted(best)


def make_pair(
    source_text: str,
    target_text: str,
    level: Level,
    rng: random.Random,
    n_passages: int | None = None,
    *,
    pair: Hashable = 0,
    vocabulary: Sequence[str] | None = None,
) -> PlantedPair:
    """Plant passages of ``source_text`` into ``target_text``.

    ``n_passages`` (1–3) passages are planted; with ``None``, a number from
    1 to 3 is drawn and lowered to what the texts have room for. Replacement
    and inserted words come from ``vocabulary`` (default: the words of the
    two texts). Every case gets the id ``pair``.

    Raises:
        ValueError: unknown ``level`` or ``n_passages`` outside 1–3.
        NoRoomError: the source has no run of whole sentences of 40–250
            words left for a passage, or the target has too few sentence
            or paragraph boundaries.
    """
    if level not in _RATES:
        raise ValueError(f"unknown level {level!r}; use one of {', '.join(LEVELS)}")
    if n_passages is not None and not 1 <= n_passages <= 3:
        raise ValueError(f"n_passages={n_passages}: plant 1, 2 or 3 passages (or None to draw)")
    rates = _RATES[level]
    vocab = list(vocabulary) if vocabulary is not None else corpus_vocabulary([source_text, target_text])
    if len(vocab) < 2:
        raise ValueError("the vocabulary needs at least two words to draw replacements from")

    points = _insertion_points(target_text)
    n = rng.randint(1, 3) if n_passages is None else n_passages
    if n_passages is None:
        n = min(n, len(points))
    if len(points) < max(n, 1):
        raise NoRoomError(f"the target has {len(points)} sentence/paragraph boundaries; {n} needed")

    sents = split_sentences(source_text)
    wc = [len(_WORD.findall(source_text, s.start, s.end)) for s in sents]
    spans = _select_passages(sents, wc, n, rng)
    if not spans or (n_passages is not None and len(spans) < n_passages):
        raise NoRoomError(
            f"the source has room for {len(spans)} passage(s) of {MIN_WORDS}-{MAX_WORDS} words "
            f"in whole sentences; {n} asked"
        )

    # Obfuscate each passage; a planted item is (chunk, lead length,
    # [(src_start, src_end, start in passage, end in passage), ...]).
    planted: list[tuple[str, int, list[tuple[int, int, int, int]]]] = []
    for i, j in spans:
        idx = list(range(i, j))
        seps = [source_text[sents[k].end : sents[k + 1].start] for k in idx[:-1]]
        originals = [source_text[sents[k].start : sents[k].end] for k in idx]
        _check(
            source_text[sents[i].start : sents[j - 1].end] == "".join(_interleave(originals, seps)),
            "source slice differs from the sentences copied",
        )
        drop: int | None = None
        if rates.drop and len(idx) >= 3:
            counts = [wc[k] for k in idx]
            ok = [
                d
                for d in range(1, len(idx) - 1)
                if sum(counts[:d]) >= MIN_PIECE_WORDS and sum(counts[d + 1 :]) >= MIN_PIECE_WORDS
            ]
            if ok:
                drop = rng.choice(ok)
        kept = [k for pos, k in enumerate(idx) if pos != drop]
        if drop is not None:
            # Closing marks of the sentence before the gap, the rest of the
            # separator after the dropped sentence.
            before, after = seps[drop - 1], seps[drop]
            closers = len(before) - len(before.lstrip(_CLOSERS))
            seps = seps[: drop - 1] + [before[:closers] + after.lstrip(_CLOSERS)] + seps[drop + 1 :]
        work = [_Sentence.parse(originals[k - i]) for k in kept]
        _obfuscate_words(work, rates, rng, vocab)
        _reflow(seps, work, rng)

        # Concatenate, recording where each kept sentence lands.
        texts = [w.text() for w in work]
        passage = "".join(_interleave(texts, seps))
        offs: list[tuple[int, int]] = []
        pos = 0
        for t, sep in zip(texts, seps + [""]):
            offs.append((pos, pos + len(t)))
            pos += len(t) + len(sep)
        pieces = [kept] if drop is None else [kept[: drop], kept[drop:]]
        ranges = []
        m = 0
        for piece in pieces:
            a, b = offs[m][0], offs[m + len(piece) - 1][1]
            ranges.append((sents[piece[0]].start, sents[piece[-1]].end, a, b))
            m += len(piece)
        lead, trail = sents[i].lead, source_text[sents[j - 1].end : sents[j - 1].trail_end]
        planted.append((lead + passage + trail, len(lead), ranges))

    # Insert at distinct boundaries of the target, in random order.
    at = sorted(rng.sample(points, len(planted)))
    order = list(range(len(planted)))
    rng.shuffle(order)
    out: list[str] = []
    size = cursor = 0
    cases: list[Case] = []
    expected: list[tuple[Case, str]] = []
    for p, k in zip(at, order):
        chunk, lead_len, ranges = planted[k]
        rest = target_text[p:]
        at_paragraph_end = not rest.strip() or rest.lstrip(" \t").startswith("\n")
        prefix = "\n\n" if at_paragraph_end and rng.random() < 0.7 else " "
        chunk = _swap_quotes(chunk)
        out += [target_text[cursor:p], prefix + chunk]
        base = size + len(target_text[cursor:p]) + len(prefix) + lead_len
        size += len(target_text[cursor:p]) + len(prefix) + len(chunk)
        cursor = p
        for s0, s1, a, b in ranges:
            case = Case(pair, s0, s1, base + a, base + b)
            cases.append(case)
            expected.append((case, chunk[lead_len + a : lead_len + b]))
    out.append(target_text[cursor:])
    suspicious = "".join(out)

    for case, text in expected:
        _check(suspicious[case.susp_start : case.susp_end] == text, "suspicious slice differs from the inserted text")
        _check(bool(_FIRST_WORD_CHAR.match(text)) and text[-1] in ".!?", "a case range has stray edges")
        _check(source_text[case.src_end - 1] in ".!?" and bool(_FIRST_WORD_CHAR.match(source_text, case.src_start)), "source case edges")
    cases.sort(key=lambda c: (c.src_start, c.susp_start))
    return PlantedPair(source_text, suspicious, cases, level)


def make_benchmark(
    articles: Sequence[str],
    level: Level,
    n_pairs: int,
    seed: int,
    exclude: Callable[[str, str], bool] | None = None,
) -> list[PlantedPair]:
    """``n_pairs`` planted pairs, source and target drawn from different articles.

    Byte-identical articles are counted once. ``exclude(source, target)``,
    when given, says that two articles already share text (the caller passes
    the real aligner); such pairs are skipped. Case ``pair`` ids are the
    indices into the returned list. For a given seed the same article pairs
    are drawn at every level, so levels can be compared pair by pair.

    Raises:
        ValueError: unknown level, fewer than two distinct articles, or too
            few usable pairs among the articles.
    """
    if level not in _RATES:
        raise ValueError(f"unknown level {level!r}; use one of {', '.join(LEVELS)}")
    if n_pairs < 0:
        raise ValueError(f"n_pairs={n_pairs}: ask for zero or more pairs")
    uniq = list(dict.fromkeys(articles))
    if len(uniq) < 2:
        raise ValueError("need at least two distinct articles to draw source/target pairs from")
    vocab = corpus_vocabulary(uniq)
    rng = random.Random(seed)
    out: list[PlantedPair] = []
    seen: set[tuple[int, int]] = set()
    attempts = 0
    while len(out) < n_pairs:
        attempts += 1
        if attempts > 50 * n_pairs + 1000:
            raise ValueError(
                f"found only {len(out)} usable pairs of {n_pairs} after {attempts - 1} draws; "
                "use more (or longer) articles or ask for fewer pairs"
            )
        i, j = rng.sample(range(len(uniq)), 2)
        pair_seed = rng.getrandbits(64)
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if exclude is not None and exclude(uniq[i], uniq[j]):
            continue
        try:
            out.append(make_pair(uniq[i], uniq[j], level, random.Random(pair_seed), pair=len(out), vocabulary=vocab))
        except NoRoomError:
            continue
    return out
