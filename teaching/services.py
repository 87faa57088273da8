"""Writes for classes' teaching rules and teachers' marks: keyword-only, validated first, one
transaction each. Invalid requests raise ValidationError with a message fit for the teacher and
change nothing. Callers check who may do it (teaching/selectors.py); these check what.

Regrades are in teaching/regrades.py.
"""

from __future__ import annotations

import math
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Classroom, User
from courses.models import Exercise
from graders.models import Submission
from teaching.marking import MarkValue, marked_score
from teaching.models import ClassroomExercise, Extension, LatePolicy, Mark, MarkChange
from teaching.models.marks import WHOLE
from teaching.selectors import class_exercises

MAX_COMMENT_LENGTH = 5000


def _require_class_exercise(classroom: Classroom, exercise: Exercise) -> None:
    if not class_exercises(classroom).filter(pk=exercise.pk).exists():
        raise ValidationError(_("This exercise is not in any of the class's courses."))


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


# --- deadlines, late policy, attempts ------------------------------------------------------------


@transaction.atomic
def classroom_exercise_save(
    *,
    classroom: Classroom,
    exercise: Exercise,
    due_at: datetime | None,
    late_policy: str = LatePolicy.NONE,
    late_percent: int = 10,
    max_attempts: int | None = None,
) -> ClassroomExercise:
    """The class's deadline, late policy and attempt limit for one exercise of its courses.

    `max_attempts` None: the exercise's own limit. `late_percent` (1 to 100) is taken off per
    started day late, of the maximum score, under LatePolicy.PERCENT_PER_DAY.
    """
    _require_class_exercise(classroom, exercise)
    errors = []
    if late_policy not in LatePolicy.values:
        errors.append(_("Choose what happens to late work."))
    lowest = 1 if late_policy == LatePolicy.PERCENT_PER_DAY else 0
    if not isinstance(late_percent, int) or not lowest <= late_percent <= 100:
        errors.append(_("The percentage off per day must be a whole number from 1 to 100."))
    if max_attempts is not None and (not isinstance(max_attempts, int) or max_attempts < 1):
        errors.append(_("Allow at least 1 attempt, or leave it empty for the exercise's limit."))
    if due_at is None and late_policy != LatePolicy.NONE:
        errors.append(_("A late policy needs a due date."))
    if errors:
        raise ValidationError(errors)
    settings, _created = ClassroomExercise.objects.update_or_create(
        classroom=classroom,
        exercise=exercise,
        defaults={
            "due_at": _aware(due_at),
            "late_policy": late_policy,
            "late_percent": late_percent,
            "max_attempts": max_attempts,
        },
    )
    return settings


@transaction.atomic
def extension_grant(
    *, classroom: Classroom, exercise: Exercise, learner: User, due_at: datetime, granted_by: User
) -> Extension:
    """A new due date for one learner of the class (replacing an earlier extension)."""
    _require_class_exercise(classroom, exercise)
    if not classroom.learners.filter(pk=learner.pk).exists():
        raise ValidationError(_("This learner is not in the class."))
    if due_at is None:
        raise ValidationError(_("Give the new due date."))
    extension, _created = Extension.objects.update_or_create(
        classroom=classroom,
        exercise=exercise,
        learner=learner,
        defaults={"due_at": _aware(due_at), "granted_by": granted_by},
    )
    return extension


@transaction.atomic
def extension_remove(*, classroom: Classroom, exercise: Exercise, learner: User) -> bool:
    """The learner's extension ends: the class's due date applies again. False if none."""
    deleted, _detail = Extension.objects.filter(
        classroom=classroom, exercise=exercise, learner=learner
    ).delete()
    return bool(deleted)


# --- marks ---------------------------------------------------------------------------------------


