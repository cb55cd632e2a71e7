"""The ``newstrace`` command: thin commands over the library.

Each command parses its arguments, makes one library call and formats the
result. Library errors become one-line messages and exit code 2 here.
"""

from __future__ import annotations

import json
import re
import sys
from contextlib import contextmanager
from typing import Any, NoReturn

import click
from click.core import ParameterSource

from . import __version__
from .align import AlignParams
from .compare import compare
from .ingest import LoadError, load_paths
from .records import Document


TREE_LIMIT = 40  # documents of a provenance tree drawn by default


def _fail(message: str) -> NoReturn:
    click.echo(f"newstrace: error: {message}", err=True)
    sys.exit(2)


def _load(path: str) -> Document:
    return _load_all([path])[0]


def _load_all(paths) -> list[Document]:
    """Files named together, ids relative to their common parent (``a/index.html``, ``b/index.html``)."""
    try:
        results = load_paths(list(paths))
    except LoadError as e:
        _fail(str(e))
    for path, result in zip(paths, results):
        for w in result.warnings:
            click.echo(f"newstrace: warning: {path}: {w}", err=True)
    return [r.document for r in results]


def _distinct(docs: list[Document]) -> None:
    seen: dict[str, str] = {}
    for d in docs:
        if d.id in seen:
            _fail(f"{seen[d.id]} and {d.source_path}: both are document {d.id!r}; give each file once "
                  "(JSON records: give them distinct ids)")
        seen[d.id] = d.source_path or d.id


def _params(ngram: int, min_words: int, max_gap: int) -> AlignParams:
    try:
        return AlignParams(ngram=ngram, min_words=min_words, max_gap=max_gap)
    except ValueError as e:
        _fail(str(e))


_ALIGN_OPTIONS = [
    click.option("--ngram", default=AlignParams().ngram, show_default=True, metavar="N",
                 help="Seed length in words."),
    click.option("--min-words", default=AlignParams().min_words, show_default=True, metavar="N",
                 help="Fewest matching words a passage may have."),
    click.option("--max-gap", default=AlignParams().max_gap, show_default=True, metavar="N",
                 help="Most unmatched words allowed between two matching stretches of one passage."),
]


def align_options(f):
    for opt in reversed(_ALIGN_OPTIONS):
        f = opt(f)
    return f


# commands that write the store, whose work is kept transaction by transaction
_WRITERS = {"scan", "import"}


class _Command(click.Command):
    """A command whose store, disk and memory failures, Ctrl-C and SIGTERM
    end in one error line (exit code 2, 130 or 143) wherever they happen;
    the library's ``finally`` blocks have reaped its workers and removed
    its temporary files by then."""

    def invoke(self, ctx: click.Context) -> Any:
        from .failures import Terminated, describe, sigterm_raises

        writing = ctx.command.name in _WRITERS
        with sigterm_raises() as signals:
            try:
                return super().invoke(ctx)
            except (KeyboardInterrupt, Terminated, Exception) as e:
                # a signal, also when DuckDB turned it into "Query interrupted" mid-query
                how = signals.received or ("SIGTERM" if isinstance(e, Terminated) else
                                           "Ctrl-C" if isinstance(e, KeyboardInterrupt) else None)
                if how is None:
                    message = describe(e, ctx.params.get("db"), output=ctx.params.get("output"), writing=writing,
                                       memory_limit=ctx.params.get("memory_limit"))
                    if message is None:
                        raise
                    _fail(message)
        kept = ("what was stored before is kept: run the same command again, it goes on where this one stopped"
                if writing else "nothing was left half-written: run the same command again")
        click.echo(f"newstrace: error: interrupted ({how}); {kept}", err=True)
        sys.exit(143 if how == "SIGTERM" else 130)


class _Group(click.Group):
    command_class = _Command


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newstrace")
def main() -> None:
    """Trace how news is copied, quoted and reframed from one outlet to the next."""


@main.command("compare")
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Readable summary, or one JSON object (schema in docs/compare-json.md).")
@align_options
def compare_cmd(a: str, b: str, fmt: str, ngram: int, min_words: int, max_gap: int) -> None:
    """Find every passage articles A and B share.

    A and B are files: plain text (.txt and anything else), HTML pages
    (.html, .htm) or JSON records (.json). Offsets are character offsets into
    each text as loaded, half-open [start, end).
    """
    params = _params(ngram, min_words, max_gap)
    from .compare import render_text

    doc_a, doc_b = _load_all([a, b])
    result = compare(doc_a, doc_b, params)
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(result))


