"""What a derivative changed inside a borrowed passage, classified.

Word-level edits come from the aligner (:class:`~newstrace.records.Edit`);
the differences matching ignores (capitals, quote marks, punctuation and
line breaks between words) are found here by pairing the passage's equal
words in both texts and comparing them and the gaps between them as
written.
"""

from __future__ import annotations

import numpy as np
from rapidfuzz.distance import Levenshtein

from ..records import Change, Edit, Passage, Span
from ..text import FOLD, Tokens, mask_html

_SENTENCE_MARKS = set(".!?\u2026\u061f\u06d4\u3002")
_NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty "
                          "hundred hundreds thousand thousands million millions billion billions dozen dozens half "
                          "first second third".split())


def _token_range(t: Tokens, span: Span) -> tuple[int, int]:
    """Token indices ``[i0, i1)`` lying inside ``span``."""
    i0 = int(np.searchsorted(t.starts, span.start, side="left"))
    i1 = int(np.searchsorted(t.ends, span.end, side="right"))
    return i0, max(i0, i1)


def _is_number(word: str) -> bool:
    return any(c.isdigit() for c in word) or word.casefold() in _NUMBER_WORDS


def _is_name(t: Tokens, i: int) -> bool:
    """A capitalised word that does not open a sentence."""
    w = t.text[int(t.starts[i]) : int(t.ends[i])]
    return w[:1].isupper() and not bool(t.sentence_start[i])


def classify_edit(edit: Edit, ta: Tokens, tb: Tokens) -> tuple[str, str]:
    """The kind of one word-level edit and a short detail."""
    a0, a1 = _token_range(ta, edit.a)
    b0, b1 = _token_range(tb, edit.b)
    aw, bw = ta.words[a0:a1], tb.words[b0:b1]
    if edit.op == "delete":
        if aw and (ta.words[a0 - len(aw):a0] == aw or ta.words[a1:a1 + len(aw)] == aw):
            return "typo", "doubled word removed"
    if edit.op == "insert":
        if bw and (tb.words[b0 - len(bw):b0] == bw or tb.words[b1:b1 + len(bw)] == bw):
            return "typo", "word doubled"
    if any(_is_number(w) for w in aw + bw):
        return "number", "number changed" if aw and bw else ("number added" if bw else "number dropped")
    if edit.op == "replace" and len(aw) == len(bw) and all(
            Levenshtein.normalized_similarity(x, y) >= 0.7 for x, y in zip(aw, bw)):
        return "spelling", "respelt"
    if any(_is_name(ta, i) for i in range(a0, a1)) or any(_is_name(tb, j) for j in range(b0, b1)):
        return "name", "name changed" if aw and bw else ("name added" if bw else "name dropped")
    return {"replace": ("word_replaced", f"{len(aw)} → {len(bw)} words"),
            "insert": ("words_inserted", f"{len(bw)} words"),
            "delete": ("words_deleted", f"{len(aw)} words")}[edit.op]


def _signature(gap: str) -> tuple[bool, int, str]:
    """A gap between two words as matching does not see it: whether it ends
    a sentence, how many line breaks it holds, its marks (quotes folded)."""
    g = mask_html(gap)
    marks = "".join(c for c in g.translate(FOLD) if not c.isspace())
    return any(c in _SENTENCE_MARKS for c in g) or "\n" in g, g.count("\n"), marks


def _gap_change(ga: str, gb: str, has_words: bool) -> tuple[str, str] | None:
    if ga == gb:
        return None
    ends_a, breaks_a, marks_a = _signature(ga)
    ends_b, breaks_b, marks_b = _signature(gb)
    if ends_b and not ends_a:
        return "sentence_split", "sentence split"
    if ends_a and not ends_b:
        return "sentence_merged", "sentences merged"
    if has_words:
        return None  # the edit itself is reported
    if (breaks_a == 0) != (breaks_b == 0) or (breaks_a >= 2) != (breaks_b >= 2):
        return ("sentence_split", "paragraph break added") if breaks_b > breaks_a else (
            "sentence_merged", "paragraph break removed")
    if marks_a != marks_b:
        return "punctuation", "punctuation changed"
    a_raw = "".join(c for c in mask_html(ga) if not c.isspace())
    b_raw = "".join(c for c in mask_html(gb) if not c.isspace())
    if a_raw != b_raw:
        return "punctuation", "quote marks changed"
    return None  # spacing only


def passage_changes(p: Passage, k: int, source: str, ta: Tokens, tb: Tokens) -> list[Change]:
    """Every change inside passage ``p`` (A = the source, B = the derivative), in B's order."""
    out: list[Change] = []
    for e in p.edits:
        kind, detail = classify_edit(e, ta, tb)
        out.append(Change(kind, source, k, e.a, e.b, e.a_text, e.b_text, detail))  # type: ignore[arg-type]
    if p.kind != "passage":
        return out
    # pair the equal words: the passage's tokens minus those inside edits
    a0, a1 = _token_range(ta, p.a)
    b0, b1 = _token_range(tb, p.b)
    in_edit_a = np.zeros(a1 - a0, dtype=bool)
    in_edit_b = np.zeros(b1 - b0, dtype=bool)
    for e in p.edits:
        i0, i1 = _token_range(ta, e.a)
        j0, j1 = _token_range(tb, e.b)
        in_edit_a[max(i0 - a0, 0):max(i1 - a0, 0)] = True
        in_edit_b[max(j0 - b0, 0):max(j1 - b0, 0)] = True
    ia = (np.flatnonzero(~in_edit_a) + a0).tolist()
    ib = (np.flatnonzero(~in_edit_b) + b0).tolist()
    if len(ia) != len(ib):
        return out  # not a clean pairing: report the word edits only
    prev: tuple[int, int] | None = None
    for i, j in zip(ia, ib):
        sa, ea = int(ta.starts[i]), int(ta.ends[i])
        sb, eb = int(tb.starts[j]), int(tb.ends[j])
        wa, wb = ta.text[sa:ea], tb.text[sb:eb]
        if wa != wb:
            if wa.translate(FOLD) == wb.translate(FOLD):
                kind, detail = "punctuation", "quote marks changed"
            else:
                kind, detail = "spelling", "capitals changed"
            out.append(Change(kind, source, k, Span(sa, ea), Span(sb, eb), wa, wb, detail))  # type: ignore[arg-type]
        if prev is not None:
            pi, pj = prev
            ga0, gb0 = int(ta.ends[pi]), int(tb.ends[pj])
            ga, gb = ta.text[ga0:sa], tb.text[gb0:sb]
            found = _gap_change(ga, gb, i - pi > 1 or j - pj > 1)
            if found:
                out.append(Change(found[0], source, k, Span(ga0, sa), Span(gb0, sb), ga, gb, found[1]))  # type: ignore[arg-type]
        prev = (i, j)
    return sorted(out, key=lambda c: (c.b.start, c.b.end, c.a.start))
