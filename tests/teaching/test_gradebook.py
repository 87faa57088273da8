"""The gradebook: learners by exercises with the score that counts and a status, filters, a
learner's history, and a bounded number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from teaching import gradebook as book
from teaching import services
from teaching.models import LatePolicy
from tests import factories
from tests.teaching.conftest import (
    DUE,
    answered,
    graded,
    hours,
    make_course,
    make_quiz,
    result,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def term(school):
    """Ann: late but better notebook, right quiz. Bo: a notebook waiting for review, a wrong
    quiz answer. Cy: nothing yet, an extension."""
    services.classroom_exercise_save(
        classroom=school.classroom,
        exercise=school.notebook,
        due_at=DUE,
        late_policy=LatePolicy.PERCENT_PER_DAY,
        late_percent=10,
    )
    services.classroom_exercise_save(
        classroom=school.classroom, exercise=school.quiz, due_at=DUE, late_policy=LatePolicy.ZERO
    )
    graded(school.ann, school.notebook, at=DUE - hours(3))  # 4.5 on time
    graded(school.ann, school.notebook, at=DUE + hours(30), grade=result((1, 2, 3, 4)))  # 10 → 8
    answered(school.ann, school.quiz, True, at=DUE - hours(1))
    graded(school.bo, school.notebook, at=DUE - hours(2), grade=result(manual=5.0))
    answered(school.bo, school.quiz, False, at=DUE - hours(2))
    services.extension_grant(
        classroom=school.classroom,
        exercise=school.notebook,
        learner=school.cy,
        due_at=DUE + hours(72),
        granted_by=school.teacher,
    )
    return school


def cells(grid):
    return {
        (row.learner.username, cell.exercise.pk): cell for row in grid.rows for cell in row.cells
    }


def test_every_learner_and_exercise_with_score_and_status(term):
    grid = book.gradebook(term.classroom)
    assert [row.learner.username for row in grid.rows] == ["ann", "bo", "cy"]
    assert [exercise.pk for exercise in grid.exercises] == [term.quiz.pk, term.notebook.pk]
    grid_cells = cells(grid)

    ann_notebook = grid_cells["ann", term.notebook.pk]
    assert ann_notebook.status == book.GRADED
    assert ann_notebook.effective.score == 8  # the late 10, minus 10 % of 10 for 2 started days
    assert ann_notebook.effective.raw == 10 and ann_notebook.late
    assert ann_notebook.counted.number == 2
    assert grid_cells["ann", term.quiz.pk].status == book.GRADED
    assert grid_cells["ann", term.quiz.pk].effective.score == 2

    bo_notebook = grid_cells["bo", term.notebook.pk]
    assert bo_notebook.status == book.NEEDS_REVIEW
    assert bo_notebook.effective.score == 4.5 and not bo_notebook.late
    bo_quiz = grid_cells["bo", term.quiz.pk]
    assert bo_quiz.status == book.IN_PROGRESS and bo_quiz.effective.score == 0

    cy_notebook = grid_cells["cy", term.notebook.pk]
    assert cy_notebook.status == book.NOT_STARTED and cy_notebook.effective is None
    assert cy_notebook.extension == DUE + hours(72)
    assert cy_notebook.deadline.extended

    assert [row.total for row in grid.rows] == [10, 4.5, 0]


def test_a_late_attempt_counts_only_if_it_is_still_better(term):
    services.classroom_exercise_save(
        classroom=term.classroom,
        exercise=term.notebook,
        due_at=DUE,
        late_policy=LatePolicy.ZERO,
    )
    ann = cells(book.gradebook(term.classroom))["ann", term.notebook.pk]
    assert (ann.effective.score, ann.counted.number, ann.late) == (4.5, 1, False)


def test_an_extension_makes_late_work_on_time(term):
    services.extension_grant(
        classroom=term.classroom,
        exercise=term.notebook,
        learner=term.ann,
        due_at=DUE + hours(48),
        granted_by=term.teacher,
    )
    ann = cells(book.gradebook(term.classroom))["ann", term.notebook.pk]
    assert (ann.effective.score, ann.late, ann.extension) == (10, False, DUE + hours(48))
    services.extension_remove(classroom=term.classroom, exercise=term.notebook, learner=term.ann)
    assert cells(book.gradebook(term.classroom))["ann", term.notebook.pk].effective.score == 8


def test_quiz_out_of_the_class_attempts_is_graded(term):
    answered(term.bo, term.quiz, False, at=DUE - hours(1))
    assert cells(book.gradebook(term.classroom))["bo", term.quiz.pk].status == book.GRADED


def test_waiting_or_failed_notebooks_are_in_progress(school):
    factories.make_submission(school.ann, school.notebook)  # queued
    grid = cells(book.gradebook(school.classroom))
    assert grid["ann", school.notebook.pk].status == book.IN_PROGRESS
    assert grid["ann", school.notebook.pk].effective is None


@pytest.mark.parametrize(
    ("status", "learners"),
    [
        (book.LATE, ["ann"]),
        (book.NEEDS_REVIEW, ["bo"]),
        (book.EXTENSION, ["cy"]),
        (book.NOT_STARTED, ["cy"]),
        (book.IN_PROGRESS, ["bo"]),
        (book.GRADED, ["ann"]),
    ],
)
def test_status_filter_keeps_learners_with_such_a_cell(term, status, learners):
    grid = book.gradebook(term.classroom, status=status)
    assert [row.learner.username for row in grid.rows] == learners


def test_filters_by_exercise_course_and_name(term):
    one = book.gradebook(term.classroom, exercise_id=term.notebook.pk)
    assert [exercise.pk for exercise in one.exercises] == [term.notebook.pk]
    assert one.rows[0].total == 8
    other_course, _lesson = make_course(term.teacher, "other")
    term.classroom.courses.add(other_course)
    assert book.gradebook(term.classroom, course_id=other_course.pk).exercises == []
    by_name = book.gradebook(term.classroom, learner_query="zha")  # Bo Zhang
    assert [row.learner.username for row in by_name.rows] == ["bo"]
    # Combined: who is late on the notebook.
    late = book.gradebook(term.classroom, exercise_id=term.quiz.pk, status=book.LATE)
    assert late.rows == []


def test_query_count_does_not_grow_with_the_class(term):
    def count():
        with CaptureQueriesContext(connection) as queries:
            book.gradebook(term.classroom)
        return len(queries)

    small = count()
    for index in range(6):
        learner = factories.make_student(f"extra{index}")
        term.classroom.learners.add(learner)
        graded(learner, term.notebook, grade=result(manual=2.0))
        graded(learner, term.notebook)
        answered(learner, term.quiz, index % 2 == 0)
    extra = make_quiz(term.teacher, term.lesson, title="Another")
    answered(term.ann, extra, True)
    assert count() == small
    assert small <= 9, small


def test_the_gradebook_page_shows_scores_and_refuses_bad_filters(term, client_for):
    client = client_for(term.teacher)
    url = reverse("teaching:gradebook", args=[term.classroom.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("Ann Lee", "Bo Zhang", "Cy Okoro", "Needs review", "Not started", "Extension"):
        assert text in html
    assert reverse("teaching:learner_history", args=[term.classroom.pk, term.ann.pk]) in html
    filtered = client.get(url, {"status": "needs_review"})
    assert "Bo Zhang" in filtered.content.decode()
    assert "Ann Lee" not in filtered.content.decode()
    bad = client.get(url, {"status": "bogus", "course": "999999"})
    assert bad.status_code == 400
    assert "Select a valid choice" in bad.content.decode()


def test_a_learners_history_lists_every_attempt_with_lateness(term, client_for):
    history = book.learner_history(term.classroom, term.ann)
    assert [(exercise.pk, attempt.number) for exercise, attempt in history] == [
        (term.notebook.pk, 2),
        (term.quiz.pk, 1),
        (term.notebook.pk, 1),
    ]
    late = history[0][1]
    assert late.late and late.effective.days_late == 2 and late.effective.score == 8
    page = client_for(term.teacher).get(
        reverse("teaching:learner_history", args=[term.classroom.pk, term.ann.pk])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "Late by 2 days" in html
    assert reverse("teaching:submission", args=[term.classroom.pk, late.submission_id]) in html


def test_a_late_quiz_answer_under_the_zero_policy(term):
    answered(term.cy, term.quiz, True, at=DUE + hours(0.1))
    cy = cells(book.gradebook(term.classroom))["cy", term.quiz.pk]
    assert (cy.status, cy.late, cy.effective.raw, cy.effective.score) == (book.GRADED, True, 2, 0)
