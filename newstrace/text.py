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

import hashlib
import unicodedata
from dataclasses import dataclass, field
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


@dataclass(frozen=True, slots=True, eq=False)
class Tokens:
    """The word tokens of one text.

    Token ``i`` is ``normalized[norm_starts[i]:norm_ends[i]]`` (its
    normalised form, :attr:`words` ``[i]``); ``starts[i]`` and ``ends[i]``
    are its original character range; ``ids[i]`` its :func:`word_id` (equal
    words, equal ids, in any process); ``sentence_start[i]`` is true when a
    sentence or paragraph starts at token ``i``. The words as strings are
    cut out only when :attr:`words` is first read: the scan's stages work on
    ``ids`` and the offsets.
    """

    text: str
    starts: np.ndarray
    ends: np.ndarray
    sentence_start: np.ndarray
    ids: np.ndarray
    normalized: str
    norm_starts: np.ndarray
    norm_ends: np.ndarray
    cut_words: list[str] | None = field(default=None, repr=False)  # the words once cut out (see words)

    @property
    def words(self) -> list[str]:
        """The normalised words, cut out of :attr:`normalized` on first use."""
        w = self.cut_words
        if w is None:
            nt = self.normalized
            w = list(map(nt.__getitem__, map(slice, self.norm_starts.tolist(), self.norm_ends.tolist())))
            object.__setattr__(self, "cut_words", w)
        return w

    def __len__(self) -> int:
        return len(self.starts)

    def detached(self) -> Tokens:
        """These tokens with arrays of their own (those of
        :func:`tokenize_many` are views of the whole batch's), to keep."""
        own = {id(a): a.copy() for a in (self.starts, self.ends, self.norm_starts, self.norm_ends)}
        return Tokens(self.text, own[id(self.starts)], own[id(self.ends)], self.sentence_start.copy(),
                      self.ids.copy(), self.normalized, own[id(self.norm_starts)], own[id(self.norm_ends)],
                      self.cut_words)

    def char_span(self, i: int, j: int) -> tuple[int, int]:
        """Original character range of tokens ``i..j`` (half-open); an empty
        token range maps to an empty span where the tokens would go."""
        if i < j:
            return int(self.starts[i]), int(self.ends[j - 1])
        n = len(self.starts)
        if i < n:
            pos = int(self.starts[i])
        elif n:
            pos = int(self.ends[-1])
        else:
            pos = 0
        return pos, pos


def no_tokens(text: str = "") -> Tokens:
    """The tokens of a text without words."""
    return Tokens(text, _NONE, _NONE, _NO_FLAGS, _NONE, "", _NONE, _NONE, [])


_NONE = np.zeros(0, dtype=np.int64)
_NO_FLAGS = np.zeros(0, dtype=bool)

# --------------------------------------------------------------------------
# word ids: a 64-bit hash of the word's code points

_MASK64 = (1 << 64) - 1
_ID_BASE = 0xC2B2AE3D27D4EB4F  # odd, so invertible modulo 2**64
_ID_BASE_INVERSE = pow(_ID_BASE, -1, 1 << 64)
_ID_LENGTH = 0x9E3779B97F4A7C15
_ID_WIDE = 0x94D049BB133111EB
MAX_HASHED_WORD = 32  # longer words are hashed with blake2b
_FMIX = (0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53)


def _fmix64(h: int) -> int:
    """MurmurHash3's 64-bit finaliser (a bijection that mixes every bit)."""
    for mult in _FMIX:
        h ^= h >> 33
        h = (h * mult) & _MASK64
    return h ^ (h >> 33)


