"""Quality floors on PAN 2013's text-alignment training corpus (a fixed sample).

40 pairs of each subset, drawn with seed 1 (the design was looked at on seed
0's sample), scored with plagdet as ``benchmarks/bench_pan.py --sample 40
--seed 1`` prints them. Floors sit a little under what was measured when they
were pinned; lower one only on purpose, saying so in the commit.
"""

import pytest

from newstrace.evaluation.pan import evaluate, load_pairs, locate, sample_pairs

from .conftest import require_corpus

# subset: plagdet floor (measured when pinned: none 0.964, random 0.897,
# translation 0.869, summary 0.605, all 0.901; the verbatim aligner alone
# scores about 0.97, 0.51, 0.51, 0.09 and 0.64 on the whole corpus)
FLOORS = {
    "none": 0.95,
    "random": 0.88,
    "translation": 0.85,
    "summary": 0.58,
    "all": 0.89,
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
    assert scores["all"].scores.granularity <= 1.05  # 1.025 when pinned
