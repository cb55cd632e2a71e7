"""newstrace: trace how news is copied, quoted and reframed between outlets.

The library entry points are :func:`newstrace.compare.compare` (two
documents), :func:`newstrace.align.align` (two texts) and the loaders in
:mod:`newstrace.ingest`.
"""

__version__ = "0.1.0"
