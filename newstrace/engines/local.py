"""Scan a collection into a store: the embedded engine.

The stages, in order, each resumable:

1. ingest: read records (newstrace.ingest.collection), drop texts already
   stored (same content hash), tokenise each batch once, shingle it and,
   with the rewritten stage, sketch its terms (`prepare_batch`, over the
   stages' pure functions, run on all cores), insert documents with their
   postings and term sketches in one transaction per batch;
2. candidates: a SQL query over the postings (Store.pending_pairs), and one
   over the term sketches (Store.rewritten_pairs);
3. alignment: the pairwise aligner (newstrace.align.align_pairs) on every candidate pair,
   on all cores; passages and the list of aligned pairs are committed
   together, batch by batch;
4. clusters and stories, recomputed from all passages in one transaction
   (Store.rebuild_clusters, over newstrace.cluster.cluster_collection);
5. the stored analysis (provenance, anatomy's sources, quotations) of the
   stories that are new or whose members changed, on all cores
   (newstrace.analysis.analyse_stories).

A scan killed at any point leaves a consistent store; running the same scan
again skips what is stored and aligned, and finishes the rest.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, TypeVar

import numpy as np

from ..align import AlignParams, align_pairs, align_tokens, forget_cached_docs
from ..analysis import analyse_stories
from ..candidates import CandidateParams, batch_words, prepare_tokens, shingles
from ..candidates_rewritten import RewrittenCandidateParams, align_pairs_rewritten, term_sketch_many, term_sketches
from ..compare import passage_lines
from ..excerpt import excerpt
from ..ingest.text import document_without_surrogates, fix_surrogates
from ..labels import label_from
from ..outputs import running
from ..records import Document, Passage
from ..store import Store
from ..text import tokenize, tokenize_many
from .report import Progress, ScanReport
from .tables import content_hash, parameters_dict

# --------------------------------------------------------------------------
# per-document work in worker processes (the stages' own functions: prepare, align_pairs)


def prepare_batch(texts: list[str], params: CandidateParams, rewritten: RewrittenCandidateParams | None
                  ) -> list[tuple[int, np.ndarray, np.ndarray | None]]:
    """The ingest's work on a batch of texts (a worker's job): each text's
    number of words, its sampled shingles (:func:`~newstrace.candidates.prepare_tokens`)
    and, with ``rewritten``, its term sketch (:func:`~newstrace.candidates_rewritten.term_sketches`;
    else ``None``), from one tokenisation of the batch, whose distinct words
    both share (:func:`~newstrace.candidates.batch_words`)."""
    toks = tokenize_many(texts)
    words = batch_words(toks)
    prepared = prepare_tokens(toks, params, words)
    terms = term_sketches(toks, rewritten, words) if rewritten is not None else [None] * len(toks)
    return [(n, sh, t) for (n, sh), t in zip(prepared, terms)]


def release_alignment_memory() -> None:
    """Drop this process's alignment cache (:func:`~newstrace.align.forget_cached_docs`,
    a few hundred MB in a worker after the alignment stage) and give the
    freed memory back to the system (glibc's ``malloc_trim``: freed small
    blocks in the middle of the heap stay counted in the process otherwise)."""
    if forget_cached_docs():
        try:
            ctypes.CDLL(None).malloc_trim(0)
        except (OSError, AttributeError):  # not glibc: the memory is reused by the process itself
            pass


def _after_alignment(fn: Callable[..., _R], *args: Any) -> _R:
    """``fn(*args)`` in a worker that may still hold the alignment's cache
    (the analysis stage's jobs)."""
    release_alignment_memory()
    return fn(*args)


# --------------------------------------------------------------------------
# orchestration


def _batched(items: Iterable, n: int) -> Iterator[list]:
    batch: list = []
    for x in items:
        batch.append(x)
        if len(batch) >= n:
            yield batch
            batch = []
    if batch:
        yield batch


_C = TypeVar("_C")  # a job's context
_R = TypeVar("_R")  # a job's result


_PR_SET_PDEATHSIG = 1  # linux/prctl.h
# the workers are forked (they start at once and share the parent's pages), where the
# system can fork; named, as Python 3.14 makes forkserver the default
_FORK = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)


