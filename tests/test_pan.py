"""Quality floors on PAN 2013's text-alignment training corpus (a fixed sample).

40 pairs of each subset, drawn with seed 1 (the design was looked at on seed
0's sample), scored with plagdet as ``benchmarks/bench_pan.py --sample 40
--seed 1`` prints them. Floors sit a little under what was measured when they
were pinned; lower one only on purpose, saying so in the commit.
"""

import pytest

from newstrace.evaluation.pan import evaluate, load_pairs, locate, sample_pairs

from .conftest import require_corpus

# subset: plagdet floor (measured when pinned: none 0.998, random 0.929,
# translation 0.898, summary 0.675, all 0.932; first pinned at 0.964, 0.897,
# 0.869, 0.605, 0.901; the verbatim aligner alone scores about 0.97, 0.51,
# 0.51, 0.09 and 0.64 on the whole corpus)
FLOORS = {
    "none": 0.98,
    "random": 0.91,
    "translation": 0.88,
    "summary": 0.65,
    "all": 0.92,
}


@pytest.fixture(scope="module")
def scores():
    root = locate(require_corpus("pan13-train"))
    rows = evaluate(sample_pairs(root, 40, seed=1), "combined", workers=2)
    return {r.subset: r for r in rows}


@pytest.mark.corpus
def test_reader_matches_pan_counts():
    root = locate(require_corpus("pan13-train"))
    assert [len(load_pairs(root, s)) for s in ("no-plagiarism", "none", "random", "translation", "summary")] == [
        1000, 1000, 1000, 1000, 1185]
    none = load_pairs(root, "none")[:50]
    assert all(p.cases for p in none)
    assert not any(p.cases for p in load_pairs(root, "no-plagiarism")[:50])


@pytest.mark.slow
@pytest.mark.corpus
@pytest.mark.parametrize("subset", sorted(FLOORS))
def test_plagdet_floor(scores, subset):
    assert scores[subset].scores.plagdet >= FLOORS[subset]


@pytest.mark.slow
@pytest.mark.corpus
def test_clean_pairs_and_granularity(scores):
    assert scores["no-plagiarism"].flagged_clean <= 0.025  # 0 of 40 when pinned
    assert scores["all"].scores.granularity <= 1.03  # 1.006 when pinned (1.025 first)


def test_folds_are_stratified_and_fixed():
    from pathlib import Path

    from newstrace.evaluation.pan import PanPair, folds_of

    pairs = [PanPair(s, Path(f"susp{k}.txt"), Path(f"src{k}.txt"), ()) for s, n in (("none", 23), ("summary", 7))
             for k in range(n)]
    folds = folds_of(pairs, 5, seed=3)
    assert folds == folds_of(pairs, 5, seed=3)
    for s, n in (("none", 23), ("summary", 7)):
        sizes = [sum(1 for p, f in zip(pairs, folds) if p.subset == s and f == k) for k in range(5)]
        assert max(sizes) - min(sizes) <= 1 and sum(sizes) == n
