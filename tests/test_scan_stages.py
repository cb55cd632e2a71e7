"""Scan stages against their slow twins: reprint clusters, candidate pairs."""

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace.candidates import CandidateParams, candidate_pairs_reference, shingles
from newstrace.cluster import (Cluster, ClusterMember, reprint_cluster_table, reprint_clusters,
                              reprint_clusters_reference, stories, story_labels,
                              story_links)
from newstrace.engines.tables import content_hash
from newstrace.records import Document
from newstrace.store import open_store
from newstrace.text import tokenize

span = st.tuples(st.integers(0, 60), st.integers(1, 30)).map(lambda t: (t[0], t[0] + t[1]))
passage = st.tuples(st.sampled_from("abcde"), span, st.sampled_from("abcde"), span).filter(
    lambda p: p[0] != p[2]
).map(lambda p: (p[0], *p[1], p[2], *p[3]))


@settings(max_examples=200, deadline=None)
@given(st.lists(passage, max_size=25))
def test_clusters_agree_with_reference(passages):
    assert reprint_clusters(passages) == reprint_clusters_reference(passages)


def _from_table(passages):
    """Run the column twin on string passages and rebuild `Cluster` records."""
    names = sorted({p[0] for p in passages} | {p[3] for p in passages})
    rank = {d: k for k, d in enumerate(names)}
    cols = [np.array([rank[p[i]] if i in (0, 3) else p[i] for p in passages], dtype=np.int64) for i in range(6)]
    t = reprint_cluster_table(*cols)
    out = []
    for c in range(1, len(t.size) + 1):
        sel = t.member_cluster == c
        members = tuple(ClusterMember(names[d], s, e) for d, s, e in
                        zip(t.member_doc[sel].tolist(), t.member_start[sel].tolist(), t.member_end[sel].tolist()))
        pidx = tuple(np.flatnonzero(t.passage_cluster == c).tolist())
        assert t.passages[c - 1] == len(pidx) and t.size[c - 1] == len({m.doc_id for m in members})
        out.append(Cluster(c, members, pidx))
    labels = story_labels(cols[0], cols[3], len(names))
    return out, {names[k]: int(s) for k, s in enumerate(labels) if s}


@settings(max_examples=300, deadline=None)
@given(st.lists(passage, max_size=30))
def test_cluster_table_agrees_with_reference(passages):
    clusters, story = _from_table(passages)
    assert clusters == reprint_clusters_reference(passages)
    assert story == stories([(p[0], p[3]) for p in passages])


def test_clusters_merge_copies_of_the_same_text():
    # a wire text in W reprinted by X and (most of it) by Y; Z reprints X's copy
    ps = [("W", 0, 100, "X", 10, 110), ("W", 20, 100, "Y", 0, 80), ("X", 10, 110, "Z", 5, 105),
          ("P", 0, 50, "Q", 0, 50)]
    cs = reprint_clusters(ps)
    assert len(cs) == 2
    big = next(c for c in cs if c.size == 4)
    assert {m.doc_id for m in big.members} == {"W", "X", "Y", "Z"}
    assert [(m.start, m.end) for m in big.members if m.doc_id == "W"] == [(0, 100)]
    assert stories([(p[0], p[3]) for p in ps]) == {"P": 1, "Q": 1, "W": 2, "X": 2, "Y": 2, "Z": 2}


def test_a_digest_does_not_weld_its_stories_together():
    # D1 and D2 are two copies of a digest holding stories s (0-100) and t (100-200);
    # A reprints story s, B reprints story t
    ps = [("D1", 0, 200, "D2", 0, 200), ("A", 0, 100, "D1", 0, 100), ("B", 0, 100, "D1", 100, 200)]
    cs = reprint_clusters(ps)
    assert sorted(sorted({m.doc_id for m in c.members}) for c in cs) == [["A", "D1"], ["B", "D1"], ["D1", "D2"]]


def _texts(seed: int, n_docs: int):
    rng = random.Random(seed)
    vocab = [f"w{k}" for k in range(400)]
    base = [" ".join(rng.choice(vocab) for _ in range(80)) for _ in range(4)]
    docs = {}
    for k in range(n_docs):
        parts = [" ".join(rng.choice(vocab) for _ in range(rng.randint(10, 60)))]
        if rng.random() < 0.6:
            src = rng.choice(base).split()
            i = rng.randint(0, 40)
            parts.append(" ".join(src[i : i + rng.randint(15, 40)]))
        parts.append(" ".join(rng.choice(vocab) for _ in range(rng.randint(10, 60))))
        docs[f"d{k:02d}"] = ". ".join(parts) + "."
    return docs


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from([1, 2, 4]), st.sampled_from([2, 5, 100]), st.sampled_from([1, 3, 10**5]))
def test_candidate_query_agrees_with_reference(tmp_path_factory, seed, sample, max_df, chunk):
    params = CandidateParams(sample=sample, max_df=max_df, min_shared=2)
    docs = _texts(seed, 14)
    sh = {d: shingles(tokenize(t), params) for d, t in docs.items()}
    expected = set(candidate_pairs_reference({d: s.tolist() for d, s in sh.items()}, params))
    db = tmp_path_factory.mktemp("db") / "c.duckdb"
    parts = {"chunk": chunk, "df_part_rows": 50 if chunk == 1 else 10**9}  # several df parts in some examples
    with open_store(db) as store:
        run = store.begin_run([], {})
        # two ingest batches, so that pairs of old x new and new x new both occur
        names = sorted(docs)
        rows = [(Document(id=d, text=docs[d]), content_hash(docs[d]), 0, sh[d]) for d in names]
        store.add_documents(run, rows[:7])
        first = store.pending_pairs(max_df=max_df, min_shared=2, same_series=True, **parts)
        store.mark_scanned()
        store.add_documents(run, rows[7:])
        second = store.pending_pairs(max_df=max_df, min_shared=2, same_series=True, **parts)
    key = {k + 1: d for k, d in enumerate(names)}
    # each query sees the document frequencies of what is stored at its time:
    # the first is checked against the reference over the first batch alone,
    # the second against the reference over the whole collection (its pairs
    # that involve a new document)
    sub = {d: sh[d].tolist() for d in names[:7]}
    expected_first = set(candidate_pairs_reference(sub, params))
    assert {(key[a], key[b]) for a, b in first} == expected_first
    new = set(names[7:])
    assert {(key[a], key[b]) for a, b in second} == {p for p in expected if p[0] in new or p[1] in new}


