"""The sources of a document in a store, as provenance infers them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Sequence

from ..labels import document_name
from ..records import Document, Passage
from .core import AnatomyError

if TYPE_CHECKING:
    from ..provenance.graph import ProvenanceGraph


def inferred_sources(docs: Sequence[Document], passages: Mapping[tuple[str, str], Sequence[Passage]], doc_id: str,
                     *, use_dates: bool = True) -> tuple[Document, list[Document], list[str]]:
    """The document ``doc_id`` of a story, its sources and notes on how they were chosen.

    The sources are its parents in the story's provenance graph
    (:func:`newstrace.provenance.trace_passages`). When its parents are
    placeholders (outlets it credits that are not in the collection), the
    documents that share text with it and do not derive from it stand in
    for them, and a note says so.

    Raises :class:`AnatomyError` when the document is not in the story or
    has no source to compare with.
    """
    from ..provenance import trace_passages

    if doc_id not in {d.id for d in docs}:
        raise AnatomyError(f"{doc_id!r} is not a document of this story")
    return sources_from_graph(trace_passages(docs, passages, use_dates=use_dates), docs, passages, doc_id)


def sources_from_graph(graph: ProvenanceGraph, docs: Sequence[Document],
                       passages: Mapping[tuple[str, str], Sequence[Passage]], doc_id: str
                       ) -> tuple[Document, list[Document], list[str]]:
    """:func:`inferred_sources` given the story's provenance ``graph`` (as
    computed, or as a store keeps it)."""
    by_id = {d.id: d for d in docs}
    if doc_id not in by_id:
        raise AnatomyError(f"{doc_id!r} is not a document of this story")
    parents = [e.source for e in graph.edges if e.target == doc_id]
    real = [p for p in parents if p in by_id and not graph.nodes[p].placeholder]
    if real:
        names = "; ".join(document_name(by_id[p]) for p in real)
        return by_id[doc_id], [by_id[p] for p in real], [f"sources inferred by provenance: {names}"]
    below: set[str] = set()
    todo = [doc_id]
    while todo:
        n = todo.pop()
        for e in graph.edges:
            if e.source == n and e.target not in below:
                below.add(e.target)
                todo.append(e.target)
    partners = sorted({b if a == doc_id else a for (a, b), ps in passages.items() if doc_id in (a, b) and ps} - below)
    if not partners:
        raise AnatomyError(f"{doc_id!r} has no source in the store: provenance makes it an original "
                           "(run 'newstrace provenance --db FILE DOC' to see its story)")
    missing = [graph.nodes[p].label for p in parents if p in graph.nodes]
    note = (f"its source{'s' * (len(missing) != 1)} ({'; '.join(missing)}) not in the collection; "
            if missing else "no source inferred; ")
    return by_id[doc_id], [by_id[p] for p in partners], [note + f"documents sharing its text stand in: {', '.join(partners)}"]
