"""Writes for authoring in the browser: update, reorder and delete what courses.services creates.

Keyword-only, validated, one transaction each. Problems with what a teacher typed are raised as
django.core.exceptions.ValidationError keyed by field name (forms show them next to the field);
a change that cannot be made at all (deleting a unit that still has lessons, a lesson whose
exercises hold learners' work) raises AuthoringRefused with a sentence saying why.

Positions stay 1, 2, 3 … in every unit list, lesson list and exercise list: learners see unit
numbers, and publishing matches draft units to live ones by position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

import nbformat
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError, QuerySet, RestrictedError
from django.utils.text import slugify
from django.utils.translation import gettext as _

from courses import asset_services, quiz, services
from courses.models import Course, CourseAsset, Exercise, Lesson, Unit
from courses.publishing.keys import EXERCISE_KEY_LENGTH, LESSON_SLUG_LENGTH, key_from
from graders import grading, notebook

UP, DOWN = "up", "down"
COURSE_FIELDS = (
    "title_en",
    "title_zh",
    "summary_en",
    "summary_zh",
    "age_band",
    "big_ideas",
    "is_public",
)
EXERCISE_TEXT_FIELDS = (
    "title_zh",
    "prompt_en",
    "prompt_zh",
    "explanation_en",
    "explanation_zh",
    "max_attempts",
)


class AuthoringRefused(Exception):
    """A change that cannot be made; the message says why, in words a teacher can act on."""


@dataclass(frozen=True)
class NewAsset:
    """A file uploaded with a form, stored as a course asset under `name` (or a free variant)."""

    name: str
    content: bytes


# --- positions ----------------------------------------------------------------------------------


def _renumber(queryset: QuerySet) -> None:
    """Positions 1…n in the queryset's order, in two steps so the unique constraint on
    (parent, position) never sees two rows in one place."""
    rows = list(queryset)
    if [row.position for row in rows] == list(range(1, len(rows) + 1)):
        return
    offset = max([row.position for row in rows] + [len(rows)]) + 1
    for index, row in enumerate(rows):
        row.position = offset + index
        row.save(update_fields=["position"])
    for index, row in enumerate(rows, start=1):
        row.position = index
        row.save(update_fields=["position"])


def _swap(queryset: QuerySet, row, direction: str) -> bool:
    """Swap `row` with its neighbour up or down in `queryset` (ordered); False at the ends."""
    rows = list(queryset)
    index = next(i for i, other in enumerate(rows) if other.pk == row.pk)
    other_index = index - 1 if direction == UP else index + 1
    if not 0 <= other_index < len(rows):
        return False
    rows[index], rows[other_index] = rows[other_index], rows[index]
    offset = max(r.position for r in rows) + 1
    for moved in (rows[index], rows[other_index]):
        moved.position = offset
        offset += 1
        moved.save(update_fields=["position"])
    for moved, position in ((rows[index], index + 1), (rows[other_index], other_index + 1)):
        moved.position = position
        moved.save(update_fields=["position"])
    return True


def _check_direction(direction: str) -> None:
    if direction not in (UP, DOWN):
        raise ValidationError({"direction": _("Move up or down.")})


def _units(course: Course) -> QuerySet[Unit]:
    return Unit.objects.filter(course=course).order_by("position", "pk")


def _lessons(unit: Unit) -> QuerySet[Lesson]:
    return Lesson.objects.filter(unit=unit).order_by("position", "pk")


def _exercises(lesson: Lesson) -> QuerySet[Exercise]:
    return Exercise.objects.filter(lesson=lesson).order_by("position", "pk")


# --- courses ------------------------------------------------------------------------------------


def slug_problem(*, slug: str, course: Course | None = None) -> str | None:
    """Why `slug` cannot name a live course (None if it can): live courses have unique slugs."""
    taken = Course.objects.filter(slug=slug, draft_of__isnull=True)
    if course is not None:
        taken = taken.exclude(pk=course.pk)
    if taken.exists():
        return _("Another course already has the slug “%(slug)s”; choose another.") % {"slug": slug}
    return None


@transaction.atomic
def course_create(*, owner, slug: str, **fields) -> Course:
    """A new course, never published (courses.services.course_create with the slug checked
    first, so a taken slug is a message on the slug field, not a constraint error)."""
    problem = slug_problem(slug=slug)
    if problem:
        raise ValidationError({"slug": problem})
    fields = {name: value for name, value in fields.items() if name in COURSE_FIELDS}
    return services.course_create(owner=owner, slug=slug, is_published=False, **fields)


@transaction.atomic
def course_update(*, course: Course, slug: str | None = None, **fields) -> Course:
    """Titles, summaries, age band, big ideas and the public flag of the course being edited.

    The slug may change only while the course was never published and has no draft: learners'
    links and the draft's match to its live course depend on it.
    """
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise TypeError(f"unknown course fields: {sorted(unknown)}")
    if slug is not None and slug != course.slug:
        if course.draft_of_id is not None or course.is_published or _has_draft(course):
            raise ValidationError(
                {"slug": _("The slug of a course that has been published cannot change.")}
            )
        problem = slug_problem(slug=slug, course=course)
        if problem:
            raise ValidationError({"slug": problem})
        course.slug = slug
    for name, value in fields.items():
        setattr(course, name, value)
    course.full_clean()
    course.save()
    return course


def _has_draft(course: Course) -> bool:
    return Course.objects.filter(draft_of=course).exists()


# --- units --------------------------------------------------------------------------------------


@transaction.atomic
def unit_add(*, course: Course, title_en: str, title_zh: str) -> Unit:
    unit = Unit(course=course, position=1, title_en=title_en, title_zh=title_zh)
    unit.full_clean(exclude=["position"])
    return services.unit_create(course=course, title_en=title_en, title_zh=title_zh)


@transaction.atomic
def unit_rename(*, unit: Unit, title_en: str, title_zh: str) -> Unit:
    unit.title_en, unit.title_zh = title_en, title_zh
    unit.full_clean()
    unit.save(update_fields=["title_en", "title_zh"])
    return unit


@transaction.atomic
def unit_move(*, unit: Unit, direction: str) -> bool:
    """Swap a unit with the one before or after it; False (nothing changed) at either end."""
    _check_direction(direction)
    units = _units(unit.course).select_for_update()
    _renumber(units)
    return _swap(_units(unit.course), unit, direction)


@transaction.atomic
def unit_delete(*, unit: Unit) -> None:
    """Only an empty unit: lessons are deleted one by one, each checked for learners' work."""
    if Lesson.objects.filter(unit=unit).exists():
        raise AuthoringRefused(
            _("Unit “%(title)s” still has lessons: move or delete them first.")
            % {"title": unit.title_en}
        )
    course = unit.course
    unit.delete()
    _renumber(_units(course))


