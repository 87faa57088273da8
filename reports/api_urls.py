"""Report API under /api/v1/reports/. The exports' routes come first: "exports" is not a report."""

from django.urls import path

from reports import api

app_name = "reports_api"

urlpatterns = [
    path("", api.ReportListView.as_view(), name="report-list"),
    path("exports/", api.ExportListView.as_view(), name="export-list"),
    path("exports/<int:pk>/", api.ExportDetailView.as_view(), name="export-detail"),
    path("exports/<int:pk>/download/", api.ExportDownloadView.as_view(), name="export-download"),
    path("<slug:slug>/", api.ReportDetailView.as_view(), name="report-detail"),
]
