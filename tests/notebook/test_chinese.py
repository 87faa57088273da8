# Chinese text uses full-width punctuation on purpose.
# ruff: noqa: RUF001
"""The notebook page in the learner's language: the Chinese twin when they work in Chinese and
the exercise has one, with drafts, runs, uploads and downloads following the language."""

import json

import nbformat
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from graders.models import Draft, Submission
from tests import factories
from tests.notebook.conftest import (
    DEMO_TWIN,
    HIDDEN_MARKER,
    SOLUTION_MARKER,
    bilingual_exercise,
    correct_answers,
    post_json,
)

pytestmark = pytest.mark.django_db

# The notebook's own headings sit one level below the page's <h1>.
ENGLISH_HEADING = "<h2>Problem set 1: how good is a guess?</h2>"
CHINESE_HEADING = "<h2>练习 1：猜得有多准？</h2>"
CHINESE_SETUP = "只读的准备代码"  # a comment in the twin's read-only setup cell
NO_TWIN_NOTE = "This notebook has no Chinese version yet"


def url(name: str, exercise, **kwargs) -> str:
    return reverse(f"notebook:{name}", kwargs={"exercise_id": exercise.pk, **kwargs})


def in_chinese(client):
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    return client


def test_the_page_shows_the_notebook_in_the_learner_s_language(client_for, student, bilingual):
    client = client_for(student)
    english = client.get(url("exercise", bilingual)).content.decode()
    chinese = in_chinese(client).get(url("exercise", bilingual)).content.decode()

    assert ENGLISH_HEADING in english and CHINESE_HEADING not in english
    assert CHINESE_SETUP not in english
    assert '<div class="nb-markdown" lang="en">' in english
    assert CHINESE_HEADING in chinese and ENGLISH_HEADING not in chinese
    assert CHINESE_SETUP in chinese
    assert '<div class="nb-markdown" lang="zh-hans">' in chinese
    assert '<input type="hidden" name="language" value="zh-hans">' in chinese
    assert NO_TWIN_NOTE not in chinese
    # The same editors either way (by grade_id), and the twin's hidden tests stay hidden.
    for gid in ("accuracy", "nearest_neighbour"):
        assert f'<textarea id="answer-{gid}" name="answer-{gid}"' in chinese
    for secret in (HIDDEN_MARKER, SOLUTION_MARKER, "BEGIN HIDDEN TESTS", "BEGIN SOLUTION"):
        assert secret in json.dumps(bilingual.source_notebook_zh)  # the markers are real
        assert secret not in chinese


def test_without_a_twin_the_page_in_chinese_shows_the_english_notebook_and_says_so(
    client_for, student, exercise
):
    chinese = in_chinese(client_for(student)).get(url("exercise", exercise))
    html = chinese.content.decode()
    assert ENGLISH_HEADING in html and '<div class="nb-markdown" lang="en">' in html
    assert '<input type="hidden" name="language" value="en">' in html
    assert chinese.context["no_translation"]  # the note (translated) says why it is English
    english = client_for(student).get(url("exercise", exercise))
    assert not english.context["no_translation"]
    assert NO_TWIN_NOTE not in english.content.decode()


def test_a_draft_carries_over_when_the_learner_switches_language(client_for, student, bilingual):
    client = client_for(student)
    answer = "def accuracy(y_true, y_pred):\n    return 0.5  # mine"
    saved = post_json(client, url("draft", bilingual), {"cells": {"accuracy": answer}})
    assert saved.status_code == 200

    html = in_chinese(client).get(url("exercise", bilingual)).content.decode()

    assert CHINESE_HEADING in html
    assert "return 0.5  # mine" in html


def test_the_download_is_the_notebook_of_the_learner_s_language(client_for, student, bilingual):
    Draft.objects.create(learner=student, exercise=bilingual, cells={"accuracy": "x = 1  # mine"})
    client = client_for(student)
    english = client.get(url("download", bilingual))
    chinese = in_chinese(client).get(url("download", bilingual))

    assert english["Content-Disposition"] == 'attachment; filename="how-good-is-a-guess.ipynb"'
    assert chinese["Content-Disposition"] == 'attachment; filename="how-good-is-a-guess.zh.ipynb"'
    english_nb = nbformat.reads(english.content.decode(), as_version=4)
    chinese_nb = nbformat.reads(chinese.content.decode(), as_version=4)
    assert chinese_nb.cells[0].source.startswith("# 练习 1：猜得有多准？")
    assert english_nb.cells[0].source.startswith("# Problem set 1")
    for nb in (english_nb, chinese_nb):
        answer = next(
            c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "accuracy"
        )
        assert answer.source == "x = 1  # mine"
    assert HIDDEN_MARKER not in chinese.content.decode()


