"""The gradebook of a class, its CSV export, and a learner's history in the class."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.selectors import learner_in
from teaching import export, selectors
from teaching import gradebook as book
from teaching.forms import GradebookFilterForm
from teaching.models import MarkChange
from teaching.views.common import teacher_required


def _filtered(request, classroom):
    form = GradebookFilterForm(
        request.GET or None,
        courses=list(selectors.class_courses(classroom)),
        exercises=list(
            selectors.class_exercises(classroom)
            .select_related(None)
            .only("id", "title", "title_zh")
        ),
    )
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {
            "course_id": form.cleaned_data["course"],
            "exercise_id": form.cleaned_data["exercise"],
            "status": form.cleaned_data["status"] or None,
            "learner_query": form.cleaned_data["learner"],
        }
    return form, filters


@require_GET
@teacher_required
def gradebook(request, pk):
    classroom = selectors.classroom_managed_by(request.user, pk)
    form, filters = _filtered(request, classroom)
    grid = book.gradebook(classroom, **filters)
    context = {
        "classroom": classroom,
        "form": form,
        "book": grid,
        "filtered": bool(filters and any(filters.values())),
        "query": request.GET.urlencode(),
        "statuses": book.STATUS_LABELS,
    }
    return render(request, "teaching/gradebook.html", context, status=400 if form.errors else 200)


@require_GET
@never_cache
@teacher_required
def gradebook_csv(request, pk):
    classroom = selectors.classroom_managed_by(request.user, pk)
    export_format = request.GET.get("format", export.CANVAS)
    if export_format not in export.FORMATS:
        return HttpResponse(
            _("Choose the format: canvas or moodle."), status=400, content_type="text/plain"
        )
    form, filters = _filtered(request, classroom)
    if form.errors:
        return HttpResponse(_("The filters are not valid."), status=400, content_type="text/plain")
    grid = book.gradebook(classroom, **filters)
    response = HttpResponse(
        export.gradebook_csv(grid, export_format), content_type="text/csv; charset=utf-8"
    )
    name = slugify(classroom.name) or f"class-{classroom.pk}"
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{name}-{export_format}-{stamp}.csv"'
    return response


@require_GET
@teacher_required
def learner_history(request, pk, learner_pk):
    classroom = selectors.classroom_managed_by(request.user, pk)
    learner = learner_in(classroom, learner_pk)
    history = [
        {"exercise": exercise, "title": exercise.localized("title"), "attempt": attempt}
        for exercise, attempt in book.learner_history(classroom, learner)
    ]
    submission_ids = [
        item["attempt"].submission_id for item in history if item["attempt"].submission_id
    ]
    changes = (
        MarkChange.objects.filter(submission_id__in=submission_ids)
        .select_related("changed_by", "submission__exercise")
        .defer(
            "submission__content",
            "submission__tests",
            "submission__outputs",
            "submission__exercise__source_notebook",
            "submission__exercise__released_notebook",
            "submission__exercise__source_notebook_zh",
            "submission__exercise__released_notebook_zh",
        )
    )
    return render(
        request,
        "teaching/learner_history.html",
        {"classroom": classroom, "learner": learner, "history": history, "changes": changes},
    )
