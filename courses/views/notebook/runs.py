"""A submission or check as the notebook page shows it: status, per-test feedback, outputs.

The same dict is embedded in the page when it loads and returned to the page's polling, so the
server-rendered and the script-rendered results never disagree. Hidden tests carry pass/fail and
points only; outputs are cleaned again on the way out (graders.outputs).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from graders import messages, outputs, scoring
from graders import nbgrader_format as fmt
from graders.models import Submission
from teaching.templatetags.deadlines import late_note

Status = Submission.Status


# Grading stores plain English (the CLI and API clients read it too); the page shows every
# message graders.messages declares in the reader's language, the learner's own errors as they are.
def _translated(message: str) -> str:
    return messages.translated(message)


def status_text(submission: Submission) -> str:
    """One sentence for the page's live region."""
    check = submission.is_check
    if submission.status == Status.QUEUED:
        return _("Check waiting to run…") if check else _("Submission waiting to be graded…")
    if submission.status == Status.RUNNING:
        return _("Check running…") if check else _("Grading your submission…")
    if submission.status == Status.GRADED:
        return _("Check finished.") if check else _("Graded.")
    if submission.status == Status.NEEDS_REVIEW:
        if check:
            return _("Check finished; a teacher would need to look at this result.")
        return _("Submitted; a teacher will review this result.")
    return _("The check could not run.") if check else _("Grading failed.")


def number(value) -> str:
    """Points as people write them: 4.5, 10, 0.75 (never 4.50 or 10.0)."""
    if value is None:
        return ""
    return f"{round(float(value), 2):g}"


def _test(test: dict) -> dict:
    hidden = bool(test.get("hidden"))
    message = str(test.get("message", ""))
    return {
        "grade_id": str(test.get("grade_id", "")),
        "points": test.get("points"),
        "max_points": test.get("max_points"),
        "points_text": number(test.get("points")),
        "max_points_text": number(test.get("max_points")),
        "passed": bool(test.get("passed")),
        # Hidden tests: pass/fail only, whatever was stored. "Passed." and "Failed." would only
        # repeat the badge.
        "message": ""
        if hidden or message in (scoring.PASSED, scoring.FAILED)
        else _translated(message),
        "hidden": hidden,
        "visible_only": bool(test.get("visible_only")),
    }


def _outputs_for_page(submission: Submission, language: str | None) -> list[dict]:
    """The run's outputs, placed on the cells of the notebook the page shows.

    Output records name cells by their position in the notebook the run was made from. A twin
    may have its cells elsewhere (a longer explanation, an extra note), so when the page shows
    the other language's notebook the records are moved by grade_id, and those of cells without
    one (plain code, whose text may differ anyway) are left out rather than put under the wrong
    cell.
    """
    records = outputs.clean_cells(submission.outputs)
    exercise = submission.exercise
    page = exercise.notebook_language(language)
    if page == exercise.notebook_language(submission.language):
        return records
    where = {
        gid: index
        for index, cell in enumerate(exercise.released_notebook_for(page).get("cells") or [])
        if isinstance(cell, dict) and (gid := fmt.grade_id(cell))
    }
    return [
        record | {"index": where[record["grade_id"]]}
        for record in records
        if record.get("grade_id") in where
    ]


def _late(submission: Submission) -> dict | None:
    """A late submission's note ("— late 2 days: 2.5 counts"), by the deadlines' own rule and
    words; None for checks, runs not finished and work on time."""
    if submission.is_check or not submission.is_final:
        return None
    return late_note(learner=submission.learner, exercise=submission.exercise, work=submission)


def run_payload(submission: Submission, language: str | None = None) -> dict:
    """The run as the page in `language` (default: the active one) shows it."""
    final = submission.is_final
    return {
        "id": submission.pk,
        "purpose": submission.purpose,
        "attempt": submission.attempt,
        "status": submission.status,
        "status_label": str(Status(submission.status).label),
        "status_text": status_text(submission),
        "final": final,
        "score": submission.score if not submission.is_check else None,
        "max_score": submission.max_score if not submission.is_check else None,
        "score_text": number(submission.score) if not submission.is_check else "",
        "max_score_text": number(submission.max_score) if not submission.is_check else "",
        "late": _late(submission),
        "error": _translated(submission.error) if final else "",
        "tests": [_test(test) for test in submission.tests if isinstance(test, dict)]
        if final
        else [],
        "outputs": _outputs_for_page(submission, language) if final else [],
    }
