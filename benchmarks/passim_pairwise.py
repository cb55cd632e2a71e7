"""passim's own command, stopped once its pairwise alignments are written.

``spark-submit benchmarks/passim_pairwise.py --fields series --pairwise IN OUT``
runs ``passim.seriatim.main`` (an installed passim: see bench_vs_passim.py)
unchanged up to the step after ``OUT/align.json``: its clustering, which
needs the GraphFrames jar (a Maven download at run time), is replaced by a
clean exit. Used by bench_vs_passim.py; not part of newstrace.
"""

from __future__ import annotations

import sys

import passim.seriatim as seriatim  # type: ignore[import-not-found]


def _stop_before_clustering(config: object, extents: object) -> object:
    raise SystemExit(0)


if __name__ == "__main__":
    seriatim.clusterExtents = _stop_before_clustering
    seriatim.main(sys.argv[1:])
