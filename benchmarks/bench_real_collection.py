"""What a user sees after scanning a real collection: stories, boilerplate, names.

Scans a collection (by default the 2018 syndication collection in
``../shared/corpora/news-event-clusters-2018``, unpacked into a temporary
folder) with the embedded engine, or reads a store already made, and prints:

- the scan time (median of ``--runs``) and the process's peak memory;
- the story size distribution, and every story that mixes documents of two
  input files (for the 2018 collection each CSV file is one unrelated event,
  so a story that mixes two is wrong);
- documents from files that are not articles (URL lists) that sit in a story;
- the share of CSV documents whose title is not a path;
- passages by kind, and boilerplate by reason;
- an audit: passages of kind ``passage`` whose text still looks like site
  furniture to a broader lexicon than the scan's own rules (each one printed,
  to read);
- the 20 largest reprint clusters with their excerpt.

    python benchmarks/bench_real_collection.py                    # the 2018 collection
    python benchmarks/bench_real_collection.py --db n.duckdb      # a store already scanned
    python benchmarks/bench_real_collection.py PATH --preset news-2018 --runs 3
"""

from __future__ import annotations

import argparse
import collections
import re
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import duckdb

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "news-event-clusters-2018"

# broader than newstrace.boilerplate on purpose: what a reader would call furniture
AUDIT = re.compile(
    r"rights reserved|copyright|may not be (?:published|reproduced)|check out this story|cancel ?send|"
    r"link has been sent|taboola|newsletter|sign (?:me )?up|subscri|cookie|privacy policy|terms of (?:use|service)|"
    r"window\.|function\s*\(|\{\s*\w+\s*:|share this|read or share|click here|conversation guidelines|"
    r"enable javascript|follow us|zip code|your weather", re.I)


def _unpacked() -> Path:
    tar = CORPUS / "news-event-clusters-2018.tar.xz"
    if not tar.is_file():
        sys.exit(f"no corpus at {tar}; give a PATH or --db")
    out = Path(tempfile.mkdtemp(prefix="nt-2018-"))
    with tarfile.open(tar) as t:
        t.extractall(out, filter="data")
    return out / "news-event-clusters-2018"


def _scan(paths: list[str], db: Path, preset: str | None, runs: int) -> None:
    times = []
    for _ in range(runs):
        for f in (db, Path(str(db) + ".wal")):
            f.unlink(missing_ok=True)
        cmd = [sys.executable, "-m", "newstrace", "scan", *paths, "--db", str(db), "--progress", "never"]
        if preset:
            cmd += ["--preset", preset]
        t0 = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        if r.returncode:
            sys.exit(r.stderr)
    print(r.stdout.strip())
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"scan: median {statistics.median(times):.1f} s of {runs} ({', '.join(f'{t:.1f}' for t in times)}), "
          f"peak RSS of a scan process {peak:.0f} MB")


def report(db: Path) -> None:
    con = duckdb.connect(str(db), read_only=True)
    q = lambda sql, *a: con.execute(sql, list(a)).fetchall()  # noqa: E731
    n_docs = q("SELECT count(*) FROM documents")[0][0]
    sizes = collections.Counter(n for _, n in q("SELECT story_id, count(*) FROM stories GROUP BY 1"))
    in_story = sum(k * v for k, v in sizes.items())
    print(f"\n{n_docs} documents, {in_story} in {sum(sizes.values())} stories, {n_docs - in_story} in none")
    print("story sizes (size x count):", ", ".join(f"{k}x{v}" for k, v in sorted(sizes.items(), reverse=True)))
    mixed = q("""SELECT s.story_id, count(*), count(DISTINCT d.source_path), string_agg(DISTINCT
                 regexp_extract(d.source_path, '[^/]+$'), ', ') FROM stories s JOIN documents d ON d.id = s.doc_id
                 GROUP BY 1 HAVING count(DISTINCT d.source_path) > 1 ORDER BY 2 DESC""")
    print(f"stories mixing input files: {len(mixed)}")
    for m in mixed[:10]:
        print("  ", m)
    urls = q("""SELECT d.id FROM documents d JOIN stories s ON s.doc_id = d.id
                WHERE d.source_path NOT LIKE '%.csv' AND d.source_path LIKE '%label%'""")
    print(f"URL-list documents in a story: {len(urls)}")
    # a title is a path when it is the id, or a file name or path (with a record number)
    csv_docs, titled = q("""SELECT count(*), count(*) FILTER (WHERE title IS NOT NULL AND trim(title) <> ''
                            AND title <> id AND NOT regexp_matches(title,
                            '^[\\w./-]*\\.(csv|tsv|txt|html?|jsonl?|warc)(#\\d+)?$')) FROM documents
                            WHERE source_path LIKE '%.csv'""")[0]
    if csv_docs:
        print(f"CSV documents with a title that is not a path: {titled}/{csv_docs} ({titled / csv_docs:.1%})")
    print("passages by kind:", dict(q("SELECT kind, count(*) FROM passages GROUP BY 1 ORDER BY 2 DESC")))
    has_reason = any(r[0] == "boilerplate" for r in q("DESCRIBE passages"))
    if has_reason:
        print("boilerplate by reason:")
        for why, n in q("SELECT regexp_replace(boilerplate, '\\d+', 'N', 'g'), count(*) FROM passages "
                        "WHERE kind = 'boilerplate' GROUP BY 1 ORDER BY 2 DESC"):
            print(f"  {n:6} {why}")
    left = q("""SELECT p.cluster_id, p.words, substr(d.text, p.a_start + 1, p.a_end - p.a_start)
                FROM passages p JOIN documents d ON d.doc_key = p.a_key WHERE p.kind = 'passage'""")
    hits = collections.Counter()
    for cid, _words, text in left:
        m = AUDIT.search(text)
        if m:
            hits[(cid, m.group(0).lower(), text[max(0, m.start() - 60): m.end() + 60].replace("\n", " / "))] += 1
    print(f"audit: {sum(hits.values())} passages of kind 'passage' hold a furniture word "
          f"(in {len({k[0] for k in hits})} clusters); read them:")
    for (cid, word, ctx), n in sorted(hits.items(), key=lambda x: -x[1])[:25]:
        print(f"  cluster {cid} x{n} [{word}] …{ctx}…")
    print("\nthe 20 largest reprint clusters (documents, passages, excerpt):")
    for cid, size, npass, ex in q("SELECT cluster_id, size, passages, excerpt FROM clusters "
                                  "ORDER BY size DESC, passages DESC, cluster_id LIMIT 20"):
        print(f"  #{cid:<5} {size:4} docs {npass:5} passages  {(ex or '')[:110]!r}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*", help="what to scan (default: the 2018 collection)")
    ap.add_argument("--db", type=Path, help="a store to report on (scanned first when PATHs are given)")
    ap.add_argument("--preset", default=None)
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    if args.db and not args.paths and args.db.exists():
        report(args.db)
        return
    paths = args.paths or [str(_unpacked())]
    preset = args.preset or (None if args.paths else "news-2018")
    db = args.db or Path(tempfile.mkdtemp(prefix="nt-bench-")) / "store.duckdb"
    _scan(paths, db, preset, args.runs)
    report(db)


if __name__ == "__main__":
    main()
