"""Publishing: validated drafts become what learners see; versions are numbered and immutable;
learners' work stays with their exercises."""

import copy

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from courses import asset_services, services
from courses.models import (
    Course,
    CourseAsset,
    CourseVersion,
    Exercise,
    Lesson,
    QuizAttempt,
    Unit,
    ValidationRun,
)
from courses.publishing import (
    PublishRefused,
    content_sha256,
    course_draft_for,
    course_keys_ensure,
    course_publish,
    course_snapshot,
    snapshot_sha256,
    validation_run_request,
)
from courses.publishing.validation import NOT_VALIDATED
from courses.selectors import exercises_visible_to
from graders.models import Submission
from tests import factories
from tests.publishing.conftest import SVG, build_course, mark_validated, publish

pytestmark = pytest.mark.django_db
NOT_VALIDATED_MESSAGE = "This content has not been validated: validate the course, then publish."


def content(course):
    snapshot = course_snapshot(course)
    snapshot["course"].pop("published")
    return snapshot


def test_publishing_is_refused_without_a_validation_of_this_content(built):
    with pytest.raises(PublishRefused) as refused:
        course_publish(course=built.course, user=built.owner)
    first = refused.value.problems[0]
    assert (first.kind, first.message) == (NOT_VALIDATED, NOT_VALIDATED_MESSAGE)
    assert str(first) == f"Course “Robots”: {NOT_VALIDATED_MESSAGE}"
    built.course.refresh_from_db()
    assert not built.course.is_published
    assert not CourseVersion.objects.exists()


def test_refusal_lists_the_static_problems_too(built):
    Unit.objects.filter(course=built.course).update(title_zh="")
    with pytest.raises(PublishRefused) as refused:
        course_publish(course=built.course, user=built.owner)
    messages = [problem.message for problem in refused.value.problems]
    assert messages == [
        NOT_VALIDATED_MESSAGE,
        "The Chinese title is missing; it is required in both languages.",
    ]


def test_the_first_publication_is_version_one(built):
    mark_validated(built.course)
    version = course_publish(course=built.course, user=built.owner, note="  First term  ")
    built.course.refresh_from_db()
    assert built.course.is_published
    assert (version.number, version.course, version.published_by) == (1, built.course, built.owner)
    assert version.note == "First term"
    assert version.snapshot == course_snapshot(built.course)
    assert version.snapshot["course"]["published"] is True
    assert version.sha256 == snapshot_sha256(version.snapshot)
    assert list(version.snapshot["exercises"]) == [
        "which-part-hears.yaml",
        "how-good-is-a-guess.yaml",
    ]
    assert set(version.snapshot["notebooks"]) == {
        "how-good-is-a-guess.ipynb",
        "how-good-is-a-guess.zh.ipynb",
    }
    assert version.snapshot["assets"]["robot.svg"]["size"] == len(SVG)


def test_a_change_after_validation_is_refused(built):
    mark_validated(built.course)
    Lesson.objects.filter(unit__course=built.course).update(body_en="Changed after checking.")
    with pytest.raises(PublishRefused) as refused:
        course_publish(course=built.course, user=built.owner)
    assert refused.value.problems[0].message == NOT_VALIDATED_MESSAGE
    assert not CourseVersion.objects.exists()


def test_a_validation_with_problems_refuses_with_those_problems(built):
    problem = {
        "kind": "sandbox",
        "where": "somewhere",
        "field": "source_notebook",
        "field_label": "source notebook",
        "message": "The reference solution does not score full marks.",
        "target": "exercise",
        "target_id": built.notebook.pk,
    }
    ValidationRun.objects.create(
        course=built.course,
        requested_by=built.owner,
        status=ValidationRun.Status.DONE,
        content_sha256=content_sha256(built.course),
        problems=[problem],
    )
    with pytest.raises(PublishRefused) as refused:
        course_publish(course=built.course, user=built.owner)
    assert [p.to_json() for p in refused.value.problems] == [problem]


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        ("running", "", "The validation of this content is still running; wait for it."),
        (
            "failed",
            "No sandbox.",
            "The validation of this content could not finish: No sandbox.",
        ),
    ],
)
def test_an_unfinished_validation_does_not_allow_publishing(built, status, error, message):
    ValidationRun.objects.create(
        course=built.course,
        requested_by=built.owner,
        status=status,
        error=error,
        content_sha256=content_sha256(built.course),
    )
    with pytest.raises(PublishRefused) as refused:
        course_publish(course=built.course, user=built.owner)
    assert [p.message for p in refused.value.problems] == [message]


def test_a_quiz_only_course_is_validated_at_once_and_published(built):
    Exercise.objects.filter(pk=built.notebook.pk).delete()
    run = validation_run_request(course=built.course, user=built.owner)
    assert (run.status, run.checks, run.problems) == ("done", [], [])
    assert course_publish(course=built.course, user=built.owner).number == 1


