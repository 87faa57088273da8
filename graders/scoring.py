"""Scores from an executed notebook: nbgrader's rules, with the kernel's word never taken alone.

nbgrader's rule for an autograded test cell (nbgrader.utils.determine_grade): the first error
output scores 0; otherwise the first execute_result whose text is a number is partial credit;
otherwise full marks. Deliberate difference: output on stderr (warnings) does not fail a test.
Beyond nbgrader: the execute_reply's status must agree with the outputs; a cell that did not run
(time, memory, output limits) scores 0; hidden tests report only pass/fail.
"""

from __future__ import annotations

import math

from graders import messages, runner
from graders.results import TestResult

# Messages are stored in plain English and translated where they are shown (graders.messages);
# the CLI returns these strings.
PASSED = messages.PASSED
FAILED = messages.FAILED
MAX_MESSAGE = 300


def partial_grade(text: object, max_points: float) -> float:
    """nbgrader.utils.get_partial_grade, reproduced (a test compares the two)."""
    if isinstance(text, list):
        if len(text) > 1:
            return max_points
        text = text[0] if text else ""
    try:
        grade = float(str(text))
    except ValueError:
        return max_points
    if math.isnan(grade) or grade < 0.0:
        return max_points
    # nbgrader raises for a value above the maximum; a score never exceeds the cell's points.
    return min(grade, max_points)


def score_test_cell(run: runner.CellRun, max_points: float) -> tuple[float, bool, str, bool]:
    """(points, passed, message, consistent) for one autograded test cell.

    `consistent` is False when the reply and the outputs disagree — a sign of tampering.
    """
    if run.status in (runner.NOT_RUN, runner.TIMEOUT, runner.DIED, runner.OUTPUT_LIMIT):
        return 0.0, False, _not_run_message(run.status), True
    if run.status == runner.BROKEN:
        return 0.0, False, messages.TEST_UNREADABLE, False
    errors = [out for out in run.outputs if out.get("output_type") == "error"]
    reply_error = run.status == runner.ERROR
    if reply_error or errors:
        consistent = reply_error and bool(errors)
        source = errors[0] if errors else run.reply
        return 0.0, False, _error_message(source), consistent
    for output in run.outputs:
        if output.get("output_type") == "execute_result":
            data = output.get("data") or {}
            points = partial_grade(data.get("text/plain", ""), max_points)
            return points, points >= max_points, PASSED if points >= max_points else "", True
    return max_points, True, PASSED, True


def _error_message(source: dict) -> str:
    ename = str(source.get("ename", "Error"))
    evalue = str(source.get("evalue", ""))
    message = f"{ename}: {evalue}" if evalue else ename
    return message[:MAX_MESSAGE]


def _not_run_message(status: str) -> str:
    return {
        runner.NOT_RUN: messages.TEST_NOT_RUN,
        runner.TIMEOUT: messages.TEST_TIMEOUT,
        runner.DIED: messages.TEST_DIED,
        runner.OUTPUT_LIMIT: messages.TEST_OUTPUT_LIMIT,
    }[status]


def learner_view(
    grade_id: str,
    points: float,
    max_points: float,
    passed: bool,
    message: str,
    *,
    hidden: bool,
    after_hidden: bool,
) -> TestResult:
    """What a learner may see of a test's result.

    Hidden tests: pass/fail and points only. Visible tests that ran after a hidden test: their own
    messages could carry what learner code saw of the hidden test, so they report pass/fail only.
    """
    values = {"points": f"{points:g}", "max": f"{max_points:g}"}
    if not message:
        message = messages.PARTIAL_CREDIT % values
    if hidden or after_hidden:
        message = PASSED if passed else (FAILED if points == 0 else messages.HIDDEN_POINTS % values)
    return TestResult(
        grade_id=grade_id,
        points=round(points, 4),
        max_points=max_points,
        passed=passed,
        message=message,
        hidden=hidden,
    )
