"""The report API: who may call it, the same rows as the builder (and so the page), filters
validated with field messages, export jobs visible to their requester only."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from reports.base import REGISTRY, ReportFilters, ReportScope
from reports.export_jobs import load_reports
from reports.models import ExportJob
from tests import factories
from tests.reports.sample_data import (  # noqa: F401 (fixtures)
    EVIL,
    sample_fixture,
    sample_reports_fixture,
    small_groups_fixture,
)
from tests.reports.sample_report import CLASSES, LEARNERS, build_classes

pytestmark = pytest.mark.django_db

BASE = "/api/v1/reports/"


def api_as(user=None, language: str | None = None) -> factories.ApiClient:
    client = factories.ApiClient()
    if language:
        client.credentials(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def boss(db):
    return factories.make_admin("boss")


def expected_rows(table) -> list[dict]:
    """The builder's rows as JSON has them (dates ISO)."""
    return [
        {
            key: (value.isoformat() if hasattr(value, "isoformat") else value)
            for key, value in row.items()
        }
        for row in table.rows
    ]


# --- permissions ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        BASE,
        f"{BASE}{CLASSES}/",
        f"{BASE}exports/",
        f"{BASE}exports/1/",
        f"{BASE}exports/1/download/",
    ],
)
def test_learners_teachers_and_strangers_are_refused(sample, student, teacher, path):
    assert api_as().get(path).status_code in (401, 403)
    for user in (student, teacher):
        response = api_as(user).get(path)
        assert response.status_code == 403, (user, path)
        assert response.json()["detail"] == "Reports are for administrators."
    assert (
        api_as(student).post(f"{BASE}exports/", {"report": CLASSES, "format": "csv"}).status_code
        == 403
    )
    assert not ExportJob.objects.exists()


def test_the_list_shows_what_each_scope_may_see(sample, boss):
    platform = {item["slug"]: item for item in api_as(boss).get(BASE).json()}
    school = {item["slug"]: item for item in api_as(sample.north_admin).get(BASE).json()}
    # The platform sees aggregates only: a report naming learners is not offered.
    assert CLASSES in platform and LEARNERS not in platform
    assert CLASSES in school and LEARNERS in school
    assert school[CLASSES]["url"] == f"{BASE}{CLASSES}/"
    assert school[LEARNERS]["names_learners"] is True
    assert api_as(boss).get(f"{BASE}{LEARNERS}/").status_code == 403


def test_a_report_has_the_builders_rows(sample, boss):
    body = api_as(boss).get(f"{BASE}{CLASSES}/").json()
    table = build_classes(ReportScope.for_user(boss), ReportFilters())
    assert body["rows"] == expected_rows(table)
    assert body["rows"][1]["classroom"] == EVIL  # JSON is not a spreadsheet: text as it is
    assert body["columns"][2] == {"key": "learners", "label": "Learners", "kind": "int"}
    assert body["chart"] == {"kind": "bar", "x": "classroom", "y": ["learners"]}
    assert (body["suppressed"], body["notes"]) == (1, ["Counted from class lists."])
    assert (body["slug"], body["title"], body["filters"]) == (CLASSES, "Classes", {})


def test_a_school_admin_sees_only_their_school(sample):
    body = api_as(sample.north_admin).get(f"{BASE}{CLASSES}/").json()
    assert [row["classroom"] for row in body["rows"]] == ["7B", EVIL]
    assert body["filters"] == {"school_id": sample.north.pk}
    assert body["suppressed"] == 1  # Tiny
    # Asking for another school is an error, never another school's rows.
    response = api_as(sample.north_admin).get(f"{BASE}{CLASSES}/", {"school": sample.south.pk})
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    # Another school's class is not a choice at all.
    s1 = sample.classes["S1"].pk
    response = api_as(sample.north_admin).get(f"{BASE}{CLASSES}/", {"classroom": s1})
    assert response.status_code == 400 and "classroom" in response.json()
    learners = api_as(sample.south_admin).get(f"{BASE}{LEARNERS}/").json()["rows"]
    south_names = set(sample.classes["S1"].learners.values_list("username", flat=True))
    assert {row["username"] for row in learners} == south_names


