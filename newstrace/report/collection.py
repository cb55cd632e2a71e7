"""Read-only questions about a store for the overview, search and document pages.

Plain functions over a :class:`newstrace.store.Store`; every query is
bounded (``limit``), and user text only ever reaches DuckDB as a bound
parameter.
"""

from __future__ import annotations

from typing import Any

from ..labels import label_from
from ..records import Document
from ..store import Store
from .views import clip

MAX_LIMIT = 200
_HEAD = "left(text, 400)"  # enough of the text to label a document that has no title


def _bounded(limit: int) -> int:
    return max(1, min(int(limit), MAX_LIMIT))


def overview(store: Store, *, stories: int = 20, clusters: int = 20) -> dict[str, Any]:
    """Counts, outlets, the largest stories and reprint clusters."""
    con = store.con
    counts = store.counts()
    outlets = con.execute("SELECT coalesce(outlet, ''), count(*) FROM documents GROUP BY 1 ORDER BY 2 DESC, 1 "
                          "LIMIT 50").fetchall()
    n_outlets = con.execute("SELECT count(DISTINCT outlet) FROM documents").fetchone()[0]
    n_stories = con.execute("SELECT count(DISTINCT story_id) FROM stories").fetchone()[0]
    rows = store.largest_stories(_bounded(stories))
    firsts = {i: label_from(t, x) for i, t, x in con.execute(
        f"SELECT id, title, {_HEAD} FROM documents WHERE id IN (SELECT unnest(?::VARCHAR[]))",
        [[r[2] for r in rows]]).fetchall()} if rows else {}
    story_rows = []
    for sid, n, first in rows:
        outs = con.execute("SELECT count(DISTINCT d.outlet) FROM documents d JOIN stories s ON s.doc_id = d.id "
                           "WHERE s.story_id = ?", [sid]).fetchone()[0]
        story_rows.append({"id": sid, "documents": n, "outlets": outs, "first": clip(firsts.get(first, first), 90)})
    cl = con.execute("SELECT cluster_id, size, passages, first_doc, excerpt FROM clusters "
                     "ORDER BY size DESC, passages DESC, cluster_id LIMIT ?", [_bounded(clusters)]).fetchall()
    story_of = dict(con.execute("SELECT doc_id, story_id FROM stories WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))",
                                [[r[3] for r in cl]]).fetchall()) if cl else {}
    top = max(outlets[0][1], 1) if outlets else 1
    n_boiler = con.execute("SELECT count(*) FROM passages WHERE kind = 'boilerplate'").fetchone()[0]
    return {
        "boilerplate_total": n_boiler,
        "boilerplate": [{"excerpt": clip(e or "", 200), "passages": n, "documents": d, "reason": why}
                        for e, n, d, why in store.boilerplate_summary(10)],
        "counts": counts, "outlets_total": n_outlets, "stories_total": n_stories,
        "outlets": [{"name": o or "(no outlet)", "documents": n, "pct": round(100 * n / top, 1)} for o, n in outlets],
        "stories": story_rows,
        "clusters": [{"id": c, "size": s, "passages": p, "first": f, "story": story_of.get(f),
                      "excerpt": clip(e or "", 200)} for c, s, p, f, e in cl],
    }


def document_rows(store: Store, *, offset: int = 0, limit: int = 50) -> list[dict[str, Any]]:
    """A page of the document list, in scan order."""
    rows = store.con.execute(
        f"SELECT d.id, d.title, d.outlet, d.published, d.length, s.story_id, {_HEAD} FROM documents d "
        "LEFT JOIN stories s ON s.doc_id = d.id ORDER BY d.doc_key LIMIT ? OFFSET ?",
        [_bounded(limit), max(0, int(offset))]).fetchall()
    return [{"id": i, "title": t, "name": label_from(t, x), "outlet": o, "published": p, "length": n, "story": s}
            for i, t, o, p, n, s, x in rows]


def search(store: Store, q: str, *, offset: int = 0, limit: int = 50) -> tuple[int, list[dict[str, Any]]]:
    """Documents whose title or text holds ``q`` (case-insensitive), with a snippet around the first hit."""
    q = q.strip()
    if not q:
        return 0, []
    like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    where = "(d.text ILIKE ? ESCAPE '\\' OR d.title ILIKE ? ESCAPE '\\')"
    total = store.con.execute(f"SELECT count(*) FROM documents d WHERE {where}", [like, like]).fetchone()[0]
    rows = store.con.execute(
        f"SELECT d.id, d.title, d.outlet, d.published, s.story_id, "
        f"strpos(lower(d.text), lower(?)) AS at, substr(d.text, greatest(strpos(lower(d.text), lower(?)) - 80, 1), "
        f"{160 + len(q)}), {_HEAD} FROM documents d LEFT JOIN stories s ON s.doc_id = d.id WHERE {where} "
        f"ORDER BY d.doc_key LIMIT ? OFFSET ?",
        [q, q, like, like, _bounded(limit), max(0, int(offset))]).fetchall()
    out = []
    for i, t, o, p, s, at, snip, head in rows:
        k = snip.lower().find(q.lower()) if at else -1
        parts = (snip[:k], snip[k:k + len(q)], snip[k + len(q):]) if k >= 0 else (snip[:200], "", "")
        out.append({"id": i, "title": t, "name": label_from(t, head), "outlet": o, "published": p, "story": s,
                    "before": " ".join(parts[0].split()), "hit": parts[1], "after": " ".join(parts[2].split())})
    return total, out


def document(store: Store, doc_id: str) -> tuple[Document, int | None] | None:
    rows = store.documents([doc_id])
    return rows[0] if rows else None
