"""Template notices: two texts that share a form, not content.

Issuer notices (``X is issuing a 100 mln dlr eurobond due ... lead manager
Y said``), central-bank money-market notices, sports tables and weather
reports repeat one form with other names and numbers in its slots. An
alignment finds long passages between them, but neither copied the other:
what they share is the template, what they report differs.

The rule looks at the *slots* of the shared passages: tokens with a digit
(amounts, dates, rates) and capitalised words other than a few function
words and the word opening a sentence (issuers, managers, places). A slot is

- *shared* when it lies in the unchanged text of a passage, and is not one
  the story repeats everywhere (a slot found in at least
  :data:`COMMON_DOCS_AT` of a story's documents, from
  :data:`COMMON_MIN_DOCS` documents on, belongs to the form:
  ``Luxembourg``, ``Bank of England``);
- *differing* when an edit of a passage replaces it, or part of it, by
  another name or number (a ``replace`` of at most :data:`SLOT_EDIT_WORDS`
  words a side whose other side has slots and none that says the same:
  ``7-3/8`` against ``7-5/8``; not ``28 کے`` against ``28کے``, the same
  number respaced, nor ``50`` against a number spelled out). Words only one
  text has are additions or cuts, not slots; a long replacement is
  rewritten text; slots they touch count neither way.

A pair is a template match when

- at least :data:`MIN_DIFFERING` slots differ and they are at least as many
  as the shared ones: the edits replace the names and numbers, and what
  stays the same is the form; or
- at least one slot differs, the shared ones are no more than twice as
  many, and at least :data:`FORM_WORDS_AT` of the passages' words are
  *form words*, found in at least :data:`COMMON_DOCS_AT` of the story's
  documents (from :data:`COMMON_MIN_DOCS` on): the similarity rests on
  function words and the template (``The non-callable bond is available in
  denominations of ... and will be listed in Luxembourg``), not on what the
  two report; or
- the passages keep no slot of their own and no slot differs in them, at
  least :data:`FORM_WORDS_AT` of their words are form words, and the two
  are short notices (at most :data:`NOTICE_WORDS` words each, each with at
  least :data:`MIN_DIFFERING` names and numbers not of the form) with less
  than :data:`FACTS_AT` of those in common: two notices that share only
  the fixed sentences of the form.

A copy with small edits (a corrected figure, an updated toll) keeps most of
its names and numbers, so it stays a copy; and longer texts whose shared
passages differ in no name or number are not template matches (answers to
one question, paraphrasing one source, share its topic words but copy it).
Measured on Reuters-21578 and the 2018 collection: the rule takes 85 % of
the 3,623 pairs of the eurobond story (224 notices), 81 % of the 721 pairs
of Bank of England money-market notices, 10 % of the pairs of two-document
stories (on reading a sample: monthly figures, earnings tables) and 0.7 %
of the pairs of the 2018 collection's largest story (510 documents).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

from ..records import Passage

MIN_DIFFERING = 2
COMMON_DOCS_AT = 0.3
COMMON_MIN_DOCS = 6
SLOT_EDIT_WORDS = 6
FORM_WORDS_AT = 0.8
NOTICE_WORDS = 150
FACTS_AT = 0.25

_WORD = re.compile(r"\w+")
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|\n\s*)[\"“‘(]?$")
_OPENERS = "\"“‘("
_SLOT = re.compile(r"[^\W\d_]*\d[\w.,/-]*|[A-Z][\w'’&-]+")
_FUNCTION = frozenset(
    "a an and as at but by for from he her his i if in into is it its of on or our she so that the their "
    "there these they this those to was we were what when where which while who will with you reuter "
    "reuters mr mrs ms".split())


def opens_sentence(text: str, at: int) -> bool:
    """Does position ``at`` of ``text`` open a sentence: the text before it
    (an opening quotation mark or bracket aside) is empty, or ends with a
    full stop, question or exclamation mark or colon and whitespace, or with
    a line break and whitespace? The same as
    ``_SENTENCE_START.search(text, 0, at)`` (:func:`opens_sentence_slow`),
    looking back over the whitespace before ``at`` only, not the whole text."""
    j = at - 1 if at > 0 and text[at - 1] in _OPENERS else at
    if j == 0:
        return True
    i = j
    while i > 0 and text[i - 1].isspace():
        i -= 1
    if i == j:
        return False
    return "\n" in text[i:j] or (i > 0 and text[i - 1] in ".!?:")


def opens_sentence_slow(text: str, at: int) -> bool:
    """:func:`opens_sentence` by the regular expression, over the whole text before ``at``."""
    return _SENTENCE_START.search(text, 0, at) is not None


def _slot_spans(text: str, offset: int = 0) -> list[tuple[str, int, int]]:
    out = []
    for m in _SLOT.finditer(text):
        t = m.group(0).rstrip(".,")
        if not t or t.casefold() in _FUNCTION:
            continue
        if not any(c.isdigit() for c in t) and opens_sentence(text, m.start()):
            continue  # a capitalised word opening a sentence is not a name
        out.append((t, offset + m.start(), offset + m.start() + len(t)))
    return out


def _key(token: str) -> str:
    """What a slot says: a number's digits (``28`` in ``28کے``), else the word."""
    digits = re.sub(r"\D", "", token)
    return digits or token


