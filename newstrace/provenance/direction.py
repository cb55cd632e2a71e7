"""Who copied whom, for one pair of documents that share passages.

The decision is a sum of weighed evidence, each item listed with what it
rests on, so that a reader can check it:

- ``credit``: one document credits the other's outlet (``told CNN`` in B
  when A is CNN's; ``(AP) —`` in B when A is the AP's copy). A document
  of no outlet that carries a news agency's wire dateline (``Dhaka (APP)``)
  is read as that agency's copy (:attr:`Profile.house`), so when both of a
  pair carry it the agency is one of them, not a third source: the text
  evidence says which;
- ``common_credit``: both credit the same third outlet for the text they
  share (a whole-article credit such as a byline or a dateline, or an
  attribution such as ``told CNN`` inside the shared passages), and neither
  is that outlet: they are siblings of its article;
- ``date``: the earlier publication is the likelier source (with times, a
  gap of hours counts less than days);
- ``wire``: a news agency's copy (by outlet, or by its own wire dateline)
  is the likelier source of a newspaper's;
- ``dateline``: B prints A's agency dateline without its date
  (``LONDON, Aug 4 (Reuters)`` as ``LONDON (Reuters)``: copy editors drop
  it, agencies date their own copy); or B's dateline names several sources
  or news agencies in general (``(AP, Reuters)``, ``(Agencies)``), a
  newspaper's compilation, which is nobody's source;
- ``containment``: the text B shares with A is most of B but a small part
  of A (B was cut down from A, or A expanded from B — the first is usual);
- ``edits``: B fixes a doubled word, marks an elision (``...``), or inserts
  bracketed words inside the shared text;
- ``quotation``: B puts the shared text in quotation marks or after an
  introducing colon, A does not;
- ``circulation`` (given by the caller from the rest of the story): what B
  shares with third documents is text it shares with A, not the reverse;
- ``aggregator``: A is an aggregator or index page (news.google.com, a page
  of other outlets' headlines and links, :mod:`.aggregators`): it writes no
  text, so it is never the source; two aggregators are ``undetermined``.

Weights are log-odds, set by hand (not fitted); the confidence is the
logistic of the summed score. With no evidence either way the relation is
``undetermined``.

Two rules stand above the sum:

- a pair that shares a form but not content (template notices, whose shared
  passages replace the names and numbers, :mod:`.template`) is a
  ``template`` match, not a copy, unless one credits the other;
- a decision does not go against its own date evidence on the strength of
  the text alone. The *stated* evidence (``credit``, ``wire``,
  ``aggregator``: what the documents say of themselves and their outlets)
  may outweigh the dates, and then a ``note`` says so; when only the text
  evidence (containment, edits, quotation, circulation, readings) points
  the other way, the dates decide, at half their log-odds, and a ``note``
  says that the text disagreed.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass, field
from typing import Literal, Sequence

from ..records import Document, Passage
from .aggregators import aggregator_reason
from .credits import Credit, Dateline, find_credits, find_dateline, is_wire, normalize_outlet
from .template import NO_FORM, Form, template_match

Relation = Literal["a->b", "b->a", "siblings", "template", "undetermined"]

W_CREDIT = 4.0
W_DATE_DAYS = 2.5
W_DATE_HOURS = 1.2
# An agency's copy dated after a newspaper's copy of it is far more often a
# dating error (page dates, time zones, re-issued items) than an agency copying
# a newspaper unnamed (agencies credit what they pick up, which the credit
# evidence catches): the agency evidence outweighs a date.
W_WIRE_OUTLET = 3.0
W_WIRE_DATELINE = 1.5
W_DATELINE_DATE = 1.5
W_COMPILED = 1.5
W_CONTAINMENT = 0.8
W_JOINED = 0.6
W_EDITS = 0.7
W_QUOTATION = 0.8
# An aggregator page never wrote the text it shares: stronger than any other
# evidence, so that it is never made a source.
W_AGGREGATOR = 8.0

# What the documents state of themselves and their outlets, which may
# outweigh the dates; the rest is read off the text.
STATED = frozenset({"credit", "wire", "aggregator"})


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason for a decision: ``kind``, a one-line ``detail`` a reader can
    check, which document it makes the source (``"a"``, ``"b"``, or
    ``"common"`` for a shared outside source), and its ``weight``."""

    kind: str
    detail: str
    favours: str
    weight: float

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "detail": self.detail, "favours": self.favours, "weight": round(self.weight, 2)}


