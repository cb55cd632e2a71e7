"""Tokenising and shingling speed alone, on the generated collection of bench_scan.

Generates the same collection as ``bench_scan.py`` (N documents of about 600
words from BBC word statistics) and times, in one process, interleaved over
--runs rounds:

- ``tokenize_slow``: the tokeniser's slow twin, the WORD pattern match by
  match with a Python append per word (what ``tokenize`` was before it was
  vectorised), one document at a time;
- ``tokenize_many``: the vectorised tokeniser, in batches of --batch
  documents (what a scan's ingest workers run);
- the candidate stage's per-document work, tokens and sampled shingles:
  word by word (``tokenize_slow`` + ``word_hash`` per word) and batched
  (``candidates.prepare_many``).

With ``--baseline DIR`` it also times, in the same process and
interleaved, the tokeniser of another tree (``DIR/newstrace``, loaded under
another package name): its ``tokenize_slow`` where it has one (on the tree
before this tokeniser was vectorised, ``tokenize`` itself), and prints the
vectorised tokeniser's speed against it. Run against an older tree
(``PYTHONPATH=/path/to/old python3 benchmarks/bench_tokenise.py``), where
only ``tokenize`` exists, it times that as the one tokeniser. Prints
figures; asserts nothing.

    python benchmarks/bench_tokenise.py --docs 20000 --runs 3
    python benchmarks/bench_tokenise.py --docs 20000 --runs 3 --baseline ../main
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from newstrace import candidates, text
from newstrace.evaluation.corpus import make_corpus
from newstrace.evaluation.synth import load_bbc_articles, unpack_corpus

ROOT = Path(__file__).resolve().parents[1]


def baseline_tokenizer(tree: Path):
    """The slow twin (or the one tokeniser) of the tree at ``tree``, imported
    as package ``newstrace_baseline`` beside this tree's ``newstrace``."""
    spec = importlib.util.spec_from_file_location("newstrace_baseline", tree / "newstrace" / "__init__.py",
                                                  submodule_search_locations=[str(tree / "newstrace")])
    assert spec is not None and spec.loader is not None
    pkg = importlib.util.module_from_spec(spec)
    sys.modules["newstrace_baseline"] = pkg
    spec.loader.exec_module(pkg)
    from newstrace_baseline import text as old  # type: ignore[import-not-found]

    return getattr(old, "tokenize_slow", old.tokenize)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=500, help="documents per tokenize_many call (a scan's batch)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--baseline", type=Path, help="another tree whose slow tokeniser to time alongside")
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    args = ap.parse_args()

    real = load_bbc_articles(unpack_corpus(args.corpora / "bbc-news" / "bbc-news.tar.xz"))
    texts = make_corpus(real, args.docs, reuse_share=0.1, seed=args.seed).texts
    chars = sum(map(len, texts))
    params = candidates.CandidateParams()
    slow = getattr(text, "tokenize_slow", text.tokenize)
    fast = getattr(text, "tokenize_many", None)
    prepare_many = getattr(candidates, "prepare_many", None)
    b = args.batch

    def one_by_one() -> int:
        return sum(len(slow(t)) for t in texts)

    def batched() -> int:
        assert fast is not None
        return sum(len(t) for at in range(0, len(texts), b) for t in fast(texts[at : at + b]))

    def shingle_word_by_word() -> int:
        n = 0
        for s in texts:
            tok = slow(s)
            ids = np.fromiter((candidates.word_hash(w) for w in tok.words), dtype=np.uint64, count=len(tok))
            n += len(candidates.shingles_of_hashes(ids, params)) if hasattr(candidates, "shingles_of_hashes") \
                else len(candidates.shingles(tok, params))
        return n

    def shingle_batched() -> int:
        assert prepare_many is not None
        return sum(len(sh) for at in range(0, len(texts), b) for _, sh in prepare_many(texts[at : at + b], params))

    cases = {"tokenise, one document at a time (tokenize_slow)": one_by_one,
             "tokens + shingles, word by word": shingle_word_by_word}
    base_name = ""
    if args.baseline is not None:
        old = baseline_tokenizer(args.baseline.resolve())
        base_name = f"tokenise, one at a time ({args.baseline.name}'s {old.__name__})"
        cases[base_name] = lambda: sum(len(old(t)) for t in texts)
    if fast is not None and prepare_many is not None:
        cases["tokenise, vectorised (tokenize_many)"] = batched
        cases["tokens + shingles, vectorised (prepare_many)"] = shingle_batched
    if fast is not None:  # warm the per-process tables (built once per worker) outside the timings
        t = time.perf_counter()
        fast(["warm up"])
        print(f"character tables built in {time.perf_counter() - t:.2f} s (once per process)")
    times: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(args.runs):
        for name, fn in cases.items():  # interleaved: a load spike hits every case alike
            getattr(candidates, "forget_word_hashes", candidates._WORD_HASH.clear)()  # a cold word-hash cache
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    print(f"{len(texts):,} documents, {chars / 1e6:.1f} M characters; median of {args.runs} interleaved runs")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"  {name:52s} {med:7.2f} s  ({chars / med / 1e6:5.1f} M characters/s; runs {', '.join(f'{x:.2f}' for x in ts)})")
    if fast is not None and prepare_many is not None:
        names = list(times)
        fast_names = [n for n in names if "vectorised" in n]
        for slow_name, fast_name in ((names[0], fast_names[0]), (names[1], fast_names[1])):
            ratio = statistics.median(times[slow_name]) / statistics.median(times[fast_name])
            print(f"  {fast_name.split(',')[0]}: vectorised is {ratio:.1f}x faster")
        if base_name:
            ratio = statistics.median(times[base_name]) / statistics.median(times["tokenise, vectorised (tokenize_many)"])
            print(f"  tokenise: vectorised is {ratio:.1f}x faster than {base_name.split('(')[1].rstrip(')')}")


if __name__ == "__main__":
    main()
