"""Our `manage.py grade` against nbgrader's own autograde, submission by submission.

The corpus (tests/graders/nbgrader_compat/) is two nbgrader source notebooks and learners'
submissions made from nbgrader's released copies by make_submissions.py. nbgrader 0.9.6 runs
for real from .venv-nbgrader (the grading kernel's libraries); without that virtualenv these
tests fail, they do not skip: `make setup-test` installs it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.graders.nbgrader_compat.nbgrader_scores import (
    NBGRADER_PYTHON,
    REPO,
    Scores,
    nbgrader_autograde,
)

pytestmark = [pytest.mark.nbgrader, pytest.mark.sandbox]

CORPUS = Path(__file__).resolve().parent / "nbgrader_compat"
SOURCE = CORPUS / "source"
ASSIGNMENTS = ("ps1", "knn")


def submissions(assignment: str) -> dict[str, Path]:
    paths = sorted((CORPUS / "submitted").glob(f"*/{assignment}/{assignment}.ipynb"))
    return {path.parts[-3]: path for path in paths}


CASES = [(assignment, name) for assignment in ASSIGNMENTS for name in submissions(assignment)]

# Stock nbgrader's totals, written down so that a change to the corpus, or to nbgrader, shows.
NBGRADER_TOTALS = {
    ("ps1", "correct"): 10.0,
    ("ps1", "partly_correct"): 2.5,  # includes 1.5 of 3 partial credit
    ("ps1", "wrong"): 0.0,
    ("ps1", "unchanged"): 0.0,
    ("ps1", "syntax_error"): 7.0,  # the other function's tests still pass
    ("ps1", "edited_test"): 2.5,  # nbgrader restores the test cell: as partly_correct
    ("ps1", "extra_cell"): 10.0,
    ("ps1", "stderr_debug"): 3.0,  # correct, but any stderr output zeroes a test cell
    ("knn", "correct"): 6.0,
    ("knn", "partly_correct"): 3.0,
    ("knn", "wrong"): 0.0,
    ("knn", "unchanged"): 0.0,
    ("knn", "syntax_error"): 3.0,
    ("knn", "edited_test"): 3.0,
    ("knn", "extra_cell"): 6.0,
}

# nbgrader configuration under which nbgrader's own autograde drops every stderr output
# before scoring (its IgnorePattern preprocessor, with a pattern that matches anything).
IGNORE_STDERR = 'c.IgnorePattern.enabled = True\nc.IgnorePattern.pattern = "^"\n'

# Where our grader departs from stock nbgrader on purpose: the reason, and the nbgrader
# configuration that reproduces our rule, so the comparison stays exact there too.
DELIBERATE = {
    ("ps1", "stderr_debug"): (
        "output on stderr (warnings, debug prints) does not fail a test: graders/scoring.py",
        IGNORE_STDERR,
    ),
}


def require_nbgrader_venv() -> None:
    if not NBGRADER_PYTHON.exists():
        pytest.fail(
            f"{NBGRADER_PYTHON} is missing; these tests need the real nbgrader: "
            "run `make setup-test` (requirements-nbgrader.txt)",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def nbgrader_results() -> dict[tuple[str, str], Scores]:
    """Stock nbgrader's scores, one autograde run per assignment (the two side by side)."""
    require_nbgrader_venv()
    with ThreadPoolExecutor(max_workers=len(ASSIGNMENTS)) as pool:
        runs = {a: pool.submit(nbgrader_autograde, SOURCE, submissions(a), a) for a in ASSIGNMENTS}
        return {
            (a, name): scores for a, run in runs.items() for name, scores in run.result().items()
        }


@pytest.fixture(scope="session")
def nbgrader_configured() -> dict[tuple[str, str], Scores]:
    """nbgrader's scores under the configuration named in DELIBERATE, for those cases only."""
    require_nbgrader_venv()
    out = {}
    for (assignment, name), (_, config) in DELIBERATE.items():
        path = submissions(assignment)[name]
        out[assignment, name] = nbgrader_autograde(
            SOURCE, {name: path}, assignment, extra_config=config
        )[name]
    return out


@pytest.fixture(scope="session")
def our_results() -> dict[tuple[str, str], dict]:
    """`manage.py grade SOURCE SUBMISSIONS... --json`, one run per assignment."""
    out = {}
    for assignment in ASSIGNMENTS:
        by_path = {path.resolve(): name for name, path in submissions(assignment).items()}
        source = SOURCE / assignment / f"{assignment}.ipynb"
        argv = [sys.executable, "manage.py", "grade", str(source), *map(str, by_path)]
        proc = subprocess.run(
            [*argv, "--json", "--jobs", "2"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert proc.returncode == 0, f"manage.py grade exited {proc.returncode}:\n{proc.stderr}"
        lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
        assert len(lines) == len(by_path), proc.stdout
        for result in lines:
            name = by_path[(REPO / result["submission"]).resolve()]
            out[assignment, name] = result
    return out


def test_nbgrader_is_installed():
    require_nbgrader_venv()


def test_committed_submissions_are_current():
    """submitted/ is what make_submissions.py makes from today's source notebooks."""
    require_nbgrader_venv()
    proc = subprocess.run(
        [sys.executable, str(CORPUS / "make_submissions.py"), "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_corpus_covers_every_case():
    assert set(CASES) == set(NBGRADER_TOTALS)


@pytest.mark.parametrize(("assignment", "name"), CASES, ids=[f"{a}-{n}" for a, n in CASES])
def test_nbgrader_scores_as_documented(assignment, name, nbgrader_results):
    scores = nbgrader_results[assignment, name]
    assert scores.total == NBGRADER_TOTALS[assignment, name], scores
    assert not scores.needs_manual_grade, scores


@pytest.mark.parametrize(("assignment", "name"), list(DELIBERATE), ids=lambda case: str(case))
def test_deliberate_difference_is_real(assignment, name, nbgrader_results, nbgrader_configured):
    """Each allowance in DELIBERATE must change nbgrader's score, or it is not needed."""
    assert nbgrader_configured[assignment, name] != nbgrader_results[assignment, name]


@pytest.mark.parametrize(("assignment", "name"), CASES, ids=[f"{a}-{n}" for a, n in CASES])
def test_grade_matches_nbgrader(
    assignment, name, nbgrader_results, nbgrader_configured, our_results
):
    ours = our_results[assignment, name]
    expected = nbgrader_configured.get((assignment, name), nbgrader_results[assignment, name])

    assert ours["status"] in ("graded", "needs_review"), ours["error"]
    points = {test["grade_id"]: test["points"] for test in ours["tests"]}
    max_points = {test["grade_id"]: test["max_points"] for test in ours["tests"]}
    assert points == pytest.approx(dict(expected), abs=1e-9)
    assert max_points == pytest.approx(expected.max_points, abs=1e-9)
    assert ours["score"] == pytest.approx(expected.total, abs=1e-9)
    assert ours["max_score"] == pytest.approx(expected.max_score, abs=1e-9)