def test_shingles_are_stable_and_sampled():
    t = tokenize("The quick brown fox jumps over the lazy dog and runs far away from here today.")
    a = shingles(t, CandidateParams(sample=1))
    b = shingles(t, CandidateParams(sample=1))
    assert np.array_equal(a, b) and len(a) == len(t) - 4
    s4 = shingles(t, CandidateParams(sample=4))
    assert set(s4.tolist()) <= set(a.tolist())
    assert all(x % 4 == 0 for x in s4.tolist())


def test_store_clusters_are_the_pure_functions_over_its_passages(tmp_path):
    # ids inserted in an order unlike their sort order, so that numbering by
    # id (not by insertion) is what the store must reproduce
    docs = _texts(7, 20)
    names = sorted(docs, reverse=True)
    params = CandidateParams(sample=1, max_df=100, min_shared=2)
    from newstrace.align import AlignParams
    from newstrace.engines.local import scan

    with open_store(tmp_path / "s.duckdb") as store:
        scan(store, [Document(id=f"x{d}" if k % 3 else d, text=docs[d]) for k, d in enumerate(names)], paths=[],
             candidate_params=params, align_params=AlignParams(min_words=8), workers=1, batch_docs=6)
        con = store.con
        rows = con.execute("SELECT a_id, a_start, a_end, b_id, b_start, b_end, words, kind FROM passages "
                           "ORDER BY passage_id").fetchall()
        assert len(rows) > 5
        # boilerplate joins no cluster and no story (these texts have none)
        assert all(r[7] != "boilerplate" for r in rows)
        ps = [tuple(r[:6]) for r in rows]
        expected = reprint_clusters(ps)
        got = con.execute('SELECT cluster_id, doc_id, "start", "end" FROM cluster_members '
                          'ORDER BY cluster_id, doc_id, "start"').fetchall()
        assert got == [(c.id, m.doc_id, m.start, m.end) for c in expected for m in c.members]
        assert con.execute("SELECT cluster_id, size, passages FROM clusters ORDER BY cluster_id").fetchall() == [
            (c.id, c.size, len(c.passages)) for c in expected]
        pc = [r[0] for r in con.execute("SELECT cluster_id FROM passages ORDER BY passage_id").fetchall()]
        assert pc == [next(c.id for c in expected if k in c.passages) for k in range(len(ps))]
        assert dict(con.execute("SELECT doc_id, story_id FROM stories").fetchall()) == stories(
            story_links((r[0], r[3], r[6]) for r in rows))


# -- the rules both engines share (newstrace.cluster, newstrace.candidates) ----------------


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(0, 5), span), min_size=1, max_size=30))
def test_excerpt_member_is_the_longest_then_first_document_then_first_start(members) -> None:
    from newstrace.cluster import ClusterTable, excerpt_members

    members = sorted(set((c, d, s, e) for c, d, (s, e) in members))
    col = [np.array([m[k] for m in members], dtype=np.int64) for k in range(4)]
    table = ClusterTable(passage_cluster=np.zeros(0, dtype=np.int64), member_cluster=col[0], member_doc=col[1],
                         member_start=col[2], member_end=col[3], size=np.zeros(0, dtype=np.int64),
                         passages=np.zeros(0, dtype=np.int64))
    got = [members[k] for k in excerpt_members(table).tolist()]
    want = [min((m for m in members if m[0] == c), key=lambda m: (-(m[3] - m[2]), m[1], m[2]))
            for c in sorted({m[0] for m in members})]
    assert got == want


def test_the_same_series_rule_reads_the_same_in_duckdb() -> None:
    import duckdb

    from newstrace.candidates import other_series_sql

    rows = [("AP", "ap", False), ("AP", "Reuters", True), (None, "AP", True), ("AP", None, True),
            (None, None, True), ("", "AP", True)]
    with duckdb.connect() as con:
        for a, b, want in rows:
            got = con.execute(f"SELECT {other_series_sql('a', 'b')} FROM (SELECT ?::VARCHAR AS a, ?::VARCHAR AS b)",
                              [a, b]).fetchone()[0]
            assert got is want, (a, b)
