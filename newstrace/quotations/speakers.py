"""Speakers: who an article says spoke the words it quotes or reports.

Rules and small lexicons, no model. For a quotation the attribution is
looked for, in order:

1. after it in the same sentence: ``…," Dillon said``, ``…," said Brandt``,
   ``…," the US special envoy …, Brett McGurk, told CNN``, ``…," according to
   X``, ``…" — Lindqvist, speaking at …``;
2. before it in the same sentence: ``X said: "…"``, ``X told CNN that "…"``,
   ``Council leader Priya Natarajan: "…"`` (a colon after a name),
   ``According to X, "…"``, ``X called the plan "…"``;
3. otherwise the speaker of the quotation just before it in the same
   paragraph, or the subject of the paragraph before when the quotation opens
   its own paragraph (news writing's convention for a run of quotations).

Reported speech is found from the same verbs: ``X told CNN that …``,
``X said …``, ``…, US officials tell CNN, …``, ``…, a US official told CNN.``,
``According to X, …``.

A speaker phrase is split at commas into a name and a role ("Nick Heras, a
fellow at …"; "the US special envoy …, Brett McGurk"); a bare surname or a
pronoun is resolved to the fullest earlier mention of that person ("Dillon"
→ "US Army Col. Ryan Dillon", role "a coalition spokesman"), and unnamed
speakers ("a US official familiar with the development", "US officials")
are kept as their description.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import regex

from ..records import Span
from ..sentences import SPEECH_ABBREVIATIONS, TITLE_PATTERN, is_abbreviation

VERBS = ("said|says|say|told|tell|tells|added|adds|explained|wrote|writes|insisted|warned|noted|replied|"
         "declared|stated|argued|claimed|confirmed|stressed|acknowledged|admitted|conceded|recalled|"
         "continued|responded|announced|asked|posted|tweeted")
# verbs that introduce a quotation standing before it, besides the speech verbs
_LEAD_VERBS = VERBS + "|called|described|dismissed|put it|labelled|labeled|branded"
_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i"})
_TITLES = frozenset("col col. gen gen. lt lt. sgt sgt. capt capt. maj maj. adm adm. dr dr. mr mr. mrs mrs. ms ms. "
                    "prof prof. sen sen. rep rep. gov gov. sir dame lord lady president minister".split())
_LOWER_NAME = frozenset({"al", "bin", "de", "van", "von", "der", "da", "di", "la", "le", "el", "ibn"})
_PREPOSITIONS = frozenset("of for against at in on from with to by and or the a an about near into over".split())
# capitalised words that are not names: roles and groups when a sentence starts with them
ROLE_NOUNS = frozenset("""critics officials official residents analysts experts police witnesses sources
spokesman spokeswoman spokesperson officers doctors diplomats investigators lawyers prosecutors
regulators protesters activists campaigners supporters opponents observers economists traders
scientists researchers authorities ministers neighbours neighbors parents teachers workers staff
he she they it we i one some many others someone everyone nobody""".split())
ORG_WORDS = frozenset("""systems inc inc. ltd ltd. corp corp. company group authority association council service
agency bank board party ministry department office committee commission union court fund forum
institute university school hospital network news times post""".split())
_DISCOURSE = regex.compile(
    r"^(?:(?:so far|but|however|meanwhile|yet|still|also|and|now|later|earlier|instead|in (?:a|an) \w+|"
    r"on \w+|last \w+|this \w+|separately|previously)\s*,?\s+)+", regex.IGNORECASE)
_TOKEN = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}.'\u2019-]*|\u201c[^\u201d\s]{1,20}\u201d|\"[^\"\s]{1,20}\"")
SENT_END = regex.compile(r"[.!?](?=[\s\"\u201d\u2019)]*(?:\s|$|[A-Z\u201c\"]))")
_DETERMINERS = frozenset("a an the one some two three several many most its his her their our".split())
_SUBORDINATORS = frozenset("while when if as because although though since after before whether".split())


def mask_markup(text: str) -> str:
    """Markdown link syntax blanked out, keeping every offset: each ``](…)``
    (to the first ``)`` of its line) and each ``[`` whose first ``]`` on its
    line opens such a ``(``.

    Linear in the text: one pass per line over its ``](`` and its ``]``
    (a pattern that looks ahead from every ``[`` to the next ``]`` costs the
    square of a line of brackets). :func:`mask_markup_slow` is the regular
    expression it replaces, for the property tests.
    """
    if "[" not in text and "](" not in text:
        return text
    out = list(text)
    pos = 0
    for line in text.split("\n"):
        # "](...)": from "](" to the first ")" after it on the line
        at = 0
        while (k := line.find("](", at)) >= 0:
            j = line.find(")", k + 2)
            if j < 0:
                break  # no ")" after this "](": none after a later one either
            out[pos + k:pos + j + 1] = " " * (j + 1 - k)
            at = j + 1
        # "[": blanked when the first "]" after it is followed by "("
        seg = 0
        while (j := line.find("]", seg)) >= 0:
            if line.startswith("(", j + 1):
                i = line.find("[", seg, j)
                while i >= 0:
                    out[pos + i] = " "
                    i = line.find("[", i + 1, j)
            seg = j + 1
        pos += len(line) + 1
    return "".join(out)


_MARKDOWN = regex.compile(r"\]\([^)\n]*\)|\[(?=[^\]\n]*\]\()")


def mask_markup_slow(text: str) -> str:
    """The regular-expression twin of :func:`mask_markup` (quadratic on a line of ``[``)."""
    return _MARKDOWN.sub(lambda m: " " * len(m.group()), text)


@dataclass(frozen=True, slots=True)
class Speaker:
    """A parsed speaker phrase: ``name`` (a person or organisation) or
    ``description`` (an unnamed speaker), the ``role`` given with it, and
    ``span``, the part of the text that names the speaker."""

    name: str | None
    description: str | None
    role: str | None
    span: Span
    pronoun: bool = False

    @property
    def label(self) -> str | None:
        return self.name or self.description


def sentence_bounds(text: str, pos: int, lo: int, hi: int) -> tuple[int, int]:
    """The sentence around ``pos`` within ``[lo, hi)`` (a paragraph)."""
    start = lo
    for m in SENT_END.finditer(text, lo, pos):
        if not is_abbrev_at(text, m.start()):
            start = m.end()
    end = hi
    for m in SENT_END.finditer(text, pos, hi):
        if not is_abbrev_at(text, m.start()):
            end = m.end()
            break
    return start, end


_WORD_BEFORE = regex.compile(r"([\p{L}.]+)$")
_PHRASE_TOKEN = regex.compile(r",|[\p{L}\p{N}\u201c\"][^\s,]*")


def is_abbrev_at(text: str, k: int) -> bool:
    if text[k] != ".":  # "!" or "?" never ends an abbreviation
        return False
    m = _WORD_BEFORE.search(text[max(0, k - 12):k])
    word = m.group(1).casefold() if m else ""
    return is_abbreviation(word, SPEECH_ABBREVIATIONS) or word.endswith(".")


def _name_run(tokens: list[tuple[str, int, int]]) -> tuple[int, int] | None:
    """The trailing run of capitalised tokens of a segment that looks like a
    name: (first index, end index) or None."""
    j = len(tokens)
    i = j
    while i > 0:
        w = tokens[i - 1][0]
        if w[0].isupper() or w[0] in "\u201c\"" or (w in _LOWER_NAME and i < j):
            i -= 1
        else:
            break
    if i == j:
        return None
    while i < j and tokens[i][0].casefold() in ROLE_NOUNS:
        i += 1  # "Critics", "Bank officials" are not names
    while i < j and tokens[i][0] in _LOWER_NAME:
        i += 1
    if i == j or tokens[j - 1][0].casefold() in ROLE_NOUNS:
        return None
    if i > 0 and tokens[i - 1][0].casefold() in _PREPOSITIONS and tokens[i - 1][0].casefold() not in {"the"}:
        return None  # "the fight against ISIS"
    return i, j


def parse_speaker(text: str, start: int, end: int) -> Speaker | None:
    """Parse the speaker phrase ``text[start:end]`` (see the module doc)."""
    phrase = text[start:end]
    lead = _DISCOURSE.match(phrase)
    if lead:
        start += lead.end()
    segments: list[list[tuple[str, int, int]]] = [[]]
    depth = 0
    for m in _PHRASE_TOKEN.finditer(text[start:end]):
        if m.group() == ",":
            if depth == 0:
                segments.append([])
            continue
        w = m.group().rstrip(".;:").rstrip("\u2019'") if not m.group().endswith(".") or len(m.group()) > 4 \
            else m.group()
        if not w:
            continue
        segments[-1].append((w, start + m.start(), start + m.start() + len(w)))
    segments = [s for s in segments if s]
    if not segments:
        return None
    first = segments[0]
    if len(first) == 1 and first[0][0].casefold() in _PRONOUNS:
        return Speaker(None, None, None, Span(first[0][1], first[0][2]), pronoun=True)
    last = segments[-1]
    if len(segments) > 1 and len(last) == 1 and last[0][0].casefold() in _PRONOUNS and first[0][0][:1].isupper():
        # "Asked whether ..., he replied": the subject after an introductory clause
        return Speaker(None, None, None, Span(last[0][1], last[0][2]), pronoun=True)
    name = None
    desc = None
    role = None
    for si, seg in enumerate(segments[:3]):
        run = _name_run(seg)
        affiliation = None
        if run is None:
            # "Prof. Jonathan Reyes of the University of Leeds": the name, then where from
            k = next((k for k, t in enumerate(seg) if k and t[0] in ("of", "from", "at")), None)
            run = _name_run(seg[:k]) if k else None
            if run is None or k is None:
                continue
            affiliation = (seg[k][1], seg[-1][2])
        i, j = run
        words = [t[0].casefold().rstrip(".") for t in seg[i:j]]
        is_org = words[-1] in ORG_WORDS
        # a segment starting with "who"/"which" is a clause about the speaker, not the speaker
        if seg[0][0] in {"who", "which", "whose", "speaking", "a", "an"} and si > 0 and i == 0:
            continue
        if seg[0][0] in {"who", "which", "whose", "speaking"}:
            continue
        if is_org and len(segments) > 1 and si > 0:
            continue  # "A former employee of the company, Keystone Systems": the company, not the speaker
        name = (seg[i][1], seg[j - 1][2])
        prefix = (seg[0][1], seg[i - 1][2]) if i > 0 else None
        others = [s for k, s in enumerate(segments) if k != si]
        if affiliation and not others:
            role = text[prefix[0]:affiliation[1]] if prefix else text[affiliation[0]:affiliation[1]]
        elif prefix and not others:
            role = text[prefix[0]:prefix[1]]
        elif others:
            o = others[0] if si == 0 else others[-1] if si > 0 and others[-1] is segments[si - 1] else others[0]
            role = text[o[0][1]:o[-1][2]]
        break
    if name is None:
        seg = first
        if seg[0][0] in {"who", "which"}:
            return None
        w0 = seg[0][0]
        if w0[0].islower() and w0 not in _DETERMINERS:
            return None  # "of defections", "and also": not a speaker
        if w0.casefold() in _SUBORDINATORS:
            return None
        desc = (seg[0][1], seg[-1][2])
        return Speaker(None, text[desc[0]:desc[1]], None, Span(*desc))
    return Speaker(text[name[0]:name[1]], None, role, Span(*name))


_ABBR = TITLE_PATTERN
_NC = rf"(?:[^.!?\n\u201c\u201d\"]|(?<=\b{_ABBR})\.)"
# the end of an attribution: a sentence mark that is not the dot of "Dr." or "J."
_STOP = rf"(?<!\b{_ABBR})[.!?;]"
_AFTER_INVERTED = regex.compile(rf"^[\s,]*+(?:{VERBS})\s+(?P<s>{_NC}{{1,200}}?)\s*(?:{_STOP}|$|,\s+(?:who|as|while|when|adding))")
_AFTER = regex.compile(rf"^[\s,]*+(?P<s>{_NC}{{1,220}}?)\s+(?:(?:has|had|have)\s+)?(?:{VERBS})\b(?P<rest>[^\n]*)")
_AFTER_ACCORDING = regex.compile(rf"^[\s,]*+according to\s+(?P<s>{_NC}{{1,200}}?)\s*(?:{_STOP}|$|,\s+(?:who|which)\b)")
_AFTER_DASH = regex.compile(r"^[^\S\n]*+[\u2014\u2013-]{1,2}[^\S\n]*(?P<s>[^.!?\n]{1,200}?)\s*(?:[.!?;]|$|,\s+(?:speaking|who)\b)")
_BEFORE_ACCORDING = regex.compile(r"according to\s+(?P<s>[^.!?\n]{1,200}?)\s*,\s*$", regex.IGNORECASE)
_BEFORE_COLON = regex.compile(r"(?P<s>[^.!?\n:]{1,200}?)\s*:\s*$")
_BEFORE_VERB = regex.compile(rf"^(?P<s>[^\n]{{1,220}}?)\s+(?:(?:has|had|have|would|will)\s+)?(?:{_LEAD_VERBS})\b")


def attribution_after(text: str, start: int, end: int) -> Speaker | None:
    """The speaker named in ``text[start:end]``, the rest of a sentence after a quotation."""
    rest = text[start:end]
    m = _AFTER_ACCORDING.match(rest)
    if m is None:
        m = _AFTER_DASH.match(rest)
    if m is None:
        m = _AFTER_INVERTED.match(rest)
    if m is None:
        m = _AFTER.match(rest)
        if m and len(m.group("s").split()) > 30:
            m = None
        # after a quotation that ends its sentence, "X told CNN that ..." opens a new one
        if m and text[start - 2:start].strip()[:1] in ".!?" and (
                len(m.group("rest").split()) > 8 or regex.search(r"\bthat\b", m.group("rest"))):
            m = None
    if m is None:
        return None
    return parse_speaker(text, start + m.start("s"), start + m.end("s"))


def attribution_before(text: str, start: int, end: int) -> Speaker | None:
    """The speaker named in ``text[start:end]``, a sentence up to a quotation."""
    lead = text[start:end]
    m = _BEFORE_ACCORDING.search(lead)
    if m is None:
        m = _BEFORE_VERB.match(lead)
        if m and any(c in m.group("s") for c in "\u201c\u201d\"\u00ab\u00bb"):
            m = None
    if m is None and lead.rstrip().endswith(":"):
        m = _BEFORE_COLON.search(lead)
    if m is None:
        return None
    return parse_speaker(text, start + m.start("s"), start + m.end("s"))


def subject(text: str, start: int, end: int) -> Speaker | None:
    """The named subject a sentence opens with ("Transport Minister Helen
    Achterberg, speaking at …, set out …"), for a quotation the next
    paragraph opens with; None unless it is a name."""
    m = regex.match(r"[^,.!?\n]{1,120}", text[start:end])
    if not m:
        return None
    sp = parse_speaker(text, start, start + m.end())
    return sp if sp and sp.name else None


# ---------------------------------------------------------------------------
# mentions: the fullest name and the role an article gives each person

# Words a mention may have before its surname-and-name core ("US Army Col."):
# a bound, so that a run of "Mr. Mr. Mr. …" costs a constant per word, not the
# length of the run (the unbounded star tried every split of the run from
# every word of it).
MENTION_PREFIX_WORDS = 16
_MENTION = regex.compile(
    rf"(?:[A-Z]\p{{L}}*+\.?\s+){{0,{MENTION_PREFIX_WORDS}}}[A-Z][\p{{L}}'\u2019-]+(?:\s+(?:[\u201c\"][A-Z][\p{{L}}]+[\u201d\"]|"
    r"(?:al|bin|de|van|von|el)-?|[A-Z][\p{L}'\u2019-]+))+")
_APPOSITIVE = regex.compile(r"^,\s+(?P<r>(?:a|an|the|who|its|his|her)\s[^,.\n]{2,160}?),")
_ROLE_BEFORE = regex.compile(r"(?:^|[.,]\s+|\n|\bby\s+)(?P<r>(?:the|a|an|its|his|her)\s[^,.\n\u201c\u201d\"]{2,160}?),\s+$",
                             regex.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Mention:
    name: str
    role: str | None
    start: int


def mentions(text: str) -> list[Mention]:
    """Person mentions of two or more capitalised words, with an appositive
    role after (", a coalition spokesman,") or before ("the head of …, Gen. …")."""
    out = []
    for m in _MENTION.finditer(text):
        role = None
        a = _APPOSITIVE.match(text, m.end(), m.end() + 200)
        if a:
            role = a.group("r")
        else:
            b = _ROLE_BEFORE.search(text[max(0, m.start() - 200):m.start()])
            if b and len(b.group("r").split()) <= 12:
                role = b.group("r")
        out.append(Mention(m.group(), role, m.start()))
    return out


def _words(name: str) -> list[str]:
    return [t.group().strip("\u201c\u201d\"").rstrip(".").casefold() for t in _TOKEN.finditer(name)
            if not t.group().startswith(("\u201c", '"'))]


class MentionIndex:
    """An article's mentions by surname and wording, for :func:`resolve`: a
    speaker is looked up among the few wordings of its surname, not in every
    mention of the article (which cost quotations × mentions on a long one).
    Of the mentions of one wording only the first counts: it is the earliest,
    so before any position a later one is."""

    def __init__(self, known: Sequence[Mention]) -> None:
        self.by_surname: dict[str, dict[tuple[str, ...], tuple[int, Mention, frozenset[str]]]] = {}
        for i, mn in enumerate(known):
            mw = tuple(_words(mn.name))
            if mw:
                self.by_surname.setdefault(mw[-1], {}).setdefault(mw, (i, mn, frozenset(mw)))


def resolve(name: str, role: str | None, at: int, known: Sequence[Mention] | MentionIndex) -> tuple[str, str | None]:
    """The fullest name and the role of the person ``name`` names: the
    longest mention that ends with the same surname (and, for a name with a
    first name, has it too), preferring mentions before ``at``, then the
    earliest. ``known`` is the article's mentions, or their
    :class:`MentionIndex` (built once for many look-ups)."""
    words = _words(name)
    if not words:
        return name, role
    index = known if isinstance(known, MentionIndex) else MentionIndex(known)
    wanted = set(words)
    best: Mention | None = None
    best_key: tuple[bool, int, int] | None = None
    for mw, (i, mn, has) in index.by_surname.get(words[-1], {}).items():
        if not wanted <= has | {"us", "u.s"}:
            continue
        key = (mn.start <= at, len(mw), -i)
        if best_key is None or key > best_key:
            best, best_key = mn, key
    if best is None:
        return name, role
    full = name if len(_words(best.name)) <= len(words) else best.name
    full = regex.sub(r"\s+[\u201c\"][^\u201d\"]+[\u201d\"]", "", full)  # drop a nickname: Raymond "Tony" Thomas
    return full, role or best.role


def resolve_slow(name: str, role: str | None, at: int, known: Sequence[Mention]) -> tuple[str, str | None]:
    """:func:`resolve` by a pass over every mention: the reference for the property tests."""
    words = _words(name)
    if not words:
        return name, role
    best: Mention | None = None
    for mn in known:
        mw = _words(mn.name)
        if not mw or mw[-1] != words[-1] or not set(words) <= set(mw) | {"us", "u.s"}:
            continue
        key = (mn.start <= at, len(mw))
        if best is None or key > (best.start <= at, len(_words(best.name))):
            best = mn
    if best is None:
        return name, role
    full = name if len(_words(best.name)) <= len(words) else best.name
    full = regex.sub(r"\s+[\u201c\"][^\u201d\"]+[\u201d\"]", "", full)  # drop a nickname: Raymond "Tony" Thomas
    return full, role or best.role


_ARTICLES = frozenset({"a", "an", "the", "one"})


def same_speaker(a: str | None, b: str | None) -> bool:
    """Do two speaker labels name the same speaker? Names match when one's
    words end with all of the other's and the shorter has a first name and
    a surname, or when they share the surname and one is a bare surname
    ("Dillon", "US Army Col. Ryan Dillon"); unnamed descriptions match when,
    without a leading article, one's words begin the other's."""
    if not a or not b:
        return False
    wa, wb = _words(a), _words(b)
    while wa and wa[0] in _ARTICLES:
        wa = wa[1:]
    while wb and wb[0] in _ARTICLES:
        wb = wb[1:]
    if not wa or not wb:
        return False
    short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    return long_[-len(short):] == short or long_[:len(short)] == short