def word_id(word: str) -> int:
    """A word's id, a signed 64-bit integer, the same in every process and run
    (the slow twin of the ids :func:`tokenize_many` computes with numpy).

    - a word of at most :data:`MAX_HASHED_WORD` characters, each below U+0100
      (nearly every word of a Latin-script text once normalised): its
      characters as bytes, in chunks of 8 (the last one padded with zero
      bytes), each chunk as a little-endian integer ``x`` folded into ``h``
      (starting from the length times a constant) as ``h = fmix64(h ^ x)``;
    - another word of at most :data:`MAX_HASHED_WORD` characters:
      ``sum(ord(c_k) * B**k)`` modulo 2**64, mixed with its length;
    - a longer word: the first 8 bytes of the blake2b of its UTF-32.

    Two different words share an id with a chance of about 2**-64
    (alignment treats equal ids as equal words)."""
    n = len(word)
    if n > MAX_HASHED_WORD:
        digest = hashlib.blake2b(word.encode("utf-32-le", "surrogatepass"), digest_size=8).digest()
        return int.from_bytes(digest, "little", signed=True)
    if all(ord(c) < 256 for c in word):
        raw = word.encode("latin-1")
        h = (n * _ID_LENGTH) & _MASK64
        for m in range(0, n, 8):
            h = _fmix64(h ^ int.from_bytes(raw[m : m + 8], "little"))
    else:
        p = sum(ord(c) * pow(_ID_BASE, k, 1 << 64) for k, c in enumerate(word)) & _MASK64
        h = _fmix64(p ^ ((n * _ID_WIDE) & _MASK64))
    return h - (1 << 64) if h >> 63 else h


def _fmix64_array(h: np.ndarray) -> np.ndarray:
    """:func:`_fmix64` of every item of ``h`` (uint64), in place."""
    t = np.empty_like(h)
    with np.errstate(over="ignore"):
        for mult in _FMIX:
            np.right_shift(h, np.uint64(33), out=t)
            h ^= t
            h *= np.uint64(mult)
        np.right_shift(h, np.uint64(33), out=t)
        h ^= t
    return h


_BYTE_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [_MASK64], dtype=np.uint64)  # by length, up to 8
_LENGTH_TERMS = np.array([(k * _ID_LENGTH) & _MASK64 for k in range(MAX_HASHED_WORD + 1)], dtype=np.uint64)


def _word_ids(joined: str, codes: np.ndarray, ns: np.ndarray, ne: np.ndarray) -> np.ndarray:
    """:func:`word_id` of every token ``joined[ns[k]:ne[k]]`` (``codes`` the
    code points of ``joined``), with numpy. Words of characters below U+0100:
    each chunk of 8 characters read as one little-endian uint64 from the text
    as bytes (an unaligned view, one gather per chunk), the bytes past the
    word masked off. Other words: :func:`_wide_ids`. Longer words go through
    :func:`word_id` itself."""
    n = len(ns)
    if not n:
        return np.zeros(0, dtype=np.int64)
    length = ne - ns
    if codes.dtype == np.uint8:
        narrow_codes, wide = codes, None
    else:  # the tokens with a character from U+0100 on are hashed as code points
        at = np.flatnonzero(codes > 255)
        tok = np.searchsorted(ns, at, side="right") - 1
        tok = tok[(tok >= 0) & (at < ne[np.maximum(tok, 0)])]
        wide = np.zeros(n, dtype=bool)
        wide[tok] = True
        narrow_codes = codes.astype(np.uint8)  # what the narrow tokens read (theirs fit)
    buf = np.zeros(len(narrow_codes) + MAX_HASHED_WORD + 8, dtype=np.uint8)
    buf[: len(narrow_codes)] = narrow_codes
    windows = np.ndarray((len(buf) - 7,), dtype="<u8", buffer=buf, strides=(1,))  # 8 bytes from each offset
    with np.errstate(over="ignore"):
        h = windows[ns]
        h &= _BYTE_MASKS.take(length, mode="clip")
        h ^= _LENGTH_TERMS.take(length, mode="clip")  # (a longer word's is replaced below)
        _fmix64_array(h)
        more = np.flatnonzero(length > 8)
        for m in range(8, MAX_HASHED_WORD, 8):  # the chunks after the first, of the words that have them
            more = more[length[more] > m]
            if not len(more):
                break
            x = windows[ns[more] + m] & _BYTE_MASKS.take(length[more] - m, mode="clip")
            h[more] = _fmix64_array(h[more] ^ x)
    ids = h.view(np.int64)
    if wide is not None and wide.any():
        w = np.flatnonzero(wide)
        ids[w] = _wide_ids(codes, ns[w], ne[w])
    for k in np.flatnonzero(length > MAX_HASHED_WORD).tolist():
        ids[k] = word_id(joined[ns[k] : ne[k]])
    return ids


