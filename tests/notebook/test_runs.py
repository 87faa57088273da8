"""Submit and Check from the page, upload and download: through graders' services, private."""

import json

import nbformat
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from graders import answers, notebook
from graders.models import Draft, Submission
from tests import factories
from tests.notebook.conftest import HIDDEN_MARKER, SOLUTION_MARKER, correct_answers, post_json

pytestmark = pytest.mark.django_db


def runs_url(exercise) -> str:
    return reverse("notebook:runs", kwargs={"exercise_id": exercise.pk})


def run_url(exercise, submission) -> str:
    return reverse("notebook:run", kwargs={"exercise_id": exercise.pk, "run_id": submission.pk})


def _solution_sources(content: bytes) -> dict:
    nb = json.loads(content)
    return {
        cell["metadata"]["nbgrader"]["grade_id"]: "".join(cell["source"])
        if isinstance(cell["source"], list)
        else cell["source"]
        for cell in nb["cells"]
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution")
    }


def test_submit_creates_a_queued_attempt_holding_the_assembled_notebook(
    client_for, student, exercise, django_capture_on_commit_callbacks
):
    """Given the editors' text, Submit stores the released notebook with those answers, queued,
    as attempt 1, saves the draft too, and answers with where to poll."""
    cells = correct_answers()
    with django_capture_on_commit_callbacks() as callbacks:
        response = post_json(
            client_for(student), runs_url(exercise), {"purpose": "submit", "cells": cells}
        )

    assert response.status_code == 201
    body = response.json()
    submission = Submission.objects.get(pk=body["id"])
    assert (submission.purpose, submission.attempt, submission.status) == ("submit", 1, "queued")
    assert body["status_url"] == run_url(exercise, submission)
    # Enqueued once the transaction commits, and the reports count the day's work then too.
    assert len(callbacks) == 2
    content = bytes(submission.content)
    assert _solution_sources(content) == cells
    # Everything else is the released notebook: no solution or hidden test of the teacher's.
    assert HIDDEN_MARKER not in content.decode() and "BEGIN SOLUTION" not in content.decode()
    parsed = notebook.parse_notebook(content, max_bytes=10**7)
    assert len(parsed.cells) == len(exercise.released_notebook["cells"])
    assert Draft.objects.get(learner=student).cells == cells


def test_the_assembled_submission_grades_as_the_teachers_source(client_for, student, exercise):
    """The stored notebook assembles against the source like any upload: all answers present."""
    post_json(
        client_for(student), runs_url(exercise), {"purpose": "submit", "cells": correct_answers()}
    )
    submission = Submission.objects.get()
    source = nbformat.from_dict(exercise.source_notebook)

    assembly = notebook.assemble(
        source, notebook.parse_notebook(bytes(submission.content), max_bytes=10**7)
    )

    assert assembly.unanswered == []
    assert assembly.max_score == 10


def test_a_check_is_not_an_attempt_and_is_never_listed_or_scored(
    client_for, student, exercise, api
):
    client = client_for(student)
    check = post_json(client, runs_url(exercise), {"purpose": "check", "cells": correct_answers()})
    submit = post_json(
        client, runs_url(exercise), {"purpose": "submit", "cells": correct_answers()}
    )
    again = post_json(client, runs_url(exercise), {"purpose": "check", "cells": correct_answers()})

    assert check.status_code == submit.status_code == again.status_code == 201
    assert check.json()["attempt"] == 0 and again.json()["attempt"] == 0
    assert submit.json()["attempt"] == 1  # the check before it took no attempt number
    checked = Submission.objects.get(pk=check.json()["id"])
    assert checked.purpose == "check" and checked.max_score is None

    # Graded: the check keeps per-test results but no score.
    factories.finish_submission(checked)
    checked.refresh_from_db()
    assert checked.score is None and checked.tests

    api.as_session(student)
    listed = api.get(f"/api/v1/exercises/{exercise.pk}/submissions/").json()
    assert [row["id"] for row in listed["results"]] == [submit.json()["id"]]
    checks = api.get(f"/api/v1/exercises/{exercise.pk}/submissions/?purpose=check").json()
    assert {row["id"] for row in checks["results"]} == {check.json()["id"], again.json()["id"]}
    assert all(row["purpose"] == "check" and row["attempt"] == 0 for row in checks["results"])
    detail = api.get(f"/api/v1/submissions/{check.json()['id']}/").json()
    assert (detail["purpose"], detail["score"]) == ("check", None)
    assert list(Submission.objects.counted().values_list("pk", flat=True)) == [submit.json()["id"]]


