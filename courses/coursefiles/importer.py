"""Importing a course folder into the database, all of it or nothing.

Everything is created through the services (courses.services, courses.asset_services), inside
one transaction: a problem anywhere leaves the database as it was.

Replacing an existing course keeps its row (its id, owner unless another is given, and the
classes it is assigned to) and rebuilds everything inside it. When learners' work hangs on its
exercises (quiz attempts, notebook submissions, deadlines, anything that refers to an
exercise), or the course has a draft already, the folder goes into the course's draft instead
(courses.publishing.course_draft_for): learners keep seeing the published course, and their
work stays attached, until the draft is validated and published (`course_validate_and_publish`,
or the authoring pages). Publishing matches lessons by slug and exercises by key, which come
from the folder's file names, so an exercise whose file kept its name keeps its learners' work.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from courses import asset_services, services
from courses.coursefiles.reader import CourseFolder, ExerciseFile
from courses.models import Course, CourseAsset, CourseVersion, Exercise, Lesson, Unit
from courses.publishing import (
    PublishRefused,
    course_draft_for,
    course_publish,
    validation_run_request,
)
from courses.publishing.runs import run_problems, validation_run_in_process
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
def course_import(*, folder: CourseFolder, owner=None, replace: bool = False, user=None) -> Course:
    """Store the course read from a folder (courses.coursefiles.reader.read_course, or
    courses.coursefiles.nbgrader_dir.read_nbgrader_course) and return the row written: the new
    course, the replaced one, or the draft of a course learners have work in (`.draft_of` set).

    `owner` owns a new course and its exercises; when replacing in place, None keeps the current
    owner; a draft keeps its course's owner. `user` makes the draft (its owner or an admin;
    default: the owner). Raises CourseImportError, storing nothing, when the slug is taken and
    `replace` is false, when learners have work in a course that was never published (it has no
    draft to take the folder), or when a service refuses something.
    """
    existing = (
        Course.objects.select_for_update().filter(slug=folder.slug, draft_of__isnull=True).first()
    )
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
        elif learner_work_on(existing) or Course.objects.filter(draft_of=existing).exists():
            course = _draft_clear_and_update(existing, folder, user or owner or existing.owner)
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


def course_validate_and_publish(*, course: Course, user, note: str = "") -> CourseVersion:
    """Validate `course` (its draft, if it has one) here, sandbox checks included, and publish
    it: the command line's way, without workers (graders.sandbox must work on this machine for
    notebook exercises). Raises PublishRefused with every problem found, publishing nothing;
    PermissionDenied unless `user` owns the course or is an admin."""
    live = course.draft_of if course.draft_of_id else course
    run = validation_run_request(course=live, user=user, enqueue=False)
    run = validation_run_in_process(run_id=run.pk)
    problems = run_problems(run)
    if problems:
        raise PublishRefused(problems)
    return course_publish(course=live, user=user, note=note)


def _draft_clear_and_update(live: Course, folder: CourseFolder, user) -> Course:
    try:
        draft = course_draft_for(course=live, user=user)
    except PermissionDenied:
        raise CourseImportError(
            [
                _("Only the owner of “%(slug)s” or an administrator may change it.")
                % {"slug": live.slug}
            ]
        ) from None
    if draft.pk == live.pk:  # never published: no draft to take the folder
        work = learner_work_on(live)
        raise CourseImportError(
            [
                _(
                    "The course “%(slug)s” cannot be replaced: learners have %(work)s in it, "
                    "which replacing would delete."
                )
                % {"slug": live.slug, "work": ", ".join(work)}
            ]
        )
    # The draft's rows are the teacher's own (previews at most): rebuilt from the folder.
    _clear(draft)
    draft.is_public = folder.public
    _update(draft, folder)
    draft.full_clean(validate_constraints=False)  # shares its course's slug, by design
    draft.save()
    return draft


def _course_clear_and_update(course: Course, folder: CourseFolder, owner) -> Course:
    work = learner_work_on(course)
    if work:  # the callers check first; this guards the deletes below
        raise CourseImportError(
            [
                _(
                    "The course “%(slug)s” cannot be replaced: learners have %(work)s in it, "
                    "which replacing would delete."
                )
                % {"slug": course.slug, "work": ", ".join(work)}
            ]
        )
    _clear(course)
    _update(course, folder)
    course.is_public = folder.public
    course.is_published = folder.published
    if owner is not None:
        course.owner = owner
    course.full_clean()
    course.save()
    return course


def _clear(course: Course) -> None:
    # Exercises first: Exercise.lesson is PROTECT, so lessons cannot take them along.
    Exercise.objects.filter(lesson__unit__course=course).delete()
    Unit.objects.filter(course=course).delete()
    CourseAsset.objects.filter(course=course).delete()


def _update(course: Course, folder: CourseFolder) -> None:
    for name in ("title_en", "title_zh", "summary_en", "summary_zh", "age_band", "big_ideas"):
        setattr(course, name, getattr(folder, name))


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
            # The file stem: what an export writes back and publishing matches lessons by.
            lesson.slug = lesson_file.slug
            lesson.save(update_fields=["slug"])
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
        # The file stem: what an export writes back and publishing matches exercises by.
        "key": exercise_file.stem,
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
