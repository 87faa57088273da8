"""Export jobs: a report written to a file, in the request when small, by a worker when large.

The life of a job: `queued → running → done | failed`, every move a conditional update, so a task
delivered twice (Celery acks late) finds the job no longer queued and does nothing, and a worker
finishing after its job was given up on stores nothing. A job whose worker died while running
it stays "running" until someone looks at it after REPORTS_EXPORT_STALE_MINUTES; it is then
failed with a message telling them to start again (export_job_settle).

Scope is fixed when the job is made: the job stores the school (None: platform-wide) and the
filters already pinned to it, and the worker re-checks that its requester may still see that
scope before building anything (a school administrator demoted meanwhile gets nothing).

Files live in the database (ExportJob.content), since web hosts and workers share only the
database; jobs older than REPORTS_EXPORT_KEEP_DAYS days are deleted, file and all.
"""

from __future__ import annotations

import importlib
import logging
from datetime import timedelta
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as noop

from reports import exports
from reports.base import REGISTRY, Report, ReportFilters, ReportScope, ReportTable
from reports.models import ExportJob

logger = logging.getLogger(__name__)

# Stored in English (the msgid) and translated where shown, in the reader's language.
EXPORT_FAILED = noop("The export failed. Try again; if it fails again, tell the site's team.")
TIMED_OUT = noop("The export took too long and was stopped. Narrow the filters and try again.")
NOT_ALLOWED = noop("You are no longer allowed to see this report.")
NOT_QUEUED = noop("The export could not be started. Try again in a moment.")
STALLED = noop("The export did not finish. Start it again.")

Status = ExportJob.Status


class ExportRejected(Exception):
    """An export not started, with the HTTP status that fits and a message for people."""

    def __init__(self, message: str, *, status_code: int = 429):
        super().__init__(message)
        self.message = message
        self.status_code = status_code


def max_unfinished() -> int:
    return int(getattr(settings, "REPORTS_EXPORT_MAX_UNFINISHED", 3))


def keep_days() -> int:
    return int(getattr(settings, "REPORTS_EXPORT_KEEP_DAYS", 7))


def stale_after() -> timedelta:
    return timedelta(minutes=float(getattr(settings, "REPORTS_EXPORT_STALE_MINUTES", 60)))


def inline_rows() -> int:
    return int(getattr(settings, "REPORTS_INLINE_EXPORT_ROWS", 5000))


def load_reports() -> dict[str, Report]:
    """The registry, with the catalogue's reports in it (a worker imports nothing else)."""
    try:
        importlib.import_module("reports.catalogue")
    except ModuleNotFoundError as error:
        if error.name != "reports.catalogue":
            raise
    return REGISTRY


def report_visible(report: Report, scope: ReportScope) -> bool:
    # A report naming learners is only for scopes that show names (a school's administrator).
    return scope.show_names or not report.names_learners


def report_get(slug: str, scope: ReportScope) -> Report:
    """The report, or Http404 (unknown) / PermissionDenied (it names learners; scope may not)."""
    report = load_reports().get(slug)
    if report is None:
        raise Http404("no such report")
    if not report_visible(report, scope):
        raise PermissionDenied(gettext("This report names learners: it is for school admins."))
    return report


def job_scope(job: ExportJob) -> ReportScope:
    return ReportScope(school_id=job.school_id, show_names=job.school_id is not None)


def job_error(job: ExportJob) -> str:
    """The job's failure in the active language."""
    return gettext(job.error) if job.error else ""


def jobs_of(user):
    """The jobs a user may see: their own, whatever their scope (others' jobs are a 404)."""
    return ExportJob.objects.filter(requested_by=user).defer("content")


