# Chinese messages use full-width punctuation on purpose.
# ruff: noqa: RUF001
"""POST/GET /api/v1/exercises/{id}/answers/: quiz answers marked at once, in the learner's language.

Every kind right, wrong and partly right through HTTP; malformed answers get one clear sentence
and store nothing; attempts run out with a 409; anonymous callers and hidden exercises are
refused; and schemathesis finds no request that makes a 5xx.
"""

from __future__ import annotations

import json
import math
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode

from config.wsgi import application
from courses import quiz, services
from courses.models import AgeBand, BigIdea, Exercise, QuizAttempt
from tests import factories
from tests.courses.test_quiz_marking import MALFORMED, PARTLY, RIGHT, SPECS, WRONG

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u4e00-\u9fff]")


def url(exercise) -> str:
    return f"/api/v1/exercises/{getattr(exercise, 'pk', exercise)}/answers/"


@pytest.fixture
def teacher():
    return factories.make_teacher("ms_lin")


@pytest.fixture
def student():
    return factories.make_student("ada")


@pytest.fixture
def other_student():
    return factories.make_student("grace")


def make_course(teacher, *, published=True, slug="seeing-machines"):
    course = services.course_create(
        owner=teacher,
        slug=slug,
        title_en="Seeing machines",
        title_zh="会看的机器",
        age_band=AgeBand.AGES_6_8,
        big_ideas=[BigIdea.PERCEPTION],
        is_published=published,
        is_public=True,
    )
    unit = services.unit_create(course=course, title_en="Sensors", title_zh="传感器")
    return services.lesson_create(unit=unit, title_en="Find them", title_zh="找一找")


@pytest.fixture
def lesson(teacher):
    return make_course(teacher)


def make_quiz(teacher, lesson, kind="single_choice", *, published=True, **fields):
    return services.exercise_create_quiz(
        owner=teacher,
        kind=kind,
        title=f"{kind} quiz",
        spec=SPECS[kind],
        lesson=lesson,
        prompt_en="Answer me.",
        prompt_zh="请作答。",
        explanation_en="Because sensors sense.",
        explanation_zh="因为传感器能感知。",
        is_published=published,
        **fields,
    )


@pytest.fixture
def quizzes(teacher, lesson):
    return {kind: make_quiz(teacher, lesson, kind) for kind in quiz.KINDS}


@pytest.fixture
def api(student):
    return factories.ApiClient().as_token(student)


def send(client, exercise, answer, **extra):
    return client.post(url(exercise), {"answer": answer}, format="json", **extra)


ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


# --- marking ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind,answer,correct,fraction", RIGHT + WRONG + PARTLY)
def test_every_kind_is_marked_at_once(api, quizzes, student, kind, answer, correct, fraction):
    response = send(api, quizzes[kind], answer)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["correct"] is correct
    assert body["score"] == pytest.approx(fraction)
    assert body["max_score"] == 1
    assert body["attempt"] == 1 and body["exercise"] == quizzes[kind].pk
    assert body["attempts_left"] is None
    assert body["feedback"].startswith("Correct!" if correct else ("Partly" if fraction else "Not"))
    stored = QuizAttempt.objects.get(learner=student)
    assert (stored.answer, stored.correct, stored.score) == (answer, correct, body["score"])


def test_the_explanation_comes_once_the_answer_is_right(api, quizzes):
    wrong = send(api, quizzes["true_false"], True).json()
    assert wrong["explanation"] == ""  # it would give the answer away while tries remain
    right = send(api, quizzes["true_false"], False).json()
    assert right["explanation"] == "Because sensors sense."
    assert (wrong["attempt"], right["attempt"]) == (1, 2)


def test_an_option_picture_quiz_for_the_young(api, teacher, lesson):
    exercise = make_quiz(teacher, lesson, "categorise")
    answer = {"apple": "fruit", "banana": "fruit", "car": "other", "shoe": "fruit"}
    body = send(api, exercise, answer).json()
    assert body["score"] == 0.75
    assert body["feedback"] == "Partly right: 3 of 4 items in the right group."


# --- malformed answers --------------------------------------------------------------------------

SENDABLE = [case for case in MALFORMED if not (isinstance(case[1], float) and math.isnan(case[1]))]


@pytest.mark.parametrize("kind,answer,fragment", SENDABLE)
def test_a_malformed_answer_is_a_400_with_one_sentence_and_nothing_is_stored(
    api, quizzes, kind, answer, fragment
):
    before = QuizAttempt.objects.count()
    response = send(api, quizzes[kind], answer)
    assert response.status_code == 400
    assert fragment in response.json()["detail"]
    assert QuizAttempt.objects.count() == before == 0


