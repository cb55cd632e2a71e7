"""Quotation extraction scored against a hand-labelled set.

The gold set (``tests/fixtures/quotations/gold.json``) lists, per text, every
quotation with its span (without the marks), ``speaker`` (the fullest name,
or the description of an unnamed speaker; ``null`` for scare quotes),
``direct`` and ``kind`` (``speech``/``scare``). Texts marked
``indirect_labelled: false`` (the seeds) have their direct quotations
labelled but not their reported speech, so reported speech found there is
not scored.

Measures, for one group of quotations (direct speech, or reported speech):

- span precision/recall/F1, **exact** (same start and end, after trimming
  spaces and final punctuation on both sides) and **overlapping** (a
  predicted and a gold span overlap; each matched at most once);
- **speaker accuracy**: of the gold quotations matched by overlap, the share
  whose predicted speaker names the gold speaker
  (:func:`newstrace.quotations.speakers.same_speaker`);
- scare quotes: the share of gold scare quotes found and classed as scare.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from ..records import Quotation
from ..quotations.speakers import same_speaker

_TRIM = " \n\t.,;:!?"


@dataclass(frozen=True, slots=True)
class GoldText:
    path: Path
    text: str
    quotes: tuple[dict, ...]
    indirect_labelled: bool


@dataclass(frozen=True, slots=True)
class SpanScores:
    gold: int
    predicted: int
    exact_p: float
    exact_r: float
    exact_f1: float
    overlap_p: float
    overlap_r: float
    overlap_f1: float
    speaker_correct: int
    speaker_matched: int

    @property
    def speaker_accuracy(self) -> float:
        return self.speaker_correct / self.speaker_matched if self.speaker_matched else 0.0


def load_gold(path: str | Path, root: str | Path) -> list[GoldText]:
    """The gold set at ``path``; text files are named relative to ``root``."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for item in data:
        p = Path(root) / item["file"]
        text = p.read_text(encoding="utf-8")
        for q in item["quotes"]:
            if text[q["start"]:q["end"]] != q["text"]:
                raise ValueError(f"{p}: gold span [{q['start']}, {q['end']}) is not {q['text']!r}; fix the gold file")
        out.append(GoldText(p, text, tuple(item["quotes"]), item.get("indirect_labelled", True)))
    return out


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while e > s and text[e - 1] in _TRIM:
        e -= 1
    while s < e and text[s] in _TRIM:
        s += 1
    return s, e


def _prf(tp_p: int, tp_r: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp_p / n_pred if n_pred else 1.0
    r = tp_r / n_gold if n_gold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(gold: Sequence[GoldText], extract: Callable[[str], Sequence[Quotation]], *, direct: bool) -> SpanScores:
    """Span and speaker scores for direct (``direct=True``) or reported speech."""
    n_gold = n_pred = exact = ov_pred = ov_gold = sp_ok = sp_n = 0
    for g in gold:
        if not direct and not g.indirect_labelled:
            continue
        gq = [q for q in g.quotes if q["kind"] == "speech" and q["direct"] == direct]
        pq = [q for q in extract(g.text) if q.kind == "speech" and q.direct == direct]
        n_gold += len(gq)
        n_pred += len(pq)
        gt = {_trim(g.text, q["start"], q["end"]) for q in gq}
        exact += sum(_trim(g.text, q.start, q.end) in gt for q in pq)
        used: set[int] = set()
        for q in gq:
            hit = next((k for k, p in enumerate(pq) if k not in used and p.start < q["end"] and q["start"] < p.end),
                       None)
            if hit is None:
                continue
            used.add(hit)
            ov_gold += 1
            sp_n += 1
            sp_ok += same_speaker(q["speaker"], pq[hit].speaker)
        ov_pred += sum(any(p.start < q["end"] and q["start"] < p.end for q in gq) for p in pq)
    ep, er, ef = _prf(exact, exact, n_pred, n_gold)
    op, or_, of = _prf(ov_pred, ov_gold, n_pred, n_gold)
    return SpanScores(n_gold, n_pred, ep, er, ef, op, or_, of, sp_ok, sp_n)


def scare_recall(gold: Sequence[GoldText], extract: Callable[[str], Sequence[Quotation]]) -> tuple[int, int]:
    """(gold scare quotes found with kind scare, gold scare quotes)."""
    found = total = 0
    for g in gold:
        pred = {(q.start, q.end) for q in extract(g.text) if q.kind == "scare"}
        for q in g.quotes:
            if q["kind"] == "scare":
                total += 1
                found += (q["start"], q["end"]) in pred
    return found, total


def speaker_errors(gold: Sequence[GoldText], extract: Callable[[str], Sequence[Quotation]]) -> list[tuple[str, str, str | None, str | None]]:
    """(file, gold text, gold speaker, predicted speaker) for each speaker miss or missed quotation."""
    out: list[tuple[str, str, str | None, str | None]] = []
    for g in gold:
        pred = [q for q in extract(g.text) if q.kind == "speech"]
        for q in g.quotes:
            if q["kind"] != "speech" or (not q["direct"] and not g.indirect_labelled):
                continue
            hit = next((p for p in pred if p.direct == q["direct"] and p.start < q["end"] and q["start"] < p.end), None)
            if hit is None:
                out.append((g.path.name, q["text"][:60], q["speaker"], "(quotation not found)"))
            elif not same_speaker(q["speaker"], hit.speaker):
                out.append((g.path.name, q["text"][:60], q["speaker"], hit.speaker))
    return out
