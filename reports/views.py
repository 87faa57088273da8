"""Administrators' report pages: the dashboard (/reports/) and one page per report.

Views only translate HTTP: who asks (ReportScope, which refuses anyone but an administrator),
what they filter on (reports.filters, whose choices are already limited to the scope) and how the
report's `ReportTable` reads (reports.charts). The numbers come from the report's `build`, the
same call exports and the API make, so the three never disagree.

Who gets what: a visitor is sent to sign in; a learner or a teacher gets 403; a school
administrator sees their own school (a query naming another school is a 400, never a peek); a
platform administrator sees every school, as aggregates without names: each report's build
applies the scope, and a report that names learners (stalled learners) is refused to them (403),
as exports and the API refuse it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import School
from reports.base import REGISTRY, Report, ReportFilters, ReportScope, ReportTable, min_group_size
from reports.charts import NUMERIC_KINDS, ChartPanel, format_value, raw_value, render_charts
from reports.export_jobs import report_visible
from reports.filters import ReportFilterForm
from reports.queries.completion import SUPPRESSED_NOTE

# The dashboard draws these reports (those registered, in this order) and links to all of them.
# Chosen to answer the questions admins ask first: how active are learners, how far has each
# age band got, which exercises do most learners fail, is grading keeping up.
DASHBOARD_REPORTS = (
    "activity",
    "completion-by-age-band",
    "hardest-exercises",
    "grading-health",
)
DASHBOARD_FALLBACK = 3  # without any of the above: the first few registered reports
# A page shows at most this many rows; the export has every row. Reports order their rows so
# that the first ones matter most (hardest exercises first, longest stalled first...).
PAGE_ROWS = 500
# A table of more columns than this is drawn under its chart, not beside it.
WIDE_COLUMNS = 4
FILTER_FIELDS = ("start", "end", "school", "classroom", "course", "age_band")


def reports_catalogue() -> dict[str, Report]:
    """Every registered report by slug (reports/catalogue.py, imported when the app is ready)."""
    return REGISTRY


@dataclass(frozen=True)
class Cell:
    text: str
    raw: str
    kind: str

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


@dataclass(frozen=True)
class TableView:
    """A ReportTable as the page shows it: formatted cells, the raw values beside them."""

    table: ReportTable
    headers: list[tuple[Any, str]]  # (label, kind)
    rows: list[list[Cell]]
    total: int

    @property
    def cut(self) -> bool:
        return self.total > len(self.rows)

    @property
    def wide(self) -> bool:
        """Too many columns to share the width with a chart: the chart goes above the table."""
        return len(self.headers) > WIDE_COLUMNS


def table_view(table: ReportTable, limit: int = PAGE_ROWS) -> TableView:
    columns = table.columns
    rows = [
        [
            Cell(
                text=format_value(row.get(column.key), column.kind),
                raw=raw_value(row.get(column.key)),
                kind=column.kind,
            )
            for column in columns
        ]
        for row in table.rows[:limit]
    ]
    return TableView(
        table=table,
        headers=[(column.label, column.kind) for column in columns],
        rows=rows,
        total=len(table.rows),
    )


@dataclass(frozen=True)
class ReportSection:
    """One report drawn on a page: its table, chart panels and links."""

    report: Report
    table: ReportTable
    view: TableView
    panels: list[ChartPanel]
    url: str
    export_url: str | None

    @property
    def notes(self) -> list[Any]:
        """The report's notes, less its generic "small groups are not shown": the page says
        that itself, with how many groups were left out."""
        if not self.table.suppressed:
            return list(self.table.notes)
        return [note for note in self.table.notes if note is not SUPPRESSED_NOTE]


def scope_for(request: HttpRequest) -> ReportScope:
    """The asker's scope; PermissionDenied (403) for anyone but an administrator."""
    return ReportScope.for_user(request.user)


