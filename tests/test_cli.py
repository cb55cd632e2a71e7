"""The `newstrace compare` command: output, JSON schema, errors, documentation."""

import importlib.util
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from newstrace.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"
A = str(SEEDS / "000_da43fc32711ce6b8.txt")
B = str(SEEDS / "002_c61f085763ff7fbd.txt")


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_compare_text_summary():
    r = run("compare", A, B)
    assert r.exit_code == 0, r.output
    out = r.output
    assert "Pentagon Confirms Its In-House Rebels Defected to the Syrian Army" in out
    assert "2017-08-04" in out and "2017-08-12" in out
    assert "3 shared passages, 1 shared quotation" in out
    assert "a handful of isolated defections" in out
    assert re.search(r"delete\s+\u201chas\u201d \(only in A\)", out)
    assert "coverage:" in out and "containment" in out
    # offsets shown are the real ones
    text_a = Path(A).read_text(encoding="utf-8")
    for s, e in re.findall(r"A \[(\d+), (\d+)\)", out):
        assert text_a[int(s) : int(e)].strip() == text_a[int(s) : int(e)]


def test_compare_json_schema():
    r = run("compare", A, B, "--format", "json")
    assert r.exit_code == 0
    data = json.loads(r.output)
    docs = data["documents"]
    assert [d["path"] for d in docs] == [A, B]
    for d in docs:
        assert {"id", "path", "title", "published", "length"} <= d.keys()
    assert docs[0]["published"] == "2017-08-04"
    assert docs[1]["length"] == len(Path(B).read_text(encoding="utf-8"))
    texts = [Path(A).read_text(encoding="utf-8"), Path(B).read_text(encoding="utf-8")]
    kinds = []
    for p in data["passages"]:
        assert {"a_start", "a_end", "b_start", "b_end", "a_text", "b_text", "words", "similarity", "kind", "edits"} <= p.keys()
        assert texts[0][p["a_start"] : p["a_end"]] == p["a_text"]
        assert texts[1][p["b_start"] : p["b_end"]] == p["b_text"]
        for e in p["edits"]:
            assert {"op", "a_text", "b_text"} <= e.keys()
            assert e["op"] in {"replace", "insert", "delete"}
        kinds.append(p["kind"])
    assert sorted(kinds) == ["passage", "passage", "passage", "quotation"]
    assert 0 < data["scores"]["coverage_b"] < 1


def test_no_shared_passages(tmp_path):
    x = tmp_path / "x.txt"
    y = tmp_path / "y.txt"
    x.write_text("The council approved the budget for the new library on Tuesday evening.", encoding="utf-8")
    y.write_text("Heavy snow closed mountain passes and delayed trains across the region.", encoding="utf-8")
    r = run("compare", str(x), str(y))
    assert r.exit_code == 0
    assert "no shared passages" in r.output
    data = json.loads(run("compare", str(x), str(y), "--format", "json").output)
    assert data["passages"] == []


@pytest.mark.parametrize(
    "make, fragment",
    [
        (lambda p: None, "no such file"),
        (lambda p: p.write_bytes(b""), "empty"),
        (lambda p: p.write_bytes(b"   \n\n  "), "only whitespace"),
        (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4), "not text"),
        (lambda p: p.write_bytes(b"text\x00\x01\x02 more" * 50), "binary"),
        (lambda p: p.mkdir(), "directory"),
    ],
)
def test_bad_files_give_one_line_error(tmp_path, make, fragment):
    bad = tmp_path / "bad.txt"
    make(bad)
    r = CliRunner().invoke(main, ["compare", str(bad), A])
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    assert len(lines) == 1, r.output
    assert lines[0].startswith("newstrace: error: ")
    assert str(bad) in lines[0] and fragment in lines[0].lower()
    assert "Traceback" not in r.output


def test_unreadable_file(tmp_path):
    import os

    bad = tmp_path / "locked.txt"
    bad.write_text("some text", encoding="utf-8")
    bad.chmod(0)
    try:
        if os.access(bad, os.R_OK):
            pytest.skip("running as a user who can read any file (root)")
        r = CliRunner().invoke(main, ["compare", str(bad), A])
        assert r.exit_code == 2 and str(bad) in r.output
    finally:
        bad.chmod(0o644)


