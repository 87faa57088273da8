"""Report pages under /reports/: the dashboard and one page per report (reports/views.py).

Export routes (reports/export_urls.py) are included here too, before the report pages, so that
a fixed path such as exports/ is never taken for a report's slug.
"""

from django.urls import include, path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("", include("reports.export_urls")),
    path("<slug:slug>/", views.report_page, name="report"),
]