def _watch_parent(parent: int, ppid: int) -> None:
    """End this worker within a second of the scan's end (``parent``) or
    of its own parent's (``ppid``: the scan, or a fork server)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != ppid or not running(parent):
            os._exit(1)


def worker_start(parent: int) -> None:
    """Each pool worker's initializer: the worker dies with the scan.

    On Linux the kernel kills it when the scan ends by any means, SIGKILL
    included (``PR_SET_PDEATHSIG``; the scan's pool is made and closed by
    one thread, as the kernel watches the thread that forked the worker);
    elsewhere, and as a fallback, a thread ends it within a second of its
    parent's end. Ctrl-C, which the terminal sends to every process of the
    group, is the scan's to handle (it stops the workers); SIGTERM ends a
    worker at once (a forked worker inherits the command's handler)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no libc to call: the watchdog alone
            pass
    ppid = os.getppid()
    if ppid != parent and not running(parent):  # the scan ended before the worker started
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent, ppid), daemon=True, name="newstrace-parent-watch").start()


class _Pool:
    """A process pool, or in-process execution for ``workers == 1``."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.started = False
        self.ex = (ProcessPoolExecutor(workers, mp_context=_FORK, initializer=worker_start,
                                       initargs=(os.getpid(),))
                   if workers > 1 else None)

    def submit(self, fn: Callable[..., _R], args: tuple) -> Future:
        """Submit one job; the first one starts (forks) the workers.

        The workers are forked with the collector's objects frozen
        (``gc.freeze``): a worker never collects garbage it inherited. The
        calling process may hold unreachable DuckDB connections (a library
        user's, a test run's) whose finaliser, run in a forked copy of a
        process with DuckDB's threads, crashes the worker."""
        assert self.ex is not None
        if self.started:
            return self.ex.submit(fn, *args)
        gc.freeze()
        try:
            return self.ex.submit(fn, *args)  # with fork, every worker is started here
        finally:
            gc.unfreeze()
            self.started = True

    def map(self, fn: Callable[..., _R], jobs: Iterable[tuple[_C, tuple]]) -> Iterator[tuple[_C, _R]]:
        """Run ``fn(*args)`` for each ``(context, args)``; yield ``(context,
        result)`` in order. The context stays in this process."""
        if self.ex is None:
            for ctx, args in jobs:
                yield ctx, fn(*args)
            return
        pending: list = []
        for ctx, args in jobs:
            pending.append((ctx, self.submit(fn, args)))
            if len(pending) >= 2 * self.workers:
                c, f = pending.pop(0)
                yield c, f.result()
        for c, f in pending:
            yield c, f.result()

    def close(self) -> None:
        """Wait for the workers to end (after the last result)."""
        if self.ex is not None:
            self.ex.shutdown(cancel_futures=True)

    def stop(self, timeout: float = 10.0) -> None:
        """End the pool early (Ctrl-C, SIGTERM, a failure): the jobs not
        started are cancelled, each worker ends after the job it is on, and
        each one is reaped; a worker still busy after ``timeout`` seconds is
        killed. (Killing them all at once could leave the executor's threads
        blocked on a half-written pipe, and the process unable to exit.)"""
        if self.ex is None:
            return
        # the executor names its processes only in this attribute (Python 3.14 adds terminate_workers)
        procs = list((getattr(self.ex, "_processes", None) or {}).values())
        timer = threading.Timer(timeout, lambda: [p.kill() for p in procs if p.is_alive()])
        timer.daemon = True
        timer.start()
        try:
            self.ex.shutdown(wait=True, cancel_futures=True)
        finally:
            timer.cancel()


# batches of documents whose texts and ids are looked up in the store together (scan's ingest)
CHECK_BATCHES = 8

# the rewritten stage's parameters by default (``rewritten=None``: verbatim passages only)
REWRITTEN = RewrittenCandidateParams()


