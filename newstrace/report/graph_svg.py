"""A provenance graph laid out for an SVG drawing, server side.

A simple layered layout: each node on the row of its hop count (roots on
top), nodes of a row side by side in publication order. The result is plain
numbers and strings; the template draws and escapes them. Placeholder
sources (outlets credited but not in the collection) are drawn dashed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from ..provenance import ProvenanceGraph

PALETTE = ("#4e79a7", "#e08a3c", "#59a14f", "#b07aa1", "#4a9d9a", "#c9a227", "#d37295", "#9c755f",
           "#7f7f7f", "#c4554d")
NODE_W, NODE_H, GAP_X, GAP_Y, PAD = 220, 46, 40, 96, 24
MAX_NODES = 80  # a larger story is drawn in part (the nodes nearest the roots); the lists show all


@dataclass(frozen=True, slots=True)
class SvgNode:
    id: str
    x: float
    y: float
    label: str
    sub: str
    color: str
    placeholder: bool
    href: str | None
    title: str


@dataclass(frozen=True, slots=True)
class SvgEdge:
    d: str
    lx: float
    ly: float
    label: str
    title: str


@dataclass(frozen=True, slots=True)
class SvgGraph:
    width: int
    height: int
    nodes: tuple[SvgNode, ...]
    edges: tuple[SvgEdge, ...]
    hidden: int  # nodes left out of the drawing
    node_w: int = NODE_W
    node_h: int = NODE_H


def outlet_colors(outlets) -> dict[str, str]:
    """A colour per outlet, stable for a given set of outlets (sorted order)."""
    return {o: PALETTE[k % len(PALETTE)] for k, o in enumerate(sorted({o for o in outlets if o}))}


def _short(s: str, n: int) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "\u2026"


def layout(g: ProvenanceGraph, colors: Mapping[str, str], href: Callable[[str], str | None] = lambda _: None,
           labels: Mapping[str, str] | None = None) -> SvgGraph:
    """Positions for every node and a curve and label for every edge."""
    labels = labels or {}
    order = sorted(g.nodes.values(), key=lambda n: (g.hops.get(n.id, 0), n.published or "9999", n.id))
    shown = order[:MAX_NODES]
    rows: dict[int, list] = {}
    for n in shown:
        rows.setdefault(g.hops.get(n.id, 0), []).append(n)
    width = max(len(r) for r in rows.values()) * (NODE_W + GAP_X) - GAP_X + 2 * PAD if rows else 2 * PAD
    pos: dict[str, tuple[float, float]] = {}
    nodes = []
    for k, hop in enumerate(sorted(rows)):
        row = rows[hop]
        span = len(row) * (NODE_W + GAP_X) - GAP_X
        x0 = (width - span) / 2
        y = PAD + k * (NODE_H + GAP_Y)
        for j, n in enumerate(row):
            x = x0 + j * (NODE_W + GAP_X)
            pos[n.id] = (x, y)
            color = "#8a8a8a" if n.placeholder else colors.get(n.outlet or "", "#6b7a8f")
            name = labels.get(n.id) or n.label
            sub = " \u00b7 ".join(x for x in (n.outlet if not n.placeholder else "not in the collection",
                                               n.published) if x)
            nodes.append(SvgNode(n.id, x, y, _short(name, 25), _short(sub, 34), color, n.placeholder,
                                 None if n.placeholder else href(n.id), name))
    edges = []
    for e in g.edges:
        if e.source not in pos or e.target not in pos:
            continue
        (sx, sy), (tx, ty) = pos[e.source], pos[e.target]
        x1, y1 = sx + NODE_W / 2, sy + NODE_H
        x2, y2 = tx + NODE_W / 2, ty - 4
        if ty <= sy:  # same row or upwards: leave from the side
            x1, y1 = (sx + NODE_W, sy + NODE_H / 2) if tx > sx else (sx, sy + NODE_H / 2)
            x2, y2 = (tx, ty + NODE_H / 2) if tx > sx else (tx + NODE_W, ty + NODE_H / 2)
        mid = (y1 + y2) / 2
        d = f"M{x1:.1f},{y1:.1f} C{x1:.1f},{mid:.1f} {x2:.1f},{mid:.1f} {x2:.1f},{y2:.1f}"
        kinds = list(dict.fromkeys(ev.kind.replace("_", " ") for ev in e.evidence))
        label = ", ".join(kinds[:3]) + (f" +{len(kinds) - 3}" if len(kinds) > 3 else "")
        label = _short(f"{label} \u00b7 {e.confidence:.0%}" if label else f"{e.confidence:.0%}", 34)
        title = "\n".join(f"{ev.kind}: {ev.detail}" for ev in e.evidence) or "no evidence listed"
        # the label sits just above the arrow head, so labels of edges into different nodes stay apart
        lx, ly = (x2, y2 - 12) if ty > sy else ((x1 + x2) / 2, mid - 6)
        edges.append(SvgEdge(d, lx, ly, label, title))
    height = PAD * 2 + len(rows) * (NODE_H + GAP_Y) - GAP_Y if rows else 2 * PAD
    return SvgGraph(int(width), int(height), tuple(nodes), tuple(edges), len(order) - len(shown))


# --------------------------------------------------------------------------
# a story's timeline: who published when, and what came from whom

TL_LANE, TL_LEFT, TL_WIDTH, TL_TOP, TL_LANES = 34, 190, 1000, 34, 14


@dataclass(frozen=True, slots=True)
class TimelineDot:
    id: str
    x: float
    y: float
    color: str
    href: str | None
    title: str


@dataclass(frozen=True, slots=True)
class TimelinePlot:
    width: int
    height: int
    lanes: tuple[tuple[float, str], ...]   # (y, outlet)
    ticks: tuple[tuple[float, str], ...]   # (x, date)
    dots: tuple[TimelineDot, ...]
    arrows: tuple[tuple[str, str], ...]    # (SVG path, title)
    undated: int                           # documents with no date, drawn at the right edge
    left: int = TL_LEFT


def timeline_layout(docs: list[dict], edges: list[tuple[str, str, int]], colors: Mapping[str, str],
                    href: Callable[[str], str | None] = lambda _: None) -> TimelinePlot:
    """Documents ``{id, name, outlet, published, at}`` on a time axis, one
    lane per outlet (the :data:`TL_LANES` - 1 largest; the rest share the
    last), and an arrow for each ``(source, derivative, words)`` edge."""
    import datetime as _dt

    count: dict[str, int] = {}
    for d in docs:
        count[d["outlet"] or ""] = count.get(d["outlet"] or "", 0) + 1
    ranked = sorted(count, key=lambda o: (-count[o], o))
    lanes = ranked[:TL_LANES - 1]
    other = len(ranked) > len(lanes)
    lane_of = {o: k for k, o in enumerate(lanes)}
    stamps = [d["at"].timestamp() for d in docs if isinstance(d.get("at"), _dt.datetime)]
    t0, t1 = (min(stamps), max(stamps)) if stamps else (0.0, 1.0)
    span = max(t1 - t0, 1.0)
    right = TL_LEFT + TL_WIDTH
    pos: dict[str, tuple[float, float]] = {}
    dots = []
    stack: dict[tuple[int, int], int] = {}
    for d in docs:
        lane = lane_of.get(d["outlet"] or "", len(lanes))
        at = d.get("at")
        x = TL_LEFT + 10 + (TL_WIDTH - 40) * ((at.timestamp() - t0) / span) if isinstance(at, _dt.datetime) \
            else right - 8
        key = (lane, int(x // 6))
        k = stack.get(key, 0)  # dots at the same place step down a little
        stack[key] = k + 1
        y = TL_TOP + lane * TL_LANE + TL_LANE / 2 + min(k, 3) * 4 - 6
        pos[d["id"]] = (x, y)
        title = " \u00b7 ".join(x for x in (d["name"], d["outlet"], d["published"]) if x)
        dots.append(TimelineDot(d["id"], round(x, 1), round(y, 1), colors.get(d["outlet"] or "", "#6b7a8f"),
                                href(d["id"]), title))
    arrows = []
    for s, t, words in edges:
        if s in pos and t in pos:
            (x1, y1), (x2, y2) = pos[s], pos[t]
            x2 += -8 if x2 >= x1 else 8  # the head stops at the dot's edge
            mx = (x1 + x2) / 2
            arrows.append((f"M{x1:.1f},{y1:.1f} C{mx:.1f},{y1:.1f} {mx:.1f},{y2:.1f} {x2:.1f},{y2:.1f}",
                           f"{words} shared words"))
    ticks = []
    if stamps:
        for k in range(5):
            when = t0 + span * k / 4
            ticks.append((round(TL_LEFT + 10 + (TL_WIDTH - 40) * k / 4, 1),
                          _dt.datetime.fromtimestamp(when, _dt.UTC).strftime("%Y-%m-%d %H:%M")))
    names = [*(o or "(no outlet)" for o in lanes), *(["other outlets"] if other else [])]
    rows = tuple((TL_TOP + k * TL_LANE + TL_LANE / 2, _short(n, 26)) for k, n in enumerate(names))
    return TimelinePlot(right + 20, int(TL_TOP + len(names) * TL_LANE + 30), rows, tuple(ticks), tuple(dots),
                        tuple(arrows), sum(1 for d in docs if not isinstance(d.get("at"), _dt.datetime)))
