"""A class's attempt limit overrides the exercise's, in the notebook and the quiz paths alike
(one rule: teaching.limits.attempt_limit)."""

from __future__ import annotations

import pytest

from courses.services import QuizAnswerRejected, quiz_answer_submit
from graders.services import SubmissionRejected
from teaching import services
from teaching.limits import attempt_limit, attempt_limits
from tests import factories
from tests.teaching.conftest import answered, graded

pytestmark = pytest.mark.django_db


def limit(school, exercise, max_attempts):
    services.classroom_exercise_save(
        classroom=school.classroom, exercise=exercise, due_at=None, max_attempts=max_attempts
    )


def test_without_class_settings_the_exercise_limit_applies(school):
    assert attempt_limit(learner=school.ann, exercise=school.quiz) == 2
    assert attempt_limit(learner=school.ann, exercise=school.notebook) is None


def test_a_class_limit_applies_to_its_learners_only(school):
    limit(school, school.quiz, 5)
    assert attempt_limit(learner=school.ann, exercise=school.quiz) == 5
    # The other class has the course too, without an override.
    assert attempt_limit(learner=school.outsider, exercise=school.quiz) == 2
    # A learner in no class that has the course: the exercise's own limit.
    assert attempt_limit(learner=factories.make_student(), exercise=school.quiz) == 2


def test_a_learner_in_two_classes_gets_the_more_generous_limit(school):
    limit(school, school.notebook, 1)
    assert attempt_limit(learner=school.ann, exercise=school.notebook) == 1
    school.other_class.learners.add(school.ann)  # no override there: the exercise's (unlimited)
    assert attempt_limit(learner=school.ann, exercise=school.notebook) is None
    services.classroom_exercise_save(
        classroom=school.other_class, exercise=school.notebook, due_at=None, max_attempts=3
    )
    assert attempt_limit(learner=school.ann, exercise=school.notebook) == 3


def test_limits_in_bulk_cost_a_fixed_number_of_queries(school, django_assert_num_queries):
    limit(school, school.quiz, 4)
    exercises = [school.quiz, school.notebook]
    with django_assert_num_queries(1):
        assert attempt_limits(learner=school.ann, exercises=exercises) == {
            school.quiz.pk: 4,
            school.notebook.pk: None,
        }


def test_quiz_answers_follow_a_higher_class_limit(school):
    limit(school, school.quiz, 3)
    for _ in range(3):
        answered(school.ann, school.quiz, False)
    with pytest.raises(QuizAnswerRejected) as refused:
        quiz_answer_submit(learner=school.ann, exercise=school.quiz, answer=True)
    assert refused.value.status_code == 409
    assert "3 attempts" in refused.value.message_en
    # Outside the class, the exercise's own 2 still hold.
    answered(school.outsider, school.quiz, False)
    answered(school.outsider, school.quiz, False)
    with pytest.raises(QuizAnswerRejected):
        quiz_answer_submit(learner=school.outsider, exercise=school.quiz, answer=True)


def test_quiz_answers_follow_a_lower_class_limit_through_the_api(school):
    limit(school, school.quiz, 1)
    client = factories.ApiClient().as_token(school.bo)
    url = f"/api/v1/exercises/{school.quiz.pk}/answers/"
    first = client.post(url, {"answer": False}, format="json")
    assert first.status_code == 201, first.content
    second = client.post(url, {"answer": True}, format="json")
    assert second.status_code == 409
    assert school.quiz.quiz_attempts.filter(learner=school.bo).count() == 1


def test_notebook_submissions_follow_the_class_limit(school):
    limit(school, school.notebook, 2)
    graded(school.ann, school.notebook)
    graded(school.ann, school.notebook)
    with pytest.raises(SubmissionRejected) as refused:
        factories.make_submission(school.ann, school.notebook)
    assert refused.value.status_code == 409
    assert "2 attempts" in refused.value.message
    assert school.notebook.submissions.filter(learner=school.ann).count() == 2


def test_notebook_api_refuses_past_the_class_limit_and_stores_nothing(school):
    limit(school, school.notebook, 1)
    client = factories.ApiClient().as_token(school.cy)
    assert client.submit(school.notebook.pk).status_code == 201
    refused = client.submit(school.notebook.pk)
    assert refused.status_code == 409
    assert "1 attempt" in refused.json()["detail"]
    assert school.notebook.submissions.filter(learner=school.cy).count() == 1


def test_a_higher_class_limit_lifts_the_exercise_limit_for_notebooks(school):
    school.notebook.max_attempts = 1
    school.notebook.save(update_fields=["max_attempts"])
    graded(school.ann, school.notebook)
    with pytest.raises(SubmissionRejected):
        factories.make_submission(school.ann, school.notebook)
    limit(school, school.notebook, 2)
    assert factories.make_submission(school.ann, school.notebook).attempt == 2
