"""Reuters-21578 (../shared/corpora): the scan finds the known exact-duplicate groups.

SOURCE.md counts 279 groups of documents whose bodies are identical after
whitespace normalisation (560 documents). A scan must put each group
together: byte-identical texts through the store's duplicates table,
whitespace variants as a passage spanning both texts with no word changed.
"""

import json
import re
import subprocess
import sys
from collections import defaultdict

import duckdb
import pytest

from newstrace.evaluation.synth import unpack_corpus

from .conftest import require_corpus

_DOC = re.compile(r"<REUTERS[^>]*NEWID=\"(\d+)\"[^>]*>(.*?)</REUTERS>", re.S)
_BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)


def _bodies(folder):
    out = {}
    for sgm in sorted(folder.glob("reut2-*.sgm")):
        for newid, inner in _DOC.findall(sgm.read_bytes().decode("latin-1")):
            m = _BODY.search(inner)
            if m:
                out[newid] = m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return out


def _groups(pairs, members):
    parent = {m: m for m in members}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[find(a)] = find(b)
    g = defaultdict(set)
    for m in members:
        g[find(m)].add(m)
    return g


@pytest.mark.corpus
@pytest.mark.slow
def test_known_duplicate_groups_found(tmp_path):
    folder = unpack_corpus(require_corpus("reuters-21578") / "reuters-21578.tar.xz")
    bodies = _bodies(folder)
    assert len(bodies) == 19043
    by_norm = defaultdict(list)
    for i, b in bodies.items():
        by_norm[" ".join(b.split())].append(i)
    truth = [set(v) for v in by_norm.values() if len(v) > 1]
    assert len(truth) == 279 and sum(map(len, truth)) == 560

    src = tmp_path / "reuters.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        for i, b in bodies.items():
            fh.write(json.dumps({"id": i, "text": b}) + "\n")
    db = tmp_path / "r.duckdb"
    subprocess.run([sys.executable, "-m", "newstrace", "scan", str(src), "--db", str(db), "--same-series"],
                   check=True, capture_output=True, timeout=1200)
    con = duckdb.connect(str(db), read_only=True)
    links = con.execute("SELECT id, duplicate_of FROM duplicates").fetchall()
    links += con.execute("""
        SELECT p.a_id, p.b_id FROM passages p
        JOIN documents a ON a.id = p.a_id JOIN documents b ON b.id = p.b_id
        WHERE p.kind = 'passage' AND p.edits = '[]'
          AND p.words >= 0.95 * a.words AND p.words >= 0.95 * b.words
    """).fetchall()
    con.close()
    found = _groups(links, list(bodies))
    group_of = {m: k for k, g in found.items() for m in g}
    for g in truth:
        assert len({group_of[m] for m in g}) == 1, sorted(g)
