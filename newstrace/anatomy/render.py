"""The anatomy as text for the terminal: the summary, the borrowed passages
with their changes, the derivative's own text and its boilerplate, the
flagged omissions (a short list, most important first) and the headline
check."""

from __future__ import annotations

from collections import Counter

from ..excerpt import excerpt
from ..labels import document_label, document_meta, document_name
from .core import Anatomy

SHORT_LIST = 10
_LABEL_WORDS = {"verbatim": "verbatim", "edited": "with edits", "quotation": "quoted phrases",
                "rewritten": "rewritten", "added": "added", "boilerplate": "boilerplate"}


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _name(a: Anatomy, sid: str) -> str:
    return document_name(a.source(sid))


def render_text(a: Anatomy) -> str:
    d, s = a.derivative, a.summary
    out = []
    for role, doc in (("derivative", d), *(("source", src) for src in a.sources)):
        out.append(f"{role:<11} {document_label(doc, limit=80)}  (id {doc.id})")
        if meta := document_meta(doc):
            out.append(f"            {meta}")
    out += [f"note: {n}" for n in a.notes]
    n = max(s.words, 1)
    parts = ", ".join(f"{_LABEL_WORDS[k]} {_pct(v / n)}" for k, v in s.words_by_label.items() if v)
    out += ["", "summary", f"   {s.words:,} words: {_pct(s.share_borrowed)} borrowed, {_pct(s.share_added)} added, "
            f"{_pct(s.share_boilerplate)} boilerplate ({parts})"]
    for sid, share in s.share_used.items():
        kept, total = s.sentences_kept[sid]
        out.append(f"   {_name(a, sid)}: {_pct(share)} of its words used; {kept} of {total} sentences kept")
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(s.changes_by_kind.items()))
    reasons = ", ".join(f"{k} {v}" for k, v in sorted(s.omissions_by_reason.items()))
    out.append(f"   {s.changes} change{'s' * (s.changes != 1)} inside borrowed text" + (f" ({kinds})" if kinds else ""))
    out.append(f"   {s.omissions} flagged omission{'s' * (s.omissions != 1)}" + (f" ({reasons})" if reasons else ""))

    out += ["", f"borrowed ({len(a.passages)}, in the derivative's order)"]
    if not a.passages:
        out.append("   nothing: no passage of a source found in the derivative")
    for k, (sid, p) in enumerate(a.passages):
        head = f"#{k + 1} {p.kind} from {_name(a, sid)} \u00b7 {p.words} words"
        out += [head, f"   source [{p.a.start}, {p.a.end})  {excerpt(p.a_text)}",
                f"   here   [{p.b.start}, {p.b.end})  {excerpt(p.b_text)}"]
        for x in p.sentences:  # a rewritten passage: which sentence became which
            out.append(f"   sentence [{x.a.start}, {x.a.end}) → here [{x.b.start}, {x.b.end}) "
                       f"({x.similarity:.0%} similar)  {excerpt(d.text[x.b.start:x.b.end], 50)}")
        changes = [c for c in a.changes if c.passage == k]
        if p.kind == "passage" and not changes:
            out.append("   no change")
        for c in changes:
            gap = c.kind.startswith("sentence_") or c.detail == "punctuation changed"
            what = (f"{c.a_text!r} \u2192 {c.b_text!r}" if gap
                    else f"{excerpt(c.a_text, 40)} \u2192 {excerpt(c.b_text, 40)}" if c.a_text.strip() and c.b_text.strip()
                    else f"{excerpt(c.a_text, 40)} dropped" if c.a_text.strip()
                    else f"{excerpt(c.b_text, 40)} added" if c.b_text.strip() else f"{c.a_text!r} \u2192 {c.b_text!r}")
            out.append(f"   {c.kind:<15} {c.detail}: {what}  at source {c.a.start}, here {c.b.start}")

    for label, title in (("added", "added (the derivative's own text)"), ("boilerplate", "boilerplate (site furniture)")):
        segs = [g for g in a.segments if g.label == label and d.text[g.start:g.end].strip()]
        out += ["", f"{title}: {len(segs)} stretch{'es' * (len(segs) != 1)}"]
        for g in segs:
            if label == "boilerplate":  # one line each: "Disclaimer: …", "Become a Member …"
                pos = g.start
                for line in d.text[g.start:g.end].split("\n"):
                    if line.strip():
                        out.append(f"   [{pos}, {pos + len(line)})  {excerpt(line, 60)}")
                    pos += len(line) + 1
            else:
                out.append(f"   [{g.start}, {g.end})  {excerpt(d.text[g.start:g.end])}")

    ranked = sorted(a.omissions, key=lambda o: (-o.weight, o.source, o.start))[:SHORT_LIST]
    out += ["", f"left out: what changes the meaning (the {len(ranked)} that matter most, of {len(a.omissions)})"]
    if not ranked:
        out.append("   nothing flagged")
    for o in sorted(ranked, key=lambda o: (o.source, o.start)):
        src_text = a.source(o.source).text
        out.append(f"   {o.reason:<11} {excerpt(o.text, 40)} in {excerpt(o.sentence.slice(src_text), 90)}"
                   f"  [{_name(a, o.source)} {o.start}]")

    h = a.headline
    out += ["", "headline check"]
    if h.headline is None and not h.lead:
        out.append("   no headline or lead found")
    shown = [("headline", [h.headline] if h.headline else []), ("lead", list(h.lead))]
    for part, spans in shown:
        if not spans:
            continue
        out.append(f"   {part} " + " ".join(excerpt(sp.slice(d.text), 100) for sp in spans))
        for t in (t for t in h.terms if t.part == part):
            if t.supported:
                where = "in the borrowed text"
            elif t.in_source:
                where = "NOT in the borrowed text; only elsewhere in the source"
            else:
                where = "NOT in the source: the derivative's own"
            seen = ""
            if t.found:
                sid, sp = t.found
                seen = f" ({excerpt(sp.slice(a.source(sid).text), 30)} at {sp.start})"
            out.append(f"      {t.text:<18} {t.kind:<7} {where}{seen}")
    if h.qualifiers:
        out.append("   what the source says around the headline's claims:")
        groups: Counter[tuple[str, int, int]] = Counter()
        for q in h.qualifiers:
            groups[(q.source, q.sentence.start, q.sentence.end)] += 1
        for (sid, s0, s1) in list(groups)[:6]:
            qs = [q for q in h.qualifiers if q.source == sid and q.sentence.start == s0]
            used = "used" if any(q.used for q in qs) else "left out"
            words = ", ".join(excerpt(q.text, 30) for q in qs)
            out.append(f"      {words} \u2014 {used}: {excerpt(a.source(sid).text[s0:s1], 90)}")
    return "\n".join(out)
