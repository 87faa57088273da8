"""A regrade's progress: a page that polls, and the JSON it polls."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET

from teaching import regrades, selectors
from teaching.models import RegradeItem
from teaching.views.common import teacher_required


def _items(batch):
    return batch.items.select_related("submission__learner").only(
        "id",
        "state",
        "old_status",
        "old_score",
        "new_status",
        "new_score",
        "submission__id",
        "submission__attempt",
        "submission__learner__id",
        "submission__learner__username",
        "submission__learner__first_name",
        "submission__learner__last_name",
    )


def _summary(batch) -> dict:
    return {
        "status": batch.status,
        "done": batch.is_done,
        "total": batch.total,
        "finished": batch.done,
        "changed": batch.changed,
        "failed": batch.failed,
        "skipped": batch.skipped,
        "percent": round(100 * batch.done / batch.total) if batch.total else 100,
    }


@require_GET
@teacher_required
def regrade_page(request, pk):
    batch = regrades.regrade_settle(batch=selectors.regrade_batch_for(request.user, pk))
    items = list(_items(batch))
    changed = [item for item in items if item.score_changed]
    context = {
        "batch": batch,
        "summary": _summary(batch),
        "changed": changed,
        "failed": [item for item in items if item.state == RegradeItem.State.FAILED],
        "skipped": [item for item in items if item.state == RegradeItem.State.SKIPPED],
        "progress_url": reverse("teaching:regrade_progress", kwargs={"pk": batch.pk}),
    }
    return render(request, "teaching/regrade.html", context)


@require_GET
@teacher_required
def regrade_progress(request, pk):
    """The batch's counters; settling on the way, so progress shows even if a regrade task was
    lost and the sweeper's grading stored the result."""
    batch = regrades.regrade_settle(batch=selectors.regrade_batch_for(request.user, pk))
    summary = _summary(batch)
    summary["text"] = render_to_string(
        "teaching/_regrade_status.html", {"summary": summary}, request=request
    ).strip()
    response = JsonResponse(summary)
    response["Cache-Control"] = "no-store"
    return response
