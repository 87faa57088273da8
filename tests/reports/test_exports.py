"""Exports: CSV and XLSX files hold the report's table exactly, typed and injection safe; export
jobs run in the request (small) or on a real Celery worker (large), with progress, and only their
requester sees them.

The reports here are the sample ones (tests/reports/sample_report.py), whose numbers follow from
the class lists in tests/reports/sample_data.py.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation
from openpyxl import load_workbook

from reports import export_jobs, exports
from reports.base import REGISTRY, Column, Report, ReportFilters, ReportScope, ReportTable
from reports.models import ExportJob
from tests import factories
from tests.reports.sample_data import (  # noqa: F401 (fixtures)
    EVIL,
    MIN_GROUP,
    sample_fixture,
    sample_reports_fixture,
    small_groups_fixture,
)
from tests.reports.sample_report import CLASSES, LEARNERS, build_classes
from tests.workers.conftest import ROOT, database_url, purge_broker

pytestmark = pytest.mark.django_db

PLATFORM = ReportScope(school_id=None, show_names=False)
XLSX_TYPE = exports.CONTENT_TYPES[exports.XLSX]


def platform_table() -> ReportTable:
    return build_classes(PLATFORM, ReportFilters())


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "a byte order mark, for Excel"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def read_xlsx(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def xlsx_table(sheet, width: int) -> tuple[list, list[list]]:
    """(header, rows) of the table that starts at HEADER_ROW, up to the first empty row."""
    header = [cell.value for cell in sheet[exports.HEADER_ROW][:width]]
    rows = []
    for row in sheet.iter_rows(min_row=exports.HEADER_ROW + 1, max_col=width):
        values = [cell.value for cell in row]
        if all(value is None for value in values):
            break
        rows.append(values)
    return header, rows


# --- the files ----------------------------------------------------------------------------------


def test_csv_holds_the_table_typed_and_safe(sample):
    """Given the platform's table (Tiny suppressed), the CSV's header, rows and notes are its own:
    numbers plain, percents with %, dates ISO, and the formula-like class name made text."""
    table = platform_table()
    assert [row["classroom"] for row in table.rows] == ["7B", EVIL, "Loose", "S1"]
    assert table.suppressed == 1
    lines = read_csv(exports.table_csv(table))
    assert lines[0] == ["Class", "School", "Learners", "Score", "Created", "Mean", "Delta", "Wait"]
    today = timezone.localdate().isoformat()
    assert lines[1:5] == [
        ["7B", "North", "2", "16.67%", today, "0.6667", "-2", "3"],
        ["'" + EVIL, "North", "3", "25%", today, "1", "-3", "4.5"],
        ["Loose", "", "2", "16.67%", today, "0.6667", "-2", "3"],
        ["S1", "South", "4", "33.33%", today, "1.3333", "-4", "6"],
    ]
    assert lines[5] == []
    assert lines[6:] == [
        [f"1 group with fewer than {MIN_GROUP} learners is not shown."],
        ["Counted from class lists."],
    ]
    # Every value matches the table's, typed: the CSV is the table, nothing more or less.
    for line, row in zip(lines[1:5], table.rows, strict=True):
        assert int(line[2]) == row["learners"]
        assert float(line[3].rstrip("%")) == pytest.approx(row["share"] * 100, abs=0.005)
        assert date.fromisoformat(line[4]) == row["since"]
        assert float(line[5]) == pytest.approx(row["mean"], abs=0.00005)
        assert int(line[6]) == row["delta"]


def test_xlsx_holds_the_table_with_typed_cells(sample):
    table = platform_table()
    sheet = read_xlsx(exports.table_xlsx(table))
    assert sheet.title == "Classes"
    assert sheet["A1"].value == "Classes"
    assert sheet["A2"].value == "Learners per class."
    header, rows = xlsx_table(sheet, len(table.columns))
    assert header == [str(column.label) for column in table.columns]
    assert len(rows) == len(table.rows)
    for values, row in zip(rows, table.rows, strict=True):
        expected_name = ("'" + EVIL) if row["classroom"] == EVIL else row["classroom"]
        assert values[0] == expected_name
        assert values[1] == (row["school"] or None)
        assert values[2] == row["learners"] and isinstance(values[2], int)
        assert values[3] == pytest.approx(row["share"])  # the fraction itself, shown as %
        assert values[4] == datetime.combine(row["since"], datetime.min.time())
        assert values[5] == pytest.approx(row["mean"])
        assert values[6] == row["delta"]
        assert values[7] == pytest.approx(row["wait"])
    first = exports.HEADER_ROW + 1
    assert sheet.cell(first, 4).number_format == "0.0%"
    assert sheet.cell(first, 5).number_format == "yyyy-mm-dd"
    assert sheet.cell(first, 5).is_date
    assert sheet.freeze_panes == f"A{first}"
    notes = [
        sheet.cell(row, 1).value
        for row in range(first + len(rows), sheet.max_row + 1)
        if sheet.cell(row, 1).value
    ]
    assert notes == [
        f"1 group with fewer than {MIN_GROUP} learners is not shown.",
        "Counted from class lists.",
    ]


def test_no_cell_of_an_xlsx_is_a_formula(sample):
    """Text that looks like a formula, anywhere (a label, a note, a cell of a number column),
    is stored as text."""
    table = ReportTable(
        slug="evil",
        title="=1+1",
        description="@SUM(A1)",
        columns=[Column("a", "=cmd|' /C calc'!A0", "text"), Column("b", "+B", "int")],
        rows=[{"a": "-2+3", "b": "=2*3"}, {"a": "\x07bell", "b": 4}],
        notes=["=HYPERLINK(1)"],
    )
    sheet = read_xlsx(exports.table_xlsx(table))
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert cells and all(cell.data_type != "f" for cell in cells)
    texts = {cell.value for cell in cells if isinstance(cell.value, str)}
    assert {"'=1+1", "'@SUM(A1)", "'=cmd|' /C calc'!A0", "'+B", "'-2+3", "'=2*3"} <= texts
    assert "bell" in texts  # a control character is dropped rather than break the file
    assert 4 in {cell.value for cell in cells}
    lines = read_csv(exports.table_csv(table))
    assert lines[0] == ["'=cmd|' /C calc'!A0", "'+B"]
    assert lines[1] == ["'-2+3", "'=2*3"]
    assert lines[-1] == ["'=HYPERLINK(1)"]


def test_headers_are_in_the_language_written_in(sample):
    with translation.override("zh-hans"):
        table = platform_table()
        csv_lines = read_csv(exports.table_csv(table))
        sheet = read_xlsx(exports.table_xlsx(table))
    assert csv_lines[0][0] == "班级" and csv_lines[0][2] == "学生"
    assert sheet.cell(exports.HEADER_ROW, 1).value == "班级"


def test_sheet_titles_and_file_names_are_what_spreadsheets_and_browsers_accept():
    assert exports.sheet_title("Scores: [by] class / unit?*") == "Scores   by  class   unit"
    assert len(exports.sheet_title("x" * 80)) == 31
    when = timezone.make_aware(datetime(2026, 3, 1, 9, 5))
    assert exports.filename("hardest-exercises", "xlsx", when).startswith(
        "qiming-hardest-exercises"
    )
    assert exports.filename('a"b\r\n', "csv", when).endswith(".csv")
    assert '"' not in exports.filename('a"b\r\n', "csv", when)


# --- jobs in the request -------------------------------------------------------------------------


def web(user=None, **kwargs) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


def test_a_small_export_is_written_at_once_and_downloaded(sample):
    """A school admin exports their school's table as XLSX: the job is done in the request, the
    progress page links the file, and the file is that school's table (names included)."""
    client = web(sample.north_admin)
    response = client.post(f"/reports/{CLASSES}/export/", {"format": "xlsx"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert response["Location"] == f"/reports/exports/{job.pk}/"
    assert (job.status, job.progress, job.rows, job.school_id) == ("done", 100, 2, sample.north.pk)
    assert job.filters == {"school_id": sample.north.pk}
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<a href="/reports/{CLASSES}/">Back to Classes</a>' in html
    assert f'href="/reports/exports/{job.pk}/download/"' in html
    assert "Ready: 2 rows." in html
    assert "<script>" not in html and "reports-export.js" in html
    download = client.get(f"/reports/exports/{job.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == XLSX_TYPE
    assert download["Content-Disposition"] == f'attachment; filename="{job.filename}"'
    assert job.filename.startswith(f"qiming-{CLASSES}-") and job.filename.endswith(".xlsx")
    expected = build_classes(ReportScope.for_user(sample.north_admin), ReportFilters())
    _header, rows = xlsx_table(read_xlsx(download.content), len(expected.columns))
    assert [row[0] for row in rows] == ["7B", "'" + EVIL]
    assert [row[2] for row in rows] == [row["learners"] for row in expected.rows]


def test_filters_from_the_query_string_reach_the_file(sample):
    client = web(factories.make_admin("boss"))
    query = f"school={sample.south.pk}&start=2026-01-01&end=2026-12-31"
    response = client.post(f"/reports/{CLASSES}/export/?{query}", {"format": "csv"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and job.status == "done"
    assert job.filters == {"start": "2026-01-01", "end": "2026-12-31", "school_id": sample.south.pk}
    page = client.get(f"/reports/exports/{job.pk}/").content.decode()
    back = f"/reports/{CLASSES}/?start=2026-01-01&amp;end=2026-12-31&amp;school={sample.south.pk}"
    assert f'<a href="{back}">' in page  # back to the report, filtered as exported
    lines = read_csv(client.get(f"/reports/exports/{job.pk}/download/").content)
    assert [line[0] for line in lines[1:] if line] == ["S1", "Counted from class lists."]


def test_the_job_writes_in_its_requesters_language(sample):
    client = web(sample.north_admin, HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.post(f"/reports/{CLASSES}/export/", {"format": "csv"})
    job = ExportJob.objects.get()
    assert job.language == "zh-hans"
    assert read_csv(bytes(job.content))[0][0] == "班级"


def test_bad_requests_are_4xx_and_store_nothing(sample):
    client = web(sample.north_admin)
    url = f"/reports/{CLASSES}/export/"
    assert client.get(url).status_code == 405
    assert client.post(url, {"format": "pdf"}).status_code == 400
    bad_dates = client.post(f"{url}?start=2026-05-02&end=2026-05-01", {"format": "csv"})
    assert bad_dates.status_code == 400
    assert "start date is after the end date" in bad_dates.content.decode()
    assert client.post(f"{url}?start=yesterday", {"format": "csv"}).status_code == 400
    # A school admin naming another school is refused, not quietly given their own.
    other = client.post(f"{url}?school={sample.south.pk}", {"format": "csv"})
    assert other.status_code == 400
    assert client.post("/reports/no-such-report/export/", {"format": "csv"}).status_code == 404
    assert not ExportJob.objects.exists()


def test_starting_needs_the_csrf_token(sample):
    client = web(sample.north_admin, enforce_csrf_checks=True)
    assert client.post(f"/reports/{CLASSES}/export/", {"format": "csv"}).status_code == 403
    assert not ExportJob.objects.exists()


def test_only_administrators_export(sample, student, teacher):
    url = f"/reports/{CLASSES}/export/"
    anonymous = web().post(url, {"format": "csv"})
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert web(student).post(url, {"format": "csv"}).status_code == 403
    assert web(teacher).post(url, {"format": "csv"}).status_code == 403
    # A report naming learners is not for the platform's administrators (aggregates only).
    platform = web(factories.make_admin("boss"))
    assert platform.post(f"/reports/{LEARNERS}/export/", {"format": "csv"}).status_code == 403
    assert web(sample.north_admin).post(
        f"/reports/{LEARNERS}/export/", {"format": "csv"}
    ).status_code in (302,)
    assert ExportJob.objects.count() == 1


def test_only_the_requester_sees_a_job(sample, student):
    web(sample.north_admin).post(f"/reports/{CLASSES}/export/", {"format": "csv"})
    job = ExportJob.objects.get()
    paths = [f"/reports/exports/{job.pk}/{suffix}" for suffix in ("", "status/", "download/")]
    for other in (sample.south_admin, factories.make_admin("boss")):
        for path in paths:
            assert web(other).get(path).status_code == 404, (other, path)
    for path in paths:
        assert web(student).get(path).status_code == 403
        assert web().get(path).status_code == 302


def test_the_status_json_follows_the_job(sample, settings, django_capture_on_commit_callbacks):
    settings.REPORTS_INLINE_EXPORT_ROWS = 0
    client = web(sample.north_admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(f"/reports/{CLASSES}/export/", {"format": "csv"})
    assert len(callbacks) == 1  # queued for a worker, after the commit
    job = ExportJob.objects.get()
    status = client.get(f"/reports/exports/{job.pk}/status/")
    assert status["Cache-Control"] == "no-store"
    body = status.json()
    assert (body["status"], body["done"], body["finished"], body["download_url"]) == (
        "queued",
        False,
        False,
        "",
    )
    assert body["text"] == "Waiting for a worker to start the export."
    page = client.get(f"/reports/exports/{job.pk}/").content.decode()
    assert "Reload to see the progress" in page and 'data-finished="0"' in page
    assert client.get(f"/reports/exports/{job.pk}/download/")["Location"] == (
        f"/reports/exports/{job.pk}/"
    )
    assert export_jobs.export_job_run(job_id=job.pk)
    body = client.get(f"/reports/exports/{job.pk}/status/").json()
    assert (body["status"], body["progress"], body["rows"]) == ("done", 100, 2)
    assert body["download_url"] == f"/reports/exports/{job.pk}/download/"
    assert body["text"] == "Ready: 2 rows."


def test_one_person_cannot_fill_the_queue(sample, settings, django_capture_on_commit_callbacks):
    settings.REPORTS_INLINE_EXPORT_ROWS = 0
    settings.REPORTS_EXPORT_MAX_UNFINISHED = 2
    client = web(sample.north_admin)
    url = f"/reports/{CLASSES}/export/"
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post(url, {"format": "csv"}).status_code == 302
        assert client.post(url, {"format": "xlsx"}).status_code == 302
        refused = client.post(url, {"format": "csv"})
    assert refused.status_code == 429
    assert "2 exports still running" in refused.content.decode()
    assert ExportJob.objects.count() == 2
    # Someone else is not held up by them; and once one finishes, there is room again.
    assert web(sample.south_admin).post(url, {"format": "csv"}).status_code == 302
    export_jobs.export_job_run(job_id=ExportJob.objects.filter(format="xlsx").get().pk)
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post(url, {"format": "csv"}).status_code == 302


# --- the job's life -------------------------------------------------------------------------------


def queued_job(user, slug=CLASSES, export_format="csv", **extra) -> ExportJob:
    scope = ReportScope.for_user(user)
    return ExportJob.objects.create(
        requested_by=user,
        report=slug,
        format=export_format,
        filters=ReportFilters().within(scope).as_json(),
        school_id=scope.school_id,
        **extra,
    )


def test_a_job_delivered_twice_is_written_once(sample):
    job = queued_job(sample.north_admin)
    assert export_jobs.export_job_run(job_id=job.pk) is True
    job.refresh_from_db()
    first = (bytes(job.content), job.filename, job.finished_at)
    assert export_jobs.export_job_run(job_id=job.pk) is False
    job.refresh_from_db()
    assert (bytes(job.content), job.filename, job.finished_at) == first
    assert job.status == "done"


def test_a_failing_report_fails_its_job_with_a_message(sample):
    def explode(scope, filters):
        raise RuntimeError("database gone")

    REGISTRY["sample-broken"] = Report("sample-broken", "Broken", "", explode)
    try:
        job = queued_job(sample.north_admin, slug="sample-broken")
        assert export_jobs.export_job_run(job_id=job.pk) is False
    finally:
        del REGISTRY["sample-broken"]
    job.refresh_from_db()
    assert (job.status, job.content) == ("failed", None)
    assert job.error == export_jobs.EXPORT_FAILED and job.finished_at is not None
    with translation.override("en"):
        assert export_jobs.job_error(job).startswith("The export failed.")


def test_a_requester_who_lost_their_role_gets_nothing(sample):
    job = queued_job(sample.north_admin)
    sample.north_admin.role = "teacher"
    sample.north_admin.save(update_fields=["role"])
    assert export_jobs.export_job_run(job_id=job.pk) is False
    job.refresh_from_db()
    assert (job.status, job.error, job.content) == ("failed", export_jobs.NOT_ALLOWED, None)


def test_a_job_stuck_past_its_deadline_is_failed_when_looked_at(sample, settings):
    settings.REPORTS_EXPORT_STALE_MINUTES = 30
    job = queued_job(sample.north_admin, status="running", progress=40)
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=31))
    body = web(sample.north_admin).get(f"/reports/exports/{job.pk}/status/").json()
    assert (body["status"], body["finished"]) == ("failed", True)
    assert body["error"] == "The export did not finish. Start it again."
    # A worker finishing late stores nothing over the failure.
    assert export_jobs.export_job_run(job_id=job.pk) is False


def test_old_jobs_are_deleted(sample, settings):
    settings.REPORTS_EXPORT_KEEP_DAYS = 3
    old = queued_job(sample.north_admin)
    recent = queued_job(sample.north_admin)
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=4))
    ExportJob.objects.filter(pk=recent.pk).update(created_at=timezone.now() - timedelta(days=2))
    # Starting a new export (or finishing one) sweeps the old ones.
    web(sample.north_admin).post(f"/reports/{CLASSES}/export/", {"format": "csv"})
    assert not ExportJob.objects.filter(pk=old.pk).exists()
    assert ExportJob.objects.filter(pk=recent.pk).exists()
    assert ExportJob.objects.count() == 2


# --- a real worker ----------------------------------------------------------------------------------


@pytest.fixture
def export_worker(transactional_db, settings, tmp_path):
    """One `celery -A config worker` on this test's database and broker (as tests/workers do),
    importing the sample reports the way a worker imports the catalogue, with the same minimum
    group size as this process (request this fixture after the one that sets it)."""
    purge_broker()
    log_path = tmp_path / "export-worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "QIMING_VAR_DIR": str(settings.VAR_DIR),
        "REPORTS_MIN_GROUP_SIZE": str(settings.REPORTS_MIN_GROUP_SIZE),
        "QIMING_SAMPLE_REPORTS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker",
             "--hostname", "exports@%h", "--queues", "default", "--concurrency", "1",
             "--loglevel", "INFO", "--without-mingle", "--without-gossip",
             "--include", "tests.reports.sample_report"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while " ready." not in log_path.read_text(errors="replace"):
        assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.2)
    yield process
    if process.poll() is None:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait(timeout=30)


def wait_finished(job_id: int, timeout: float = 60) -> tuple[ExportJob, set[int]]:
    """The job once done or failed, and the progress values seen on the way."""
    seen = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ExportJob.objects.get(pk=job_id)
        seen.add(job.progress)
        if job.status in ("done", "failed"):
            return job, seen
        time.sleep(0.05)
    raise AssertionError(f"export job {job_id} is still {job.status}")


@pytest.mark.django_db(transaction=True)
def test_a_large_export_runs_on_a_real_worker(sample, settings, export_worker):
    """Given exports above the inline limit, the start queues a job; a real Celery worker runs
    it; the file downloaded is the table, and the page's JSON followed it to done."""
    settings.REPORTS_INLINE_EXPORT_ROWS = 1
    client = web(factories.make_admin("boss"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = client.post(f"/reports/{CLASSES}/export/", {"format": "xlsx"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    job, _seen = wait_finished(job.pk)
    assert job.status == "done", job.error
    assert (job.progress, job.rows, job.language) == (100, 4, "zh-hans")
    body = client.get(f"/reports/exports/{job.pk}/status/").json()
    assert body["done"] and body["download_url"]
    download = client.get(body["download_url"])
    assert download["Content-Type"] == XLSX_TYPE
    with translation.override("zh-hans"):
        table = platform_table()
    header, rows = xlsx_table(read_xlsx(download.content), len(table.columns))
    assert header[:3] == ["班级", str(table.columns[1].label), "学生"]
    assert [row[0] for row in rows] == ["7B", "'" + EVIL, "Loose", "S1"]
    assert [row[2] for row in rows] == [row["learners"] for row in table.rows]
    assert [row[3] for row in rows] == pytest.approx([row["share"] for row in table.rows])


# --- the catalogue's reports (tests/reports/conftest.py's world) ------------------------------------

CATALOGUE = sorted(export_jobs.load_reports())


def as_text(value) -> str:
    """A text cell as a spreadsheet must get it: formula-like text with its apostrophe."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def assert_csv_cell(column: Column, cell: str, value) -> None:
    if value is None:
        assert cell == ""
    elif column.kind == "date":
        day = value.date() if isinstance(value, datetime) else value
        assert cell == (day.isoformat() if isinstance(day, date) else str(day))
    elif column.kind == "percent":
        assert cell.endswith("%") and float(cell[:-1]) == pytest.approx(value * 100, abs=0.005)
    elif column.kind in ("int", "float", "seconds"):
        assert float(cell) == pytest.approx(float(value), abs=0.00005)
    else:
        assert cell == as_text(value)


def assert_xlsx_cell(column: Column, cell, value) -> None:
    if value is None:
        assert cell.value is None
    elif column.kind == "date":
        day = value.date() if isinstance(value, datetime) else value
        assert cell.is_date and cell.value.date() == day
    elif column.kind in ("int", "float", "seconds", "percent"):
        assert cell.value == pytest.approx(float(value))
        assert cell.number_format == exports.NUMBER_FORMATS[column.kind]
    else:
        assert cell.value == as_text(value) and cell.data_type == "s"


@pytest.mark.parametrize("slug", CATALOGUE)
def test_every_report_of_the_catalogue_exports_its_table(
    report_world, alpha_admin, platform_admin, slug
):
    """Both files of every report, for each scope that may see it, cell by cell."""
    report = REGISTRY[slug]
    for user in (alpha_admin, platform_admin):
        scope = ReportScope.for_user(user)
        if report.names_learners and not scope.show_names:
            continue
        table = report.build(scope, ReportFilters().within(scope))
        lines = read_csv(exports.table_csv(table))
        assert lines[0] == [as_text(column.label) for column in table.columns]
        for line, values in zip(lines[1 : 1 + len(table.rows)], table.values(), strict=True):
            for column, cell, value in zip(table.columns, line, values, strict=True):
                assert_csv_cell(column, cell, value)
        assert lines[1 + len(table.rows) :] == (
            [[], *[[as_text(note)] for note in exports.notes(table)]]
            if exports.notes(table)
            else []
        )
        sheet = read_xlsx(exports.table_xlsx(table))
        for offset, values in enumerate(table.values(), start=exports.HEADER_ROW + 1):
            for index, (column, value) in enumerate(zip(table.columns, values, strict=True)):
                assert_xlsx_cell(column, sheet.cell(offset, index + 1), value)


@pytest.mark.django_db(transaction=True)
def test_a_catalogue_report_runs_on_a_real_worker(
    report_world, alpha_admin, settings, export_worker
):
    """A worker finds the catalogue's reports on its own (no --include needed for them) and
    writes the school admin's table, filtered to one age band, with their school's scope."""
    settings.REPORTS_INLINE_EXPORT_ROWS = 0
    client = web(alpha_admin)
    slug = "completion-by-exercise"
    response = client.post(f"/reports/{slug}/export/?age_band=9-11", {"format": "csv"})
    assert response.status_code == 302
    job, _seen = wait_finished(ExportJob.objects.get().pk)
    assert job.status == "done", job.error
    assert job.filters == {"school_id": report_world.alpha.pk, "age_band": "9-11"}
    scope = ReportScope.for_user(alpha_admin)
    table = REGISTRY[slug].build(scope, ReportFilters(age_band="9-11").within(scope))
    assert table.rows, "the world has work in the 9-11 course"
    assert bytes(job.content) == exports.table_csv(table)