_SEGMENT = 1 << 18  # characters per power table: the tables take 4 MB
_POWERS: list[np.ndarray] = []


def _powers() -> tuple[np.ndarray, np.ndarray]:
    """``B**k`` and ``B**-k`` modulo 2**64 for ``k < _SEGMENT``."""
    if not _POWERS:
        for b in (_ID_BASE, _ID_BASE_INVERSE):
            p = np.full(_SEGMENT, b, dtype=np.uint64)
            p[0] = 1
            np.multiply.accumulate(p, out=p)  # wraps modulo 2**64
            _POWERS.append(p)
    return _POWERS[0], _POWERS[1]


def _wide_ids(codes: np.ndarray, ns: np.ndarray, ne: np.ndarray) -> np.ndarray:
    """:func:`word_id` of tokens with a character from U+0100 on (the
    polynomial), with numpy: each character's code point times
    ``B**(i - base)``, summed per token (a running sum's difference) and
    shifted to the token's start by ``B**-(start - base)``, where ``base`` is
    the start of the token's segment of :data:`_SEGMENT` characters. The few
    tokens that straddle two segments, and long ones, go through
    :func:`word_id`. Only the characters of these tokens are summed."""
    pw, ipw = _powers()
    length = ne - ns
    inside = np.zeros(len(codes) + 1, dtype=np.int8)  # characters of these tokens
    np.add.at(inside, ns, 1)
    np.add.at(inside, ne, -1)
    keep = np.cumsum(inside[:-1], dtype=np.int8).view(bool)
    csum = np.zeros(len(codes) + 1, dtype=np.uint64)
    v = csum[1:]
    with np.errstate(over="ignore"):
        for at in range(0, len(codes), _SEGMENT):
            hi = min(len(codes), at + _SEGMENT)
            np.multiply(codes[at:hi], pw[: hi - at], out=v[at:hi], where=keep[at:hi])
        np.add.accumulate(v, out=v)  # wraps modulo 2**64
        h = csum[ne]
        h -= csum[ns]
        h *= ipw[ns & (_SEGMENT - 1)]
        mixed = length.astype(np.uint64)
        mixed *= np.uint64(_ID_WIDE)
        h ^= mixed
    ids = _fmix64_array(h).view(np.int64)
    odd = np.flatnonzero((length > MAX_HASHED_WORD) | ((ns ^ (ne - 1)) >= _SEGMENT))
    if len(odd):
        text = code_points_text(codes)
        for k in odd.tolist():
            ids[k] = word_id(text[ns[k] : ne[k]])
    return ids


# --------------------------------------------------------------------------
# tokenisation


def tokenize(text: str, norm: Normalized | None = None) -> Tokens:
    """Split ``text`` into normalised word tokens with original offsets
    (:func:`tokenize_many` of one text)."""
    return tokenize_many([text], None if norm is None else [norm])[0]


