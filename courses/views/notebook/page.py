"""The notebook exercise page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from courses.localization import is_chinese
from courses.markdown import asset_base, render_markdown
from courses.selectors import attempts_left
from courses.views.notebook import cells, runs
from courses.views.notebook.common import notebook_exercise, with_csp
from graders import selectors as grader_selectors


def _lesson_link(exercise) -> dict | None:
    lesson = exercise.lesson
    if lesson is None:
        return None
    course = lesson.unit.course
    try:
        url = reverse("learn:lesson", kwargs={"slug": course.slug, "lesson_id": lesson.pk})
    except NoReverseMatch:  # the lesson pages are another piece of work; link once they exist
        return None
    return {"url": url, "title": lesson.localized("title"), "course": course.localized("title")}


def _strings() -> dict[str, str]:
    """What the page's script says, translated here (the script itself has no catalogue)."""
    return {
        "saved": _("Saved ✓"),
        "saving": _("Saving…"),
        "unsaved": _("Not saved yet"),
        "notSaved": _("Not saved: %(reason)s"),
        "offline": _("the server could not be reached"),
        "signedOut": _("Your session has ended. Sign in again in another tab, then retry."),
        "sending": _("Sending…"),
        "loaded": _("Loaded %(count)s answer cells from the file."),
        "stillWaiting": _("Still waiting. The result will appear here; you can also reload."),
        "score": _("Score: %(score)s of %(max)s"),
        "checkSummary": _("%(passed)s of %(total)s visible tests passed. Checks are not counted."),
        "points": _("%(points)s of %(max)s points"),
        "passed": _("Passed"),
        "failed": _("Failed"),
        "hiddenTest": _("Hidden test"),
        "visibleOnly": _("Only the visible part ran; hidden tests run when you submit."),
        "truncated": _("(shortened)"),
        "omitted": _("More output was produced than can be shown."),
        "outputHeading": _("Output"),
        "attempt": _("Attempt %(attempt)s"),
        "check": _("Check"),
    }


def editor_phrases() -> dict[str, str]:
    """CodeMirror's own phrases that the editor bundle uses (frontend/src/editor.js), keyed by
    CodeMirror's English, in the page's language. A phrase missing here stays English: after
    upgrading CodeMirror, search frontend/node_modules/@codemirror for `phrase(` and compare
    with static/build/editor.js."""
    return {
        # Translators: read out by screen readers for an invisible character in a code
        # editor, followed by its name, e.g. "Control character nbsp".
        "Control character": pgettext("code editor", "Control character"),
        # Translators: announced by screen readers when selected code is deleted.
        "Selection deleted": pgettext("code editor", "Selection deleted"),
    }


@require_GET
@login_required
@with_csp
def exercise_page(request, exercise_id: int):
    exercise = notebook_exercise(request, exercise_id)
    user = request.user
    # The notebook in the learner's language: the Chinese twin if they work in Chinese and the
    # exercise has one. Drafts are kept by grade_id, so the answers follow a switch of language.
    language = exercise.notebook_language()
    answers = grader_selectors.draft_cells(learner=user, exercise=exercise)
    history = grader_selectors.notebook_runs_of(learner=user, exercise=exercise)
    latest = history.first()
    used = history.filter(purpose="submit").count()
    course = exercise.lesson.unit.course if exercise.lesson_id else None
    base = asset_base(course.slug) if course is not None else None
    latest_payload = runs.run_payload(latest, language) if latest is not None else None
    outputs_by_cell = {
        record["index"]: record["outputs"] for record in (latest_payload or {}).get("outputs", [])
    }
    tests_by_id = {test["grade_id"]: test for test in (latest_payload or {}).get("tests", [])}
    display = cells.display_cells(exercise, answers, language)
    context = {
        "exercise": exercise,
        "title": exercise.localized("title"),
        "prompt": render_markdown(exercise.localized("prompt"), base=base),
        "lesson": _lesson_link(exercise),
        "notebook_language": language,
        # Chinese asked for, but the teacher wrote the notebook in English only.
        "no_translation": is_chinese() and language != exercise.CHINESE,
        "cells": [
            {
                "cell": cell,
                "outputs": outputs_by_cell.get(cell.index, []),
                "result": tests_by_id.get(cell.grade_id) if cell.grade_id else None,
            }
            for cell in display
        ],
        "has_answers": any(cell.kind in (cells.ANSWER_CODE, cells.ANSWER_TEXT) for cell in display),
        "latest": latest_payload,
        "attempts_used": used,
        "attempts_left": attempts_left(exercise=exercise, used=used, learner=user),
        "strings": _strings(),
        # Links to the learner's pages come from the context: a preview passes none of its own.
        "download_url": reverse("notebook:download", kwargs={"exercise_id": exercise.pk}),
        "editor_phrases": editor_phrases(),
        "band_class": f"band-{course.age_band}" if course is not None else "",
    }
    return render(request, "courses/notebook/exercise.html", context)
