"""How many attempts a learner has at an exercise: the one rule both the quiz and the notebook
paths enforce (courses.services.quiz_answer_submit, graders.services.submission_create).

A class may set its own limit for an exercise of its courses (ClassroomExercise.max_attempts);
otherwise the exercise's own limit applies. A learner in several classes that have the
exercise gets the most generous of their classes' limits, so no class takes away what another
gives.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, OuterRef, Subquery

from courses.models import Exercise
from teaching.models import ClassroomExercise


def _most_generous(limits: list[int | None]) -> int | None:
    return None if any(limit is None for limit in limits) else max(limits)


def attempt_limits(*, learner, exercises: Iterable[Exercise]) -> dict[int, int | None]:
    """Each exercise's attempt limit for `learner`, keyed by exercise id (None: unlimited).

    One query whatever the number of exercises: each exercise with every class of the learner
    that has its course, and that class's override.
    """
    exercises = list(exercises)
    result = {exercise.pk: exercise.max_attempts for exercise in exercises}
    if not exercises or not getattr(learner, "is_authenticated", False):
        return result
    override = ClassroomExercise.objects.filter(
        classroom_id=OuterRef("classroom_id"), exercise_id=OuterRef("pk")
    ).values("max_attempts")[:1]
    rows = (
        Exercise.objects.filter(
            pk__in=list(result), lesson__unit__course__classrooms__learners=learner
        )
        # The join the filter made: one row per (exercise, class of the learner with its course).
        .annotate(classroom_id=F("lesson__unit__course__classrooms"), override=Subquery(override))
        .values_list("pk", "override")
    )
    limits: dict[int, list[int | None]] = {}
    for exercise_id, limit in rows:
        limits.setdefault(exercise_id, []).append(limit)
    for exercise in exercises:
        if exercise.pk in limits:
            result[exercise.pk] = _most_generous(
                [limit or exercise.max_attempts for limit in limits[exercise.pk]]
            )
    return result


def attempt_limit(*, learner, exercise: Exercise) -> int | None:
    """The number of attempts `learner` has at `exercise`; None: no limit."""
    return attempt_limits(learner=learner, exercises=[exercise])[exercise.pk]