# --------------------------------------------------------------------------
# collections


def _open_store(db: str, *, read_only: bool, create: bool = False, memory_limit: str | None = None):
    from .store import DEFAULT_MEMORY_LIMIT, StoreError, open_store

    try:
        return open_store(db, read_only=read_only, create=create, memory_limit=memory_limit or DEFAULT_MEMORY_LIMIT)
    except StoreError as e:
        _fail(str(e))


def _close_after(store, failure: BaseException) -> None:
    """Close a store after ``failure``: an error in closing it (DuckDB gives
    up on a store whose disk is full) does not hide the failure."""
    import duckdb

    try:
        store.close()
    except duckdb.Error as e:
        e.__context__ = failure


def _check_memory_limit(memory_limit: str) -> None:
    if not re.fullmatch(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", memory_limit.strip(), flags=re.I):
        _fail(f"--memory-limit {memory_limit!r}: give a size such as 4GB or 500MB")


def _field_map(preset: str | None, field: tuple[str, ...]):
    from dataclasses import replace

    from .ingest.collection import PRESETS, FieldMap

    fields, sep = PRESETS[preset] if preset else (FieldMap(), None)
    for item in field:
        name, eq, key = item.partition("=")
        if not eq or name not in {"id", "text", "title", "outlet", "published", "url", "byline", "series"}:
            _fail(f"--field {item!r}: write NAME=KEY with NAME one of id, text, title, outlet, "
                  "published, url, byline, series")
        change: dict[str, Any] = {name: key}  # a field name checked above
        fields = replace(fields, **change)
    return fields, sep


@main.command("scan")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--db", default=None, metavar="FILE",
              help="The store (a DuckDB file); created if missing. With --engine spark: a new store "
                   "to load the results into.")
@click.option("--engine", type=click.Choice(["embedded", "spark"]), default="embedded", show_default=True,
              help="Run on this machine (DuckDB) or as Spark jobs (needs newstrace[spark] and Java).")
@click.option("--output", default=None, metavar="DIR",
              help="--engine spark: the folder (any path Spark writes to) for the Parquet tables.")
@click.option("--master", default=None, metavar="URL",
              help="--engine spark: the Spark master (local[N], spark://host:7077, yarn, k8s://...); "
                   "default: spark-submit's, else local[*].")
@click.option("--conf", "confs", multiple=True, metavar="KEY=VALUE",
              help="--engine spark: a Spark configuration setting; repeatable.")
@click.option("--preset", type=click.Choice(["passim", "news-2018"]), default=None,
              help="Field layout of JSONL/CSV records: passim's id/series/text, or the 2018 news CSVs.")
@click.option("--field", multiple=True, metavar="NAME=KEY",
              help="Record key or CSV column for a field (id, text, title, outlet, published, url, byline, "
                   "series); repeatable.")
@click.option("--paragraph-separator", default=None, metavar="TEXT",
              help="A token that separates paragraphs in CSV text (replaced by a blank line).")
@click.option("--keep-non-articles", is_flag=True, default=False,
              help="Also read plain-text files that do not look like articles (URL lists, README, LICENSE, "
                   "CHANGELOG, files without prose), which a scan skips and reports.")
@click.option("--same-series/--no-same-series", default=False, show_default=True,
              help="Also report reuse between documents of the same outlet (series).")
@click.option("--rewritten/--no-rewritten", default=True, show_default=True,
              help="Also find pairs that share rewritten text (rare terms in common, no identical run of "
                   "words needed) and store their rewritten passages, as compare reports them; with either "
                   "engine.")
