"""An administrator's reports in Chromium: from the Reports link to a filtered dashboard, a report
with the same filters, an XLSX export of it, and the file opened with openpyxl holding the very
numbers the page showed. Also: every report page is accessible on a phone and a desktop, and the
filters work from the keyboard.

The data is the hand-computed school world of tests/reports/conftest.py: Robots (ages 9-11) with
quizzes Q1, Q2 and notebook N1; Data (ages 12-14) with quiz Q4.
"""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest

from reports.base import REGISTRY, ReportFilters, ReportScope
from reports.charts import raw_value
from reports.exports import HEADER_ROW
from tests import factories
from tests.reports.conftest import report_world  # noqa: F401 (the hand-computed world)
from tests.support.a11y import assert_accessible, focus_ring

pytestmark = pytest.mark.django_db(transaction=True)

# A report's table as the page has it: header texts, and per row each cell's (text, data-value).
READ_TABLE = """(table) => ({
  headers: [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim()),
  rows: [...table.querySelectorAll("tbody tr")].map((tr) =>
    [...tr.children].map((cell) => [cell.textContent.trim(), cell.dataset.value])),
})"""


def read_table(page, slug: str) -> dict:
    return page.locator(f'table[data-report="{slug}"]').evaluate(READ_TABLE)


def sheet_table(path) -> tuple[list, list[list]]:
    """The header and rows of an exported sheet: from HEADER_ROW down to the first empty row."""
    sheet = openpyxl.load_workbook(path).active
    header = [cell.value for cell in sheet[HEADER_ROW]]
    rows = []
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True):
        if all(value is None for value in row):
            break
        rows.append(list(row))
    return header, rows


def same_value(page_raw: str, cell) -> bool:
    """A page cell's data-value and the spreadsheet's typed cell hold the same value."""
    if cell is None:
        return page_raw == ""
    if isinstance(cell, datetime):  # openpyxl reads a date cell back as a datetime
        return page_raw == cell.date().isoformat()
    if isinstance(cell, date):
        return page_raw == cell.isoformat()
    if isinstance(cell, int | float):
        return float(page_raw) == pytest.approx(cell, abs=1e-9)
    return page_raw == str(cell)


@pytest.fixture
def admin(report_world):  # noqa: F811
    return factories.make_admin("head_of_reports")


def test_an_admin_filters_to_one_age_band_and_the_xlsx_has_the_pages_numbers(
    report_world,  # noqa: F811
    admin,
    open_page,
    login,
    page_problems,
    tmp_path,
):
    page = open_page("desktop")
    login(page, admin)
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_role("heading", name="Reports", level=1).wait_for()
    assert_accessible(page)
    # Unfiltered, both age bands have learners.
    bands = [row[0][0] for row in read_table(page, "completion-by-age-band")["rows"]]
    assert bands == ["Ages 9-11", "Ages 12-14"]

    page.get_by_role("combobox", name="Age band").select_option(label="Ages 9-11")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    assert "age_band=9-11" in page.url
    assert_accessible(page)
    by_band = read_table(page, "completion-by-age-band")
    # By hand: a1, a2, a3, b1 and x worked on Robots (the teacher's answer never counts).
    assert by_band["rows"][0][:2] == [["Ages 9-11", "Ages 9-11"], ["5", "5"]]
    assert len(by_band["rows"]) == 1
    assert page.locator("svg.chart[role=img]").count() >= 3

    # The report's own page keeps the filter; its table is the report's, and Data's Q4 is out.
    with page.expect_navigation():
        page.get_by_role("link", name="Completion by exercise").click()
    assert "age_band=9-11" in page.url
    assert page.get_by_role("combobox", name="Age band").input_value() == "9-11"
    assert_accessible(page)
    shown = read_table(page, "completion-by-exercise")
    exercises = [row[2][0] for row in shown["rows"]]
    assert sorted(exercises) == ["N1", "Q1", "Q2"]
    table = REGISTRY["completion-by-exercise"].build(
        ReportScope.for_user(admin), ReportFilters(age_band="9-11")
    )
    assert [[raw for _text, raw in row] for row in shown["rows"]] == [
        [raw_value(value) for value in row] for row in table.values()
    ]

    # Export: the button posts the filters; the export page offers the file when it is ready.
    with page.expect_navigation():
        page.get_by_role("button", name="XLSX").click()
    assert "/reports/exports/" in page.url
    download_link = page.get_by_role("link", name="Download the file")
    download_link.wait_for()
    assert_accessible(page)
    with page.expect_download() as download_info:
        download_link.click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    assert path.suffix == ".xlsx"

    header, rows = sheet_table(path)
    assert header == shown["headers"]
    assert len(rows) == len(shown["rows"])
    for page_row, sheet_row in zip(shown["rows"], rows, strict=True):
        for (text, raw), cell in zip(page_row, sheet_row, strict=True):
            assert same_value(raw, cell), (text, raw, cell)
    page_problems.check()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_every_report_page_is_accessible(report_world, admin, open_page, login, viewport):  # noqa: F811
    page = open_page(viewport)
    login(page, admin)
    page.goto("/reports/")
    assert_accessible(page)
    links = page.locator("ul.report-links a")
    urls = [links.nth(i).get_attribute("href") for i in range(links.count())]
    # Every report but those naming learners (school administrators' only).
    assert len(urls) == len([r for r in REGISTRY.values() if not r.names_learners])
    for url in urls:
        page.goto(f"{url}?start=2026-03-01&end=2026-03-31")
        assert_accessible(page)


def test_the_filters_work_from_the_keyboard_on_a_phone(
    report_world,  # noqa: F811
    open_page,
    login,
    page_problems,
):
    school_admin = factories.make_user("school_admin", "alpha_head", school=report_world.alpha)
    page = open_page("phone")
    login(page, school_admin)
    page.goto("/reports/completion-by-class/")
    # A school administrator has no school to choose: theirs is the only one.
    assert page.get_by_role("combobox", name="School").count() == 0
    page.get_by_role("combobox", name="Class").focus()
    assert focus_ring(page)
    page.keyboard.press("ArrowDown")  # the first class, A1
    page.keyboard.press("Tab")  # to Course
    page.keyboard.press("Tab")  # to Age band
    page.keyboard.press("Tab")  # to Show
    assert page.evaluate("document.activeElement.textContent.trim()") == "Show"
    assert focus_ring(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"classroom={report_world.classes.a1.pk}" in page.url
    rows = read_table(page, "completion-by-class")["rows"]
    assert [row[1][0] for row in rows] == ["A1"]
    # The numbers scroll in their own region, which takes the keyboard's focus visibly.
    page.locator(".report-table-scroll").first.focus()
    assert focus_ring(page)
    assert_accessible(page)
    # Theirs alone: the report that names learners.
    page.goto("/reports/stalled-learners/")
    named = {row[0][0] for row in read_table(page, "stalled-learners")["rows"]}
    assert named and named <= {"A1 Learner", "A2 Learner", "A3 Learner"}
    assert_accessible(page)
    # Another school's class is no choice at all; asking for it by hand is a clear 400.
    page_problems.expect("HTTP 400")
    page_problems.expect("status of 400")
    response = page.goto(f"/reports/completion-by-class/?classroom={report_world.classes.b1.pk}")
    assert response.status == 400
    assert page.get_by_role("alert").first.is_visible()
