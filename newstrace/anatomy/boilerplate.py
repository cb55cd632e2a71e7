"""Site furniture: the lines of a page that are neither the article nor
its author's commentary (share buttons, "Become a member", disclaimers,
copyright and fair-use notices, tag and category lists, "Featured image",
bylines and datelines, contact lines).

Rules over lines, no model: a line is boilerplate when it matches one of
the patterns below, or when it is short and mostly links (``[text](#)``
leftovers, bare URLs). Borrowed text is never boilerplate: the caller lays
passages over these spans.
"""

from __future__ import annotations

import regex

from ..records import Span

_LINE_PATTERNS = [
    # notices
    r"^\s*disclaimer\b", r"copyright\s*(?:©|\(c\)|\d{4})", r"©", r"\ball rights reserved\b",
    r"\bfair use\b", r"\bcontains copyrighted material\b", r"\bgrants? permission to (?:cross-?post|republish)",
    r"\bthe original source of this article is\b", r"\boriginally (?:published|appeared) (?:at|on|in)\b",
    r"^\s*(?:this article|this story) (?:was|first) (?:originally )?(?:published|appeared)\b",
    r"\bviews expressed (?:in this article )?are (?:solely )?(?:those|the) ",
    # calls to action and sharing
    r"^\s*(?:\[)?(?:become a (?:member|patron|subscriber)|subscribe|sign up|join (?:us|our)|donate|support us)\b",
    r"\b(?:share (?:this|on)|follow us|like us on|comment on)\b.{0,60}\b(?:facebook|twitter|telegram|x|page)\b",
    r"^\s*(?:share|tweet|email|print|whatsapp|facebook|twitter|reddit|linkedin)(?:\s*[|·•,]\s*\w+)*\s*$",
    r"^\s*(?:click here|read more|related(?: articles| posts| stories)?:|advertisement|sponsored)\b",
    r"\bnewsletter\b.{0,40}\b(?:sign up|subscribe|inbox)\b",
    # page furniture
    r"^\s*(?:featured image|image|photo|picture|source|via)\b[^.]{0,60}(?:\bfrom\b|\bcredit\b|:)",
    r"^\s*(?:articles by|posted (?:by|in|on)|filed under|tags?|topics?|categor(?:y|ies)|region|theme|"
    r"in-depth report)\s*:",
    r"^\s*(?:for )?(?:media )?(?:inquiries|enquiries|contact)\b.{0,60}@",
    r"^\s*[\w.+-]+@[\w-]+\.[\w.]+\s*$",
    r"^\s*by\s+(?:\[)?\p{Lu}[\w.’'-]*(?:\s+\p{Lu}[\w.’'-]*){0,3}(?:\]\([^)]*\))?\s*$",
]
_LINE = regex.compile("|".join(f"(?:{p})" for p in _LINE_PATTERNS), flags=regex.IGNORECASE | regex.MULTILINE)
_LINK = regex.compile(r"\[[^\]\n]{0,200}\]\([^()\s]{0,2000}\)|https?://\S+|www\.\S+")
_DATE = regex.compile(
    r"\b(?:\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{4}"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{1,2},? \d{4})\b",
    flags=regex.IGNORECASE,
)
_WORD = regex.compile(r"\w+")
_MAX_SHORT_WORDS = 12


def is_boilerplate_line(line: str) -> bool:
    """Whether one line of a page is site furniture (see the module docstring)."""
    if not line.strip():
        return False
    if _LINE.search(line):
        return True
    words = _WORD.findall(line)
    if len(words) > _MAX_SHORT_WORDS:
        return False
    linked = sum(len(_WORD.findall(m.group())) for m in _LINK.finditer(line))
    if words and linked / len(words) >= 0.5:
        return True
    # a dateline: an outlet and a date on a short line of their own
    return bool(_DATE.search(line)) and len(words) <= 8


def boilerplate_spans(text: str) -> tuple[Span, ...]:
    """The lines of ``text`` that are boilerplate, as spans without their line break."""
    out: list[Span] = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if is_boilerplate_line(line):
            out.append(Span(pos, end))
        pos = end + 1
    return tuple(out)