def _cell_points(submission: Submission) -> dict[str, tuple[float, float]]:
    """{grade_id: (points, max_points)} of the submission's graded cells, as stored."""
    cells = {}
    for test in submission.tests or []:
        if isinstance(test, dict) and test.get("grade_id"):
            cells[str(test["grade_id"])] = (
                float(test.get("points") or 0),
                float(test.get("max_points") or 0),
            )
    return cells


def _current(submission: Submission, grade_id: str, marks: list[Mark]) -> float | None:
    """What counts now for the cell (or the whole, for WHOLE), before the change."""
    previous = next((mark for mark in marks if mark.grade_id == grade_id), None)
    if previous is not None:
        return previous.score
    if grade_id == WHOLE:
        return marked_score(
            score=submission.score,
            max_score=submission.max_score,
            tests=submission.tests or [],
            marks=[MarkValue(mark.grade_id, mark.score) for mark in marks],
        )
    return _cell_points(submission).get(grade_id, (None, None))[0]


def _locked_submission(submission: Submission) -> Submission:
    locked = (
        Submission.objects.select_for_update()
        .defer("content")
        .filter(pk=submission.pk, purpose=Submission.Purpose.SUBMIT)
        .first()
    )
    if locked is None:
        raise ValidationError(_("Only submissions can be marked, not checks."))
    if locked.status not in Submission.FINAL:
        raise ValidationError(_("This submission is being graded. Mark it once its result is in."))
    return locked


def _clean_score(score: object, maximum: float) -> float:
    if isinstance(score, bool) or not isinstance(score, int | float) or not math.isfinite(score):
        raise ValidationError(_("The score must be a number."))
    if not 0 <= score <= maximum:
        raise ValidationError(
            _("The score must be between 0 and %(max)s.") % {"max": f"{maximum:g}"}
        )
    return round(float(score), 4)


@transaction.atomic
def mark_set(
    *, submission: Submission, grade_id: str, score: float, comment: str, marked_by: User
) -> Mark:
    """Give a score (and a comment) to one graded cell of a submission (`grade_id`), or to the
    whole submission (grade_id ""), replacing any earlier mark; the change is recorded in a
    MarkChange. The submission's stored result is not touched."""
    locked = _locked_submission(submission)
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise ValidationError(
            _("A comment can be at most %(limit)d characters long.") % {"limit": MAX_COMMENT_LENGTH}
        )
    if grade_id == WHOLE:
        maximum = float(locked.max_score or locked.exercise.max_score or 0)
    else:
        cells = _cell_points(locked)
        if grade_id not in cells:
            raise ValidationError(
                _("This submission has no graded cell called %(name)s.") % {"name": grade_id[:60]}
            )
        maximum = cells[grade_id][1]
    score = _clean_score(score, maximum)
    marks = list(Mark.objects.filter(submission=locked))
    old = _current(locked, grade_id, marks)
    mark, _created = Mark.objects.update_or_create(
        submission=locked,
        grade_id=grade_id,
        defaults={
            "score": score,
            "comment": comment,
            "marked_by": marked_by,
            "marked_at": timezone.now(),
        },
    )
    MarkChange.objects.create(
        submission=locked,
        grade_id=grade_id,
        old_score=old,
        new_score=score,
        comment=comment,
        changed_by=marked_by,
    )
    return mark


@transaction.atomic
def mark_clear(*, submission: Submission, grade_id: str, cleared_by: User) -> bool:
    """Remove a mark: the automatic score counts again (recorded too). False if none."""
    locked = _locked_submission(submission)
    marks = list(Mark.objects.filter(submission=locked))
    mark = next((mark for mark in marks if mark.grade_id == grade_id), None)
    if mark is None:
        return False
    mark.delete()
    remaining = [item for item in marks if item.pk != mark.pk]
    MarkChange.objects.create(
        submission=locked,
        grade_id=grade_id,
        old_score=mark.score,
        new_score=_current(locked, grade_id, remaining) or 0.0,
        removed=True,
        changed_by=cleared_by,
    )
    return True
