"""Importing a course folder into the database, all of it or nothing.

Everything is created through the services (courses.services, courses.asset_services), inside
one transaction: a problem anywhere leaves the database as it was.

Replacing an existing course keeps its row (its id, owner unless another is given, and the
classes it is assigned to) and rebuilds everything inside it. It is refused while learners'
work hangs on its exercises (quiz attempts, notebook submissions, or anything else that refers
to an exercise): deleting the exercises would delete that work with them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from courses import asset_services, services
from courses.coursefiles.reader import CourseFolder, ExerciseFile
from courses.models import Course, CourseAsset, Exercise, Lesson, Unit
from graders import notebook


class CourseImportError(Exception):
    """An import that was refused or failed; nothing was stored. `problems` says why."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            f"{name}: {message}"
            for name, errors in error.message_dict.items()
            for message in errors
        ]
    return list(error.messages)


def learner_work_on(course: Course) -> list[str]:
    """What learners have done in `course` that a replacement would delete (names of kinds)."""
    exercises = Exercise.objects.filter(lesson__unit__course=course)
    found = []
    for relation in Exercise._meta.related_objects:
        related = relation.related_model
        if related.objects.filter(**{f"{relation.field.name}__in": exercises}).exists():
            found.append(str(related._meta.verbose_name_plural))
    return sorted(found)


@transaction.atomic
def course_import(*, folder: CourseFolder, owner=None, replace: bool = False) -> Course:
    """Create the course read from a folder (courses.coursefiles.reader.read_course).

    `owner` owns the course and its exercises; when replacing, None keeps the current owner.
    Raises CourseImportError, storing nothing, when the slug is taken and `replace` is false,
    when a replaced course has learners' work, or when a service refuses something.
    """
    existing = Course.objects.select_for_update().filter(slug=folder.slug).first()
    if existing is not None and not replace:
        raise CourseImportError(
            [
                _("A course with the slug “%(slug)s” exists already; replace it to import again.")
                % {"slug": folder.slug}
            ]
        )
    if existing is None and owner is None:
        raise CourseImportError([_("A new course needs an owner.")])
    try:
        if existing is None:
            course = services.course_create(
                owner=owner,
                slug=folder.slug,
                title_en=folder.title_en,
                title_zh=folder.title_zh,
                age_band=folder.age_band,
                summary_en=folder.summary_en,
                summary_zh=folder.summary_zh,
                big_ideas=folder.big_ideas,
                is_public=folder.public,
                is_published=folder.published,
            )
        else:
            course = _course_clear_and_update(existing, folder, owner)
        _fill(course, folder)
    except ValidationError as error:
        raise CourseImportError(_messages(error)) from None
    except services.QuizSpecInvalid as error:
        raise CourseImportError(error.problems) from None
    except asset_services.AssetInvalid as error:
        raise CourseImportError(error.problems) from None
    except notebook.NotebookError as error:
        raise CourseImportError([str(error)]) from None
    return course


def _course_clear_and_update(course: Course, folder: CourseFolder, owner) -> Course:
    work = learner_work_on(course)
    if work:
        raise CourseImportError(
            [
                _(
                    "The course “%(slug)s” cannot be replaced: learners have %(work)s in it, "
                    "which replacing would delete."
                )
                % {"slug": course.slug, "work": ", ".join(work)}
            ]
        )
    # Exercises first: Exercise.lesson is PROTECT, so lessons cannot take them along.
    Exercise.objects.filter(lesson__unit__course=course).delete()
    Unit.objects.filter(course=course).delete()
    CourseAsset.objects.filter(course=course).delete()
    for name, value in {
        "title_en": folder.title_en,
        "title_zh": folder.title_zh,
        "summary_en": folder.summary_en,
        "summary_zh": folder.summary_zh,
        "age_band": folder.age_band,
        "big_ideas": folder.big_ideas,
        "is_public": folder.public,
        "is_published": folder.published,
    }.items():
        setattr(course, name, value)
    if owner is not None:
        course.owner = owner
    course.full_clean()
    course.save()
    return course


def _fill(course: Course, folder: CourseFolder) -> None:
    for asset in folder.assets:
        asset_services.course_asset_create(course=course, name=asset.name, content=asset.content)
    for unit_file in folder.units:
        unit = services.unit_create(
            course=course, title_en=unit_file.title_en, title_zh=unit_file.title_zh
        )
        for lesson_file in unit_file.lessons:
            lesson = services.lesson_create(
                unit=unit,
                title_en=lesson_file.title_en,
                title_zh=lesson_file.title_zh,
                body_en=lesson_file.body_en,
                body_zh=lesson_file.body_zh,
            )
            for exercise_file in lesson_file.exercises:
                _exercise_create(course.owner, lesson, exercise_file)


def _exercise_create(owner, lesson: Lesson, exercise_file: ExerciseFile) -> Exercise:
    position = (lesson.exercises.aggregate(last=Max("position"))["last"] or 0) + 1
    texts = {
        "title_zh": exercise_file.title_zh,
        "prompt_en": exercise_file.prompt_en,
        "prompt_zh": exercise_file.prompt_zh,
        "explanation_en": exercise_file.explanation_en,
        "explanation_zh": exercise_file.explanation_zh,
        "max_attempts": exercise_file.max_attempts,
    }
    if not exercise_file.is_notebook:
        return services.exercise_create_quiz(
            owner=owner,
            kind=exercise_file.kind,
            title=exercise_file.title,
            spec=exercise_file.spec,
            lesson=lesson,
            position=position,
            is_published=exercise_file.published,
            **texts,
        )
    # exercise_create_notebook predates lessons: it makes a stand-alone exercise, which is then
    # placed in the lesson. The Chinese twin, when there is one, is checked and released too.
    exercise = services.exercise_create_notebook(
        owner=owner,
        title=exercise_file.title,
        source=exercise_file.notebook,
        source_zh=exercise_file.notebook_zh,
        limits=exercise_file.limits,
        is_published=exercise_file.published,
    )
    for name, value in texts.items():
        setattr(exercise, name, value)
    exercise.lesson = lesson
    exercise.position = position
    exercise.save(update_fields=[*texts, "lesson", "position", "updated_at"])
    return exercise
