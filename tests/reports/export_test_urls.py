"""The site's URLs with the export routes mounted as config/urls.py or reports/web_urls.py will
(under /reports/, before the report pages), for tests that run before that line is in."""

from django.urls import include, path

from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("reports/", include("reports.export_urls")), *site_urlpatterns]