@pytest.mark.parametrize(
    "body,content_type,status,fragment",
    [
        (
            b'{"reply": "sensor"}',
            "application/json",
            400,
            'Send the answer as a JSON object: {"answer"',
        ),
        (b'["sensor"]', "application/json", 400, "Send the answer as a JSON object"),
        (b'{"answer": "sensor"', "application/json", 400, "JSON parse error"),
        (b'{"answer": NaN}', "application/json", 400, "JSON parse error"),
        (b'{"answer": "\xff"}', "application/json", 400, "JSON parse error"),
        (b"[" * 30_000 + b"]" * 30_000, "application/json", 400, "JSON parse error"),
        (b'{"answer": "' + b"x" * 70_000 + b'"}', "application/json", 413, "too large"),
        (b"answer=sensor", "application/x-www-form-urlencoded", 415, "Unsupported media type"),
    ],
)
def test_a_body_that_is_not_an_answer_is_refused_and_nothing_is_stored(
    api, quizzes, body, content_type, status, fragment
):
    response = api.post(url(quizzes["single_choice"]), body, content_type=content_type)
    assert response.status_code == status
    assert fragment in response.json()["detail"]
    assert not QuizAttempt.objects.exists()


def test_a_malformed_answer_does_not_use_up_an_attempt(api, teacher, lesson):
    exercise = make_quiz(teacher, lesson, max_attempts=1)
    assert send(api, exercise, "ghost").status_code == 400
    assert send(api, exercise, "sensor").status_code == 201


def test_a_corrupted_spec_is_a_clear_refusal_not_a_server_error(api, quizzes):
    exercise = quizzes["single_choice"]
    Exercise.objects.filter(pk=exercise.pk).update(spec={"options": "broken"})
    response = send(api, exercise, "sensor")
    assert response.status_code == 409
    assert "tell your teacher" in response.json()["detail"]
    assert not QuizAttempt.objects.exists()


# --- attempts -----------------------------------------------------------------------------------


def test_attempts_run_out_with_a_409_and_a_clear_message(api, teacher, lesson, student):
    exercise = make_quiz(teacher, lesson, max_attempts=2)
    first = send(api, exercise, "battery").json()
    assert (first["attempts_left"], first["explanation"]) == (1, "")
    second = send(api, exercise, "screen").json()
    # Out of attempts: now the explanation may be shown.
    assert (second["attempts_left"], second["explanation"]) == (0, "Because sensors sense.")
    third = send(api, exercise, "sensor")
    assert third.status_code == 409
    assert third.json()["detail"] == "You have used all 2 attempts at this exercise."
    assert QuizAttempt.objects.filter(learner=student).count() == 2
    chinese = send(api, exercise, "sensor", **ZH)
    assert chinese.json()["detail"] == "这道题的 2 次作答机会你已经用完了。"


def test_attempts_are_counted_per_learner(teacher, lesson, student, other_student):
    exercise = make_quiz(teacher, lesson, max_attempts=1)
    ada = factories.ApiClient().as_token(student)
    grace = factories.ApiClient().as_token(other_student)
    assert send(ada, exercise, "sensor").status_code == 201
    assert send(grace, exercise, "battery").status_code == 201
    assert send(ada, exercise, "sensor").status_code == 409


def test_attempt_numbers_follow_each_other(student, quizzes):
    exercise = quizzes["numeric"]
    attempts = [
        services.quiz_answer_submit(learner=student, exercise=exercise, answer=value)
        for value in (1, "5.6", 5.5)
    ]
    assert [attempt.attempt for attempt in attempts] == [1, 2, 3]
    assert [attempt.correct for attempt in attempts] == [False, True, True]


def test_the_service_refuses_a_malformed_answer_and_stores_nothing(student, quizzes):
    with pytest.raises(services.QuizAnswerRejected) as raised:
        services.quiz_answer_submit(learner=student, exercise=quizzes["match"], answer=[])
    assert raised.value.status_code == 400
    assert (
        raised.value.message("zh-hans") == "请发送一个对象：左边每一项的 id 对应右边与它配对的 id。"
    )
    assert not QuizAttempt.objects.exists()


# --- the learner's own attempts -----------------------------------------------------------------


def test_get_lists_the_callers_own_attempts_newest_first(api, quizzes, other_student):
    exercise = quizzes["single_choice"]
    send(api, exercise, "battery")
    send(api, exercise, "sensor")
    send(factories.ApiClient().as_token(other_student), exercise, "screen")
    response = api.get(url(exercise))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(a["attempt"], a["answer"], a["correct"]) for a in results] == [
        (2, "sensor", True),
        (1, "battery", False),
    ]
    assert results[1]["feedback"] == "Not quite. A battery stores power."


# --- languages ----------------------------------------------------------------------------------


def test_feedback_and_explanation_follow_accept_language(api, quizzes):
    body = send(api, quizzes["short_text"], "过拟合。", **ZH).json()
    assert body["correct"] is True
    assert body["feedback"] == "正确！"
    assert body["explanation"] == "因为传感器能感知。"


def test_malformed_answer_messages_follow_the_language(api, quizzes):
    response = send(api, quizzes["numeric"], "五点五", **ZH)
    assert response.status_code == 400
    assert response.json()["detail"] == "请输入一个数字，例如 3.5。"


