"""The ``newstrace`` command: thin commands over the library.

Each command parses its arguments, makes one library call and formats the
result. Library errors become one-line messages and exit code 2 here.
"""

from __future__ import annotations

import json
import sys
import textwrap
from typing import NoReturn

import click

from . import __version__
from .align import AlignParams
from .compare import Comparison, compare
from .ingest import LoadError, load_path
from .records import Document, Passage

EXCERPT = 70


def _fail(message: str) -> NoReturn:
    click.echo(f"newstrace: error: {message}", err=True)
    sys.exit(2)


def _load(path: str) -> Document:
    try:
        result = load_path(path)
    except LoadError as e:
        _fail(str(e))
    for w in result.warnings:
        click.echo(f"newstrace: warning: {path}: {w}", err=True)
    return result.document


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    result = compare(_load(a), _load(b), params)
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_comparison(result))


# --------------------------------------------------------------------------
# text formatting


def _excerpt(text: str, width: int = EXCERPT) -> str:
    """The text on one line, in quotes; long text keeps whole words from
    both ends around an ellipsis."""
    words = text.split()
    flat = " ".join(words)
    if len(flat) <= width:
        return f"\u201c{flat}\u201d"
    half = (width - 3) // 2
    head: list[str] = []
    for w in words:
        if head and len(" ".join(head + [w])) > half:
            break
        head.append(w)
    tail: list[str] = []
    for w in reversed(words[len(head):]):
        if tail and len(" ".join([w] + tail)) > half:
            break
        tail.insert(0, w)
    return f"\u201c{' '.join(head)} \u2026 {' '.join(tail)}\u201d"


def _doc_lines(label: str, d: Document, words: int) -> list[str]:
    meta = [x for x in (d.outlet, d.byline and f"by {d.byline}", d.published and d.published.isoformat()) if x]
    lines = [f"{label}  {d.source_path or d.id}"]
    if d.title:
        lines.append(f"   {_excerpt(d.title, 90)}")
    meta.append(f"{len(d.text):,} characters, {words:,} words")
    lines.append("   " + " \u00b7 ".join(meta))
    return lines


def _passage_lines(n: int, p: Passage) -> list[str]:
    head = f"#{n} {p.kind} \u00b7 {p.words} words"
    if p.kind == "passage":
        head += f" \u00b7 similarity {p.similarity:.3f}"
    lines = [
        head,
        f"   A [{p.a.start}, {p.a.end})  {_excerpt(p.a_text)}",
        f"   B [{p.b.start}, {p.b.end})  {_excerpt(p.b_text)}",
    ]
    if p.kind == "passage" and not p.edits:
        lines.append("   no word changed")
    for e in p.edits:
        if e.op == "replace":
            what = f"{_excerpt(e.a_text, 40)} \u2192 {_excerpt(e.b_text, 40)}"
        elif e.op == "delete":
            what = f"{_excerpt(e.a_text, 40)} (only in A)"
        else:
            what = f"{_excerpt(e.b_text, 40)} (only in B)"
        lines.append(f"   {e.op:<7} {what}  at A {e.a.start}, B {e.b.start}")
    return lines


def format_comparison(c: Comparison) -> str:
    out = _doc_lines("A", c.a, c.a_words) + [""] + _doc_lines("B", c.b, c.b_words) + [""]
    if not c.passages:
        out.append("no shared passages")
    else:
        np_ = sum(p.kind == "passage" for p in c.passages)
        nq = len(c.passages) - np_
        out.append(f"{np_} shared passage{'s' * (np_ != 1)}, {nq} shared quotation{'s' * (nq != 1)} (in B's order)")
        for k, p in enumerate(c.passages, 1):
            out.append("")
            out.extend(_passage_lines(k, p))
    out.append("")
    out.append(
        f"coverage: {c.coverage_a:.1%} of A's words and {c.coverage_b:.1%} of B's words lie in shared text"
    )
    out.append(
        f"containment ({c.params.ngram}-word n-grams): A in B {c.containment_a_in_b:.3f}, "
        f"B in A {c.containment_b_in_a:.3f}"
    )
    return "\n".join(textwrap.shorten(line, 400) if len(line) > 400 else line for line in out)


if __name__ == "__main__":  # pragma: no cover
    main()
