"""Engines: where the scan's stages run.

The embedded engine is :mod:`newstrace.scan` (DuckDB and a process pool on
one machine); :mod:`newstrace.engines.spark` runs the same stages as Spark
jobs (needs ``newstrace[spark]`` and Java). Both call the same per-document
and per-pair functions; an engine only moves data between them.
"""
