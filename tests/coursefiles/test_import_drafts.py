# Chinese text uses full-width punctuation on purpose.
# ruff: noqa: RUF001
"""Importing again into a course learners use: the folder goes into the draft, --publish publishes
it (validated here), and learners' work stays with the exercises whose file kept its name."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from courses import services
from courses.coursefiles.importer import (
    CourseImportError,
    course_import,
    course_validate_and_publish,
)
from courses.coursefiles.reader import read_course
from courses.models import Course, CourseVersion, Exercise, QuizAttempt
from courses.publishing import PublishRefused, course_draft_for, course_snapshot
from tests.coursefiles.conftest import QUIZ_COURSE_YAML, import_folder, write_files
from tests.courses.test_coursefiles import QUIZ_YAML
from tests.factories import make_admin, make_student, make_teacher

pytestmark = pytest.mark.django_db

RENAMED_QUIZ = QUIZ_YAML.replace("title: Pick the cat", "title: Pick the cat, again")
TRUE_FALSE = """\
kind: true_false
title: Cats purr
title_zh: 猫会打呼噜
prompt_en: "True or false: cats purr."
prompt_zh: 对还是错：猫会打呼噜。
spec:
  correct: true
"""


def _edit(folder):
    """The teacher's next version: the quiz renamed (same file), and a new exercise."""
    return write_files(
        folder,
        {
            "course.yaml": QUIZ_COURSE_YAML.replace(
                "exercises: [pick-the-cat.yaml]", "exercises: [pick-the-cat.yaml, purr.yaml]"
            ),
            "exercises/pick-the-cat.yaml": RENAMED_QUIZ,
            "exercises/purr.yaml": TRUE_FALSE,
        },
    )


@pytest.fixture
def used_course(quiz_folder):
    """The published quiz course, a learner's answer on its quiz, and its owner."""
    owner = make_teacher("ms-zhao")
    course = import_folder(quiz_folder, owner=owner)
    quiz = Exercise.objects.get(lesson__unit__course=course, key="pick-the-cat")
    services.quiz_answer_submit(learner=make_student(), exercise=quiz, answer="cat")
    return course, quiz, owner


def test_a_course_learners_use_is_imported_into_its_draft(used_course, quiz_folder):
    course, quiz, owner = used_course
    before = course_snapshot(course)
    draft = course_import(folder=read_course(_edit(quiz_folder)), replace=True)
    assert draft.draft_of == course and draft.owner == owner and draft.slug == course.slug
    course.refresh_from_db()
    assert course_snapshot(course) == before  # learners see nothing new yet
    assert QuizAttempt.objects.filter(exercise=quiz).count() == 1
    keys = Exercise.objects.filter(lesson__unit__course=draft).order_by("position")
    assert [(e.key, e.title) for e in keys] == [
        ("pick-the-cat", "Pick the cat, again"),
        ("purr", "Cats purr"),
    ]
    assert course_snapshot(draft)["course"]["published"] is False  # a draft is never published


def test_publishing_the_imported_draft_keeps_learners_work_on_the_same_exercise(
    used_course, quiz_folder
):
    course, quiz, owner = used_course
    course_import(folder=read_course(_edit(quiz_folder)), replace=True)
    version = course_validate_and_publish(course=course, user=owner, note="Renamed the quiz")
    assert (version.number, version.note, version.published_by) == (1, "Renamed the quiz", owner)
    quiz.refresh_from_db()
    assert quiz.title == "Pick the cat, again" and quiz.lesson.unit.course == course
    assert QuizAttempt.objects.filter(exercise=quiz).count() == 1
    assert not Course.objects.filter(draft_of=course).exists()
    titles = Exercise.objects.filter(lesson__unit__course=course).values_list("title", flat=True)
    assert sorted(titles) == ["Cats purr", "Pick the cat, again"]


