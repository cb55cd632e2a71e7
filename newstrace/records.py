"""Small typed records shared by every stage.

All offsets are character offsets into a document's text *as loaded* (for a
``.txt`` file, the decoded file), half-open ``[start, end)``: ``text[start:end]``
is exactly the text a record stands for.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

EditOp = Literal["replace", "insert", "delete"]
PassageKind = Literal["passage", "quotation", "boilerplate", "rewritten"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """One article.

    ``id`` is unique within a collection; ``text`` is the article text the
    offsets of every span refer to. Metadata fields are ``None`` when the
    loader found no evidence for them; ``detected`` records what the loader
    sniffed and from where (for example ``{"published": "header line 3"}``).
    """

    id: str
    text: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: _dt.date | _dt.datetime | None = None
    byline: str | None = None
    source_path: str | None = None
    detected: dict[str, str] = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["published"] = self.published.isoformat() if self.published else None
        return d


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range ``[start, end)`` of one document's text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span [{self.start}, {self.end}): need 0 <= start <= end")

    def __len__(self) -> int:
        return self.end - self.start

    def slice(self, text: str) -> str:
        return text[self.start : self.end]

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


def _span_pair(a: Span, b: Span, a_text: str, b_text: str) -> dict[str, Any]:
    """The flat JSON fields of a pair of spans and their text."""
    return {
        "a_start": a.start,
        "a_end": a.end,
        "b_start": b.start,
        "b_end": b.end,
        "a_text": a_text,
        "b_text": b_text,
    }


@dataclass(frozen=True, slots=True)
class Edit:
    """One word-level change inside a passage, from A's wording to B's.

    ``op`` is ``replace``, ``insert`` (words only in B) or ``delete`` (words
    only in A). The spans locate the changed words in each text; for an insert
    the A span is empty (placed where the words would go), likewise for a
    delete on the B side. Differences that normalisation ignores (case, quote
    marks, dashes, punctuation, spacing, markup leftovers) are never edits.
    """

    op: EditOp
    a: Span
    b: Span
    a_text: str
    b_text: str

    def as_dict(self) -> dict[str, Any]:
        return {"op": self.op, **_span_pair(self.a, self.b, self.a_text, self.b_text)}


@dataclass(frozen=True, slots=True)
class SentencePair:
    """Two sentence units a rewritten passage aligns: ``a`` in the first
    document, ``b`` in the second, and their weighted cosine (0..1)."""

    a: Span
    b: Span
    similarity: float

    def as_dict(self) -> dict[str, Any]:
        return {"a": {"start": self.a.start, "end": self.a.end}, "b": {"start": self.b.start, "end": self.b.end},
                "similarity": self.similarity}


@dataclass(frozen=True, slots=True)
class Passage:
    """Text shared by two documents: a span in each plus how they differ.

    ``words`` is the number of words the two spans have in common (aligned
    and equal after normalisation); ``similarity`` is the share of aligned
    words, ``2 * words / (words_in_a + words_in_b)``, 1.0 for a verbatim copy.
    ``kind`` is ``passage`` for an aligned block of text and ``quotation``
    for a short phrase that one document puts in quotation marks and the
    other contains, ``rewritten`` for a stretch one document paraphrased,
    reordered or summarised from the other (:mod:`newstrace.rewritten`):
    its ``similarity`` is the weighted term cosine of the two spans,
    ``words`` the words of B's span whose stem occurs in A's, ``edits`` is
    empty and ``sentences`` holds the aligned sentence pairs inside it.
    """

    a: Span
    b: Span
    a_text: str
    b_text: str
    words: int
    similarity: float
    kind: PassageKind = "passage"
    edits: tuple[Edit, ...] = ()
    sentences: tuple[SentencePair, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out = {
            **_span_pair(self.a, self.b, self.a_text, self.b_text),
            "words": self.words,
            "similarity": round(self.similarity, 4),
            "kind": self.kind,
            "edits": [e.as_dict() for e in self.edits],
        }
        if self.kind == "rewritten":
            out["sentences"] = [s.as_dict() for s in self.sentences]
        return out


QuoteKind = Literal["speech", "scare"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Quotation:
    """Words an article gives as someone's: a direct quotation (between
    quotation marks) or reported (indirect) speech.

    ``start``/``end`` delimit the quoted words *without* the quotation marks
    (for reported speech, the reported clause); ``text == doc.text[start:end]``.
    A quotation running over several paragraphs keeps the paragraph breaks
    and the repeated opening marks inside it. ``speaker`` is the fullest
    name the article gives the speaker ("US Army Col. Ryan Dillon" for a later
    "Dillon"), or the description of an unnamed one ("a US official familiar
    with the development"); ``None`` when no speaker was found (scare quotes
    never get one). ``speaker_role`` is the role the article gives
    ("a coalition spokesman"), ``speaker_span`` where the attribution names
    the speaker for this quotation. ``kind`` is ``speech``, or ``scare`` for
    one or two words (or a name) set in quotation marks. ``warnings`` say
    where the marks were unbalanced and what reading was taken.
    """

    start: int
    end: int
    text: str
    speaker: str | None = None
    speaker_role: str | None = None
    speaker_span: Span | None = None
    direct: bool = True
    kind: QuoteKind = "speech"
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "speaker": self.speaker,
            "speaker_role": self.speaker_role,
            "direct": self.direct,
            "kind": self.kind,
            "speaker_start": self.speaker_span.start if self.speaker_span else None,
            "speaker_end": self.speaker_span.end if self.speaker_span else None,
            "warnings": list(self.warnings),
        }


# --------------------------------------------------------------------------
# anatomy of a derivative (newstrace.anatomy)

SegmentLabel = Literal["verbatim", "edited", "quotation", "rewritten", "added", "boilerplate", "used", "left_out"]
FlagReason = Literal["hedge", "negation", "number", "attribution"]
ChangeKind = Literal["typo", "spelling", "punctuation", "word_replaced", "words_inserted", "words_deleted",
                     "sentence_split", "sentence_merged", "number", "name"]


@dataclass(frozen=True, slots=True)
class Segment:
    """A labelled stretch ``[start, end)`` of one document's text.

    Over a derivative the labels are ``verbatim`` (borrowed word for word),
    ``edited`` (borrowed, inside a sentence with word-level edits),
    ``quotation`` (a short phrase in quotation marks found in a source),
    ``added`` (the derivative's own text) and ``boilerplate`` (site
    furniture); over a source they are ``used`` and ``left_out``. The
    segments of one text tile it: contiguous, in order, no gaps or overlaps.
    ``source`` is the source a borrowed segment came from and ``passage`` the
    index of its passage in :attr:`Anatomy.passages`.
    """

    start: int
    end: int
    label: SegmentLabel
    source: str | None = None
    passage: int | None = None

    def as_dict(self, text: str) -> dict[str, Any]:
        d: dict[str, Any] = {"start": self.start, "end": self.end, "label": self.label}
        if self.source is not None:
            d["source"] = self.source
            d["passage"] = self.passage
        d["text"] = text[self.start : self.end]
        return d


@dataclass(frozen=True, slots=True)
class Flag:
    """Words of a source that change the meaning when dropped.

    ``reason`` is ``hedge`` (a limiter such as "very limited, if any",
    "only", "reportedly"), ``negation``, ``number`` (a number or quantity) or
    ``attribution`` ("a US official said", "according to …"). ``sentence``
    is the sentence holding it, ``used`` whether the derivative took these
    words, ``weight`` how much dropping it matters (ranks the short list).
    """

    source: str
    start: int
    end: int
    text: str
    reason: FlagReason
    sentence: Span
    used: bool
    weight: float = 0.0

    def as_dict(self, source_text: str) -> dict[str, Any]:
        return {"source": self.source, "start": self.start, "end": self.end, "text": self.text,
                "reason": self.reason, "used": self.used, "weight": round(self.weight, 2),
                "sentence_start": self.sentence.start, "sentence_end": self.sentence.end,
                "sentence": self.sentence.slice(source_text)}


@dataclass(frozen=True, slots=True)
class Change:
    """One change inside a borrowed passage, classified.

    ``kind`` is one of ``typo`` (a doubled word fixed or made), ``spelling``
    (a word respelt, or its capitals changed), ``punctuation`` (marks or
    quote style between or inside words), ``word_replaced``,
    ``words_inserted``, ``words_deleted``, ``sentence_split``,
    ``sentence_merged`` (also paragraph breaks added or removed), ``number``
    and ``name`` (a number or a name replaced, added or dropped). ``a`` is
    the span in the source, ``b`` in the derivative (empty where the words
    are only on the other side); ``passage`` indexes
    :attr:`Anatomy.passages`.
    """

    kind: ChangeKind
    source: str
    passage: int
    a: Span
    b: Span
    a_text: str
    b_text: str
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "detail": self.detail, "source": self.source, "passage": self.passage,
                **_span_pair(self.a, self.b, self.a_text, self.b_text)}


@dataclass(frozen=True, slots=True)
class HeadlineTerm:
    """A content word of the derivative's headline or lead, checked against its sources.

    ``kind`` is ``number``, ``entity`` (a name: capitalised where it is not
    the first word, here or in a source), ``claim`` (a verb that asserts:
    "confirms", "defected", "admits") or ``word``. ``supported`` is true
    when the term (same stem; numbers exactly) occurs in the text the
    derivative borrowed; ``in_source`` when it occurs anywhere in a source.
    ``found`` is where: the source id and span of the first occurrence,
    borrowed text first.
    """

    text: str
    start: int
    end: int
    part: Literal["headline", "lead"]
    kind: Literal["number", "entity", "claim", "word"]
    supported: bool
    in_source: bool
    found: tuple[str, Span] | None = None

    def as_dict(self, sources: dict[str, str]) -> dict[str, Any]:
        d: dict[str, Any] = {"text": self.text, "start": self.start, "end": self.end, "part": self.part,
                             "kind": self.kind, "supported": self.supported, "in_source": self.in_source,
                             "source": None, "source_start": None, "source_end": None, "source_text": None}
        if self.found:
            sid, sp = self.found
            d.update(source=sid, source_start=sp.start, source_end=sp.end, source_text=sp.slice(sources[sid]))
        return d
