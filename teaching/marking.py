"""A notebook submission's score with the teacher's marks applied (pure functions).

A mark of one cell replaces the points grading gave that cell (0 for nbgrader's manually
graded answers); a mark of the whole submission replaces its score outright. Marks stay on top
of whatever grading stores later, so a regrade changes the automatic part only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from graders.grading import REVIEW_MESSAGE
from teaching.models.marks import WHOLE


@dataclass(frozen=True)
class MarkValue:
    """What applying a mark needs; teaching.models.Mark has these fields too."""

    grade_id: str
    score: float


def manual_cells(tests: Iterable[Mapping]) -> list[str]:
    """grade_ids of the answers that wait for a person (nbgrader's manually graded cells that
    the learner answered)."""
    return [
        str(test.get("grade_id"))
        for test in tests
        if isinstance(test, Mapping) and test.get("message") == REVIEW_MESSAGE
    ]


def _cell_reason(grade_id: str) -> str:
    # The review reason graders.grading writes for a manually graded cell.
    return f"'{grade_id}' is marked by a teacher."


def marked_score(
    *,
    score: float | None,
    max_score: float | None,
    tests: Iterable[Mapping],
    marks: Iterable[MarkValue],
) -> float | None:
    """The submission's score with `marks` applied, within 0 … max_score."""
    marks = list(marks)
    whole = next((mark for mark in marks if mark.grade_id == WHOLE), None)
    if whole is not None:
        return whole.score
    if not marks:
        return score
    points = {
        str(test.get("grade_id")): float(test.get("points") or 0)
        for test in tests
        if isinstance(test, Mapping)
    }
    total = float(score or 0)
    for mark in marks:
        total += mark.score - points.get(mark.grade_id, 0.0)
    total = max(0.0, total)
    if max_score is not None:
        total = min(total, float(max_score))
    return round(total, 4)


def review_pending(
    *, status: str, tests: Iterable[Mapping], review_reasons: Iterable[str], marks: Iterable
) -> bool:
    """Whether a needs-review submission still waits for the teacher.

    Marking every answered manual cell settles a review that only they caused; any other reason
    (signs that the grading checks were tampered with) needs a mark of the whole submission.
    """
    if status != "needs_review":
        return False
    marked = {mark.grade_id for mark in marks}
    if WHOLE in marked:
        return False
    cells = manual_cells(tests)
    if any(grade_id not in marked for grade_id in cells):
        return True
    cell_reasons = {_cell_reason(grade_id) for grade_id in cells}
    return any(reason not in cell_reasons for reason in review_reasons)
