"""Scoring rules: nbgrader's partial credit reproduced exactly, plus our stricter checks."""

import json
import subprocess
from pathlib import Path

import pytest

from graders import runner, scoring

ROOT = Path(__file__).resolve().parents[2]
NBGRADER_PYTHON = ROOT / ".venv-nbgrader" / "bin" / "python"

PARTIAL_VALUES = ["0", "0.5", "1.5", "3", "2.9999", "-1", "nan", "abc", "", " 2 ", "1_0", "1e-3"]


@pytest.mark.nbgrader
def test_partial_grade_equals_nbgrader_for_every_kind_of_value():
    """Our get_partial_grade twin gives nbgrader's own answer on each value (max 3 points)."""
    assert NBGRADER_PYTHON.exists(), "run `make setup-test`: .venv-nbgrader is missing"
    script = (
        "import json, sys\n"
        "from nbgrader.utils import get_partial_grade\n"
        "values = json.loads(sys.argv[1])\n"
        "out = []\n"
        "for v in values:\n"
        "    try:\n"
        "        out.append(get_partial_grade({'data': {'text/plain': v}}, 3.0))\n"
        "    except (KeyError, ValueError) as e:\n"
        "        out.append(type(e).__name__)\n"
        "print(json.dumps(out))\n"
    )
    theirs = json.loads(
        subprocess.run(
            [str(NBGRADER_PYTHON), "-c", script, json.dumps(PARTIAL_VALUES)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    for value, expected in zip(PARTIAL_VALUES, theirs, strict=True):
        if expected == "KeyError":  # nbgrader crashes on an empty result; we give full marks
            assert value == ""
            continue
        ours = scoring.partial_grade(value, 3.0)
        if expected == "ValueError":  # nbgrader crashes above the maximum; we cap at it
            assert float(value) > 3.0
            assert ours == 3.0
            continue
        if isinstance(expected, float) and expected != expected:  # nbgrader passes NaN through
            assert ours == 3.0
            continue
        assert ours == pytest.approx(expected), value


def _run(status, outputs=(), reply=None):
    return runner.CellRun(0, status, reply=reply or {}, outputs=list(outputs))


def test_stderr_output_does_not_fail_a_test():
    run = _run(runner.OK, [{"output_type": "stream", "name": "stderr", "text": "warning"}])
    assert scoring.score_test_cell(run, 2.0) == (2.0, True, scoring.PASSED, True)


def test_error_reply_scores_zero_with_the_error_as_message():
    error = {"output_type": "error", "ename": "AssertionError", "evalue": "wrong", "traceback": []}
    run = _run(runner.ERROR, [error], {"status": "error", "ename": "AssertionError"})
    points, passed, message, consistent = scoring.score_test_cell(run, 2.0)
    assert (points, passed, consistent) == (0.0, False, True)
    assert message == "AssertionError: wrong"


def test_reply_and_outputs_disagreeing_is_flagged_and_scores_zero():
    ok_reply_with_error = _run(runner.OK, [{"output_type": "error", "ename": "E", "evalue": ""}])
    error_reply_without_output = _run(runner.ERROR, [], {"status": "error"})
    for run in (ok_reply_with_error, error_reply_without_output):
        points, passed, _, consistent = scoring.score_test_cell(run, 2.0)
        assert (points, passed, consistent) == (0.0, False, False)


def test_numeric_last_value_is_partial_credit():
    result = {"output_type": "execute_result", "data": {"text/plain": "1.5"}, "metadata": {}}
    run = _run(runner.OK, [{"output_type": "stream", "name": "stdout", "text": "x"}, result])
    points, passed, _, _ = scoring.score_test_cell(run, 3.0)
    assert (points, passed) == (1.5, False)


@pytest.mark.parametrize(
    "status", [runner.NOT_RUN, runner.TIMEOUT, runner.DIED, runner.OUTPUT_LIMIT]
)
def test_cells_that_did_not_finish_score_zero(status):
    points, passed, message, consistent = scoring.score_test_cell(_run(status), 4.0)
    assert (points, passed, consistent) == (0.0, False, True)
    assert message


def test_hidden_tests_and_tests_after_them_show_no_message():
    hidden = scoring.learner_view(
        "h", 0.0, 2.0, False, "AssertionError: secret", hidden=True, after_hidden=False
    )
    later = scoring.learner_view(
        "v", 0.0, 1.0, False, "ValueError: leak", hidden=False, after_hidden=True
    )
    before = scoring.learner_view(
        "w", 0.0, 1.0, False, "ValueError: shown", hidden=False, after_hidden=False
    )
    assert hidden.message == scoring.FAILED and later.message == scoring.FAILED
    assert before.message == "ValueError: shown"
