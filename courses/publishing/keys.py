"""Lesson slugs and exercise keys: how publishing matches a draft's content to the live course.

Both are unique within a course (not only within a unit or lesson: lessons move between units and
exercises between lessons, and a course folder keeps them in one lessons/ and one exercises/
directory). Content made before these fields existed, or by services that do not set them, gets
them from its titles here; an existing key is never changed, since it is what keeps learners'
work attached to an exercise across versions.
"""

from __future__ import annotations

from django.utils.text import slugify

from courses.models import Course, Exercise, Lesson

LESSON_SLUG_LENGTH = Lesson._meta.get_field("slug").max_length
EXERCISE_KEY_LENGTH = Exercise._meta.get_field("key").max_length


def key_from(title: str, *, fallback: str, taken: set[str], max_length: int) -> str:
    """A slug of `title` (or `fallback` when the title has no Latin letters or digits, as in a
    Chinese-only title) that is not in `taken`: "-2", "-3" … is added until it is free."""
    base = (slugify(title or "")[:max_length].strip("-_") or fallback)[:max_length]
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        suffix = f"-{number}"
        candidate = base[: max_length - len(suffix)] + suffix
    return candidate


def lessons_of(course: Course):
    return Lesson.objects.filter(unit__course=course).order_by("unit__position", "position", "pk")


def exercises_of(course: Course):
    return Exercise.objects.filter(lesson__unit__course=course).order_by(
        "lesson__unit__position", "lesson__position", "position", "pk"
    )


def course_keys_ensure(*, course: Course) -> None:
    """Give every lesson of `course` a slug and every exercise a key, unique in the course.

    Empty ones are generated from titles; a repeated one (two units each with a lesson "intro")
    keeps its first holder and the later ones get a suffix. Existing unique values never change.
    """
    taken: set[str] = set()
    for lesson in lessons_of(course):
        if lesson.slug and lesson.slug not in taken:
            taken.add(lesson.slug)
            continue
        lesson.slug = key_from(
            lesson.slug or lesson.title_en,
            fallback=f"lesson-{lesson.pk}",
            taken=taken,
            max_length=LESSON_SLUG_LENGTH,
        )
        taken.add(lesson.slug)
        lesson.save(update_fields=["slug"])
    taken = set()
    for exercise in exercises_of(course):
        if exercise.key and exercise.key not in taken:
            taken.add(exercise.key)
            continue
        exercise.key = key_from(
            exercise.key or exercise.title,
            fallback=f"exercise-{exercise.pk}",
            taken=taken,
            max_length=EXERCISE_KEY_LENGTH,
        )
        taken.add(exercise.key)
        exercise.save(update_fields=["key"])
