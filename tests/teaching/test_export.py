"""The gradebook as CSV for Canvas and Moodle: their column shapes, the scores that count, and
cells a spreadsheet cannot run as formulas."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import User
from teaching import services
from teaching.export import safe_cell
from teaching.models import LatePolicy
from tests.teaching.conftest import DUE, answered, graded, hours, result

pytestmark = pytest.mark.django_db


@pytest.fixture
def marked(school):
    services.classroom_exercise_save(
        classroom=school.classroom,
        exercise=school.notebook,
        due_at=DUE,
        late_policy=LatePolicy.PERCENT_PER_DAY,
        late_percent=25,
    )
    graded(school.ann, school.notebook, at=DUE + hours(1), grade=result((1, 2, 3, 4)))  # 10 → 7.5
    answered(school.ann, school.quiz, True)
    graded(school.bo, school.notebook, at=DUE - hours(1))  # 4.5
    return school


def download(client, school, export_format, **params):
    url = reverse("teaching:gradebook_csv", args=[school.classroom.pk])
    response = client.get(url, {"format": export_format, **params})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="year-11-ai-')
    text = response.content.decode("utf-8")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text)))


def test_canvas_shape(marked, client_for):
    rows = download(client_for(marked.teacher), marked, "canvas")
    quiz, notebook = marked.quiz, marked.notebook
    assert rows[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        f"Robots sense ({quiz.pk})",
        f"Guess quality ({notebook.pk})",
    ]
    assert rows[1] == ["Points Possible", "", "", "", "", "2", "10"]
    assert rows[2:] == [
        ["Lee, Ann", "", "", "ann", "Year 11 AI", "2", "7.5"],
        ["Zhang, Bo", "", "", "bo", "Year 11 AI", "", "4.5"],
        ["Okoro, Cy", "", "", "cy", "Year 11 AI", "", ""],
    ]


def test_moodle_shape(marked, client_for):
    marked.ann.email = "ann@example.org"
    marked.ann.save(update_fields=["email"])
    rows = download(client_for(marked.teacher), marked, "moodle")
    assert rows[0] == [
        "Username",
        "First name",
        "Last name",
        "Email address",
        "Robots sense",
        "Guess quality",
    ]
    assert rows[1:] == [
        ["ann", "Ann", "Lee", "ann@example.org", "2", "7.5"],
        ["bo", "Bo", "Zhang", "", "", "4.5"],
        ["cy", "Cy", "Okoro", "", "", ""],
    ]


def test_the_export_follows_the_filters(marked, client_for):
    rows = download(
        client_for(marked.teacher), marked, "moodle", exercise=marked.notebook.pk, learner="zhang"
    )
    assert rows == [
        ["Username", "First name", "Last name", "Email address", "Guess quality"],
        ["bo", "Bo", "Zhang", "", "4.5"],
    ]


def test_marks_count_in_the_export(marked, client_for):
    submission = marked.bo.submissions.get()
    services.mark_set(
        submission=submission, grade_id="", score=9.25, comment="", marked_by=marked.teacher
    )
    rows = download(client_for(marked.teacher), marked, "canvas")
    assert rows[3][-1] == "9.25"


def test_an_unknown_format_is_refused(marked, client_for):
    url = reverse("teaching:gradebook_csv", args=[marked.classroom.pk])
    response = client_for(marked.teacher).get(url, {"format": "excel"})
    assert response.status_code == 400
    assert "canvas or moodle" in response.content.decode()


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Ann", "Ann"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (7.5, "7.5"),
    ],
)
def test_safe_cell(value, written):
    assert safe_cell(value) == written


def test_no_cell_of_the_file_starts_a_formula(marked, client_for):
    evil = User.objects.create_user(
        username="@evil", first_name='=HYPERLINK("http://x")', last_name="+cmd", email="-x@y.z"
    )
    marked.classroom.learners.add(evil)
    marked.classroom.name = "@SUM(1)"
    marked.classroom.save(update_fields=["name"])
    marked.quiz.title = "=2+5"
    marked.quiz.save(update_fields=["title"])
    client = client_for(marked.teacher)
    for export_format in ("canvas", "moodle"):
        url = reverse("teaching:gradebook_csv", args=[marked.classroom.pk])
        response = client.get(url, {"format": export_format})
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        cells = [cell for row in rows for cell in row]
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")], export_format
        title = f"'=2+5 ({marked.quiz.pk})" if export_format == "canvas" else "'=2+5"
        assert title in cells
        assert "'@evil" in cells