# --- lessons ------------------------------------------------------------------------------------


def _course_lessons(course: Course) -> QuerySet[Lesson]:
    return Lesson.objects.filter(unit__course=course)


def _lesson_slug(*, course: Course, slug: str, title: str, lesson: Lesson | None) -> str:
    """The slug asked for (checked: unique in the course), or one made from the title."""
    others = _course_lessons(course)
    if lesson is not None:
        others = others.exclude(pk=lesson.pk)
    taken = set(others.exclude(slug="").values_list("slug", flat=True))
    if not slug:
        fallback = f"lesson-{lesson.pk}" if lesson is not None and lesson.pk else "lesson"
        return key_from(title, fallback=fallback, taken=taken, max_length=LESSON_SLUG_LENGTH)
    if slug in taken:
        raise ValidationError(
            {"slug": _("Another lesson of this course has the slug “%(slug)s”.") % {"slug": slug}}
        )
    return slug


@transaction.atomic
def lesson_add(
    *,
    unit: Unit,
    title_en: str,
    title_zh: str,
    slug: str = "",
    body_en: str = "",
    body_zh: str = "",
) -> Lesson:
    """A lesson at the end of `unit`; a blank slug is made from the English title."""
    slug = _lesson_slug(course=unit.course, slug=slug, title=title_en, lesson=None)
    probe = Lesson(unit=unit, position=1, slug=slug, title_en=title_en, title_zh=title_zh)
    probe.full_clean(exclude=["position", "unit"])
    lesson = services.lesson_create(
        unit=unit, title_en=title_en, title_zh=title_zh, body_en=body_en, body_zh=body_zh
    )
    lesson.slug = slug
    lesson.save(update_fields=["slug"])
    return lesson


@transaction.atomic
def lesson_update(
    *, lesson: Lesson, title_en: str, title_zh: str, slug: str, body_en: str, body_zh: str
) -> Lesson:
    lesson.slug = _lesson_slug(course=lesson.unit.course, slug=slug, title=title_en, lesson=lesson)
    lesson.title_en, lesson.title_zh = title_en, title_zh
    lesson.body_en, lesson.body_zh = body_en, body_zh
    lesson.full_clean()
    lesson.save()
    return lesson


