"""Search over a store: the app's word index against a scan of every text.

    PYTHONPATH=$PWD python3 benchmarks/bench_search.py --db /tmp/webapp-2018.duckdb

    PYTHONPATH=$PWD python3 benchmarks/bench_search.py --generate 200000 --db /tmp/gen.duckdb

``--generate N`` first writes a store of N documents of generated words (100 words each from a
20,000-word vocabulary, skewed like word frequencies; titles, 50 outlets, a year of dates; no
passages: a store for the list and search questions only) to ``--db``, which must not exist.

Builds the browsing index (`Store.browse_index`, as the app does at start) in a temporary
folder and prints its time and size, then for each query the documents found and the time of
the indexed search (`report.collection.search`) and of the ILIKE scan over every title and text
(`Store.search`, the app's search before the index), best of ``--repeat``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from newstrace.report.collection import search
from newstrace.store import open_store

QUERIES = ("trump", "trade war", "the", "said on tuesday", "vacc", "european union", "zzzz")


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def generate(db: str, n: int) -> None:
    """A store of ``n`` documents of generated words, written by SQL (see the module's doc)."""
    if Path(db).exists():
        raise SystemExit(f"bench_search: {db} exists; --generate writes a new store")
    store = open_store(db)
    con = store.con
    con.execute("SET memory_limit = '2GB'")
    syl = ["ka", "lo", "mi", "ten", "ra", "so", "vi", "del", "mar", "un", "pe", "tor", "bas", "qui", "zen", "ol",
           "tri", "na", "go", "fel", "ru", "ba", "cos", "ep", "ix", "lum", "sa", "dor"]
    con.execute("CREATE TEMP TABLE syl AS SELECT unnest(?::VARCHAR[]) AS s", [syl])
    con.execute("CREATE TEMP TABLE vocab AS SELECT row_number() OVER (ORDER BY w) - 1 AS k, w FROM "
                "(SELECT DISTINCT a.s || b.s || c.s AS w FROM syl a, syl b, syl c) LIMIT 20000")
    con.execute(f"""
        INSERT INTO documents (doc_key, id, content_hash, title, outlet, published, length, words, run_id,
                               scanned, text, published_at)
        WITH w AS (SELECT d.range AS i, j.range AS j,
                          floor(20000 * pow((hash(d.range * 131 + j.range) % 1000003) / 1000003.0, 3))::INT AS k
                   FROM range({int(n)}) d, range(100) j),
             t AS (SELECT i, string_agg(v.w, ' ' ORDER BY j) AS text FROM w JOIN vocab v USING (k) GROUP BY i)
        SELECT i, 'g-' || i, md5(text), 'Report ' || i || ' ' || split_part(text, ' ', 3), 'Outlet ' || (i % 50),
               strftime(DATE '2018-01-01' + (i % 365)::INT, '%Y-%m-%d'), length(text), 100, 1, true, text,
               (DATE '2018-01-01' + (i % 365)::INT)::TIMESTAMPTZ
        FROM t""")
    store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--generate", type=int, metavar="N", help="first write a generated store of N documents")
    ap.add_argument("queries", nargs="*", default=list(QUERIES))
    args = ap.parse_args()
    if args.generate:
        t = time.perf_counter()
        generate(args.db, args.generate)
        print(f"generated {args.generate:,} documents in {time.perf_counter() - t:.1f} s")
    root = open_store(args.db, read_only=True, create=False)
    with tempfile.TemporaryDirectory(prefix="newstrace-bench-index-") as tmp:
        t = time.perf_counter()
        root.browse_index(tmp)
        built = time.perf_counter() - t
        size = sum(p.stat().st_size for p in Path(tmp).iterdir())
        n = root.counts()["documents"]
        print(f"{args.db}: {n:,} documents; index built in {built:.2f} s, {size / 1e6:.1f} MB")
        s = root.with_index(tmp)
        for q in args.queries:
            ti, (total, _hits) = best(lambda q=q: search(s, q, limit=50), args.repeat)
            ts, (scanned, _rows) = best(lambda q=q: root.search(q, limit=50), args.repeat)
            print(f"  {q!r:22s} indexed {ti * 1000:7.1f} ms ({total:,} documents)   "
                  f"scan {ts * 1000:7.1f} ms ({scanned:,}: substrings too)")
    root.close()


if __name__ == "__main__":
    main()
