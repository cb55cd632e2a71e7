"""Boilerplate: site furniture, in one page and across a collection.

Two levels, one home:

- **Lines of a page** (used by the anatomy): the lines that are neither the
  article nor its author's commentary (share buttons, "Become a member",
  disclaimers, copyright and fair-use notices, tag and category lists,
  "Featured image", bylines and datelines, contact lines). Rules over lines,
  no model: a line is boilerplate when it matches one of the patterns below,
  or when it is short and mostly links (``[text](#)`` leftovers, bare URLs).
  Borrowed text is never boilerplate there: the caller lays passages over
  these spans.
- **Passages of a collection** (used by the scan, both engines): a passage
  two documents share is boilerplate, not reuse, when its own wording is
  furniture (:func:`furniture_reason`: rights and copyright lines, share,
  newsletter and subscription prompts, "Check out this story", comment and
  cookie notices, widget or tracking code, link lists), or when the
  collection shows it is (:func:`collection_boilerplate`): its text recurs
  in several documents that share nothing else with one another, where it
  is a small part of each, and either sits at a page's head or foot or
  recurs across the pages of a few outlets (a site network's template).
  TextPAIR calls such text *banal* and passim drops its n-grams by document
  frequency (``--maxDF``); a document frequency alone cannot tell a footer
  on 33 pages from a wire paragraph on 80, so newstrace asks what else the
  documents share. Credits ("The original source of this article is",
  "Associated Press contributed", "(Reuters) -", bylines, datelines) are
  never furniture here: they are provenance evidence.

Boilerplate passages are stored and exported with ``kind = 'boilerplate'``
and the reason; they join no reprint cluster, no story and no provenance
edge.
"""

from __future__ import annotations

from functools import lru_cache

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import regex

from .columns import group_median, run_starts
from .records import Passage, Span
from .text import tokenize

_LINE_PATTERNS = [
    # notices
    r"^\s*disclaimer\b", r"copyright\s*(?:©|\(c\)|\d{4})", r"©", r"\ball rights reserved\b",
    r"\bfair use\b", r"\bcontains copyrighted material\b", r"\bgrants? permission to (?:cross-?post|republish)",
    r"\bthe original source of this article is\b", r"\boriginally (?:published|appeared) (?:at|on|in)\b",
    r"^\s*(?:this article|this story) (?:was|first) (?:originally )?(?:published|appeared)\b",
    r"\bviews expressed (?:in this article )?are (?:solely )?(?:those|the) ",
    # calls to action and sharing
    r"^\s*(?:\[)?(?:become a (?:member|patron|subscriber)|subscribe|sign up|join (?:us|our)|donate|support us)\b",
    r"\b(?:share (?:this|on)|follow us|like us on|comment on)\b.{0,60}\b(?:facebook|twitter|telegram|x|page)\b",
    r"^\s*(?:share|tweet|email|print|whatsapp|facebook|twitter|reddit|linkedin)(?:\s*[|·•,]\s*\w+)*\s*$",
    r"^\s*(?:click here|read more|related(?: articles| posts| stories)?:|advertisement|sponsored)\b",
    r"\bnewsletter\b.{0,40}\b(?:sign up|subscribe|inbox)\b",
    # page furniture
    r"^\s*(?:featured image|image|photo|picture|source|via)\b[^.]{0,60}(?:\bfrom\b|\bcredit\b|:)",
    r"^\s*(?:articles by|posted (?:by|in|on)|filed under|tags?|topics?|categor(?:y|ies)|region|theme|"
    r"in-depth report)\s*:",
    r"^\s*(?:for )?(?:media )?(?:inquiries|enquiries|contact)\b.{0,60}@",
    r"^\s*[\w.+-]+@[\w-]+\.[\w.]+\s*$",
    r"^\s*by\s+(?:\[)?\p{Lu}[\w.’'-]*(?:\s+\p{Lu}[\w.’'-]*){0,3}(?:\]\([^)]*\))?\s*$",
]
_LINE = regex.compile("|".join(f"(?:{p})" for p in _LINE_PATTERNS), flags=regex.IGNORECASE | regex.MULTILINE)
_LINK = regex.compile(r"\[[^\]\n]{0,200}\]\([^()\s]{0,2000}\)|https?://\S+|www\.\S+")
_DATE = regex.compile(
    r"\b(?:\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{4}"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{1,2},? \d{4})\b",
    flags=regex.IGNORECASE,
)
_WORD = regex.compile(r"\w+")
_MAX_SHORT_WORDS = 12


