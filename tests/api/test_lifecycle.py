"""The submission state machine, driven through the services exactly as a worker would.

queued → running → graded | needs_review | failed; every move is a conditional UPDATE, so a
duplicate, late or redelivered execution can never store a second result.
"""

from __future__ import annotations

import time
from datetime import timedelta

import kombu.pools
import pytest
from django.utils import timezone

from graders import services
from graders.models import Submission
from graders.results import GradeResult
from graders.results import TestResult as Outcome  # not collected by pytest
from tests import factories

pytestmark = pytest.mark.django_db

Status = Submission.Status
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"
RETRIES_MESSAGE = (
    "We could not grade this submission after several tries. Please submit it again, "
    "and tell your teacher if this keeps happening."
)


@pytest.fixture
def queued(student, exercise):
    return factories.make_submission(student, exercise)


def fresh(submission: Submission) -> Submission:
    return Submission.objects.get(pk=submission.pk)


def other_result() -> GradeResult:
    """A result different from factories.grade_result() in every stored field."""
    test = Outcome("test_accuracy_basic", 0.0, 1.0, False, "AssertionError: late")
    return GradeResult(status="failed", score=0.0, max_score=10.0, tests=[test], error="late")


def age(submission: Submission, field: str, seconds: float) -> None:
    """Move a timestamp back in time, as if the submission had waited that long."""
    Submission.objects.filter(pk=submission.pk).update(
        **{field: timezone.now() - timedelta(seconds=seconds)}
    )


# --- through the services ---------------------------------------------------------------------


def test_queued_then_running_then_graded(queued):
    """Given a new submission, when a worker claims and finishes it, then each state is stored."""
    assert (queued.status, queued.attempt, queued.retries) == (Status.QUEUED, 1, 0)
    assert queued.queued_at is not None and queued.started_at is None

    claimed = factories.start_grading(queued, task_id="task-1", worker="celery@box")
    running = fresh(queued)
    assert running.status == Status.RUNNING
    assert running.worker == "celery@box"
    assert running.run_token == claimed.run_token and running.run_token.startswith("task-1/")
    assert running.started_at is not None and running.finished_at is None

    assert services.grading_finish(submission=claimed, result=factories.grade_result()) is True
    graded = fresh(queued)
    assert graded.status == Status.GRADED
    assert (graded.score, graded.max_score) == (4.5, 10.0)
    assert [test["grade_id"] for test in graded.tests] == [t[0] for t in factories.DEMO_TESTS]
    assert [test["hidden"] for test in graded.tests] == [t[2] for t in factories.DEMO_TESTS]
    assert graded.finished_at >= graded.started_at >= graded.queued_at


def test_a_duplicate_start_while_running_is_a_no_op(queued):
    """Given a running submission, a second task (another id) gets None and changes nothing."""
    factories.start_grading(queued, task_id="task-1", worker="w1")
    before = fresh(queued)
    assert factories.start_grading(queued, task_id="task-2", worker="w2") is None
    after = fresh(queued)
    assert (after.run_token, after.worker, after.retries, after.started_at) == (
        before.run_token,
        before.worker,
        before.retries,
        before.started_at,
    )


def test_a_redelivery_takes_over_and_the_old_execution_cannot_finish(queued):
    """Given task-1 running, its redelivery takes over (a retry); the first run's finish is lost."""
    first = factories.start_grading(queued, task_id="task-1", worker="w1")
    second = factories.start_grading(queued, task_id="task-1", worker="w2")
    assert second is not None
    assert second.run_token != first.run_token and second.run_token.startswith("task-1/")
    assert (second.retries, second.worker) == (1, "w2")

    assert services.grading_finish(submission=second, result=factories.grade_result()) is True
    assert services.grading_finish(submission=first, result=other_result()) is False
    stored = fresh(queued)
    assert (stored.status, stored.score, stored.error) == (Status.GRADED, 4.5, "")
    assert len(stored.tests) == 4


def test_a_late_finish_before_the_owner_finishes_stores_nothing(queued):
    first = factories.start_grading(queued, task_id="task-1")
    second = factories.start_grading(queued, task_id="task-1")
    assert services.grading_finish(submission=first, result=other_result()) is False
    assert fresh(queued).status == Status.RUNNING
    assert services.grading_finish(submission=second, result=factories.grade_result()) is True
    assert fresh(queued).score == 4.5


