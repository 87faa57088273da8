"""What every notebook view shares: who may open an exercise, the CSP, JSON in and out."""

from __future__ import annotations

import functools
import json

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from config.csp import CONTENT_SECURITY_POLICY
from courses.models import Exercise
from courses.selectors import exercises_visible_to


def with_csp(view):
    """The site's policy, set here too so these pages keep it whatever the middleware order."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response

    return wrapped


def notebook_exercise(request: HttpRequest, exercise_id: int) -> Exercise:
    """The notebook exercise if this user may open it; 404 otherwise (never a hint it exists)."""
    exercises = exercises_visible_to(request.user).filter(kind=Exercise.Kind.NOTEBOOK)
    exercise = get_object_or_404(exercises, pk=exercise_id)
    if not isinstance(exercise.released_notebook, dict) or not exercise.released_notebook.get(
        "cells"
    ):
        raise Http404(_("This exercise has no notebook yet."))
    return exercise


def work_language(exercise: Exercise, posted: object = None) -> str:
    """The language of the notebook the learner is working in: the page's (its forms send it in
    `language`), else the request's. "en" or "zh-hans" (the latter only if the exercise has a
    Chinese twin)."""
    if posted is None or posted == "":
        return exercise.notebook_language()
    if posted not in (Exercise.ENGLISH, Exercise.CHINESE):
        raise BadBody(_("The language must be “en” or “zh-hans”."))
    return exercise.notebook_language(posted)


def wants_json(request: HttpRequest) -> bool:
    """The page's script asks for JSON; a plain form post (no script) gets a redirect."""
    return request.headers.get("Accept", "").startswith("application/json")


def json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": str(message)}, status=status)


class BadBody(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def json_body(request: HttpRequest, *, max_bytes: int) -> dict:
    """The request's JSON object, refusing bodies over `max_bytes` before reading them."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise BadBody(_("The Content-Length header is not a number.")) from None
    if declared > max_bytes:
        raise BadBody(_("The request is too large."), 413)
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):
        raise BadBody(_("The request is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise BadBody(_("The request must be a JSON object."))
    return data


def answers_from_form(request: HttpRequest) -> dict[str, str]:
    """Solution cells posted by the page's plain form: fields named "answer-<grade_id>"."""
    # Browsers send a textarea's line breaks as CRLF; the editors and Jupyter use LF.
    return {
        name.removeprefix("answer-"): value.replace("\r\n", "\n")
        for name, value in request.POST.items()
        if name.startswith("answer-")
    }


def attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
