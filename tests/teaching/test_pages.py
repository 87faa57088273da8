"""The class exercise page: deadline, late policy and attempts, extensions, regrade buttons;
bad input is a 400 that says what is wrong and stores nothing. And learners' pages show the
attempts their class allows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from teaching import services
from teaching.models import ClassroomExercise, Extension, LatePolicy
from tests import factories
from tests.teaching.conftest import DUE, answered, graded

pytestmark = pytest.mark.django_db


def settings_url(school, exercise):
    return reverse("teaching:class_exercise_settings", args=[school.classroom.pk, exercise.pk])


def test_the_page_shows_the_settings_extensions_and_regrade(school, client_for):
    graded(school.ann, school.notebook)
    services.classroom_exercise_save(
        classroom=school.classroom,
        exercise=school.notebook,
        due_at=DUE,
        late_policy=LatePolicy.PERCENT_PER_DAY,
        late_percent=15,
        max_attempts=3,
    )
    services.extension_grant(
        classroom=school.classroom,
        exercise=school.notebook,
        learner=school.bo,
        due_at=DUE,
        granted_by=school.teacher,
    )
    page = client_for(school.teacher).get(
        reverse("teaching:class_exercise", args=[school.classroom.pk, school.notebook.pk])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="2026-03-02T17:00"' in html
    assert 'value="15"' in html and 'value="3"' in html
    assert "Bo Zhang: due" in html
    assert "Regrade 1 submission of this class" in html
    assert "Regrade all 1 submission, in every class" in html  # the author may
    other = client_for(school.admin).get(
        reverse("teaching:class_exercise", args=[school.classroom.pk, school.quiz.pk])
    )
    assert "Regrade" not in other.content.decode().split("Extensions")[1]  # quizzes: no regrade


def test_saving_the_settings(school, client_for):
    response = client_for(school.teacher).post(
        settings_url(school, school.quiz),
        {
            "due_at": "2026-03-02T17:00",
            "late_policy": "percent_per_day",
            "late_percent": "20",
            "max_attempts": "",
        },
    )
    assert response.status_code == 302
    saved = ClassroomExercise.objects.get()
    assert (saved.due_at, saved.late_policy, saved.late_percent, saved.max_attempts) == (
        DUE,
        LatePolicy.PERCENT_PER_DAY,
        20,
        None,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"late_policy": "zero"}, "A late policy needs a due date."),
        ({"due_at": "next tuesday", "late_policy": "none"}, "Enter a valid date/time."),
        ({"late_policy": "sometimes"}, "Select a valid choice."),
        (
            {"due_at": "2026-03-02T17:00", "late_policy": "percent_per_day", "late_percent": "0"},
            "greater than or equal to 1",
        ),
        ({"late_policy": "none", "max_attempts": "0"}, "greater than or equal to 1"),
    ],
)
def test_bad_settings_are_refused_with_a_reason(school, client_for, data, message):
    response = client_for(school.teacher).post(settings_url(school, school.notebook), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ClassroomExercise.objects.exists()


def test_extensions_only_for_the_classes_learners(school, client_for):
    client = client_for(school.teacher)
    url = reverse("teaching:extension_grant", args=[school.classroom.pk, school.notebook.pk])
    refused = client.post(url, {"learner": school.outsider.pk, "due_at": "2026-03-09T17:00"})
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()
    missing_date = client.post(url, {"learner": school.ann.pk})
    assert missing_date.status_code == 400
    assert not Extension.objects.exists()
    assert (
        client.post(url, {"learner": school.ann.pk, "due_at": "2026-03-09T17:00"}).status_code
        == 302
    )
    again = client.post(url, {"learner": school.ann.pk, "due_at": "2026-03-10T17:00"})
    assert again.status_code == 302
    assert Extension.objects.get().due_at.day == 10  # replaced, not added
    remove = reverse(
        "teaching:extension_remove", args=[school.classroom.pk, school.notebook.pk, school.ann.pk]
    )
    assert client.post(remove).status_code == 302
    assert client.post(remove).status_code == 404
    assert not Extension.objects.exists()


def test_the_notebook_page_counts_the_attempts_the_class_allows(school, client_for):
    school.notebook.max_attempts = 1
    school.notebook.save(update_fields=["max_attempts"])
    graded(school.ann, school.notebook)
    url = reverse("notebook:exercise", args=[school.notebook.pk])
    client = client_for(school.ann)
    assert "0 attempts left." in client.get(url).content.decode()
    services.classroom_exercise_save(
        classroom=school.classroom, exercise=school.notebook, due_at=None, max_attempts=3
    )
    html = client.get(url).content.decode()
    assert "2 attempts left." in html
    assert 'value="submit" data-action="submit" disabled' not in html


def test_the_quiz_api_and_lesson_count_the_attempts_the_class_allows(school, client_for):
    services.classroom_exercise_save(
        classroom=school.classroom, exercise=school.quiz, due_at=None, max_attempts=4
    )
    api = factories.ApiClient().as_token(school.ann)
    reply = api.post(
        f"/api/v1/exercises/{school.quiz.pk}/answers/", {"answer": False}, format="json"
    )
    assert reply.json()["attempts_left"] == 3
    answered(school.ann, school.quiz, False)
    answered(school.ann, school.quiz, False)
    # The exercise alone allows 2: with the class's 4 the quiz is still open on the lesson page.
    lesson = reverse(
        "learn:lesson", kwargs={"slug": school.course.slug, "lesson_id": school.lesson.pk}
    )
    html = client_for(school.ann).get(lesson).content.decode()
    assert "Attempts left: 1" in html