@transaction.atomic
def lesson_move(*, lesson: Lesson, direction: str) -> bool:
    """Up or down within its unit; from the top of a unit up into the end of the unit before,
    from the bottom down into the start of the unit after. False at the course's ends."""
    _check_direction(direction)
    unit = lesson.unit
    _renumber(_lessons(unit).select_for_update())
    lesson.refresh_from_db(fields=["position"])
    if _swap(_lessons(unit), lesson, direction):
        return True
    units = list(_units(unit.course))
    index = next(i for i, other in enumerate(units) if other.pk == unit.pk)
    target_index = index - 1 if direction == UP else index + 1
    if not 0 <= target_index < len(units):
        return False
    target = units[target_index]
    if direction == UP:
        lesson.unit = target
        lesson.position = (_lessons(target).aggregate(last=Max("position"))["last"] or 0) + 1
        lesson.save(update_fields=["unit", "position"])
    else:
        lesson.unit = target
        lesson.position = (_lessons(target).aggregate(last=Max("position"))["last"] or 0) + 1
        lesson.save(update_fields=["unit", "position"])
        # To the front: everything else in the target unit moves one down.
        ordered = [lesson, *_lessons(target).exclude(pk=lesson.pk)]
        _renumber_list(ordered)
    _renumber(_lessons(unit))
    return True


def _renumber_list(rows: list) -> None:
    """Positions 1…n in the order of `rows` (all children of one parent)."""
    offset = max([row.position for row in rows] + [len(rows)]) + 1
    for index, row in enumerate(rows):
        row.position = offset + index
        row.save(update_fields=["position"])
    for index, row in enumerate(rows, start=1):
        row.position = index
        row.save(update_fields=["position"])


def learner_work_on(exercises: QuerySet[Exercise]) -> list[str]:
    """What learners have done on `exercises` (names of kinds: quiz attempts, submissions …)."""
    found = []
    for relation in Exercise._meta.related_objects:
        related = relation.related_model
        if related.objects.filter(**{f"{relation.field.name}__in": exercises}).exists():
            found.append(str(related._meta.verbose_name_plural))
    return sorted(found)


def _delete_exercises(exercises: QuerySet[Exercise], what: str) -> None:
    work = learner_work_on(exercises)
    if work:
        raise AuthoringRefused(
            _("%(what)s cannot be deleted: learners have %(work)s in it.")
            % {"what": what, "work": ", ".join(work)}
        )
    try:
        exercises.delete()
    except (ProtectedError, RestrictedError) as error:
        kinds = sorted({str(obj._meta.verbose_name_plural) for obj in error.protected_objects})
        raise AuthoringRefused(
            _("%(what)s cannot be deleted: %(things)s refer to it.")
            % {"what": what, "things": ", ".join(kinds)}
        ) from None


@transaction.atomic
def lesson_delete(*, lesson: Lesson) -> None:
    """A lesson and its exercises, refused while any of them holds learners' work (Exercise.lesson
    is PROTECT for that reason: deleting must never take submissions or attempts with it)."""
    unit = lesson.unit
    what = _("The lesson “%(title)s”") % {"title": lesson.title_en}
    _delete_exercises(Exercise.objects.filter(lesson=lesson), what)
    lesson.delete()
    _renumber(_lessons(unit))


# --- exercises ----------------------------------------------------------------------------------


def course_of(lesson: Lesson) -> Course:
    return lesson.unit.course


def _exercise_key(*, course: Course, title: str) -> str:
    taken = set(
        Exercise.objects.filter(lesson__unit__course=course)
        .exclude(key="")
        .values_list("key", flat=True)
    )
    return key_from(title, fallback="exercise", taken=taken, max_length=EXERCISE_KEY_LENGTH)


def _next_position(lesson: Lesson) -> int:
    return (_exercises(lesson).aggregate(last=Max("position"))["last"] or 0) + 1


_ASSET_NAME_BAD = re.compile(r"[^A-Za-z0-9_.-]+")


def free_asset_name(*, course: Course, filename: str, reserved: set[str] = frozenset()) -> str:
    """A name for an uploaded file that fits asset names and is not taken in the course (nor in
    `reserved`, names given to other files of the same form): "My Cat.PNG" → "my-cat.png", then
    "my-cat-2.png" … if that exists."""
    path = PurePosixPath(filename.replace("\\", "/")).name
    stem, suffix = PurePosixPath(path).stem, PurePosixPath(path).suffix.lower()
    stem = slugify(stem) or _ASSET_NAME_BAD.sub("-", stem).strip("-._") or "picture"
    stem = stem[:80]
    taken = set(CourseAsset.objects.filter(course=course).values_list("name", flat=True))
    taken |= set(reserved)
    candidate, number = f"{stem}{suffix}", 1
    while candidate in taken:
        number += 1
        candidate = f"{stem}-{number}{suffix}"
    return candidate


