"""A generated collection with known reuse, for scan benchmarks (corpus mode).

Base documents are drawn word by word from the word frequencies of a real
corpus (BBC News), with its sentence lengths and paragraphing, so they have
a realistic vocabulary and length but share no passage by construction.
(Real sentences drawn into many documents would recur across them and pose
as reuse the truth does not know.) A share of the documents then receive
1-3 passages planted from another document, at a mix of obfuscation levels,
by :func:`newstrace.evaluation.synth.make_pair`; the truth lists each
planted case with its source and derivative ids.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import regex

from .plagdet import Case
from .synth import LEVELS, NoRoomError, make_pair

_WORD = regex.compile(r"\S+")
_CLEAN = regex.compile(r"^[\p{L}\p{N}](?:.*[\p{L}\p{N}])?$")


@dataclass(frozen=True, slots=True)
class GeneratedCorpus:
    ids: list[str]
    texts: list[str]
    cases: list[Case]  # pair = (source id, derivative id)

    def write_jsonl(self, path: Path) -> None:
        with path.open("w", encoding="utf-8") as fh:
            for i, t in zip(self.ids, self.texts):
                fh.write(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n")


def word_model(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Words (with their trailing punctuation stripped) and their frequencies."""
    counts = Counter(w.strip(".,;:!?\"'()") for t in texts for w in _WORD.findall(t))
    # words that start and end with a letter or digit: sentences must start
    # with a word character for the planted cases' edges to be well defined
    counts = Counter({w: c for w, c in counts.items() if _CLEAN.match(w)})
    words = np.array(sorted(counts), dtype=object)
    freq = np.array([counts[w] for w in words], dtype=np.float64)
    return words, freq / freq.sum()


def base_documents(n: int, words_per_doc: int, model: tuple[np.ndarray, np.ndarray], rng: random.Random) -> list[str]:
    """``n`` documents of about ``words_per_doc`` words in sentences and paragraphs."""
    words, p = model
    g = np.random.default_rng(rng.randrange(2**32))
    total = n * words_per_doc
    draws = words[g.choice(len(words), size=total, p=p)]
    lengths = g.integers(8, 30, size=total // 8 + n)
    docs, pos, li = [], 0, 0
    for _ in range(n):
        paras, used = [], 0
        while used < words_per_doc:
            sents = []
            for _ in range(int(g.integers(1, 5))):
                k = int(lengths[li])
                li += 1
                s = draws[pos : pos + k]
                pos += k
                used += k
                sents.append(" ".join(s).capitalize() + ".")
            paras.append(" ".join(sents))
        docs.append("\n\n".join(paras))
    return docs


def make_corpus(
    real_texts: Sequence[str],
    n_docs: int,
    *,
    reuse_share: float = 0.1,
    words_per_doc: int = 600,
    seed: int = 0,
) -> GeneratedCorpus:
    """``n_docs`` documents, ``reuse_share`` of them carrying planted passages."""
    rng = random.Random(seed)
    model = word_model(real_texts)
    texts = base_documents(n_docs, words_per_doc, model, rng)
    ids = [f"g{k:07d}" for k in range(n_docs)]
    vocab = list(model[0][:5000])
    cases: list[Case] = []
    targets = rng.sample(range(n_docs), int(reuse_share * n_docs))
    # Sources are never targets, so no planting moves the text of a source;
    # and each source is used once, or two derivatives of one source would
    # share text that the truth does not list.
    sources = rng.sample(sorted(set(range(n_docs)) - set(targets)), len(targets))
    for t, s in zip(targets, sources):
        level = rng.choice(LEVELS)
        try:
            pair = make_pair(texts[s], texts[t], level, rng, pair=(ids[s], ids[t]), vocabulary=vocab)
        except NoRoomError:
            continue
        texts[t] = pair.suspicious
        cases += pair.cases
    return GeneratedCorpus(ids, texts, cases)


def score_scan(corpus: GeneratedCorpus, passages: Sequence[tuple[str, int, int, str, int, int]]) -> dict:
    """Score a scan's passages ``(a_id, a_start, a_end, b_id, b_start, b_end)``
    against the planted truth: character precision and recall (PAN's
    measures, over source and derivative characters), and precision and
    recall of document pairs."""
    from .plagdet import plagdet

    truth_pairs = {c.pair for c in corpus.cases}
    dets = []
    for a, a0, a1, b, b0, b1 in passages:
        if (b, a) in truth_pairs:  # orient as (source, derivative)
            a, a0, a1, b, b0, b1 = b, b0, b1, a, a0, a1
        dets.append(Case((a, b), a0, a1, b0, b1))
    s = plagdet(corpus.cases, dets)
    found = {d.pair for d in dets}
    tp = len(found & truth_pairs)
    return {
        "char_precision": s.precision,
        "char_recall": s.recall,
        "granularity": s.granularity,
        "plagdet": s.plagdet,
        "pair_precision": tp / len(found) if found else 1.0,
        "pair_recall": tp / len(truth_pairs) if truth_pairs else 1.0,
        "cases": len(corpus.cases),
        "passages": len(dets),
        "true_pairs": len(truth_pairs),
        "found_pairs": len(found),
    }
