"""Reported (indirect) speech: ``X told CNN that …``, ``X said …``,
``…, US officials tell CNN, …``, ``…, a US official told CNN.``,
``According to X, …``, ``…, according to X.``. The span is the reported clause: after the verb (and
its object and "that"), or the sentence up to the attribution that follows it."""

from __future__ import annotations

import regex

_REPORT = "said|says|say|told|tell|tells|added|adds|warned|explained|insisted|noted|claimed|argued|confirmed"
_OBJECT = r"(?:[A-Z][\w.]*(?:['\u2019]s)?(?:\s+[A-Z][\w.]*)*|reporters|journalists|the court|an audience[^,.]{0,60}|the \w+)"
_ADVERB = r"(?:\s+(?:on|in|last|this|at|during|earlier|later|publicly|repeatedly|previously)\b[^,.\u201c\"]{0,40}?)?"
# literal words one of which every match of LEAD and TRAIL holds (a reporting verb), and
# of ACCORDING and ACCORDING_AFTER: a sentence without any is not matched against them
REPORT_WORDS = ("said", "say", "told", "tell", "add", "warned", "explained", "insisted", "noted", "claimed",
                "argued", "confirmed")
HAS_REPORT_WORD = regex.compile("|".join(REPORT_WORDS))  # one search for them all
ACCORDING_WORDS = "ccording to"
LEAD = regex.compile(
    rf"^(?P<s>[^\n\u201c\u201d\"]{{1,200}}?)\s+(?:(?:has|have|had)\s+)?(?:{_REPORT})\b"
    rf"(?:\s+{_OBJECT})?{_ADVERB}?(?:\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))?"
    rf"(?:\s+that)?\s+(?P<c>[^\n]+?)\s*[.!?]?\s*$")
TRAIL = regex.compile(
    rf",\s+(?P<s>(?:[Aa]n?|[Tt]he|[Oo]ne|US|U\.S\.|[A-Z][\w.]*)[^,\n\u201c\u201d\"]{{0,120}}?)\s+(?:(?:has|have|had)\s+)?"
    rf"(?:{_REPORT})(?:\s+{_OBJECT})?{_ADVERB}\s*(?:[,.]|$)")
ACCORDING = regex.compile(r"^(?:[Aa]ccording to)\s+(?P<s>[^,\n]{2,120}),\s+(?P<c>[^\n\u201c\"].+?)\s*[.!?]?\s*$")
# a reporting verb negated or hedged just before it ("did not say"): no report
NEGATED = regex.compile(r"\b(?:not|n't|never|did|would|could|will)\s*$")
# "..., according to X." at the end of the sentence
ACCORDING_AFTER = regex.compile(
    r"^(?P<c>[^\n\u201c\u201d\"]{10,}?),?\s+according to\s+(?P<s>(?:[^.!?\n]|(?<=\b(?:Dr|Mr|Mrs|Ms|Prof|[A-Z]))\.)"
    r"{2,120}?)\s*[.!?]?\s*$")
