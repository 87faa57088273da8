# Places are written with a right-pointing angle quote between levels, on purpose.
# ruff: noqa: RUF001, RUF002
"""What stops a course from being published, all of it at once.

`course_problems` is the static part, computed from the rows on the spot: invalid nbgrader
metadata, quiz definitions that are broken or have no correct answer, missing translations,
images and links to files the course does not have, empty courses, units and lessons, missing or
repeated lesson slugs and exercise keys. The sandbox part (a reference solution that does not
score full marks, a released stub that scores) needs the workers: see courses.publishing.runs.

Each Problem says where it is (unit, lesson, exercise by number and title), which field, and
what is wrong, in the active language.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import nbformat
from django.utils.translation import gettext as _

from courses import quiz
from courses.coursefiles.reader import asset_reference, markdown_references
from courses.models import Course, CourseAsset, Exercise, Lesson, Unit
from graders import grading, notebook, sandbox

# Problem kinds: what the teacher has to fix, grouped as the issue lists them.
NOTEBOOK = "notebook"  # invalid nbgrader metadata, a notebook that cannot be graded
QUIZ = "quiz"  # an invalid quiz definition or one without a correct answer
TRANSLATION = "translation"  # a text or notebook in one language only
LINK = "link"  # an image or link to a file the course does not have
EMPTY = "empty"  # a course, unit or lesson with nothing in it
KEY = "key"  # a missing or repeated lesson slug or exercise key
SANDBOX = "sandbox"  # found by running notebooks on the workers
NOT_VALIDATED = "not_validated"  # publishing without a passing validation of this content
UNCHANGED = "unchanged"  # publishing what the latest version holds already


@dataclass(frozen=True)
class Problem:
    """One thing to fix before publishing.

    `where` names the place for people ("Unit 1 “Senses” › Lesson 2 “Ears” › Exercise “Which
    part hears?”"); `target` ("course", "unit", "lesson", "exercise") and `target_id` name the
    row for pages that link to its form; `field` is the model field ("title_zh", "spec", …) or
    "" for the whole thing, `field_label` its name for people.
    """

    kind: str
    where: str
    field: str
    field_label: str
    message: str
    target: str = "course"
    target_id: int | None = None

    def __str__(self) -> str:
        place = f"{self.where} · {self.field_label}" if self.field_label else self.where
        return f"{place}: {self.message}"

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Problem:
        names = cls.__dataclass_fields__
        return cls(**{name: value for name, value in data.items() if name in names})


# --- places and field names ---------------------------------------------------------------------


def _title(obj, field: str = "title") -> str:
    shown = obj.localized(field)
    if not shown:  # Chinese-only so far, or nothing at all
        shown = getattr(obj, f"{field}_zh", "") or ""
    return shown.strip() or _("(untitled)")


@dataclass(frozen=True)
class _Place:
    target: str
    target_id: int | None
    where: str


def _course_place(course: Course) -> _Place:
    return _Place("course", course.pk, _("Course “%(title)s”") % {"title": _title(course)})


def _unit_place(unit: Unit, number: int) -> _Place:
    return _Place(
        "unit",
        unit.pk,
        _("Unit %(number)d “%(title)s”") % {"number": number, "title": _title(unit)},
    )


def _lesson_place(unit_place: _Place, lesson: Lesson, number: int) -> _Place:
    lesson_where = _("Lesson %(number)d “%(title)s”") % {
        "number": number,
        "title": _title(lesson),
    }
    return _Place("lesson", lesson.pk, f"{unit_place.where} › {lesson_where}")


def _exercise_place(lesson_place: _Place, exercise: Exercise) -> _Place:
    exercise_where = _("Exercise “%(title)s”") % {"title": _title(exercise)}
    return _Place("exercise", exercise.pk, f"{lesson_place.where} › {exercise_where}")


def _labels() -> dict[str, str]:
    return {
        "title_en": _("English title"),
        "title": _("English title"),
        "title_zh": _("Chinese title"),
        "summary_en": _("English summary"),
        "summary_zh": _("Chinese summary"),
        "body_en": _("English text"),
        "body_zh": _("Chinese text"),
        "prompt_en": _("English question"),
        "prompt_zh": _("Chinese question"),
        "explanation_en": _("English explanation"),
        "explanation_zh": _("Chinese explanation"),
        "spec": _("quiz definition"),
        "source_notebook": _("source notebook"),
        "source_notebook_zh": _("Chinese source notebook"),
        "released_notebook": _("released notebook"),
        "released_notebook_zh": _("Chinese released notebook"),
        "limits": _("sandbox limits"),
        "slug": _("slug"),
        "key": _("key"),
        "units": _("units"),
        "lessons": _("lessons"),
    }


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.labels = _labels()

    def add(self, kind: str, place: _Place, field: str, message: str) -> None:
        self.problems.append(
            Problem(
                kind=kind,
                where=place.where,
                field=field,
                field_label=self.labels.get(field, field),
                message=message,
                target=place.target,
                target_id=place.target_id,
            )
        )


def exercise_place(exercise: Exercise) -> _Place:
    """Where an exercise of a course is, numbered as course_problems numbers it."""
    lesson = exercise.lesson
    unit = lesson.unit
    unit_number = list(Unit.objects.filter(course_id=unit.course_id).order_by("position", "pk"))
    lesson_number = list(Lesson.objects.filter(unit=unit).order_by("position", "pk"))
    return _exercise_place(
        _lesson_place(
            _unit_place(unit, unit_number.index(unit) + 1), lesson, lesson_number.index(lesson) + 1
        ),
        exercise,
    )


# --- translations -------------------------------------------------------------------------------


def _blank(value) -> bool:
    return not (isinstance(value, str) and value.strip())


def _check_pair(out: _Collector, place: _Place, obj, en: str, zh: str, *, required: bool) -> None:
    """Both texts when required; otherwise both or neither."""
    values = {en: getattr(obj, en), zh: getattr(obj, zh)}
    missing = [name for name, value in values.items() if _blank(value)]
    if required:
        for name in missing:
            out.add(
                TRANSLATION,
                place,
                name,
                _("The %(field)s is missing; it is required in both languages.")
                % {"field": out.labels[name]},
            )
    elif len(missing) == 1:
        name = missing[0]
        other = zh if name == en else en
        out.add(
            TRANSLATION,
            place,
            name,
            _("The %(field)s is missing: the %(other)s is there, so write both or neither.")
            % {"field": out.labels[name], "other": out.labels[other]},
        )


# --- images and links ---------------------------------------------------------------------------


def _check_reference(
    out: _Collector, place: _Place, field: str, reference: str, kind: str, assets: dict
) -> None:
    """A relative image or link must name one of the course's assets (an image, for images)."""
    name = asset_reference(reference)
    if name is None:
        return  # https://…, a site path, a #fragment: not the course's files
    if name == "":
        out.add(
            LINK,
            place,
            field,
            _("The path “%(ref)s” points outside the course.") % {"ref": reference[:200]},
        )
        return
    if name not in assets:
        message = (
            _("The image “%(name)s” is not one of the course's files.")
            if kind == "image"
            else _("The link “%(name)s” points to a file the course does not have.")
        ) % {"name": name[:200]}
        if name.startswith("assets/") and name.removeprefix("assets/") in assets:
            message += " " + _("Paths are relative to assets/: write “%(name)s”.") % {
                "name": name.removeprefix("assets/")
            }
        out.add(LINK, place, field, message)
    elif kind == "image" and not assets[name].startswith("image/"):
        out.add(LINK, place, field, _("“%(name)s” is not an image.") % {"name": name[:200]})


def _check_markdown(out: _Collector, place: _Place, field: str, text: str, assets: dict) -> None:
    for kind, reference in markdown_references(text or ""):
        _check_reference(out, place, field, reference, kind, assets)


def _spec_images(value) -> Iterator[str]:
    """Every `image` of an option, item, category or side in a quiz definition."""
    if isinstance(value, dict):
        image = value.get("image")
        if isinstance(image, str):
            yield image
        for child in value.values():
            yield from _spec_images(child)
    elif isinstance(value, list):
        for child in value:
            yield from _spec_images(child)


def _notebook_markdown(nb: dict) -> Iterator[str]:
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        if isinstance(cell, dict) and cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            yield "".join(source) if isinstance(source, list) else str(source)


# --- exercises ----------------------------------------------------------------------------------

# Quiz kinds whose definition names the right answer in "correct".
_CORRECT_KEY_KINDS = {"single_choice", "multiple_choice", "true_false", "numeric"}


def _has_correct_answer(kind: str, spec) -> bool:
    if not isinstance(spec, dict):
        return False
    if kind in _CORRECT_KEY_KINDS:
        correct = spec.get("correct")
        if kind == "true_false":
            return isinstance(correct, bool)
        if kind == "multiple_choice":
            return isinstance(correct, list) and bool(correct)
        if kind == "numeric":
            return isinstance(correct, int | float) and not isinstance(correct, bool)
        return isinstance(correct, str) and bool(correct)
    if kind == "short_text":
        return any(
            isinstance(spec.get(key), list) and spec.get(key)
            for key in ("accepted_en", "accepted_zh")
        )
    if kind == "match":
        return isinstance(spec.get("pairs"), dict) and bool(spec.get("pairs"))
    return True  # ordering and categorise: the items themselves say what is right


def _check_quiz(out: _Collector, place: _Place, exercise: Exercise, assets: dict) -> None:
    problems = quiz.validate_spec(exercise.kind, exercise.spec)
    if not _has_correct_answer(exercise.kind, exercise.spec):
        out.add(QUIZ, place, "spec", _("This quiz has no correct answer."))
        missing = _("“%(key)s” is missing.") % {"key": "correct"}
        problems = [problem for problem in problems if problem != missing]
    for problem in problems:
        out.add(QUIZ, place, "spec", problem)
    for image in _spec_images(exercise.spec):
        _check_reference(out, place, "spec", image, "image", assets)


def _source(out: _Collector, place: _Place, field: str, data) -> nbformat.NotebookNode | None:
    """A stored source notebook as nbformat, with its nbgrader problems reported; None if it
    cannot be graded."""
    try:
        nb = nbformat.from_dict(data)
        problems = notebook.validate_source(nb)
    except Exception:  # a stored notebook in a shape nbformat cannot read at all
        out.add(NOTEBOOK, place, field, _("The notebook cannot be read."))
        return None
    for problem in problems:
        out.add(
            NOTEBOOK,
            place,
            field,
            _("Invalid nbgrader metadata: %(problem)s.") % {"problem": str(problem)},
        )
    return None if problems else nb


LIMIT_NAMES = {limit.name for limit in dataclasses.fields(sandbox.Limits)}


def limit_problems(limits) -> list[str]:
    """What is wrong with an exercise's sandbox limits (names and values), as sentences."""
    if not isinstance(limits, dict):
        return [_("The sandbox limits must map limit names to numbers.")]
    problems = []
    for name, value in limits.items():
        if name not in LIMIT_NAMES:
            problems.append(
                _("“%(name)s” is not a sandbox limit; known: %(names)s.")
                % {"name": str(name)[:60], "names": ", ".join(sorted(LIMIT_NAMES))}
            )
        elif isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            problems.append(
                _("The sandbox limit “%(name)s” must be a number greater than 0.") % {"name": name}
            )
    return problems


def _check_notebook(out: _Collector, place: _Place, exercise: Exercise, assets: dict) -> None:
    for problem in limit_problems(exercise.limits or {}):
        out.add(NOTEBOOK, place, "limits", problem)
    if not isinstance(exercise.source_notebook, dict) or not exercise.source_notebook.get("cells"):
        out.add(
            NOTEBOOK,
            place,
            "source_notebook",
            _("This notebook exercise has no source notebook."),
        )
        return
    source = _source(out, place, "source_notebook", exercise.source_notebook)
    if source is not None and grading.max_score_of(source) <= 0:
        out.add(
            NOTEBOOK,
            place,
            "source_notebook",
            _("The notebook has no graded cells with points: every answer would score 0."),
        )
    if isinstance(exercise.source_notebook_zh, dict) and exercise.source_notebook_zh:
        twin = _source(out, place, "source_notebook_zh", exercise.source_notebook_zh)
        if source is not None and twin is not None:
            for problem in notebook.twin_problems(source, twin):
                out.add(
                    TRANSLATION,
                    place,
                    "source_notebook_zh",
                    _("The Chinese notebook does not match the English one: %(problem)s.")
                    % {"problem": str(problem)},
                )
    else:
        out.add(
            TRANSLATION,
            place,
            "source_notebook_zh",
            _(
                "There is no Chinese notebook: learners working in Chinese would get the "
                "English one."
            ),
        )
    for field, data in (
        ("source_notebook", exercise.source_notebook),
        ("source_notebook_zh", exercise.source_notebook_zh),
    ):
        for text in _notebook_markdown(data):
            _check_markdown(out, place, field, text, assets)


def _check_exercise(out: _Collector, place: _Place, exercise: Exercise, assets: dict) -> None:
    is_quiz = not exercise.is_notebook
    _check_pair(out, place, exercise, "title", "title_zh", required=True)
    _check_pair(out, place, exercise, "prompt_en", "prompt_zh", required=is_quiz)
    _check_pair(out, place, exercise, "explanation_en", "explanation_zh", required=False)
    for field in ("prompt_en", "prompt_zh", "explanation_en", "explanation_zh"):
        _check_markdown(out, place, field, getattr(exercise, field), assets)
    if exercise.kind not in Exercise.Kind.values:
        out.add(
            QUIZ, place, "spec", _("“%(kind)s” is not an exercise kind.") % {"kind": exercise.kind}
        )
    elif is_quiz:
        _check_quiz(out, place, exercise, assets)
    else:
        _check_notebook(out, place, exercise, assets)


# --- keys ---------------------------------------------------------------------------------------


def _check_keys(out: _Collector, lessons: list, exercises: list) -> None:
    """Lesson slugs and exercise keys, present and unique in the course: publishing matches the
    draft to the live course by them."""
    slugs = Counter(lesson.slug for lesson, _place in lessons if lesson.slug)
    for lesson, place in lessons:
        if not lesson.slug:
            out.add(KEY, place, "slug", _("This lesson has no slug."))
        elif slugs[lesson.slug] > 1:
            out.add(
                KEY,
                place,
                "slug",
                _("Another lesson of this course has the slug “%(slug)s” too.")
                % {"slug": lesson.slug},
            )
    keys = Counter(exercise.key for exercise, _place in exercises if exercise.key)
    for exercise, place in exercises:
        if not exercise.key:
            out.add(KEY, place, "key", _("This exercise has no key."))
        elif keys[exercise.key] > 1:
            out.add(
                KEY,
                place,
                "key",
                _("Another exercise of this course has the key “%(key)s” too.")
                % {"key": exercise.key},
            )


# --- the course ---------------------------------------------------------------------------------


def course_problems(*, course: Course) -> list[Problem]:
    """Every static problem of `course` (a draft or a course edited directly), in course order.

    An empty list means the course may go to the sandbox checks; it does not mean it may be
    published (courses.publishing.runs).
    """
    out = _Collector()
    assets = dict(CourseAsset.objects.filter(course=course).values_list("name", "content_type"))
    course_place = _course_place(course)
    _check_pair(out, course_place, course, "title_en", "title_zh", required=True)
    _check_pair(out, course_place, course, "summary_en", "summary_zh", required=False)
    for field in ("summary_en", "summary_zh"):
        _check_markdown(out, course_place, field, getattr(course, field), assets)

    units = list(Unit.objects.filter(course=course).order_by("position", "pk"))
    lessons_by_unit: dict[int, list[Lesson]] = {}
    for lesson in Lesson.objects.filter(unit__course=course).order_by("position", "pk"):
        lessons_by_unit.setdefault(lesson.unit_id, []).append(lesson)
    exercises_by_lesson: dict[int, list[Exercise]] = {}
    for exercise in Exercise.objects.filter(lesson__unit__course=course).order_by("position", "pk"):
        exercises_by_lesson.setdefault(exercise.lesson_id, []).append(exercise)

    if not any(lessons_by_unit.values()):
        out.add(EMPTY, course_place, "lessons", _("The course has no lessons."))
    placed_lessons: list[tuple[Lesson, _Place]] = []
    placed_exercises: list[tuple[Exercise, _Place]] = []
    for unit_number, unit in enumerate(units, start=1):
        unit_place = _unit_place(unit, unit_number)
        _check_pair(out, unit_place, unit, "title_en", "title_zh", required=True)
        unit_lessons = lessons_by_unit.get(unit.pk, [])
        if not unit_lessons:
            out.add(EMPTY, unit_place, "lessons", _("This unit has no lessons."))
        for lesson_number, lesson in enumerate(unit_lessons, start=1):
            lesson_place = _lesson_place(unit_place, lesson, lesson_number)
            placed_lessons.append((lesson, lesson_place))
            _check_pair(out, lesson_place, lesson, "title_en", "title_zh", required=True)
            _check_pair(out, lesson_place, lesson, "body_en", "body_zh", required=False)
            for field in ("body_en", "body_zh"):
                _check_markdown(out, lesson_place, field, getattr(lesson, field), assets)
            lesson_exercises = exercises_by_lesson.get(lesson.pk, [])
            if _blank(lesson.body_en) and _blank(lesson.body_zh) and not lesson_exercises:
                out.add(
                    EMPTY,
                    lesson_place,
                    "",
                    _("This lesson is empty: it has no text and no exercises."),
                )
            for exercise in lesson_exercises:
                exercise_place = _exercise_place(lesson_place, exercise)
                placed_exercises.append((exercise, exercise_place))
                _check_exercise(out, exercise_place, exercise, assets)
    _check_keys(out, placed_lessons, placed_exercises)
    return out.problems


def sandbox_ready(exercise: Exercise) -> list[str]:
    """The languages ("en", "zh-hans") whose notebook of `exercise` the sandbox checks can run:
    those with a valid source notebook (invalid ones are reported by course_problems)."""
    languages = []
    if limit_problems(exercise.limits or {}):
        return languages  # the sandbox would refuse them (reported by course_problems)
    for language, data in (
        (Exercise.ENGLISH, exercise.source_notebook),
        (Exercise.CHINESE, exercise.source_notebook_zh),
    ):
        if not isinstance(data, dict) or not data.get("cells"):
            continue
        try:
            valid = not notebook.validate_source(nbformat.from_dict(data))
        except Exception:  # unreadable: reported by course_problems
            valid = False
        if valid:
            languages.append(language)
    return languages