def test_a_run_from_the_page_records_the_page_s_language(client_for, student, bilingual):
    client = in_chinese(client_for(student))
    cells = correct_answers()

    created = post_json(client, url("runs", bilingual), {"purpose": "check", "cells": cells})
    assert created.status_code == 201, created.content
    check = Submission.objects.get(pk=created.json()["id"])
    assert check.language == "zh-hans"
    # What was submitted is the Chinese released notebook with the answers in it.
    submitted = nbformat.reads(bytes(check.content).decode(), as_version=4)
    assert submitted.cells[0].source.startswith("# 练习 1")

    # A plain form post says which page it came from (here an English page left open).
    response = client.post(
        url("runs", bilingual),
        {"action": "check", "language": "en", **{f"answer-{k}": v for k, v in cells.items()}},
    )
    assert response.status_code == 302
    assert Submission.objects.latest("id").language == "en"


def test_a_language_the_site_does_not_have_is_refused(client_for, student, bilingual):
    client = client_for(student)
    refused = post_json(
        client,
        url("runs", bilingual),
        {"purpose": "check", "cells": correct_answers(), "language": "fr"},
    )
    assert refused.status_code == 400
    assert refused.json() == {"detail": "The language must be “en” or “zh-hans”."}
    upload = SimpleUploadedFile("ps1.ipynb", factories.submitted_notebook())
    refused = client.post(
        url("upload", bilingual),
        {"action": "check", "language": "x", "notebook": upload},
        HTTP_ACCEPT="application/json",
    )
    assert refused.status_code == 400
    assert not Submission.objects.exists()


def test_an_upload_is_graded_against_the_notebook_of_its_page(client_for, student, bilingual):
    client = in_chinese(client_for(student))
    upload = SimpleUploadedFile("ps1.ipynb", factories.submitted_notebook())
    response = client.post(
        url("upload", bilingual),
        {"action": "submit", "language": "zh-hans", "notebook": upload},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201, response.content
    assert Submission.objects.get(pk=response.json()["id"]).language == "zh-hans"
    # Without the page's field (a script or tool that leaves it out): the request's language.
    upload = SimpleUploadedFile("ps1.ipynb", factories.submitted_notebook())
    response = client.post(
        url("upload", bilingual),
        {"action": "check", "notebook": upload},
        HTTP_ACCEPT="application/json",
    )
    assert Submission.objects.get(pk=response.json()["id"]).language == "zh-hans"


def test_outputs_of_a_run_in_one_language_land_on_the_right_cells_in_the_other(
    client_for, student, teacher
):
    """The twin here has an extra note first, so its cells sit one place later."""
    twin = json.loads(DEMO_TWIN.read_text())
    twin["cells"].insert(0, nbformat.v4.new_markdown_cell("注意：这是译文。"))
    exercise = bilingual_exercise(teacher, twin=json.dumps(twin, ensure_ascii=False).encode())
    result = factories.grade_result()
    result.outputs = [
        {"index": 1, "grade_id": "setup", "outputs": [{"type": "text", "text": "SETUP-OUT"}]},
        {"index": 3, "grade_id": "accuracy", "outputs": [{"type": "text", "text": "ANSWER-OUT"}]},
        {"index": 2, "grade_id": None, "outputs": [{"type": "text", "text": "PLAIN-OUT"}]},
    ]
    submission = factories.make_submission(student, exercise)
    assert submission.language == "en"
    factories.finish_submission(submission, result)
    client = client_for(student)
    run_url = url("run", exercise, run_id=submission.pk)

    english = client.get(url("exercise", exercise)).content.decode()
    polled_en = client.get(run_url).json()
    chinese = in_chinese(client).get(url("exercise", exercise)).content.decode()
    polled_zh = client.get(run_url).json()

    def output_box(html: str, index: int) -> str:
        start = html.index(f'data-outputs="{index}"')
        return html[start : html.index("</div>", start)]

    assert "ANSWER-OUT" in output_box(english, 3) and "SETUP-OUT" in output_box(english, 1)
    assert "ANSWER-OUT" in output_box(chinese, 4) and "SETUP-OUT" in output_box(chinese, 2)
    # A cell without a grade_id cannot be found in the other notebook: left out, not misplaced.
    assert {(r["index"], r["grade_id"]) for r in polled_en["outputs"]} == {
        (1, "setup"),
        (3, "accuracy"),
        (2, None),
    }
    assert {(r["index"], r["grade_id"]) for r in polled_zh["outputs"]} == {
        (2, "setup"),
        (4, "accuracy"),
    }
