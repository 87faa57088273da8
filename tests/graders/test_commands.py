"""The `release` and `grade` management commands as a teacher uses them."""

import json
from io import StringIO
from pathlib import Path

import nbformat
import pytest
from django.core.management import CommandError, call_command

from graders import notebook

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "courses" / "demo" / "how_good_is_a_guess.ipynb"
SUBMITTED = ROOT / "tests" / "graders" / "nbgrader_compat" / "submitted"


def test_release_writes_the_student_copy(tmp_path):
    out = tmp_path / "student" / "ps1.ipynb"
    stdout = StringIO()
    call_command("release", str(SOURCE), "-o", str(out), stdout=stdout)
    expected = notebook.release(notebook.load_source(SOURCE.read_bytes(), max_bytes=10**7))
    assert nbformat.read(str(out), as_version=4) == expected
    assert "raise NotImplementedError()" in out.read_text()
    assert "BEGIN HIDDEN TESTS" not in out.read_text()
    assert not list(tmp_path.glob("**/*.partial"))


def test_release_refuses_an_invalid_source_in_one_line(tmp_path):
    bad = tmp_path / "bad.ipynb"
    nb = nbformat.read(str(SOURCE), as_version=4)
    nb.cells[4].metadata["nbgrader"].pop("points")  # a graded cell without points
    nbformat.write(nb, str(bad))
    with pytest.raises(CommandError) as raised:
        call_command("release", str(bad), "-o", str(tmp_path / "out.ipynb"))
    assert "\n" not in str(raised.value) and "points" in str(raised.value)
    assert not (tmp_path / "out.ipynb").exists()


def test_release_reports_an_unwritable_destination(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("release", str(SOURCE), "-o", str(blocker / "out.ipynb"))


@pytest.mark.sandbox
def test_grade_prints_a_readable_report_and_json_lines():
    paths = [str(SUBMITTED / kind / "ps1" / "ps1.ipynb") for kind in ("correct", "wrong")]
    human = StringIO()
    call_command("grade", str(SOURCE), *paths, stdout=human)
    assert "correct/ps1/ps1.ipynb: graded, 10 / 10" in human.getvalue()
    assert "✗ test_accuracy_basic: 0/1 AssertionError" in human.getvalue()
    machine = StringIO()
    call_command("grade", str(SOURCE), *paths, "--json", "--jobs", "2", stdout=machine)
    lines = [json.loads(line) for line in machine.getvalue().splitlines()]
    assert [(line["submission"], line["score"]) for line in lines] == [
        (paths[0], 10.0),
        (paths[1], 0.0),
    ]
    assert set(lines[0]) == {"submission", "status", "score", "max_score", "tests", "error"}