def test_filters_narrow_the_rows_like_the_builder(sample, boss):
    query = {"school": sample.south.pk, "start": "2026-01-01", "end": "2026-12-31"}
    body = api_as(boss).get(f"{BASE}{CLASSES}/", query).json()
    filters = ReportFilters(
        start=timezone.datetime(2026, 1, 1).date(),
        end=timezone.datetime(2026, 12, 31).date(),
        school_id=sample.south.pk,
    )
    assert body["rows"] == expected_rows(build_classes(ReportScope.for_user(boss), filters))
    assert [row["classroom"] for row in body["rows"]] == ["S1"]
    assert body["filters"] == {
        "start": "2026-01-01",
        "end": "2026-12-31",
        "school_id": sample.south.pk,
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "not-a-date"}, "start"),
        ({"end": "2026-13-01"}, "end"),
        ({"start": "2026-05-02", "end": "2026-05-01"}, "non_field_errors"),
        ({"school": "999999"}, "school"),
        ({"classroom": "abc"}, "classroom"),
        ({"course": "999999"}, "course"),
        ({"age_band": "99-100"}, "age_band"),
    ],
)
def test_bad_filters_are_400_with_field_messages(sample, boss, query, field):
    response = api_as(boss).get(f"{BASE}{CLASSES}/", query)
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field]
    assert body[field] and all(isinstance(message, str) and message for message in body[field])


def test_an_unknown_report_is_404(boss):
    assert api_as(boss).get(f"{BASE}no-such-report/").status_code == 404
    response = api_as(boss).post(f"{BASE}exports/", {"report": "no-such-report", "format": "csv"})
    assert response.status_code == 404


def test_labels_follow_the_request_language(sample, boss):
    body = api_as(boss, language="zh-hans").get(f"{BASE}{CLASSES}/").json()
    assert [column["label"] for column in body["columns"]][:3] == [
        "班级",
        body["columns"][1]["label"],
        "学生",
    ]


# --- export jobs ------------------------------------------------------------------------------------


