"""Provenance against corpora with known direction and reuse labels.

COUNTER (Urdu agency copy → newspaper story, labelled wholly / partially /
non-derived) and Clough & Stevenson (Wikipedia source → student answers,
labelled cut / light / heavy / non). The corpora stay in ../shared; these
functions read them from an unpacked folder.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from ..align import align_tokens, word_ids
from ..records import Document
from ..text import tokenize
from ..provenance.direction import decide, profile
from ..provenance.reuse import passage_share, reuse_class, word_containment

COUNTER_CLASSES = {"WD": "wholly", "PD": "partially", "ND": "non"}
CLASSES = ("wholly", "partially", "non")


@dataclass(frozen=True, slots=True)
class LabelledPair:
    source: Document
    derived: Document
    label: str  # wholly / partially / non


def _counter_doc(path: Path) -> tuple[Document, str]:
    root = ET.parse(path).getroot()
    text = (root.findtext("headline") or "") + "\n\n" + (root.findtext("body") or "")
    try:
        day = _dt.datetime.strptime(root.get("newsdate", ""), "%d.%m.%y").date()
    except ValueError:
        day = None
    return Document(id=path.stem, text=text, outlet=root.get("newspaper"), published=day), root.get("classification", "")


def load_counter(folder: Path) -> list[LabelledPair]:
    """The 600 COUNTER pairs from its unpacked folder."""
    out = []
    for src in sorted(folder.glob("[0-9][0-9][0-9][0-9].xml")):
        derived = next(folder.glob(src.stem + "[pP].xml"))
        a, _ = _counter_doc(src)
        b, label = _counter_doc(derived)
        out.append(LabelledPair(a, b, COUNTER_CLASSES[label]))
    return out


def load_clough_stevenson(folder: Path) -> list[LabelledPair]:
    """Each answer with the Wikipedia source of its task (``orig`` rows
    left out); labels ``cut``, ``light``, ``heavy``, ``non``."""
    import csv

    from ..ingest.text import decode_fallback

    def read(name: str) -> str:
        return decode_fallback((folder / name).read_bytes())[0]

    rows = list(csv.DictReader((folder / "file_information.csv").open(encoding="utf-8")))
    sources = {r["Task"]: Document(id=f"orig_task{r['Task']}.txt", text=read(f"orig_task{r['Task']}.txt"))
               for r in rows if r["Category"] == "orig"}
    return [LabelledPair(sources[r["Task"]], Document(id=r["File"], text=read(r["File"])), r["Category"])
            for r in rows if r["Category"] != "orig"]


def clough_stevenson_stories(pairs: Sequence[LabelledPair]) -> list[tuple[str, str, str, bool]]:
    """Each task as a collection (its original and every answer), traced
    as one story: ``(answer, label, relation of the (original, answer)
    decision, original is an ancestor of the answer in the graph)`` for
    each answer that shares passages with its original."""
    from ..provenance import trace_passages

    tasks: dict[str, list[Document]] = {}
    labels = {}
    for p in pairs:
        tasks.setdefault(p.source.id, [p.source]).append(p.derived)
        labels[p.derived.id] = p.label
    out: list[tuple[str, str, str, bool]] = []
    for src, docs in sorted(tasks.items()):
        tokens = {d.id: tokenize(d.text) for d in docs}
        passages = {}
        for x, y in itertools.combinations(docs, 2):
            ps = align_tokens(tokens[x.id], tokens[y.id])
            if ps:
                passages[(x.id, y.id)] = ps
        g = trace_passages(docs, passages)
        up: dict[str, set[str]] = {}
        for e in g.edges:
            up.setdefault(e.target, set()).add(e.source)

        def ancestors(n: str, up: dict[str, set[str]] = up) -> set[str]:  # this story's edges
            seen, todo = set(), [n]
            while todo:
                for m in up.get(todo.pop(), ()):
                    if m not in seen:
                        seen.add(m)
                        todo.append(m)
            return seen

        for d in g.decisions:
            if d.a == src:
                out.append((d.b, labels[d.b], d.relation, src in ancestors(d.b)))
    return out


@dataclass(frozen=True, slots=True)
class PairOutcome:
    label: str
    relation: str           # decided relation, a = the known source
    containment: float      # derived in source
    coverage: float         # share of the derived text in passages


def evaluate_pairs(pairs: Iterable[LabelledPair], *, use_dates: bool = True, use_outlets: bool = True
                   ) -> list[PairOutcome]:
    """Align and decide each pair with the known source as A; evidence
    limited as asked (``use_dates=False``: no publication dates;
    ``use_outlets=False``: no outlet metadata either, the texts alone)."""
    out = []
    for p in pairs:
        a, b = p.source, p.derived
        if not use_outlets:
            a, b = replace(a, outlet=None), replace(b, outlet=None)
        ta, tb = tokenize(a.text), tokenize(b.text)
        passages = align_tokens(ta, tb)
        d = decide(profile(a, use_dates=use_dates), profile(b, use_dates=use_dates), passages,
                   words=(len(ta), len(tb)))
        ia, ib = word_ids(ta, tb)
        out.append(PairOutcome(p.label, d.relation, word_containment(ib, ia), passage_share(passages, "b", len(b.text))))
    return out


def direction_accuracy(outcomes: list[PairOutcome], derived_labels: Iterable[str]) -> tuple[float, dict[str, int]]:
    """Share of derived pairs decided ``a->b`` and the count of each relation."""
    keep = [o for o in outcomes if o.label in set(derived_labels)]
    counts: dict[str, int] = {}
    for o in keep:
        counts[o.relation] = counts.get(o.relation, 0) + 1
    return counts.get("a->b", 0) / max(1, len(keep)), counts


def f1_scores(truth: list[str], pred: list[str], classes: Iterable[str]) -> dict[str, float]:
    out = {}
    for c in classes:
        tp = sum(t == c and p == c for t, p in zip(truth, pred))
        n = sum(t == c for t in truth) + sum(p == c for p in pred)
        out[c] = 2 * tp / n if n else 0.0
    return out


def confusion(truth: list[str], pred: list[str], classes: tuple[str, ...] = CLASSES) -> list[list[int]]:
    """Rows: true class; columns: predicted class."""
    return [[sum(t == r and p == c for t, p in zip(truth, pred)) for c in classes] for r in classes]


def _classify(o: PairOutcome, wholly_at: float, partially_at: float) -> str:
    return reuse_class(o.containment, o.coverage, wholly_at=wholly_at, partially_at=partially_at)


def choose_thresholds(outcomes: list[PairOutcome]) -> tuple[float, float]:
    """The (wholly, partially) containment thresholds that maximise macro-F1."""
    grid = sorted({round(float(q), 3) for q in np.quantile([o.containment for o in outcomes], np.linspace(0, 1, 61))})
    best = (-1.0, 1.0, 0.0)
    truth = [o.label for o in outcomes]
    for lo, hi in itertools.combinations(grid, 2):
        pred = [_classify(o, hi, lo) for o in outcomes]
        m = float(np.mean(list(f1_scores(truth, pred, CLASSES).values())))
        if m > best[0]:
            best = (m, hi, lo)
    return best[1], best[2]


def cross_validated_classes(outcomes: list[PairOutcome], folds: int = 10, seed: int = 0) -> list[str]:
    """Each pair's class with thresholds chosen on the other folds."""
    order = np.random.default_rng(seed).permutation(len(outcomes))
    pred: list[str] = [""] * len(outcomes)
    for part in np.array_split(order, folds):
        held = set(part.tolist())
        hi, lo = choose_thresholds([o for k, o in enumerate(outcomes) if k not in held])
        for k in part:
            pred[k] = _classify(outcomes[k], hi, lo)
    return pred


