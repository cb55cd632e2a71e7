"""Engines: where the scan's stages run.

The embedded engine is :mod:`newstrace.engines.local` (DuckDB and a process
pool on one machine); :mod:`newstrace.engines.spark` runs the same stages as
Spark jobs (needs ``newstrace[spark]`` and Java). Both call the same
per-document and per-pair functions, which live with their stage
(:func:`newstrace.candidates.prepare`, :func:`newstrace.align.align_pairs`,
:func:`newstrace.cluster.cluster_collection`); an engine only moves data
between them. What they share besides: the tables' columns, row order and
row encoders (:mod:`newstrace.engines.tables`) and the scan's report and
progress printer (:mod:`newstrace.engines.report`).
"""
