# Chinese messages use full-width punctuation on purpose.
# ruff: noqa: RUF001
"""Quizzes on the lesson page through their HTML forms, as a browser without scripts sends them:
every kind right, wrong, partly right and malformed; attempts that run out; anonymous and
not-offered answers refused; and the contract the page's script relies on (the answers API with
the session and the form's CSRF token)."""

import json

import pytest
from django.test import Client

from courses.models import QuizAttempt
from tests import factories
from tests.courses.conftest import form_data, make_quiz, post_through_form, read_form
from tests.courses.test_quiz_marking import PARTLY, RIGHT, WRONG

pytestmark = pytest.mark.django_db


def section(html: str, exercise) -> str:
    """The HTML of one exercise's section on the lesson page."""
    start = html.index(f'<section class="card exercise exercise-{exercise.kind}')
    start = html.index(f'id="exercise-{exercise.pk}"', start)
    return html[start : html.index("</section>", start)]


def answer(client, school, kind, value):
    page = client.get(school.lesson_url()).content.decode()
    return post_through_form(client, page, school.quizzes[kind], form_data(kind, value))


@pytest.mark.parametrize("kind,value,correct,fraction", RIGHT + WRONG + PARTLY)
def test_every_kind_is_marked_through_its_form(
    student_client, school, kind, value, correct, fraction
):
    exercise = school.quizzes[kind]
    response = answer(student_client, school, kind, value)
    assert response.status_code == 302
    assert response.url == f"{school.lesson_url()}#exercise-{exercise.pk}"
    stored = QuizAttempt.objects.get(learner=school.student, exercise=exercise)
    assert stored.correct is correct and stored.score == pytest.approx(fraction)
    shown = section(student_client.get(response.url).content.decode(), exercise)
    word = "Right!" if correct else ("Partly right." if fraction else "Not right yet.")
    assert word in shown
    assert f"Score: {round(fraction, 2):g} of 1" in shown
    assert stored.feedback_en in shown


def test_the_form_shows_the_last_answer_chosen(student_client, school):
    answer(student_client, school, "multiple_choice", ["camera", "speaker"])
    answer(student_client, school, "numeric", "5.7")
    answer(
        student_client, school, "match", {"eye": "camera", "ear": "speaker", "mouth": "microphone"}
    )
    page = student_client.get(school.lesson_url()).content.decode()
    assert read_form(page, school.quizzes["multiple_choice"]).selected == {
        "answer": ["camera", "speaker"]
    }
    assert read_form(page, school.quizzes["numeric"]).selected == {"answer": ["5.7"]}
    assert read_form(page, school.quizzes["match"]).selected == {
        "left-0": ["camera"],
        "left-1": ["speaker"],
        "left-2": ["microphone"],
    }


def test_an_ordering_is_shown_shuffled_the_same_way_on_every_visit(student_client, school):
    exercise = school.quizzes["ordering"]
    first = section(student_client.get(school.lesson_url()).content.decode(), exercise)
    again = section(student_client.get(school.lesson_url()).content.decode(), exercise)
    controls = first[first.index("<fieldset") :]
    assert controls == again[again.index("<fieldset") :]
    shown = [first.index(text) for text in ("Collect data", "Label it", "Train", "Test")]
    assert shown != sorted(shown)  # never in the right order: that would give it away
    # Unchanged, the places chosen are the order shown: posting them as they are is an answer.
    defaults = {name: values[0] for name, values in read_form(first, exercise).selected.items()}
    assert student_client.post(school.answer_url(exercise), defaults).status_code == 302
    assert QuizAttempt.objects.get(exercise=exercise).correct is False


# --- malformed answers: the service's message, status 400, nothing stored ----------------------

