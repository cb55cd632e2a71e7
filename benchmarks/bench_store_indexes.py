"""What DuckDB's key indexes cost a growing store (why schema 3 declares none).

    python benchmarks/bench_store_indexes.py --docs 1000000 --memory-limit 256MB

Appends synthetic documents (about 2.7 KB of text and 60 postings each) in
batches of 500, as a scan's ingest does, to two fresh stores: one with the
current schema (no key constraints on the tables that grow) and one whose
``documents`` table has the keys of schema version 2 (``doc_key`` PRIMARY
KEY, ``id`` and ``content_hash`` UNIQUE). Prints, every tenth of the way, the
process's RSS and what DuckDB says its indexes hold, then the peak RSS of
each run (each in its own process). A run that DuckDB stops (out of memory)
prints where. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

V2_DOCUMENTS = """CREATE TABLE documents (
    doc_key INTEGER PRIMARY KEY, id VARCHAR NOT NULL UNIQUE, content_hash VARCHAR NOT NULL UNIQUE,
    title VARCHAR, outlet VARCHAR, url VARCHAR, published VARCHAR, byline VARCHAR,
    source_path VARCHAR, length INTEGER, words INTEGER, run_id INTEGER,
    scanned BOOLEAN NOT NULL DEFAULT false, text VARCHAR NOT NULL)"""


def ingest(path: Path, docs: int, memory_limit: str, keys: bool) -> None:
    import duckdb
    import numpy as np

    from newstrace.engines.tables import DOCUMENT_COLUMNS
    from newstrace.store import SCHEMA, insert_rows

    con = duckdb.connect(str(path), config={"memory_limit": memory_limit})
    con.execute(SCHEMA)
    if keys:
        con.execute("DROP TABLE documents")
        con.execute(V2_DOCUMENTS)
    text = "lorem ipsum dolor sit amet " * 100
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    batches = docs // 500
    for b in range(batches):
        first = b * 500 + 1
        rows = [(k, f"doc-{k:08d}", hashlib.sha1(str(k).encode()).hexdigest(), None, None, None, None, None,
                 None, 1, 1, 1, False, f"{text}{k}") for k in range(first, first + 500)]
        try:
            con.execute("BEGIN")
            insert_rows(con, "documents", DOCUMENT_COLUMNS, rows)
            batch = {"shingle": rng.integers(-2**62, 2**62, size=500 * 60),  # noqa: F841
                     "doc_key": np.repeat(np.arange(first, first + 500, dtype=np.int32), 60)}
            con.execute("INSERT INTO postings SELECT shingle, doc_key FROM batch")
            con.execute("COMMIT")
        except duckdb.Error as e:
            print(f"  stopped by DuckDB after {first - 1:,} documents: {str(e).splitlines()[0]}")
            break
        if (b + 1) % max(1, batches // 10) == 0:
            held = dict(con.execute("SELECT tag, memory_usage_bytes FROM duckdb_memory()").fetchall())
            rss = int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            print(f"  {(b + 1) * 500:>10,} documents: RSS {rss / 1e6:5.0f} MB, indexes {held.get('ART_INDEX', 0) / 1e6:4.0f} MB, "
                  f"{time.perf_counter() - t0:.0f} s", flush=True)
    print(f"  peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3:.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=1_000_000)
    ap.add_argument("--memory-limit", default="256MB")
    ap.add_argument("--one", choices=["keys", "none"], help=argparse.SUPPRESS)  # a child run
    ap.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        ingest(args.store, args.docs, args.memory_limit, keys=args.one == "keys")
        return
    with tempfile.TemporaryDirectory(prefix="nt-bench-idx-") as tmp:
        for one, label in (("none", "schema 3 (no key constraints)"), ("keys", "documents with schema-2 keys")):
            print(f"{label}, {args.docs:,} documents, --memory-limit {args.memory_limit}:", flush=True)
            subprocess.run([sys.executable, __file__, "--one", one, "--store", str(Path(tmp) / f"{one}.duckdb"),
                            "--docs", str(args.docs), "--memory-limit", args.memory_limit], check=False)


if __name__ == "__main__":
    main()
