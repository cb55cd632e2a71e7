"""The PAN 2013 text-alignment training corpus: reader and runner.

The corpus (Potthast et al., "Overview of the 5th International Competition
on Plagiarism Detection", PAN 2013) holds suspicious and source documents
(``susp/``, ``src/``) and five subsets of document pairs, one folder each,
with a ``pairs`` file (``suspicious-documentNNNNN.txt source-documentMMMMM.txt``
per line) and one XML truth file per pair whose ``plagiarism`` features give
``this_offset``/``this_length`` in the suspicious document and
``source_offset``/``source_length`` in the source, in characters of the text
as read (UTF-8, line ends kept).

:func:`locate` finds the corpus (unpacked, or its archive unpacked once
into the cache); :func:`load_pairs` reads a subset; :func:`evaluate` runs a detector (any
function from ``(source_text, suspicious_text)`` to ``(src_start, src_end,
susp_start, susp_end)`` tuples) over pairs and scores it per subset and over
all of them with :func:`newstrace.evaluation.plagdet.plagdet`, adding the
share of pairs without plagiarism on which anything was detected.

The corpus is for research use: it is read where it lies, never copied.
"""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .plagdet import Case, Scores, plagdet

if TYPE_CHECKING:
    from ..rewritten import RewriteParams

__all__ = ["SUBSETS", "PanPair", "locate", "SubsetScores", "load_pairs", "sample_pairs", "evaluate",
           "verbatim_detector", "combined_detector", "rewritten_detector", "detect_all", "score",
           "CrossValidation", "cross_validate", "folds_of"]

# Subset name -> folder, in PAN's order.
SUBSETS = {
    "no-plagiarism": "01-no-plagiarism",
    "none": "02-no-obfuscation",
    "random": "03-random-obfuscation",
    "translation": "04-translation-obfuscation",
    "summary": "05-summary-obfuscation",
}

Detection = tuple[int, int, int, int]
Detector = Callable[[str, str], Sequence[Detection]]


@dataclass(frozen=True, slots=True)
class PanPair:
    """One suspicious/source pair of a subset and its truth cases
    (``(src_start, src_end, susp_start, susp_end)``, half-open)."""

    subset: str
    suspicious: Path
    source: Path
    cases: tuple[Detection, ...]

    @property
    def id(self) -> str:
        return f"{self.suspicious.stem}-{self.source.stem}"


def locate(folder: Path) -> Path:
    """The corpus root under ``folder``: ``folder`` itself when it holds the
    unpacked corpus (its ``pairs`` file), else ``pan13-train.tar.xz`` in it
    unpacked once into the cache (:func:`newstrace.evaluation.synth.unpack_corpus`).

    Raises:
        FileNotFoundError: neither is there.
    """
    if (folder / "pairs").is_file():
        return folder
    tar = folder / "pan13-train.tar.xz"
    if not tar.is_file():
        raise FileNotFoundError(f"no PAN 2013 corpus at {folder}: need its unpacked folder (with 'pairs') "
                                "or the folder holding pan13-train.tar.xz")
    from .synth import unpack_corpus

    return unpack_corpus(tar)


def _read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def _truth(xml_path: Path) -> tuple[Detection, ...]:
    out: list[Detection] = []
    for f in ET.parse(xml_path).getroot().iter("feature"):
        if f.get("name") != "plagiarism":
            continue
        so, sl = int(f.get("source_offset", 0)), int(f.get("source_length", 0))
        to, tl = int(f.get("this_offset", 0)), int(f.get("this_length", 0))
        if sl > 0 and tl > 0:
            out.append((so, so + sl, to, to + tl))
    return tuple(out)


def load_pairs(root: Path, subset: str) -> list[PanPair]:
    """The pairs of ``subset`` (a key of :data:`SUBSETS`) under ``root``.

    Raises:
        ValueError: ``subset`` is not a PAN 2013 subset.
        FileNotFoundError: the corpus has no such folder or pairs file.
    """
    if subset not in SUBSETS:
        raise ValueError(f"unknown PAN subset {subset!r}; use one of {', '.join(SUBSETS)}")
    folder = root / SUBSETS[subset]
    out: list[PanPair] = []
    for line in _read(folder / "pairs").splitlines():
        parts = line.split()
        if len(parts) != 2:
            continue
        susp, src = parts
        xml = folder / f"{Path(susp).stem}-{Path(src).stem}.xml"
        out.append(PanPair(subset, root / "susp" / susp, root / "src" / src, _truth(xml)))
    return out