def _touches(s: int, e: int, x: int, y: int) -> bool:
    """Does the edit span [x, y) (empty: the point x) touch the token [s, e)?"""
    return x < e and y > s if x < y else s < x < e


def slots(text: str) -> list[str]:
    """The slot tokens of ``text``: numbers and capitalised words, trailing
    punctuation dropped, function words left out."""
    return [t for t, _, _ in _slot_spans(text)]


@dataclass(frozen=True, slots=True)
class Form:
    """What a story repeats in most of its documents: ``names`` (slots:
    names and numbers) and ``words`` (casefolded), its form rather than its
    content. Empty for a story of fewer than :data:`COMMON_MIN_DOCS` documents."""

    names: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()


# the form of a pair seen on its own, with no story around it
NO_FORM = Form()


def story_form(texts: Iterable[str]) -> Form:
    """The :class:`Form` of a story's documents."""
    texts = list(texts)
    if len(texts) < COMMON_MIN_DOCS:
        return Form()
    at = COMMON_DOCS_AT * len(texts)
    df_slots = Counter(s for t in texts for s in set(slots(t)))
    df_words = Counter(w for t in texts for w in {x.casefold() for x in _WORD.findall(t)})
    return Form(frozenset(s for s, n in df_slots.items() if n >= at),
                frozenset(w for w, n in df_words.items() if n >= at))


@dataclass(frozen=True, slots=True)
class TemplateMatch:
    """The slots of a pair's shared passages: ``shared`` (unchanged, not
    common to the story) and ``differing`` (replaced inside edits); and the
    share of the passages' words that are the story's ``form`` words (None
    without a form)."""

    shared: int
    differing: int
    form: float | None = None
    facts: float | None = None  # two short notices: the share of their names and numbers they have in common

    @property
    def slots_differ(self) -> bool:
        return self.differing >= MIN_DIFFERING and self.differing >= self.shared

    @property
    def is_template(self) -> bool:
        if self.slots_differ or self.form is None or self.shared > 2 * self.differing:
            return self.slots_differ
        if self.differing == 0:
            return self.form >= FORM_WORDS_AT and self.facts is not None and self.facts < FACTS_AT
        return self.form >= FORM_WORDS_AT

    def detail(self, a: str, b: str) -> str:
        if self.slots_differ:
            return (f"{a} and {b} share a form, not content: {self.differing} names and numbers differ inside "
                    f"the shared passages, {self.shared} are the same")
        facts = (f", and they have {self.facts:.0%} of their names and numbers in common"
                 if self.differing == 0 and self.facts is not None else "")
        return (f"{a} and {b} share a form, not content: {self.form:.0%} of the words they share are words "
                f"most documents of the story have{facts}")


def template_match(passages: Sequence[Passage], form: Form = NO_FORM,
                   texts: tuple[str, str] | None = None) -> TemplateMatch:
    """The :class:`TemplateMatch` of a pair's ``passages`` in a story of
    ``form``; ``texts``, the two documents' texts, let two short notices be
    compared whole."""
    shared = differing = 0
    toks: list[str] = []
    for p in passages:
        if p.kind != "passage":
            continue
        slot_edits = [(e.a.start, e.a.end, {_key(t) for t in slots(e.b_text)}) for e in p.edits
                      if e.op == "replace" and max(len(e.a_text.split()), len(e.b_text.split())) <= SLOT_EDIT_WORDS]
        other_edits = [(e.a.start, e.a.end) for e in p.edits if e.op != "replace"
                       or max(len(e.a_text.split()), len(e.b_text.split())) > SLOT_EDIT_WORDS]
        for t, s, e in _slot_spans(p.a_text, p.a.start):
            hit = [keys for x, y, keys in slot_edits if _touches(s, e, x, y)]
            if hit:
                differing += all(keys and _key(t) not in keys for keys in hit)
            elif not any(_touches(s, e, x, y) for x, y in other_edits) and t not in form.names:
                shared += 1
        toks += [w.casefold() for w in _WORD.findall(p.a_text)]
    share = sum(t in form.words for t in toks) / len(toks) if form.words and toks else None
    facts = None
    if texts and share is not None and all(len(t.split()) <= NOTICE_WORDS for t in texts):
        fa, fb = (set(slots(t)) - form.names for t in texts)
        if min(len(fa), len(fb)) >= MIN_DIFFERING:  # each reports names and numbers of its own
            facts = len(fa & fb) / len(fa | fb)
    return TemplateMatch(shared, differing, share, facts)