def _store_assets(course: Course, assets: list[NewAsset]) -> None:
    problems = []
    for asset in assets:
        try:
            asset_services.course_asset_create(
                course=course, name=asset.name, content=asset.content
            )
        except asset_services.AssetInvalid as error:
            problems += [f"{asset.name}: {problem}" for problem in error.problems]
    if problems:
        raise ValidationError({"spec": problems})


def _exercise_fields(fields: dict) -> dict:
    unknown = set(fields) - set(EXERCISE_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"unknown exercise fields: {sorted(unknown)}")
    return fields


def _validate_texts(exercise: Exercise) -> None:
    exercise.full_clean(exclude=["lesson", "owner", "spec", "source_notebook", "key"])


@transaction.atomic
def exercise_add_quiz(
    *,
    lesson: Lesson,
    kind: str,
    title: str,
    spec: dict,
    assets: list[NewAsset] = (),
    **fields,
) -> Exercise:
    """A quiz exercise at the end of `lesson`, owned by the course's owner, with a key made from
    its title. `assets` (pictures uploaded with the form) are stored first, in this transaction.

    Raises ValidationError: {"spec": [every problem courses.quiz.validate_spec finds]} or a
    text field's problem. Nothing is stored then.
    """
    fields = _exercise_fields(fields)
    course = course_of(lesson)
    if kind not in quiz.KINDS:
        raise ValidationError({"kind": _("“%(kind)s” is not a quiz kind.") % {"kind": kind}})
    _validate_texts(Exercise(owner=course.owner, kind=kind, title=title, **fields))
    _store_assets(course, list(assets))
    try:
        exercise = services.exercise_create_quiz(
            owner=course.owner,
            kind=kind,
            title=title,
            spec=spec,
            lesson=lesson,
            position=_next_position(lesson),
            is_published=True,
            **fields,
        )
    except services.QuizSpecInvalid as error:
        raise ValidationError({"spec": error.problems}) from None
    exercise.key = _exercise_key(course=course, title=title)
    exercise.save(update_fields=["key"])
    return exercise


@transaction.atomic
def exercise_update_quiz(
    *, exercise: Exercise, title: str, spec: dict, assets: list[NewAsset] = (), **fields
) -> Exercise:
    """New texts and definition for a quiz exercise (its kind and key stay)."""
    fields = _exercise_fields(fields)
    if exercise.is_notebook:
        raise AuthoringRefused(_("This exercise takes a notebook, not a quiz definition."))
    _store_assets(course_of(exercise.lesson), list(assets))
    problems = quiz.validate_spec(exercise.kind, spec)
    if problems:
        raise ValidationError({"spec": problems})
    exercise.title = title
    for name, value in fields.items():
        setattr(exercise, name, value)
    exercise.spec = spec
    exercise.max_score = quiz.max_score(spec)
    _validate_texts(exercise)
    exercise.save()
    return exercise


def _load(source: bytes, field: str):
    try:
        return notebook.load_source(source, max_bytes=settings.GRADER_MAX_NOTEBOOK_BYTES)
    except notebook.NotebookError as error:
        raise ValidationError({field: notebook_messages(error)}) from None


def notebook_messages(error: notebook.NotebookError) -> list[str]:
    """Every problem of a refused notebook, one message each (or the one-line reason)."""
    if error.problems:
        return [str(problem) for problem in error.problems]
    return [str(error)]


def _twin(source_nb, source_zh: bytes):
    twin = _load(source_zh, "source_zh")
    problems = notebook.twin_problems(source_nb, twin)
    if problems:
        raise ValidationError(
            {
                "source_zh": [
                    _("The Chinese notebook does not match the English one: %(problem)s.")
                    % {"problem": problem}
                    for problem in problems
                ]
            }
        )
    return twin


