"""Who copied whom: credits, pairwise direction, the provenance graph.

- :mod:`.credits`: credits to outlets and people, with their spans;
- :mod:`.direction`: the decision for one pair (``a->b``, ``b->a``,
  ``siblings``), with its confidence and evidence;
- :mod:`.circulation`: evidence from the rest of a story (which of two
  documents carries the text the others share);
- :mod:`.reuse`: wholly / partially / non-derived;
- :mod:`.aggregators`: aggregator and index pages, never a source;
- :mod:`.template`: template notices, which share a form and not content;
- :mod:`.graph`: the DAG of documents and placeholder sources of a story;
- :mod:`.summary`: a story at a glance, above the long lists.

:func:`trace` runs them on documents and the passages between them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence

import regex

from ..align import AlignParams, align_tokens
from ..cluster import reprint_clusters
from ..records import Document, Passage
from ..rewritten import RewriteParams, align_rewritten, beside_verbatim
from ..text import Tokens, tokenize, tokenize_many
from .circulation import circulation_evidence
from .credits import Credit, find_credits, normalize_outlet
from .direction import Evidence, PairDecision, Profile, decide, profile
from .graph import Edge, Node, ProvenanceGraph, build_graph
from .reuse import passage_share, reuse_class, set_containment
from .summary import StorySummary, render_story_list, render_summary, story_summary
from .template import story_form

__all__ = ["Credit", "Edge", "Evidence", "Node", "PairDecision", "Profile", "ProvenanceGraph", "decide",
           "StorySummary", "find_credits", "normalize_outlet", "profile", "render_story_list", "render_summary",
           "render_text", "reuse_class",
           "story_summary", "trace", "trace_passages", "pair_passages", "PAIR_REWRITE"]


def trace_passages(docs: Sequence[Document], passages: Mapping[tuple[str, str], Sequence[Passage]], *,
                   use_dates: bool = True, tokens: Mapping[str, Tokens] | None = None) -> ProvenanceGraph:
    """The provenance graph of ``docs`` given the passages of each pair
    ``(a_id, b_id)`` (A-side spans in document ``a_id``); ``tokens``, when
    the caller has them, are `tokenize` of each document's text, by id."""
    by_id = {d.id: d for d in docs}
    profiles = {d.id: profile(d, use_dates=use_dates) for d in docs}
    if tokens is None:
        tokens = {d.id: t for d, t in zip(docs, tokenize_many([d.text for d in docs]))}
    words = {i: set(t.words) for i, t in tokens.items()}  # each document's distinct words
    decisions, measures = [], {}
    context = circulation_evidence(passages)
    form = story_form(d.text for d in docs)
    for (a, b), ps in sorted(passages.items()):
        if not ps:
            continue
        ta, tb = tokens[a], tokens[b]
        d = decide(profiles[a], profiles[b], ps, words=(len(ta), len(tb)), context=context.get((a, b), ()),
                   form=form)
        decisions.append(d)
        wa, wb = words[a], words[b]
        measures[(a, b)] = (set_containment(wb, wa), passage_share(ps, "b", len(by_id[b].text)))
        measures[(b, a)] = (set_containment(wa, wb), passage_share(ps, "a", len(by_id[a].text)))
    ends = [(a, p.a.start, p.a.end, b, p.b.start, p.b.end) for (a, b), ps in sorted(passages.items())
            for p in ps if p.kind == "passage"]
    return build_graph(by_id, profiles, decisions, measures, reprint_clusters(ends))


# The rewritten-passage aligner's bars for a pair that shares no passage at
# compare's (RewriteParams()): provenance asks whether and which way two
# documents a reader put side by side share text, and a newspaper that
# rewrites agency copy sentence by sentence keeps fewer shared terms per
# sentence than PAN's obfuscations (COUNTER, benchmarks/bench_counter_cli.py:
# at 0.2 about 4 in 5 derived pairs get an edge and 2 in 3 non-derived
# pairs on the same event do; at compare's bars 3 in 5 and 1 in 5).
PAIR_REWRITE = RewriteParams(seed_cosine=0.2, seed_dice=0.2, min_similarity=0.2, min_chars=60)