def sample_pairs(root: Path, n: int | None = None, seed: int = 0,
                 subsets: Iterable[str] = SUBSETS) -> list[PanPair]:
    """``n`` pairs per subset drawn with ``random.Random(seed)`` (all when ``n`` is None)."""
    out: list[PanPair] = []
    for s in subsets:
        pairs = load_pairs(root, s)
        if n is not None and n < len(pairs):
            pairs = random.Random(f"{seed}:{s}").sample(pairs, n)
        out.extend(pairs)
    return out


@dataclass(frozen=True, slots=True)
class SubsetScores:
    """PAN's measures over one subset (or ``all``), the pairs scored, and the
    share of pairs without any truth case on which something was detected."""

    subset: str
    pairs: int
    scores: Scores
    flagged_clean: float | None

    def as_dict(self) -> dict[str, object]:
        return {"subset": self.subset, "pairs": self.pairs, **self.scores.as_dict(),
                "flagged_clean": self.flagged_clean}


def verbatim_detector(src: str, susp: str) -> list[Detection]:
    """Today's verbatim aligner: the passages ``compare`` reports (source as A)."""
    from ..align import align

    return [(p.a.start, p.a.end, p.b.start, p.b.end) for p in align(src, susp)]


def rewritten_detector(src: str, susp: str) -> list[Detection]:
    """The rewritten-passage aligner alone (source as A)."""
    from ..rewritten import align_rewritten

    return [(p.a.start, p.a.end, p.b.start, p.b.end) for p in align_rewritten(src, susp)]


def combined_detector(src: str, susp: str, *, params: RewriteParams | None = None, reprint: int = 150,
                      min_chars: int = 150) -> list[Detection]:
    """What ``compare`` reports (verbatim passages and the rewritten ones
    beside them, source as A), as stretches of reuse: passages that overlap
    on both sides count as one detection (:func:`newstrace.rewritten.reuse_spans`),
    a rewritten stretch that holds several verbatim passages is one
    detection, as PAN counts a case (``join``), a pair sharing an exact copy
    of ``reprint`` characters is a reprint (its rewritten passages only join
    verbatim ones or summarise), and stretches shorter than ``min_chars`` on
    either side are no case (Sanchez-Perez et al. filter at 150, the
    rewritten aligner's own minimum)."""
    from ..rewritten import compare_passages, reuse_spans

    return reuse_spans(compare_passages(src, susp, params, join=True, reprint=reprint), min_chars)


DETECTORS: dict[str, Detector] = {
    "verbatim": verbatim_detector,
    "rewritten": rewritten_detector,
    "combined": combined_detector,
}


Settings = dict[str, Any]


def _detector_kwargs(settings: Settings) -> dict[str, Any]:
    """``settings`` as the combined detector's keywords: the keys that are
    :class:`~newstrace.rewritten.RewriteParams` fields become its ``params``."""
    from ..rewritten import RewriteParams

    names = {f.name for f in fields(RewriteParams)}
    kw = {k: v for k, v in settings.items() if k not in names}
    rp = {k: v for k, v in settings.items() if k in names}
    if rp:
        kw["params"] = RewriteParams(**rp)
    return kw


def _run_one(args: tuple[str, str, str, tuple[tuple[str, Any], ...]]) -> list[Detection]:
    name, src, susp, settings = args
    kw = _detector_kwargs(dict(settings)) if settings else {}
    return list(DETECTORS[name](_read(Path(src)), _read(Path(susp)), **kw))


