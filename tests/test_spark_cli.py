"""The spark engine's errors when pyspark or Java is missing: one line
naming the fix, never a traceback. Needs neither pyspark nor Java."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from newstrace.cli import main
from newstrace.engines import spark as engine

SEEDS = str(Path(__file__).resolve().parents[1] / "examples" / "seeds")


def test_no_pyspark_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import fails
    r = CliRunner().invoke(main, ["scan", SEEDS, "--engine", "spark", "--output", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert r.output.strip() == ("newstrace: error: the spark engine needs pyspark; install it with: "
                                "pip install 'newstrace[spark]'")


def test_no_java_is_a_clear_error(monkeypatch, tmp_path):
    pytest.importorskip("pyspark")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(engine.shutil, "which", lambda name: None)
    r = CliRunner().invoke(main, ["scan", SEEDS, "--engine", "spark", "--output", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert r.output.startswith("newstrace: error: the spark engine needs Java 17")
    assert "openjdk-17-jre-headless" in r.output and "Traceback" not in r.output


def test_bad_conf_is_a_clear_error(tmp_path):
    r = CliRunner().invoke(main, ["scan", SEEDS, "--engine", "spark", "--output", str(tmp_path / "o"),
                                  "--conf", "spark.executor.memory"])
    assert r.exit_code == 2 and "KEY=VALUE" in r.output


def test_import_needs_parquet_tables(tmp_path):
    r = CliRunner().invoke(main, ["import", str(tmp_path), "--db", str(tmp_path / "x.duckdb")])
    assert r.exit_code == 2 and "no documents and passages Parquet tables" in r.output


def test_import_of_a_damaged_parquet_file_is_a_message_and_leaves_the_store_empty(tmp_path):
    import duckdb

    folder = tmp_path / "tables"
    folder.mkdir()
    for t in ("documents", "passages"):
        (folder / f"{t}.parquet").write_bytes(b"PAR1 not really a parquet file")
    db = tmp_path / "x.duckdb"
    r = CliRunner().invoke(main, ["import", str(folder), "--db", str(db)])
    assert r.exit_code == 2 and "cannot load its Parquet tables" in r.output and "Traceback" not in r.output
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT (SELECT count(*) FROM documents) + (SELECT count(*) FROM runs)").fetchone() == (0,)


def test_spark_into_a_store_with_documents_fails_before_the_job(tmp_path):
    db = str(tmp_path / "e.duckdb")
    assert CliRunner().invoke(main, ["scan", SEEDS, "--db", db, "--progress", "never"]).exit_code == 0
    r = CliRunner().invoke(main, ["scan", SEEDS, "--engine", "spark", "--output", str(tmp_path / "o"), "--db", db])
    assert r.exit_code == 2 and "already holds documents" in r.output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("options, named", [
    (["--workers", "4"], "--workers is"),
    (["--memory-limit", "512MB"], "--memory-limit is"),  # the default's value, given: still refused
    (["--workers", "2", "--memory-limit", "1GB"], "--workers and --memory-limit are"),
])
def test_options_of_the_embedded_engine_are_refused_with_spark(tmp_path, options, named):
    r = CliRunner().invoke(main, ["scan", SEEDS, "--engine", "spark", "--output", str(tmp_path / "o"), *options])
    assert r.exit_code == 2
    assert r.output.startswith(f"newstrace: error: {named} for the embedded engine; with --engine spark")
    assert "--conf spark.executor.memory=8g" in r.output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("options", [["--output", "o"], ["--master", "local[2]"], ["--conf", "spark.x=1"]])
def test_options_of_the_spark_engine_are_refused_without_it(tmp_path, options):
    r = CliRunner().invoke(main, ["scan", SEEDS, "--db", str(tmp_path / "x.duckdb"), *options])
    assert r.exit_code == 2
    assert r.output.strip() == ("newstrace: error: --output, --master and --conf are for --engine spark; "
                                "the embedded engine writes to --db")
    assert not (tmp_path / "x.duckdb").exists()


def test_import_out_of_memory_is_a_message_naming_the_fix_and_loads_nothing(tmp_path, monkeypatch):
    import duckdb

    from newstrace.store import Store

    db, folder = str(tmp_path / "s.duckdb"), tmp_path / "tables"
    assert CliRunner().invoke(main, ["scan", SEEDS, "--db", db, "--progress", "never"]).exit_code == 0
    assert CliRunner().invoke(main, ["export", "--db", db, "--format", "parquet", "--output", str(folder)]).exit_code == 0
    new = str(tmp_path / "n.duckdb")
    load = Store._load_parquet

    def tight(self, *args):
        raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block")

    monkeypatch.setattr(Store, "_load_parquet", tight)
    r = CliRunner().invoke(main, ["import", str(folder), "--db", new, "--memory-limit", "64MB"])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "ran out of memory" in r.output and "memory limit of" in r.output and "larger --memory-limit" in r.output
    monkeypatch.setattr(Store, "_load_parquet", load)
    r = CliRunner().invoke(main, ["import", str(folder), "--db", new])  # nothing stayed: the same import works
    assert r.exit_code == 0, r.output
