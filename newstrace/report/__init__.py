"""An offline HTML report: a pair of articles side by side, or a whole store
(an overview, a page per story, pair pages), every style and script inside
the files.

- :mod:`.runs`: highlighted text as escaped-later runs;
- :mod:`.views`: the data each page shows (library calls, no markup);
- :mod:`.graph_svg`: the provenance graph laid out for SVG;
- :mod:`.collection`: read-only store queries (overview, search);
- :mod:`.render`: the Jinja2 environment (autoescape on) and static files.
"""

from __future__ import annotations

from pathlib import Path
from ..align import AlignParams
from ..outputs import Staged, write_text
from ..records import Document
from .render import render
from .views import Links, pair_view, stored_story, story_view

__all__ = ["Links", "pair_report", "site_report", "pair_view", "story_view", "render"]


def pair_report(a: Document, b: Document, params: AlignParams | None = None) -> str:
    """The pair view of two documents as one self-contained HTML page."""
    return render("pair.html", view=pair_view(a, b, params), nav=[])


def site_report(store, out_dir: Path, *, stories: int = 20, pairs_per_story: int = 30,
                params: AlignParams | None = None) -> list[Path]:
    """Write ``index.html`` (the overview), ``story-N.html`` for the largest
    ``stories`` stories and ``pair-N-K.html`` for the pairs of each that
    share text. File names are made here (never from document ids); links
    are relative. Returns the files written."""
    with Staged(out_dir) as staged:  # every page or none: the site as it was on any failure
        return _site_pages(store, out_dir, staged, stories, pairs_per_story, params)


def _site_pages(store, out_dir: Path, staged: Staged, stories: int, pairs_per_story: int,
                params: AlignParams | None) -> list[Path]:
    from .collection import overview

    written: list[Path] = []
    ov = overview(store, stories=stories)
    story_ids = [s["id"] for s in ov["stories"]]
    home = [("Overview", "index.html")]

    def write(name: str, html: str) -> None:
        path = out_dir / name
        staged.path(path).write_text(html, encoding="utf-8")
        written.append(path)

    for sid in story_ids:
        docs, passages = store.story(sid)
        by_id = {d.id: d for d in docs}
        ranked = sorted(((a, b) for (a, b), ps in passages.items() if ps),
                        key=lambda ab: -sum(p.words for p in passages[ab]))[:pairs_per_story]
        names = {ab: f"pair-{sid}-{k + 1}.html" for k, ab in enumerate(ranked)}
        def pair(x: str, y: str, names: dict[tuple[str, str], str] = names) -> str | None:
            return names.get((x, y)) or names.get((y, x))

        links = Links(story=lambda s: f"story-{s}.html" if s in story_ids else None, pair=pair)
        view = story_view(docs, passages, links, story_id=sid, stored=stored_story(store, sid, list(by_id)))
        write(f"story-{sid}.html", render("story.html", view=view, nav=home))
        for (a, b), name in names.items():
            view = pair_view(by_id[a], by_id[b], params, links)
            write(name, render("pair.html", view=view, nav=home + [(f"Story {sid}", f"story-{sid}.html")]))
    ov_links = {"story": {s: f"story-{s}.html" for s in story_ids}}
    write("index.html", render("index.html", ov=ov, links=ov_links, db=Path(store.path).name, docs=None,
                               nav=[]))
    return written


def write_pair_report(a: Document, b: Document, out: Path, params: AlignParams | None = None) -> Path:
    """Write the pair report to ``out`` whole (an existing file stays as it was on any failure)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_text(out, pair_report(a, b, params))