def is_boilerplate_line(line: str) -> bool:
    """Whether one line of a page is site furniture (see the module docstring)."""
    if not line.strip():
        return False
    if _LINE.search(line):
        return True
    words = _WORD.findall(line)
    if len(words) > _MAX_SHORT_WORDS:
        return False
    linked = sum(len(_WORD.findall(m.group())) for m in _LINK.finditer(line))
    if words and linked / len(words) >= 0.5:
        return True
    # a dateline: an outlet and a date on a short line of their own
    return bool(_DATE.search(line)) and len(words) <= 8


def boilerplate_spans(text: str) -> tuple[Span, ...]:
    """The lines of ``text`` that are boilerplate, as spans without their line break."""
    out: list[Span] = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if is_boilerplate_line(line):
            out.append(Span(pos, end))
        pos = end + 1
    return tuple(out)


# --------------------------------------------------------------------------
# passages of a collection: furniture by its wording

# Notices, prompts and page parts a passage of reuse can consist of. Unlike
# the page-line rules above, no credit is among them (bylines, datelines,
# "the original source of this article is", "originally published"):
# they say who wrote the text, which provenance needs.
_FURNITURE_PATTERNS = [
    # rights and notices
    r"copyright\s*(?:©|\(c\)|\d{4})", r"©", r"\ball rights reserved\b",
    r"\bmay not be (?:published|reproduced|broadcast|rewritten|redistributed|copied)\b",
    r"\bfair use\b", r"\bcontains copyrighted material\b", r"^\s*disclaimer\b",
    r"\bviews expressed (?:in this article )?are (?:solely )?(?:those|the) ",
    r"\b(?:privacy policy|terms of (?:use|service)|cookie(?:s| policy| settings)?\b.{0,40}\b(?:accept|use|consent|browser))",
    # share, follow, subscribe, comment
    r"^\s*(?:\[)?(?:become a (?:member|patron|subscriber)|subscribe|sign (?:me )?up|join (?:us|our)|donate|support us)\b",
    r"\b(?:share (?:this|on)|follow us|like us on|comment on)\b.{0,60}\b(?:facebook|twitter|telegram|x|page)\b",
    r"^\s*(?:share|tweet|email|print|whatsapp|facebook|twitter|reddit|linkedin|connect|comment)"
    r"(?:\s*[|·•,]?\s*(?:share|tweet|email|print|whatsapp|facebook|twitter|reddit|linkedin|connect|comments?|more|\d+))+\s*$",
    r"^\s*(?:click here|read more|related(?: articles| posts| stories| links)?:|advertisement|sponsored|recommended)\b",
    r"\bnewsletter\b.{0,40}\b(?:sign up|subscribe|inbox)\b", r"\bdigital subscription\b",
    r"\b(?:delivered|straight|sent) (?:to|in)(?:to)? your inbox\b", r"^\s*be the first to know\b",
    r"^\s*(?:check out this story|read or share this story|a link has been sent|cancel\s*send)\b",
    r"\b(?:conversation guidelines|commenting (?:policy|guidelines)|community guidelines)\b",
    r"\benable javascript\b|\byour browser (?:does not|doesn't) support\b",
    # page parts
    r"^\s*(?:tags?|topics?|categor(?:y|ies)|filed under)\s*:",
]
_FURNITURE = regex.compile("|".join(f"(?:{p})" for p in _FURNITURE_PATTERNS), flags=regex.IGNORECASE)
# an address: scheme://…, www.…, or site.tld with an optional port and path ("nypost.com/2018/07/16/trump-…")
ADDRESS = regex.compile(
    r"(?:[a-z][a-z0-9+.-]*://\S+"  # scheme://anything
    r"|www\.\S+"
    # site.com/path; the components possessive: backtracking into them cannot help (a dot must
    # follow each), and it made a word of "a.a.a…" cost its length squared
    r"|(?:[\w-]+\.)++[a-z]{2,24}(?::\d+)?(?:[/?#]\S*)?)",
    regex.IGNORECASE,
)


def is_address_line(line: str) -> bool:
    """Whether a line is one address and nothing else (a link list's line);
    a number ("3.25") or an abbreviation ("U.S") is not."""
    return ADDRESS.fullmatch(line.strip()) is not None
