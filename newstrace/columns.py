"""Helpers over numpy columns that several stages use (clusters, boilerplate, candidates)."""

from __future__ import annotations

import numpy as np

__all__ = ["group_median", "run_starts"]


def run_starts(*keys: np.ndarray) -> np.ndarray:
    """Where a new run of equal keys begins in columns sorted by ``keys``:
    a boolean mask, True at the first row of each run."""
    n = len(keys[0])
    out = np.zeros(n, dtype=bool)
    if n:
        out[0] = True
        for k in keys:
            out[1:] |= k[1:] != k[:-1]
    return out


def group_median(group: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """The median of ``values`` per group ``0..n_groups-1`` (0 for an empty group)."""
    out = np.zeros(n_groups, dtype=np.float64)
    if not len(group):
        return out
    order = np.lexsort((values, group))
    g, v = group[order], values[order]
    starts = np.flatnonzero(run_starts(g))
    ends = np.append(starts[1:], len(g))
    lo, hi = (starts + ends - 1) // 2, (starts + ends) // 2
    out[g[starts]] = (v[lo] + v[hi]) / 2
    return out
