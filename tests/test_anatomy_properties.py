"""Property tests: segments tile both texts exactly, the fast tiling and
sentence splitter agree with their slow twins."""

from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace.anatomy import anatomy
from newstrace.anatomy.lexicon import find_flags, find_flags_slow, stem
from newstrace.anatomy.segments import tile, tile_slow
from newstrace.records import Document
from newstrace.sentences import split_sentences, split_sentences_slow

LABELS = ["verbatim", "edited", "quotation", "boilerplate"]

spans = st.tuples(st.integers(0, 60), st.integers(0, 60), st.sampled_from(LABELS), st.sampled_from([None, "s1"]),
                  st.sampled_from([None, 0, 1]))
texts = st.text(alphabet=st.sampled_from(list("ab .\n\t,")), max_size=60)


@given(texts, st.lists(st.lists(spans, max_size=5), max_size=3))
def test_tile_matches_slow_twin_and_tiles(text, layers):
    layers = [[(min(s, e), max(s, e), lab, src, k) for s, e, lab, src, k in layer] for layer in layers]
    fast = tile(text, "added", layers)
    assert fast == tile_slow(text, "added", layers)
    _assert_tiles(text, fast)


def _assert_tiles(text, segments):
    if not text:
        assert segments == ()
        return
    assert segments[0].start == 0 and segments[-1].end == len(text)
    for a, b in zip(segments, segments[1:]):
        assert a.end == b.start and a.start < a.end
        assert (a.label, a.source, a.passage) != (b.label, b.source, b.passage)
    assert "".join(text[g.start:g.end] for g in segments) == text


SENTENCE_CHARS = list("aAbB .!?\n\"”’'(),1") + ["Col", "U.S.", "US", "Mr"]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(SENTENCE_CHARS), max_size=40).map("".join))
def test_sentence_splitter_matches_slow_twin(text):
    fast = split_sentences(text)
    assert fast == split_sentences_slow(text)
    for a, b in zip(fast, fast[1:]):
        assert a.end <= b.start
    for s in fast:
        piece = text[s.start:s.end]
        assert piece == piece.strip() and piece


def test_sentence_splitter_on_glued_text():
    t = "It rose to $10.9bn.For the full year, Col. Ryan Dillon said so. The U.S. Army won.Then the US.The end"
    assert [t[s.start:s.end] for s in split_sentences(t)] == [
        "It rose to $10.9bn.", "For the full year, Col. Ryan Dillon said so.", "The U.S. Army won.", "Then the US.",
        "The end"]


WORDS = ["the", "army", "said", "only", "a", "handful", "of", "fighters", "defected", "Officials", "confirmed",
         "10", "not", "reportedly", "CNN", "told"]
sentence = st.lists(st.sampled_from(WORDS), min_size=3, max_size=14).map(lambda ws: " ".join(ws).capitalize() + ".")
paragraphs = st.lists(sentence, min_size=1, max_size=6).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(paragraphs, min_size=1, max_size=4), st.lists(st.integers(0, 10), max_size=5),
       st.lists(paragraphs, max_size=3))
def test_anatomy_segments_tile_both_texts(src_paras, picks, own):
    source = "Headline here\n\n" + "\n\n".join(src_paras)
    taken = [src_paras[i % len(src_paras)] for i in picks]
    derivative = "\n\n".join(["My headline", *own[:1], *taken, *own[1:], "Become a member of Example"])
    r = anatomy(Document(id="d", text=derivative), [Document(id="s", text=source)])
    _assert_tiles(derivative, r.segments)
    _assert_tiles(source, r.source_segments["s"])
    assert {g.label for g in r.segments} <= {"verbatim", "edited", "quotation", "rewritten", "added", "boilerplate"}
    assert {g.label for g in r.source_segments["s"]} <= {"used", "left_out"}
    for _sid, p in r.passages:
        assert source[p.a.start:p.a.end] == p.a_text and derivative[p.b.start:p.b.end] == p.b_text
    for o in r.omissions:
        assert source[o.start:o.end] == o.text and not o.used
    d = r.as_dict()
    for seg in d["segments"]:
        assert derivative[seg["start"]:seg["end"]] == seg["text"]


def test_stem():
    assert stem("defected") == stem("defections") == stem("defectors") == stem("Defected")
    assert stem("confirms") == stem("confirmed") == stem("confirmation") == "confirm"
    assert stem("Syrian") == stem("Syria")


# Words of the lexicon's patterns and characters whose case folds differ
# (full folding: "ß" -> "ss", "ﬁ" -> "fi", "İ" -> "i̇"; "K" the Kelvin sign, "ſ"
# the long s), so that the fast pattern's simple folding meets them.
FLAG_WORDS = ["said", "says", "told", "according to", "the", "officials", "spokesman", "reporters", "Putin",
              "John Smith", "He", "she", "allegedly", "could", "not", "don't", "never", "at least", "5", "1,200",
              "$3.5bn", "two", "million", "handful", "small “handful”", "familiar with the matter", "who spoke",
              "SAID", "Told", "ſaid", "Kremlin", "Kelvin", "ß", "ﬁne", "ﬁve", "leß than a dozen", "İstanbul", "Straße", "added", "per cent"]
flag_texts = st.lists(st.one_of(st.sampled_from(FLAG_WORDS), st.sampled_from([" ", " ", ", ", ". ", "\n\n", "-", "’"]),
                                st.text(max_size=3)), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(flag_texts)
def test_find_flags_is_its_slow_twin(text):
    assert find_flags("s", text, split_sentences(text)) == find_flags_slow("s", text, split_sentences(text))