def test_a_stale_running_submission_is_taken_over_by_another_task(queued, settings):
    factories.start_grading(queued, task_id="task-1")
    age(queued, "started_at", settings.GRADER_RUNNING_DEADLINE + 5)
    taken = factories.start_grading(queued, task_id="task-2")
    assert taken is not None and taken.run_token.startswith("task-2/")
    assert taken.retries == 1


def test_finishing_or_moving_a_final_submission_is_a_no_op(queued):
    """Given a graded submission, nothing (finish, fail, release, start) changes it again."""
    claimed = factories.start_grading(queued, task_id="task-1")
    services.grading_finish(submission=claimed, result=factories.grade_result())
    before = fresh(queued)
    assert services.grading_finish(submission=claimed, result=other_result()) is False
    assert services.grading_fail(submission=claimed, reason="boom") is False
    assert services.grading_release(submission=claimed) is False
    assert factories.start_grading(queued, task_id="task-1") is None
    assert factories.start_grading(queued, task_id="task-9") is None
    after = fresh(queued)
    assert (after.status, after.score, after.tests, after.error, after.finished_at) == (
        before.status,
        before.score,
        before.tests,
        before.error,
        before.finished_at,
    )


def test_release_puts_it_back_in_the_queue(queued):
    """Given a claim a worker cannot honour, release re-queues it; the old claim is then void."""
    claimed = factories.start_grading(queued, task_id="task-1")
    assert services.grading_release(submission=claimed) is True
    released = fresh(queued)
    assert (released.status, released.run_token, released.retries) == (Status.QUEUED, "", 0)
    assert released.queued_at >= claimed.started_at
    assert services.grading_finish(submission=claimed, result=factories.grade_result()) is False
    again = factories.start_grading(queued, task_id="task-2")
    assert again is not None and fresh(queued).status == Status.RUNNING


def test_fail_stores_a_readable_reason(queued):
    claimed = factories.start_grading(queued)
    assert services.grading_fail(submission=claimed, reason="Grading took too long.") is True
    failed = fresh(queued)
    assert (failed.status, failed.score, failed.error) == (
        Status.FAILED,
        0,
        "Grading took too long.",
    )


def test_takeovers_past_the_retry_limit_fail_the_submission(queued, settings):
    """Given GRADER_MAX_RETRIES=2, the third redelivery fails it with a message for the learner."""
    settings.GRADER_MAX_RETRIES = 2
    factories.start_grading(queued, task_id="task-1")
    for expected_retries in (1, 2):
        assert factories.start_grading(queued, task_id="task-1").retries == expected_retries
    assert factories.start_grading(queued, task_id="task-1") is None
    failed = fresh(queued)
    assert (failed.status, failed.score, failed.retries) == (Status.FAILED, 0, 2)
    assert failed.error == RETRIES_MESSAGE
    assert failed.finished_at is not None and failed.run_token == ""


# --- the sweeper ------------------------------------------------------------------------------


def test_the_sweeper_requeues_a_submission_stuck_in_the_queue(queued, settings):
    age(queued, "queued_at", settings.GRADER_QUEUED_DEADLINE - 30)
    assert services.submissions_sweep().requeued == []  # not late yet
    age(queued, "queued_at", settings.GRADER_QUEUED_DEADLINE + 30)
    before = timezone.now()
    report = services.submissions_sweep()
    assert (report.requeued, report.failed) == ([queued.pk], [])
    swept = fresh(queued)
    assert (swept.status, swept.retries) == (Status.QUEUED, 1)
    assert swept.queued_at >= before


def test_the_sweeper_requeues_a_submission_stuck_running(queued, settings):
    """Given a worker that died mid-grading, the sweeper re-queues; the dead run cannot finish."""
    claimed = factories.start_grading(queued, task_id="task-1")
    age(queued, "started_at", settings.GRADER_RUNNING_DEADLINE + 30)
    assert services.submissions_sweep().requeued == [queued.pk]
    swept = fresh(queued)
    assert (swept.status, swept.retries, swept.run_token) == (Status.QUEUED, 1, "")
    assert services.grading_finish(submission=claimed, result=factories.grade_result()) is False
    assert factories.start_grading(queued, task_id="task-2") is not None


def test_sweeping_twice_in_a_row_counts_one_retry(queued, settings):
    age(queued, "queued_at", settings.GRADER_QUEUED_DEADLINE + 30)
    first, second = services.submissions_sweep(), services.submissions_sweep()
    assert (first.requeued, second.requeued, second.failed) == ([queued.pk], [], [])
    assert fresh(queued).retries == 1


