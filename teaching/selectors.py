"""Reads for teaching, scoped to who is asking.

A teacher teaches their own classes and an admin every class (accounts.selectors decides);
anything outside them is a 404, so ids reveal nothing. Within a class, only its learners and the
published exercises of its courses are reachable.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Classroom
from accounts.selectors import can_manage_classes, classroom_managed_by  # noqa: F401
from courses.models import Course, Exercise
from graders.models import Submission
from teaching.models import RegradeBatch

# Course order: what learners see, unit by unit, lesson by lesson.
EXERCISE_ORDER = (
    "lesson__unit__course__title_en",
    "lesson__unit__course_id",
    "lesson__unit__position",
    "lesson__position",
    "position",
    "id",
)


def class_courses(classroom: Classroom) -> QuerySet[Course]:
    """The live courses assigned to the class (never a draft)."""
    return classroom.courses.filter(draft_of__isnull=True).order_by("title_en", "id")


def class_exercises(classroom: Classroom) -> QuerySet[Exercise]:
    """Published exercises of the class's courses, in course order, without the notebooks."""
    return (
        Exercise.objects.filter(
            lesson__unit__course__in=class_courses(classroom).values("pk"), is_published=True
        )
        .select_related("lesson__unit__course")
        .defer(
            "source_notebook",
            "released_notebook",
            "source_notebook_zh",
            "released_notebook_zh",
            "spec",
        )
        .order_by(*EXERCISE_ORDER)
    )


def class_exercise(classroom: Classroom, exercise_id: int) -> Exercise:
    """One exercise of the class's courses; Http404 for any other."""
    return get_object_or_404(class_exercises(classroom), pk=exercise_id)


def class_submission(classroom: Classroom, submission_id: int) -> Submission:
    """A counted submission of one of the class's learners to one of its exercises; Http404
    otherwise (checks, other learners, other courses)."""
    submissions = (
        Submission.objects.counted()
        .select_related("exercise__lesson__unit__course", "learner")
        .filter(
            learner__in=classroom.learners.values("pk"),
            exercise__in=class_exercises(classroom).values("pk"),
        )
    )
    return get_object_or_404(submissions, pk=submission_id)


def can_regrade_everywhere(user, exercise: Exercise) -> bool:
    """Regrading every learner's work (not just a class's) is for the exercise's author, the
    course's owner, or an admin: it changes other teachers' classes' results too."""
    if getattr(user, "is_platform_admin", False):
        return True
    if not getattr(user, "is_teacher", False):
        return False
    if exercise.owner_id == user.pk:
        return True
    course = exercise.lesson.unit.course if exercise.lesson_id else None
    return course is not None and course.owner_id == user.pk


def regrade_batches_visible_to(user) -> QuerySet[RegradeBatch]:
    batches = RegradeBatch.objects.select_related(
        "exercise__lesson__unit__course", "classroom", "requested_by"
    ).defer(
        "exercise__source_notebook",
        "exercise__released_notebook",
        "exercise__source_notebook_zh",
        "exercise__released_notebook_zh",
    )
    if getattr(user, "is_platform_admin", False):
        return batches
    if not getattr(user, "is_teacher", False):
        return batches.none()
    return batches.filter(
        Q(classroom__teacher=user)
        | Q(classroom__isnull=True, requested_by=user)
        | Q(classroom__isnull=True, exercise__owner=user)
        | Q(classroom__isnull=True, exercise__lesson__unit__course__owner=user)
    ).distinct()


def regrade_batch_for(user, pk: int) -> RegradeBatch:
    return get_object_or_404(regrade_batches_visible_to(user), pk=pk)
