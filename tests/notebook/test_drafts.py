"""Drafts: saved by the page (JSON or a plain form), restored, validated, size-capped, private."""

import json

import pytest
from django.urls import reverse

from graders.models import Draft
from tests.notebook.conftest import post_json

pytestmark = pytest.mark.django_db


def draft_url(exercise) -> str:
    return reverse("notebook:draft", kwargs={"exercise_id": exercise.pk})


def test_a_draft_is_saved_and_replaced(client_for, student, exercise):
    client = client_for(student)

    first = post_json(client, draft_url(exercise), {"cells": {"accuracy": "x = 1"}})
    second = post_json(
        client, draft_url(exercise), {"cells": {"accuracy": "x = 2", "nearest_neighbour": "y"}}
    )

    assert first.status_code == 200 and "saved_at" in first.json()
    assert second.status_code == 200
    draft = Draft.objects.get(learner=student, exercise=exercise)
    assert draft.cells == {"accuracy": "x = 2", "nearest_neighbour": "y"}
    assert Draft.objects.count() == 1


def test_a_plain_form_post_saves_and_redirects_to_the_page(client_for, student, exercise):
    """Without the script: the form's fields are answer-<grade_id>; CRLF becomes LF."""
    response = client_for(student).post(draft_url(exercise), {"answer-accuracy": "a = 1\r\nb = 2"})

    assert response.status_code == 302
    assert response["Location"] == reverse("notebook:exercise", kwargs={"exercise_id": exercise.pk})
    assert Draft.objects.get(learner=student).cells == {"accuracy": "a = 1\nb = 2"}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            {"cells": {"test_accuracy_basic": "assert True"}},
            "no answer cell called test_accuracy_basic",
        ),
        ({"cells": {"accuracy": 3}}, "map each answer cell"),
        ({"cells": ["accuracy"]}, "map each answer cell"),
        ({}, "map each answer cell"),
    ],
)
def test_malformed_drafts_are_400_with_a_reason_and_change_nothing(
    client_for, student, exercise, body, words
):
    client = client_for(student)
    post_json(client, draft_url(exercise), {"cells": {"accuracy": "kept"}})

    response = post_json(client, draft_url(exercise), body)

    assert response.status_code == 400
    assert words in response.json()["detail"]
    assert Draft.objects.get(learner=student).cells == {"accuracy": "kept"}


def test_a_body_that_is_not_json_is_400(client_for, student, exercise):
    response = client_for(student).post(
        draft_url(exercise),
        b"{not json",
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]
    assert not Draft.objects.exists()


def test_a_draft_over_the_limit_is_413_and_nothing_is_stored(
    client_for, student, exercise, settings
):
    settings.GRADER_MAX_DRAFT_BYTES = 1000
    client = client_for(student)

    response = post_json(client, draft_url(exercise), {"cells": {"accuracy": "x" * 1001}})

    assert response.status_code == 413
    assert "too long to save" in response.json()["detail"]
    assert not Draft.objects.exists()
    # A body far over the limit is refused before it is parsed.
    huge = json.dumps({"cells": {"accuracy": "x" * 200_000}})
    response = client.post(
        draft_url(exercise), huge, content_type="application/json", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 413
    assert not Draft.objects.exists()


def test_drafts_are_private(client_for, student, other_student, exercise, hidden_course_exercise):
    """Another learner's draft never shows on my page or in my download; a course not offered to
    me takes no draft."""
    post_json(client_for(student), draft_url(exercise), {"cells": {"accuracy": "ADA_SECRET = 1"}})
    grace = client_for(other_student)

    page = grace.get(reverse("notebook:exercise", kwargs={"exercise_id": exercise.pk}))
    download = grace.get(reverse("notebook:download", kwargs={"exercise_id": exercise.pk}))
    refused = post_json(grace, draft_url(hidden_course_exercise), {"cells": {"accuracy": "x"}})

    assert b"ADA_SECRET" not in page.content
    assert b"ADA_SECRET" not in download.content
    assert refused.status_code == 404
    assert Draft.objects.filter(learner=other_student).count() == 0


def test_anonymous_draft_posts_are_not_stored(client, exercise):
    response = client.post(draft_url(exercise), {"answer-accuracy": "x"})
    assert response.status_code == 302 and "/login" in response["Location"]
    assert not Draft.objects.exists()
