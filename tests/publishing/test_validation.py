# ruff: noqa: RUF001
"""Static validation: every problem of a course at once, each with its place and a precise
message (the sandbox checks are in test_runs.py)."""

import pytest
from django.utils import translation

from courses import services
from courses.models import Exercise, Lesson, Unit
from courses.publishing import course_problems
from courses.publishing.validation import (
    EMPTY,
    KEY,
    LINK,
    NOTEBOOK,
    QUIZ,
    TRANSLATION,
    sandbox_ready,
)
from graders import notebook as nb
from tests.publishing import conftest as c

pytestmark = pytest.mark.django_db


def found(course):
    return {(p.kind, p.where, p.field, p.message) for p in course_problems(course=course)}


def test_a_complete_course_has_no_problems(built):
    assert course_problems(course=built.course) == []


def test_every_problem_is_listed_at_once_with_its_place_and_message(built):
    course = built.course
    # Missing translations: a required title, an optional pair written in one language only.
    course.title_zh = ""
    course.save()
    Unit.objects.filter(course=course).update(title_zh="")
    Lesson.objects.filter(unit__course=course).update(
        body_zh="",
        body_en="![A robot](robot.svg) ![gone](missing.png) [data](gone.csv) "
        "![up](../secret.png) ![table](data/fruit.csv) ![prefixed](assets/robot.svg) "
        "[web](https://example.org/x.png)",
    )
    # A quiz without a correct answer, with a picture the course does not have, no Chinese prompt.
    spec = {
        "options": [
            *c.OPTIONS,
            {"id": "pic", "image": "nothere.png", "alt_en": "A picture", "alt_zh": "图片"},
        ]
    }
    Exercise.objects.filter(pk=built.quiz.pk).update(spec=spec, prompt_zh=" ")
    # Invalid nbgrader metadata in the English notebook; a Chinese twin that does not match.
    source = c.load_notebook(c.NOTEBOOK_EN)
    del source.cells[4].metadata.nbgrader["points"]
    twin = c.load_notebook(c.NOTEBOOK_ZH)
    twin.cells[8].metadata.nbgrader["points"] = 5
    Exercise.objects.filter(pk=built.notebook.pk).update(
        source_notebook=source, source_notebook_zh=twin, explanation_en="See the notes."
    )
    # An empty unit and an empty lesson.
    second = services.unit_create(course=course, title_en="Later", title_zh="以后")
    third = services.unit_create(course=course, title_en="Blank", title_zh="空白")
    services.lesson_create(unit=third, title_en="Nothing", title_zh="没有")

    problems = found(course)
    expected = {
        (TRANSLATION, "Course “Robots”", "title_zh",
         "The Chinese title is missing; it is required in both languages."),
        (TRANSLATION, c.UNIT, "title_zh",
         "The Chinese title is missing; it is required in both languages."),
        (TRANSLATION, c.LESSON, "body_zh",
         "The Chinese text is missing: the English text is there, so write both or neither."),
        (LINK, c.LESSON, "body_en", "The image “missing.png” is not one of the course's files."),
        (LINK, c.LESSON, "body_en",
         "The link “gone.csv” points to a file the course does not have."),
        (LINK, c.LESSON, "body_en", "The path “../secret.png” points outside the course."),
        (LINK, c.LESSON, "body_en", "“data/fruit.csv” is not an image."),
        (LINK, c.LESSON, "body_en",
         "The image “assets/robot.svg” is not one of the course's files. "
         "Paths are relative to assets/: write “robot.svg”."),
        (QUIZ, c.QUIZ, "spec", "This quiz has no correct answer."),
        (LINK, c.QUIZ, "spec", "The image “nothere.png” is not one of the course's files."),
        (TRANSLATION, c.QUIZ, "prompt_zh",
         "The Chinese question is missing; it is required in both languages."),
        (NOTEBOOK, c.NOTEBOOK, "source_notebook",
         "Invalid nbgrader metadata: cell 5 (grade_id 'test_accuracy_basic'): graded cell has "
         "no points."),
        (TRANSLATION, c.NOTEBOOK, "explanation_zh",
         "The Chinese explanation is missing: the English explanation is there, so write both "
         "or neither."),
        (EMPTY, "Unit 2 “Later”", "lessons", "This unit has no lessons."),
        (EMPTY, "Unit 3 “Blank” › Lesson 1 “Nothing”", "",
         "This lesson is empty: it has no text and no exercises."),
    }  # fmt: skip
    assert expected <= problems, sorted(expected - problems)
    # With the English notebook invalid, the twin cannot be compared with it: nothing is invented.
    assert not [p for p in problems if p[2] == "source_notebook_zh"]
    # Absolute addresses and present assets are fine.
    assert not [p for p in problems if "robot.svg”" in p[3] and "assets/" not in p[3]]
    assert not [p for p in problems if "example.org" in p[3]]
    assert second.pk  # (used above through its title)


def test_a_chinese_notebook_that_does_not_match_is_a_translation_problem(built):
    twin = c.load_notebook(c.NOTEBOOK_ZH)
    twin.cells[4].metadata.nbgrader["points"] = 5
    Exercise.objects.filter(pk=built.notebook.pk).update(source_notebook_zh=twin)
    assert found(built.course) == {
        (TRANSLATION, c.NOTEBOOK, "source_notebook_zh",
         "The Chinese notebook does not match the English one: cell 5 (grade_id "
         "'test_accuracy_basic'): worth 5 points here but 1 in the English notebook."),
    }  # fmt: skip


