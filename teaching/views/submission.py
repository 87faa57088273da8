"""A learner's submission as their teacher sees it, and marking it.

The notebook is shown read-only as it was graded: the exercise's released cells with the
learner's answers in place (grading takes only the answer cells from a submission), the outputs
stored with the result (sanitised when stored and again when read) and the per-test feedback.
Hidden tests show their names, pass/fail and points; their code is never on the page (the
released notebook does not have it).
"""

from __future__ import annotations

import copy

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from courses.markdown import asset_base, render_markdown
from courses.views.notebook import cells as notebook_cells
from courses.views.notebook import runs
from graders import answers, notebook
from graders.messages import translated
from graders.models import Submission
from teaching import gradebook as book
from teaching import marking, selectors, services
from teaching.forms import ClearMarkForm, MarkForm
from teaching.models.marks import WHOLE
from teaching.views.common import teacher_required


def _answers(submission) -> tuple[dict[str, str], bool]:
    """The learner's answer cells from the submitted bytes, and whether they could be read."""
    try:
        found = answers.answers_from_upload(
            bytes(submission.content),
            max_bytes=settings.GRADER_MAX_NOTEBOOK_BYTES,
            released=submission.exercise.released_notebook_for(submission.language),
        )
    except notebook.NotebookError:
        return {}, False
    return found, True


def _cells(submission, payload: dict) -> tuple[list[dict], bool]:
    exercise = submission.exercise
    found, readable = _answers(submission)
    course = exercise.lesson.unit.course if exercise.lesson_id else None
    base = asset_base(course.slug) if course is not None else None
    outputs = {record["index"]: record["outputs"] for record in payload.get("outputs", [])}
    tests = {test["grade_id"]: test for test in payload.get("tests", [])}
    shown = []
    for cell in notebook_cells.display_cells(exercise, found, submission.language):
        if cell.kind == notebook_cells.ANSWER_CODE:
            cell.html = notebook_cells.highlight_code(cell.source, cell.language)
        elif cell.kind == notebook_cells.ANSWER_TEXT:
            cell.html = render_markdown(cell.source, base=base, below_h1=True)
        shown.append(
            {
                "cell": cell,
                "answered": cell.grade_id in found,
                "outputs": outputs.get(cell.index, []),
                "result": tests.get(cell.grade_id) if cell.grade_id else None,
            }
        )
    return shown, readable


def _mark_form(grade_id: str, mark, index: int, failed: MarkForm | None) -> MarkForm:
    auto_id = f"mark-{index}-%s"
    if failed is not None and (failed.data.get("grade_id") or "") == grade_id:
        failed.auto_id = auto_id
        return failed
    initial = {"grade_id": grade_id}
    if mark is not None:
        initial |= {"score": mark.score, "comment": mark.comment}
    return MarkForm(initial=initial, auto_id=auto_id)


def _render(request, classroom, submission, *, failed: MarkForm | None = None, status=200):
    in_flight = submission.status in Submission.IN_FLIGHT
    shown = submission
    if in_flight and submission.score is not None:
        # Being regraded: the previous result is still on the row; show it until the new lands.
        shown = copy.copy(submission)
        shown.status = Submission.Status.GRADED
    payload = runs.run_payload(shown, submission.language)
    attempt = book.submission_attempt(classroom, submission)
    marks = {mark.grade_id: mark for mark in submission.marks.select_related("marked_by")}
    by_id = {test["grade_id"]: test for test in payload["tests"]}
    manual = [
        {
            "test": by_id[grade_id],
            "mark": marks.get(grade_id),
            "form": _mark_form(grade_id, marks.get(grade_id), index, failed),
        }
        for index, grade_id in enumerate(marking.manual_cells(submission.tests), start=1)
        if grade_id in by_id
    ]
    # Marks of other cells (made through the service, or of cells no longer waiting).
    other_marks = [
        mark
        for grade_id, mark in marks.items()
        if grade_id != WHOLE and grade_id not in {item["test"]["grade_id"] for item in manual}
    ]
    shown, readable = _cells(submission, payload)
    context = {
        "classroom": classroom,
        "submission": submission,
        "in_flight": in_flight,
        "learner": submission.learner,
        "exercise": submission.exercise,
        "run": payload,
        "attempt": attempt,
        "cells": shown,
        "readable": readable,
        "manual": manual,
        "other_marks": other_marks,
        "whole_mark": marks.get(WHOLE),
        "whole_form": _mark_form(WHOLE, marks.get(WHOLE), 0, failed),
        "review_reasons": [translated(reason) for reason in submission.review_reasons or []],
        "changes": submission.mark_changes.select_related("changed_by"),
        "clear_form": ClearMarkForm(),
    }
    return render(request, "teaching/submission.html", context, status=status)


@require_GET
@teacher_required
def submission_page(request, pk, submission_id):
    classroom = selectors.classroom_managed_by(request.user, pk)
    return _render(request, classroom, selectors.class_submission(classroom, submission_id))


def _back(classroom, submission):
    return redirect("teaching:submission", pk=classroom.pk, submission_id=submission.pk)


@require_POST
@teacher_required
def mark(request, pk, submission_id):
    classroom = selectors.classroom_managed_by(request.user, pk)
    submission = selectors.class_submission(classroom, submission_id)
    form = MarkForm(request.POST)
    if form.is_valid():
        try:
            services.mark_set(
                submission=submission,
                grade_id=form.cleaned_data["grade_id"] or WHOLE,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                marked_by=request.user,
            )
        except ValidationError as error:
            form.add_error("score", error)
    if form.errors:
        return _render(request, classroom, submission, failed=form, status=400)
    messages.success(request, _("The mark is saved."))
    return _back(classroom, submission)


@require_POST
@teacher_required
def mark_clear(request, pk, submission_id):
    classroom = selectors.classroom_managed_by(request.user, pk)
    submission = selectors.class_submission(classroom, submission_id)
    form = ClearMarkForm(request.POST)
    grade_id = form.cleaned_data["grade_id"] if form.is_valid() else None
    try:
        cleared = grade_id is not None and services.mark_clear(
            submission=submission, grade_id=grade_id, cleared_by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(classroom, submission)
    if not cleared:
        messages.error(request, _("There is no mark to remove."))
    else:
        messages.success(request, _("The mark is removed; the automatic score counts again."))
    return _back(classroom, submission)
