"""What the page sends: drafts, runs (Submit or Check), uploads, and the download.

Each takes JSON from the page's script or a plain form post (no script): JSON gets JSON back
with a specific message and the right status; a form gets a message and a redirect to the page.
The writes themselves are graders' services, so attempts, rate limits, size checks and
enqueue-on-commit are the same as through the API.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from courses.views.notebook import runs
from courses.views.notebook.common import (
    BadBody,
    answers_from_form,
    attachment,
    json_body,
    json_error,
    notebook_exercise,
    wants_json,
    with_csp,
    work_language,
)
from graders import answers, notebook, services
from graders import selectors as grader_selectors
from graders.models import Submission

PURPOSES = {"submit": Submission.Purpose.SUBMIT, "check": Submission.Purpose.CHECK}
# A page's JSON is the answers plus a few keys; allow some room for JSON escaping.
_BODY_SLACK = 64 * 1024


def _page(exercise) -> HttpResponse:
    return redirect(reverse("notebook:exercise", kwargs={"exercise_id": exercise.pk}))


def _refuse(request, exercise, message: str, status: int) -> HttpResponse:
    if wants_json(request):
        return json_error(message, status)
    messages.error(request, message)
    return _page(exercise)


def _posted_answers(request) -> tuple[dict, dict]:
    """(answers, the rest of the JSON body) from either kind of post."""
    if request.content_type == "application/json":
        body = json_body(request, max_bytes=services.draft_max_bytes() * 2 + _BODY_SLACK)
        return body.get("cells"), body
    rest = {"purpose": request.POST.get("action", ""), "language": request.POST.get("language")}
    return answers_from_form(request), rest


@require_POST
@login_required
@with_csp
def draft_save(request, exercise_id: int):
    exercise = notebook_exercise(request, exercise_id)
    try:
        cells, _body = _posted_answers(request)
        draft = services.draft_save(learner=request.user, exercise=exercise, cells=cells)
    except BadBody as error:
        return _refuse(request, exercise, error.message, error.status)
    except services.DraftRejected as rejection:
        return _refuse(request, exercise, rejection.message, rejection.status_code)
    if wants_json(request):
        return JsonResponse({"saved_at": draft.updated_at.isoformat()})
    messages.success(request, _("Your answers are saved."))
    return _page(exercise)


def _created(request, exercise, submission: Submission) -> HttpResponse:
    if wants_json(request):
        payload = runs.run_payload(submission, submission.language)
        payload["status_url"] = reverse(
            "notebook:run", kwargs={"exercise_id": exercise.pk, "run_id": submission.pk}
        )
        return JsonResponse(payload, status=201)
    if submission.is_check:
        messages.success(request, _("Your check is waiting to run. Reload to see its result."))
    else:
        messages.success(
            request, _("Your submission is waiting to be graded. Reload to see its result.")
        )
    return _page(exercise)


@require_POST
@login_required
@with_csp
def run_create(request, exercise_id: int):
    """Submit (graded, an attempt) or Check (visible tests only, not counted) the answers."""
    exercise = notebook_exercise(request, exercise_id)
    try:
        cells, body = _posted_answers(request)
        purpose = PURPOSES.get(body.get("purpose"))
        if purpose is None:
            raise BadBody(_("Choose Check or Submit."))
        language = work_language(exercise, body.get("language"))
        # The answers are saved first: a refused run (too many, no attempts left) loses nothing.
        services.draft_save(learner=request.user, exercise=exercise, cells=cells)
        released = exercise.released_notebook_for(language)
        content = answers.notebook_bytes(answers.with_answers(released, cells))
        submission = services.submission_create(
            learner=request.user,
            exercise=exercise,
            content=content,
            purpose=purpose,
            language=language,
        )
    except BadBody as error:
        return _refuse(request, exercise, error.message, error.status)
    except services.SubmissionRejected as rejection:  # DraftRejected included
        return _refuse(request, exercise, rejection.message, rejection.status_code)
    return _created(request, exercise, submission)


@require_POST
@login_required
@with_csp
def upload(request, exercise_id: int):
    """An .ipynb from Jupyter: submit it (or check it) as it is, or load its answers."""
    exercise = notebook_exercise(request, exercise_id)
    action = request.POST.get("action", "")
    file = request.FILES.get("notebook")
    limit = settings.GRADER_MAX_NOTEBOOK_BYTES
    if action not in ("load", *PURPOSES):
        return _refuse(request, exercise, _("Choose what to do with the file."), 400)
    try:
        # The file is graded against the notebook of the page it was sent from.
        language = work_language(exercise, request.POST.get("language"))
    except BadBody as error:
        return _refuse(request, exercise, error.message, error.status)
    if file is None:
        return _refuse(request, exercise, _("Choose a notebook file (.ipynb) first."), 400)
    if file.size > limit:
        return _refuse(request, exercise, str(notebook.too_large(file.size, limit)), 413)
    content = file.read()
    if action == "load":
        return _load(request, exercise, content, language)
    try:
        submission = services.submission_create(
            learner=request.user,
            exercise=exercise,
            content=content,
            purpose=PURPOSES[action],
            language=language,
        )
    except services.SubmissionRejected as rejection:
        return _refuse(request, exercise, rejection.message, rejection.status_code)
    return _created(request, exercise, submission)


def _load(request, exercise, content: bytes, language: str) -> HttpResponse:
    try:
        found = answers.answers_from_upload(
            content,
            max_bytes=settings.GRADER_MAX_NOTEBOOK_BYTES,
            released=exercise.released_notebook_for(language),
        )
    except notebook.NotebookError as error:
        return _refuse(request, exercise, str(error), 400)
    if not found:
        return _refuse(
            request, exercise, _("The file has none of this exercise's answer cells."), 400
        )
    saved = grader_selectors.draft_cells(learner=request.user, exercise=exercise)
    try:
        services.draft_save(learner=request.user, exercise=exercise, cells={**saved, **found})
    except services.DraftRejected as rejection:
        return _refuse(request, exercise, rejection.message, rejection.status_code)
    if wants_json(request):
        return JsonResponse({"cells": found})
    messages.success(
        request,
        _("Loaded %(count)s answer cells from the file.") % {"count": len(found)},
    )
    return _page(exercise)


@require_GET
@login_required
@with_csp
def download(request, exercise_id: int):
    """The released notebook in the learner's language with their saved answers filled in, to
    open in Jupyter."""
    exercise = notebook_exercise(request, exercise_id)
    language = exercise.notebook_language()
    saved = grader_selectors.draft_cells(learner=request.user, exercise=exercise)
    released = exercise.released_notebook_for(language)
    content = answers.notebook_bytes(answers.with_answers(released, saved))
    name = slugify(exercise.title) or f"exercise-{exercise.pk}"
    # The course folder's name for a Chinese twin: learners who also write courses know it.
    suffix = ".zh.ipynb" if language == exercise.CHINESE else ".ipynb"
    return attachment(content, f"{name}{suffix}", "application/x-ipynb+json")
