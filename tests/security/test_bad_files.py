"""Bad files through the CLI: `manage.py grade SOURCE SUBMISSION... --json`.

Each hostile or broken submission fails on its own with one clear line, the good one among
them is graded normally and the command succeeds; a bad source or bad arguments stop the
command with a non-zero exit and a one-line error. Archives are not accepted anywhere, so a
compressed "zip bomb" is just a file that is not a notebook.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from tests.security.conftest import (
    LIMITS,
    MAX_SCORE,
    RIGHT,
    leftovers,
    make_submission,
    to_bytes,
)

pytestmark = [pytest.mark.sandbox]

PROJECT = Path(django_settings.BASE_DIR)
MAX_BYTES = 400_000


def _minimal(cells: list) -> bytes:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}).encode()


def _bad_files(source) -> dict[str, tuple[bytes | None, str]]:
    """name -> (content, what the error must say); None content: the path does not exist."""
    good = make_submission(source, {"answer": RIGHT})
    many_cells = [
        {"cell_type": "raw", "id": f"c{i}", "metadata": {}, "source": ""} for i in range(2500)
    ]
    nested = b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {"x": ' + b"[" * 100_000
    nested += b"]" * 100_000 + b'}, "cells": []}'
    padded = json.loads(good)
    padded["metadata"]["padding"] = "x" * (MAX_BYTES + 10)
    bomb = gzip.compress(good * 30 + b" " * 5_000_000, compresslevel=9)
    return {
        "good.ipynb": (good, ""),
        "not-json.ipynb": (b"this is { not json", "not valid JSON"),
        "empty.ipynb": (b"", "not valid JSON"),
        "binary.ipynb": (b"\xff\xfe\x00\x01garbage\x80", "not UTF-8"),
        "gzip-bomb.ipynb.gz": (bomb, "not UTF-8"),
        "schema-invalid.ipynb": (
            _minimal([{"cell_type": "code", "metadata": {}, "source": 1}]),
            "not a valid Jupyter notebook",
        ),
        "not-an-object.ipynb": (b"[1, 2, 3]", "not a valid Jupyter notebook"),
        "nan.ipynb": (b'{"nbformat": NaN, "cells": []}', "NaN"),
        "version-99.ipynb": (
            b'{"nbformat": 99, "nbformat_minor": 0, "cells": []}',
            "not supported",
        ),
        "deep-brackets.ipynb": (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        "deep-in-metadata.ipynb": (nested, "nested too deeply"),
        "huge.ipynb": (json.dumps(padded).encode(), "too large"),
        "too-many-cells.ipynb": (_minimal(many_cells), "too many cells"),
        "missing.ipynb": (None, "Cannot read"),
    }


@pytest.fixture
def cli_settings(settings, run_dir):
    settings.GRADER_MAX_NOTEBOOK_BYTES = MAX_BYTES
    settings.GRADER_LIMITS = {
        field: getattr(LIMITS, field) for field in LIMITS.__dataclass_fields__
    }
    return settings


def test_bad_submissions_fail_alone(source, tmp_path, cli_settings, run_dir):
    """Not JSON, empty, binary, gzip bomb, schema-invalid, not an object, NaN, unknown version,
    100 000-deep nesting, over the size limit, too many cells, a missing path: each one
    "failed" with a specific one-line error; the good file among them is graded; exit 0."""
    source_path = tmp_path / "source.ipynb"
    source_path.write_bytes(to_bytes(source))
    files = _bad_files(source)
    paths = []
    for name, (content, _) in files.items():
        path = tmp_path / name
        if content is not None:
            path.write_bytes(content)
        paths.append(str(path))
    out = StringIO()
    call_command("grade", str(source_path), *paths, "--json", "--jobs", "2", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(files), lines
    results = {Path(json.loads(line)["submission"]).name: json.loads(line) for line in lines}
    good = results.pop("good.ipynb")
    assert good["status"] == "graded" and good["score"] == MAX_SCORE, good
    for name, result in results.items():
        expected = files[name][1]
        assert result["status"] == "failed", (name, result)
        assert result["score"] == 0 and result["max_score"] == MAX_SCORE, (name, result)
        error = result["error"]
        assert error and "\n" not in error and len(error) < 300, (name, error)
        assert expected in error, (name, error)
    assert leftovers(run_dir) == []


def _manage(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_bad_source_or_arguments_stop_the_command(source, tmp_path, cli_settings):
    """An invalid SOURCE (not JSON, broken nbgrader metadata, missing) or bad arguments (no
    submissions, negative --jobs) stop `manage.py grade` with a non-zero exit and one line."""
    submission = tmp_path / "good.ipynb"
    submission.write_bytes(make_submission(source, {"answer": RIGHT}))
    broken = json.loads(to_bytes(source))
    for cell in broken["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade"):
            cell["metadata"]["nbgrader"]["points"] = "lots"
    sources = {
        "not-json.ipynb": b"{ nope",
        "broken-metadata.ipynb": json.dumps(broken).encode(),
    }
    for name, content in sources.items():
        (tmp_path / name).write_bytes(content)
    bad_sources = [*sources, "missing.ipynb"]
    for name in bad_sources:
        with pytest.raises(CommandError) as caught:
            call_command("grade", str(tmp_path / name), str(submission), stdout=StringIO())
        assert "\n" not in str(caught.value) and name in str(caught.value)
    with pytest.raises(CommandError):
        call_command("grade", str(tmp_path / "missing.ipynb"), str(submission), "--jobs", "-1")

    # The same through the real command line: exit status and stderr.
    env = {"GRADER_RUN_DIR": str(tmp_path / "cli-runs")}
    runs = [
        _manage("grade", str(tmp_path / "not-json.ipynb"), str(submission), "--json", env=env),
        _manage("grade", str(tmp_path / "broken-metadata.ipynb"), str(submission), env=env),
        _manage("grade", str(tmp_path / "missing.ipynb"), str(submission), env=env),
        _manage("grade", str(tmp_path / "good.ipynb"), env=env),
        _manage("grade", str(tmp_path / "good.ipynb"), str(submission), "--jobs", "-1", env=env),
    ]
    for run in runs:
        assert run.returncode != 0, run
        assert run.stdout == "", run.stdout
        lines = [line for line in run.stderr.splitlines() if line.strip()]
        assert lines, run
        error = lines[-1]
        assert "Traceback" not in run.stderr, run.stderr
        assert len(error) < 400, error


def test_cli_grades_a_mix_end_to_end(source, tmp_path):
    """The real `manage.py grade ... --json` process: a bad file (over a size limit set through
    the environment) fails alone, the good one is graded, exit status 0."""
    source_path = tmp_path / "source.ipynb"
    source_path.write_bytes(to_bytes(source))
    good = tmp_path / "good.ipynb"
    good.write_bytes(make_submission(source, {"answer": RIGHT}))
    huge = tmp_path / "huge.ipynb"
    huge.write_bytes(b" " * 200_000 + good.read_bytes())
    runs_dir = tmp_path / "cli-runs"
    env = {
        "GRADER_MAX_NOTEBOOK_BYTES": "150000",
        "GRADER_RUN_DIR": str(runs_dir),
        "GRADER_CELL_TIMEOUT": "5",
        "GRADER_NOTEBOOK_TIMEOUT": "30",
    }
    run = _manage("grade", str(source_path), str(huge), str(good), "--json", env=env)
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [Path(line["submission"]).name for line in lines] == ["huge.ipynb", "good.ipynb"]
    assert lines[0]["status"] == "failed" and "too large" in lines[0]["error"], lines[0]
    assert lines[1]["status"] == "graded" and lines[1]["score"] == MAX_SCORE, lines[1]
    assert not runs_dir.exists() or list(runs_dir.iterdir()) == []
