"""What the learner pages share: finding a course the user may open, and its page style."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from courses import selectors
from courses.models import AgeBand, Course, Lesson

# Pages for the young get large type and big targets (site.css).
BAND_CLASSES = {AgeBand.AGES_6_8.value: "band-6-8", AgeBand.AGES_9_11.value: "band-9-11"}


def band_class(age_band: str | None) -> str:
    return BAND_CLASSES.get(age_band or "", "")


def course_for(user, slug: str) -> Course:
    """The course, if offered to `user`; a 404 otherwise, so hidden courses stay unknown."""
    return get_object_or_404(selectors.courses_visible_to(user), slug=slug)


def lesson_for(course: Course, lesson_id: int) -> Lesson:
    return get_object_or_404(
        Lesson.objects.select_related("unit"), pk=lesson_id, unit__course=course
    )


def lesson_exercises(user, lesson: Lesson):
    """The lesson's exercises the user may see, in order, without the (large) notebooks."""
    return (
        selectors.exercises_visible_to(user)
        .filter(lesson=lesson)
        .defer("source_notebook", "released_notebook", "source_notebook_zh", "released_notebook_zh")
        .order_by("position", "id")
    )