@click.option("--workers", type=int, default=None, metavar="N", help="Processes to use (default: all cores).")
@click.option("--progress", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Progress on standard error: on a terminal only (auto), also into pipes and logs, or never.")
@click.option("--memory-limit", default="512MB", show_default=True, metavar="SIZE",
              help="Most memory the store's database engine may use; larger joins spill to disk.")
@click.option("--max-df", type=int, default=100, show_default=True, metavar="N",
              help="Ignore n-grams found in more than N documents (boilerplate, stock phrases).")
@align_options
def scan_cmd(paths, db, engine, output, master, confs, preset, field, paragraph_separator, keep_non_articles,
             same_series, rewritten, workers, progress, memory_limit, max_df, ngram, min_words, max_gap) -> None:
    """Ingest PATHs into the store and find all reuse among its documents.

    A PATH is a folder (walked recursively), a glob, or a file: .txt, .html,
    .json, .jsonl(.gz), .csv, .warc(.gz). Running scan again with more files
    adds only what is new and compares it with what is stored; a scan that
    was interrupted is completed by running it again.
    """
    from .candidates import CandidateParams
    from .candidates_rewritten import RewrittenCandidateParams
    from .ingest.collection import check_paths, iter_collection
    from .engines.local import scan
    from .engines.report import terminal_progress

    params = _params(ngram, min_words, max_gap)
    try:
        cparams = CandidateParams(ngram=ngram, max_df=max_df)
    except ValueError as e:
        _fail(str(e))
    if workers is not None and workers < 1:
        _fail("--workers must be 1 or more")
    _check_memory_limit(memory_limit)
    fields, sep = _field_map(preset, field)
    if engine == "spark" and keep_non_articles:
        _fail("--keep-non-articles is for the embedded engine; the spark engine skips non-articles")
    if engine == "spark":  # options the spark engine would ignore are refused
        limit_given = click.get_current_context().get_parameter_source("memory_limit") is not ParameterSource.DEFAULT
        ignored = [name for name, used in (("--workers", workers is not None), ("--memory-limit", limit_given))
                   if used]
        if ignored:
            _fail(f"{' and '.join(ignored)} {'is' if len(ignored) == 1 else 'are'} for the embedded engine; with "
                  "--engine spark give Spark's own settings with --conf, such as --conf spark.executor.cores=4 "
                  "--conf spark.executor.memory=8g")
        # it checks local paths itself, before Spark starts; URIs are Spark's to read
        _scan_spark(paths, db, output, master, confs, fields, paragraph_separator or sep, same_series, progress,
                    params, cparams, RewrittenCandidateParams() if rewritten else None)
        return
    try:
        check_paths(paths)
    except LoadError as e:
        _fail(str(e))
    if db is None:
        _fail("give --db FILE, the store to scan into")
    if output is not None or confs or master is not None:
        _fail("--output, --master and --conf are for --engine spark; the embedded engine writes to --db")
    from concurrent.futures.process import BrokenProcessPool

    from .store import StoreError

    store = _open_store(db, read_only=False, create=True, memory_limit=memory_limit)
    say = terminal_progress(mode=progress)
    try:
        records = iter_collection(paths, fields=fields, csv_paragraph_separator=paragraph_separator or sep,
                                  keep_non_articles=keep_non_articles)
        rep = scan(store, records, paths=list(paths), align_params=params, candidate_params=cparams,
                   same_series=same_series, workers=workers, progress=say,
                   rewritten=RewrittenCandidateParams() if rewritten else None)
        counts = store.counts()
    except BaseException as e:
        if say and sys.stderr.isatty():
            click.echo("", err=True)
        _close_after(store, e)
        if isinstance(e, (LoadError, StoreError)):  # a missing extra met after check_paths; other parameters
            _fail(str(e))
        if isinstance(e, BrokenProcessPool):
            _fail(f"{db}: a worker process of the scan was killed (by the system, perhaps for lack of memory); "
                  "what was stored before is kept: run the same command again (with fewer --workers if memory "
                  "is short); it goes on where this one stopped")
        raise
    store.close()
    if say and sys.stderr.isatty():
        click.echo("", err=True)
    _report_messages(rep, f"table 'skipped' in {db}")
    click.echo(
        f"scan {rep.run_id}: {rep.documents_seen:,} documents read, {rep.documents_added:,} added, "
        f"{rep.duplicates:,} already stored, {rep.skipped_count:,} skipped; "
        f"{rep.pairs_aligned:,} pairs aligned, {rep.passages_found:,} passages found in {rep.seconds:.1f} s"
    )
    click.echo(_store_summary(db, counts))


def _scan_spark(paths, db, output, master, confs, fields, sep, same_series, progress, params, cparams,
                rewritten) -> None:
    from .engines.spark import SparkUnavailable, check_spark, scan_spark
    from .engines.report import terminal_progress

    if output is None:
        _fail("--engine spark writes Parquet tables: give --output DIR (and --db FILE to load them into a store)")
    conf = {}
    for item in confs:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            _fail(f"--conf {item!r}: write KEY=VALUE, such as spark.executor.memory=8g")
        conf[key.strip()] = value
    if db is not None:  # a bad --db fails before the Spark job
        store = _open_store(db, read_only=False, create=True)
        try:
            if store.counts()["documents"]:
                _fail(f"{db}: the store already holds documents; the spark engine loads into a new --db file")
        finally:
            store.close()
    try:
        check_spark()
        rep = scan_spark(list(paths), output, master=master, conf=conf, fields=fields, csv_paragraph_separator=sep,
                         align_params=params, candidate_params=cparams, same_series=same_series,
                         progress=terminal_progress(mode=progress), rewritten=rewritten)
    except SparkUnavailable as e:
        _fail(str(e))
    except LoadError as e:
        _fail(str(e))
    _report_messages(rep, f"table 'skipped' in {output}")
    click.echo(f"spark scan: {rep.documents_seen:,} documents read, {rep.documents_added:,} added, "
               f"{rep.duplicates:,} duplicates, {rep.skipped_count:,} skipped; {rep.pairs_aligned:,} pairs aligned, "
               f"{rep.passages_found:,} passages, {rep.clusters:,} reprint clusters in {rep.seconds:.1f} s")
    click.echo(f"tables in {output}")
    if db is not None:
        _import(output, db)


def _store_summary(db: str, counts: dict[str, int]) -> str:
    """The line a scan or an import ends with: what the store holds now."""
    return (f"store {db}: {counts['documents']:,} documents, {counts['passages']:,} passages "
            f"({counts['boilerplate']:,} of them boilerplate), {counts['clusters']:,} reprint clusters, "
            f"{counts['stories']:,} stories")


def _report_messages(rep, where_all: str) -> None:
    """The first 20 warnings and skipped records of a scan, and how many more."""
    for where, msg in rep.notices[:20]:
        click.echo(f"newstrace: warning: {where}: {msg}", err=True)
    if rep.notices_count > 20:
        click.echo(f"newstrace: ... {rep.notices_count - 20:,} more warnings", err=True)
    for where, why in rep.skipped[:20]:
        click.echo(f"newstrace: skipped: {where}: {why}", err=True)
    if rep.skipped_count > 20:
        click.echo(f"newstrace: ... {rep.skipped_count - 20:,} more skipped ({where_all})", err=True)


def _import(folder: str, db: str, memory_limit: str | None = None) -> None:
    from .store import StoreError

    from .engines.report import terminal_progress

    store = _open_store(db, read_only=False, create=True, memory_limit=memory_limit)
    say = terminal_progress()
    try:
        counts = store.load_tables(folder, say=say)
    except StoreError as e:
        _fail(str(e))
    finally:
        store.close()
        if say:
            click.echo("", err=True)
    click.echo(_store_summary(db, counts))


@main.command("import")
@click.argument("folder", metavar="DIR")
@click.option("--db", required=True, metavar="FILE", help="A new store (a DuckDB file) to load the tables into.")
@click.option("--memory-limit", default="4GB", show_default=True, metavar="SIZE",
              help="Most memory the store's database engine may use; larger joins spill to disk.")
def import_cmd(folder: str, db: str, memory_limit: str) -> None:
    """Load the Parquet tables in DIR (the --output of scan --engine spark,
    or of export --format parquet) into a new store, for query, provenance
    --db, export and later scans."""
    from pathlib import Path

    if not Path(folder).is_dir():
        _fail(f"{folder}: no such folder; give the --output folder of 'newstrace scan --engine spark'")
    _check_memory_limit(memory_limit)
    _import(folder, db, memory_limit)


@main.command("query")
@click.argument("source", metavar="FILE|-")
@click.option("--db", required=True, metavar="FILE", help="The store to search.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@align_options
def query_cmd(source: str, db: str, fmt: str, ngram: int, min_words: int, max_gap: int) -> None:
    """Find where a text (a press release, a wire story, a quote) appears in
    the store, without adding it. FILE may be - for standard input."""
    from .engines.local import query, render_matches

    params = _params(ngram, min_words, max_gap)
    if source == "-":
        text = sys.stdin.read()
        if not text.strip():
            _fail("standard input is empty; pipe in the text to look for")
    else:
        text = _load(source).text
    store = _open_store(db, read_only=True)
    try:
        matches = query(store, text, align_params=params)
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps({"matches": [m.as_dict() for m in matches]}, ensure_ascii=False, indent=2))
    else:
        click.echo(render_matches(matches))


@main.command("export")
@click.option("--db", required=True, metavar="FILE", help="The store to export.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "parquet", "csv"]), required=True)
@click.option("--output", required=True, metavar="DIR", help="Folder to write documents, passages, clusters and duplicates into.")
def export_cmd(db: str, fmt: str, output: str) -> None:
    """Write the store's documents, passages, clusters and duplicates tables, one file
    each, into DIR (columns in docs/store.md)."""
    from pathlib import Path

    out = Path(output)
    if out.exists() and not out.is_dir():
        _fail(f"{out}: exists and is not a folder; give a folder for --output")
    store = _open_store(db, read_only=True)
    try:
        written = store.export(fmt, out)
    finally:
        store.close()
    for path in written:
        click.echo(str(path))


@main.command("provenance")
@click.argument("items", nargs=-1, metavar="[FILE... | STORY | DOC]")
@click.option("--db", default=None, metavar="FILE",
              help="A store: show the story STORY (a number) or the story of document DOC; "
                   "without either, list the largest stories.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "graphml"]), default="text", show_default=True,
              help="An indented tree, JSON (schema in docs/provenance-json.md) or GraphML.")
@click.option("--dates/--no-dates", default=True, show_default=True,
              help="Use publication dates as evidence.")
@click.option("--limit", type=click.IntRange(1), default=TREE_LIMIT, show_default=True, metavar="N",
              help="Text: draw at most N documents of the tree (JSON and GraphML are always complete).")
@click.option("--all", "show_all", is_flag=True, help="Text: draw the whole tree.")
@align_options
def provenance_cmd(items: tuple[str, ...], db: str | None, fmt: str, dates: bool, limit: int, show_all: bool,
                   ngram: int, min_words: int, max_gap: int) -> None:
    """Who copied whom: the provenance graph of FILEs given directly (every
    pair aligned), or of a story in a store (--db). Each derivative gets its
    sources with the evidence and confidence, outlets credited but missing
    from the collection become placeholder sources, and each document a
    reuse class (wholly, partially or not derived). A story's text output
    opens with its summary (outlets, dates, largest reprint clusters, roots,
    decisions by kind) and draws the first --limit documents of the tree."""
    from .provenance import render_story_list, render_summary, render_text, story_summary, trace, trace_passages

    params = _params(ngram, min_words, max_gap)
    story = summary = None
    if db is None:
        if len(items) < 2:
            _fail("give two or more files, or --db FILE [STORY|DOC] for a story in a store")
        docs = _load_all(items)
        _distinct(docs)
        graph = trace(docs, params, use_dates=dates)
    else:
        if len(items) > 1:
            _fail("with --db give at most one STORY number or document id")
        store = _open_store(db, read_only=True)
        try:
            if not items:
                rows = store.story_list()
                if fmt == "json":
                    click.echo(json.dumps({"stories": rows}, ensure_ascii=False, indent=2))
                else:
                    click.echo(render_story_list(rows))
                return
            story = store.story_id(items[0])
            if story is None:
                _fail(f"{items[0]!r} is neither a story number nor a document id in {db} that shares text; "
                      "run 'newstrace provenance --db FILE' to list the stories")
            # the analysis the scan stored (made with the dates); the text output reads its summary
            kept = store.stored_graph(story, decisions=fmt == "json") if dates else None
            summary = store.stored_summary(story) if kept is not None else None
            if kept is None:
                docs, passages = store.story(story)
        finally:
            store.close()
        if kept is not None:
            graph = kept
        else:
            with _computing(f"tracing the provenance of story {story} ({len(docs):,} documents)"):
                graph = trace_passages(docs, passages, use_dates=dates)
            summary = story_summary(graph, docs)
    if fmt == "json":
        click.echo(json.dumps(graph.as_dict(), ensure_ascii=False, indent=2))
    elif fmt == "graphml":
        click.echo(graph.to_graphml(), nl=False)
    else:
        tree, left_out = render_text(graph, limit=None if show_all else limit)
        if story is not None and summary is not None:
            click.echo(render_summary(summary, f"story {story}"))
            click.echo()
        click.echo(tree if graph.edges else "no shared text, so no provenance to show")
        if left_out:
            click.echo(f"… {left_out:,} of {len(graph.nodes):,} nodes not shown; --all draws every one, "
                       "--limit N the first N")


@main.command("quotes")
@click.argument("items", nargs=-1, metavar="[FILE... | DOC]")
@click.option("--db", default=None, metavar="FILE",
              help="A store: the quotations of document DOC, or of every document, and where each travelled.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="A readable list, or JSON (schema in docs/quotations-json.md).")
def quotes_cmd(items: tuple[str, ...], db: str | None, fmt: str) -> None:
    """List the quotations of articles with their speakers: direct quotations
    (spans without the marks), reported speech and scare quotes. Given several
    FILEs, or a store (--db), also where each quotation travelled: the same
    words in another article, flagged when altered, attributed to another
    speaker, or carried without attribution."""
    from .quotations import quotation_report, render_text

    if db is None:
        if not items:
            _fail("give one or more files, or --db FILE [DOC] for documents in a store")
        docs = _load_all(items)
        _distinct(docs)
        report = quotation_report(docs)
    else:
        from .analysis import stored_quotation_report
        from .engines.report import terminal_progress

        if len(items) > 1:
            _fail("with --db give at most one document id")
        store = _open_store(db, read_only=True)
        say = terminal_progress()
        try:
            found = stored_quotation_report(store, items[0] if items else None, say=say)
        finally:
            store.close()
            if say:
                click.echo("\r\033[K", err=True, nl=False)
        if found is None:
            _fail(f"{items[0]!r} is not a document id in {db}; 'newstrace export' lists the ids")
        report = found
    if fmt == "json":
        click.echo(json.dumps({"documents": report}, ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(report))


@contextmanager
def _computing(what: str):
    """Say on a terminal (standard error) what is being computed, and clear the line when it is done."""
    tty = sys.stderr.isatty()
    if tty:
        click.echo(f"{what}\u2026", err=True, nl=False)
    try:
        yield
    finally:
        if tty:
            click.echo("\r\033[K", err=True, nl=False)


# --------------------------------------------------------------------------
# the anatomy of a derivative


@main.command("anatomy")
@click.argument("items", nargs=-1, metavar="DERIVATIVE [SOURCE...] | --db FILE DOC")
@click.option("--db", default=None, metavar="FILE",
              help="A store: the anatomy of document DOC against the sources provenance infers for it.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="A readable report, or one JSON object (schema in docs/anatomy-json.md).")
@align_options
def anatomy_cmd(items: tuple[str, ...], db: str | None, fmt: str, ngram: int, min_words: int, max_gap: int) -> None:
    """The anatomy of one derivative against its source(s): every character
    of it labelled (verbatim, edited, quotation, rewritten, added,
    boilerplate), every character of each source used or left out, the
    changes inside borrowed
    passages, the hedges, numbers, attributions and negations it left out,
    and whether its headline rests on what it borrowed.

    Files: the first is the derivative, the others its sources. With --db,
    give one document id; its sources are those provenance infers.
    """
    from .anatomy import AnatomyError, anatomy, render_text
    from .anatomy.inferred import inferred_sources

    params = _params(ngram, min_words, max_gap)
    notes: list[str] = []
    if db is None:
        if len(items) < 2:
            _fail("give the derivative and at least one source (newstrace anatomy DERIVATIVE SOURCE...), "
                  "or --db FILE DOC for a document in a store")
        docs = _load_all(items)
        derivative, sources = docs[0], docs[1:]
    else:
        if len(items) != 1:
            _fail("with --db give exactly one document id, the derivative")
        store = _open_store(db, read_only=True)
        try:
            if not store.existing("id", [items[0]]):
                _fail(f"no document {items[0]!r} in {db}; give a document id as 'newstrace export' lists them")
            story = store.story_id(items[0])
            if story is None:
                _fail(f"document {items[0]!r} shares no text with any other document in {db}, "
                      "so it has no source to compare with")
            stored = store.stored_document(items[0])  # the sources the scan inferred
            if stored is not None and stored.no_sources:
                _fail(stored.no_sources)
            if stored is not None:
                found = {d.id: d for d, _ in store.documents([items[0], *stored.sources])}
                derivative, sources, notes = found[items[0]], [found[i] for i in stored.sources], list(stored.notes)
            else:
                docs, passages = store.story(story)
        finally:
            store.close()
        if stored is None:
            with _computing(f"inferring the sources of {items[0]} in story {story} ({len(docs):,} documents)"):
                try:
                    derivative, sources, notes = inferred_sources(docs, passages, items[0])
                except AnatomyError as e:
                    _fail(str(e))
    try:
        result = anatomy(derivative, sources, params, notes=notes)
    except AnatomyError as e:
        _fail(str(e))
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(result))


# --------------------------------------------------------------------------
# seeing it: the HTML report and the web app


@main.command("report")
@click.argument("files", nargs=-1, metavar="[A B]")
@click.option("--db", default=None, metavar="FILE", help="A store: write a site (an overview, a page per story, "
              "pair pages) into the folder OUTPUT.")
@click.option("-o", "--output", required=True, metavar="PATH",
              help="The HTML file to write (for A B), or the folder of the site (with --db).")
@click.option("--stories", type=click.IntRange(1, 1000), default=20, show_default=True, metavar="N",
              help="With --db: pages for the N largest stories.")
@align_options
def report_cmd(files: tuple[str, ...], db: str | None, output: str, stories: int, ngram: int, min_words: int,
               max_gap: int) -> None:
    """Write an HTML report that opens from disk with no network: the pair
    view of articles A and B side by side (borrowed text coloured by kind,
    edits struck and inserted, omissions flagged), or with --db a site of
    the store: an overview, the largest stories (provenance graph, timeline,
    reprint clusters, quotations that travelled) and their pairs."""
    from pathlib import Path

    from .report import site_report, write_pair_report

    params = _params(ngram, min_words, max_gap)
    out = Path(output)
    if db is None:
        if len(files) != 2:
            _fail("give two files (newstrace report A B -o report.html), or --db FILE -o FOLDER for a store")
        if out.is_dir():
            _fail(f"{out}: is a folder; give the HTML file to write, such as report.html")
        a, b = _load_all(files)
        click.echo(str(write_pair_report(a, b, out, params)))
        return
    if files:
        _fail("with --db give no files; the report covers the store")
    if out.exists() and not out.is_dir():
        _fail(f"{out}: exists and is not a folder; give a folder for the site, such as site/")
    store = _open_store(db, read_only=True)
    try:
        written = site_report(store, out, stories=stories, params=params)
    finally:
        store.close()
    click.echo(f"{out / 'index.html'} ({len(written)} pages)")


@main.command("serve")
@click.option("--db", required=True, metavar="FILE", help="The store to browse (read only; served from a snapshot).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
def serve_cmd(db: str, host: str, port: int) -> None:
    """Browse a store in a local web app: the overview, stories, documents,
    pairs side by side, full-text search, "where was this used" for pasted
    text, and a JSON API (/api, /openapi.json). The store is copied to a
    private snapshot at start, so a scan may write to it meanwhile; the app
    shows the data as of its start."""
    from .failures import Terminated

    try:
        from .web import SnapshotError, WebUnavailable, serve
    except ImportError as e:  # pragma: no cover - the package itself is always there
        _fail(str(e))
    try:
        serve(db, host=host, port=port, say=lambda m: click.echo(m, err=True))
    except (KeyboardInterrupt, Terminated):  # how a server is stopped: its snapshot is removed by now
        click.echo("newstrace: serve stopped", err=True)
    except WebUnavailable as e:
        _fail(str(e))
    except SnapshotError as e:
        _fail(str(e))


if __name__ == "__main__":  # pragma: no cover
    main()
