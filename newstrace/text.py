"""Normalisation for matching, with an exact map back to the original text,
and tokenisation that works for any script.

Matching compares *normalised word tokens*: Unicode compatibility forms
(NFKC), case folded, curly and straight quotes and apostrophes unified,
dashes unified, markup leftovers (HTML tags and entities, markdown link
targets such as ``[text](#)``) masked out. Punctuation and spacing are not
part of any token, so they never make two texts differ.

Every token keeps the original character range it came from, so a run of
tokens ``i..j`` maps back to ``text[starts[i]:ends[j-1]]`` exactly.

There are two implementations of :func:`normalize`: a fast one that handles
the common case (no character whose compatibility form or case fold changes
its length) with ``str.translate`` and one ``casefold`` over the whole text,
and :func:`normalize_slow`, which walks the text run by run. Property tests
check that they agree.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import regex

from .sentences import is_abbreviation

# Characters folded one-to-one before anything else (length preserving).
FOLD = {
    **{ord(c): "'" for c in "\u2018\u2019\u201a\u201b\u2032\u02bc\u02bb\u0060\u00b4"},
    **{ord(c): '"' for c in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u2039\u203a\u301d\u301e"},
    **{ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"},
    **{ord(c): " " for c in "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\ufeff\u200b"},
    ord("\u2026"): ".",  # ellipsis: NFKC would make it three characters
}

# Markup leftovers that are not article words: HTML tags, character entities,
# and the target part of markdown links/images ``[text](target)``.
_MARKUP = regex.compile(
    r"<(?:/?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]{0,400})?/?|!--.{0,400}?--)>"
    r"|&(?:[A-Za-z][A-Za-z0-9]{1,30}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});"
    r"|(?<=\])\([^()\s]{0,2000}\)",
    flags=regex.DOTALL,
)

# A word: letters, marks and digits of any script (with zero-width joiners,
# which Urdu and Persian use inside words), apostrophes allowed inside.
# Han, Hiragana and Katakana are written without spaces: each character is a token.
_CJK = r"\p{Han}\p{Hiragana}\p{Katakana}"
WORD = regex.compile(
    rf"(?V1)[{_CJK}]"
    rf"|[[\p{{L}}\p{{M}}\p{{N}}\u200c\u200d]--[{_CJK}]]+"
    rf"(?:'[[\p{{L}}\p{{M}}\p{{N}}\u200c\u200d]--[{_CJK}]]+)*"
)

SENTENCE_END = regex.compile(r"[.!?\u061f\u06d4\u3002\uff01\uff1f]|\n")


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalised text plus, for each of its characters, the original range.

    ``orig_start[k]`` and ``orig_end[k]`` delimit the original characters that
    produced normalised character ``k``. Both are ``None`` when the map is the
    identity (the common case), which saves memory and time.
    """

    text: str
    orig_start: np.ndarray | None = None
    orig_end: np.ndarray | None = None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open normalised range to the original text."""
        if self.orig_start is None or self.orig_end is None:  # both or neither
            return start, end
        if start >= end:
            o = int(self.orig_start[start]) if start < len(self.text) else (
                int(self.orig_end[-1]) if len(self.text) else 0
            )
            return o, o
        return int(self.orig_start[start]), int(self.orig_end[end - 1])


def mask_html(text: str) -> str:
    """Blank markup leftovers with spaces, keeping the length."""
    return _MARKUP.sub(lambda m: " " * (m.end() - m.start()), text)


def normalize(text: str) -> Normalized:
    """Normalise ``text`` for matching, keeping an exact map to the original."""
    t = mask_html(text).translate(FOLD)
    if unicodedata.is_normalized("NFKC", t):
        folded = t.casefold()
        if len(folded) == len(t):
            return Normalized(folded)
    return normalize_slow(text)


@lru_cache(maxsize=65536)
def _fold_run(run: str) -> str:
    return unicodedata.normalize("NFKC", run.translate(FOLD)).translate(FOLD).casefold()


def normalize_slow(text: str) -> Normalized:
    """Reference normaliser: one run (a base character and the combining marks
    after it) at a time, each run mapped to its original range."""
    t = mask_html(text)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(t)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(t[j]):
            j += 1
        piece = _fold_run(t[i:j])
        out.append(piece)
        if len(piece) == j - i:  # unchanged in length: character for character
            starts.extend(range(i, j))
            ends.extend(range(i + 1, j + 1))
        else:  # every output character stands for the whole run
            starts.extend([i] * len(piece))
            ends.extend([j] * len(piece))
        i = j
    norm = "".join(out)
    if len(norm) == n and all(s == k and e == k + 1 for k, (s, e) in enumerate(zip(starts, ends))):
        return Normalized(norm)
    return Normalized(norm, np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64))


@dataclass(frozen=True, slots=True)
class Tokens:
    """The word tokens of one text.

    ``words[i]`` is the normalised form of token ``i``; ``starts[i]`` and
    ``ends[i]`` its original character range; ``sentence_start[i]`` is true
    when a sentence or paragraph starts at token ``i``.
    """

    text: str
    words: list[str]
    starts: np.ndarray
    ends: np.ndarray
    sentence_start: np.ndarray

    def __len__(self) -> int:
        return len(self.words)

    def char_span(self, i: int, j: int) -> tuple[int, int]:
        """Original character range of tokens ``i..j`` (half-open); an empty
        token range maps to an empty span where the tokens would go."""
        if i < j:
            return int(self.starts[i]), int(self.ends[j - 1])
        if i < len(self.words):
            pos = int(self.starts[i])
        elif self.words:
            pos = int(self.ends[-1])
        else:
            pos = 0
        return pos, pos


def tokenize(text: str, norm: Normalized | None = None) -> Tokens:
    """Split ``text`` into normalised word tokens with original offsets."""
    norm = norm or normalize(text)
    words: list[str] = []
    nstarts: list[int] = []
    nends: list[int] = []
    for m in WORD.finditer(norm.text):
        words.append(m.group())
        nstarts.append(m.start())
        nends.append(m.end())
    ns = np.asarray(nstarts, dtype=np.int64)
    ne = np.asarray(nends, dtype=np.int64)
    if norm.orig_start is None or norm.orig_end is None:  # both or neither
        starts, ends = ns, ne
    elif len(ns):
        starts = norm.orig_start[ns]
        ends = norm.orig_end[ne - 1]
    else:
        starts, ends = ns, ne
    sent = sentence_starts(norm.text, words, ns, ne)
    return Tokens(text, words, starts, ends, sent)


def sentence_starts(ntext: str, words: list[str], ns: np.ndarray, ne: np.ndarray) -> np.ndarray:
    """Which tokens start a sentence or paragraph (vectorised).

    Token ``k`` starts one when the text between token ``k-1`` and ``k``
    holds sentence-final punctuation or a line break, unless the previous
    token is a known abbreviation or a single letter and no line break
    intervenes ("Col. Ryan Dillon", "J. Smith").
    """
    sent = np.zeros(len(words), dtype=bool)
    if not words:
        return sent
    sent[0] = True
    if len(words) == 1:
        return sent
    marks = np.fromiter((m.start() for m in SENTENCE_END.finditer(ntext)), dtype=np.int64)
    if not len(marks):
        return sent
    idx = np.searchsorted(marks, ne[:-1], side="left")
    has = idx < len(marks)
    nxt = np.where(has, marks[np.minimum(idx, len(marks) - 1)], 0)
    sent[1:] = has & (nxt < ns[1:])
    for k in np.nonzero(sent[1:])[0].tolist():
        prev = words[k]
        if is_abbreviation(prev):
            if "\n" not in ntext[ne[k] : ns[k + 1]]:
                sent[k + 1] = False
    return sent
