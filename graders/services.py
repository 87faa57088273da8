"""Writes for the submission lifecycle.

Every status change is one conditional UPDATE (`filter(pk=…, status=…).update(…)`): whoever loses
a race changes nothing. Tasks are enqueued only after the transaction that stored the submission
commits; if the broker is down the submission simply stays queued and the sweeper sends it later.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, Max, OuterRef, Q, Subquery, Value, When
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from courses.models import CourseVersion, Exercise
from graders import answers, messages, notebook, outputs
from graders.models import Draft, Submission
from graders.results import GradeResult
from graders.signals import submission_marked
from teaching.limits import attempt_limit

logger = logging.getLogger(__name__)
Status = Submission.Status
Purpose = Submission.Purpose
# A failed submission scores 0; a failed check has no score at all (checks never count).
_FAILED_SCORE = Case(When(purpose=Purpose.CHECK, then=Value(None)), default=Value(0.0))


class SubmissionRejected(Exception):
    """A submission that is not stored, with the HTTP status that fits and a message for people."""

    def __init__(self, message: str, *, status_code: int = 400):
        super().__init__(message)
        self.message = message
        self.status_code = status_code


def _check_rate(learner: User) -> None:
    in_flight = (
        Submission.objects.filter(learner=learner, status__in=Submission.IN_FLIGHT)
        # A teacher's regrade is not the learner's doing: it must not block their own work.
        .exclude(run_token__startswith=REGRADE_TOKEN)
        .count()
    )
    limit = settings.GRADER_MAX_IN_FLIGHT
    if in_flight >= limit:
        raise SubmissionRejected(
            ngettext(
                "You already have %(count)d submission waiting to be graded. "
                "Please wait for its result before submitting again.",
                "You already have %(count)d submissions waiting to be graded. "
                "Please wait for their results before submitting again.",
                in_flight,
            )
            % {"count": in_flight},
            status_code=429,
        )
    minute_ago = timezone.now() - timedelta(minutes=1)
    recent = Submission.objects.filter(learner=learner, received_at__gte=minute_ago).count()
    if recent >= settings.GRADER_MAX_PER_MINUTE:
        raise SubmissionRejected(
            ngettext(
                "You have submitted %(count)d time in the last minute. Please wait a moment.",
                "You have submitted %(count)d times in the last minute. Please wait a moment.",
                recent,
            )
            % {"count": recent},
            status_code=429,
        )


def _check_attempts_left(limit: int | None, used: int) -> None:
    if limit is not None and used >= limit:
        raise SubmissionRejected(
            ngettext(
                "You have used your %(count)d attempt at this exercise.",
                "You have used all %(count)d attempts at this exercise.",
                limit,
            )
            % {"count": limit},
            status_code=409,
        )


def submission_create(
    *,
    learner: User,
    exercise: Exercise,
    content: bytes,
    purpose: str = Purpose.SUBMIT,
    language: str = Submission.Language.ENGLISH,
) -> Submission:
    """Store a learner's notebook and queue it for grading once the transaction commits.

    `language` is the one the learner works in (views pass the request's): the submission
    records the notebook of that language the exercise has (Chinese only if it has a twin), and
    grading uses that notebook's tests, so their messages come back in it. English by default,
    not the active language: outside a request that is whatever the thread last activated.

    `purpose="check"` runs the visible tests only: it is not an attempt (attempt 0, not limited by
    `max_attempts`, never scored) but shares the rate limits, since it costs a worker as much.
    Raises SubmissionRejected (400 bad notebook, 409 no attempts left, 413 too large, 429 too
    many) and stores nothing.
    """
    if purpose not in Purpose.values:
        raise ValueError(f"unknown purpose {purpose!r}")
    is_check = purpose == Purpose.CHECK
    limit = settings.GRADER_MAX_NOTEBOOK_BYTES
    if len(content) > limit:
        raise SubmissionRejected(str(notebook.too_large(len(content), limit)), status_code=413)
    try:
        notebook.parse_notebook(content, max_bytes=limit)
    except notebook.NotebookError as error:
        raise SubmissionRejected(str(error)) from None
    for _attempt in range(3):
        try:
            with transaction.atomic():
                # Lock the learner's row: their rate checks and attempt numbers are serialised.
                User.objects.select_for_update().filter(pk=learner.pk).first()
                _check_rate(learner)
                attempt = 0
                if not is_check:
                    last = (
                        (
                            Submission.objects.counted()
                            .filter(learner=learner, exercise=exercise)
                            .aggregate(last=Max("attempt"))["last"]
                        )
                        or 0
                    )
                    # The learner's classes may allow more or fewer attempts than the exercise.
                    _check_attempts_left(attempt_limit(learner=learner, exercise=exercise), last)
                    attempt = last + 1
                submission = Submission.objects.create(
                    learner=learner,
                    exercise=exercise,
                    purpose=purpose,
                    attempt=attempt,
                    language=exercise.notebook_language(language),
                    content=content,
                    sha256=hashlib.sha256(content).hexdigest(),
                    size=len(content),
                    status=Status.QUEUED,
                    queued_at=timezone.now(),
                    max_score=None if is_check else exercise.max_score,
                )
                transaction.on_commit(lambda pk=submission.pk: submission_enqueue(pk))
            return submission
        except IntegrityError:
            continue  # another request took this attempt number at the same moment
    raise SubmissionRejected(_("Please try again."), status_code=409)


def submission_enqueue(submission_id: int) -> bool:
    """Send the grading task. A broker outage is logged, not raised: the sweeper retries."""
    from graders.tasks import grade_submission

    try:
        grade_submission.apply_async(args=[submission_id])
    except Exception:
        logger.warning("could not enqueue submission %s; the sweeper will", submission_id)
        return False
    return True


def _new_token(task_id: str) -> str:
    return f"{task_id}/{secrets.token_hex(8)}"


def grading_start(*, submission_id: int, task_id: str, worker: str) -> Submission | None:
    """Claim a submission for this execution, or None if someone else owns it or it is final.

    A queued submission is claimed outright. A running one is taken over only by a redelivery of
    the same task message (its first execution died with its worker) or once it is stale. Each
    take-over counts as a retry; past the limit the submission fails instead of looping forever.
    """
    now = timezone.now()
    token = _new_token(task_id)
    claimed = Submission.objects.filter(pk=submission_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=now, worker=worker[:255], run_token=token
    )
    if not claimed:
        stale = now - timedelta(seconds=settings.GRADER_RUNNING_DEADLINE)
        takeover = Q(run_token__startswith=f"{task_id}/") | Q(started_at__lt=stale)
        current = (
            Submission.objects.filter(pk=submission_id, status=Status.RUNNING)
            .filter(takeover)
            .values("retries", "run_token")
            .first()
        )
        if current is None:
            return None
        if current["retries"] >= settings.GRADER_MAX_RETRIES:
            _fail_after_retries(submission_id, Status.RUNNING, current["retries"])
            return None
        claimed = Submission.objects.filter(
            pk=submission_id, status=Status.RUNNING, run_token=current["run_token"]
        ).update(
            started_at=now, worker=worker[:255], run_token=token, retries=current["retries"] + 1
        )
        if not claimed:
            return None
    return (
        Submission.objects.select_related("exercise")
        # Read with the exercise in one query: the version of the content this grading uses.
        .annotate(graded_version_id=_latest_course_version())
        .get(pk=submission_id)
    )


def _latest_course_version() -> Subquery:
    """The newest CourseVersion of the submission's exercise's course (None: the exercise is
    in no course, or its course has no version yet)."""
    versions = CourseVersion.objects.filter(
        course_id=OuterRef("exercise__lesson__unit__course_id")
    ).order_by("-number")
    return Subquery(versions.values("pk")[:1])


def _graded_version_id(submission: Submission) -> int | None:
    if hasattr(submission, "graded_version_id"):  # claimed by grading_start
        return submission.graded_version_id
    return (
        CourseVersion.objects.filter(course__units__lessons__exercises=submission.exercise_id)
        .order_by("-number")
        .values_list("pk", flat=True)
        .first()
    )


def _stored_test(test) -> dict:
    data = test.to_json() | {"hidden": test.hidden}
    if test.visible_only:
        data["visible_only"] = True
    return data


def grading_finish(*, submission: Submission, result: GradeResult) -> bool:
    """Store the result if this execution still owns the submission. Exactly one result lands.

    A check stores its per-test results and outputs but no score: it must never count. The
    submission records the course version it was graded against (Submission.course_version).
    """
    check = submission.purpose == Purpose.CHECK
    stored = bool(
        Submission.objects.filter(
            pk=submission.pk, status=Status.RUNNING, run_token=submission.run_token
        ).update(
            status=result.status,
            score=None if check else result.score,
            max_score=None if check else result.max_score,
            tests=[_stored_test(test) for test in result.tests][:500],
            error=(result.error or "")[:1000],
            review_reasons=[reason[:500] for reason in result.review_reasons][:50],
            outputs=outputs.capped(result.outputs),
            finished_at=timezone.now(),
            course_version_id=_graded_version_id(submission),
        )
    )
    if stored:
        # One line per stored result, written as it lands (before listeners run): the soak test
        # counts these to prove nothing lands twice.
        logger.info("stored result of submission %s: %s", submission.pk, result.status)
        if not check:
            submission_marked.send(sender=Submission, submission_id=submission.pk)
    return stored


def grading_release(*, submission: Submission) -> bool:
    """Give a claimed submission back to the queue (this worker cannot grade right now)."""
    return bool(
        Submission.objects.filter(
            pk=submission.pk, status=Status.RUNNING, run_token=submission.run_token
        ).update(status=Status.QUEUED, run_token="", queued_at=timezone.now())
    )


def grading_fail(*, submission: Submission, reason: str) -> bool:
    failed = bool(
        Submission.objects.filter(
            pk=submission.pk, status=Status.RUNNING, run_token=submission.run_token
        ).update(
            status=Status.FAILED,
            score=_FAILED_SCORE,
            error=reason[:1000],
            finished_at=timezone.now(),
        )
    )
    if failed and submission.purpose != Purpose.CHECK:
        submission_marked.send(sender=Submission, submission_id=submission.pk)
    return failed


def _fail_after_retries(submission_id: int, status: str, retries: int) -> bool:
    failed = bool(
        Submission.objects.filter(pk=submission_id, status=status, retries=retries).update(
            status=Status.FAILED,
            score=_FAILED_SCORE,
            error=messages.RETRIES_EXHAUSTED,
            finished_at=timezone.now(),
            run_token="",
        )
    )
    if failed:
        submission_marked.send(sender=Submission, submission_id=submission_id)
    return failed


# ---------------------------------------------------------------------------------------------
# Regrading (teaching/regrades.py starts it, teaching/tasks.py runs it)

# The run_token of a submission a regrade put back in the queue. Regrade tasks' ids start with it
# too, so their claims (run_token "<task id>/<random>") keep the mark while running.
REGRADE_TOKEN = "regrade"  # noqa: S105 (a marker, not a secret)


def submission_requeue_for_regrade(*, submission_id: int, status: str) -> bool:
    """Put a final, counted submission back in the queue to be graded again with the current
    tests. The one transition out of a final state, conditional like every other: only from
    `status` (the one the caller saw), so a submission in flight or changed meanwhile is left
    alone, and a duplicate request moves nothing. Attempt number, bytes and language stay; the
    old result stays on the row until grading_finish replaces it. From then on it is an ordinary
    queued submission: claimed by grading_start, re-queued by the sweeper if it gets stuck.
    """
    if status not in Submission.FINAL:
        return False
    return bool(
        Submission.objects.filter(pk=submission_id, purpose=Purpose.SUBMIT, status=status).update(
            status=Status.QUEUED,
            queued_at=timezone.now(),
            started_at=None,
            finished_at=None,
            worker="",
            run_token=REGRADE_TOKEN,
            retries=0,
        )
    )


@dataclass
class SweepReport:
    requeued: list[int]
    failed: list[int]


def submissions_sweep(*, now=None) -> SweepReport:
    """Re-queue submissions stuck past their deadline, at most GRADER_MAX_RETRIES times."""
    now = now or timezone.now()
    queued_cutoff = now - timedelta(seconds=settings.GRADER_QUEUED_DEADLINE)
    running_cutoff = now - timedelta(seconds=settings.GRADER_RUNNING_DEADLINE)
    stuck = Submission.objects.filter(
        Q(status=Status.QUEUED, queued_at__lt=queued_cutoff)
        | Q(status=Status.RUNNING, started_at__lt=running_cutoff)
    ).values_list("pk", "status", "retries")
    report = SweepReport(requeued=[], failed=[])
    for pk, status, retries in stuck[: settings.GRADER_SWEEP_BATCH]:
        if retries >= settings.GRADER_MAX_RETRIES:
            if _fail_after_retries(pk, status, retries):
                report.failed.append(pk)
            continue
        moved = Submission.objects.filter(pk=pk, status=status, retries=retries).update(
            status=Status.QUEUED, queued_at=now, retries=retries + 1, run_token=""
        )
        if moved:
            report.requeued.append(pk)
            submission_enqueue(pk)
    if report.requeued or report.failed:
        logger.info("sweeper: requeued %s, failed %s", report.requeued, report.failed)
    return report


# ---------------------------------------------------------------------------------------------
# Drafts


class DraftRejected(SubmissionRejected):
    """A draft that is not stored (400 malformed, 413 too large); the old draft is kept."""


def draft_max_bytes() -> int:
    return getattr(settings, "GRADER_MAX_DRAFT_BYTES", 1_000_000)


def draft_save(*, learner: User, exercise: Exercise, cells: object) -> Draft:
    """Store the learner's solution cells ({grade_id: source}) for this notebook exercise.

    Only the released notebook's solution cells may be named; the total is size-capped. Raises
    DraftRejected and stores nothing when the draft is malformed or too large.
    """
    if not isinstance(cells, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in cells.items()
    ):
        raise DraftRejected(_("A draft must map each answer cell's id to its text."))
    known = answers.solution_ids(exercise.released_notebook)
    unknown = sorted(set(cells) - set(known))
    if unknown:
        raise DraftRejected(
            _("This exercise has no answer cell called %(name)s.") % {"name": unknown[0][:60]}
        )
    size = sum(len(key.encode()) + len(value.encode()) for key, value in cells.items())
    limit = draft_max_bytes()
    if size > limit:
        raise DraftRejected(
            _("Your answers are too long to save: %(size)s, the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            status_code=413,
        )
    with transaction.atomic():
        draft, _created = Draft.objects.update_or_create(
            learner=learner, exercise=exercise, defaults={"cells": cells}
        )
    return draft
