"""Compare two documents: their shared passages and pair-level scores."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from .align import AlignParams, ngram_keys, align_tokens, word_ids
from .records import Document, Passage
from .text import Tokens, tokenize


@dataclass(frozen=True, slots=True)
class Comparison:
    """The passages two documents share, with pair-level scores.

    coverage_a / coverage_b: share of each document's words that lie inside a
        reported passage or quotation (0..1).
    containment_a_in_b / containment_b_in_a: Broder's containment over word
        n-grams of the seed length: the share of A's distinct n-grams that
        also occur in B, and the reverse (0..1). Unlike coverage it counts
        shared n-grams anywhere, also below the passage threshold.
    """

    a: Document
    b: Document
    passages: tuple[Passage, ...]
    a_words: int
    b_words: int
    coverage_a: float
    coverage_b: float
    containment_a_in_b: float
    containment_b_in_a: float
    params: AlignParams
    provenance: Any = None  # newstrace.provenance.PairDecision: who copied whom

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": [_doc_dict(self.a, self.a_words), _doc_dict(self.b, self.b_words)],
            "passages": [p.as_dict() for p in self.passages],
            "scores": {
                "passages": sum(p.kind == "passage" for p in self.passages),
                "quotations": sum(p.kind == "quotation" for p in self.passages),
                "coverage_a": round(self.coverage_a, 4),
                "coverage_b": round(self.coverage_b, 4),
                "containment_a_in_b": round(self.containment_a_in_b, 4),
                "containment_b_in_a": round(self.containment_b_in_a, 4),
            },
            "parameters": asdict(self.params),
            "provenance": self.provenance.as_dict() if self.provenance else None,
        }


def _doc_dict(d: Document, words: int) -> dict[str, Any]:
    return {
        "id": d.id,
        "path": d.source_path,
        "title": d.title,
        "outlet": d.outlet,
        "byline": d.byline,
        "url": d.url,
        "published": d.published.isoformat() if d.published else None,
        "length": len(d.text),
        "words": words,
    }


def _coverage(t: Tokens, spans: list[tuple[int, int]]) -> float:
    if not len(t):
        return 0.0
    covered = np.zeros(len(t), dtype=bool)
    for s, e in spans:
        covered[(t.starts >= s) & (t.ends <= e)] = True
    return float(covered.mean())


def containment(ia: np.ndarray, ib: np.ndarray, n: int) -> tuple[float, float]:
    """Broder containment of A in B and of B in A over word n-grams."""
    ha, hb = np.unique(ngram_keys(ia, n)), np.unique(ngram_keys(ib, n))
    if not len(ha) or not len(hb):
        return 0.0, 0.0
    common = len(np.intersect1d(ha, hb, assume_unique=True))
    return common / len(ha), common / len(hb)


def compare(a: Document, b: Document, params: AlignParams | None = None) -> Comparison:
    """Align two documents and score the pair."""
    params = params or AlignParams()
    ta, tb = tokenize(a.text), tokenize(b.text)
    ia, ib = word_ids(ta, tb)
    passages = align_tokens(ta, tb, params, ids=(ia, ib))
    c_ab, c_ba = containment(ia, ib, params.ngram)
    decision = None
    if passages:
        from .provenance.direction import decide, profile

        decision = decide(profile(a), profile(b), passages, words=(len(ta), len(tb)))
    return Comparison(
        a=a,
        b=b,
        passages=tuple(passages),
        a_words=len(ta),
        b_words=len(tb),
        coverage_a=_coverage(ta, [(p.a.start, p.a.end) for p in passages]),
        coverage_b=_coverage(tb, [(p.b.start, p.b.end) for p in passages]),
        containment_a_in_b=c_ab,
        containment_b_in_a=c_ba,
        params=params,
        provenance=decision,
    )
