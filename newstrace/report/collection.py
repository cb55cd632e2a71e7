"""Read-only questions about a store for the overview, search and document pages.

Plain functions over a :class:`newstrace.store.Store`'s own questions
(no SQL here); every page is bounded (``limit``).
"""

from __future__ import annotations

from typing import Any

from ..records import Document
from ..store import Store
from .views import clip

MAX_LIMIT = 200


def _bounded(limit: int) -> int:
    return max(1, min(int(limit), MAX_LIMIT))


def overview(store: Store, *, stories: int = 20, clusters: int = 20) -> dict[str, Any]:
    """Counts, outlets, the largest stories and reprint clusters."""
    counts = store.counts()
    outlets = store.outlets(50)
    rows = store.largest_stories(_bounded(stories))
    firsts = store.labels([r[2] for r in rows])
    story_rows = [{"id": sid, "documents": n, "outlets": store.story_outlet_count(sid),
                   "first": clip(firsts.get(first, first), 90)} for sid, n, first in rows]
    cl = store.largest_clusters(_bounded(clusters))
    story_of = store.stories_of([r[3] for r in cl])
    top = max(outlets[0][1], 1) if outlets else 1
    return {
        "boilerplate_total": counts["boilerplate"],
        "boilerplate": [{"excerpt": clip(e or "", 200), "passages": n, "documents": d, "reason": why}
                        for e, n, d, why in store.boilerplate_summary(10)],
        "counts": counts, "outlets_total": store.outlet_count(), "stories_total": counts["stories"],
        "outlets": [{"name": o or "(no outlet)", "documents": n, "pct": round(100 * n / top, 1)} for o, n in outlets],
        "stories": story_rows,
        "clusters": [{"id": c, "size": s, "passages": p, "first": f, "story": story_of.get(f),
                      "excerpt": clip(e or "", 200)} for c, s, p, f, e in cl],
    }


def document_rows(store: Store, *, offset: int = 0, limit: int = 50) -> list[dict[str, Any]]:
    """A page of the document list, in scan order."""
    rows = store.document_page(offset=max(0, int(offset)), limit=_bounded(limit))
    return [{"id": i, "title": t, "name": name, "outlet": o, "published": p, "length": n, "story": s}
            for i, t, o, p, n, s, name in rows]


def search(store: Store, q: str, *, offset: int = 0, limit: int = 50) -> tuple[int, list[dict[str, Any]]]:
    """Documents whose title or text holds ``q`` (case-insensitive), with a snippet around the first hit."""
    q = q.strip()
    if not q:
        return 0, []
    total, rows = store.search(q, offset=max(0, int(offset)), limit=_bounded(limit), context=80)
    out = []
    for i, t, o, p, s, at, snip, name in rows:
        k = snip.lower().find(q.lower()) if at else -1
        parts = (snip[:k], snip[k:k + len(q)], snip[k + len(q):]) if k >= 0 else (snip[:200], "", "")
        out.append({"id": i, "title": t, "name": name, "outlet": o, "published": p, "story": s,
                    "before": " ".join(parts[0].split()), "hit": parts[1], "after": " ".join(parts[2].split())})
    return total, out


def document(store: Store, doc_id: str) -> tuple[Document, int | None] | None:
    rows = store.documents([doc_id])
    return rows[0] if rows else None