def learner_in_class(course):
    learner = factories.make_student()
    factories.make_classroom(course.owner, [learner]).courses.add(course)
    return learner


def test_republishing_keeps_exercise_ids_and_learners_work(built):
    live = built.course
    v1 = publish(live)
    v1_snapshot = copy.deepcopy(v1.snapshot)
    learner = learner_in_class(live)
    attempt = services.quiz_answer_submit(learner=learner, exercise=built.quiz, answer="eye")
    submission = factories.finish_submission(factories.make_submission(learner, built.notebook))

    draft = course_draft_for(course=live, user=built.owner)
    draft_quiz = Exercise.objects.get(lesson__unit__course=draft, key=built.quiz.key)
    draft_quiz.prompt_en = "Which part of the robot hears sounds?"
    draft_quiz.save()
    draft_lesson = draft_quiz.lesson
    added = services.exercise_create_quiz(
        owner=built.owner,
        kind="true_false",
        title="Cameras see",
        title_zh="摄像头能看",
        prompt_en="A camera is a sensor.",
        prompt_zh="摄像头是一种传感器。",
        spec={"correct": True},
        lesson=draft_lesson,
        is_published=True,
    )
    # The notebook exercise leaves the course.
    Exercise.objects.filter(lesson__unit__course=draft, key=built.notebook.key).delete()
    # A new unit with a lesson, and the picture replaced.
    unit = services.unit_create(course=draft, title_en="Sight", title_zh="视觉")
    services.lesson_create(
        unit=unit, title_en="Eyes", title_zh="眼睛", body_en="Look.", body_zh="看。"
    )
    CourseAsset.objects.filter(course=draft, name="robot.svg").delete()
    asset_services.course_asset_create(
        course=draft, name="robot.svg", content=SVG.replace(b'r="4"', b'r="3"')
    )
    course_keys_ensure(course=draft)  # (validating does this: the new rows get keys)
    added.refresh_from_db()
    assert (added.key, Lesson.objects.get(unit=unit).slug) == ("cameras-see", "eyes")
    edited = content(draft)

    v2 = publish(live, note="Clearer question")

    assert v2.number == 2
    assert content(live) == edited
    assert not Course.objects.filter(pk=draft.pk).exists()
    # The quiz was updated in place: same id, the learner's attempt still on it.
    quiz = Exercise.objects.get(pk=built.quiz.pk)
    assert quiz.prompt_en == "Which part of the robot hears sounds?"
    assert QuizAttempt.objects.get(pk=attempt.pk).exercise_id == quiz.pk
    # The removed notebook exercise is unpublished and out of the course, never deleted.
    notebook = Exercise.objects.get(pk=built.notebook.pk)
    assert (notebook.is_published, notebook.lesson) == (False, None)
    assert Submission.objects.get(pk=submission.pk).exercise_id == notebook.pk
    # Learners see the new content from now on.
    visible = set(exercises_visible_to(learner))
    new = Exercise.objects.get(lesson__unit__course=live, key=added.key)
    assert new.pk != added.pk
    assert {quiz, new} <= visible
    assert notebook not in visible
    assert Unit.objects.filter(course=live).count() == 2
    assert bytes(CourseAsset.objects.get(course=live, name="robot.svg").content) != SVG
    # Version 1 is as it was.
    v1.refresh_from_db()
    assert v1.snapshot == v1_snapshot
    assert v1.sha256 == snapshot_sha256(v1_snapshot)
    assert "how-good-is-a-guess.yaml" in v1.snapshot["exercises"]
    assert "how-good-is-a-guess.yaml" not in v2.snapshot["exercises"]
    # Publishing the same content again makes no version; a change does.
    with pytest.raises(PublishRefused) as refused:
        publish(live)
    assert [p.message for p in refused.value.problems] == [
        "Nothing has changed since version 2: there is nothing to publish."
    ]
    draft = course_draft_for(course=live, user=built.owner)
    Unit.objects.filter(course=draft, position=2).update(title_en="Seeing")
    assert publish(live).number == 3


def test_lessons_and_exercises_move_and_keep_their_ids(built):
    live = built.course
    publish(live)
    other_unit = services.unit_create(course=live, title_en="Later", title_zh="以后")
    # (A published course is edited through its draft; this unit was added before a draft.)
    draft = course_draft_for(course=live, user=built.owner)
    draft_units = list(Unit.objects.filter(course=draft).order_by("position"))
    draft_lesson = Lesson.objects.get(unit__course=draft, slug="ears")
    # Move the lesson to the second unit, give the first unit a new lesson, swap the exercises.
    draft_lesson.unit = draft_units[1]
    draft_lesson.save()
    services.lesson_create(
        unit=draft_units[0], title_en="Intro", title_zh="介绍", body_en="Hi.", body_zh="你好。"
    )
    quiz, notebook = Exercise.objects.filter(lesson=draft_lesson).order_by("position")
    Exercise.objects.filter(pk=quiz.pk).update(position=10)
    Exercise.objects.filter(pk=notebook.pk).update(position=1)
    Exercise.objects.filter(pk=quiz.pk).update(position=2)

    publish(live)

    lesson = built.quiz.lesson
    moved = Lesson.objects.get(pk=lesson.pk)
    assert moved.unit == other_unit
    ordered = list(Exercise.objects.filter(lesson=moved).order_by("position"))
    assert ordered == [built.notebook, built.quiz]
    units = course_snapshot(live)["course"]["units"]
    assert [lesson["slug"] for unit in units for lesson in unit["lessons"]] == ["intro", "ears"]


