"""`make run`'s reports: after loaddemo, the demo administrators open a dashboard with something
on it, and every report they may open answers."""

from io import StringIO

import pytest
from django.core.management import call_command

from reports.base import REGISTRY, ReportFilters, ReportScope
from reports.export_jobs import report_visible

DEMO_LOGINS = {"admin": "admin-with-qiming", "schooladmin": "school-with-qiming"}


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("loaddemo", stdout=StringIO())


@pytest.mark.parametrize("username", sorted(DEMO_LOGINS))
def test_the_demo_admins_dashboard_and_reports_have_figures(demo, client, username):
    assert client.login(username=username, password=DEMO_LOGINS[username])
    page = client.get("/reports/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<svg") >= 4, "the dashboard draws its charts"
    user = page.wsgi_request.user
    scope = ReportScope.for_user(user)
    for slug, report in REGISTRY.items():
        response = client.get(f"/reports/{slug}/")
        if report_visible(report, scope):
            assert response.status_code == 200, slug
        else:
            assert response.status_code == 403, slug
    # The generated history shows in the school's activity and completion.
    for slug in ("activity", "completion-by-course"):
        assert REGISTRY[slug].build(scope, ReportFilters()).rows, slug