def visible_reports(scope: ReportScope) -> list[Report]:
    """The reports this scope may open. One that names learners is for school administrators
    only; the rule is export_jobs.report_visible, the one exports and the API apply too."""
    return [report for report in reports_catalogue().values() if report_visible(report, scope)]


def report_for(scope: ReportScope, slug: str) -> Report:
    """The report, or 404 (no such report) or 403 (it names learners; the scope may not)."""
    report = reports_catalogue().get(slug)
    if report is None:
        raise Http404(_("No such report."))
    if not report_visible(report, scope):
        raise PermissionDenied(_("This report names learners: it is for school administrators."))
    return report


def filter_query(form: ReportFilterForm) -> str:
    """The valid filters as a query string, for links and exports (empty values left out)."""
    pairs = [(name, form.data.get(name)) for name in FILTER_FIELDS if name in form.fields]
    return urlencode([(name, value) for name, value in pairs if value])


# The export routes' names (reports/export_urls.py, app "report_exports"), as included on their
# own in config/urls.py or inside reports.web_urls; the first that resolves is used.
EXPORT_START_NAMES = (
    "report_exports:start",
    "reports:report_exports:start",
    "reports:export-start",
)


def export_url(slug: str) -> str | None:
    """Where the export buttons post; None (no buttons) while no export route is installed."""
    for name in EXPORT_START_NAMES:
        try:
            return reverse(name, kwargs={"slug": slug})
        except NoReverseMatch:
            continue
    return None


def _section(report: Report, scope: ReportScope, filters: ReportFilters, query: str):
    table = report.build(scope, filters)
    url = reverse("reports:report", args=[report.slug])
    return ReportSection(
        report=report,
        table=table,
        view=table_view(table),
        panels=render_charts(table, id_prefix=f"chart-{report.slug}"),
        url=f"{url}?{query}" if query else url,
        export_url=export_url(report.slug),
    )


def _scope_context(scope: ReportScope) -> dict[str, Any]:
    school = School.objects.filter(pk=scope.school_id).first() if scope.school_id else None
    return {
        "scope": scope,
        "school": school,
        "min_group_size": min_group_size(),
    }


def _filtered(form: ReportFilterForm) -> bool:
    return any(form.data.get(name) for name in FILTER_FIELDS)


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The overview: a few key charts with their numbers, and a link to every report."""
    scope = scope_for(request)
    form = ReportFilterForm(request.GET, scope=scope)
    reports = visible_reports(scope)
    context: dict[str, Any] = {
        **_scope_context(scope),
        "form": form,
        "filtered": _filtered(form),
        "sections": [],
    }
    if not form.is_valid():
        context["links"] = [
            (report, reverse("reports:report", args=[report.slug])) for report in reports
        ]
        return render(request, "reports/dashboard.html", context, status=400)
    query = filter_query(form)
    filters = form.filters()
    chosen = [report for slug in DASHBOARD_REPORTS for report in reports if report.slug == slug]
    chosen = chosen or reports[:DASHBOARD_FALLBACK]
    context["sections"] = [_section(report, scope, filters, query) for report in chosen]
    context["links"] = [
        (
            report,
            reverse("reports:report", args=[report.slug]) + (f"?{query}" if query else ""),
        )
        for report in reports
    ]
    context["query"] = query
    return render(request, "reports/dashboard.html", context)


@require_GET
@login_required
def report_page(request: HttpRequest, slug: str) -> HttpResponse:
    """One report: filters, chart, its numbers, notes on what is left out, export buttons."""
    scope = scope_for(request)
    report = report_for(scope, slug)
    form = ReportFilterForm(request.GET, scope=scope)
    context: dict[str, Any] = {
        **_scope_context(scope),
        "report": report,
        "form": form,
        "filtered": _filtered(form),
        "section": None,
    }
    if not form.is_valid():
        return render(request, "reports/report.html", context, status=400)
    query = filter_query(form)
    context["section"] = _section(report, scope, form.filters(), query)
    context["query"] = query
    return render(request, "reports/report.html", context)