def test_bad_parameter_is_an_error_not_a_traceback():
    r = CliRunner().invoke(main, ["compare", A, B, "--ngram", "9", "--min-words", "4"])
    assert r.exit_code == 2
    assert "min_words" in r.output and "Traceback" not in r.output


def test_cp1252_file_warns_and_aligns(tmp_path):
    text = Path(B).read_text(encoding="utf-8").replace("\u0107", "c")
    f = tmp_path / "legacy.txt"
    f.write_bytes(text.encode("cp1252", errors="replace"))
    r = CliRunner().invoke(main, ["compare", A, str(f)])
    assert r.exit_code == 0
    assert "warning" in r.output and "cp1252" in r.output
    assert "3 shared passages" in r.output


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", readme, flags=re.S)
    cmds = []
    for block in blocks:
        for line in block.splitlines():
            for part in line.split("&&"):
                part = part.strip()
                if part.startswith("newstrace "):
                    cmds.append(part)
    return cmds


def test_every_command_documented_in_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in main.commands:
        assert f"### `newstrace {name}" in readme, f"command {name} is not documented in the README"


@pytest.mark.slow  # every command of the README, a Spark scan among them
def test_readme_commands_run(tmp_path):
    cmds = _readme_commands()
    assert cmds, "the README shows no newstrace command"
    spark = importlib.util.find_spec("pyspark") is not None and shutil.which("java") is not None
    for cmd in cmds:
        # the README's /tmp files go to this test's own folder, so that no store left in /tmp by
        # another checkout (or another newstrace) is read
        args = [a.replace("/tmp/", f"{tmp_path}/") for a in shlex.split(cmd)[1:]]
        if "--engine spark" in cmd and not spark:
            continue  # needs the spark extra and Java (tests/test_spark.py skips likewise)
        r = subprocess.run(
            [sys.executable, "-m", "newstrace", *args], cwd=ROOT, capture_output=True, text=True,
            timeout=600 if "--engine spark" in cmd else 120,  # a JVM starts
        )
        assert r.returncode == 0, (cmd, r.stderr)
        assert r.stdout.strip(), cmd
        if args[0] == "compare":
            assert "shared passages" in r.stdout


def test_readme_example_output_is_current():
    """The excerpt of output shown in the README is what the command prints."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"```\n(3 shared passages.*?)\.\.\.\n```", readme, flags=re.S).group(1)
    out = run("compare", A, B).output
    for line in shown.strip().splitlines():
        assert line in out, line


def test_compare_html_page_against_text(tmp_path):
    """An HTML page is compared on its extracted main text; offsets refer to that text."""
    pytest.importorskip("trafilatura")
    from newstrace.ingest import load_path

    body = Path(A).read_text(encoding="utf-8")
    start = body.index("US Army Col. Ryan Dillon")
    end = body.index("advancing on that same area.") + len("advancing on that same area.")
    paragraphs = body[start:end].split("\n\n")
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Defections at At Tanf</title>"
        '<meta name="author" content="A. Writer"></head><body>'
        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article><h1>Defections at At Tanf</h1>"
        "<p>Our own opening paragraph says what this piece is about before it quotes the report.</p>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "<p>Our own closing paragraph, written for this page and found nowhere else.</p>"
        "</article><footer>Copyright footer text &copy; 2017</footer></body></html>",
        encoding="utf-8",
    )
    r = run("compare", A, str(page), "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["documents"][1]["title"] == "Defections at At Tanf"
    passages = [p for p in data["passages"] if p["kind"] == "passage"]
    assert len(passages) == 1
    html_text = load_path(page).document.text
    p = passages[0]
    assert html_text[p["b_start"] : p["b_end"]] == p["b_text"]
    assert p["b_text"].startswith("US Army Col. Ryan Dillon") and p["b_text"].endswith("same area.")
    assert [e["op"] for e in p["edits"]] == []  # the page copies the text with its doubled word