@dataclass(frozen=True, slots=True)
class Profile:
    """What the direction decision needs to know of one document."""

    id: str
    outlet: str | None
    published: _dt.date | _dt.datetime | None
    credits: tuple[Credit, ...]
    text: str = field(repr=False)
    aggregator: str | None = None  # why it is an aggregator or index page (newstrace.provenance.aggregators)
    dateline: Dateline | None = None  # the dateline that opens its body (newstrace.provenance.credits)

    @property
    def origins(self) -> set[str]:
        """Outlets the whole article is credited to, other than its own."""
        return {c.outlet for c in self.credits if c.whole_article and c.outlet != self.outlet}

    @property
    def house(self) -> str | None:
        """The outlet whose copy this document is: its own outlet, else the
        news agency of its wire dateline (``Dhaka (APP)`` in a file of no
        outlet is the agency's copy, whoever printed it)."""
        return self.outlet or self.wire_dateline

    @property
    def wire_dateline(self) -> str | None:
        for c in self.credits:
            if c.kind == "dateline" and is_wire(c.outlet):
                return c.outlet
        return None


def profile(doc: Document, *, use_dates: bool = True) -> Profile:
    return Profile(doc.id, normalize_outlet(doc.outlet), doc.published if use_dates else None,
                   find_credits(doc.text), doc.text, aggregator_reason(doc.outlet, doc.url, doc.text),
                   find_dateline(doc.text))


@dataclass(frozen=True, slots=True)
class PairDecision:
    """The decision for a pair: ``relation`` (``a->b``: B derives from A;
    ``template``: they share a form, not content), its ``confidence`` (0.5
    to 1), the ``evidence`` and, for siblings, the
    outlet of their ``common_source`` with the credits that name it."""

    a: str
    b: str
    relation: Relation
    confidence: float
    evidence: tuple[Evidence, ...]
    common_source: str | None = None
    common_credits: tuple[Credit, ...] = ()

    @property
    def source(self) -> str | None:
        return {"a->b": self.a, "b->a": self.b}.get(self.relation)

    @property
    def derivative(self) -> str | None:
        return {"a->b": self.b, "b->a": self.a}.get(self.relation)

    def as_dict(self) -> dict[str, object]:
        return {"a": self.a, "b": self.b, "relation": self.relation, "confidence": round(self.confidence, 3),
                "common_source": self.common_source, "evidence": [e.as_dict() for e in self.evidence]}


def credit_where(c: Credit) -> str:
    return f"{c.text!r} at [{c.span.start},{c.span.end})"


def _spans(passages: Sequence[Passage], side: str) -> list[tuple[int, int]]:
    return [(getattr(p, side).start, getattr(p, side).end) for p in passages]


def shared_text_credits(p: Profile, spans: list[tuple[int, int]]) -> dict[str, list[Credit]]:
    """Outlets ``p`` credits for the text inside ``spans``: its whole-article
    credits, and attributions inside the spans; its own outlet (its
    :attr:`~Profile.house`) excluded."""
    out: dict[str, list[Credit]] = {}
    for c in p.credits:
        if c.outlet == p.house:
            continue
        if c.whole_article or any(s <= c.span.start and c.span.end <= e for s, e in spans):
            out.setdefault(c.outlet, []).append(c)
    return out


def _date_evidence(pa: Profile, pb: Profile) -> Evidence | None:
    """Times are compared when both have one (and both or neither a zone),
    else days."""
    da, db = pa.published, pb.published
    if da is None or db is None:
        return None
    if (isinstance(da, _dt.datetime) and isinstance(db, _dt.datetime)
            and (da.tzinfo is None) == (db.tzinfo is None)):
        gap = abs((db - da).total_seconds()) / 3600
        w = W_DATE_DAYS if gap >= 24 else W_DATE_HOURS * min(1.0, 0.25 + gap / 12)
    else:
        da = da.date() if isinstance(da, _dt.datetime) else da
        db = db.date() if isinstance(db, _dt.datetime) else db
        w = W_DATE_DAYS
    if da == db:
        return None
    first = "a" if da < db else "b"
    (p1, d1), (p2, d2) = ((pa, da), (pb, db)) if first == "a" else ((pb, db), (pa, da))
    return Evidence("date", f"{p1.id} was published first ({d1.isoformat()}, {p2.id} {d2.isoformat()})", first, w)


_ELISION = re.compile(r"\.\.\.|…|\[\s*\.\.\.\s*\]|\[[^\]\n]{1,30}\]")


