"""The engine on Urdu: COUNTER agency/newspaper pairs (../shared/corpora).

Tokenisation must work for any script; on COUNTER the newspaper stories
labelled wholly derived (WD) must align with their agency source, and far
more of their text must lie in passages than for non-derived (ND) ones.
"""

import statistics
import xml.etree.ElementTree as ET

import pytest

from newstrace.align import align
from newstrace.evaluation.synth import unpack_corpus

from .conftest import require_corpus


def _load(path):
    root = ET.parse(path).getroot()
    text = (root.findtext("headline") or "") + "\n\n" + (root.findtext("body") or "")
    return root.get("classification"), text


@pytest.fixture(scope="module")
def counter_pairs():
    folder = unpack_corpus(require_corpus("counter-urdu") / "counter-urdu.tar.xz")
    pairs = []
    for src in sorted(folder.glob("[0-9][0-9][0-9][0-9].xml")):
        derived = next(folder.glob(src.stem + "[pP].xml"))
        label, a = _load(src)
        _, b = _load(derived)
        pairs.append((label, a, b))
    assert len(pairs) == 600
    return pairs


@pytest.mark.corpus
def test_urdu_pairs_align(counter_pairs):
    coverage = {"WD": [], "PD": [], "ND": []}
    for label, a, b in counter_pairs:
        passages = align(a, b)
        for p in passages:
            assert a[p.a.start : p.a.end] == p.a_text
            assert b[p.b.start : p.b.end] == p.b_text
        covered = sum(p.b.end - p.b.start for p in passages)
        coverage[label].append(covered / len(b))
    wd, nd = coverage["WD"], coverage["ND"]
    # measured when written: 78 % of WD pairs have a passage; median coverage 0.61 (WD), 0 (ND)
    assert sum(c > 0 for c in wd) / len(wd) >= 0.75
    assert statistics.median(wd) >= 0.5
    assert statistics.median(nd) == 0.0
    assert statistics.mean(wd) > 3 * statistics.mean(nd)
