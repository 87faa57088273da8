"""Validation runs: the sandbox checks grade each notebook's reference solution (full marks
expected) and released stub (nothing expected), in English and Chinese, with the real sandbox.

Most tests do the steps in this process (validation_run_in_process); the last one lets a real
Celery worker do them from the grading queue."""

import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from courses.models import Exercise, Lesson, ValidationRun
from courses.publishing import PublishRefused, course_publish, runs, validation_run_request
from courses.publishing.validation import SANDBOX, TRANSLATION
from graders import notebook
from tests.publishing import conftest as c

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]

WRONG_ACCURACY = "/ (len(y_true) + 1)"


def break_solution(source):
    """The reference solution of accuracy() is off: test_accuracy_basic fails on it."""
    cell = source.cells[3]
    assert "/ len(y_true)" in cell.source
    cell.source = cell.source.replace("/ len(y_true)", WRONG_ACCURACY)
    return source


def make_stub_score(source):
    """test_accuracy_basic asserts nothing about the answer: the unchanged stub passes it."""
    source.cells[4].source = '"""accuracy: the basics (1 point)"""\nassert True\n'
    return source


def store(exercise, *, en=None, zh=None):
    fields = {}
    if en is not None:
        fields |= {"source_notebook": en, "released_notebook": notebook.release(en)}
    if zh is not None:
        fields |= {"source_notebook_zh": zh, "released_notebook_zh": notebook.release(zh)}
    Exercise.objects.filter(pk=exercise.pk).update(**fields)


def validate(course, user=None):
    run = validation_run_request(course=course, user=user or course.owner, enqueue=False)
    return runs.validation_run_in_process(run_id=run.pk)


def messages(run):
    return [(p["kind"], p["where"], p["field"], p["message"]) for p in run.problems]


def test_a_sound_course_passes_and_can_be_published(built):
    run = validate(built.course)
    assert (run.status, run.problems, run.error) == ("done", [], "")
    assert run.progress == len(run.checks) == 4  # solution and stub, English and Chinese
    assert run.started_at and run.finished_at
    assert course_publish(course=built.course, user=built.owner).number == 1


def test_a_failing_solution_and_a_scoring_stub_are_caught_in_both_languages(built):
    store(
        built.notebook,
        en=make_stub_score(c.load_notebook(c.NOTEBOOK_EN)),
        zh=break_solution(c.load_notebook(c.NOTEBOOK_ZH)),
    )
    run = validate(built.course)
    assert run.status == "done"
    found = messages(run)
    assert found == [
        (
            SANDBOX,
            c.NOTEBOOK,
            "released_notebook",
            "The released notebook scores without any answer: test “test_accuracy_basic” "
            "gives 1 of 1 points to the unchanged stub.",
        ),
        (
            SANDBOX,
            c.NOTEBOOK,
            "source_notebook_zh",
            "The reference solution does not score full marks: test “test_accuracy_basic” "
            "gives 0 of 1 points (AssertionError).",
        ),
        (
            SANDBOX,
            c.NOTEBOOK,
            "source_notebook_zh",
            "The reference solution does not score full marks: hidden test "
            "“test_accuracy_errors” gives 0 of 2 points.",
        ),
    ], found
    with pytest.raises(PublishRefused) as refused:
        course_publish(course=built.course, user=built.owner)
    assert [p.to_json() for p in refused.value.problems] == run.problems


def test_static_and_sandbox_problems_come_in_one_run(built):
    store(built.notebook, en=break_solution(c.load_notebook(c.NOTEBOOK_EN)))
    Lesson.objects.filter(unit__course=built.course).update(body_zh="")
    run = validate(built.course)
    kinds = [(kind, field) for kind, _where, field, _message in messages(run)]
    assert kinds == [(TRANSLATION, "body_zh"), *[(SANDBOX, "source_notebook")] * 2]
    assert "gives 0 of 1 points" in run.problems[1]["message"]


def test_an_invalid_notebook_is_reported_once_and_not_run(built):
    source = c.load_notebook(c.NOTEBOOK_EN)
    del source.cells[4].metadata.nbgrader["points"]
    Exercise.objects.filter(pk=built.notebook.pk).update(source_notebook=source)
    run = validate(built.course)
    # Only the (valid) Chinese notebook went to the sandbox.
    assert {check["language"] for check in run.checks} == {"zh-hans"}
    assert [kind for kind, *_rest in messages(run)] == ["notebook"]


def test_a_course_changed_during_the_run_fails_it(built):
    run = validation_run_request(course=built.course, user=built.owner, enqueue=False)
    assert runs.validation_step(run_id=run.pk, enqueue_next=False) == "next"
    Lesson.objects.filter(unit__course=built.course).update(body_en="Edited meanwhile.")
    assert runs.validation_step(run_id=run.pk, enqueue_next=False) == "failed"
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.error == "The course changed while it was being checked; validate it again."
    # A step delivered again after the end changes nothing.
    assert runs.validation_step(run_id=run.pk, enqueue_next=False) == "skip"


def test_the_commands_validate_and_publish(built, capsys):
    Lesson.objects.filter(unit__course=built.course).update(body_zh="")
    with pytest.raises(CommandError, match=r"^1 problem\(s\): robots cannot be published yet\.$"):
        call_command("validate_course", "robots", "--in-process")
    assert "Lesson 1 “Ears” · Chinese text: The Chinese text is missing" in capsys.readouterr().err
    with pytest.raises(CommandError, match=r"^\d problem\(s\): robots was not published"):
        call_command("publish_course", "robots")
    Lesson.objects.filter(unit__course=built.course).update(body_zh="中文。")
    call_command("validate_course", "robots", "--in-process")
    assert "No problems in robots (4 sandbox check(s)): it can be published." in (
        capsys.readouterr().out
    )
    call_command("publish_course", "robots", "--note", "First term")
    assert "as version 1" in capsys.readouterr().out
    with pytest.raises(CommandError, match=r"^There is no course with the slug 'nope'\.$"):
        call_command("validate_course", "nope")
    with pytest.raises(
        CommandError, match=r"Only the course's owner or an administrator may do this\.$"
    ):
        call_command("publish_course", "robots", "--user", c.factories.make_teacher().username)


@pytest.mark.workers
def test_a_worker_runs_the_checks_from_the_grading_queue(transactional_db, start_worker):
    built = c.build_course()
    store(built.notebook, en=break_solution(c.load_notebook(c.NOTEBOOK_EN)))
    start_worker("validator")
    run = validation_run_request(course=built.course, user=built.owner)  # enqueued on commit
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_final:
            break
        time.sleep(0.5)
    assert (run.status, run.error, run.progress) == ("done", "", 4)
    assert [p["field"] for p in run.problems] == ["source_notebook", "source_notebook"]
    assert run.problems[0]["message"].startswith(
        "The reference solution does not score full marks: test “test_accuracy_basic”"
    )
    assert ValidationRun.objects.get(pk=run.pk).passed is False

    # The command waits for the workers the same way.
    store(built.notebook, en=c.load_notebook(c.NOTEBOOK_EN))
    call_command("validate_course", "robots", "--wait", "--timeout", "180")
    assert ValidationRun.objects.filter(course=built.course).first().passed
