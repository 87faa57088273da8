"""Celery tasks: thin and idempotent. Each loads by id and calls a service."""

import logging

import nbformat
from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_init, worker_process_shutdown

from graders import answers, grading, messages, sandbox, services, warm

logger = logging.getLogger(__name__)


@shared_task(bind=True, name="graders.grade_submission", ignore_result=True)
def grade_submission(self, submission_id: int) -> None:
    grade_once(
        submission_id, task_id=self.request.id or "local", worker=self.request.hostname or ""
    )


def grade_once(submission_id: int, *, task_id: str, worker: str) -> None:
    """Claim, grade and store one queued submission; the body of every grading task (a
    regrade's too: teaching/tasks.py). A no-op when another execution owns it or it is final."""
    submission = services.grading_start(
        submission_id=submission_id, task_id=task_id, worker=worker or "unknown"
    )
    if submission is None:
        return  # already graded, or another execution owns it: a duplicate is a no-op
    exercise = submission.exercise
    try:
        limits = sandbox.Limits.from_settings(**exercise.limits)
        # The notebook the learner worked in: its tests' messages are in their language.
        source = nbformat.from_dict(exercise.source_notebook_for(submission.language))
        trimmed: set[str] = set()
        if submission.is_check:
            # A check runs the visible tests only: hidden tests never reach its kernel.
            source, trimmed = answers.without_hidden_tests(source)
        pool = warm.worker_pool() if warm.enabled() else None
        result = grading.grade(source, bytes(submission.content), limits=limits, pool=pool)
        for test in result.tests:
            test.visible_only = test.grade_id in trimmed
        if submission.is_check:
            # Tests made only of hidden parts ran nothing: they are not reported as passed.
            untested = answers.hidden_only_tests(source, trimmed)
            result.tests = [test for test in result.tests if test.grade_id not in untested]
    except sandbox.SandboxUnavailable:
        logger.error("this worker cannot run sandboxes; submission %s goes back", submission_id)
        services.grading_release(submission=submission)
        raise
    except SoftTimeLimitExceeded:
        services.grading_fail(submission=submission, reason=messages.TIMED_OUT)
        return
    # grading_finish logs the stored result (the soak test counts those lines).
    services.grading_finish(submission=submission, result=result)
    # The result is stored: now, while this process waits for work, warm the next one's sandbox.
    warm.prepare(limits, source)


@worker_process_init.connect
def _warm_at_start(**_kwargs) -> None:
    warm.prepare()


@worker_process_shutdown.connect
def _cool_at_exit(**_kwargs) -> None:
    warm.shutdown()


@shared_task(name="graders.sweep_submissions", ignore_result=True)
def sweep_submissions() -> None:
    services.submissions_sweep()
