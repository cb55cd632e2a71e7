"""Labelled segments that tile a text exactly.

A labelling is given as layers of spans, painted in order (a later layer
wins where they overlap), over a default label. :func:`tile` turns it into
segments that cover the text from 0 to its end, contiguous and in order:

- runs of one ``(label, source, passage)`` become one segment;
- a run of only white space joins the run before it (the first run: the one
  after), so that the line breaks between two passages do not become tiny
  "added" segments;
- neighbouring segments that then agree merge.

:func:`tile_slow` is the obviously-correct twin (one character at a time)
that the property tests compare :func:`tile` with.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from ..records import Segment

Paint = tuple[int, int, str, "str | None", "int | None"]  # start, end, label, source, passage


def tile(text: str, default: str, layers: Sequence[Iterable[Paint]]) -> tuple[Segment, ...]:
    """Segments tiling ``text`` (see the module docstring)."""
    n = len(text)
    if n == 0:
        return ()
    keys: list[tuple[str, str | None, int | None]] = [(default, None, None)]
    index = {keys[0]: 0}
    code = np.zeros(n, dtype=np.int32)
    for layer in layers:
        for s, e, label, source, passage in layer:
            s, e = max(0, s), min(n, e)
            if s >= e:
                continue
            k = index.setdefault((label, source, passage), len(keys))
            if k == len(keys):
                keys.append((label, source, passage))
            code[s:e] = k
    change = np.flatnonzero(code[1:] != code[:-1]) + 1
    bounds = [0, *change.tolist(), n]
    runs = [(bounds[i], bounds[i + 1], int(code[bounds[i]])) for i in range(len(bounds) - 1)]
    return _merge(text, [(s, e, keys[k]) for s, e, k in runs])


def _merge(text: str, runs: list[tuple[int, int, tuple]]) -> tuple[Segment, ...]:
    """Fold white-space-only runs into their neighbour, then merge equal neighbours."""
    out: list[list] = []
    pending_ws: int | None = None  # start of leading white space before the first real run
    for s, e, key in runs:
        if text[s:e].isspace():
            if out:
                out[-1][1] = e
            elif pending_ws is None:
                pending_ws = s
            continue
        if pending_ws is not None:
            s, pending_ws = pending_ws, None
        if out and out[-1][2] == key:
            out[-1][1] = e
        else:
            out.append([s, e, key])
    if pending_ws is not None:  # the whole text is white space
        out.append([pending_ws, len(text), runs[0][2]])
    return tuple(Segment(s, e, key[0], key[1], key[2]) for s, e, key in out)


def tile_slow(text: str, default: str, layers: Sequence[Iterable[Paint]]) -> tuple[Segment, ...]:
    """Reference twin of :func:`tile`: a label per character, then one pass."""
    if not text:
        return ()
    per_char: list[tuple] = [(default, None, None)] * len(text)
    for layer in layers:
        for s, e, label, source, passage in layer:
            for i in range(max(0, s), min(len(text), e)):
                per_char[i] = (label, source, passage)
    runs: list[tuple[int, int, tuple]] = []
    for i, key in enumerate(per_char):
        if runs and runs[-1][2] == key:
            runs[-1] = (runs[-1][0], i + 1, key)
        else:
            runs.append((i, i + 1, key))
    # white-space runs: give each to the real run before it, or after it at the start
    real = [r for r in runs if not text[r[0]:r[1]].isspace()]
    if not real:
        return (Segment(0, len(text), runs[0][2][0], runs[0][2][1], runs[0][2][2]),)
    owner: list[tuple] = []
    for i in range(len(text)):
        before = [r for r in real if r[0] <= i]
        r = before[-1] if before else real[0]
        owner.append(r[2])
    segs: list[Segment] = []
    for i, key in enumerate(owner):
        if segs and (segs[-1].label, segs[-1].source, segs[-1].passage) == key:
            segs[-1] = Segment(segs[-1].start, i + 1, *key)
        else:
            segs.append(Segment(i, i + 1, *key))
    return tuple(segs)
