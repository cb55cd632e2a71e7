"""Near-duplicates and reprint clusters in a scanned store: how many pairs, what they cost to align.

Reads a store that ``newstrace scan`` made (default: scans the 2018 syndication
collection, ``/work/data/news-event-clusters-2018`` or ``--collection``, into a
temporary store first) and prints:

- the candidate pairs that were aligned, and the near-duplicate pairs among
  them (the pair's verbatim passages hold at least ``--cover`` of the shorter
  document's words);
- the pairs the near-duplicate fast path takes (``newstrace.align.colinear_chain``:
  runs that make one colinear chain), and whether the fast path and the general
  path give the same passages on every pair (they must);
- the alignment seconds (CPU seconds of this process, best of ``--runs``,
  batches of 64 pairs as the scan aligns them) of every pair, of the pairs the
  fast path takes, with the fast path on and off;
- the pairs whose documents share a reprint cluster, their alignment seconds
  and passages;
- the document-level reprint groups (connected components of near-duplicate
  pairs): what aligning each new copy against a representative (the group's
  first stored document) instead of against every copy would skip, in pairs,
  seconds and stored passages.

    python benchmarks/bench_near_dup.py                     # scan the 2018 collection first
    python benchmarks/bench_near_dup.py --db store.duckdb   # a store already scanned

Prints figures; asserts nothing about times (it exits 1 if the two paths
differ on a pair).
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from newstrace.align import AlignParams, cached_docs, colinear_chain, align_docs_many, diagonal_runs, doc_seeds  # noqa: E402
from newstrace.cluster import connected_labels  # noqa: E402

import numpy as np  # noqa: E402

COLLECTION = Path("/work/data/news-event-clusters-2018")


def _scan(collection: Path, db: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "newstrace", "scan", str(collection), "--db", str(db), "--progress",
                        "never"], capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if r.returncode:
        sys.exit(r.stderr)
    print(r.stdout.strip().splitlines()[-1])


def _seconds(batches: list, params: AlignParams, fast_paths: bool) -> float:
    t0 = time.process_time()
    for b in batches:
        align_docs_many(b, params, fast_paths=fast_paths)
    return time.process_time() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, help="a store already scanned (default: scan --collection first)")
    ap.add_argument("--collection", type=Path, default=COLLECTION)
    ap.add_argument("--cover", type=float, default=0.8, help="near-duplicate: passages hold this share of the "
                    "shorter document's words (default 0.8)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    db = args.db
    if db is None:
        db = Path(tempfile.mkdtemp(prefix="nt-near-dup-")) / "store.duckdb"
        _scan(args.collection, db)
    con = duckdb.connect(str(db), read_only=True)
    params = AlignParams()  # the scan's defaults
    docs_rows = con.execute("SELECT doc_key, id, text, words FROM documents").fetchall()
    texts = {k: t for k, _, t, _ in docs_rows}
    words = {k: w for k, _, _, w in docs_rows}
    key_of = {i: k for k, i, _, _ in docs_rows}
    pairs = [(a, b) for a, b in con.execute("SELECT a_key, b_key FROM aligned_pairs ORDER BY a_key, b_key").fetchall()]
    matched = collections.Counter()
    rows = collections.Counter()
    for a, b, kind, w in con.execute("SELECT a_key, b_key, kind, words FROM passages").fetchall():
        rows[(a, b)] += 1
        if kind in ("passage", "boilerplate"):
            matched[(a, b)] += w
    near = {p for p in pairs if matched[p] >= args.cover * max(1, min(words[p[0]], words[p[1]]))}
    keys = sorted(texts)
    docs = dict(zip(keys, cached_docs([(k, texts[k]) for k in keys], params.ngram)))
    colinear = set()
    for a, b in pairs:
        si, sj = doc_seeds(docs[a], docs[b], params.max_seed_repeats)
        if colinear_chain(diagonal_runs(si, sj, params.ngram), 2 * params.max_gap) is not None:
            colinear.add((a, b))
    print(f"{len(pairs):,} aligned pairs, {sum(rows.values()):,} passages; near-duplicates (passages hold "
          f">= {args.cover:.0%} of the shorter document): {len(near):,} pairs; the fast path takes {len(colinear):,} "
          f"pairs ({len(colinear & near):,} of the near-duplicates)")

    # the two paths agree (every pair, in the scan's batches)
    batch = [[(docs[a], docs[b]) for a, b in pairs[k:k + 64]] for k in range(0, len(pairs), 64)]
    fast = [ps for b in batch for ps in align_docs_many(b, params)]
    slow = [ps for b in batch for ps in align_docs_many(b, params, fast_paths=False)]
    differ = [p for p, f, s in zip(pairs, fast, slow) if f != s]
    print(f"fast path and general path: {len(pairs) - len(differ):,} pairs the same, {len(differ)} differ")

    def timed(sel: list[tuple[int, int]]) -> tuple[float, float]:
        bs = [[(docs[a], docs[b]) for a, b in sel[k:k + 64]] for k in range(0, len(sel), 64)]
        on = off = float("inf")
        for _ in range(args.runs):  # interleaved, best of each
            on = min(on, _seconds(bs, params, True))
            off = min(off, _seconds(bs, params, False))
        return on, off

    seconds = {}
    for label, sel in (("every pair", pairs), ("the fast path's pairs", sorted(colinear)),
                       ("near-duplicate pairs", sorted(near))):
        on, off = seconds[label] = timed(sel)
        print(f"alignment CPU seconds, {label} ({len(sel):,}): fast path on {on:.2f}, off {off:.2f} "
              f"(on/off {on / off if off else 1:.2f})")
    total_on = seconds["every pair"][0]
    cost = total_on / max(1, len(pairs))

    # pairs inside a reprint cluster
    member = collections.defaultdict(set)
    for cid, doc_id in con.execute("SELECT cluster_id, doc_id FROM cluster_members").fetchall():
        member[key_of[doc_id]].add(cid)
    inside = [p for p in pairs if member[p[0]] & member[p[1]]]
    on, _ = timed(inside)
    print(f"pairs whose documents share a reprint cluster: {len(inside):,} of {len(pairs):,} "
          f"({len(inside) / max(1, len(pairs)):.0%}), {on:.2f} of {total_on:.2f} alignment CPU seconds, "
          f"{sum(rows[p] for p in inside):,} passages")
    largest = con.execute("SELECT size, passages FROM clusters ORDER BY passages DESC LIMIT 3").fetchall()
    print("  the largest clusters (documents, passages):", ", ".join(f"{s} docs {n:,}" for s, n in largest))

    # document-level reprint groups and a representative scheme
    idx = {k: n for n, k in enumerate(keys)}
    u = np.array([idx[a] for a, _ in sorted(near)], dtype=np.int64)
    v = np.array([idx[b] for _, b in sorted(near)], dtype=np.int64)
    label = connected_labels(len(keys), u, v)
    groups = collections.defaultdict(list)
    for k in keys:
        groups[int(label[idx[k]])].append(k)
    groups = {g: m for g, m in groups.items() if len(m) > 1}
    group_of = {k: g for g, m in groups.items() for k in m}
    rep = {g: min(m) for g, m in groups.items()}  # the first stored copy
    in_group = [p for p in pairs if p[0] in group_of and group_of[p[0]] == group_of.get(p[1])]
    skipped = [p for p in in_group if rep[group_of[p[0]]] not in p]
    sizes = collections.Counter(len(m) for m in groups.values())
    on, _ = timed(skipped) if skipped else (0.0, 0.0)
    print(f"document-level reprint groups (near-duplicate components): {len(groups)}, sizes "
          + ", ".join(f"{s}x{n}" for s, n in sorted(sizes.items(), reverse=True)))
    print(f"  candidate pairs inside them: {len(in_group):,}; a representative scheme would skip {len(skipped):,} "
          f"({len(skipped) / max(1, len(pairs)):.1%} of all pairs, {on:.2f} of {total_on:.2f} alignment CPU seconds), "
          f"whose {sum(rows[p] for p in skipped):,} stored passages it would have to derive or compute on demand")
    # can a skipped pair's passages be derived from the two copies' passages with the representative?
    spans = collections.defaultdict(list)  # (doc, other doc) -> the doc's character spans of their passages
    for a, b, a0, a1, b0, b1 in con.execute("SELECT a_key, b_key, a_start, a_end, b_start, b_end FROM passages "
                                            "WHERE kind <> 'rewritten'").fetchall():
        spans[(a, b)].append((a0, a1))
        spans[(b, a)].append((b0, b1))

    def outside(doc: int, pair_spans: list[tuple[int, int]], via: list[tuple[int, int]]) -> int:
        inside = np.zeros(len(texts[doc]) + 1, dtype=bool)
        for s0, s1 in via:
            inside[s0:s1] = True
        return sum(int((~inside[s0:s1]).sum()) for s0, s1 in pair_spans)

    beyond = []
    for a, b in skipped:
        r = rep[group_of[a]]
        n = outside(a, spans[(a, b)], spans[(a, r)]) + outside(b, spans[(b, a)], spans[(b, r)])
        beyond.append(n)
    print(f"  of the skipped pairs, {sum(n > 0 for n in beyond):,} have passages reaching text that the copies' "
          f"passages with the representative do not hold ({sum(beyond):,} characters): those passages cannot be "
          "derived through the representative")
    print(f"  (a pair costs {1e3 * cost:.2f} ms on average)")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