def test_switching_language_later_shows_the_same_attempts_in_chinese(api, quizzes):
    send(api, quizzes["multiple_choice"], ["camera"])
    api.cookies["django_language"] = "zh-hans"  # what the site's language switcher sets
    (attempt,) = api.get(url(quizzes["multiple_choice"])).json()["results"]
    assert attempt["feedback"] == "部分正确：2 个正确选项中选对了 1 个，选错了 0 个。"


def test_a_notebook_exercise_says_so_in_both_languages(api, teacher):
    notebook = factories.make_exercise(teacher)
    for response in (send(api, notebook, "x"), api.get(url(notebook))):
        assert response.status_code == 400
        assert response.json()["detail"].startswith("This exercise takes a notebook")
    assert "笔记本" in send(api, notebook, "x", **ZH).json()["detail"]
    assert not QuizAttempt.objects.exists()


# --- who may answer -----------------------------------------------------------------------------


def test_anonymous_callers_are_refused(quizzes):
    anonymous = factories.ApiClient()
    exercise = quizzes["single_choice"]
    assert send(anonymous, exercise, "sensor").status_code in (401, 403)
    assert anonymous.get(url(exercise)).status_code in (401, 403)
    assert not QuizAttempt.objects.exists()


def test_unpublished_exercises_and_courses_are_not_found(api, teacher, lesson):
    draft = make_quiz(teacher, lesson, published=False)
    hidden_course = make_course(teacher, published=False, slug="draft-course")
    in_draft_course = make_quiz(teacher, hidden_course)
    for exercise in (draft, in_draft_course, 999_999):
        assert send(api, exercise, "sensor").status_code == 404
        assert api.get(url(exercise)).status_code == 404
    assert not QuizAttempt.objects.exists()


def test_a_teacher_may_try_their_own_draft_but_not_anothers(teacher, lesson):
    draft = make_quiz(teacher, lesson, published=False)
    owner = factories.ApiClient().as_token(teacher)
    assert send(owner, draft, "sensor").status_code == 201
    other = factories.ApiClient().as_token(factories.make_teacher("mr_okafor"))
    assert send(other, draft, "sensor").status_code == 404


def test_a_signed_in_page_needs_the_csrf_token(student, quizzes):
    """Session callers (the learner's pages) must send Django's CSRF token; tokens need none."""
    client = factories.ApiClient(enforce_csrf_checks=True)
    client.as_session(student)
    exercise = quizzes["true_false"]
    assert send(client, exercise, False).status_code == 403
    secret = "k" * 32  # a CSRF secret of the right length, as the csrftoken cookie holds it
    client.cookies["csrftoken"] = secret
    assert send(client, exercise, False, HTTP_X_CSRFTOKEN=secret).status_code == 201
    assert QuizAttempt.objects.count() == 1


# --- no request is a server error ---------------------------------------------------------------

ANSWER_OPERATIONS = [
    ("/api/v1/exercises/{exercise_id}/answers/", "get"),
    ("/api/v1/exercises/{exercise_id}/answers/", "post"),
]
FUZZ_SETTINGS = hypothesis_settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def test_the_schema_documents_the_answer_operations(api):
    document = api.get("/api/schema/", {"format": "json"}).json()
    operations = document["paths"]["/api/v1/exercises/{exercise_id}/answers/"]
    assert set(operations["post"]["responses"]) == {"201", "400", "404", "409", "413"}
    assert "content" in operations["get"]["responses"]["200"]
    assert {"Answer", "AnswerResult", "QuizAttempt"} <= set(document["components"]["schemas"])


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("pinned", [False, True], ids=["any-ids", "real-ids"])
@pytest.mark.parametrize("path,method", ANSWER_OPERATIONS)
@pytest.mark.parametrize("kind", ["single_choice", "match", "notebook"])
def test_no_request_is_a_server_error(settings, teacher, student, kind, path, method, pinned):
    """Given a learner's token, when schemathesis sends 40 valid and invalid requests per
    operation (at a real exercise of each shape, or at any id), then none is answered with a 5xx."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    lesson = make_course(teacher)
    if kind == "notebook":
        exercise = factories.make_exercise(teacher)
    else:
        exercise = make_quiz(teacher, lesson, kind, max_attempts=5)
    token = factories.token_for(student)
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", application, headers={"Authorization": f"Token {token}"}
    )
    operation = schema[path][method.upper()]
    fixed = {"headers": {"Authorization": f"Token {token}"}}
    if pinned:
        fixed["path_parameters"] = {"exercise_id": exercise.pk}
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE, **fixed),
        operation.as_strategy(GenerationMode.NEGATIVE, **fixed),
    )

    @FUZZ_SETTINGS
    @given(case=cases)
    def fuzz(case):
        case.call_and_validate(checks=[not_a_server_error])

    fuzz()
    # Whatever was stored is a well-formed, marked attempt.
    for attempt in QuizAttempt.objects.all():
        quiz.validate_answer(attempt.exercise.kind, attempt.exercise.spec, attempt.answer)
        assert json.loads(json.dumps(attempt.answer)) == attempt.answer
