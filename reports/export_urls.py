"""Exports of the report pages, under /reports/ (reports/web_urls.py includes them before the
report pages, so their namespace there is reports:report_exports).

POST <slug>/export/?<filters> starts one; exports/<id>/ is its progress page, status/ the JSON the
page's script polls, download/ the file.
"""

from django.urls import path

from reports import export_views

app_name = "report_exports"

urlpatterns = [
    path("<slug:slug>/export/", export_views.export_start, name="start"),
    path("exports/<int:pk>/", export_views.export_job, name="job"),
    path("exports/<int:pk>/status/", export_views.export_status, name="status"),
    path("exports/<int:pk>/download/", export_views.export_download, name="download"),
]
