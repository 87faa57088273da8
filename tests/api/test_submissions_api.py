"""The submissions API: who sees what, what a POST stores, and what it refuses (storing nothing).

Endpoints: POST/GET /api/v1/exercises/{id}/submissions/ and GET /api/v1/submissions/{id}/.
ms_lin teaches ada (class 7B), mr_okafor teaches grace (7C); root_admin is a platform admin.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from graders.models import Submission
from graders.results import NEEDS_REVIEW
from tests import factories

pytestmark = pytest.mark.django_db

STAFF_FIELDS = {"review_reasons", "worker", "retries"}
REVIEW_REASON = "'essay' is marked by a teacher."


def list_url(exercise_id: int) -> str:
    return f"/api/v1/exercises/{exercise_id}/submissions/"


def detail_url(submission_id: int) -> str:
    return f"/api/v1/submissions/{submission_id}/"


def hidden_test_code() -> list[str]:
    """Every non-trivial line between the hidden-test markers of the demo source notebook."""
    lines, inside = [], False
    for cell in json.loads(factories.demo_source())["cells"]:
        for line in "".join(cell["source"]).splitlines():
            if "BEGIN HIDDEN TESTS" in line or "END HIDDEN TESTS" in line:
                inside = "BEGIN" in line
            elif inside and len(line.strip()) > 10:
                lines.append(line.strip())
    assert lines, "the demo exercise should have hidden tests"
    return lines


@pytest.fixture
def graded(school, student, exercise):
    """ada's first attempt, graded and flagged for review (so staff fields have content)."""
    result = factories.grade_result(status=NEEDS_REVIEW, review_reasons=[REVIEW_REASON])
    return factories.finish_submission(factories.make_submission(student, exercise), result)


@pytest.fixture
def others(school, other_student, exercise):
    """grace's (7C) attempt at the same exercise."""
    return factories.finish_submission(factories.make_submission(other_student, exercise))


# --- authentication ---------------------------------------------------------------------------


@pytest.mark.parametrize("method,target", [("get", "list"), ("post", "list"), ("get", "detail")])
def test_anonymous_is_refused_on_every_endpoint(api, graded, exercise, method, target):
    """Given no credentials, when any endpoint is called, then 401/403 and nothing is stored."""
    url = list_url(exercise.pk) if target == "list" else detail_url(graded.pk)
    before = Submission.objects.count()
    response = api.submit(exercise.pk) if method == "post" else api.get(url)
    assert response.status_code in (401, 403)
    assert "tests" not in response.json()
    assert Submission.objects.count() == before


def test_a_wrong_token_is_refused(api, graded):
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert api.get(detail_url(graded.pk)).status_code in (401, 403)


@pytest.mark.parametrize("login", ["as_token", "as_session"])
def test_token_and_session_auth_both_read_and_submit(api, student, graded, exercise, login):
    """Given ada logged in by token or by session, she can read her result and submit again."""
    getattr(api, login)(student)
    assert api.get(detail_url(graded.pk)).json()["id"] == graded.pk
    response = api.submit(exercise.pk)
    assert response.status_code == 201, response.content
    assert response.json()["attempt"] == 2


def test_session_posts_need_the_csrf_token_but_token_posts_do_not(student, exercise):
    """Given a browser session, a POST without the CSRF token is refused; with it, accepted
    (raw JSON and multipart alike). A token-authenticated script needs no CSRF token."""
    browser = factories.ApiClient(enforce_csrf_checks=True).as_session(student)
    for how in ("json", "multipart"):
        refused = browser.submit(exercise.pk, how=how)
        assert refused.status_code == 403
        assert "CSRF" in refused.json()["detail"]
    assert Submission.objects.count() == 0
    token = "a" * 32  # what the csrftoken cookie holds; the page's script echoes it in a header
    browser.cookies["csrftoken"] = token
    for attempt, how in enumerate(("json", "multipart"), start=1):
        accepted = browser.submit(exercise.pk, how=how, HTTP_X_CSRFTOKEN=token)
        assert accepted.status_code == 201, accepted.content
        assert accepted.json()["attempt"] == attempt
    scripted = factories.ApiClient(enforce_csrf_checks=True).as_token(student)
    assert scripted.submit(exercise.pk).status_code == 201


# --- who sees what ----------------------------------------------------------------------------