def tokenize_many(texts: Sequence[str], norms: Sequence[Normalized] | None = None) -> list[Tokens]:
    """:func:`tokenize` of each text, vectorised over the whole batch.

    The normalised texts are joined (with a NUL between them, which is no
    word character) and their code points classified through one table
    (:func:`char_classes`, built from :data:`WORD`'s own character classes);
    word boundaries, word ids (:func:`word_id`) and sentence starts are
    found with numpy, and no Python code runs per word (the words as
    strings are cut out only if :attr:`Tokens.words` is read).
    :func:`tokenize_slow` is the twin that runs :data:`WORD` match by match;
    property tests check that they agree.
    """
    if norms is None:
        norms = [normalize(t) for t in texts]
    ntexts = [n.text for n in norms]
    base = np.zeros(len(ntexts) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, ntexts), dtype=np.int64, count=len(ntexts)) + 1, out=base[1:])
    joined = "\0".join(ntexts)
    codes, inword, special, special_cls = _classify(joined)
    apos = special[(special_cls & _APOS).astype(bool)]
    if len(apos):  # an apostrophe joins two word characters ("don't", "Iran's")
        apos = apos[inword[apos] & inword[apos + 2]]  # inword[k + 1] is character k
        inword[apos + 1] = True
    edge = np.flatnonzero(inword[1:] != inword[:-1])
    ns, ne = edge[0::2], edge[1::2]
    cjk = special[(special_cls & _CJK_CLASS).astype(bool)]
    if len(cjk):  # each Han, Hiragana or Katakana character is a token of its own
        at_w = np.arange(len(ns)) + np.searchsorted(cjk, ns)
        at_c = np.arange(len(cjk)) + np.searchsorted(ns, cjk)
        ms = np.empty(len(ns) + len(cjk), dtype=np.int64)
        me = np.empty_like(ms)
        ms[at_w], me[at_w] = ns, ne
        ms[at_c], me[at_c] = cjk, cjk + 1
        ns, ne = ms, me
    ids = _word_ids(joined, codes, ns, ne)
    first = np.searchsorted(ns, base)  # each text's first token
    marks = special[(special_cls & _MARK).astype(bool)]
    lines = special[(special_cls & _LINE).astype(bool)]
    sent = _sentence_starts_vectorised(joined, marks, lines, ns, ne, ids, first[:-1])
    # offsets within each text (each text's arrays are views of the batch's)
    shift = np.repeat(base[:-1], np.diff(first))
    ns = ns - shift
    ne = ne - shift
    out = []
    bounds = first.tolist()
    for d, (text, norm) in enumerate(zip(texts, norms)):
        lo, hi = bounds[d], bounds[d + 1]
        tns, tne = ns[lo:hi], ne[lo:hi]
        starts, ends = _to_original(norm, tns, tne)
        out.append(Tokens(text, starts, ends, sent[lo:hi], ids[lo:hi], norm.text, tns, tne))
    return out


def tokenize_slow(text: str, norm: Normalized | None = None) -> Tokens:
    """Slow twin of :func:`tokenize`: :data:`WORD` match by match, sentence
    starts by :func:`sentence_starts`, ids by :func:`word_id` word by word."""
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
    ids = np.asarray([word_id(w) for w in words], dtype=np.int64)
    return Tokens(text, starts, ends, sent, ids, norm.text, ns, ne, words)


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
_W, _CJK_CLASS, _MARK, _LINE, _APOS = 1, 2, 4, 8, 16
_CLASSES: list[np.ndarray] = []


def char_classes() -> np.ndarray:
    """For every code point, bit flags: 1 a word character of :data:`WORD`
    (letter, mark, digit, joiner), 2 a token by itself (Han, Hiragana,
    Katakana), 4 a mark :data:`SENTENCE_END` matches, 8 a line break, 16 the
    apostrophe (which :data:`WORD` allows between word characters). Built
    once per process by running those patterns' own character classes over
    all of Unicode."""
    if not _CLASSES:
        every = code_points_text(np.arange(0x110000, dtype=np.uint32))
        table = np.zeros(0x110000, dtype=np.uint8)
        for bit, pattern in ((_W, f"{_WORD_CHARS}+"), (_CJK_CLASS, f"[{_CJK}]+"), (_MARK, SENTENCE_END.pattern)):
            for m in regex.finditer(f"(?V1){pattern}", every):
                table[m.start() : m.end()] |= bit
        table[10] |= _LINE
        table[39] |= _APOS
        _CLASSES.append(table)
    return _CLASSES[0]


_BYTE_TABLES: list[bytes] = []


