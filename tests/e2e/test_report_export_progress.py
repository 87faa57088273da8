"""An export's progress page in Chromium: its script (static/qiming/reports-export.js, no inline
script under the CSP) follows the job and shows the download link when the file is ready, with
no reload; the file downloaded is the report's XLSX.

The job is finished by calling the task's body from the test, in place of a worker, so the page
is watched at each step; tests/reports/test_exports.py runs export jobs on a real worker.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reports import export_jobs, exports
from reports.models import ExportJob
from tests.reports.sample_data import (  # noqa: F401 (fixtures)
    EVIL,
    sample_fixture,
    sample_reports_fixture,
    small_groups_fixture,
)
from tests.reports.sample_report import CLASSES
from tests.support.a11y import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_the_progress_page_follows_the_job_to_its_download(page, login, sample, settings):
    settings.REPORTS_INLINE_EXPORT_ROWS = 0  # every export goes to a worker
    login(page, sample.north_admin)
    page.goto(f"/reports/{CLASSES}/")
    page.get_by_role("button", name="XLSX").click()  # the report page's export button
    page.wait_for_url("**/reports/exports/*/")
    job = ExportJob.objects.get()
    assert (job.status, job.format, job.requested_by) == ("queued", "xlsx", sample.north_admin)
    status = page.locator("#export-status")
    assert status.inner_text() == "Waiting for a worker to start the export."
    assert page.locator("#export-download").is_hidden()
    assert_accessible(page)

    assert export_jobs.export_job_run(job_id=job.pk)  # the worker's part
    page.locator("#export-download a").wait_for(state="visible", timeout=15_000)
    assert status.inner_text() == "Ready: 2 rows."
    assert page.locator("#export-bar").get_attribute("value") == "100"
    with page.expect_download() as waiting:
        page.locator("#export-download a").click()
    download = waiting.value
    job.refresh_from_db()
    assert download.suggested_filename == job.filename
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    names = [sheet.cell(row, 1).value for row in (exports.HEADER_ROW + 1, exports.HEADER_ROW + 2)]
    assert names == ["7B", "'" + EVIL]
