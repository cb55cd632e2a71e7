"""Compare two documents: their shared passages and pair-level scores."""

from __future__ import annotations

import textwrap
from dataclasses import asdict, dataclass
from typing import Any, Sequence

import numpy as np

from .align import AlignParams, ngram_keys, align_tokens, word_ids
from .excerpt import excerpt
from .labels import document_label, document_meta
from .records import Document, Passage
from .rewritten import RewriteParams, align_rewritten, beside_verbatim
from .text import Tokens, tokenize


@dataclass(frozen=True, slots=True)
class Comparison:
    """The passages two documents share, with pair-level scores.

    passages: verbatim passages and quotations (:mod:`newstrace.align`) and,
        beside them, rewritten passages (kind ``rewritten``,
        :mod:`newstrace.rewritten`) where the verbatim ones do not already
        hold the copy, in B's order.
    coverage_a / coverage_b: share of each document's words that lie inside a
        reported passage, quotation or rewritten passage (0..1).
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
                "rewritten": sum(p.kind == "rewritten" for p in self.passages),
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


def coverage(t: Tokens, spans: list[tuple[int, int]]) -> float:
    """The share of the words of ``t`` that lie inside one of ``spans`` (0..1)."""
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


def compare(a: Document, b: Document, params: AlignParams | None = None,
            rewrite: RewriteParams | None = None) -> Comparison:
    """Align two documents and score the pair: verbatim passages, and the
    rewritten passages beside them (``rewrite`` sets that aligner)."""
    params = params or AlignParams()
    ta, tb = tokenize(a.text), tokenize(b.text)
    ia, ib = word_ids(ta, tb)
    verbatim = align_tokens(ta, tb, params, ids=(ia, ib))
    rewritten = beside_verbatim(align_rewritten(a.text, b.text, rewrite, tokens=(ta, tb)), verbatim)
    passages = sorted([*verbatim, *rewritten], key=lambda p: (p.b.start, p.a.start))
    decision = None
    if passages:
        from .provenance.direction import decide, profile

        decision = decide(profile(a), profile(b), passages, words=(len(ta), len(tb)))
    return comparison_of(a, b, passages, decision, params, tokens=(ta, tb), ids=(ia, ib))


def comparison_of(a: Document, b: Document, passages: Sequence[Passage], decision: Any = None,
                  params: AlignParams | None = None, *, tokens: tuple[Tokens, Tokens] | None = None,
                  ids: tuple[np.ndarray, np.ndarray] | None = None) -> Comparison:
    """The :class:`Comparison` of ``a`` and ``b`` given their ``passages``
    (A-side spans in ``a``) and provenance ``decision``, as found by
    :func:`compare` or as a store keeps them: the scores, no alignment."""
    params = params or AlignParams()
    ta, tb = tokens or (tokenize(a.text), tokenize(b.text))
    ia, ib = ids or word_ids(ta, tb)
    c_ab, c_ba = containment(ia, ib, params.ngram)
    passages = sorted(passages, key=lambda p: (p.b.start, p.a.start))
    return Comparison(
        a=a,
        b=b,
        passages=tuple(passages),
        a_words=len(ta),
        b_words=len(tb),
        coverage_a=coverage(ta, [(p.a.start, p.a.end) for p in passages]),
        coverage_b=coverage(tb, [(p.b.start, p.b.end) for p in passages]),
        containment_a_in_b=c_ab,
        containment_b_in_a=c_ba,
        params=params,
        provenance=decision,
    )


# --------------------------------------------------------------------------
# as text


def _doc_lines(label: str, d: Document, words: int) -> list[str]:
    """A document's heading lines: its id, its label (title, else first words), metadata and size."""
    meta = [x for x in (document_meta(d), f"{len(d.text):,} characters, {words:,} words") if x]
    lines = [f"{label}  {d.id}", f"   {document_label(d, limit=90)}", "   " + " \u00b7 ".join(meta)]
    return lines


def passage_lines(n: int, p: Passage) -> list[str]:
    """Passage number ``n`` as text lines: kind, size, both spans with an excerpt, its edits."""
    head = f"#{n} {p.kind} \u00b7 {p.words} words"
    if p.kind in ("passage", "rewritten"):
        head += f" \u00b7 similarity {p.similarity:.3f}"
    lines = [
        head,
        f"   A [{p.a.start}, {p.a.end})  {excerpt(p.a_text)}",
        f"   B [{p.b.start}, {p.b.end})  {excerpt(p.b_text)}",
    ]
    if p.kind == "passage" and not p.edits:
        lines.append("   no word changed")
    for sp in p.sentences:
        lines.append(f"   sentence A [{sp.a.start}, {sp.a.end}) \u2192 B [{sp.b.start}, {sp.b.end})"
                     f"  similarity {sp.similarity:.2f}")
    for e in p.edits:
        if e.op == "replace":
            what = f"{excerpt(e.a_text, 40)} \u2192 {excerpt(e.b_text, 40)}"
        elif e.op == "delete":
            what = f"{excerpt(e.a_text, 40)} (only in A)"
        else:
            what = f"{excerpt(e.b_text, 40)} (only in B)"
        lines.append(f"   {e.op:<7} {what}  at A {e.a.start}, B {e.b.start}")
    return lines


def render_text(c: Comparison) -> str:
    """A comparison as ``newstrace compare`` prints it: both documents, each
    passage with its edits, coverage, containment and provenance."""
    out = _doc_lines("A", c.a, c.a_words) + [""] + _doc_lines("B", c.b, c.b_words) + [""]
    if not c.passages:
        out.append("no shared passages")
    else:
        np_ = sum(p.kind == "passage" for p in c.passages)
        nr = sum(p.kind == "rewritten" for p in c.passages)
        nq = len(c.passages) - np_ - nr
        line = f"{np_} shared passage{'s' * (np_ != 1)}, {nq} shared quotation{'s' * (nq != 1)}"
        if nr:
            line += f", {nr} rewritten passage{'s' * (nr != 1)}"
        out.append(line + " (in B's order)")
        for k, p in enumerate(c.passages, 1):
            out.append("")
            out.extend(passage_lines(k, p))
    out.append("")
    out.append(
        f"coverage: {c.coverage_a:.1%} of A's words and {c.coverage_b:.1%} of B's words lie in shared text"
    )
    out.append(
        f"containment ({c.params.ngram}-word n-grams): A in B {c.containment_a_in_b:.3f}, "
        f"B in A {c.containment_b_in_a:.3f}"
    )
    d = c.provenance
    if d is not None:
        said = {"a->b": "B derives from A", "b->a": "A derives from B",
                "siblings": f"siblings: both derive from {d.common_source}, which is neither of them",
                "template": "a template match: they share a form, not content (no copy)",
                "undetermined": "direction undetermined (no evidence either way)"}[d.relation]
        out.append(f"provenance: {said} (confidence {d.confidence:.0%})")
        out.extend(f"   {e.kind}: {e.detail}" for e in d.evidence[:5])
    return "\n".join(textwrap.shorten(line, 400) if len(line) > 400 else line for line in out)
