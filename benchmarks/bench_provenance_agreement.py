"""Do a store's provenance decisions agree with their own evidence?

For every story of a store (as ``newstrace scan`` left it) it traces the
provenance graph and prints:

- the pair decisions that go against their own date evidence, split by
  what carried them (a credit; another stated reason: a wire outlet or an
  aggregator page; the text evidence alone);
- the template matches, and the edges that leave an aggregator or index page;
- the wholly derived documents whose containment, or passage coverage,
  against their document parents is under 0.5;
- the longest chain (hops from a root) and its story.

    python benchmarks/bench_provenance_agreement.py STORE.duckdb

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newstrace.align import word_ids  # noqa: E402
from newstrace.provenance import trace_passages  # noqa: E402
from newstrace.provenance.aggregators import aggregator_reason  # noqa: E402
from newstrace.provenance.direction import STATED  # noqa: E402
from newstrace.provenance.reuse import passage_share, word_containment  # noqa: E402
from newstrace.store import open_store  # noqa: E402
from newstrace.text import tokenize  # noqa: E402


def _coverage(passages, source: str, doc: str, length: int) -> float:
    if (source, doc) in passages:
        return passage_share(passages[(source, doc)], "b", length)
    return passage_share(passages.get((doc, source), []), "a", length)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db", help="a store written by newstrace scan")
    args = ap.parse_args()
    store = open_store(args.db, read_only=True)
    t0 = time.perf_counter()
    against: Counter[str] = Counter()
    relations: Counter[str] = Counter()
    aggregator_sources = wholly = low_containment = low_coverage = 0
    longest = (0, None)
    for sid, n, _first in store.largest_stories(limit=10**9):
        if n < 2:
            continue
        docs, passages = store.story(sid)
        g = trace_passages(docs, passages)
        by_id = {d.id: d for d in docs}
        for d in g.decisions:
            relations[d.relation] += 1
            if d.relation not in ("a->b", "b->a"):
                continue
            won = "a" if d.relation == "a->b" else "b"
            date = next((e for e in d.evidence if e.kind == "date"), None)
            if date is None or date.favours == won:
                continue
            kinds = {e.kind for e in d.evidence if e.favours == won and e.weight > 0}
            against["a credit" if "credit" in kinds else "another stated reason" if kinds & STATED
                    else "the text alone"] += 1
        aggregators = {x.id for x in docs if aggregator_reason(x.outlet, x.url, x.text)}
        aggregator_sources += sum(e.source in aggregators for e in g.edges)
        tokens: dict[str, list[str]] = {}
        for i, cls in g.reuse_class.items():
            parents = [e.source for e in g.parents(i) if not g.nodes[e.source].placeholder]
            if cls != "wholly" or not parents:
                continue
            wholly += 1
            for x in (i, *parents):
                tokens.setdefault(x, tokenize(by_id[x].text))
            cont = max(word_containment(word_ids(tokens[s], tokens[i])[1], word_ids(tokens[s], tokens[i])[0])
                       for s in parents)
            cov = max(_coverage(passages, s, i, len(by_id[i].text)) for s in parents)
            low_containment += cont < 0.5
            low_coverage += cov < 0.5
        h = max(g.hops.values(), default=0)
        if h > longest[0]:
            longest = (h, sid)
    store.close()
    decided = relations["a->b"] + relations["b->a"]
    print(f"{args.db}: {sum(relations.values()):,} pair decisions: "
          + ", ".join(f"{k} {v:,}" for k, v in relations.most_common()))
    print(f"against their own date evidence: {sum(against.values()):,} of {decided:,} "
          f"({', '.join(f'{k}: {v:,}' for k, v in against.most_common()) or 'none'})")
    print(f"edges leaving an aggregator or index page: {aggregator_sources:,}")
    print(f"wholly derived below a document: {wholly:,}; containment < 0.5: {low_containment:,}; "
          f"passage coverage < 0.5: {low_coverage:,}")
    print(f"longest chain: {longest[0]} hops (story {longest[1]}); {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