def export_job_create(
    *, user, slug: str, export_format: str, filters: ReportFilters, language: str
) -> ExportJob:
    """Make an export job for `user` and run it: now if the table is small, else on a worker.

    Raises PermissionDenied (not an administrator, or a report the scope may not see), Http404
    (no such report), ValueError (unknown format) or ExportRejected (too many unfinished).
    """
    scope = ReportScope.for_user(user)
    report = report_get(slug, scope)
    if export_format not in exports.FORMATS:
        raise ValueError(f"unknown export format {export_format!r}")
    filters = filters.within(scope)
    exports_cleanup()
    # A worker's time is shared with grading: one person cannot fill the queue with exports.
    unfinished = ExportJob.objects.filter(
        requested_by=user,
        status__in=(Status.QUEUED, Status.RUNNING),
        created_at__gte=timezone.now() - stale_after(),
    ).count()
    if unfinished >= max_unfinished():
        raise ExportRejected(
            gettext("You have %(count)d exports still running: wait for one to finish.")
            % {"count": unfinished}
        )
    job = ExportJob.objects.create(
        requested_by=user,
        report=report.slug,
        format=export_format,
        filters=filters.as_json(),
        school_id=scope.school_id,
        language=language,
    )
    # Reports are built by the database in well under a second (bench/), so counting the rows
    # means building the table; a small one is written at once and needs no worker at all.
    try:
        with translation.override(language):
            table = report.build(scope, filters)
    except Exception:
        logger.exception("building report %s for export job %s failed", slug, job.pk)
        _fail(job.pk, EXPORT_FAILED, status=Status.QUEUED)
        job.refresh_from_db()
        return job
    if len(table.rows) <= inline_rows():
        ExportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING)
        _write_and_finish(job, table)
    else:
        transaction.on_commit(partial(_enqueue, job.pk))
    job.refresh_from_db()
    return job


def _enqueue(job_id: int) -> None:
    from reports.tasks import run_export

    try:
        run_export.delay(job_id)
    except Exception:
        # The broker is down: say so now rather than leave the asker watching a queued job.
        logger.exception("could not queue export job %s", job_id)
        _fail(job_id, NOT_QUEUED, status=Status.QUEUED)


def _progress(job_id: int, percent: int) -> None:
    ExportJob.objects.filter(pk=job_id, status=Status.RUNNING).update(
        progress=max(1, min(99, percent))
    )


def _fail(job_id: int, message: str, *, status: str = Status.RUNNING) -> bool:
    return bool(
        ExportJob.objects.filter(pk=job_id, status=status).update(
            status=Status.FAILED, error=message, finished_at=timezone.now(), content=None
        )
    )


def _write_and_finish(job: ExportJob, table: ReportTable) -> bool:
    """Write the file in the job's language and store it, if the job is still running."""

    def progress(done: int, total: int) -> None:
        _progress(job.pk, 40 + (55 * done) // max(total, 1))

    with translation.override(job.language):
        content = exports.write(table, job.format, progress=progress)
    return bool(
        ExportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(
            status=Status.DONE,
            progress=100,
            rows=len(table.rows),
            content=content,
            filename=exports.filename(job.report, job.format),
            error="",
            finished_at=timezone.now(),
        )
    )


def export_job_run(*, job_id: int) -> bool:
    """Claim a queued job, build its report and store the file; the body of the Celery task.

    True when this call stored the file. A job that is not queued (done, failed, or being run by
    another delivery of the same task) is left alone.
    """
    claimed = ExportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, progress=1
    )
    if not claimed:
        return False
    job = ExportJob.objects.select_related("requested_by").defer("content").get(pk=job_id)
    try:
        scope = job_scope(job)
        try:
            allowed = ReportScope.for_user(job.requested_by) == scope
        except PermissionDenied:
            allowed = False
        if not allowed:
            _fail(job_id, NOT_ALLOWED)
            return False
        report = report_get(job.report, scope)
        filters = ReportFilters.from_json(job.filters).within(scope)
        with translation.override(job.language):
            table = report.build(scope, filters)
        _progress(job_id, 40)
        stored = _write_and_finish(job, table)
    except SoftTimeLimitExceeded:
        _fail(job_id, TIMED_OUT)
        return False
    except (PermissionDenied, Http404):
        _fail(job_id, NOT_ALLOWED)
        return False
    except Exception:
        logger.exception("export job %s failed", job_id)
        _fail(job_id, EXPORT_FAILED)
        return False
    exports_cleanup()
    return stored


def export_job_settle(*, job: ExportJob) -> ExportJob:
    """Fail a job queued or running for longer than any export takes (its worker died)."""
    unfinished = job.status in (Status.QUEUED, Status.RUNNING)
    if (
        unfinished
        and job.created_at < timezone.now() - stale_after()
        and _fail(job.pk, STALLED, status=job.status)
    ):
        job.refresh_from_db(fields=["status", "error", "finished_at", "progress"])
    return job


def exports_cleanup(*, now=None) -> int:
    """Delete jobs (and their files) older than keep_days(); how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=keep_days())
    deleted, _ = ExportJob.objects.filter(created_at__lt=cutoff).delete()
    return deleted
