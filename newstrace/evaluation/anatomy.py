"""Does the anatomy recover which sentences a summary kept?

The BBC News Summary set pairs each of 2,225 BBC articles with an extractive
summary: sentences taken verbatim from the article, usually reordered, and
joined without spaces. That gives ground truth for "what did the derivative
keep and leave out", independent of newstrace:

- gold: the summary is split on ``[.!?"](?=[A-Z"'])`` (the rule the corpus
  notes use), each piece with whitespace collapsed is looked up verbatim in
  the article (whitespace collapsed the same way); a piece not found whole
  (an article sentence without a final mark glued to the next, as in
  "…v Leicesterwas delighted…") is located by its longest verbatim
  stretches of 20 characters or more (difflib, repeatedly); the article
  characters found are *kept*;
- units: the article's sentences by :func:`newstrace.sentences.split_sentences`;
  a unit is gold-kept when at least half of its non-space characters are kept;
- prediction: :func:`newstrace.anatomy.anatomy` of the summary against the
  article, its ``source_sentences`` ``kept`` flags.

Precision and recall are over all units of all pairs (micro-averaged).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..records import Document, Span
from ..sentences import split_sentences

_GOLD_SPLIT = re.compile(r"(?<=[.!?\"])(?=[A-Z\"'])")
# A summary sentence whose article sentence had no final mark runs into the
# next one ("…on mediaThe 10-year plan…", "…v Leicesterwas delighted…"): such a
# piece is located by its longest verbatim stretches instead.
_MIN_STRETCH = 20
_WS = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class SummaryPair:
    name: str  # category/NNN
    article: str
    summary: str


@dataclass(frozen=True, slots=True)
class SentenceScores:
    pairs: int
    sentences: int
    tp: int
    fp: int
    fn: int
    seconds: Sequence[float]  # per pair, the anatomy call alone
    misses: Sequence[tuple[str, str, str]]  # (pair, "fp"|"fn", sentence) for the first few errors

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def _read(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def load_summary_pairs(root: Path) -> list[SummaryPair]:
    """The (article, summary) pairs under an unpacked ``bbc-news`` folder, in path order."""
    root = Path(root)
    if not (root / "summaries").is_dir() and (root / "bbc-news" / "summaries").is_dir():
        root = root / "bbc-news"
    if not (root / "summaries").is_dir() or not (root / "articles").is_dir():
        raise FileNotFoundError(f"no articles/ and summaries/ under {root}; pass the unpacked bbc-news folder")
    out = []
    for s in sorted((root / "summaries").glob("*/*.txt")):
        a = root / "articles" / s.parent.name / s.name
        if a.is_file():
            out.append(SummaryPair(f"{s.parent.name}/{s.stem}", _read(a), _read(s)))
    return out


def _collapsed(text: str) -> tuple[str, list[int]]:
    """``text`` with white-space runs as one space, and each character's original offset."""
    out: list[str] = []
    pos: list[int] = []
    for m in re.finditer(r"\s+|\S+", text):
        if m.group()[0].isspace():
            out.append(" ")
            pos.append(m.start())
        else:
            out.append(m.group())
            pos.extend(range(m.start(), m.end()))
    return "".join(out), pos


def gold_kept_spans(article: str, summary: str) -> list[Span]:
    """The article's character ranges that the summary's sentences repeat verbatim."""
    flat, pos = _collapsed(article)
    taken: list[tuple[int, int]] = []
    out: list[Span] = []

    def locate(p: str) -> bool:
        at = flat.find(p)
        while at >= 0 and any(s < at + len(p) and at < e for s, e in taken):
            at = flat.find(p, at + 1)
        if at < 0:
            return False
        taken.append((at, at + len(p)))
        out.append(Span(pos[at], pos[at + len(p) - 1] + 1))
        return True

    def stretches(p: str) -> None:
        if len(p) < _MIN_STRETCH:
            return
        m = SequenceMatcher(None, p, flat, autojunk=False).find_longest_match(0, len(p), 0, len(flat))
        if m.size < _MIN_STRETCH:
            return
        if not locate(p[m.a:m.a + m.size]):
            return
        stretches(p[:m.a])
        stretches(p[m.a + m.size:])

    for piece in _GOLD_SPLIT.split(summary):
        p = _WS.sub(" ", piece).strip()
        if len(p) >= 2 and not locate(p):
            stretches(p)
    return out


def gold_kept(article: str, summary: str, units: Sequence[Span]) -> list[bool]:
    """Per unit: at least half its non-space characters lie in the gold kept ranges."""
    kept = bytearray(len(article))
    for s in gold_kept_spans(article, summary):
        kept[s.start:s.end] = b"\x01" * (s.end - s.start)
    out = []
    for u in units:
        chars = [i for i in range(u.start, u.end) if not article[i].isspace()]
        out.append(bool(chars) and sum(kept[i] for i in chars) * 2 >= len(chars))
    return out


def predicted_kept(article: str, summary: str, run: Callable | None = None) -> list[bool]:
    """The anatomy's verdict, per article sentence."""
    from ..anatomy import anatomy

    run = run or anatomy
    result = run(Document(id="summary", text=summary), [Document(id="article", text=article)])
    return [u.kept for u in result.source_sentences["article"]]


def evaluate(pairs: Iterable[SummaryPair], run: Callable | None = None, clock: Callable[[], float] = time.perf_counter,
             keep_misses: int = 20) -> SentenceScores:
    """Sentence-level precision and recall of kept sentences over ``pairs``."""
    tp = fp = fn = n = units_total = 0
    seconds: list[float] = []
    misses: list[tuple[str, str, str]] = []
    for pair in pairs:
        n += 1
        units = split_sentences(pair.article)
        gold = gold_kept(pair.article, pair.summary, units)
        t0 = clock()
        pred = predicted_kept(pair.article, pair.summary, run)
        seconds.append(clock() - t0)
        if len(pred) != len(units):
            raise AssertionError(f"{pair.name}: the anatomy split the article into {len(pred)} sentences, "
                                 f"the evaluation into {len(units)}")
        units_total += len(units)
        for u, g, p in zip(units, gold, pred):
            tp += g and p
            fp += p and not g
            fn += g and not p
            if g != p and len(misses) < keep_misses:
                misses.append((pair.name, "fp" if p else "fn", u.slice(pair.article)))
    return SentenceScores(n, units_total, tp, fp, fn, seconds, misses)
