"""A Check and a Submit from the page, graded by a real Celery worker in the real sandbox."""

import time

import pytest
from django.urls import reverse

from graders.models import Submission
from tests.notebook.conftest import correct_answers, post_json
from tests.workers.conftest import wait_final

pytestmark = [pytest.mark.sandbox, pytest.mark.workers]

# Passes the visible accuracy tests, fails a hidden one (empty input is a ZeroDivisionError, not
# a ValueError), and prints every call: a hidden test's arguments would show in the outputs. It
# also draws a matplotlib figure and shows a pandas table, as lessons do.
ACCURACY = """import matplotlib.pyplot as plt
import pandas as pd
plt.plot([1, 2, 3])
plt.show()
display(pd.DataFrame({"guess": ["cat"], "label": ["dog"]}))

def accuracy(y_true, y_pred):
    print("called with", repr(y_true))
    if len(y_true) != len(y_pred):
        raise ValueError("different lengths")
    return sum(t == p for t, p in zip(y_true, y_pred)) / len(y_true)
"""


def _poll(client, url: str, timeout: float = 180) -> dict:
    """What the page's script does: poll the run until it is final, noting each status."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(url, HTTP_ACCEPT="application/json").json()
        if not seen or seen[-1] != body["status"]:
            seen.append(body["status"])
        if body["final"]:
            body["seen"] = seen
            return body
        time.sleep(0.5)
    raise AssertionError(f"the run never finished: {seen}")


def test_a_check_runs_visible_tests_only_and_a_submit_runs_them_all(
    client_for, student, exercise, start_worker
):
    start_worker("w1")
    client = client_for(student)
    cells = correct_answers() | {"accuracy": ACCURACY}
    runs = reverse("notebook:runs", kwargs={"exercise_id": exercise.pk})

    created = post_json(client, runs, {"purpose": "check", "cells": cells})
    assert created.status_code == 201, created.content
    check = _poll(client, created.json()["status_url"])

    assert check["status"] == "graded", check
    assert check["seen"][-1] == "graded"
    assert check["purpose"] == "check" and check["score"] is None
    tests = {test["grade_id"]: test for test in check["tests"]}
    # The hidden part of test_accuracy_errors would fail; in a check it never ran.
    assert tests["test_accuracy_errors"]["passed"] and tests["test_accuracy_errors"]["visible_only"]
    assert not tests["test_accuracy_basic"]["visible_only"]
    assert all(not test["hidden"] for test in check["tests"])
    printed = "".join(
        item.get("text", "") for record in check["outputs"] for item in record["outputs"]
    )
    assert "called with [1, 0, 1, 1]" in printed  # a visible test's call, shown under its cell
    assert "called with (1, 2, 3)" not in printed and "called with []" not in printed
    answer_outputs = next(r["outputs"] for r in check["outputs"] if r["grade_id"] == "accuracy")
    kinds = [item["type"] for item in answer_outputs]
    assert kinds == ["image", "html"], kinds
    assert answer_outputs[0]["mime"] == "image/png" and len(answer_outputs[0]["data"]) > 1000
    table = answer_outputs[1]["html"]
    assert "<td>cat</td>" in table and "<style" not in table and "class=" not in table
    stored = Submission.objects.get(pk=check["id"])
    assert (stored.purpose, stored.attempt, stored.score) == ("check", 0, None)

    created = post_json(client, runs, {"purpose": "submit", "cells": cells})
    assert created.status_code == 201
    graded = _poll(client, created.json()["status_url"])

    assert graded["status"] == "graded" and graded["attempt"] == 1
    tests = {test["grade_id"]: test for test in graded["tests"]}
    assert not tests["test_accuracy_errors"]["passed"]  # the hidden part ran and failed
    assert (
        tests["test_accuracy_errors"]["hidden"] and tests["test_accuracy_errors"]["message"] == ""
    )
    assert graded["score"] == 8.0  # 10 minus test_accuracy_errors' 2 points
    shown = {record["grade_id"] for record in graded["outputs"]}
    assert shown <= {
        "setup",
        "accuracy",
        "test_accuracy_basic",
    }  # nothing from or after hidden tests
    assert len(wait_final([check["id"], graded["id"]], timeout=5)) == 2