VIEWERS = [
    ("student", 200),  # the learner themself
    ("other_student", 404),  # another class's learner
    ("teacher", 200),  # teaches the learner's class
    ("other_teacher", 404),  # teaches another class
    ("platform_admin", 200),
]


@pytest.mark.parametrize("viewer,expected", VIEWERS)
def test_submission_detail_by_role(api, request, graded, viewer, expected):
    """Given ada's graded submission, each role sees it, or gets the same 404 as a missing id."""
    api.as_token(request.getfixturevalue(viewer))
    response = api.get(detail_url(graded.pk))
    assert response.status_code == expected
    if expected == 404:
        missing = api.get(detail_url(graded.pk + 10_000))
        assert missing.status_code == 404
        assert response.json() == missing.json()  # nothing tells "exists" from "doesn't"
    else:
        assert response.json()["learner"] == "ada"
        assert response.json()["score"] == graded.score


@pytest.mark.parametrize("viewer", ["teacher", "other_teacher", "platform_admin"])
def test_other_class_submission_by_role(api, request, others, viewer):
    """Given grace's submission (7C), ms_lin (7B) cannot see it; her teacher and admin can."""
    api.as_token(request.getfixturevalue(viewer))
    expected = 404 if viewer == "teacher" else 200
    assert api.get(detail_url(others.pk)).status_code == expected


def test_a_learner_lists_only_their_own_attempts(api, student, graded, others, exercise):
    """Given ada and grace both submitted, ada's list holds only ada's attempts, newest first."""
    second = factories.make_submission(student, exercise)
    body = api.as_token(student).get(list_url(exercise.pk)).json()
    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [second.pk, graded.pk]
    assert {row["learner"] for row in body["results"]} == {"ada"}


@pytest.mark.parametrize("viewer", ["teacher", "other_teacher", "platform_admin"])
def test_the_exercise_list_is_the_callers_own_attempts_even_for_staff(
    api, request, graded, others, exercise, viewer
):
    """Given learners' submissions, the per-exercise list shows staff only their own attempts."""
    body = api.as_token(request.getfixturevalue(viewer)).get(list_url(exercise.pk)).json()
    assert body["count"] == 0
    assert body["results"] == []


def test_learners_never_see_staff_fields(api, student, graded, exercise):
    """Given a result with review reasons, ada sees neither them nor worker/retries anywhere."""
    api.as_token(student)
    detail = api.get(detail_url(graded.pk))
    listed = api.get(list_url(exercise.pk)).json()["results"][0]
    for shown in (detail.json(), listed):
        assert STAFF_FIELDS.isdisjoint(shown)
    assert REVIEW_REASON not in detail.content.decode()
    assert "worker@test" not in detail.content.decode()


@pytest.mark.parametrize("viewer", ["teacher", "platform_admin"])
def test_staff_see_review_reasons_worker_and_retries(api, request, graded, viewer):
    body = api.as_token(request.getfixturevalue(viewer)).get(detail_url(graded.pk)).json()
    assert body["review_reasons"] == [REVIEW_REASON]
    assert body["worker"] == "worker@test"
    assert body["retries"] == 0


@pytest.mark.parametrize("viewer", ["student", "teacher", "platform_admin"])
def test_hidden_tests_show_pass_fail_and_points_but_no_code(api, request, graded, viewer):
    """Given hidden tests in the result, every role sees pass/fail and points, never their code."""
    response = api.as_token(request.getfixturevalue(viewer)).get(detail_url(graded.pk))
    tests = {test["grade_id"]: test for test in response.json()["tests"]}
    assert tests["test_accuracy_errors"] == {
        "grade_id": "test_accuracy_errors",
        "points": 2.0,
        "max_points": 2.0,
        "passed": True,
        "message": "Passed.",
        "hidden": True,
    }
    assert tests["test_nearest_neighbour_hidden"]["passed"] is False
    assert tests["test_nearest_neighbour_hidden"]["message"] == "Failed."
    assert tests["test_accuracy_basic"]["hidden"] is False
    text = response.content.decode()
    for line in hidden_test_code():
        assert line not in text
    assert "BEGIN HIDDEN TESTS" not in text
    assert '"content"' not in text  # the uploaded bytes are never echoed back


DRAFT_VIEWERS = [
    ("student", 404),
    ("other_student", 404),
    ("teacher", 200),  # the owner
    ("other_teacher", 404),
    ("platform_admin", 200),
]


