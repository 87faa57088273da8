"""The reports through the API, under /api/v1/reports/: the same tables the pages show.

A report's rows here are the rows of the `ReportTable` its page renders (one builder), as JSON:
numbers as numbers, percents as fractions 0..1, dates as ISO 8601 strings. Filters are the page's
query-string parameters and are validated by the same form; a bad one is a 400 naming the field.
Only administrators get in (ReportScope): a school administrator's reports are pinned to their
school; export jobs are seen by their requester only (anyone else: 404).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from graders.serializers import ErrorSerializer
from reports import export_jobs, exports
from reports.base import COLUMN_KINDS, ReportScope, ReportTable
from reports.export_views import file_response
from reports.filters import filters_from_query
from reports.models import ExportJob

FILTER_PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="First day (inclusive)."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day (inclusive)."),
    OpenApiParameter(
        "school",
        int,
        description="A school's id (platform administrators only; a school "
        "administrator's reports are always their own school's).",
    ),
    OpenApiParameter("classroom", int, description="A class's id."),
    OpenApiParameter("course", int, description="A published course's id."),
    OpenApiParameter("age_band", str, description="An age band, e.g. `9-11`."),
]
FILTER_NAMES = ("start", "end", "school", "classroom", "course", "age_band")


class IsReportAdmin(BasePermission):
    """Platform administrators and school administrators (ReportScope decides what they see)."""

    message = gettext_lazy("Reports are for administrators.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        try:
            request.report_scope = ReportScope.for_user(user)
        except PermissionDenied:
            return False
        return True


# --- serializers (the documented shapes) -------------------------------------------------------


class FilterErrorSerializer(serializers.Serializer):
    """Field name → messages; `non_field_errors` for the filters as a whole."""

    start = serializers.ListField(child=serializers.CharField(), required=False)
    end = serializers.ListField(child=serializers.CharField(), required=False)
    school = serializers.ListField(child=serializers.CharField(), required=False)
    classroom = serializers.ListField(child=serializers.CharField(), required=False)
    course = serializers.ListField(child=serializers.CharField(), required=False)
    age_band = serializers.ListField(child=serializers.CharField(), required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


class ReportSummarySerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    names_learners = serializers.BooleanField()
    url = serializers.CharField()


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=COLUMN_KINDS)


class ChartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["bar", "line", "histogram"])
    x = serializers.CharField()
    y = serializers.ListField(child=serializers.CharField())


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            # OpenAPI 3.0 has no null type: a value is a string or a number, either nullable.
            "anyOf": [
                {"type": "string", "nullable": True},
                {"type": "number", "nullable": True},
            ]
        },
    }
)
class RowField(serializers.DictField):
    pass


class ReportTableSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    filters = serializers.DictField(help_text="The filters applied (a school admin's: pinned).")
    columns = ColumnSerializer(many=True)
    rows = serializers.ListField(
        child=RowField(), help_text="One object per row, keyed by column key."
    )
    chart = ChartSerializer(allow_null=True)
    suppressed = serializers.IntegerField(
        help_text="Groups left out because they had too few learners."
    )
    notes = serializers.ListField(child=serializers.CharField())


class ExportJobSerializer(serializers.ModelSerializer):
    error = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "report",
            "format",
            "filters",
            "language",
            "status",
            "progress",
            "rows",
            "error",
            "filename",
            "created_at",
            "finished_at",
            "url",
            "download_url",
        ]
        read_only_fields = fields

    def get_error(self, job: ExportJob) -> str:
        return export_jobs.job_error(job)

    def get_url(self, job: ExportJob) -> str:
        return reverse("reports_api:export-detail", kwargs={"pk": job.pk})

    def get_download_url(self, job: ExportJob) -> str | None:
        if job.status != ExportJob.Status.DONE:
            return None
        return reverse("reports_api:export-download", kwargs={"pk": job.pk})


class ExportRequestSerializer(serializers.Serializer):
    report = serializers.CharField(help_text="The report's slug.")
    format = serializers.ChoiceField(choices=exports.FORMATS)
    start = serializers.DateField(required=False, allow_null=True)
    end = serializers.DateField(required=False, allow_null=True)
    school = serializers.IntegerField(required=False, allow_null=True)
    classroom = serializers.IntegerField(required=False, allow_null=True)
    course = serializers.IntegerField(required=False, allow_null=True)
    age_band = serializers.CharField(required=False, allow_blank=True, allow_null=True)


# --- JSON of a table ----------------------------------------------------------------------------


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def table_json(table: ReportTable, filters: dict) -> dict:
    keys = [column.key for column in table.columns]
    return {
        "slug": table.slug,
        "title": str(table.title),
        "description": str(table.description),
        "filters": filters,
        "columns": [
            {"key": column.key, "label": str(column.label), "kind": column.kind}
            for column in table.columns
        ],
        "rows": [{key: json_value(row.get(key)) for key in keys} for row in table.rows],
        "chart": (
            {"kind": table.chart.kind, "x": table.chart.x, "y": list(table.chart.y)}
            if table.chart
            else None
        ),
        "suppressed": table.suppressed,
        "notes": [str(note) for note in table.notes],
    }


def filter_errors(errors: dict) -> dict:
    """The form's errors as DRF has them (`__all__` is `non_field_errors`)."""
    return {
        ("non_field_errors" if field == "__all__" else field): messages
        for field, messages in errors.items()
    }