# code that leaked into the text (widget and tracking scripts, JSON, CSS)
_CODE_CHARS = regex.compile(r"[{}\[\]();=<>$|\\]")
_CODE_TOKEN = regex.compile(r"[{};]|=>|\b(?:var|let|const|function|window|document|return)\b|\w\.\w+\(")
# a passage is furniture when this share of its characters is in furniture lines
FURNITURE_SHARE = 0.5


def is_code_line(line: str) -> bool:
    """Whether a line is program code rather than prose: dense in code
    characters (braces, brackets, parentheses, ``;``, ``=``) with a token
    only code has (``{``, ``;``, ``=>``, ``var``, ``window``, ``x.f(``)."""
    s = line.strip()
    if len(s) < 8:
        return False
    marks = len(_CODE_CHARS.findall(s))
    return marks >= 3 and marks / len(s) >= 0.04 and bool(_CODE_TOKEN.search(s))


# the words of a page's controls: share bars, menus, buttons, captions' toggles
_CONTROL_WORDS = frozenset("""
    share shares sharing facebook twitter tweet email e-mail mail print comment comments follow bio
    purchase reprint reprints subscribe menu more whatsapp linkedin pinterest reddit connect caption
    toggle sign log login register photo photos gallery video advertisement ads skip account
    newsletter newsletters messenger sms flipboard
""".split())
_CONTROL_TOKEN = regex.compile(r"[\p{L}][\p{L}'’-]*|\d+")


def is_page_control_line(line: str) -> bool:
    """Whether a short line is made of a page's controls ("Email Bio
    Follow", "Share on Facebook Share on Twitter", "Purchase: Order
    Reprint", "CONNECT TWEET LINKEDIN 27 COMMENTEMAILMORE"): at most eight
    words, numbers aside, at least two of them and 60 % or more control
    words (or words glued from them)."""
    words = [w.lower() for w in _CONTROL_TOKEN.findall(line) if not w.isdigit()]
    if not 2 <= len(words) <= 8 and not (len(words) == 1 and line.strip().lower() in _CONTROL_WORDS):
        return False
    hits = sum(w in _CONTROL_WORDS or _glued_controls(w) for w in words)
    return hits >= 0.6 * len(words) and (hits >= 2 or len(words) == 1)


def _glued_controls(word: str) -> bool:
    """A word glued from control words, as a share bar's text reads when its
    buttons lose their spaces ("commentemailmore")."""
    if len(word) < 8:
        return False
    ok = [True] + [False] * len(word)
    for end in range(1, len(word) + 1):
        ok[end] = any(ok[start] and word[start:end] in _CONTROL_WORDS for start in range(max(0, end - 12), end))
    return ok[-1]


@lru_cache(maxsize=65536)  # the same lines recur in every pair of a reprint cluster
def furniture_kind(line: str) -> str | None:
    """What a line of shared text is when it is site furniture: ``code``,
    ``links`` (a lone address) or ``notice or prompt`` (notices, prompts,
    page controls); ``None`` for anything else, credits among them."""
    if is_code_line(line):
        return "code"
    if is_address_line(line):
        return "links"
    if _FURNITURE.search(line) or is_page_control_line(line):
        return "notice or prompt"
    return None


def is_furniture_line(line: str) -> bool:
    """Whether one line of shared text is site furniture (:func:`furniture_kind`)."""
    return bool(line.strip()) and furniture_kind(line) is not None


def furniture_reason(text: str) -> str | None:
    """Why a shared passage is site furniture by its own wording, or ``None``:
    at least :data:`FURNITURE_SHARE` of its characters (spaces aside) are in
    furniture lines (:func:`is_furniture_line`). The reason names what the
    lines are: ``code``, ``links`` or ``notice or prompt``."""
    lines = [(len(line.strip()), line) for line in text.split("\n")]
    total = sum(n for n, _ in lines)
    hits = {"code": 0, "links": 0, "notice or prompt": 0}
    prose = 0
    # the longest lines first: a passage of reuse is rejected after a line or two of prose
    for n, line in sorted(lines, key=lambda x: -x[0]):
        if not n:
            break
        kind = furniture_kind(line)
        if kind is not None:
            hits[kind] += n
        else:
            prose += n
            if prose > (1 - FURNITURE_SHARE) * total:
                return None
    if not total or sum(hits.values()) < FURNITURE_SHARE * total:
        return None
    what = max(hits, key=lambda k: hits[k])
    return f"its wording is site furniture ({what})"