@pytest.mark.parametrize("viewer,expected", DRAFT_VIEWERS)
def test_an_unpublished_exercise_is_invisible_to_learners(
    api, request, school, draft_exercise, viewer, expected
):
    """Given a draft exercise by ms_lin, learners and other teachers get 404 and store nothing."""
    api.as_token(request.getfixturevalue(viewer))
    url = list_url(draft_exercise.pk)
    assert api.get(url).status_code == expected
    posted = api.submit(draft_exercise.pk)
    assert posted.status_code == (404 if expected == 404 else 201)
    if expected == 404:
        assert Submission.objects.count() == 0


def test_a_missing_exercise_is_404(api, student):
    api.as_token(student)
    assert api.get(list_url(999_999)).status_code == 404
    assert api.submit(999_999).status_code == 404


# --- submitting -------------------------------------------------------------------------------


def test_multipart_and_json_posts_store_the_exact_bytes_in_numbered_attempts(
    api, student, exercise
):
    """Given three uploads (file, raw JSON, file), each is stored byte for byte as attempt 1,2,3."""
    api.as_token(student)
    # Odd spacing and non-ASCII text: a re-serialised notebook would not match these bytes.
    correct = json.loads(factories.submitted_notebook("correct"))
    correct["metadata"]["note"] = "启明 ✓"
    uploads = [
        ("multipart", factories.submitted_notebook("wrong")),
        ("json", json.dumps(correct, indent=3, ensure_ascii=False).encode() + b"\n\n"),
        ("multipart", factories.submitted_notebook("partly_correct")),
    ]
    for attempt, (how, content) in enumerate(uploads, start=1):
        before = timezone.now()
        response = api.submit(exercise.pk, content, how)
        after = timezone.now()
        assert response.status_code == 201, response.content
        body = response.json()
        stored = Submission.objects.get(pk=body["id"])
        assert (body["status"], body["attempt"], stored.attempt) == ("queued", attempt, attempt)
        assert bytes(stored.content) == content
        assert stored.sha256 == body["sha256"] == hashlib.sha256(content).hexdigest()
        assert stored.size == body["size"] == len(content)
        assert before <= stored.received_at <= after
        assert parse_datetime(body["received_at"]) == stored.received_at
        assert body["score"] is None and body["tests"] == []
        assert body["max_score"] == factories.DEMO_MAX_SCORE
        assert STAFF_FIELDS.isdisjoint(body)
    assert Submission.objects.filter(learner=student).count() == 3


