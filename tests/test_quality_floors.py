"""Quality floors of the alignment engine, pinned (an evaluation gate).

Planted-passage pairs built from BBC News articles at three obfuscation
levels, PAN-style (newstrace.evaluation.synth), scored with PAN's plagdet.
Fixed sample: 200 pairs per level, seed 0. The floors may only be lowered on
purpose, in a commit that says so.

Measured when pinned (python benchmarks/bench_alignment.py):
none 0.9973, light 0.9961, heavy 0.9750 plagdet; median boundary error 0.
"""

import pytest

from newstrace.align import align
from newstrace.evaluation.alignment import evaluate
from newstrace.evaluation.synth import make_benchmark

FLOORS = {"none": 0.98, "light": 0.97, "heavy": 0.92}
MAX_MEDIAN_BOUNDARY_ERROR = 3  # characters
PAIRS, SEED = 200, 0


@pytest.fixture(scope="module")
def shares_text():
    verdicts: dict = {}

    def check(source: str, target: str) -> bool:
        if (source, target) not in verdicts:
            verdicts[source, target] = bool(align(source, target))
        return verdicts[source, target]

    return check


@pytest.mark.corpus
@pytest.mark.parametrize("level", ["none", "light", "heavy"])
def test_plagdet_floor(bbc_articles, shares_text, level):
    pairs = make_benchmark(bbc_articles, level, PAIRS, SEED, exclude=shares_text)
    assert len(pairs) == PAIRS
    row = evaluate(pairs, align)
    assert row["plagdet"] >= FLOORS[level], row
    assert row["boundary_error_median"] <= MAX_MEDIAN_BOUNDARY_ERROR, row
    assert row["granularity"] <= 1.01, row
