"""Cell outputs: only an allow-list survives, sanitised and capped (graders.outputs)."""

import base64

import pytest

from graders import outputs

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def display(data: dict) -> dict:
    return {"output_type": "display_data", "data": data, "metadata": {}}


def test_script_in_html_output_is_stripped_and_the_table_kept():
    item = outputs.clean_output(
        display(
            {
                "text/html": '<table onclick="steal()"><tr><td>1</td></tr></table>'
                '<script>alert(document.cookie)</script><img src="x" onerror="alert(1)">'
                '<a href="javascript:alert(1)">x</a><style>body{}</style><iframe src="/"></iframe>',
                "text/plain": "table",
            }
        )
    )
    assert item["type"] == "html"
    html = item["html"]
    assert "<td>1</td>" in html
    for bad in ("script", "alert", "onclick", "onerror", "javascript:", "<style", "<iframe"):
        assert bad not in html


def test_svg_javascript_and_widgets_are_dropped():
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for data in (
        {"image/svg+xml": svg},
        {"application/javascript": "alert(1)"},
        {"application/vnd.jupyter.widget-view+json": {"model_id": "x"}},
        {"text/latex": "$x$"},
    ):
        assert outputs.clean_output(display(data)) is None
    # An SVG with a text fallback keeps only the text.
    assert outputs.clean_output(display({"image/svg+xml": svg, "text/plain": "<Figure>"})) == {
        "type": "text",
        "text": "<Figure>",
    }
    # Even an SVG in HTML is removed with its content.
    html = outputs.clean_output(display({"text/html": f"<p>ok</p>{svg}"}))
    assert html == {"type": "html", "html": "<p>ok</p>"}


def test_real_png_and_jpeg_images_are_kept_others_dropped():
    png = outputs.clean_output(
        display({"image/png": b64(PNG), "text/plain": "<Figure size 640x480>"})
    )
    jpeg = outputs.clean_output(display({"image/jpeg": b64(JPEG)}))
    assert png == {
        "type": "image",
        "mime": "image/png",
        "data": b64(PNG),
        "alt": "<Figure size 640x480>",
    }
    assert jpeg["mime"] == "image/jpeg"
    # Not PNG bytes, labelled image/png: dropped (and the text fallback shown instead).
    for fake in (
        b64(b"<svg onload=alert(1)>"),
        b64(JPEG),
        "not base64 at all!",
        b64(b"GIF89a...."),
    ):
        assert outputs.clean_output(display({"image/png": fake})) is None
        assert (
            outputs.clean_output(display({"image/png": fake, "text/plain": "fig"}))["type"]
            == "text"
        )
    # Line-wrapped base64, as some tools write it, is accepted and stored canonically.
    wrapped = "\n".join(b64(PNG)[i : i + 20] for i in range(0, len(b64(PNG)), 20))
    assert outputs.clean_output(display({"image/png": wrapped}))["data"] == b64(PNG)
    too_big = PNG + b"\x00" * outputs.IMAGE_MAX_BYTES
    assert outputs.clean_output(display({"image/png": b64(too_big)})) is None


def test_text_streams_and_errors_lose_terminal_codes_and_are_truncated():
    stream = outputs.clean_output(
        {"output_type": "stream", "name": "stderr", "text": "\x1b[31mred\x1b[0m\x07 warning\r\n"}
    )
    assert stream == {"type": "stream", "name": "stderr", "text": "red warning\n"}
    error = outputs.clean_output(
        {
            "output_type": "error",
            "ename": "ValueError",
            "evalue": "bad \x1b[1mvalue\x1b[0m",
            "traceback": ["\x1b[0;31m---------\x1b[0m", "ValueError: bad value"],
        }
    )
    assert error == {
        "type": "error",
        "ename": "ValueError",
        "evalue": "bad value",
        "traceback": "---------\nValueError: bad value",
    }
    long = outputs.clean_output({"output_type": "stream", "name": "stdout", "text": "x" * 50_000})
    assert len(long["text"]) == outputs.TEXT_MAX_CHARS and long["truncated"] is True


def test_a_submission_s_outputs_are_capped_with_a_note():
    records = [
        {
            "index": i,
            "grade_id": f"c{i}",
            "outputs": [{"output_type": "stream", "name": "stdout", "text": "y" * 15_000}],
        }
        for i in range(10)
    ]
    capped = outputs.capped(records, limit=50_000)
    kept = [item for record in capped for item in record["outputs"]]
    assert sum(item["type"] == "stream" for item in kept) == 3
    assert {"type": "omitted"} in kept
    import json

    assert len(json.dumps(capped)) < 50_000 + 2_000


def test_cleaning_is_idempotent_and_rejects_what_it_does_not_know():
    stored = [
        {
            "index": 1,
            "grade_id": "a",
            "outputs": [
                {"type": "html", "html": "<b>ok</b><script>x()</script>"},  # tampered after storing
                {"type": "image", "mime": "image/svg+xml", "data": "PHN2Zz4="},
                {"type": "image", "mime": "image/png", "data": b64(PNG), "alt": "a"},
                {"type": "widget", "data": {}},
                {"type": "text", "text": "plain"},
            ],
        },
        {"index": "2", "outputs": []},  # a bad record is skipped
    ]
    once = outputs.clean_cells(stored)
    assert once == [
        {
            "index": 1,
            "grade_id": "a",
            "outputs": [
                {"type": "html", "html": "<b>ok</b>"},
                {"type": "image", "mime": "image/png", "data": b64(PNG), "alt": "a"},
                {"type": "text", "text": "plain"},
            ],
        }
    ]
    assert outputs.clean_cells(once) == once


@pytest.mark.django_db
def test_the_page_shows_stored_outputs_only_after_cleaning_them_again(
    client_for, student, exercise
):
    """Outputs written straight into the database (not through the worker) are still cleaned."""
    from django.urls import reverse

    from graders.models import Submission
    from tests import factories

    submission = factories.finish_submission(factories.make_submission(student, exercise))
    Submission.objects.filter(pk=submission.pk).update(
        outputs=[
            {
                "index": 3,
                "grade_id": "accuracy",
                "outputs": [
                    {"type": "html", "html": "<p>table</p><script>alert('xss')</script>"},
                    {"type": "image", "mime": "image/png", "data": b64(b"<svg/onload=alert(1)>")},
                ],
            }
        ]
    )
    html = (
        client_for(student)
        .get(reverse("notebook:exercise", kwargs={"exercise_id": exercise.pk}))
        .content.decode()
    )
    status = (
        client_for(student)
        .get(reverse("notebook:run", kwargs={"exercise_id": exercise.pk, "run_id": submission.pk}))
        .json()
    )

    assert "<p>table</p>" in html and "alert('xss')" not in html
    assert "data:image/png" not in html
    assert status["outputs"] == [
        {"index": 3, "grade_id": "accuracy", "outputs": [{"type": "html", "html": "<p>table</p>"}]}
    ]
