"""Checks in the submission lifecycle: same states and rules, never a score, never an attempt."""

import pytest

from graders import services
from graders.models import Submission
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def student():
    return factories.make_student()


@pytest.fixture
def exercise():
    return factories.make_exercise(factories.make_teacher())


def check_of(student, exercise) -> Submission:
    return services.submission_create(
        learner=student,
        exercise=exercise,
        content=factories.submitted_notebook(),
        purpose=Submission.Purpose.CHECK,
    )


def test_a_failed_check_has_no_score_and_a_failed_submission_scores_zero(student, exercise):
    check = factories.start_grading(check_of(student, exercise))
    submission = factories.start_grading(factories.make_submission(student, exercise))

    assert services.grading_fail(submission=check, reason="broken")
    assert services.grading_fail(submission=submission, reason="broken")

    check.refresh_from_db()
    submission.refresh_from_db()
    assert (check.status, check.score) == ("failed", None)
    assert (submission.status, submission.score) == ("failed", 0)


def test_the_sweeper_fails_a_stuck_check_without_a_score(student, exercise, settings):
    settings.GRADER_MAX_RETRIES = 0
    settings.GRADER_QUEUED_DEADLINE = 0
    check = check_of(student, exercise)

    report = services.submissions_sweep()

    check.refresh_from_db()
    assert report.failed == [check.pk]
    assert (check.status, check.score) == ("failed", None)


def test_a_finished_check_keeps_tests_and_outputs_but_no_score(student, exercise):
    result = factories.grade_result()
    result.outputs = [
        {
            "index": 3,
            "grade_id": "accuracy",
            "outputs": [{"output_type": "stream", "name": "stdout", "text": "hi"}],
        }
    ]
    result.tests[0].visible_only = True

    check = factories.finish_submission(check_of(student, exercise), result)

    assert (check.status, check.score, check.max_score, check.attempt) == ("graded", None, None, 0)
    assert check.tests[0]["visible_only"] is True and "visible_only" not in check.tests[1]
    assert check.outputs == [
        {
            "index": 3,
            "grade_id": "accuracy",
            "outputs": [{"type": "stream", "name": "stdout", "text": "hi"}],
        }
    ]


def test_max_attempts_limits_submissions_not_checks(student, exercise):
    exercise.max_attempts = 2
    exercise.save(update_fields=["max_attempts"])
    for _ in range(2):
        check_of(student, exercise)
        factories.finish_submission(factories.make_submission(student, exercise))

    with pytest.raises(services.SubmissionRejected) as refused:
        factories.make_submission(student, exercise)

    assert refused.value.status_code == 409
    assert "all 2 attempts" in refused.value.message
    assert check_of(student, exercise).attempt == 0
    assert list(
        Submission.objects.counted().order_by("attempt").values_list("attempt", flat=True)
    ) == [1, 2]


def test_an_unknown_purpose_is_a_programming_error(student, exercise):
    with pytest.raises(ValueError):
        services.submission_create(
            learner=student,
            exercise=exercise,
            content=factories.submitted_notebook(),
            purpose="peek",
        )
    assert not Submission.objects.exists()