NESTED = b'{"nbformat": 4, "cells": ' + b"[" * 5000 + b"]" * 5000 + b"}"
INVALID_NOTEBOOKS = [
    ("not-json", b"this is not a notebook", "The file is not valid JSON (line 1, column 1)."),
    ("empty", b"", "The file is not valid JSON (line 1, column 1)."),
    ("not-utf8", b"\xff\xfe{}", "The file is not UTF-8 text (invalid byte at position 0)."),
    (
        "array",
        b"[1, 2]",
        "The file is not a valid Jupyter notebook: the top level is not a JSON object.",
    ),
    (
        "schema",
        json.dumps(
            {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code"}]}
        ).encode(),
        "The file is not a valid Jupyter notebook: cells[0] 'metadata' is a required property.",
    ),
    ("nested", NESTED, "The notebook is nested too deeply."),
]


@pytest.mark.parametrize("how", ["multipart", "json"])
@pytest.mark.parametrize(
    "name,content,message", INVALID_NOTEBOOKS, ids=[n[0] for n in INVALID_NOTEBOOKS]
)
def test_invalid_notebooks_are_400_with_a_specific_message_and_store_nothing(
    api, student, exercise, how, name, content, message
):
    api.as_token(student)
    before = Submission.objects.count()
    response = api.submit(exercise.pk, content, how)
    assert response.status_code == 400, response.content
    assert response.json() == {"detail": message}
    assert Submission.objects.count() == before


def test_a_multipart_post_without_the_notebook_field_is_400(api, student, exercise):
    api.as_token(student)
    upload = SimpleUploadedFile("ps1.ipynb", factories.submitted_notebook(), "application/json")
    response = api.post(list_url(exercise.pk), {"file": upload, "x": "1"}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"detail": "Attach the notebook file in the field 'notebook'."}
    assert Submission.objects.count() == 0


@pytest.mark.parametrize("how", ["multipart", "json", "json-far-too-large"])
def test_an_oversized_notebook_is_413_and_stores_nothing(api, student, exercise, settings, how):
    """Given a 2000-byte limit, a 7 KB notebook (or a 150 KB body) is 413 and nothing is kept."""
    settings.GRADER_MAX_NOTEBOOK_BYTES = 2000
    api.as_token(student)
    content = factories.submitted_notebook()
    if how == "json-far-too-large":
        pad = b'"metadata": {"pad": "' + b"x" * 150_000 + b'",'
        content, how = content.replace(b'"metadata": {', pad, 1), "json"
    response = api.submit(exercise.pk, content, how)
    assert response.status_code == 413, response.content
    assert response.json()["detail"].startswith("The notebook is too large")
    assert Submission.objects.count() == 0


def test_too_many_in_flight_is_429_until_one_is_graded(api, student, exercise, settings):
    """Given two queued attempts and GRADER_MAX_IN_FLIGHT=2, a third waits for a result."""
    settings.GRADER_MAX_IN_FLIGHT = 2
    first = factories.make_submission(student, exercise)
    factories.make_submission(student, exercise)
    api.as_token(student)
    refused = api.submit(exercise.pk)
    assert refused.status_code == 429
    assert refused.json() == {
        "detail": "You already have 2 submissions waiting to be graded. "
        "Please wait for their results before submitting again."
    }
    assert Submission.objects.count() == 2
    factories.finish_submission(first)
    accepted = api.submit(exercise.pk)
    assert accepted.status_code == 201
    assert accepted.json()["attempt"] == 3


def test_too_many_per_minute_is_429_even_when_graded(api, student, exercise, settings):
    """Given GRADER_MAX_PER_MINUTE=2 and two graded attempts this minute, a third is refused."""
    settings.GRADER_MAX_PER_MINUTE = 2
    for _ in range(2):
        factories.finish_submission(factories.make_submission(student, exercise))
    api.as_token(student)
    refused = api.submit(exercise.pk)
    assert refused.status_code == 429
    assert refused.json() == {
        "detail": "You have submitted 2 times in the last minute. Please wait a moment."
    }
    assert Submission.objects.count() == 2
    Submission.objects.update(received_at=timezone.now() - timedelta(minutes=2))
    assert api.submit(exercise.pk).status_code == 201


def test_a_malformed_content_length_is_a_client_error_not_a_500(api, student, exercise):
    """Given a Content-Length that is not a number (runserver passes it through unchecked),
    when a learner posts, then the answer is a 4xx and nothing is stored — never a 500."""
    api.as_token(student)
    api.raise_request_exception = False
    response = api.submit(exercise.pk, CONTENT_LENGTH="abc")
    assert response.status_code == 400
    assert Submission.objects.count() == 0


@pytest.mark.parametrize("how", ["multipart", "json"])
def test_the_413_message_tells_the_real_size_apart_from_the_limit(
    api, student, exercise, settings, how
):
    """Given the default 5 MB limit and a 5.02 MB notebook, the 413 message must not read
    "5.0 MB, the limit is 5.0 MB" (graders.notebook._too_large avoids exactly that)."""
    settings.GRADER_MAX_NOTEBOOK_BYTES = 5_000_000  # the production default
    pad = b'"metadata": {"pad": "' + b"x" * 5_010_000 + b'",'
    content = factories.submitted_notebook().replace(b'"metadata": {', pad, 1)
    response = api.as_token(student).submit(exercise.pk, content, how)
    assert response.status_code == 413
    detail = response.json()["detail"]
    shown = re.findall(r"\d[\d.,]*\s*(?:bytes|KB|MB)", detail)
    assert len(shown) == 2 and shown[0] != shown[1], detail
    assert Submission.objects.count() == 0


def test_a_notebook_posted_to_a_quiz_exercise_is_400_and_stores_nothing(api, student):
    """Given a true/false quiz, when a learner posts a notebook to it, then 400 and no submission."""
    from courses.services import exercise_create_quiz

    quiz = exercise_create_quiz(
        owner=factories.make_teacher(),
        kind="true_false",
        title="Robots dream",
        spec={"correct": True},
        is_published=True,
    )
    api.as_token(student)
    response = api.submit(quiz.pk, factories.submitted_notebook())
    assert response.status_code == 400
    assert response.json() == {"detail": "This exercise takes answers, not a notebook."}
    assert Submission.objects.count() == 0
