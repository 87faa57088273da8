"""Manual marking: a teacher scores what needs a person, every change is audited, the raw
result is never overwritten, and the learner sees the mark on their notebook page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from graders.grading import TAMPER_REASON
from graders.models import Submission
from graders.results import NEEDS_REVIEW, GradeResult
from graders.results import TestResult as Result
from teaching import gradebook as book
from teaching import services
from teaching.models import Mark, MarkChange
from tests import factories
from tests.teaching.conftest import graded, result

pytestmark = pytest.mark.django_db


@pytest.fixture
def essay(school):
    """Ann's submission with an answered manually graded cell "essay" (5 points): 4.5 of 15."""
    return graded(school.ann, school.notebook, grade=result(manual=5.0))


def cell_of(school, learner, exercise):
    grid = book.gradebook(school.classroom)
    row = next(row for row in grid.rows if row.learner == learner)
    return next(cell for cell in row.cells if cell.exercise == exercise)


def test_marking_the_manual_cell_settles_the_review(school, essay):
    assert cell_of(school, school.ann, school.notebook).status == book.NEEDS_REVIEW
    services.mark_set(
        submission=essay, grade_id="essay", score=4, comment="Clear.", marked_by=school.teacher
    )
    cell = cell_of(school, school.ann, school.notebook)
    assert cell.status == book.GRADED
    assert cell.effective.score == 8.5  # 4.5 automatic + 4 for the essay
    stored = Submission.objects.get(pk=essay.pk)
    assert (stored.score, stored.status) == (4.5, "needs_review")  # never overwritten
    change = MarkChange.objects.get()
    assert (change.grade_id, change.old_score, change.new_score, change.comment) == (
        "essay",
        0.0,
        4.0,
        "Clear.",
    )
    assert change.changed_by == school.teacher and change.changed_at is not None


def test_every_change_is_audited_with_the_value_before(school, essay):
    services.mark_set(
        submission=essay, grade_id="essay", score=4, comment="", marked_by=school.teacher
    )
    services.mark_set(
        submission=essay,
        grade_id="essay",
        score=2.5,
        comment="Second look.",
        marked_by=school.admin,
    )
    services.mark_set(
        submission=essay, grade_id="", score=12, comment="Overall.", marked_by=school.teacher
    )
    assert services.mark_clear(submission=essay, grade_id="", cleared_by=school.teacher)
    changes = list(MarkChange.objects.order_by("id"))
    assert [(c.grade_id, c.old_score, c.new_score, c.removed) for c in changes] == [
        ("essay", 0.0, 4.0, False),
        ("essay", 4.0, 2.5, False),
        ("", 7.0, 12.0, False),  # the whole score before: 4.5 + 2.5
        ("", 12.0, 7.0, True),
    ]
    assert [c.changed_by for c in changes] == [school.teacher, school.admin] + [school.teacher] * 2
    assert Mark.objects.get().score == 2.5
    assert cell_of(school, school.ann, school.notebook).effective.score == 7
    assert not services.mark_clear(submission=essay, grade_id="", cleared_by=school.teacher)


@pytest.mark.parametrize(
    ("grade_id", "score", "message"),
    [
        ("essay", 5.5, "between 0 and 5"),
        ("essay", -1, "between 0 and 5"),
        ("", 15.5, "between 0 and 15"),
        ("essay", float("nan"), "must be a number"),
        ("nonsense", 1, "no graded cell called nonsense"),
    ],
)
def test_bad_marks_are_refused_and_nothing_is_stored(school, essay, grade_id, score, message):
    with pytest.raises(ValidationError) as refused:
        services.mark_set(
            submission=essay, grade_id=grade_id, score=score, comment="", marked_by=school.teacher
        )
    assert message in " ".join(refused.value.messages)
    assert not Mark.objects.exists() and not MarkChange.objects.exists()


def test_work_being_graded_cannot_be_marked(school):
    queued = factories.make_submission(school.ann, school.notebook)
    with pytest.raises(ValidationError, match="being graded"):
        services.mark_set(
            submission=queued, grade_id="", score=1, comment="", marked_by=school.teacher
        )


def test_signs_of_tampering_need_a_mark_of_the_whole(school):
    tampered = GradeResult(
        status=NEEDS_REVIEW,
        score=0,
        max_score=10,
        tests=[Result("test_accuracy_basic", 0, 1, False, "Failed.")],
        review_reasons=[TAMPER_REASON],
    )
    submission = graded(school.ann, school.notebook, grade=tampered)
    services.mark_set(
        submission=submission,
        grade_id="test_accuracy_basic",
        score=1,
        comment="",
        marked_by=school.teacher,
    )
    assert cell_of(school, school.ann, school.notebook).status == book.NEEDS_REVIEW
    services.mark_set(
        submission=submission,
        grade_id="",
        score=9,
        comment="Looked fine.",
        marked_by=school.teacher,
    )
    cell = cell_of(school, school.ann, school.notebook)
    assert (cell.status, cell.effective.score) == (book.GRADED, 9)


def test_the_submission_page_shows_the_notebook_feedback_and_marking(school, essay, client_for):
    client = client_for(school.teacher)
    url = reverse("teaching:submission", args=[school.classroom.pk, essay.pk])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    # The learner's answer, read-only, and the exercise's visible test code.
    assert '<span class="nf">accuracy</span>' in html
    assert "no guesses to score" in html  # from the learner's answer, not the stub
    assert "not answered" not in html
    assert "<textarea" not in html.split("marking-heading")[0]
    assert "sequences of different lengths must raise ValueError" in html
    # Hidden tests: names and points, never their code.
    assert "test_accuracy_errors" in html and "test_nearest_neighbour_hidden" in html
    assert "empty sequences must raise ValueError" not in html
    assert "a tie goes to the earlier example" not in html
    assert "Not marked yet." in html and "essay" in html


def test_marking_through_the_page(school, essay, client_for):
    client = client_for(school.teacher)
    url = reverse("teaching:mark", args=[school.classroom.pk, essay.pk])
    too_high = client.post(url, {"grade_id": "essay", "score": "9", "comment": "x"})
    assert too_high.status_code == 400
    assert "between 0 and 5" in too_high.content.decode()
    assert not Mark.objects.exists()
    not_a_number = client.post(url, {"grade_id": "essay", "score": "lots"})
    assert not_a_number.status_code == 400 and not Mark.objects.exists()
    saved = client.post(url, {"grade_id": "essay", "score": "3.5", "comment": "<b>Nice</b> work"})
    assert saved.status_code == 302
    page = client.get(saved["Location"]).content.decode()
    assert "Marked 3.5 by" in page
    assert "&lt;b&gt;Nice&lt;/b&gt; work" in page  # the audit shows the comment, escaped
    history = client.get(
        reverse("teaching:learner_history", args=[school.classroom.pk, school.ann.pk])
    ).content.decode()
    assert "Marked by a teacher" in history and "0 → 3.5" in history


def test_the_learner_sees_the_mark_and_comment_on_their_notebook_page(school, essay, client_for):
    services.mark_set(
        submission=essay,
        grade_id="essay",
        score=4,
        comment="Good <reasons>.",
        marked_by=school.teacher,
    )
    url = reverse("notebook:exercise", args=[school.notebook.pk])
    html = client_for(school.ann).get(url).content.decode()
    assert "From your teacher" in html
    assert "your teacher's score is 8.5 of 15" in html
    assert "Good &lt;reasons&gt;." in html
    # Nobody else sees it, not even a classmate on the same exercise.
    other = client_for(school.bo).get(url).content.decode()
    assert "From your teacher" not in other and "Good &lt;reasons&gt;." not in other