def scan(
    store: Store,
    records: Iterable[object],
    *,
    paths: Sequence[str] = (),
    align_params: AlignParams | None = None,
    candidate_params: CandidateParams | None = None,
    same_series: bool = False,
    workers: int | None = None,
    progress: Progress | None = None,
    batch_docs: int = 500,
    batch_pairs: int = 64,
    rewritten: RewrittenCandidateParams | None = REWRITTEN,
) -> ScanReport:
    """Ingest ``records`` (Documents, or Skipped/Notice records from the
    readers) into ``store`` and find all reuse among stored documents.
    With ``rewritten`` (``None``: verbatim passages only), also the pairs
    that share rare terms (:mod:`newstrace.candidates_rewritten`), aligned
    with rewritten passages beside the verbatim ones."""
    from ..ingest.collection import Notice, Skipped

    align_params = align_params or AlignParams()
    candidate_params = candidate_params or CandidateParams(ngram=align_params.ngram)
    workers = workers or os.cpu_count() or 1
    say = progress or (lambda msg, milestone=False: None)
    rep = ScanReport()
    t0 = time.perf_counter()
    rep.run_id = store.begin_run(list(paths), {**parameters_dict(align_params, candidate_params),
                                               "same_series": same_series})
    pool = _Pool(workers)
    try:
        # 1. ingest
        # skipped records go to the store as the ingest goes (each batch's before
        # the batch's documents), so that memory does not grow with their number
        skipped: list[tuple[str, str]] = []

        def skip(where: str, reason: str) -> None:
            rep.skip(where, reason)
            skipped.append((where, reason))

        def docs() -> Iterator[Document]:
            # strings that cannot be written as UTF-8 (lone surrogates: a file name that is not
            # UTF-8, a Document made by the caller) become U+FFFD here, so that no store write fails
            for r in records:
                if isinstance(r, Skipped):
                    skip(fix_surrogates(r.where)[0], fix_surrogates(r.reason)[0])
                elif isinstance(r, Notice):
                    rep.notice(fix_surrogates(r.where)[0], fix_surrogates(r.message)[0])
                else:
                    doc, notes = document_without_surrogates(r)  # type: ignore[arg-type]
                    for note in notes:
                        rep.notice(doc.source_path or doc.id, note)
                    yield doc

        # hashes and ids of the batches in flight: batches are prepared ahead
        # of their insertion, so the store does not know them yet. Each batch's
        # leave once it is stored, so these stay a few batches small.
        seen_hashes: set[str] = set()
        seen_ids: set[str] = set()
        # duplicates found while a batch was read: recorded once that batch is
        # stored (the text a duplicate repeats is then in the store)
        dupes: list[tuple[str, str | None, str]] = []

        def fresh_batches() -> Iterator[tuple[list[tuple[Document, str]], list[tuple[str, str]],
                                              list[tuple[str, str | None, str]], list[str]]]:
            """Each batch's new documents with their content hashes, the records
            skipped and the duplicates found while it was read, and its texts.
            The store is asked which texts and ids it holds for
            :data:`CHECK_BATCHES` batches at once: each question reads a column
            of every stored document, so that asking it once a batch would make
            the ingest's time grow with the square of the collection's size."""
            for group in _batched(docs(), batch_docs * CHECK_BATCHES):
                rep.documents_seen += len(group)
                hashes = [content_hash(d.text) for d in group]
                known = store.existing("content_hash", hashes)
                ids_taken = store.existing("id", [d.id for d in group])
                fresh = []
                for d, h in zip(group, hashes):
                    if h in known or h in seen_hashes:
                        rep.duplicates += 1
                        if d.id not in ids_taken:  # a rescan of a stored record is not a duplicate to record
                            dupes.append((d.id, d.source_path, h))
                        continue
                    if d.id in ids_taken or d.id in seen_ids:
                        skip(d.source_path or d.id, f"id {d.id!r} is already in the store with another text; "
                             "give the records distinct ids")
                        continue
                    seen_hashes.add(h)
                    seen_ids.add(d.id)
                    fresh.append((d, h))
                # the group's skipped records go with its first batch, its duplicates with
                # its last (once every text of the group is stored)
                parts = [fresh[k : k + batch_docs] for k in range(0, len(fresh), batch_docs)] or [[]]
                for k, part in enumerate(parts):
                    batch_skipped, batch_dupes = skipped[:], (dupes[:] if k == len(parts) - 1 else [])
                    skipped.clear()
                    if k == len(parts) - 1:
                        dupes.clear()
                    yield part, batch_skipped, batch_dupes, [d.text for d, _ in part]

        jobs = (((fresh, sk, du), (texts, candidate_params, rewritten)) for fresh, sk, du, texts in fresh_batches())
        for (fresh, batch_skipped, batch_dupes), prepared in pool.map(prepare_batch, jobs):
            rows = [(d, h, words, sh) for (d, h), (words, sh, _) in zip(fresh, prepared)]
            terms = None if rewritten is None else [t for _, _, t in prepared if t is not None]
            before = rep.documents_added
            store.add_skipped(rep.run_id, batch_skipped)
            rep.documents_added += store.add_documents(rep.run_id, rows, terms)
            store.add_duplicates(rep.run_id, batch_dupes)
            seen_hashes.difference_update(h for _, h in fresh)
            seen_ids.difference_update(d.id for d, _ in fresh)
            milestone = before // 1000 != rep.documents_added // 1000  # each 1,000 stored
            rate = rep.documents_seen / max(1e-9, time.perf_counter() - t0)
            say(f"ingested {rep.documents_seen:,} documents at {rate:,.0f}/s ({rep.documents_added:,} new, "
                f"{rep.duplicates:,} duplicates, {rep.skipped_count:,} skipped)", milestone=milestone)
        store.add_skipped(rep.run_id, skipped)  # those after the last batch

        # 2. candidates
        say(f"finding candidate pairs for {rep.documents_added:,} new documents", milestone=True)
        pairs = store.pending_pairs(max_df=candidate_params.max_df, min_shared=candidate_params.min_shared,
                                    same_series=same_series)
        rewrite = np.zeros((0, 2), dtype=np.int64)
        if rewritten is not None:
            rewrite = _rewritten_candidates(store, rewritten, pool, same_series, batch_docs, say)
            pairs = np.unique(np.concatenate([pairs.reshape(-1, 2), rewrite]), axis=0)
        say(f"{len(pairs):,} candidate pairs to align")

        # 3. alignment
        total = len(pairs)
        t_align = time.perf_counter()

        def align_jobs() -> Iterator[tuple[dict[int, str], tuple]]:
            for at in range(0, total, batch_pairs):
                chunk = [(a, b) for a, b in pairs[at : at + batch_pairs].tolist()]
                docs = store.rows_by_key((k for p in chunk for k in p), ("id", "text"))
                ids = {k: i for k, (i, _) in docs.items()}
                texts = {k: t for k, (_, t) in docs.items()}
                if rewritten is None:
                    yield ids, (chunk, texts, align_params)
                else:
                    yield ids, (chunk, texts, align_params, [p for p in chunk if p in rewrite_set])

        rewrite_set = {(int(a), int(b)) for a, b in rewrite.tolist()}
        stage: Callable[..., list] = align_pairs if rewritten is None else align_pairs_rewritten
        for ids, results in pool.map(stage, align_jobs()):
            rep.passages_found += store.record_alignments(rep.run_id, results, ids)
            before = rep.pairs_aligned
            rep.pairs_aligned += len(results)
            milestone = 10 * before // total != 10 * rep.pairs_aligned // total  # each 10 %
            rate = rep.pairs_aligned / max(1e-9, time.perf_counter() - t_align)
            left = (total - rep.pairs_aligned) / rate if rate else 0
            say(f"aligned {rep.pairs_aligned:,}/{total:,} pairs ({rate:,.0f}/s, {left:,.0f} s left), "
                f"{rep.passages_found:,} passages", milestone=milestone)
        store.mark_scanned()

        # 4. clusters and stories
        say("building reprint clusters and stories", milestone=True)
        rep.clusters = store.rebuild_clusters()
        # 5. the stored analysis of the stories whose members changed
        # the workers drop the alignment's cache before their first analysis job
        rep.stories_analysed = analyse_stories(
            store, workers=lambda fn, jobs: pool.map(partial(_after_alignment, fn), jobs), say=say)[0]
        rep.seconds = time.perf_counter() - t0
        store.finish_run(rep.run_id, documents_added=rep.documents_added, duplicates=rep.duplicates,
                         skipped=rep.skipped_count, pairs_aligned=rep.pairs_aligned,
                         passages_found=rep.passages_found)
    except BaseException:
        pool.stop()
        raise
    pool.close()
    return rep


