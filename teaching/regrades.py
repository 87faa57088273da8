"""Regrading an exercise's graded submissions through the workers, after a test was fixed.

regrade_start() lists the submissions (an exercise's, or only one class's learners') in a batch,
each with the result it had. They go back in the queue a few at a time (REGRADE_IN_FLIGHT), so a
large regrade neither starves learners' new submissions nor waits past the sweeper's deadline:
each finished regrade sends the next one (teaching/tasks.py), and so does anyone who looks at the
batch's progress.

Safe with graders' run tokens: a submission goes back only by the one conditional transition
final → queued (graders.services.submission_requeue_for_regrade); from there it is an ordinary
queued submission, which grading_start claims and grading_finish settles exactly once, and
which the sweeper re-queues if it gets stuck. An item is settled by reading its submission, not
by the task that graded it, so whichever execution (or the sweeper's) stored the new result, the
batch counts it once: every item and counter moves in one conditional UPDATE.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Exercise
from graders import services as grader_services
from graders.models import Submission
from teaching.models import RegradeBatch, RegradeItem
from teaching.models.regrades import scores_differ

logger = logging.getLogger(__name__)
State = RegradeItem.State


def regrade_in_flight() -> int:
    """How many submissions of one batch may be in the grading queue at once."""
    return max(1, int(getattr(settings, "TEACHING_REGRADE_IN_FLIGHT", 8)))


def regradable_submissions(*, exercise: Exercise, classroom=None) -> QuerySet[Submission]:
    """Counted submissions of the exercise whose grading is over (graded, needs review, failed)."""
    submissions = Submission.objects.counted().filter(
        exercise=exercise, status__in=Submission.FINAL
    )
    if classroom is not None:
        submissions = submissions.filter(learner__in=classroom.learners.values("pk"))
    return submissions


def regrade_start(*, exercise: Exercise, requested_by, classroom=None) -> RegradeBatch:
    """A batch regrading every graded submission of `exercise` (of `classroom`'s learners only,
    if given), started at once. The caller checks permissions.

    Raises ValidationError when a regrade of the exercise is still running (two at once would
    fight over the same submissions) or there is nothing to regrade.
    """
    if not exercise.is_notebook:
        raise ValidationError(_("Only notebook exercises are graded by the workers."))
    for running in RegradeBatch.objects.filter(
        exercise=exercise, status=RegradeBatch.Status.RUNNING
    ):
        regrade_settle(batch=running)
    with transaction.atomic():
        # One regrade of an exercise at a time: the lock serialises two teachers' clicks.
        Exercise.objects.select_for_update().filter(pk=exercise.pk).first()
        if RegradeBatch.objects.filter(
            exercise=exercise, status=RegradeBatch.Status.RUNNING
        ).exists():
            raise ValidationError(
                _("A regrade of this exercise is still running. Wait for it to finish.")
            )
        rows = list(
            regradable_submissions(exercise=exercise, classroom=classroom)
            .order_by("id")
            .values_list("pk", "status", "score")
        )
        if not rows:
            raise ValidationError(_("There are no graded submissions to regrade."))
        batch = RegradeBatch.objects.create(
            exercise=exercise, classroom=classroom, requested_by=requested_by, total=len(rows)
        )
        RegradeItem.objects.bulk_create(
            RegradeItem(batch=batch, submission_id=pk, old_status=status, old_score=score)
            for pk, status, score in rows
        )
    regrade_advance(batch=batch)
    return batch


def regrade_advance(*, batch: RegradeBatch) -> int:
    """Send the batch's next waiting submissions back to the queue, up to REGRADE_IN_FLIGHT in
    flight; the number sent. Idempotent: each item leaves WAITING once, by a conditional UPDATE.
    """
    sent: list[int] = []
    with transaction.atomic():
        RegradeBatch.objects.select_for_update().filter(pk=batch.pk).first()
        room = regrade_in_flight() - batch.items.filter(state=State.QUEUED).count()
        waiting = batch.items.filter(state=State.WAITING).order_by("id")
        while len(sent) < room:
            # Items leave WAITING as they are handled, so each slice holds new ones; one that is
            # skipped makes room for the next.
            chunk = list(waiting.values_list("pk", "submission_id")[: room - len(sent)])
            if not chunk:
                break
            sent += _send_back(batch, chunk)
        _finish_if_complete(batch)
    if sent:
        transaction.on_commit(lambda: regrade_enqueue(sent))
    return len(sent)


def _send_back(batch: RegradeBatch, chunk: list[tuple[int, int]]) -> list[int]:
    """Re-queue each (item, submission); the items that went back in the queue."""
    sent = []
    for item_id, submission_id in chunk:
        row = Submission.objects.filter(pk=submission_id).values("status", "score").first()
        row = row or {"status": "", "score": None}
        # The item first: whoever moves it out of WAITING is the one who re-queues.
        claimed = RegradeItem.objects.filter(pk=item_id, state=State.WAITING).update(
            state=State.QUEUED,
            old_status=row["status"] or F("old_status"),
            old_score=row["score"],
            requeued_at=timezone.now(),
        )
        if not claimed:
            continue
        if grader_services.submission_requeue_for_regrade(
            submission_id=submission_id, status=row["status"]
        ):
            sent.append(item_id)
        elif RegradeItem.objects.filter(pk=item_id, state=State.QUEUED).update(
            state=State.SKIPPED, finished_at=timezone.now()
        ):
            _count(batch, skipped=1)
    return sent


def regrade_enqueue(item_ids: list[int]) -> None:
    """Send a regrade task per item. A broker outage is logged, not raised: the submissions
    are queued in the database, and the sweeper sends them to be graded."""
    from teaching.tasks import regrade_submission

    for item_id in item_ids:
        try:
            regrade_submission.apply_async(
                args=[item_id],
                # Its claim's run token keeps the regrade mark (graders.services.REGRADE_TOKEN).
                task_id=f"{grader_services.REGRADE_TOKEN}-{uuid.uuid4().hex}",
                queue="grading",
            )
        except Exception:
            logger.warning("could not enqueue regrade item %s; the sweeper will", item_id)


def _count(batch: RegradeBatch, **counters: int) -> None:
    RegradeBatch.objects.filter(pk=batch.pk).update(
        done=F("done") + 1, **{name: F(name) + value for name, value in counters.items()}
    )


def _finish_if_complete(batch: RegradeBatch) -> None:
    RegradeBatch.objects.filter(
        pk=batch.pk, status=RegradeBatch.Status.RUNNING, done__gte=F("total")
    ).update(status=RegradeBatch.Status.DONE, finished_at=timezone.now())


def regrade_settle(*, batch: RegradeBatch, item_ids: list[int] | None = None) -> RegradeBatch:
    """Record the new result of every queued item whose submission is final again, send the
    next ones, and return the batch as it now stands. Safe to call any number of times, from
    any process: an item settles once."""
    queued = batch.items.filter(state=State.QUEUED, submission__status__in=Submission.FINAL)
    if item_ids is not None:
        queued = queued.filter(pk__in=item_ids)
    for item_id, status, score, old_score in queued.values_list(
        "pk", "submission__status", "submission__score", "old_score"
    ):
        with transaction.atomic():
            failed = status == Submission.Status.FAILED
            settled = RegradeItem.objects.filter(pk=item_id, state=State.QUEUED).update(
                state=State.FAILED if failed else State.DONE,
                new_status=status,
                new_score=score,
                finished_at=timezone.now(),
            )
            if settled:
                changed = scores_differ(old_score, score)
                _count(batch, changed=int(changed), failed=int(failed))
    regrade_advance(batch=batch)
    batch.refresh_from_db()
    return batch