MALFORMED_FORMS = [
    ("single_choice", {}, "Choose one option"),
    ("single_choice", {"answer": "ghost"}, "“ghost” is not one of the options."),
    ("multiple_choice", {"answer": ["camera", "camera"]}, "may appear only once"),
    ("true_false", {}, "Choose true or false first."),
    ("true_false", {"answer": "maybe"}, "Choose true or false first."),
    ("numeric", {"answer": "five"}, "Enter a number, such as 3.5."),
    ("numeric", {"answer": ""}, "Enter a number, such as 3.5."),
    ("short_text", {"answer": "  "}, "Type an answer first."),
    ("short_text", {"answer": "x" * 501}, "under 500 characters"),
    ("ordering", {"item-0": "1", "item-1": "2", "item-2": "3"}, "each exactly once"),
    (
        "ordering",
        {"item-0": "1", "item-1": "1", "item-2": "3", "item-3": "4"},
        "Two items are in place 1: give each item its own place.",
    ),
    ("categorise", {"item-0": "fruit"}, "“banana” has no group yet: place every item."),
    ("categorise", {f"item-{i}": "vegetable" for i in range(4)}, "is not one of the groups"),
    ("match", {"left-0": "camera"}, "“ear” has no partner yet"),
    (
        "match",
        {"left-0": "camera", "left-1": "camera", "left-2": "speaker"},
        "Each item on the right can be matched only once.",
    ),
]


@pytest.mark.parametrize("kind,data,message", MALFORMED_FORMS)
def test_a_malformed_answer_says_why_and_stores_nothing(
    student_client, school, kind, data, message
):
    exercise = school.quizzes[kind]
    response = student_client.post(school.answer_url(exercise), data)
    assert response.status_code == 400
    shown = section(response.content.decode(), exercise)
    assert message in shown[shown.index('class="quiz-result') :]
    assert not QuizAttempt.objects.exists()


@pytest.mark.parametrize("place", ["²", "9" * 5000, "-1", "1.5", ""])
def test_a_tampered_place_is_a_clear_400_never_a_server_error(student_client, school, place):
    exercise = school.quizzes["ordering"]
    data = {"item-0": place, "item-1": "2", "item-2": "3", "item-3": "4"}
    response = student_client.post(school.answer_url(exercise), data)
    assert response.status_code == 400
    assert "each exactly once" in section(response.content.decode(), exercise)
    assert not QuizAttempt.objects.exists()


def test_a_refused_answer_keeps_what_the_learner_typed(student_client, school):
    exercise = school.quizzes["numeric"]
    response = student_client.post(school.answer_url(exercise), {"answer": "five"})
    assert read_form(response.content.decode(), exercise).selected == {"answer": ["five"]}
    ordering = school.quizzes["ordering"]
    data = {"item-0": "2", "item-1": "2", "item-2": "1", "item-3": "4"}
    response = student_client.post(school.answer_url(ordering), data)
    assert read_form(response.content.decode(), ordering).selected == {
        name: [value] for name, value in data.items()
    }


def test_a_malformed_answer_is_explained_in_chinese(student_client, school):
    student_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    exercise = school.quizzes["numeric"]
    response = student_client.post(school.answer_url(exercise), {"answer": "five"})
    assert response.status_code == 400
    assert "请输入一个数字，例如 3.5。" in section(response.content.decode(), exercise)


def test_numbers_typed_with_full_width_digits_count(student_client, school):
    exercise = school.quizzes["numeric"]
    student_client.post(school.answer_url(exercise), {"answer": "５.５"})
    assert QuizAttempt.objects.get(exercise=exercise).correct is True


# --- attempts ----------------------------------------------------------------------------------


def test_attempts_run_out_and_then_the_form_is_closed(student_client, school):
    exercise = make_quiz(school.teacher, school.lesson, "true_false", max_attempts=2)
    url = school.answer_url(exercise)
    page = student_client.get(school.lesson_url()).content.decode()
    assert "Attempts left: 2" in section(page, exercise)

    student_client.post(url, {"answer": "true"})
    shown = section(student_client.get(school.lesson_url()).content.decode(), exercise)
    assert "Attempts left: 1" in shown
    assert "Because sensors sense." not in shown  # the explanation would give the answer away

    student_client.post(url, {"answer": "true"})
    page = student_client.get(school.lesson_url()).content.decode()
    shown = section(page, exercise)
    assert "No attempts left." in shown and "Because sensors sense." in shown
    assert "badge-done" in shown  # done: out of attempts
    form = read_form(page, exercise)
    assert form.disabled

    response = student_client.post(url, {"answer": "false"})
    assert response.status_code == 409
    assert "You have used all 2 attempts at this exercise." in section(
        response.content.decode(), exercise
    )
    assert QuizAttempt.objects.filter(exercise=exercise).count() == 2


