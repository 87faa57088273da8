# Chinese messages use full-width punctuation on purpose.
# ruff: noqa: RUF001
"""Late notes in the JSON that the pages' scripts show without a reload: the answers API (quiz.js)
and the notebook page's runs (notebook.js) carry the same note as the server-rendered pages, in
the request's language, and nothing for work on time or for checks."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from graders import services as grader_services
from teaching import services
from teaching.models import LatePolicy
from tests import factories
from tests.teaching.conftest import graded, hours

pytestmark = pytest.mark.django_db


def set_deadline(school, exercise, due_at, policy=LatePolicy.PERCENT_PER_DAY, percent=10):
    services.classroom_exercise_save(
        classroom=school.classroom,
        exercise=exercise,
        due_at=due_at,
        late_policy=policy,
        late_percent=percent,
    )


def answer(client, exercise, **headers):
    return client.post(
        f"/api/v1/exercises/{exercise.pk}/answers/",
        data=json.dumps({"answer": True}),
        content_type="application/json",
        **headers,
    )


def test_a_late_answer_through_the_api_carries_the_late_note(school, client_for):
    # 25 hours ago: an answer now is two started days late, 10% of 2 points off per day.
    set_deadline(school, school.quiz, timezone.now() - hours(25))
    response = answer(client_for(school.ann), school.quiz)
    assert response.status_code == 201
    late = response.json()["late"]
    assert late == {"days": 2, "score": 1.6, "text": "— late 2 days: 1.6 counts"}
    # The list of answers has it too.
    listed = client_for(school.ann).get(f"/api/v1/exercises/{school.quiz.pk}/answers/").json()
    assert listed["results"][0]["late"]["score"] == 1.6


def test_the_late_note_is_in_the_requests_language(school, client_for):
    set_deadline(school, school.quiz, timezone.now() - hours(1), LatePolicy.ZERO)
    response = answer(client_for(school.ann), school.quiz, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.json()["late"]["text"] == "— 迟交 1 天：按 0 分计"


def test_an_answer_on_time_or_without_a_deadline_has_no_late_note(school, client_for):
    assert answer(client_for(school.ann), school.quiz).json()["late"] is None
    set_deadline(school, school.quiz, timezone.now() + hours(5))
    assert answer(client_for(school.bo), school.quiz).json()["late"] is None


def run_url(exercise, submission):
    return reverse("notebook:run", kwargs={"exercise_id": exercise.pk, "run_id": submission.pk})


def test_a_late_submission_polled_by_the_notebook_page_carries_the_late_note(school, client_for):
    due = timezone.now() - hours(60)
    set_deadline(school, school.notebook, due)
    submission = graded(school.ann, school.notebook, at=due + hours(30))
    run = client_for(school.ann).get(run_url(school.notebook, submission)).json()
    # 4.5 of 10, two started days late at 1 point a day: the page's own words.
    assert run["late"] == {"days": 2, "score": 2.5, "text": "— late 2 days: 2.5 counts"}
    page = client_for(school.ann).get(reverse("notebook:exercise", args=[school.notebook.pk]))
    assert run["late"]["text"] in page.content.decode()


def test_a_teachers_mark_is_counted_before_the_penalty_in_the_json(school, client_for):
    due = timezone.now() - hours(30)
    set_deadline(school, school.notebook, due)
    submission = graded(school.ann, school.notebook, at=due + hours(2))
    services.mark_set(
        submission=submission, grade_id="", score=9, comment="", marked_by=school.teacher
    )
    run = client_for(school.ann).get(run_url(school.notebook, submission)).json()
    assert run["late"]["score"] == 8
    assert run["late"]["text"] == "— late 1 day: 8 counts (your teacher's mark: 9)"


def test_checks_and_runs_on_time_have_no_late_note(school, client_for):
    due = timezone.now() - hours(60)
    set_deadline(school, school.notebook, due)
    on_time = graded(school.ann, school.notebook, at=due - hours(1))
    assert client_for(school.ann).get(run_url(school.notebook, on_time)).json()["late"] is None
    check = grader_services.submission_create(
        learner=school.bo,
        exercise=school.notebook,
        content=factories.submitted_notebook(),
        purpose="check",
    )
    factories.finish_submission(check)
    assert client_for(school.bo).get(run_url(school.notebook, check)).json()["late"] is None
