"""Checks in the submission lifecycle: same states and rules, never a score, never an attempt."""

import nbformat
import pytest

from graders import answers, services
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


@pytest.mark.parametrize(
    ("code", "nothing"),
    [
        ("", True),
        ('"""knn: the hidden part (3 points)"""\n', True),
        ('"""doc"""\n# a comment\npass\n', True),
        ('"""doc"""\nassert f(1) == 2\n', False),
        ("f(", False),  # a syntax error runs and fails: it is reported
    ],
)
def test_a_check_knows_a_test_cell_with_nothing_visible_left(code, nothing):
    assert answers.runs_nothing(code) is nothing


def test_only_trimmed_cells_with_nothing_left_are_hidden_only():
    stripped = nbformat.v4.new_notebook()
    for gid, source in [
        ("only_hidden", '"""all hidden"""\n'),
        ("some_visible", '"""doc"""\nassert True\n'),
        ("untrimmed_docstring", '"""never had hidden tests"""\n'),
    ]:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["nbgrader"] = {"grade": True, "grade_id": gid, "points": 1, "solution": False}
        stripped.cells.append(cell)
    trimmed = {"only_hidden", "some_visible"}
    assert answers.hidden_only_tests(stripped, trimmed) == {"only_hidden"}
