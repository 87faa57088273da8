"""Celery tasks of the teaching app: thin and idempotent, loading by id."""

from __future__ import annotations

from celery import shared_task

from graders.tasks import grade_once
from teaching import regrades
from teaching.models import RegradeItem


@shared_task(bind=True, name="teaching.regrade_submission", ignore_result=True)
def regrade_submission(self, item_id: int) -> None:
    """Grade again one submission of a regrade batch, then settle it and send the batch's next.

    The grading is the ordinary one (graders.tasks.grade_once): the same submission row, so
    its attempt number never changes, and it records the course version it used. A duplicate
    or late delivery claims nothing and only settles what is already settled.
    """
    item = RegradeItem.objects.select_related("batch").filter(pk=item_id).first()
    if item is None or item.state != RegradeItem.State.QUEUED:
        return
    grade_once(
        item.submission_id,
        task_id=self.request.id or f"{regrades.grader_services.REGRADE_TOKEN}-local",
        worker=self.request.hostname or "",
    )
    regrades.regrade_settle(batch=item.batch, item_ids=[item.pk])