@pytest.mark.parametrize("stuck_in", ["queued", "running"])
def test_the_sweeper_fails_a_submission_after_the_retry_limit(queued, settings, stuck_in):
    settings.GRADER_MAX_RETRIES = 2
    for round_ in range(3):
        if stuck_in == "running":
            factories.start_grading(queued, task_id=f"task-{round_}")
            age(queued, "started_at", settings.GRADER_RUNNING_DEADLINE + 30)
        else:
            age(queued, "queued_at", settings.GRADER_QUEUED_DEADLINE + 30)
        report = services.submissions_sweep()
        expected = ([], [queued.pk]) if round_ == 2 else ([queued.pk], [])
        assert (report.requeued, report.failed) == expected
    failed = fresh(queued)
    assert (failed.status, failed.retries, failed.score) == (Status.FAILED, 2, 0)
    assert failed.error == RETRIES_MESSAGE
    assert services.submissions_sweep().failed == []


def test_the_sweeper_never_touches_final_submissions(student, other_student, exercise, settings):
    """Given graded, needs-review and failed submissions with ancient timestamps, none moves."""
    graded = factories.finish_submission(factories.make_submission(student, exercise))
    review = factories.finish_submission(
        factories.make_submission(other_student, exercise),
        factories.grade_result(status="needs_review", review_reasons=["look"]),
    )
    failed = factories.make_submission(student, exercise)
    services.grading_fail(submission=factories.start_grading(failed), reason="no")
    long_ago = timezone.now() - timedelta(days=30)
    Submission.objects.update(queued_at=long_ago, started_at=long_ago)
    before = {s.pk: (s.status, s.retries, s.score) for s in Submission.objects.all()}
    assert services.submissions_sweep().requeued == []
    assert {s.pk: (s.status, s.retries, s.score) for s in Submission.objects.all()} == before
    assert {graded.status, review.status, fresh(failed).status} == set(Submission.FINAL)


# --- the broker is down -----------------------------------------------------------------------


@pytest.fixture
def broker_down(monkeypatch):
    """Point the Celery app at a port nothing listens on (CELERY_BROKER_URL wins over conf)."""
    from config.celery import app

    def reset_pools():
        # kombu shares producer pools between equal connections process-wide: reset them all,
        # or later tests publish through a producer closed here and nothing reaches the broker.
        app.pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None
        kombu.pools.reset()

    original, original_uri = app.conf.broker_url, app.connection_for_write().as_uri()
    try:
        monkeypatch.setenv("CELERY_BROKER_URL", UNREACHABLE_BROKER)
        monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
        app.conf.broker_url = UNREACHABLE_BROKER
        reset_pools()
        connection = app.connection_for_write()
        assert (connection.transport_cls, connection.hostname, connection.port) == (
            "redis",
            "127.0.0.1",
            1,
        )
        yield app
    finally:
        app.conf.broker_url = original
        monkeypatch.undo()
        reset_pools()
    assert app.connection_for_write().as_uri() == original_uri


def test_a_submission_is_stored_queued_when_the_broker_is_down(
    broker_down, student, exercise, django_capture_on_commit_callbacks, caplog
):
    """Given no broker, when the stored submission's enqueue runs on commit, it stays queued."""
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submission = factories.make_submission(student, exercise)
    # The enqueue, and the reports' refresh of the learner's day (reports/stats.py).
    assert len(callbacks) == 2
    assert time.monotonic() - started < 5
    assert fresh(submission).status == Status.QUEUED
    assert f"could not enqueue submission {submission.pk}" in caplog.text
    assert services.submission_enqueue(submission.pk) is False


def test_the_sweeper_survives_a_broker_outage(broker_down, queued, settings):
    age(queued, "queued_at", settings.GRADER_QUEUED_DEADLINE + 30)
    assert services.submissions_sweep().requeued == [queued.pk]
    assert fresh(queued).status == Status.QUEUED


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_201_queued_quickly_when_the_broker_is_down(
    broker_down, api, student, caplog
):
    """Given no broker and real commits, a POST still returns 201 "queued" well under 5 s."""
    exercise = factories.make_exercise(factories.make_teacher(), published=True)
    api.as_token(student)
    started = time.monotonic()
    response = api.submit(exercise.pk)
    elapsed = time.monotonic() - started
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "queued"
    assert elapsed < 5, f"the POST took {elapsed:.1f} s with the broker down"
    stored = Submission.objects.get()
    assert stored.status == Status.QUEUED
    assert f"could not enqueue submission {stored.pk}" in caplog.text  # it did try, on commit