def test_the_explanation_shows_once_the_answer_is_right(student_client, school):
    exercise = school.quizzes["true_false"]
    student_client.post(school.answer_url(exercise), {"answer": "false"})
    shown = section(student_client.get(school.lesson_url()).content.decode(), exercise)
    assert "Because sensors sense." in shown and "Attempts left" not in shown  # no limit


def test_feedback_follows_the_language_the_learner_switches_to(student_client, school):
    exercise = school.quizzes["single_choice"]
    student_client.post(school.answer_url(exercise), {"answer": "battery"})
    english = section(student_client.get(school.lesson_url()).content.decode(), exercise)
    assert "Not quite. A battery stores power." in english
    student_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    chinese = section(student_client.get(school.lesson_url()).content.decode(), exercise)
    assert "不太对。电池储存电能。" in chinese and "电池" in chinese


# --- who may answer -----------------------------------------------------------------------------


def test_an_anonymous_answer_goes_to_sign_in_and_stores_nothing(client, school):
    exercise = school.quizzes["true_false"]
    response = client.post(school.answer_url(exercise), {"answer": "false"})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")
    assert not QuizAttempt.objects.exists()
    page = client.get(school.lesson_url()).content.decode()
    assert not read_form(page, exercise).has_submit  # the page offers sign-in instead


def test_the_answer_url_takes_posts_only(student_client, school):
    assert student_client.get(school.answer_url(school.quizzes["true_false"])).status_code == 405


def test_an_unpublished_exercise_cannot_be_answered_by_a_learner(student_client, school):
    hidden = make_quiz(school.teacher, school.lesson, "true_false", published=False)
    assert (
        f'id="exercise-{hidden.pk}"' not in student_client.get(school.lesson_url()).content.decode()
    )
    assert student_client.post(school.answer_url(hidden), {"answer": "false"}).status_code == 404
    assert not QuizAttempt.objects.exists()


def test_an_exercise_of_another_lesson_is_a_404_under_this_lesson(student_client, school):
    exercise = school.quizzes["true_false"]
    url = f"{school.lesson_url(school.second_lesson)}exercises/{exercise.pk}/answer/"
    assert student_client.post(url, {"answer": "false"}).status_code == 404


def test_a_notebook_exercise_takes_no_quiz_answers(student_client, school):
    response = student_client.post(school.answer_url(school.notebook), {"answer": "x"})
    assert response.status_code == 400
    assert "This exercise takes a notebook" in response.content.decode()


def test_a_teacher_may_try_the_quizzes_too(client, school):
    client.force_login(school.teacher)
    response = client.post(school.answer_url(school.quizzes["true_false"]), {"answer": "false"})
    assert response.status_code == 302
    assert QuizAttempt.objects.get(learner=school.teacher).correct


def test_learners_never_see_each_others_answers(client, school):
    classmate = factories.make_student("lin")
    school.classroom.learners.add(classmate)
    exercise = school.quizzes["short_text"]
    client.force_login(classmate)
    client.post(school.answer_url(exercise), {"answer": "my secret guess"})
    client.force_login(school.student)
    page = client.get(school.lesson_url()).content.decode()
    assert "my secret guess" not in page
    assert "Right!" not in section(page, exercise) and "Not right yet." not in section(
        page, exercise
    )


def test_the_script_contract_json_to_the_api_with_the_forms_csrf_token(school):
    """quiz.js posts {"answer": …} to the form's data-api URL with the form's CSRF token."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(school.student)
    exercise = school.quizzes["ordering"]
    page = browser.get(school.lesson_url()).content.decode()
    shown = section(page, exercise)
    api_url = f"/api/v1/exercises/{exercise.pk}/answers/"
    assert f'data-api="{api_url}"' in shown and 'data-kind="ordering"' in shown
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    body = json.dumps({"answer": ["collect", "label", "train", "test"]})
    refused = browser.post(api_url, body, content_type="application/json")
    assert refused.status_code == 403  # no token, no answer
    response = browser.post(api_url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201
    assert response.json()["correct"] is True and response.json()["attempts_left"] is None
    assert 'id="learn-strings"' in page and "/static/learn/quiz.js" in page