def _byte_tables() -> tuple[bytes, bytes]:
    """:func:`char_classes` of U+0000..U+00FF as two ``bytes.translate``
    tables: 1 for a word character, else 0; the other classes' bits, else 0."""
    if not _BYTE_TABLES:
        table = char_classes()[:256]
        _BYTE_TABLES.append((table & _W).tobytes())
        _BYTE_TABLES.append(np.where(table > _W, table & ~np.uint8(_W), 0).astype(np.uint8).tobytes())
    return _BYTE_TABLES[0], _BYTE_TABLES[1]


def _classify(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The code points of ``text`` (uint8 when every one fits a byte, most
    news text once normalised, else uint32), whether each is a word
    character (padded with a non-word character at each end), and where
    the characters of the other classes of :func:`char_classes` are, with
    their classes. Text of bytes is classified by ``bytes.translate``."""
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        codes = code_points(text)
        cls = char_classes()[codes]
        inword = np.zeros(len(codes) + 2, dtype=bool)
        np.bitwise_and(cls, _W, out=inword[1:-1].view(np.uint8))
        special = np.flatnonzero(cls > _W)
        return codes, inword, special, cls[special]
    word_table, other_table = _byte_tables()
    inword = np.frombuffer(bytearray(b"\0" + raw.translate(word_table) + b"\0"), dtype=bool)
    other = np.frombuffer(raw.translate(other_table), dtype=np.uint8)
    special = np.flatnonzero(other)
    return np.frombuffer(raw, dtype=np.uint8), inword, special, other[special]


_LONGEST_ABBREVIATION = max(map(len, ABBREVIATIONS))
_ABBREVIATION_IDS: list[np.ndarray] = []


def _abbreviation_ids() -> np.ndarray:
    """:func:`word_id` of every abbreviation short enough to be tested."""
    if not _ABBREVIATION_IDS:
        _ABBREVIATION_IDS.append(np.array(sorted(word_id(a) for a in ABBREVIATIONS), dtype=np.int64))
    return _ABBREVIATION_IDS[0]
_is_abbreviation = lru_cache(maxsize=65536)(is_abbreviation)  # called through C, not once per word in Python


def _sentence_starts_vectorised(joined: str, marks: np.ndarray, lines: np.ndarray, ns: np.ndarray, ne: np.ndarray,
                                ids: np.ndarray, firsts: np.ndarray) -> np.ndarray:
    """:func:`sentence_starts` of texts joined (``marks`` where the
    characters :data:`SENTENCE_END` matches are, ``lines`` the line breaks;
    ``ids`` the tokens' :func:`word_id`), with
    numpy: the token after each sentence mark starts a sentence (no mark is
    inside a token); ``firsts`` are each text's first token. The tokens that
    may be abbreviations are picked by id (a normalised word is case folded
    already, so it is in :data:`ABBREVIATIONS` exactly when its id is one of
    theirs, or by a collision, which :func:`is_abbreviation` then rules out)."""
    sent = np.zeros(len(ns), dtype=bool)
    if not len(ns):
        return sent
    after = np.searchsorted(ns, marks)  # the token after each mark
    sent[after[after < len(ns)]] = True
    sent[0] = False
    # an abbreviation or an initial before the mark leaves the sentence open,
    # unless a line break follows it
    k = np.flatnonzero(sent[1:] & (ne[:-1] - ns[:-1] <= _LONGEST_ABBREVIATION))
    if len(k):  # the few that may be: a known abbreviation's id, or one letter
        k = k[np.isin(ids[k], _abbreviation_ids()) | (ne[k] - ns[k] == 1)]
    if len(k):
        nxt = np.searchsorted(lines, ne[k])
        line_between = nxt < len(lines)
        line_between[line_between] = lines[nxt[line_between]] < ns[k[line_between] + 1]
        k = k[~line_between]
        cut = map(joined.__getitem__, map(slice, ns[k].tolist(), ne[k].tolist()))
        abbreviated = np.fromiter(map(_is_abbreviation, cut), dtype=bool, count=len(k))
        sent[k[abbreviated] + 1] = False
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