# --- views --------------------------------------------------------------------------------------

DENIED = {
    401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
    403: OpenApiResponse(ErrorSerializer, description="Not an administrator."),
}


class ReportListView(APIView):
    permission_classes = [IsReportAdmin]

    @extend_schema(
        responses={200: ReportSummarySerializer(many=True), **DENIED},
        description="The reports the caller may see.",
    )
    def get(self, request: Request) -> Response:
        scope = request.report_scope
        reports = sorted(export_jobs.load_reports().values(), key=lambda report: report.slug)
        data = [
            {
                "slug": report.slug,
                "title": str(report.title),
                "description": str(report.description),
                "names_learners": report.names_learners,
                "url": reverse("reports_api:report-detail", kwargs={"slug": report.slug}),
            }
            for report in reports
            if export_jobs.report_visible(report, scope)
        ]
        return Response(data)


class ReportDetailView(APIView):
    permission_classes = [IsReportAdmin]

    @extend_schema(
        parameters=FILTER_PARAMETERS,
        responses={
            200: ReportTableSerializer,
            400: OpenApiResponse(FilterErrorSerializer, description="A filter is not valid."),
            **DENIED,
            404: OpenApiResponse(ErrorSerializer, description="No such report."),
        },
        description="One report's table, filtered: the same rows as its page. Percents are "
        "fractions (0.5 is 50%); dates are ISO 8601. Labels are in the request's language.",
    )
    def get(self, request: Request, slug: str) -> Response:
        scope = request.report_scope
        report = export_jobs.report_get(slug, scope)
        filters, errors = filters_from_query(request.query_params, scope)
        if filters is None:
            return Response(filter_errors(errors), status=status.HTTP_400_BAD_REQUEST)
        table = report.build(scope, filters)
        return Response(table_json(table, filters.as_json()))


class ExportListView(APIView):
    permission_classes = [IsReportAdmin]

    @extend_schema(
        responses={200: ExportJobSerializer(many=True), **DENIED},
        description="The caller's own export jobs, newest first (old ones are deleted).",
    )
    def get(self, request: Request) -> Response:
        jobs = export_jobs.jobs_of(request.user)[:100]
        return Response(ExportJobSerializer(jobs, many=True).data)

    @extend_schema(
        request=ExportRequestSerializer,
        responses={
            201: ExportJobSerializer,
            400: OpenApiResponse(
                FilterErrorSerializer, description="A field or filter is not valid."
            ),
            **DENIED,
            404: OpenApiResponse(ErrorSerializer, description="No such report."),
            429: OpenApiResponse(
                ErrorSerializer, description="Too many of the caller's exports are unfinished."
            ),
        },
        description="Start an export of a report as CSV or XLSX, with the same filters as the "
        "report (`school`, `classroom`, `course`: ids). A small table is written at once "
        "(`status` is `done`); a large one by a worker: poll the job's `url` until `status` "
        "is `done` or `failed`, then GET its `download_url`. Headers are in the request's "
        "language.",
    )
    def post(self, request: Request) -> Response:
        incoming = ExportRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        scope = request.report_scope
        export_jobs.report_get(data["report"], scope)
        query = {
            name: (data[name].isoformat() if isinstance(data[name], date) else str(data[name]))
            for name in FILTER_NAMES
            if data.get(name) not in (None, "")
        }
        filters, errors = filters_from_query(query, scope)
        if filters is None:
            return Response(filter_errors(errors), status=status.HTTP_400_BAD_REQUEST)
        try:
            job = export_jobs.export_job_create(
                user=request.user,
                slug=data["report"],
                export_format=data["format"],
                filters=filters,
                language=translation.get_language(),
            )
        except export_jobs.ExportRejected as rejection:
            return Response({"detail": rejection.message}, status=rejection.status_code)
        body = ExportJobSerializer(job).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})


class ExportDetailView(APIView):
    permission_classes = [IsReportAdmin]

    @extend_schema(
        responses={
            200: ExportJobSerializer,
            **DENIED,
            404: OpenApiResponse(ErrorSerializer, description="No such job of yours."),
        },
        description="One of the caller's export jobs: status and progress (0-100).",
    )
    def get(self, request: Request, pk: int) -> Response:
        job = get_object_or_404(export_jobs.jobs_of(request.user), pk=pk)
        job = export_jobs.export_job_settle(job=job)
        return Response(ExportJobSerializer(job).data)


class ExportDownloadView(APIView):
    permission_classes = [IsReportAdmin]

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, exports.CONTENT_TYPES[exports.XLSX]): OpenApiTypes.BINARY,
            **DENIED,
            404: OpenApiResponse(ErrorSerializer, description="No such job of yours."),
            409: OpenApiResponse(ErrorSerializer, description="The file is not ready."),
        },
        description="The file of a finished export job (Content-Disposition: attachment).",
    )
    def get(self, request: Request, pk: int):
        job = get_object_or_404(ExportJob.objects.filter(requested_by=request.user), pk=pk)
        if job.status != ExportJob.Status.DONE or job.content is None:
            return Response(
                {
                    "detail": _("The file is not ready: the export is %(status)s.")
                    % {"status": job.get_status_display()}
                },
                status=status.HTTP_409_CONFLICT,
            )
        return file_response(job)
