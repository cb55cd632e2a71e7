"""Shared test helpers.

The evaluation corpora live outside the repository, in ``../shared/corpora``
(or wherever ``NEWSTRACE_CORPORA`` points). They are for research use only:
tests read them, never copy their text into the repo. Tests that need them
skip with a reason when they are absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run by default, so that the
# README's test command (and CI) passes or fails the same way each time. Set
# HYPOTHESIS_PROFILE=explore to draw fresh random examples while developing;
# a failure found that way is a finding to fix or to note, not noise.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def corpora_dir() -> Path:
    """``$NEWSTRACE_CORPORA`` if set, else ``shared/corpora`` beside the repo."""
    env = os.environ.get("NEWSTRACE_CORPORA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "corpora"


def require_corpus(name: str) -> Path:
    """The folder of corpus ``name`` (e.g. ``bbc-news``); skips the test if absent."""
    path = corpora_dir() / name
    if not path.is_dir():
        pytest.skip(f"corpus {name!r} not found at {path} (set NEWSTRACE_CORPORA to its parent folder)")
    return path


@pytest.fixture(scope="session")
def bbc_articles() -> list[str]:
    """The BBC News articles, unpacked once into the cache; skips if absent."""
    from newstrace.evaluation.synth import load_bbc_articles, unpack_corpus

    tar = require_corpus("bbc-news") / "bbc-news.tar.xz"
    if not tar.is_file():
        pytest.skip(f"BBC archive missing: {tar}")
    return load_bbc_articles(unpack_corpus(tar))