def shipped_classes(outcomes: list[PairOutcome]) -> list[str]:
    """Each pair's class with the thresholds newstrace ships."""
    return [reuse_class(o.containment, o.coverage) for o in outcomes]


def binary_f1(truth: list[str], pred: list[str]) -> float:
    """F1 of derived (wholly or partially) against non-derived."""
    t = ["d" if x != "non" else "n" for x in truth]
    p = ["d" if x != "non" else "n" for x in pred]
    return f1_scores(t, p, ("d",))["d"]


WIRES = ("Associated Press", "Reuters")


@dataclass(frozen=True, slots=True)
class ClusterRoot:
    cluster_id: int
    size: int
    wire: str               # the wire most members credit
    crediting: int          # members crediting it for the whole article
    root: str | None        # the cluster's root in the provenance graph of its story
    root_label: str | None
    ok: bool                # that root is the wire (placeholder or its copy)
    excerpt: str


def wire_roots(store, *, use_dates: bool = True) -> list[ClusterRoot]:
    """For each reprint cluster (of each story's provenance graph) whose
    copies credit a wire service (AP, Reuters) for the whole article in at
    least two documents: is the cluster's root the wire?"""
    from collections import Counter

    from ..provenance import trace_passages
    from ..provenance.credits import find_credits

    out = []
    for story, _, _ in store.largest_stories(limit=10**9):
        docs, passages = store.story(story)
        g = trace_passages(docs, passages, use_dates=use_dates)
        by_id = {d.id: d for d in docs}
        for cl in g.clusters:
            members = {m.doc_id for m in cl.members}
            credit = Counter(w for d in members for w in {c.outlet for c in find_credits(by_id[d].text)
                                                          if c.whole_article and c.outlet in WIRES})
            if not credit or credit.most_common(1)[0][1] < 2:
                continue
            wire, n = credit.most_common(1)[0]
            root = g.cluster_roots.get(cl.id)
            node = g.nodes.get(root) if root else None
            ok = node is not None and (node.outlet == wire if node.placeholder else
                                 wire in {c.outlet for c in find_credits(by_id[root].text) if c.whole_article})
            m0 = cl.members[0]
            out.append(ClusterRoot(cl.id, len(members), wire, n, root, node.label if node else None, ok,
                                   by_id[m0.doc_id].text[m0.start:m0.end][:200]))
    return out


def scan_2018(corpus_tar: Path, db: Path) -> None:
    """Scan the 2018 news collection (its archive in ../shared) into ``db``."""
    from ..ingest.collection import PRESETS, iter_collection
    from ..engines.local import scan
    from ..store import open_store
    from .synth import unpack_corpus

    folder = unpack_corpus(corpus_tar)
    fields, sep = PRESETS["news-2018"]
    store = open_store(db)
    try:
        scan(store, iter_collection([str(p) for p in sorted(folder.glob("*.csv"))], fields=fields,
                                    csv_paragraph_separator=sep))
    finally:
        store.close()