def mark_furniture(passages: Sequence[Passage], *, min_words: int = 12) -> list[Passage]:
    """The passages of one pair with site furniture told apart.

    A passage of kind ``passage`` whose wording is furniture
    (:func:`furniture_reason` of either side) becomes kind
    ``boilerplate``. One that is reuse with furniture lines at its head or
    foot, the same text in both documents (an agency story followed by the
    site's rights line), is cut in two or three: the furniture lines as
    ``boilerplate`` passages, the rest as the passage, when that keeps
    ``min_words`` words. Quotations are left as they are."""
    out: list[Passage] = []
    for p in passages:
        if p.kind != "passage":
            out.append(p)
        elif furniture_reason(p.a_text) or furniture_reason(p.b_text):
            out.append(replace(p, kind="boilerplate"))
        else:
            out.extend(_cut_furniture_ends(p, min_words))
    return out


def _furniture_run(text: str, *, tail: bool) -> int:
    """Where the run of furniture lines at the foot (``tail``) or head of
    ``text`` begins (foot) or ends (head), as an offset; ``len(text)`` (foot)
    or 0 (head) when there is none. Blank lines may stand between them."""
    lines = text.split("\n")
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    order = range(len(lines) - 1, -1, -1) if tail else range(len(lines))
    cut = len(text) if tail else 0
    for k in order:
        if not lines[k].strip():
            continue
        if not is_furniture_line(lines[k]):
            break
        cut = offsets[k] if tail else offsets[k] + len(lines[k])
    return cut


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` of ``text`` without the white space at its ends."""
    piece = text[start:end]
    return start + len(piece) - len(piece.lstrip()), end - (len(piece) - len(piece.rstrip()))


def _cut_furniture_ends(p: Passage, min_words: int) -> list[Passage]:
    a0, b0 = _furniture_run(p.a_text, tail=False), _furniture_run(p.b_text, tail=False)
    a1, b1 = _furniture_run(p.a_text, tail=True), _furniture_run(p.b_text, tail=True)
    # only furniture that is the same text in both documents is cut off
    if p.a_text[:a0] != p.b_text[:b0]:
        a0 = b0 = 0
    if p.a_text[a1:] != p.b_text[b1:]:
        a1, b1 = len(p.a_text), len(p.b_text)
    if (a0, a1) == (0, len(p.a_text)) or a0 >= a1:
        return [p]
    # the reused middle, without the blank lines around it
    a0, a1 = _strip(p.a_text, a0, a1)
    b0, b1 = _strip(p.b_text, b0, b1)
    head_words = len(tokenize(p.a_text[:a0]).words)
    foot_words = len(tokenize(p.a_text[a1:]).words)
    words = p.words - head_words - foot_words
    na, nb = len(tokenize(p.a_text[a0:a1]).words), len(tokenize(p.b_text[b0:b1]).words)
    if words < min_words or a1 <= a0 or b1 <= b0:
        return [p]
    sa, sb = p.a.start, p.b.start
    middle = Passage(Span(sa + a0, sa + a1), Span(sb + b0, sb + b1), p.a_text[a0:a1], p.b_text[b0:b1], words,
                     min(1.0, 2 * words / max(na + nb, 1)), "passage",
                     tuple(e for e in p.edits if sa + a0 <= e.a.start and e.a.end <= sa + a1
                           and sb + b0 <= e.b.start and e.b.end <= sb + b1))
    out = []
    if head_words:
        out.append(_furniture_part(p, 0, a0, 0, b0, head_words))
    out.append(middle)
    if foot_words:
        out.append(_furniture_part(p, a1, len(p.a_text), b1, len(p.b_text), foot_words))
    return out


def _furniture_part(p: Passage, a0: int, a1: int, b0: int, b1: int, words: int) -> Passage:
    """The stretch ``[a0, a1)`` / ``[b0, b1)`` of a passage (relative
    offsets, the same text on both sides) as a boilerplate passage."""
    a0, a1 = _strip(p.a_text, a0, a1)
    b0, b1 = _strip(p.b_text, b0, b1)
    return Passage(Span(p.a.start + a0, p.a.start + a1), Span(p.b.start + b0, p.b.start + b1),
                   p.a_text[a0:a1], p.b_text[b0:b1], words, 1.0, "boilerplate")


def boilerplate_reason(p: Passage) -> str | None:
    """The stored reason of a passage :func:`mark_furniture` made boilerplate."""
    if p.kind != "boilerplate":
        return None
    return furniture_reason(p.a_text) or furniture_reason(p.b_text) or "its wording is site furniture"


# --------------------------------------------------------------------------
# passages of a collection: furniture by its recurrence


@dataclass(frozen=True, slots=True)
class BoilerplateParams:
    """When a reprint cluster's text is furniture by its recurrence.

    A cluster is boilerplate when it has at least ``min_documents``
    documents; at least ``min_detached`` of its passages link two documents
    that share nothing else (no passage of another cluster that is not
    itself boilerplate); its copies are small parts of their documents (the
    median copy covers less than ``max_cover`` of its document's
    characters); and it recurs on the pages of few outlets: at least
    ``min_documents_per_outlet`` documents per outlet, with at least two
    outlets holding two or more of its documents (a template of a site
    network, not one page quoted by one other). Copies at a page's head or
    foot (ending in its first ``edge`` or starting in its last ``edge`` of
    the text, for at least ``min_edge`` of them) need only
    ``edge_documents_per_outlet``. A cluster of which at least half the
    passages are furniture by their wording is boilerplate whole, so the
    copies a rule missed by a few words go with the rest.
    """

    min_documents: int = 5
    min_detached: float = 0.5
    max_cover: float = 0.2
    min_documents_per_outlet: float = 2.5
    edge: float = 0.1
    min_edge: float = 0.8
    edge_documents_per_outlet: float = 2.0

    def __post_init__(self) -> None:
        if self.min_documents < 2:
            raise ValueError("BoilerplateParams.min_documents must be 2 or more")
        for name in ("min_detached", "max_cover", "edge", "min_edge"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"BoilerplateParams.{name} must be between 0 and 1")


# how a cluster found boilerplate by its recurrence is described (the numbers are filled in)
RECURRENCE_REASON = "recurs in {docs} documents of {outlets} outlets that share nothing else"


def collection_boilerplate(
    passage_cluster: np.ndarray,
    a_doc: np.ndarray,
    b_doc: np.ndarray,
    worded: np.ndarray,
    member_cluster: np.ndarray,
    member_doc: np.ndarray,
    member_start: np.ndarray,
    member_end: np.ndarray,
    doc_length: np.ndarray,
    doc_outlet: np.ndarray,
    params: BoilerplateParams | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which reprint clusters are boilerplate by their recurrence.

    Takes the passages' clusters (1-based, as `cluster.reprint_cluster_table`
    numbers them over *all* passages), the documents of each passage
    (integers ``0..n-1``), ``worded`` (the passages that are furniture by
    their wording, or not candidates at all: quotations count as reuse,
    not as furniture), the clusters' members, and per document its length
    in characters and an outlet code (one integer per outlet, any distinct
    negative number for an unknown one). Returns, per cluster (index
    ``cluster - 1``), whether it is boilerplate, and its document and outlet
    counts (for the reason). Repeats until no cluster changes, since a pair
    that shares two clusters of furniture shares nothing else either.
    """
    params = params or BoilerplateParams()
    n_clusters = int(member_cluster.max()) if len(member_cluster) else 0
    c0 = member_cluster.astype(np.int64) - 1
    per_doc = run_starts(c0, member_doc)  # one row per (cluster, document)
    docs = np.bincount(c0[per_doc], minlength=n_clusters)
    outlets = np.zeros(n_clusters, dtype=np.int64)
    shared_outlets = np.zeros(n_clusters, dtype=np.int64)  # outlets with two or more of its documents
    if len(c0):
        dc, mo = c0[per_doc], doc_outlet[member_doc[per_doc]].astype(np.int64)
        order = np.lexsort((mo, dc))
        dc, mo = dc[order], mo[order]
        first = run_starts(dc, mo)
        outlets = np.bincount(dc[first], minlength=n_clusters)
        run = np.cumsum(first) - 1
        run_docs = np.bincount(run)
        shared_outlets = np.bincount(dc[first][run_docs >= 2], minlength=n_clusters)
    length = np.maximum(doc_length[member_doc].astype(np.float64), 1.0)
    cover = (member_end - member_start) / length
    at_edge = (member_end <= params.edge * length) | (member_start >= (1 - params.edge) * length)
    median_cover = group_median(c0, cover, n_clusters)
    edge_share = np.bincount(c0, weights=at_edge, minlength=n_clusters) / np.maximum(
        np.bincount(c0, minlength=n_clusters), 1)
    pc0 = passage_cluster.astype(np.int64) - 1
    n_pass = np.maximum(np.bincount(pc0, minlength=n_clusters), 1)
    worded_share = np.bincount(pc0, weights=worded, minlength=n_clusters) / n_pass
    per_outlet = docs / np.maximum(outlets, 1)
    shape = (docs >= params.min_documents) & (median_cover < params.max_cover) & (shared_outlets >= 2) & (
        (per_outlet >= params.min_documents_per_outlet)
        | ((edge_share >= params.min_edge) & (per_outlet >= params.edge_documents_per_outlet)))
    banal = worded_share >= 0.5
    # the pairs of documents, numbered
    pair = np.unique(np.stack([a_doc, b_doc], axis=1).astype(np.int64), axis=0, return_inverse=True)[1].ravel()
    n_pairs = int(pair.max()) + 1 if len(pair) else 0
    candidates = np.maximum(np.bincount(pc0, weights=~worded, minlength=n_clusters), 1)
    while True:  # ends: banal only grows
        substantive = ~worded & ~banal[pc0]
        # per pair, how many clusters of substantive passages it has
        pc = np.unique(np.stack([pair[substantive], pc0[substantive]], axis=1), axis=0)
        alone = np.bincount(pc[:, 0], minlength=n_pairs)[pair] <= 1
        detached = np.bincount(pc0, weights=alone & ~worded, minlength=n_clusters) / candidates
        now = banal | (shape & (detached >= params.min_detached))
        if np.array_equal(now, banal):
            return banal, docs, outlets
        banal = now


def collection_boilerplate_reference(
    passages: Sequence[tuple[str, int, int, str, int, int]],
    worded: Sequence[bool],
    doc_length: Mapping[str, int],
    doc_outlet: Mapping[str, str | None],
    params: BoilerplateParams | None = None,
) -> list[bool]:
    """Slow twin of :func:`collection_boilerplate` over tuples: per reprint
    cluster of ``cluster.reprint_clusters(passages)`` (in its numbering),
    whether it is boilerplate by its recurrence."""
    from .cluster import reprint_clusters

    params = params or BoilerplateParams()
    clusters = reprint_clusters(passages)
    cluster_of = {k: c.id for c in clusters for k in c.passages}
    shape, banal = {}, {}
    for c in clusters:
        docs = {m.doc_id for m in c.members}
        by_outlet: dict[object, set[str]] = {}
        for d in docs:
            by_outlet.setdefault(doc_outlet.get(d) or ("none", d), set()).add(d)
        covers, edges = [], []
        for m in c.members:
            n = max(doc_length[m.doc_id], 1)
            covers.append((m.end - m.start) / n)
            edges.append(m.end <= params.edge * n or m.start >= (1 - params.edge) * n)
        per_outlet = len(docs) / max(len(by_outlet), 1)
        shape[c.id] = (len(docs) >= params.min_documents and statistics.median(covers) < params.max_cover
                       and sum(len(v) >= 2 for v in by_outlet.values()) >= 2
                       and (per_outlet >= params.min_documents_per_outlet
                            or (sum(edges) / len(edges) >= params.min_edge
                                and per_outlet >= params.edge_documents_per_outlet)))
        banal[c.id] = sum(worded[k] for k in c.passages) / len(c.passages) >= 0.5
    while True:
        clusters_of_pair: dict[tuple[str, str], set[int]] = {}
        for k, p in enumerate(passages):
            if not worded[k] and not banal[cluster_of[k]]:
                clusters_of_pair.setdefault((p[0], p[3]), set()).add(cluster_of[k])
        now = {}
        for c in clusters:
            mine = [k for k in c.passages if not worded[k]]
            alone = [k for k in mine if len(clusters_of_pair.get((passages[k][0], passages[k][3]), ())) <= 1]
            detached = len(alone) / max(len(mine), 1)
            now[c.id] = banal[c.id] or (shape[c.id] and detached >= params.min_detached)
        if now == banal:
            return [banal[c.id] for c in clusters]
        banal = now