def _edit_evidence(passages: Sequence[Passage], pa: Profile, pb: Profile) -> list[Evidence]:
    """Changes inside the shared text that copiers make, not authors."""
    out = []
    for p in passages:
        for e in p.edits:
            if e.op == "delete" and _doubled(pa.text, e.a.start, e.a.end):
                out.append(Evidence("edits", f"{pb.id} drops the doubled word {e.a_text!r} of {pa.id} "
                                             f"at [{e.a.start},{e.a.end})", "a", W_EDITS))
            elif e.op == "insert" and _doubled(pb.text, e.b.start, e.b.end):
                out.append(Evidence("edits", f"{pa.id} drops the doubled word {e.b_text!r} of {pb.id} "
                                             f"at [{e.b.start},{e.b.end})", "b", W_EDITS))
            elif e.op in ("insert", "replace") and _ELISION.search(e.b_text):
                out.append(Evidence("edits", f"{pb.id} marks an elision or insertion {e.b_text!r} "
                                             f"at [{e.b.start},{e.b.end})", "a", W_EDITS))
            elif e.op in ("delete", "replace") and _ELISION.search(e.a_text):
                out.append(Evidence("edits", f"{pa.id} marks an elision or insertion {e.a_text!r} "
                                             f"at [{e.a.start},{e.a.end})", "b", W_EDITS))
    return out[:3]


def _doubled(text: str, start: int, end: int) -> bool:
    w = text[start:end].strip().casefold()
    if not w or " " in w:
        return False
    before = text[max(0, start - len(w) - 2):start].strip().casefold()
    after = text[end:end + len(w) + 2].strip().casefold()
    return before.endswith(w) or after.startswith(w)


_OPENERS = "\"“‘«:"


def _introduced(text: str, start: int) -> bool:
    """Is the text at ``start`` opened by a quotation mark or a colon?"""
    k = start
    while k > 0 and text[k - 1] in " \t\n\r":
        k -= 1
    return k > 0 and text[k - 1] in _OPENERS or (start < len(text) and text[start] in "\"“‘«")


def _quotation_evidence(passages: Sequence[Passage], pa: Profile, pb: Profile) -> list[Evidence]:
    blocks = [p for p in passages if p.kind in ("passage", "rewritten")]
    qa = [p for p in blocks if _introduced(pa.text, p.a.start)]
    qb = [p for p in blocks if _introduced(pb.text, p.b.start)]
    if blocks and len(qb) > len(qa) and len(qb) * 2 >= len(blocks):
        return [Evidence("quotation", f"{pb.id} opens {len(qb)} of {len(blocks)} shared passages with a "
                                      f"quotation mark or a colon, {pa.id} {len(qa)}", "a", W_QUOTATION)]
    if blocks and len(qa) > len(qb) and len(qa) * 2 >= len(blocks):
        return [Evidence("quotation", f"{pa.id} opens {len(qa)} of {len(blocks)} shared passages with a "
                                      f"quotation mark or a colon, {pb.id} {len(qb)}", "b", W_QUOTATION)]
    return []


def _dateline_evidence(pa: Profile, pb: Profile) -> list[Evidence]:
    """What the two datelines say of who printed whose copy: an agency's own
    dateline is dated, a newspaper printing it drops the date; a dateline
    that names several sources or agencies is a newspaper's compilation."""
    da, db = pa.dateline, pb.dateline
    out = []
    if da and db and da.dated != db.dated and not (da.compiled or db.compiled):
        src, copy, dated, undated = (pa, pb, da, db) if da.dated else (pb, pa, db, da)
        favours = "a" if da.dated else "b"
        if da.outlets == db.outlets:
            out.append(Evidence("dateline", f"{copy.id} prints the dateline of {src.id} without its date: "
                                            f"{undated.text!r} for {dated.text!r}", favours, W_DATELINE_DATE))
        else:  # another agency's credit: the dates say less
            out.append(Evidence("dateline", f"{src.id} dates its dateline as agencies do ({dated.text!r}), "
                                            f"{copy.id} does not ({undated.text!r})", favours, W_DATELINE_DATE / 2))
    compiled_a, compiled_b = bool(da and da.compiled), bool(db and db.compiled)
    if compiled_a != compiled_b:
        comp, other, d = (pa, pb, da) if compiled_a else (pb, pa, db)
        assert d is not None
        out.append(Evidence("dateline", f"the dateline of {comp.id}, {d.text!r}, names several sources or agencies: "
                                        f"a newspaper's compilation, not the source of {other.id}",
                            "b" if compiled_a else "a", W_COMPILED))
    return out


def covered_chars(spans: Sequence[tuple[int, int]]) -> int:
    """How many characters the half-open ``spans`` cover, each counted once."""
    total, end = 0, -1
    for s, e in sorted(spans):
        if e > end:
            total += e - max(s, end)
            end = e
    return total