def test_checks_stay_available_when_attempts_are_used_up(client_for, student, exercise):
    exercise.max_attempts = 1
    exercise.save(update_fields=["max_attempts"])
    client = client_for(student)
    assert (
        post_json(client, runs_url(exercise), {"purpose": "submit", "cells": {}}).status_code == 201
    )

    refused = post_json(client, runs_url(exercise), {"purpose": "submit", "cells": {}})
    check = post_json(client, runs_url(exercise), {"purpose": "check", "cells": {}})

    assert refused.status_code == 409
    assert "used your 1 attempt" in refused.json()["detail"]
    assert check.status_code == 201
    assert Submission.objects.counted().count() == 1


def test_checks_are_rate_limited_too(client_for, student, exercise, settings):
    settings.GRADER_MAX_IN_FLIGHT = 2
    client = client_for(student)
    for _ in range(2):
        assert (
            post_json(client, runs_url(exercise), {"purpose": "check", "cells": {}}).status_code
            == 201
        )

    response = post_json(client, runs_url(exercise), {"purpose": "check", "cells": {}})

    assert response.status_code == 429
    assert "waiting to be graded" in response.json()["detail"]
    assert Submission.objects.count() == 2


def test_a_run_needs_a_purpose_and_known_cells(client_for, student, exercise):
    client = client_for(student)
    no_purpose = post_json(client, runs_url(exercise), {"cells": {}})
    bad_cell = post_json(
        client, runs_url(exercise), {"purpose": "submit", "cells": {"test_accuracy_basic": "pass"}}
    )

    assert no_purpose.status_code == 400 and "Check or Submit" in no_purpose.json()["detail"]
    assert bad_cell.status_code == 400
    assert not Submission.objects.exists()


def test_a_plain_form_submit_works_without_the_script(client_for, student, exercise):
    response = client_for(student).post(
        runs_url(exercise), {"action": "check", "answer-accuracy": "x = 1"}
    )

    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.purpose == "check"
    assert _solution_sources(bytes(submission.content))["accuracy"] == "x = 1"


def test_the_status_of_a_run_is_the_learners_own(
    client_for, student, other_student, exercise, hidden_course_exercise
):
    """Polling: my run's status, tests and cleaned outputs; anyone else's run is a 404."""
    mine = factories.make_submission(student, exercise)
    result = factories.grade_result()
    result.outputs = [
        {
            "index": 3,
            "grade_id": "accuracy",
            "outputs": [{"output_type": "stream", "name": "stdout", "text": "hi"}],
        }
    ]
    factories.finish_submission(mine, result)

    response = client_for(student).get(run_url(exercise, mine))
    others = client_for(other_student).get(run_url(exercise, mine))
    teacher_view = client_for(exercise.owner).get(run_url(exercise, mine))

    assert response.status_code == 200
    body = response.json()
    assert body["final"] and body["status"] == "graded" and body["score_text"] == "4.5"
    assert body["outputs"] == [
        {
            "index": 3,
            "grade_id": "accuracy",
            "outputs": [{"type": "stream", "name": "stdout", "text": "hi"}],
        }
    ]
    hidden = [test for test in body["tests"] if test["hidden"]]
    assert hidden and all(test["message"] == "" for test in hidden)
    assert others.status_code == 404 and teacher_view.status_code == 404
    assert "Content-Security-Policy" in response.headers
    # A run of another exercise is not reachable through this exercise's URL either.
    assert (
        client_for(student)
        .get(
            reverse(
                "notebook:run", kwargs={"exercise_id": hidden_course_exercise.pk, "run_id": mine.pk}
            )
        )
        .status_code
        == 404
    )


