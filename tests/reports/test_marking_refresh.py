"""A notebook's mark reaches the reports at once, not at the next catch-up.

Workers mark with a conditional UPDATE (graders/services.py), which sends no post_save; graders
sends `submission_marked` instead and reports/stats.py refreshes the learner's row on commit.
"""

from graders.models import Submission
from graders.services import grading_fail, grading_finish, submission_create
from reports.models import LearnerExerciseStat
from tests import factories


def row(learner, exercise):
    return LearnerExerciseStat.objects.filter(learner=learner, exercise=exercise).first()


def test_a_graded_notebook_counts_in_the_reports_when_it_is_marked(
    report_world, django_capture_on_commit_callbacks
):
    w = report_world
    queued = Submission.objects.get(learner=w.a2, exercise=w.exercises.n1, status="queued")
    assert row(w.a2, w.exercises.n1) is None  # handed in, not marked: not yet done
    with django_capture_on_commit_callbacks(execute=True):
        marked = factories.finish_submission(queued)
    stat = row(w.a2, w.exercises.n1)
    assert stat is not None and stat.done and stat.attempts == 1
    assert stat.best_score == marked.score


def test_a_failed_notebook_is_refreshed_too(report_world, django_capture_on_commit_callbacks):
    w = report_world
    queued = Submission.objects.get(learner=w.a2, exercise=w.exercises.n1, status="queued")
    claimed = factories.start_grading(queued)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert grading_fail(submission=claimed, reason="The kernel died.")
    assert callbacks, "the failure scheduled a refresh"
    assert Submission.objects.get(pk=queued.pk).status == "failed"


def test_a_check_run_sends_nothing(report_world, django_capture_on_commit_callbacks):
    w = report_world
    check = submission_create(
        learner=w.a2,
        exercise=w.exercises.n1,
        content=factories.submitted_notebook("correct"),
        purpose="check",
    )
    claimed = factories.start_grading(check)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert grading_finish(submission=claimed, result=factories.grade_result())
    assert callbacks == []
