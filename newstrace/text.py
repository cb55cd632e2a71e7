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
from typing import Sequence

import numpy as np
import regex

from .sentences import ABBREVIATIONS, is_abbreviation

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
_WORD_CHARS = rf"[[\p{{L}}\p{{M}}\p{{N}}\u200c\u200d]--[{_CJK}]]"
WORD = regex.compile(rf"(?V1)[{_CJK}]|{_WORD_CHARS}+(?:'{_WORD_CHARS}+)*")

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
    if "<" not in text and "&" not in text and "](" not in text:  # what every markup form starts with
        return text
    return _MARKUP.sub(lambda m: " " * (m.end() - m.start()), text)


def normalize(text: str) -> Normalized:
    """Normalise ``text`` for matching, keeping an exact map to the original."""
    t = mask_html(text)
    if t.isascii():  # NFKC changes no ASCII, casefold is lower, FOLD only turns ` into '
        return Normalized(t.replace("`", "'").lower())
    t = code_points_text(fold_table()[code_points(t)])  # t.translate(FOLD)
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
    """Split ``text`` into normalised word tokens with original offsets
    (:func:`tokenize_many` of one text)."""
    return tokenize_many([text], None if norm is None else [norm])[0]


def tokenize_many(texts: Sequence[str], norms: Sequence[Normalized] | None = None) -> list[Tokens]:
    """:func:`tokenize` of each text, vectorised over the whole batch.

    The normalised texts are joined (with a NUL between them, which is no
    word character) and their code points classified through one table
    (:func:`char_classes`, built from :data:`WORD`'s own character classes);
    word boundaries are found with numpy and the words are cut out by one
    ``str.split`` of a copy with every other character blanked, so no Python
    code runs per word. :func:`tokenize_slow` is the twin that runs
    :data:`WORD` match by match; property tests check that they agree.
    """
    if norms is None:
        norms = [normalize(t) for t in texts]
    ntexts = [n.text for n in norms]
    base = np.zeros(len(ntexts) + 1, dtype=np.int64)
    np.cumsum([len(t) + 1 for t in ntexts], out=base[1:])
    joined = "\0".join(ntexts)
    codes = code_points(joined)
    cls = char_classes()[codes]
    inword = (cls & _W).astype(bool)
    if len(codes) > 2:  # an apostrophe joins two word characters ("don't", "Iran's")
        inword[1:-1] |= (codes[1:-1] == 39) & inword[:-2] & inword[2:]
    edge = np.diff(inword.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    ns = np.flatnonzero(edge == 1)
    ne = np.flatnonzero(edge == -1)
    words = code_points_text(np.where(inword, codes, np.uint32(32))).split()
    cjk = np.flatnonzero(cls & _CJK_CLASS)
    if len(cjk):  # each Han, Hiragana or Katakana character is a token of its own
        ns = np.concatenate([ns, cjk])
        ne = np.concatenate([ne, cjk + 1])
        order = np.argsort(ns, kind="stable")
        ns, ne = ns[order], ne[order]
        merged = np.empty(len(ns), dtype=object)
        is_cjk = order >= len(words)
        merged[~is_cjk] = words
        merged[is_cjk] = [chr(c) for c in codes[cjk].tolist()]
        words = merged.tolist()
    first = np.searchsorted(ns, base)  # each text's first token
    sent = _sentence_starts_vectorised(cls, words, ns, ne, first[:-1])
    # offsets within each text (each text's arrays are views of the batch's)
    shift = np.repeat(base[:-1], np.diff(first))
    ns = ns - shift
    ne = ne - shift
    out = []
    bounds = first.tolist()
    for d, (text, norm) in enumerate(zip(texts, norms)):
        lo, hi = bounds[d], bounds[d + 1]
        starts, ends = _to_original(norm, ns[lo:hi], ne[lo:hi])
        out.append(Tokens(text, words[lo:hi], starts, ends, sent[lo:hi]))
    return out


def tokenize_slow(text: str, norm: Normalized | None = None) -> Tokens:
    """Slow twin of :func:`tokenize`: :data:`WORD` match by match, sentence
    starts by :func:`sentence_starts`."""
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
    starts, ends = _to_original(norm, ns, ne)
    sent = sentence_starts(norm.text, words, ns, ne)
    return Tokens(text, words, starts, ends, sent)


def _to_original(norm: Normalized, ns: np.ndarray, ne: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Token ranges in the normalised text mapped to the original text."""
    if norm.orig_start is None or norm.orig_end is None or not len(ns):  # both or neither
        return ns, ne
    return norm.orig_start[ns], norm.orig_end[ne - 1]


def code_points(text: str) -> np.ndarray:
    """The code points of ``text`` as uint32 (lone surrogates included)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def code_points_text(codes: np.ndarray) -> str:
    """The text of uint32 code points (the inverse of :func:`code_points`)."""
    return codes.astype(np.uint32, copy=False).tobytes().decode("utf-32-le", "surrogatepass")


_FOLD_TABLE: list[np.ndarray] = []


def fold_table() -> np.ndarray:
    """:data:`FOLD` as a table over all code points (every fold is one
    character to one), for folding a whole text with one numpy lookup."""
    if not _FOLD_TABLE:
        table = np.arange(0x110000, dtype=np.uint32)
        for k, v in FOLD.items():
            table[k] = ord(v)
        _FOLD_TABLE.append(table)
    return _FOLD_TABLE[0]


# bits of char_classes(): part of a word, a token of its own, what SENTENCE_END matches, a line break
_W, _CJK_CLASS, _MARK, _LINE = 1, 2, 4, 8
_CLASSES: list[np.ndarray] = []


def char_classes() -> np.ndarray:
    """For every code point, bit flags: 1 a word character of :data:`WORD`
    (letter, mark, digit, joiner), 2 a token by itself (Han, Hiragana,
    Katakana), 4 a mark :data:`SENTENCE_END` matches, 8 a line break. Built
    once per process by running those patterns' own character classes over
    all of Unicode."""
    if not _CLASSES:
        every = code_points_text(np.arange(0x110000, dtype=np.uint32))
        table = np.zeros(0x110000, dtype=np.uint8)
        for bit, pattern in ((_W, f"{_WORD_CHARS}+"), (_CJK_CLASS, f"[{_CJK}]+"), (_MARK, SENTENCE_END.pattern)):
            for m in regex.finditer(f"(?V1){pattern}", every):
                table[m.start() : m.end()] |= bit
        table[10] |= _LINE
        _CLASSES.append(table)
    return _CLASSES[0]


_LONGEST_ABBREVIATION = max(map(len, ABBREVIATIONS))
_is_abbreviation = lru_cache(maxsize=65536)(is_abbreviation)  # called through C, not once per word in Python


def _sentence_starts_vectorised(cls: np.ndarray, words: list[str], ns: np.ndarray, ne: np.ndarray,
                                firsts: np.ndarray) -> np.ndarray:
    """:func:`sentence_starts` of texts joined (``cls`` their characters'
    :func:`char_classes`), with the marks between tokens counted by numpy;
    ``firsts`` are each text's first token."""
    sent = np.zeros(len(words), dtype=bool)
    if not words:
        return sent
    marks = np.zeros(len(cls) + 1, dtype=np.int32)
    np.cumsum((cls & _MARK).astype(bool), out=marks[1:])
    sent[1:] = marks[ns[1:]] > marks[ne[:-1]]
    # an abbreviation or an initial before the mark leaves the sentence open,
    # unless a line break follows it
    k = np.flatnonzero(sent[1:] & (ne[:-1] - ns[:-1] <= _LONGEST_ABBREVIATION))
    if len(k):
        lines = np.zeros(len(cls) + 1, dtype=np.int32)
        np.cumsum((cls & _LINE).astype(bool), out=lines[1:])
        k = k[lines[ns[k + 1]] == lines[ne[k]]]
        abbreviated = map(_is_abbreviation, map(words.__getitem__, k.tolist()))
        sent[k[np.fromiter(abbreviated, dtype=bool, count=len(k))] + 1] = False
    sent[firsts[firsts < len(sent)]] = True
    return sent


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
