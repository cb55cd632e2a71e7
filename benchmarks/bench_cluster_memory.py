"""Peak memory of rebuilding reprint clusters and stories of a finished store.

    python benchmarks/bench_cluster_memory.py STORE.duckdb [--memory-limit 256MB]

Rebuilds the store's clusters and stories in this process (as the last stage
of `newstrace scan` does) under DuckDB's memory limit, and prints the time,
the process's peak RSS and what DuckDB held at the end. Run it on stores of
different sizes to see whether memory follows the corpus or the limit.
Rewrites the store's clusters (the same ones). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newstrace.store import open_store  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store", type=Path)
    ap.add_argument("--memory-limit", default="1GB")
    args = ap.parse_args()
    t = time.perf_counter()
    st = open_store(args.store, memory_limit=args.memory_limit, create=False)
    docs = st.counts()["documents"]
    n = st.rebuild_clusters()
    held = st.con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchone()[0]
    st.close()
    print(f"{args.store}: {docs:,} documents, {n:,} clusters rebuilt in {time.perf_counter() - t:.1f} s "
          f"under --memory-limit {args.memory_limit}: peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.2f} GB, DuckDB held {held / 1e9:.2f} GB at the end")


if __name__ == "__main__":
    main()
