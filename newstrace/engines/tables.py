"""The tables both engines write: column lists, row order and the encoders
of the values that go into them.

The embedded engine writes them into the store (:mod:`newstrace.store`,
whose ``SCHEMA`` declares them); the Spark engine writes the export tables
as Parquet with the same columns and row order, which ``newstrace import``
(`Store.load_tables`) reads back. Documented for users in docs/store.md.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any

from ..records import Document, Edit, Passage, SentencePair, Span

# the store's documents and passages tables, in their declared order
DOCUMENT_COLUMNS = ["doc_key", "id", "content_hash", "title", "outlet", "url", "published", "byline",
                    "source_path", "length", "words", "run_id", "scanned", "text"]
PASSAGE_COLUMNS = ["passage_id", "a_key", "a_id", "a_start", "a_end", "b_key", "b_id", "b_start", "b_end",
                   "words", "similarity", "kind", "edits", "run_id", "boilerplate"]

# the tables of ``newstrace export`` (and of a Spark scan's output): their
# columns, in order, and the columns their rows are sorted by
EXPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("id", "title", "outlet", "url", "published", "byline", "source_path", "length", "words",
                  "content_hash", "text"),
    "passages": ("passage_id", "a_id", "a_start", "a_end", "b_id", "b_start", "b_end", "words", "similarity",
                 "kind", "cluster_id", "edits", "boilerplate"),
    "duplicates": ("id", "duplicate_of", "source_path"),
    "clusters": ("cluster_id", "size", "passages", "doc_id", "start", "end", "excerpt"),
}
EXPORT_ORDER: dict[str, tuple[str, ...]] = {
    "documents": ("doc_key",),  # the order the documents were read in
    "passages": ("passage_id",),
    "duplicates": ("duplicate_of", "id"),
    "clusters": ("cluster_id", "doc_id", "start"),
}

# the stored analysis (newstrace.analysis), as the store holds it, `export` writes it and
# `import` loads it: every table carries the story_key of its story
ANALYSIS_COLUMNS: dict[str, tuple[str, ...]] = {
    "analysis_stories": ("story_key", "story_id", "documents", "summary", "graph", "measures"),
    "analysis_pairs": ("story_key", "seq", "a_id", "b_id", "relation", "confidence", "common_source", "evidence",
                       "common_credits"),
    "analysis_edges": ("story_key", "seq", "source", "target", "confidence", "placeholder", "evidence"),
    "analysis_nodes": ("story_key", "node_id", "label", "placeholder", "outlet", "published", "reuse_class", "hops",
                       "root"),
    "analysis_documents": ("doc_id", "story_key", "reuse_class", "hops", "sources", "notes", "no_sources",
                           "quotations"),
    "analysis_quote_links": ("story_key", "seq", "a_id", "a_index", "b_id", "b_index", "b_start", "b_end",
                             "similarity", "flags", "diff"),
}
ANALYSIS_ORDER: dict[str, tuple[str, ...]] = {
    "analysis_stories": ("story_id", "story_key"),
    "analysis_pairs": ("story_key", "seq"),
    "analysis_edges": ("story_key", "seq"),
    "analysis_nodes": ("story_key", "node_id"),
    "analysis_documents": ("story_key", "doc_id"),
    "analysis_quote_links": ("story_key", "seq"),
}


def content_hash(text: str) -> str:
    """The ``content_hash`` column: what keeps a text from being stored twice."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def edits_json(p: Passage) -> str:
    """A passage's edits as the ``edits`` column holds them (every engine
    writes this); for a ``rewritten`` passage, which has no edit script, its
    sentence pairs (``SentencePair.as_dict``)."""
    if p.kind == "rewritten":
        return json.dumps([x.as_dict() for x in p.sentences])
    return json.dumps([e.as_dict() for e in p.edits], ensure_ascii=False)


def stored_passage(a: Span, b: Span, a_text: str, b_text: str, words: int, similarity: float, kind: str,
                   edits: str | None) -> Passage:
    """A passage as a store row holds it (``edits`` the column :func:`edits_json` wrote)."""
    items = json.loads(edits or "[]")
    if kind == "rewritten":
        pairs = tuple(SentencePair(Span(x["a"]["start"], x["a"]["end"]), Span(x["b"]["start"], x["b"]["end"]),
                                   x["similarity"]) for x in items)
        return Passage(a, b, a_text, b_text, words, similarity, "rewritten", sentences=pairs)
    eds = tuple(Edit(e["op"], Span(e["a_start"], e["a_end"]), Span(e["b_start"], e["b_end"]), e["a_text"],
                     e["b_text"]) for e in items)
    return Passage(a, b, a_text, b_text, words, similarity, kind, eds)  # type: ignore[arg-type]


def published_text(d: Document) -> str | None:
    """The ``published`` column: the document's date in ISO form, or NULL."""
    return d.published.isoformat() if d.published else None


def parameters_dict(*params: Any) -> dict[str, Any]:
    """The parameters of a run as the ``runs`` table and a Spark manifest hold
    them: the fields of the parameter dataclasses, merged."""
    out: dict[str, Any] = {}
    for p in params:
        out.update(asdict(p))
    return out