def _rewritten_candidates(store: Store, params: RewrittenCandidateParams, pool: _Pool, same_series: bool,
                          batch_docs: int, say: Progress) -> np.ndarray:
    """The rewritten stage's candidates: the term sketches of every stored
    document that has none (in the workers; the ingest stores those of the
    documents it adds), then the store's query."""
    todo = store.unsketched(batch_docs * 8)
    if todo:
        say("sketching terms for the rewritten stage", milestone=True)
    while todo:
        jobs = ((None, (todo[k:k + batch_docs], params)) for k in range(0, len(todo), batch_docs))
        for _, sketches in pool.map(term_sketch_many, jobs):
            store.add_terms(sketches)
        todo = store.unsketched(batch_docs * 8)
    say("finding candidate pairs by rare terms for the rewritten stage")
    return store.rewritten_pairs(sketch=params.sketch, min_shared=params.min_shared, max_df=params.max_df,
                                 same_series=same_series)


@dataclass(frozen=True, slots=True)
class Match:
    """Where a queried text appears in one stored document (A = the query)."""

    doc_id: str
    title: str | None
    outlet: str | None
    published: str | None
    passages: tuple[Passage, ...]
    label: str = ""  # how the document is named to a reader (labels.label_from)

    def as_dict(self) -> dict[str, Any]:
        """As ``newstrace query --format json`` writes it."""
        return {"id": self.doc_id, "title": self.title, "label": self.label, "outlet": self.outlet,
                "published": self.published, "passages": [p.as_dict() for p in self.passages]}