def test_a_notebook_without_chinese_twin_is_a_missing_translation(built):
    Exercise.objects.filter(pk=built.notebook.pk).update(
        source_notebook_zh={}, released_notebook_zh={}
    )
    assert found(built.course) == {
        (TRANSLATION, c.NOTEBOOK, "source_notebook_zh",
         "There is no Chinese notebook: learners working in Chinese would get the English one."),
    }  # fmt: skip


def test_invalid_quiz_definitions_are_listed_with_the_spec_messages(built):
    spec = {"options": c.OPTIONS, "correct": ["zzz"]}
    Exercise.objects.filter(pk=built.quiz.pk).update(kind="multiple_choice", spec=spec)
    assert found(built.course) == {
        (QUIZ, c.QUIZ, "spec", "correct: “zzz” is not an option."),
    }


@pytest.mark.parametrize(
    ("kind", "spec"),
    [
        ("multiple_choice", {"options": c.OPTIONS, "correct": []}),
        ("true_false", {}),
        ("numeric", {"tolerance": 0.1}),
        ("short_text", {"accepted_en": [], "accepted_zh": []}),
        ("match", {"left": c.OPTIONS, "right": c.OPTIONS}),
    ],
)
def test_every_quiz_kind_without_a_correct_answer_is_caught(built, kind, spec):
    Exercise.objects.filter(pk=built.quiz.pk).update(kind=kind, spec=spec)
    problems = found(built.course)
    assert (QUIZ, c.QUIZ, "spec", "This quiz has no correct answer.") in problems


def test_a_notebook_exercise_without_notebook_or_points(built):
    Exercise.objects.filter(pk=built.notebook.pk).update(source_notebook={})
    assert (
        NOTEBOOK, c.NOTEBOOK, "source_notebook", "This notebook exercise has no source notebook."
    ) in found(built.course)  # fmt: skip
    source = c.load_notebook(c.NOTEBOOK_EN)
    for cell in source.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.metadata.nbgrader["points"] = 0
    twin = c.load_notebook(c.NOTEBOOK_ZH)
    for cell in twin.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.metadata.nbgrader["points"] = 0
    Exercise.objects.filter(pk=built.notebook.pk).update(
        source_notebook=source, source_notebook_zh=twin
    )
    assert found(built.course) == {
        (NOTEBOOK, c.NOTEBOOK, "source_notebook",
         "The notebook has no graded cells with points: every answer would score 0."),
    }  # fmt: skip


def test_an_empty_course(db):
    owner = c.factories.make_teacher()
    course = services.course_create(
        owner=owner, slug="empty", title_en="Empty", title_zh="空", age_band="9-11"
    )
    assert found(course) == {(EMPTY, "Course “Empty”", "lessons", "The course has no lessons.")}


def test_missing_and_repeated_keys(built):
    unit = services.unit_create(course=built.course, title_en="Sight", title_zh="视觉")
    second = services.lesson_create(
        unit=unit, title_en="Eyes", title_zh="眼睛", body_en="x", body_zh="y"
    )
    Lesson.objects.filter(pk=second.pk).update(slug="ears")
    Exercise.objects.filter(pk=built.notebook.pk).update(key=built.quiz.key)
    problems = found(built.course)
    assert (
        KEY, "Unit 2 “Sight” › Lesson 1 “Eyes”", "slug",
        "Another lesson of this course has the slug “ears” too.",
    ) in problems  # fmt: skip
    assert (
        KEY, c.NOTEBOOK, "key", "Another exercise of this course has the key “which-part-hears” too."
    ) in problems  # fmt: skip
    Exercise.objects.filter(pk=built.notebook.pk).update(key="")
    assert (KEY, c.NOTEBOOK, "key", "This exercise has no key.") in found(built.course)


def test_places_name_content_in_the_teachers_language(built):
    Lesson.objects.filter(unit__course=built.course).update(body_zh="")
    with translation.override("zh-hans"):
        (problem,) = course_problems(course=built.course)
    # Titles in the place follow the language (the messages do once the catalogue has them).
    assert "“感官”" in problem.where
    assert "“耳朵”" in problem.where
    assert problem.field == "body_zh"


def test_problems_round_trip_through_json(built):
    Unit.objects.filter(course=built.course).update(title_zh="")
    problem = course_problems(course=built.course)[0]
    assert type(problem).from_json(problem.to_json()) == problem
    assert str(problem) == (
        "Unit 1 “Senses” · Chinese title: "
        "The Chinese title is missing; it is required in both languages."
    )
    assert problem.target == "unit"
    assert problem.target_id == built.quiz.lesson.unit_id
    assert nb  # the graders' notebook module is what the checks use


def test_unknown_or_wrong_sandbox_limits(built):
    Exercise.objects.filter(pk=built.notebook.pk).update(
        limits={"bogus": 1, "cell_timeout": 0, "memory_mb": 512}
    )
    assert {p[3] for p in found(built.course) if p[2] == "limits"} == {
        "“bogus” is not a sandbox limit; known: cell_timeout, cpu_seconds, file_size_mb, "
        "memory_mb, notebook_timeout, output_bytes, processes, startup_timeout, tmpfs_mb.",
        "The sandbox limit “cell_timeout” must be a number greater than 0.",
    }
    built.notebook.refresh_from_db()
    assert sandbox_ready(built.notebook) == []