def _containment_evidence(passages: Sequence[Passage], pa: Profile, pb: Profile,
                          words: tuple[int, int] | None) -> list[Evidence]:
    """The copy is the document whose words lie mostly in the shared text
    (it was cut down from the source, which has more around it); and the
    copy joins pieces that lie apart in the source."""
    blocks = [p for p in passages if p.kind in ("passage", "rewritten")]
    if not words or not blocks:
        return []
    out = []
    # each side's characters inside the shared text, counted once (a rewritten
    # passage may lie over verbatim ones, passages of one side may overlap)
    ca = covered_chars(_spans(blocks, "a")) / max(1, len(pa.text))
    cb = covered_chars(_spans(blocks, "b")) / max(1, len(pb.text))
    r = math.log(max(cb, 1e-9) / max(ca, 1e-9))
    if abs(r) >= math.log(1.1):
        w = W_CONTAINMENT * min(1.0, abs(r) / math.log(1.5))
        if r > 0:
            out.append(Evidence("containment", f"the shared text is {cb:.0%} of {pb.id} but {ca:.0%} of {pa.id}",
                                "a", w))
        else:
            out.append(Evidence("containment", f"the shared text is {ca:.0%} of {pa.id} but {cb:.0%} of {pb.id}",
                                "b", w))
    by_a = sorted(blocks, key=lambda p: p.a.start)
    by_b = sorted(blocks, key=lambda p: p.b.start)
    gap_a = sum(max(0, y.a.start - x.a.end) for x, y in zip(by_a, by_a[1:]))
    gap_b = sum(max(0, y.b.start - x.b.end) for x, y in zip(by_b, by_b[1:]))
    if gap_a > 2 * gap_b + 100:
        out.append(Evidence("containment", f"{pb.id} joins pieces that lie apart in {pa.id} "
                                           f"({gap_b} characters between them in {pb.id}, {gap_a} in {pa.id})",
                            "a", W_JOINED))
    elif gap_b > 2 * gap_a + 100:
        out.append(Evidence("containment", f"{pa.id} joins pieces that lie apart in {pb.id} "
                                           f"({gap_a} characters between them in {pa.id}, {gap_b} in {pb.id})",
                            "b", W_JOINED))
    return out