def detect_all(pairs: Sequence[PanPair], detector: str = "combined", workers: int = 1,
               settings: Settings | None = None) -> list[list[Detection]]:
    """The detections of ``detector`` (a key of ``DETECTORS``) on each pair, in
    order; ``settings`` (``combined`` only) names RewriteParams fields and the
    detector's own keywords (``reprint``, ``min_chars``)."""
    if settings and detector != "combined":
        raise ValueError(f"settings {settings!r} apply to the combined detector only, not {detector!r}")
    frozen = tuple(sorted((settings or {}).items()))
    jobs = [(detector, str(p.source), str(p.suspicious), frozen) for p in pairs]
    if workers <= 1:
        return [_run_one(j) for j in jobs]
    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(_run_one, jobs, chunksize=8))


def score(pairs: Sequence[PanPair], detections: Sequence[Sequence[Detection]]) -> list[SubsetScores]:
    """PAN's measures per subset present in ``pairs`` and over all of them (``all``)."""
    out: list[SubsetScores] = []
    groups = [s for s in SUBSETS if any(p.subset == s for p in pairs)] + ["all"]
    for g in groups:
        idx = [k for k, p in enumerate(pairs) if g == "all" or p.subset == g]
        cases = [Case(pairs[k].id, *c) for k in idx for c in pairs[k].cases]
        dets = [Case(pairs[k].id, *d) for k in idx for d in detections[k] if d[0] < d[1] and d[2] < d[3]]
        clean = [k for k in idx if not pairs[k].cases]
        flagged = sum(bool(detections[k]) for k in clean) / len(clean) if clean else None
        out.append(SubsetScores(g, len(idx), plagdet(cases, dets), flagged))
    return out


def evaluate(pairs: Sequence[PanPair], detector: str = "combined", workers: int = 1,
             settings: Settings | None = None) -> list[SubsetScores]:
    """Run ``detector`` on ``pairs`` and score it (see :func:`score`)."""
    return score(pairs, detect_all(pairs, detector, workers, settings))


def folds_of(pairs: Sequence[PanPair], k: int = 5, seed: int = 0) -> list[int]:
    """Each pair's fold (``0..k-1``), stratified: each subset's pairs shuffled
    with ``random.Random(seed)`` and dealt out in turn."""
    out = [0] * len(pairs)
    for s in SUBSETS:
        idx = [i for i, p in enumerate(pairs) if p.subset == s]
        random.Random(f"{seed}:{s}").shuffle(idx)
        for n, i in enumerate(idx):
            out[i] = n % k
    return out


@dataclass(frozen=True, slots=True)
class CrossValidation:
    """Held-out figures of a k-fold cross-validation: ``rows`` score every
    pair by the detections of the setting chosen on the other folds;
    ``chosen[f]`` is fold ``f``'s setting, ``fitted`` each setting's score
    (plagdet over all pairs) on the whole sample, for reference."""

    rows: list[SubsetScores]
    chosen: list[Settings]
    fitted: list[tuple[Settings, float]]


def cross_validate(pairs: Sequence[PanPair], grid: Sequence[Settings], k: int = 5, seed: int = 0,
                   workers: int = 1) -> CrossValidation:
    """Choose the setting of ``grid`` (see :func:`detect_all`) with the best
    plagdet over the pairs of ``k - 1`` folds, score the held-out fold with it,
    and pool the held-out detections of all ``k`` folds (:func:`folds_of`)."""
    if not grid:
        raise ValueError("cross_validate needs at least one setting in grid")
    runs = [detect_all(pairs, "combined", workers, g) for g in grid]
    fold = folds_of(pairs, k, seed)

    def plagdet_on(run: list[list[Detection]], keep: list[int]) -> float:
        rows = score([pairs[i] for i in keep], [run[i] for i in keep])
        return rows[-1].scores.plagdet

    chosen: list[Settings] = []
    pooled: list[list[Detection]] = [[] for _ in pairs]
    for f in range(k):
        train = [i for i in range(len(pairs)) if fold[i] != f]
        best = max(range(len(grid)), key=lambda g: plagdet_on(runs[g], train))
        chosen.append(dict(grid[best]))
        for i in range(len(pairs)):
            if fold[i] == f:
                pooled[i] = runs[best][i]
    everything = list(range(len(pairs)))
    return CrossValidation(score(pairs, pooled), chosen, [(dict(g), plagdet_on(r, everything)) for g, r in zip(grid, runs)])