def test_a_course_with_a_draft_already_takes_the_folder_in_the_draft(quiz_folder):
    owner = make_teacher()
    course = import_folder(quiz_folder, owner=owner)
    draft = course_draft_for(course=course, user=owner)
    again = course_import(folder=read_course(_edit(quiz_folder)), replace=True)
    assert again == draft
    assert Exercise.objects.filter(lesson__unit__course=course).count() == 1
    assert Exercise.objects.filter(lesson__unit__course=draft).count() == 2


def test_only_the_owner_or_an_admin_may_import_into_the_draft(used_course, quiz_folder):
    course, _quiz, _owner = used_course
    folder = read_course(_edit(quiz_folder))
    with pytest.raises(CourseImportError, match="Only the owner of “tiny-course”"):
        course_import(folder=folder, replace=True, user=make_teacher("someone-else"))
    assert not Course.objects.filter(draft_of=course).exists()
    draft = course_import(folder=folder, replace=True, user=make_admin())
    assert draft.draft_of == course


def test_publishing_is_refused_with_every_problem_and_nothing_changes(used_course, quiz_folder):
    course, quiz, owner = used_course
    empty_unit = "  - title_en: Second unit\n    title_zh: 第二单元\n"
    write_files(
        _edit(quiz_folder),
        {"course.yaml": QUIZ_COURSE_YAML + empty_unit, "exercises/purr.yaml": None},
    )
    course_import(folder=read_course(quiz_folder), replace=True)
    with pytest.raises(PublishRefused) as refused:
        course_validate_and_publish(course=course, user=owner)
    assert [problem.message for problem in refused.value.problems] == ["This unit has no lessons."]
    assert not CourseVersion.objects.exists()
    quiz.refresh_from_db()
    assert quiz.title == "Pick the cat"


# --- the command --------------------------------------------------------------------------------


def test_import_course_replace_publish_on_a_course_learners_use(used_course, quiz_folder):
    _course, quiz, _owner = used_course
    out = StringIO()
    call_command(
        "import_course",
        str(_edit(quiz_folder)),
        "--replace",
        "--publish",
        "--note",
        "A second quiz",
        stdout=out,
    )
    assert out.getvalue() == (
        "Imported into the draft of 'A tiny course' (tiny-course): 1 unit(s), 2 lesson(s), "
        "2 exercise(s), 2 asset(s). Learners have work in the course, so they keep the "
        "published version until the draft is published.\n"
        "Published 'tiny-course' as version 1.\n"
    )
    assert CourseVersion.objects.get().note == "A second quiz"
    assert QuizAttempt.objects.get().exercise_id == quiz.pk


def test_import_course_publish_a_new_course(quiz_folder):
    make_admin()
    out = StringIO()
    call_command("import_course", str(quiz_folder), "--publish", stdout=out)
    assert out.getvalue().endswith("Published 'tiny-course' as version 1.\n")
    version = CourseVersion.objects.get()
    assert version.snapshot == course_snapshot(version.course)


def test_import_course_publish_refused_lists_problems_and_keeps_the_import(quiz_folder):
    make_admin()
    write_files(
        quiz_folder,
        {"course.yaml": QUIZ_COURSE_YAML + "  - title_en: Empty\n    title_zh: 空\n"},
    )
    err = StringIO()
    with pytest.raises(CommandError, match="imported but not published"):
        call_command("import_course", str(quiz_folder), "--publish", stdout=StringIO(), stderr=err)
    assert err.getvalue() == "Unit 2 “Empty” · lessons: This unit has no lessons.\n"
    assert Course.objects.filter(slug="tiny-course").exists()
    assert not CourseVersion.objects.exists()


def test_import_course_note_checks(quiz_folder):
    make_admin()
    with pytest.raises(CommandError, match="--note goes with --publish"):
        call_command("import_course", str(quiz_folder), "--note", "x")
    with pytest.raises(CommandError, match=r"at most 200 are allowed\. Nothing was imported"):
        call_command("import_course", str(quiz_folder), "--publish", "--note", "x" * 201)
    assert not Course.objects.exists()