def decide(pa: Profile, pb: Profile, passages: Sequence[Passage], *,
           words: tuple[int, int] | None = None, context: Sequence[Evidence] = (),
           form: Form = NO_FORM) -> PairDecision:
    """Decide the direction of reuse between two documents sharing
    ``passages`` (A-side spans in ``pa``, B-side in ``pb``). ``words`` are
    the two documents' word counts, for the containment evidence;
    ``context`` is evidence from the rest of the collection (the
    circulation of the shared text, :mod:`.circulation`); ``form`` the
    names, numbers and words the story repeats everywhere
    (:func:`.template.story_form`)."""
    ev: list[Evidence] = []
    # 1. explicit credit to the other's outlet
    ca = shared_text_credits(pa, _spans(passages, "a"))
    cb = shared_text_credits(pb, _spans(passages, "b"))
    # a document of no outlet whose wire dateline names agency X reads as X's
    # copy (Profile.house): another crediting X credits it, not a third source
    ha, hb = pa.house, pb.house
    if ha and ha != hb:
        for c in [c for c in pb.credits if c.outlet == ha][:2]:
            ev.append(Evidence("credit", f"{pb.id} credits {ha}, the outlet of {pa.id}: {credit_where(c)}",
                               "a", W_CREDIT))
    if hb and hb != ha:
        for c in [c for c in pa.credits if c.outlet == hb][:2]:
            ev.append(Evidence("credit", f"{pa.id} credits {hb}, the outlet of {pb.id}: {credit_where(c)}",
                               "b", W_CREDIT))
    direct = any(e.kind == "credit" for e in ev)
    # 2. a common source both credit
    common = sorted((set(ca) & set(cb)) - {ha, hb} - {None},
                    key=lambda o: (-(len(ca[o]) + len(cb[o])), o))
    common_source = common[0] if common and not direct else None
    if common_source:
        xa, xb = ca[common_source], cb[common_source]
        ev.append(Evidence("common_credit", f"both credit {common_source} for the text they share: "
                                            f"{pa.id} {credit_where(xa[0])}, {pb.id} {credit_where(xb[0])}", "common",
                           W_CREDIT))
    # 3. dates
    d = _date_evidence(pa, pb)
    if d:
        ev.append(d)
    # 4. a wire's copy before a newspaper's
    if is_wire(pa.outlet) and not is_wire(pb.outlet):
        ev.append(Evidence("wire", f"{pa.id} is from the news agency {pa.outlet}", "a", W_WIRE_OUTLET))
    elif is_wire(pb.outlet) and not is_wire(pa.outlet):
        ev.append(Evidence("wire", f"{pb.id} is from the news agency {pb.outlet}", "b", W_WIRE_OUTLET))
    elif pa.wire_dateline and not pb.wire_dateline and not pb.outlet:
        ev.append(Evidence("wire", f"{pa.id} carries the wire dateline of {pa.wire_dateline}, {pb.id} none",
                           "a", W_WIRE_DATELINE))
    elif pb.wire_dateline and not pa.wire_dateline and not pa.outlet:
        ev.append(Evidence("wire", f"{pb.id} carries the wire dateline of {pb.wire_dateline}, {pa.id} none",
                           "b", W_WIRE_DATELINE))
    # 5.-8. the text itself
    ev += _dateline_evidence(pa, pb)
    ev += _containment_evidence(passages, pa, pb, words)
    ev += _edit_evidence(passages, pa, pb)
    ev += _quotation_evidence(passages, pa, pb)
    ev += context

    score = sum(e.weight for e in ev if e.favours == "a") - sum(e.weight for e in ev if e.favours == "b")
    if not direct and not common_source:
        tm = template_match(passages, form, (pa.text, pb.text))
        if tm.is_template:
            ev.append(Evidence("template", tm.detail(pa.id, pb.id), "common", 0.0))
            share = tm.differing / max(1, tm.differing + tm.shared)
            return PairDecision(pa.id, pb.id, "template", 0.5 + share / 2, tuple(ev))
    if pa.aggregator and pb.aggregator:
        ev.append(Evidence("aggregator", f"both are aggregator pages: {pa.id} as {pa.aggregator}, {pb.id} as "
                                         f"{pb.aggregator}; neither wrote the text", "common", 0.0))
        return PairDecision(pa.id, pb.id, "undetermined", 0.5, tuple(ev))
    if pa.aggregator or pb.aggregator:
        agg, other, side = (pa, pb, "b") if pa.aggregator else (pb, pa, "a")
        ev.append(Evidence("aggregator", f"{agg.id} is never the source: {agg.aggregator}; {other.id} is not",
                           side, W_AGGREGATOR))
        score += W_AGGREGATOR if side == "a" else -W_AGGREGATOR
    if not common_source:
        score = _against_dates(ev, score, d)

    if common_source:
        # Both credit a third outlet for the shared text: siblings. Dates or
        # containment cannot tell that apart from a chain X -> A -> B (B would
        # still carry "told X"); they only lower the confidence.
        conf = 1 / (1 + math.exp(-(W_CREDIT - abs(score) / 2)))
        return PairDecision(pa.id, pb.id, "siblings", conf, tuple(ev), common_source,
                            tuple(ca[common_source][:3] + cb[common_source][:3]))
    if score == 0:
        return PairDecision(pa.id, pb.id, "undetermined", 0.5, tuple(ev))
    conf = 1 / (1 + math.exp(-abs(score)))
    return PairDecision(pa.id, pb.id, "a->b" if score > 0 else "b->a", conf, tuple(ev))


def _against_dates(ev: list[Evidence], score: float, date: Evidence | None) -> float:
    """The score once the dates have had their say: when ``score`` goes
    against the ``date`` evidence, the stated evidence (:data:`STATED`) may
    carry it, else the dates decide at half their log-odds. Either way a
    ``note`` is added to ``ev`` saying why."""
    if date is None or score == 0 or (score > 0) == (date.favours == "a"):
        return score

    def signed(e: Evidence) -> float:
        return e.weight if e.favours == "a" else -e.weight if e.favours == "b" else 0.0

    stated = sum(signed(e) for e in ev if e.kind in STATED) + signed(date)
    won = "a" if score > 0 else "b"
    if stated and (stated > 0) == (score > 0):
        kinds = sorted({e.kind for e in ev if e.kind in STATED and e.favours == won})
        ev.append(Evidence("note", f"against the dates: the {' and '.join(kinds)} evidence outweighs them", won, 0.0))
        return score
    text = sorted({e.kind for e in ev if e.kind not in STATED and e.kind != "date" and e.favours == won})
    ev.append(Evidence("note", f"the {', '.join(text) or 'text'} evidence points the other way, but without a "
                               f"credit the dates decide", date.favours, 0.0))
    return stated / 2
