"""What grading stores for people to read is stored in English whatever language is active, and
is shown in the reader's: a submission failed or graded with each of grading's messages reads in
Chinese on the notebook page in zh-hans and from the submissions API with Accept-Language:
zh-hans. The learner's own errors are shown as they are."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from graders import messages, results, scoring, services
from graders.models import Submission
from graders.results import FAILED, NEEDS_REVIEW, GradeResult
from tests import factories

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u4e00-\u9fff]")

# (what grading stores, its msgid, the values filled in)
ERRORS = [
    (messages.TIMED_OUT, messages.TIMED_OUT, {}),
    (messages.RETRIES_EXHAUSTED, messages.RETRIES_EXHAUSTED, {}),
    (messages.DID_NOT_RUN, messages.DID_NOT_RUN, {}),
    (messages.NOT_STARTED, messages.NOT_STARTED, {}),
    (messages.OUT_OF_TIME, messages.OUT_OF_TIME, {}),
    (messages.TOO_MUCH_OUTPUT, messages.TOO_MUCH_OUTPUT, {}),
    (
        "A cell ran longer than 7.5 seconds and was stopped.",
        messages.CELL_TIMEOUT,
        {"seconds": "7.5"},
    ),
    (messages.PROCESS_DIED, messages.PROCESS_DIED, {}),
    (messages.KERNEL_PROTOCOL, messages.KERNEL_PROTOCOL, {}),
]

TEST_MESSAGES = [
    (messages.UNANSWERED, messages.UNANSWERED, {}),
    (messages.REVIEW, messages.REVIEW, {}),
    (messages.TEST_NOT_RUN, messages.TEST_NOT_RUN, {}),
    (messages.TEST_TIMEOUT, messages.TEST_TIMEOUT, {}),
    (messages.TEST_DIED, messages.TEST_DIED, {}),
    (messages.TEST_OUTPUT_LIMIT, messages.TEST_OUTPUT_LIMIT, {}),
    (messages.TEST_UNREADABLE, messages.TEST_UNREADABLE, {}),
    ("Partial credit: 1.5 of 2.", messages.PARTIAL_CREDIT, {"points": "1.5", "max": "2"}),
]


def chinese(msgid: str, values: dict) -> str:
    with translation.override("zh-hans"):
        text = gettext(msgid)
    assert HAN.search(text), f"no Chinese in the catalogue for {msgid!r}"
    return text % values if values else text


def escaped(text: str) -> str:
    return text.replace("'", "&#x27;").replace('"', "&quot;")


def page(client, exercise) -> str:
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    response = client.get(reverse("notebook:exercise", kwargs={"exercise_id": exercise.pk}))
    assert response.status_code == 200
    return response.content.decode()


def api_detail(client, submission) -> dict:
    response = client.get(f"/api/v1/submissions/{submission.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    return response.json()


def failed_with(student, exercise, reason: str) -> Submission:
    claimed = factories.start_grading(factories.make_submission(student, exercise))
    assert services.grading_fail(submission=claimed, reason=reason)
    return Submission.objects.get(pk=claimed.pk)


@pytest.mark.parametrize(("stored", "msgid", "values"), ERRORS, ids=lambda v: str(v)[:24])
def test_a_failed_submission_reads_in_chinese(student, exercise, client_for, stored, msgid, values):
    submission = failed_with(student, exercise, stored)
    assert submission.error == stored
    expected = chinese(msgid, values)
    html = page(client_for(student), exercise)
    assert escaped(expected) in html and escaped(stored) not in html
    assert api_detail(factories.ApiClient().as_token(student), submission)["error"] == expected


def test_the_worker_stores_english_whatever_language_is_active(student, exercise, settings):
    """Retries used up, seen by a worker thread that last served a Chinese request."""
    submission = factories.make_submission(student, exercise)
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.RUNNING,
        started_at=timezone.now() - timedelta(days=1),
        retries=settings.GRADER_MAX_RETRIES,
        run_token="old/token",
    )
    with translation.override("zh-hans"):
        assert factories.start_grading(submission) is None
    submission.refresh_from_db()
    assert submission.status == Submission.Status.FAILED
    assert submission.error == messages.RETRIES_EXHAUSTED


def test_tests_messages_read_in_chinese_and_the_learners_own_error_as_it_is(
    student, exercise, client_for
):
    own_error = "NameError: name 'x' is not defined"
    tests = [
        results.TestResult(f"t{index}", 0.0, 2.0, False, stored)
        for index, (stored, _msgid, _values) in enumerate(TEST_MESSAGES)
    ]
    tests.append(results.TestResult("mine", 0.0, 1.0, False, own_error))
    # A hidden test's partial points: the API gives them (the page shows points only).
    hidden = scoring.learner_view("secret", 1.5, 2.0, False, "", hidden=True, after_hidden=False)
    tests.append(hidden)
    result = GradeResult(status=NEEDS_REVIEW, score=1.5, max_score=19.0, tests=tests)
    submission = factories.finish_submission(factories.make_submission(student, exercise), result)

    html = page(client_for(student), exercise)
    for stored, msgid, values in TEST_MESSAGES:
        assert escaped(chinese(msgid, values)) in html
        assert escaped(stored) not in html
    assert escaped(own_error) in html

    shown = {
        test["grade_id"]: test["message"]
        for test in api_detail(factories.ApiClient().as_token(student), submission)["tests"]
    }
    for index, (_stored, msgid, values) in enumerate(TEST_MESSAGES):
        assert shown[f"t{index}"] == chinese(msgid, values)
    assert shown["mine"] == own_error
    assert hidden.message == "1.5 of 2."
    assert shown["secret"] == chinese(messages.HIDDEN_POINTS, {"points": "1.5", "max": "2"})


def test_review_reasons_read_in_chinese_for_staff(student, exercise):
    reasons = [messages.TAMPER_REASON, "'essay' is marked by a teacher."]
    result = factories.grade_result(status=NEEDS_REVIEW, review_reasons=reasons)
    submission = factories.finish_submission(factories.make_submission(student, exercise), result)
    admin = factories.make_admin("root_admin")
    shown = api_detail(factories.ApiClient().as_token(admin), submission)["review_reasons"]
    assert shown == [
        chinese(messages.TAMPER_REASON, {}),
        chinese(messages.MARKED_BY_TEACHER, {"grade_id": "essay"}),
    ]


def test_only_grading_s_own_words_are_translated():
    with translation.override("zh-hans"):
        for text in ("ValueError: 3 of 4.", "Partial credit: lots of it.", "", "Passed"):
            assert messages.translated(text) == text
        assert messages.translated("Passed.") != "Passed."
    # What the failed result of a notebook that never ran stores: the msgid, in English.
    assert GradeResult.failure(messages.DID_NOT_RUN).status == FAILED
    assert settings.LANGUAGE_CODE.startswith("en")
