"""Reads for curricula, always scoped to what the asking user may see."""

from django.db.models import Q, QuerySet

from courses.models import Exercise, QuizAttempt


def exercises_visible_to(user) -> QuerySet[Exercise]:
    """Admins: all. Others: published exercises outside courses or in published courses;
    teachers also their own, published or not."""
    exercises = Exercise.objects.select_related("lesson__unit__course")
    if getattr(user, "is_platform_admin", False):
        return exercises
    published = Q(is_published=True) & (
        Q(lesson__isnull=True) | Q(lesson__unit__course__is_published=True)
    )
    if getattr(user, "is_teacher", False):
        return exercises.filter(published | Q(owner=user))
    return exercises.filter(published)


def quiz_attempts_of(*, learner, exercise: Exercise) -> QuerySet[QuizAttempt]:
    """A learner's own attempts at one exercise, newest first."""
    return QuizAttempt.objects.filter(learner=learner, exercise=exercise).order_by("-attempt")


def attempts_left(*, exercise: Exercise, used: int) -> int | None:
    """How many answers a learner who has used `used` may still send; None means no limit."""
    if exercise.max_attempts is None:
        return None
    return max(0, exercise.max_attempts - used)