def test_upload_submits_the_exact_bytes(client_for, student, exercise):
    content = factories.submitted_notebook("correct")
    upload = SimpleUploadedFile("ps1.ipynb", content, "application/x-ipynb+json")

    response = client_for(student).post(
        reverse("notebook:upload", kwargs={"exercise_id": exercise.pk}),
        {"notebook": upload, "action": "submit"},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 201
    assert bytes(Submission.objects.get().content) == content


def test_upload_can_load_answers_into_the_draft(client_for, student, exercise):
    content = factories.submitted_notebook("correct")
    upload = SimpleUploadedFile("ps1.ipynb", content, "application/x-ipynb+json")

    response = client_for(student).post(
        reverse("notebook:upload", kwargs={"exercise_id": exercise.pk}),
        {"notebook": upload, "action": "load"},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 200
    assert response.json()["cells"] == correct_answers()
    assert Draft.objects.get(learner=student).cells == correct_answers()
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    ("content", "status", "words"),
    [
        (b"not a notebook", 400, "not valid JSON"),
        (
            b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}',
            400,
            "none of this exercise",
        ),
    ],
)
def test_bad_uploads_are_refused_with_a_reason(
    client_for, student, exercise, content, status, words
):
    for action in ("load", "submit"):
        upload = SimpleUploadedFile("x.ipynb", content, "application/json")
        response = client_for(student).post(
            reverse("notebook:upload", kwargs={"exercise_id": exercise.pk}),
            {"notebook": upload, "action": action},
            HTTP_ACCEPT="application/json",
        )
        if action == "submit" and words == "none of this exercise":
            assert response.status_code == 201  # a valid notebook: graded as unanswered
            continue
        assert response.status_code == status
        assert words in response.json()["detail"]
    assert not Draft.objects.exists()


def test_an_upload_over_the_limit_is_413(client_for, student, exercise, settings):
    settings.GRADER_MAX_NOTEBOOK_BYTES = 1000
    upload = SimpleUploadedFile("big.ipynb", b" " * 2000, "application/json")
    response = client_for(student).post(
        reverse("notebook:upload", kwargs={"exercise_id": exercise.pk}),
        {"notebook": upload, "action": "submit"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    assert not Submission.objects.exists()


def test_download_is_the_released_notebook_with_the_draft(client_for, student, exercise):
    client = client_for(student)
    post_json(
        client,
        reverse("notebook:draft", kwargs={"exercise_id": exercise.pk}),
        {"cells": {"accuracy": "MY_ANSWER = 1"}},
    )

    response = client.get(reverse("notebook:download", kwargs={"exercise_id": exercise.pk}))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="how-good-is-a-guess.ipynb"'
    content = response.content
    nb = notebook.parse_notebook(content, max_bytes=10**7)
    assert _solution_sources(content)["accuracy"] == "MY_ANSWER = 1"
    assert "raise NotImplementedError()" in _solution_sources(content)["nearest_neighbour"]
    assert HIDDEN_MARKER not in content.decode() and SOLUTION_MARKER not in content.decode()
    # nbgrader's checksums and read-only flags of the released copy are kept for Jupyter.
    assert any(cell.metadata.get("editable") is False for cell in nb.cells)


def test_the_check_source_has_no_hidden_tests(exercise):
    """What a check's worker runs: the teacher's notebook with hidden regions cut out, assembled
    with the learner's answers; tests that lost hidden parts are reported as such."""
    source = nbformat.from_dict(exercise.source_notebook)
    stripped, trimmed = answers.without_hidden_tests(source)
    submitted = answers.with_answers(exercise.released_notebook, correct_answers())

    assembly = notebook.assemble(stripped, submitted)
    text = json.dumps(assembly.notebook)

    assert trimmed == {"test_accuracy_errors", "test_nearest_neighbour_hidden"}
    assert HIDDEN_MARKER not in text and "HIDDEN TESTS" not in text
    assert not any(test.hidden for test in assembly.tests)
    assert HIDDEN_MARKER in json.dumps(exercise.source_notebook)  # the source itself is untouched