def test_a_removed_lesson_goes_and_its_exercises_are_retired(built):
    live = built.course
    publish(live)
    draft = course_draft_for(course=live, user=built.owner)
    unit = Unit.objects.get(course=draft)
    services.lesson_create(unit=unit, title_en="Other", title_zh="其他", body_en="x", body_zh="y")
    old = Lesson.objects.get(unit=unit, slug="ears")
    Exercise.objects.filter(lesson=old).delete()
    old.delete()

    publish(live)

    assert not Lesson.objects.filter(pk=built.quiz.lesson_id).exists()
    for exercise in (built.quiz, built.notebook):
        exercise.refresh_from_db()
        assert (exercise.lesson, exercise.is_published) == (None, False)


def test_another_kind_under_the_same_key_is_a_new_exercise(built):
    live = built.course
    publish(live)
    learner = learner_in_class(live)
    services.quiz_answer_submit(learner=learner, exercise=built.quiz, answer="ear")
    draft = course_draft_for(course=live, user=built.owner)
    Exercise.objects.filter(lesson__unit__course=draft, key=built.quiz.key).update(
        kind="true_false", spec={"correct": False}
    )
    publish(live)
    built.quiz.refresh_from_db()
    assert (built.quiz.is_published, built.quiz.lesson) == (False, None)
    replacement = Exercise.objects.get(lesson__unit__course=live, key=built.quiz.key)
    assert replacement.kind == "true_false"
    assert replacement.pk != built.quiz.pk
    assert QuizAttempt.objects.filter(exercise=built.quiz).count() == 1


def test_a_course_published_before_versions_existed_gets_version_one(db):
    built = build_course(published=True)
    # No draft yet: the live content itself is validated and recorded.
    version = publish(built.course)
    assert version.number == 1
    assert not Course.objects.filter(draft_of=built.course).exists()


def test_no_service_changes_a_published_version(built):
    v1 = publish(built.course)
    stored = CourseVersion.objects.filter(pk=v1.pk).values().get()
    draft = course_draft_for(course=built.course, user=built.owner)
    Lesson.objects.filter(unit__course=draft).update(body_en="Version two.")
    Exercise.objects.filter(pk=built.quiz.pk).update(prompt_en="Edited live by hand.")
    publish(built.course)
    assert CourseVersion.objects.filter(pk=v1.pk).values().get() == stored
    assert stored["snapshot"]["lessons"]["ears"]["en"].startswith("![A robot]")


def test_a_long_note_is_refused(built):
    mark_validated(built.course)
    with pytest.raises(ValueError, match="at most 200"):
        course_publish(course=built.course, user=built.owner, note="x" * 201)
    assert not CourseVersion.objects.exists()


def test_another_teacher_may_not_validate_or_publish(built):
    mark_validated(built.course)
    other = factories.make_teacher()
    with pytest.raises(PermissionDenied):
        validation_run_request(course=built.course, user=other)
    with pytest.raises(PermissionDenied):
        course_publish(course=built.course, user=other)
    assert not CourseVersion.objects.exists()
    admin = factories.make_admin()
    assert course_publish(course=built.course, user=admin).published_by == admin


def test_validate_course_without_workers_says_what_is_still_queued(built):
    with pytest.raises(CommandError) as error:
        call_command("validate_course", "robots")
    run = ValidationRun.objects.get(course=built.course)
    assert str(error.value) == (
        f"0 problem(s) so far; 4 sandbox check(s) of validation run {run.pk} are still queued "
        "on the workers (pass --wait, or --in-process if no worker runs)."
    )
    assert run.status == "queued"


def test_publish_course_refuses_with_every_problem_on_its_own_line(built, capsys):
    Unit.objects.filter(course=built.course).update(title_zh="")
    with pytest.raises(CommandError) as error:
        call_command("publish_course", "robots", "--note", "First")
    assert str(error.value) == (
        "2 problem(s): robots was not published (run validate_course robots --wait first)."
    )
    assert capsys.readouterr().err.splitlines() == [
        f"Course “Robots”: {NOT_VALIDATED_MESSAGE}",
        "Unit 1 “Senses” · Chinese title: "
        "The Chinese title is missing; it is required in both languages.",
    ]
    with pytest.raises(CommandError, match=r"^The note is 201 characters long"):
        call_command("publish_course", "robots", "--note", "x" * 201)
