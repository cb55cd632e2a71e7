"""The same quotation across articles.

Quotations are compared on normalised words (:func:`newstrace.text.tokenize`)
with a word-level diff (difflib). Two quotations are linked when the words
of the shorter are, for the most part (``min_share``), found in order in
the longer: a quotation shortened to a fragment is still the same
quotation. A direct quotation whose words appear in another article outside
any quotation marks is linked too (``b_index`` is ``None``): it was carried
as the article's own text.

Flags on a link:

- ``altered``: words inside the shared stretch differ; ``diff`` lists each
  change as ``(op, words in A, words in B)``;
- ``speaker_conflict``: both articles name a speaker and they differ;
- ``unattributed``: one article gives a speaker and the other none (or
  carries the words without quotation marks and without a speaker).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Sequence

from ..records import Document, Quotation
from ..text import Tokens, tokenize, tokenize_many
from .speakers import same_speaker

MIN_WORDS = 4


@dataclass(frozen=True, slots=True)
class QuoteLink:
    """Quotation ``a_index`` of document ``a_id`` found in document ``b_id``:
    as its quotation ``b_index``, or (``b_index`` ``None``) as unquoted text
    at ``[b_start, b_end)``. ``similarity`` is the share of the shorter
    side's words matched."""

    a_id: str
    a_index: int
    b_id: str
    b_index: int | None
    b_start: int
    b_end: int
    similarity: float
    flags: tuple[str, ...] = ()
    diff: tuple[tuple[str, str, str], ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {"a_id": self.a_id, "a_index": self.a_index, "b_id": self.b_id, "b_index": self.b_index,
                "b_start": self.b_start, "b_end": self.b_end, "similarity": round(self.similarity, 4),
                "flags": list(self.flags), "diff": [{"op": o, "a": a, "b": b} for o, a, b in self.diff]}


def _compare(a: list[str], b: list[str]) -> tuple[float, tuple[tuple[str, str, str], ...]]:
    """Share of the shorter side matched, and the changes inside the matched stretch."""
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    blocks = [m for m in sm.get_matching_blocks() if m.size]
    if not blocks:
        return 0.0, ()
    matched = sum(m.size for m in blocks)
    share = matched / min(len(a), len(b))
    a0, b0 = blocks[0].a, blocks[0].b
    a1, b1 = blocks[-1].a + blocks[-1].size, blocks[-1].b + blocks[-1].size
    inner = difflib.SequenceMatcher(None, a[a0:a1], b[b0:b1], autojunk=False)
    diff = tuple((op, " ".join(a[a0 + i0:a0 + i1]), " ".join(b[b0 + j0:b0 + j1]))
                 for op, i0, i1, j0, j1 in inner.get_opcodes() if op != "equal")
    return share, diff


def _flags(qa: Quotation, qb: Quotation | None, diff) -> tuple[str, ...]:
    flags = []
    if diff:
        flags.append("altered")
    b_speaker = qb.speaker if qb is not None else None
    if qb is None:
        flags.append("unquoted")
    if qa.speaker and b_speaker and not same_speaker(qa.speaker, b_speaker):
        flags.append("speaker_conflict")
    elif bool(qa.speaker) != bool(b_speaker):
        flags.append("unattributed")
    return tuple(flags)


def link_quotations(docs: Sequence[Document], *, min_share: float = 0.8) -> tuple[QuoteLink, ...]:
    """Links between the quotations of every pair of ``docs`` (see the module doc)."""
    from . import find_quotations

    quotes = [find_quotations(d.text) for d in docs]
    words = [[tokenize(q.text).words if q.kind == "speech" else [] for q in qs] for qs in quotes]
    toks = [tokenize(d.text) for d in docs]
    out: list[QuoteLink] = []
    for i, da in enumerate(docs):
        for j, db in enumerate(docs):
            if i == j:
                continue
            grams_b: dict[tuple[str, ...], list[int]] = {}
            tb = toks[j].words
            for k in range(len(tb) - 2):
                grams_b.setdefault(tuple(tb[k:k + 3]), []).append(k)
            for ia, qa in enumerate(quotes[i]):
                wa = words[i][ia]
                if not qa.direct or len(wa) < MIN_WORDS:
                    continue
                linked = False
                for ib, qb in enumerate(quotes[j]):
                    wb = words[j][ib]
                    if len(wb) < MIN_WORDS or i > j or not qb.direct:
                        continue  # each pair of direct quotations once, from the earlier document
                    share, diff = _compare(wa, wb)
                    if share >= min_share:
                        linked = True
                        out.append(QuoteLink(da.id, ia, db.id, ib, qb.start, qb.end, share,
                                               _flags(qa, qb, diff), diff))
                if linked:
                    continue
                hits = [k for g in range(len(wa) - 2) for k in grams_b.get(tuple(wa[g:g + 3]), ())]
                if not hits:
                    continue
                lo, hi = min(hits), max(hits) + 3
                if hi - lo > 2 * len(wa) + 10:
                    continue
                share, diff = _compare(wa, tb[lo:hi])
                share = share * min(len(wa), hi - lo) / len(wa)  # of the quotation's words, not the window's
                if share >= min_share:
                    s, e = toks[j].char_span(lo, hi)
                    if any(q.start < e and s < q.end and q.direct for q in quotes[j]):
                        continue
                    out.append(QuoteLink(da.id, ia, db.id, None, s, e, share, _flags(qa, None, diff), diff))
    return tuple(out)


def link_story_quotations(docs: Sequence[Document], *, min_share: float = 0.8,
                          tokens: Sequence[Tokens] | None = None) -> tuple[QuoteLink, ...]:
    """:func:`link_quotations`, the same links in the same order, for a
    whole story: without comparing every pair of quotations and every
    quotation with every article.

    Two quotations are compared only when the rarest words of the shorter
    (as many as it may miss and still be linked, plus one) occur in the
    other, and their shared words could reach ``min_share``: the words a
    link matches are shared words, so no link is lost. A quotation is
    looked for as unquoted text only in the articles holding one of its
    word trigrams (the slow twin finds nothing elsewhere); each article's
    trigrams are indexed once, not once per pair, and each pair of word
    sequences is compared once (a story repeats its quotations).
    ``tokens``, when the caller has them, are `tokenize` of each document's text."""
    from collections import Counter

    from . import find_quotations

    quotes = [find_quotations(d.text) for d in docs]
    # the words of the direct quotations (no other quotation's are read), tokenised in one batch
    direct = [q.text for qs in quotes for q in qs if q.kind == "speech" and q.direct]
    said = iter(t.words for t in tokenize_many(direct)) if direct else iter(())
    words = [[next(said) if q.kind == "speech" and q.direct else [] for q in qs] for qs in quotes]
    # the quotations either side of a quoted link: direct, of MIN_WORDS words or more
    linkable = [(i, k) for i, qs in enumerate(quotes) for k, q in enumerate(qs)
                if q.direct and len(words[i][k]) >= MIN_WORDS]
    if not linkable:  # no quotation to link, nor to look for as text
        return ()
    # each article's word trigrams that are a linkable quotation's (only those are looked up)
    wanted = {t for i, k in linkable for t in zip(words[i][k], words[i][k][1:], words[i][k][2:])}
    toks = list(tokens) if tokens is not None else tokenize_many([d.text for d in docs])
    grams: list[dict[tuple[str, ...], list[int]]] = []
    gram_docs: dict[tuple[str, ...], set[int]] = {}
    for j, t in enumerate(toks):
        g: dict[tuple[str, ...], list[int]] = {}
        tb = t.words
        for k, gram in enumerate(zip(tb, tb[1:], tb[2:])):
            if gram in wanted:
                g.setdefault(gram, []).append(k)
        grams.append(g)
        for key in g:
            gram_docs.setdefault(key, set()).add(j)
    counts = {x: Counter(words[x[0]][x[1]]) for x in linkable}
    df: Counter[str] = Counter(w for c in counts.values() for w in c)
    holders: dict[str, list[tuple[int, int]]] = {}
    for x, c in counts.items():
        for w in c:
            holders.setdefault(w, []).append(x)
    pairs: set[tuple[tuple[int, int], tuple[int, int]]] = set()
    for x in linkable:
        n = len(words[x[0]][x[1]])
        ranked = sorted(words[x[0]][x[1]], key=lambda w: (df[w], w))
        prefix = set(ranked[:n - int(min_share * n) + 1])
        for w in prefix:
            for y in holders[w]:
                if y[0] != x[0] and len(words[y[0]][y[1]]) >= n:
                    pairs.add((x, y) if x[0] < y[0] else (y, x))
    memo: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[float, tuple[tuple[str, str, str], ...]]] = {}

    def compare(a: list[str], b: list[str]) -> tuple[float, tuple[tuple[str, str, str], ...]]:
        key = (tuple(a), tuple(b))  # a story repeats its quotations word for word: each compared once
        if key not in memo:
            memo[key] = _compare(a, b)
        return memo[key]

    quoted: dict[tuple[int, int, int], list[QuoteLink]] = {}
    for (i, ia), (j, ib) in pairs:
        wa, wb = words[i][ia], words[j][ib]
        if (tuple(wa), tuple(wb)) not in memo and \
                sum((counts[(i, ia)] & counts[(j, ib)]).values()) / min(len(wa), len(wb)) < min_share:
            continue
        share, diff = compare(wa, wb)
        if share >= min_share:
            qa, qb = quotes[i][ia], quotes[j][ib]
            quoted.setdefault((i, j, ia), []).append(
                QuoteLink(docs[i].id, ia, docs[j].id, ib, qb.start, qb.end, share, _flags(qa, qb, diff), diff))
    out: list[tuple[tuple[int, int, int, int], QuoteLink]] = [
        ((i, j, ia, link.b_index or 0), link) for (i, j, ia), links in quoted.items() for link in links]
    for i, qs in enumerate(quotes):
        for ia, qa in enumerate(qs):
            wa = words[i][ia]
            if not qa.direct or len(wa) < MIN_WORDS:
                continue
            tri = [tuple(wa[g:g + 3]) for g in range(len(wa) - 2)]
            for j in sorted(set().union(*(gram_docs.get(t, ()) for t in tri)) - {i}):
                if (i, j, ia) in quoted:
                    continue
                hits = [k for t in tri for k in grams[j].get(t, ())]
                lo, hi = min(hits), max(hits) + 3
                if hi - lo > 2 * len(wa) + 10:
                    continue
                tb = toks[j].words
                share, diff = compare(wa, tb[lo:hi])
                share = share * min(len(wa), hi - lo) / len(wa)
                if share >= min_share:
                    s, e = toks[j].char_span(lo, hi)
                    if any(q.start < e and s < q.end and q.direct for q in quotes[j]):
                        continue
                    out.append(((i, j, ia, -1), QuoteLink(docs[i].id, ia, docs[j].id, None, s, e, share,
                                                          _flags(qa, None, diff), diff)))
    out.sort(key=lambda kv: kv[0])
    return tuple(link for _, link in out)
