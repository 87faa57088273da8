"""Exports from the report pages: start (POST), a progress page, its JSON, the download.

Only administrators (ReportScope.for_user) reach these views; a job is only ever shown to the
person who asked for it (anyone else, an administrator too, gets a 404, so ids reveal nothing).
The progress page works without a script (a reload link); static/qiming/reports-export.js
follows the JSON status and shows the download link when the file is ready.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reports import export_jobs, exports
from reports.base import ReportScope
from reports.filters import filters_from_query
from reports.models import ExportJob


def admin_required(view):
    """Signed in (else the sign-in page) and an administrator of some scope (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.report_scope = ReportScope.for_user(request.user)  # PermissionDenied: 403
        return view(request, *args, **kwargs)

    return wrapped


def _url(request, name: str, **kwargs) -> str:
    # The routes may be included under another namespace (reports.web_urls): follow the request's.
    namespace = request.resolver_match.namespace if request.resolver_match else ""
    return reverse(f"{namespace}:{name}" if namespace else name, kwargs=kwargs)


def _job(request, pk: int) -> ExportJob:
    job = get_object_or_404(export_jobs.jobs_of(request.user), pk=pk)
    return export_jobs.export_job_settle(job=job)


def _report_url(job: ExportJob) -> str | None:
    """The report's page with the job's filters, to go back to (None without report pages)."""
    try:
        path = reverse("reports:report", kwargs={"slug": job.report})
    except NoReverseMatch:
        return None
    names = {"school_id": "school", "classroom_id": "classroom", "course_id": "course"}
    # In the form's order, not the stored one: PostgreSQL's jsonb keeps keys in its own order.
    order = ("start", "end", "school_id", "classroom_id", "course_id", "age_band")
    query = {
        names.get(key, key): job.filters[key]
        for key in order
        # A school admin's school is implied; naming it would only repeat it.
        if key in job.filters and not (key == "school_id" and job.school_id is not None)
    }
    return f"{path}?{urlencode(query)}" if query else path


def _summary(request, job: ExportJob) -> dict:
    done = job.status == ExportJob.Status.DONE
    summary = {
        "id": job.pk,
        "status": job.status,
        "done": done,
        "failed": job.status == ExportJob.Status.FAILED,
        "finished": job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED),
        "progress": 100 if done else job.progress,
        "rows": job.rows,
        "error": export_jobs.job_error(job),
        "filename": job.filename,
        "download_url": _url(request, "download", pk=job.pk) if done else "",
    }
    return summary


def _status_text(request, job: ExportJob, summary: dict) -> str:
    return render_to_string(
        "reports/_export_status.html", {"job": job, "summary": summary}, request=request
    ).strip()


@require_POST
@admin_required
def export_start(request, slug: str):
    """POST /reports/<slug>/export/?<filters> with format=csv|xlsx: make the job, show it."""
    export_format = request.POST.get("format", "")
    if export_format not in exports.FORMATS:
        return HttpResponseBadRequest(_("Choose CSV or XLSX."), content_type="text/plain")
    export_jobs.report_get(slug, request.report_scope)  # 404 / 403 before the filters
    filters, errors = filters_from_query(request.GET, request.report_scope)
    if filters is None:
        messages = [f"{field}: {message}" for field, items in errors.items() for message in items]
        return HttpResponseBadRequest(
            "\n".join([_("The filters are not valid."), *messages]), content_type="text/plain"
        )
    try:
        job = export_jobs.export_job_create(
            user=request.user,
            slug=slug,
            export_format=export_format,
            filters=filters,
            language=translation.get_language(),
        )
    except export_jobs.ExportRejected as rejection:
        return HttpResponse(
            rejection.message, status=rejection.status_code, content_type="text/plain"
        )
    return redirect(_url(request, "job", pk=job.pk))


@require_GET
@admin_required
def export_job(request, pk: int):
    job = _job(request, pk)
    report = export_jobs.load_reports().get(job.report)
    summary = _summary(request, job)
    context = {
        "job": job,
        "report_title": report.title if report else job.report,
        "report_url": _report_url(job) if report else None,
        "summary": summary,
        "status_url": _url(request, "status", pk=job.pk),
        "keep_days": export_jobs.keep_days(),
    }
    response = render(request, "reports/export_job.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@admin_required
def export_status(request, pk: int):
    """What the page's script polls: status, progress and, once done, the download link."""
    job = _job(request, pk)
    summary = _summary(request, job)
    summary["text"] = _status_text(request, job, summary)
    response = JsonResponse(summary)
    response["Cache-Control"] = "no-store"
    return response


def file_response(job: ExportJob) -> HttpResponse:
    response = HttpResponse(bytes(job.content), content_type=exports.CONTENT_TYPES[job.format])
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@admin_required
def export_download(request, pk: int):
    job = get_object_or_404(ExportJob.objects.filter(requested_by=request.user), pk=pk)
    if job.status != ExportJob.Status.DONE or job.content is None:
        return redirect(_url(request, "job", pk=job.pk))  # not ready: the progress page
    return file_response(job)
