"""Reads for curricula, always scoped to what the asking user may see.

A learner sees a published course when it is public or assigned to one of their classes; a
teacher sees every published course (to choose what to assign) and their own drafts; an admin sees
everything. Exercises follow their course, so the API, the pages and the graders agree.
"""

from django.db.models import Q, QuerySet

from courses.models import Course, Exercise, QuizAttempt
from teaching.limits import attempt_limit


def _offered_to(user, prefix: str = "") -> Q:
    """Published courses `user` may open: public ones, and those assigned to their classes."""
    offered = Q(**{f"{prefix}is_public": True})
    if getattr(user, "is_authenticated", False):
        offered |= Q(**{f"{prefix}classrooms__learners": user})
    # Drafts are never offered, even when published content is copied from them.
    return Q(**{f"{prefix}is_published": True, f"{prefix}draft_of": None}) & offered


def courses_visible_to(user) -> QuerySet[Course]:
    """Live courses only: drafts (Course.draft_of) are reached through the authoring pages."""
    courses = Course.objects.filter(draft_of__isnull=True)
    if getattr(user, "is_platform_admin", False):
        return courses
    if getattr(user, "is_teacher", False):
        return courses.filter(Q(is_published=True) | Q(owner=user))
    # distinct(): a learner in two classes that share a course would see it twice.
    return courses.filter(_offered_to(user)).distinct()


def exercises_visible_to(user) -> QuerySet[Exercise]:
    """Admins: all. Teachers: published exercises outside courses or in published courses, and
    their own. Learners: published exercises outside courses or in a course offered to them."""
    exercises = Exercise.objects.select_related("lesson__unit__course")
    if getattr(user, "is_platform_admin", False):
        return exercises
    if getattr(user, "is_teacher", False):
        published = Q(is_published=True) & (
            Q(lesson__isnull=True)
            | Q(lesson__unit__course__is_published=True, lesson__unit__course__draft_of=None)
        )
        return exercises.filter(published | Q(owner=user))
    # A subquery rather than a join: joining classes would repeat an exercise per shared class.
    in_offered_course = Exercise.objects.filter(_offered_to(user, "lesson__unit__course__"))
    return exercises.filter(
        Q(lesson__isnull=True) | Q(pk__in=in_offered_course.values("pk")), is_published=True
    )


def quiz_attempts_of(*, learner, exercise: Exercise) -> QuerySet[QuizAttempt]:
    """A learner's own attempts at one exercise, newest first."""
    return QuizAttempt.objects.filter(learner=learner, exercise=exercise).order_by("-attempt")


def attempts_left(*, exercise: Exercise, used: int, learner=None) -> int | None:
    """How many answers a learner who has used `used` may still send; None means no limit.
    With `learner`, their classes' own limits count (teaching.limits, as the services enforce)."""
    limit = exercise.max_attempts
    if learner is not None:
        limit = attempt_limit(learner=learner, exercise=exercise)
    if limit is None:
        return None
    return max(0, limit - used)