def query(store: Store, text: str, *, align_params: AlignParams | None = None,
          candidate_params: CandidateParams | None = None, limit: int = 1000) -> list[Match]:
    """Find where ``text`` appears in the stored collection, without adding it.

    The query is probed with the n-grams of the store's postings (its
    ``scan_parameters``); ``candidate_params`` with another ``ngram`` or
    ``sample`` raise :class:`~newstrace.store.ParameterMismatch`."""
    align_params = align_params or AlignParams()
    stored = store.scan_parameters()
    if candidate_params is None:
        candidate_params = CandidateParams(**{k: stored[k] for k in ("ngram", "sample", "max_df", "min_shared")
                                              if k in stored} or {"ngram": align_params.ngram})
    else:
        store.check_parameters({k: getattr(candidate_params, k) for k in ("ngram", "sample")})
    tq = tokenize(text)
    # Probe with every shingle of the query: the store holds only the sampled
    # ones, so the intersection is exactly the sampled shingles, and a short
    # quote with a single one is still found.
    probe = shingles(tq, CandidateParams(ngram=candidate_params.ngram, sample=1))
    keys = store.matching_documents(probe, max_df=candidate_params.max_df, min_shared=1)[:limit]
    docs = store.rows_by_key(keys, ("id", "title", "outlet", "published", "text"))
    short = replace(align_params, min_words=min(align_params.min_words, max(align_params.ngram, len(tq))))
    out = []
    for k in keys:
        doc_id, title, outlet, published, doc_text = docs[k]
        ps = align_tokens(tq, tokenize(doc_text), short)
        if ps:
            out.append(Match(doc_id, title, outlet, published, tuple(ps), label_from(title, doc_text)))
    return out


def render_matches(matches: Sequence[Match]) -> str:
    """Where a queried text appears, as ``newstrace query`` prints it: each
    document, then its passages as ``newstrace compare`` shows them."""
    if not matches:
        return "not found in the store"
    out = [f"found in {len(matches)} document{'s' * (len(matches) != 1)} (offsets: A = the query, B = the document)"]
    for m in matches:
        meta = " \u00b7 ".join(x for x in (m.outlet, m.published) if x)
        out.append("")
        out.append(f"{m.doc_id}  {excerpt(m.label, 80)}" + (f"  ({meta})" if meta else ""))
        for k, p in enumerate(m.passages, 1):
            out.append("\n".join("   " + line for line in passage_lines(k, p)))
    return "\n".join(out)