def test_an_export_job_is_created_polled_and_downloaded(sample):
    client = api_as(sample.north_admin)
    response = client.post(f"{BASE}exports/", {"report": CLASSES, "format": "csv"}, format="json")
    assert response.status_code == 201
    job = response.json()
    assert response["Location"] == job["url"] == f"{BASE}exports/{job['id']}/"
    assert (job["status"], job["progress"], job["rows"], job["report"]) == ("done", 100, 2, CLASSES)
    assert job["filters"] == {"school_id": sample.north.pk}
    polled = client.get(job["url"]).json()
    assert polled["download_url"] == f"{BASE}exports/{job['id']}/download/"
    download = client.get(polled["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"] == f'attachment; filename="{polled["filename"]}"'
    text = download.content.decode("utf-8-sig")
    assert text.splitlines()[1].startswith("7B,North,2,")
    assert client.get(f"{BASE}exports/").json()[0]["id"] == job["id"]


def test_an_export_takes_the_reports_filters(sample, boss):
    client = api_as(boss)
    response = client.post(
        f"{BASE}exports/",
        {"report": CLASSES, "format": "xlsx", "school": sample.south.pk, "start": "2026-01-01"},
        format="json",
    )
    assert response.status_code == 201
    job = response.json()
    assert job["filters"] == {"start": "2026-01-01", "school_id": sample.south.pk}
    assert (job["status"], job["rows"], job["format"]) == ("done", 1, "xlsx")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"report": CLASSES, "format": "pdf"}, "format"),
        ({"format": "csv"}, "report"),
        ({"report": CLASSES, "format": "csv", "start": "soon"}, "start"),
        ({"report": CLASSES, "format": "csv", "school": 999999}, "school"),
        (
            {"report": CLASSES, "format": "csv", "start": "2026-05-02", "end": "2026-05-01"},
            "non_field_errors",
        ),
    ],
)
def test_a_bad_export_request_is_400_and_stores_nothing(sample, boss, body, field):
    response = api_as(boss).post(f"{BASE}exports/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ExportJob.objects.exists()


def test_a_report_naming_learners_is_not_exported_for_the_platform(sample, boss):
    response = api_as(boss).post(f"{BASE}exports/", {"report": LEARNERS, "format": "csv"})
    assert response.status_code == 403
    assert not ExportJob.objects.exists()


def test_another_users_export_job_is_404(sample, boss):
    created = api_as(sample.north_admin).post(
        f"{BASE}exports/", {"report": CLASSES, "format": "csv"}, format="json"
    )
    job_id = created.json()["id"]
    for other in (sample.south_admin, boss):
        client = api_as(other)
        assert client.get(f"{BASE}exports/{job_id}/").status_code == 404
        assert client.get(f"{BASE}exports/{job_id}/download/").status_code == 404
        assert client.get(f"{BASE}exports/").json() == []


def test_a_download_before_the_file_is_ready_is_409(
    sample, settings, django_capture_on_commit_callbacks
):
    settings.REPORTS_INLINE_EXPORT_ROWS = 0
    client = api_as(sample.north_admin)
    with django_capture_on_commit_callbacks(execute=False):
        job = client.post(f"{BASE}exports/", {"report": CLASSES, "format": "csv"}).json()
    assert job["status"] == "queued" and job["download_url"] is None
    response = client.get(f"{BASE}exports/{job['id']}/download/")
    assert response.status_code == 409
    assert "not ready" in response.json()["detail"]


def test_the_schema_documents_the_report_api(boss):
    document = api_as(boss).get("/api/schema/", {"format": "json"}).json()
    paths = document["paths"]
    for path in (
        BASE,
        f"{BASE}{{slug}}/",
        f"{BASE}exports/",
        f"{BASE}exports/{{id}}/",
        f"{BASE}exports/{{id}}/download/",
    ):
        assert path in paths, path
    detail = paths[f"{BASE}{{slug}}/"]["get"]
    assert {parameter["name"] for parameter in detail["parameters"]} >= {
        "start",
        "end",
        "school",
        "classroom",
        "course",
        "age_band",
    }
    assert "400" in detail["responses"]


# --- the catalogue's reports (tests/reports/conftest.py's world) -------------------------------------

CATALOGUE = sorted(load_reports())


def json_rows(table) -> list[dict]:
    """The builder's rows as the API must send them: ISO dates, plain numbers."""

    def plain(value):
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        if isinstance(value, Decimal):
            return float(value)
        return value

    keys = [column.key for column in table.columns]
    return [{key: plain(row.get(key)) for key in keys} for row in table.rows]


@pytest.mark.parametrize("slug", CATALOGUE)
def test_every_report_of_the_catalogue_has_its_builders_rows(
    report_world, alpha_admin, platform_admin, slug
):
    """Each scope, unfiltered and narrowed to one age band: the API's rows are the builder's."""
    report = REGISTRY[slug]
    for user in (alpha_admin, platform_admin):
        scope = ReportScope.for_user(user)
        client = api_as(user)
        if report.names_learners and not scope.show_names:
            assert client.get(f"{BASE}{slug}/").status_code == 403
            continue
        for query, filters in (
            ({}, ReportFilters()),
            ({"age_band": "9-11"}, ReportFilters(age_band="9-11")),
        ):
            response = client.get(f"{BASE}{slug}/", query)
            assert response.status_code == 200, response.content
            body = response.json()
            table = report.build(scope, filters.within(scope))
            assert body["rows"] == json_rows(table), (user, query)
            assert [column["key"] for column in body["columns"]] == [
                column.key for column in table.columns
            ]
            assert body["suppressed"] == table.suppressed


def test_too_many_unfinished_exports_is_429(sample, settings, django_capture_on_commit_callbacks):
    settings.REPORTS_INLINE_EXPORT_ROWS = 0
    settings.REPORTS_EXPORT_MAX_UNFINISHED = 1
    client = api_as(sample.north_admin)
    body = {"report": CLASSES, "format": "csv"}
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post(f"{BASE}exports/", body).status_code == 201
        refused = client.post(f"{BASE}exports/", body)
    assert refused.status_code == 429
    assert "still running" in refused.json()["detail"]
    assert ExportJob.objects.count() == 1