def pair_passages(ta: Tokens, tb: Tokens, params: AlignParams | None = None,
                   rewrite: RewriteParams | None = None) -> list[Passage]:
    """The passages provenance weighs for one pair: verbatim passages and the
    rewritten passages beside them (:func:`newstrace.rewritten.beside_verbatim`);
    for a pair that shares none, the rewritten passages found at the lower
    bars of ``rewrite`` (by default :data:`PAIR_REWRITE`)."""
    verbatim = align_tokens(ta, tb, params)
    found = verbatim + beside_verbatim(align_rewritten(ta.text, tb.text, tokens=(ta, tb)), verbatim)
    if found:
        return found
    return align_rewritten(ta.text, tb.text, rewrite or PAIR_REWRITE, tokens=(ta, tb))


def trace(docs: Sequence[Document], params: AlignParams | None = None, *, use_dates: bool = True,
          rewrite: RewriteParams | None = None) -> ProvenanceGraph:
    """Align every pair of ``docs`` (:func:`pair_passages`, ``rewrite`` the
    lower bars of a pair that shares nothing at compare's) and build their
    provenance graph."""
    tokens = {d.id: tokenize(d.text) for d in docs}
    passages = {(a.id, b.id): pair_passages(tokens[a.id], tokens[b.id], params, rewrite)
                for a, b in itertools.combinations(docs, 2)}
    return trace_passages(docs, passages, use_dates=use_dates)


_CLASS_WORDS = {"wholly": "wholly derived", "partially": "partially derived", "non": "not derived"}


def short_names(g: ProvenanceGraph) -> dict[str, str]:
    """What a reader calls each document of ``g`` in a sentence of evidence:
    its outlet, with its publication time where the story has several
    documents of that outlet (with its label where it has no outlet)."""
    by_outlet: dict[str, int] = {}
    for n in g.nodes.values():
        if n.outlet:
            by_outlet[n.outlet] = by_outlet.get(n.outlet, 0) + 1
    out = {}
    for i, n in g.nodes.items():
        if not n.outlet:
            out[i] = n.label if len(n.label) <= 60 else n.label[:59] + "\u2026"
        elif by_outlet[n.outlet] > 1:
            when = (n.published or "")[:16].replace("T", " ")
            out[i] = f"{n.outlet} ({when or n.label[:40]})"
        else:
            out[i] = n.outlet
    return out


def evidence_namer(g: ProvenanceGraph) -> Callable[[str], str]:
    """A function that writes a line of evidence with the documents' short
    names (:func:`short_names`) in place of their ids, for the terminal."""
    names = short_names(g)
    if not names:
        return lambda detail: detail
    ids = sorted(names, key=len, reverse=True)
    pattern = regex.compile(r"(?<![\w#])(?:" + "|".join(regex.escape(i) for i in ids) + r")(?![\w])")
    return lambda detail: pattern.sub(lambda m: names[m.group(0)], detail)


def render_text(g: ProvenanceGraph, *, limit: int | None = None) -> tuple[str, int]:
    """The graph as an indented tree per root, for the terminal: the roots
    with most below them first, each node's children by confidence. A node
    with several parents is drawn in full under the first and named again
    under the others. With ``limit``, at most that many node rows are drawn.
    Returns the text and the number of nodes left out."""
    kids: dict[str, list[Edge]] = {}
    for e in g.edges:
        kids.setdefault(e.source, []).append(e)
    below = g.below_roots()
    named = evidence_namer(g)
    lines: list[str] = []
    shown: set[str] = set()
    rows = 0

    def show(node: str, depth: int, via: Edge | None) -> bool:
        nonlocal rows
        if limit is not None and rows >= limit:
            return False
        rows += 1
        n = g.nodes[node]
        tag = "[not in the collection] " if n.placeholder else ""
        cls = g.reuse_class.get(node)
        extra = f" ({_CLASS_WORDS[cls]})" if cls and via else ""
        conf = f"  [{via.confidence:.0%}]" if via else ""
        again = "  (shown above)" if node in shown and kids.get(node) else ""
        lines.append("  " * depth + ("└─ " if depth else "") + f"{tag}{n.label}{extra}{conf}{again}")
        if via:
            for ev in via.evidence[:4]:
                lines.append("  " * depth + f"     · {ev.kind}: {named(ev.detail)}")
        if node in shown:
            return True
        shown.add(node)
        for e in sorted(kids.get(node, []), key=lambda e: (-e.confidence, e.target)):
            if not show(e.target, depth + 1, e):
                return False
        return True

    for r in sorted(g.roots, key=lambda r: (-below[r], r)):
        if not show(r, 0, None):
            break
    return "\n".join(lines), len(g.nodes) - len(shown)