@transaction.atomic
def exercise_add_notebook(
    *,
    lesson: Lesson,
    title: str,
    source: bytes,
    source_zh: bytes | None = None,
    **fields,
) -> Exercise:
    """A notebook exercise at the end of `lesson` from an nbgrader source notebook (and its
    optional Chinese twin), released and scored by courses.services.exercise_create_notebook.

    Raises ValidationError listing every problem of either notebook under "source" /
    "source_zh"; nothing is stored then.
    """
    fields = _exercise_fields(fields)
    course = course_of(lesson)
    _validate_texts(Exercise(owner=course.owner, title=title, **fields))
    source_nb = _load(source, "source")
    if source_zh is not None:
        _twin(source_nb, source_zh)
    exercise = services.exercise_create_notebook(
        owner=course.owner, title=title, source=source, source_zh=source_zh, is_published=True
    )
    for name, value in fields.items():
        setattr(exercise, name, value)
    exercise.lesson = lesson
    exercise.position = _next_position(lesson)
    exercise.key = _exercise_key(course=course, title=title)
    exercise.save()
    return exercise


@transaction.atomic
def exercise_update_notebook(
    *,
    exercise: Exercise,
    title: str,
    source: bytes | None = None,
    source_zh: bytes | None = None,
    remove_zh: bool = False,
    **fields,
) -> Exercise:
    """New texts and, optionally, a new source notebook or Chinese twin: each is validated and
    released again, and the maximum score follows the source. A kept twin must still match a
    new source; `remove_zh` drops the twin (learners in Chinese then get the English notebook).
    """
    fields = _exercise_fields(fields)
    if not exercise.is_notebook:
        raise AuthoringRefused(_("This exercise is a quiz, not a notebook."))
    if remove_zh and source_zh is not None:
        raise ValidationError(
            {"source_zh": _("Upload a Chinese notebook or remove it, not both at once.")}
        )
    if source is None:
        source_nb = notebook_node(exercise.source_notebook)
    else:
        source_nb = _load(source, "source")
        exercise.source_notebook = source_nb
        exercise.released_notebook = notebook.release(source_nb)
        exercise.max_score = grading.max_score_of(source_nb)
    if source_zh is not None:
        twin = _twin(source_nb, source_zh)
        exercise.source_notebook_zh = twin
        exercise.released_notebook_zh = notebook.release(twin)
    elif remove_zh:
        exercise.source_notebook_zh, exercise.released_notebook_zh = {}, {}
    elif source is not None and exercise.source_notebook_zh:
        twin = notebook_node(exercise.source_notebook_zh)
        problems = notebook.twin_problems(source_nb, twin)
        if problems:
            raise ValidationError(
                {
                    "source": [
                        _(
                            "The Chinese notebook no longer matches: %(problem)s. Upload a "
                            "matching Chinese notebook too, or remove it."
                        )
                        % {"problem": problem}
                        for problem in problems
                    ]
                }
            )
        exercise.released_notebook_zh = notebook.release(twin)
    exercise.title = title
    for name, value in fields.items():
        setattr(exercise, name, value)
    _validate_texts(exercise)
    exercise.save()
    return exercise


def notebook_node(stored):
    """A stored notebook (plain JSON) as the NotebookNode the notebook functions expect."""
    return stored if isinstance(stored, nbformat.NotebookNode) else nbformat.from_dict(stored)


@transaction.atomic
def exercise_move(*, exercise: Exercise, direction: str) -> bool:
    """Swap an exercise with the one before or after it in its lesson; False at either end."""
    _check_direction(direction)
    _renumber(_exercises(exercise.lesson).select_for_update())
    return _swap(_exercises(exercise.lesson), exercise, direction)


@transaction.atomic
def exercise_delete(*, exercise: Exercise) -> None:
    lesson = exercise.lesson
    what = _("The exercise “%(title)s”") % {"title": exercise.title}
    _delete_exercises(Exercise.objects.filter(pk=exercise.pk), what)
    if lesson is not None:
        _renumber(_exercises(lesson))


# --- assets -------------------------------------------------------------------------------------


@transaction.atomic
def asset_upload(*, course: Course, filename: str, content: bytes) -> CourseAsset:
    """A picture or data file for lessons and quizzes, under a free name made from `filename`.

    Raises ValidationError({"file": [every problem]}) for a type that is not allowed, content
    that is not what its name says (or an SVG with script), or a course over its limits.
    """
    name = free_asset_name(course=course, filename=filename)
    try:
        return asset_services.course_asset_create(course=course, name=name, content=content)
    except asset_services.AssetInvalid as error:
        raise ValidationError({"file": error.problems}) from None


@transaction.atomic
def asset_delete(*, asset: CourseAsset) -> None:
    """Gone from the course being edited; validation lists lessons and quizzes still using it."""
    asset.delete()
