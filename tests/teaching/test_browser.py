"""The teaching pages in Chromium: a teacher filters the gradebook, opens a flagged submission
and marks it, on a desktop and a phone; every page has named controls and no sideways scroll."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from graders.models import Submission
from teaching import regrades, services
from teaching.models import LatePolicy, Mark
from tests.support.a11y import assert_accessible, focus_ring
from tests.teaching.conftest import DUE, answered, graded, hours, result

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def term(school):
    services.classroom_exercise_save(
        classroom=school.classroom,
        exercise=school.notebook,
        due_at=DUE,
        late_policy=LatePolicy.PERCENT_PER_DAY,
        late_percent=10,
    )
    graded(school.ann, school.notebook, at=DUE + hours(30), grade=result((1, 2, 3, 4)))
    answered(school.ann, school.quiz, True)
    graded(school.bo, school.notebook, at=DUE - hours(2), grade=result(manual=5.0))
    return school


def test_a_teacher_filters_the_gradebook_and_marks_a_flagged_answer(
    term, open_page, login, page_problems
):
    page = open_page("desktop")
    login(page, term.teacher)
    page.goto(reverse("accounts:class_detail", args=[term.classroom.pk]))
    page.get_by_role("link", name="Gradebook: scores, deadlines, marking").click()
    assert_accessible(page)
    table = page.locator("table.gradebook")
    assert "Ann Lee" in table.inner_text() and "Late" in table.inner_text()

    page.get_by_label("Status").select_option("needs_review")
    page.get_by_role("button", name="Show").click()
    assert "Bo Zhang" in table.inner_text() and "Ann Lee" not in table.inner_text()
    page.get_by_role("link", name="Open Bo Zhang's submission").click()
    assert_accessible(page)
    assert page.get_by_text("Not marked yet.").is_visible()

    form = page.locator("form.mark-form").first
    form.get_by_label("Score").fill("4")
    form.get_by_label("Comment for the learner").fill("Clear reasoning.")
    form.get_by_role("button", name="Save mark").click()
    assert page.get_by_text("The mark is saved.").is_visible()
    assert Mark.objects.get().score == 4
    assert page.get_by_text("Clear reasoning.").first.is_visible()

    page.goto(reverse("teaching:gradebook", args=[term.classroom.pk]))
    bo_row = page.locator("tr", has_text="Bo Zhang")
    assert "8.5" in bo_row.inner_text() and "Graded" in bo_row.inner_text()
    page.locator(".gradebook-scroll").focus()
    assert focus_ring(page)
    page_problems.check()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_every_teaching_page_is_accessible(term, open_page, login, page_problems, viewport):
    batch = regrades.regrade_start(
        exercise=term.notebook, classroom=term.classroom, requested_by=term.teacher
    )
    submission = Submission.objects.get(learner=term.bo)
    page = open_page(viewport)
    login(page, term.teacher)
    pk = term.classroom.pk
    for url in (
        reverse("teaching:gradebook", args=[pk]),
        reverse("teaching:learner_history", args=[pk, term.ann.pk]),
        reverse("teaching:class_exercise", args=[pk, term.notebook.pk]),
        reverse("teaching:submission", args=[pk, submission.pk]),
        reverse("teaching:regrade", args=[batch.pk]),
    ):
        page.goto(url)
        assert_accessible(page)
    # The progress page polls; it keeps saying where the regrade is.
    assert re.search(r"Regrading: 0 of 2 finished", page.locator("#regrade-status").inner_text())
    page_problems.check()
