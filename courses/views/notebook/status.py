"""The page's polling: one of the learner's own runs of this exercise, as JSON."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from courses.views.notebook import runs
from courses.views.notebook.common import notebook_exercise, with_csp
from graders import selectors as grader_selectors


@require_GET
@login_required
@with_csp
def run_status(request, exercise_id: int, run_id: int):
    exercise = notebook_exercise(request, exercise_id)
    # Only the caller's own runs: anyone else's, even a teacher's view of a class, is a 404 here.
    submission = get_object_or_404(
        grader_selectors.notebook_runs_of(learner=request.user, exercise=exercise), pk=run_id
    )
    response = JsonResponse(runs.run_payload(submission))
    response["Cache-Control"] = "no-store"
    return response
