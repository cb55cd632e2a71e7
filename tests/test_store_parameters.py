"""The store owns its scan parameters (issue 17): a scan into a store that
holds documents must use the parameters that shaped what is stored
(postings, aligned pairs, passages), or it would silently find nothing; the
parameters that only say how a run goes may change."""

import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from newstrace.align import AlignParams
from newstrace.candidates import CandidateParams
from newstrace.cli import main
from newstrace.engines.local import scan
from newstrace.store import ParameterMismatch, open_store

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
QUOTE = "We can confirm there have been a handful of isolated defections, US Army Col. Joe Scrocca told CNN"


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def runs(db) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM runs").fetchone()[0]


@pytest.fixture
def db(tmp_path):
    db = tmp_path / "s.duckdb"
    r = run("scan", SEEDS, "--db", db, "--progress", "never", "--workers", "1")
    assert r.exit_code == 0 and "4 passages found" in r.output, r.output
    return db


def test_rescan_with_another_ngram_is_refused_and_names_the_fix(db):
    r = run("scan", SEEDS, "--db", db, "--ngram", "7", "--progress", "never")
    assert r.exit_code == 2, r.output
    msg = r.output.strip().splitlines()[-1]
    assert msg.startswith("newstrace: error: ") and str(db) in msg
    assert "--ngram 5" in msg and "--ngram 7" in msg  # the stored value and the one asked for
    assert "new --db" in msg
    assert runs(db) == 1  # refused before any run is recorded


@pytest.mark.parametrize("option", [["--max-df", "50"], ["--min-words", "20"], ["--max-gap", "5"],
                                    ["--same-series"]])
def test_every_parameter_that_shapes_the_stored_data_is_checked(db, option):
    r = run("scan", SEEDS, "--db", db, *option, "--progress", "never")
    assert r.exit_code == 2 and option[0] in r.output and "new --db" in r.output, r.output


def test_how_a_run_goes_may_change(db):
    r = run("scan", SEEDS, "--db", db, "--workers", "2", "--memory-limit", "1GB", "--progress", "always",
            "--ngram", "5", "--max-df", "100")
    assert r.exit_code == 0, r.output
    assert runs(db) == 2


def test_library_scan_raises_parameter_mismatch(db):
    with open_store(db) as store, pytest.raises(ParameterMismatch, match="sample=4"):
        scan(store, [], candidate_params=CandidateParams(sample=2), workers=1)
    with open_store(db, read_only=True) as store:
        assert store.scan_parameters()["ngram"] == 5


def test_a_store_from_before_is_checked_against_its_first_run(db):
    with duckdb.connect(str(db)) as con:  # as newstrace 0.1 left it: parameters in runs only
        con.execute("DELETE FROM meta WHERE key = 'scan_parameters'")
    r = run("scan", SEEDS, "--db", db, "--ngram", "7", "--progress", "never")
    assert r.exit_code == 2 and "--ngram 5" in r.output, r.output
    assert run("scan", SEEDS, "--db", db, "--progress", "never").exit_code == 0


def test_a_store_without_documents_takes_the_new_parameters(tmp_path):
    db = tmp_path / "e.duckdb"
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "blank.txt").write_text("   ", encoding="utf-8")
    run("scan", empty, "--db", db, "--progress", "never")
    r = run("scan", SEEDS, "--db", db, "--ngram", "7", "--progress", "never")
    assert r.exit_code == 0, r.output
    with open_store(db, read_only=True) as store:
        assert store.scan_parameters()["ngram"] == 7


def test_query_probes_with_the_stores_ngram(tmp_path):
    db = tmp_path / "q7.duckdb"
    assert run("scan", SEEDS, "--db", db, "--ngram", "7", "--progress", "never").exit_code == 0
    r = run("query", "--db", db, "-", "--format", "json", input=QUOTE)  # --ngram left at its default, 5
    assert r.exit_code == 0, r.output
    assert [m["id"] for m in json.loads(r.output)["matches"]] == ["000_da43fc32711ce6b8.txt"]
    with open_store(db, read_only=True) as store:
        from newstrace.engines.local import query

        with pytest.raises(ParameterMismatch, match="ngram"):
            query(store, QUOTE, candidate_params=CandidateParams(ngram=5), align_params=AlignParams())


def test_an_imported_export_keeps_the_parameters_of_its_postings(db, tmp_path):
    out = tmp_path / "exported"
    assert run("export", "--db", db, "--format", "parquet", "--output", out).exit_code == 0
    db2 = tmp_path / "imported.duckdb"
    assert run("import", out, "--db", db2).exit_code == 0
    r = run("scan", SEEDS, "--db", db2, "--ngram", "7", "--progress", "never")
    assert r.exit_code == 2 and "--ngram 5" in r.output, r.output
