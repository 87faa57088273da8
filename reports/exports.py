"""A ReportTable written as CSV or XLSX, for people opening it in a spreadsheet.

Both files hold exactly the rows and columns of the table the page and the API show (the same
`ReportTable`), with the header in the language active while writing (an export job writes in
the language its requester used). Cells are typed by their column's kind:

- XLSX: numbers are numbers, percents are fractions formatted as percent (0.425 shows 42.5%),
  dates are dates, durations are seconds; only text columns hold strings.
- CSV: numbers as plain decimals (never 1e+01), percents as "42.5%" and dates as 2026-03-01,
  which every spreadsheet reads back as a number, a percent and a date.

Text is CSV-injection safe in both (teaching.export.safe_cell): a learner named "=HYPERLINK(…)"
is shown as text, never run as a formula. Numbers are never passed through it, so -3 stays a
number. The CSV starts with a UTF-8 byte order mark, without which Excel reads Chinese headers
as mojibake.

Layout: the CSV is the header and the rows, then (only if there are any) an empty line and one
line per note, the suppressed-groups note first. The XLSX sheet has the report's title and
description above the table, the table from row HEADER_ROW (frozen, with a filter), then the
notes below it.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reports.base import Column, ReportTable, min_group_size
from teaching.export import safe_cell

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The XLSX sheet: title in row 1, description in row 2, the table's header in this row.
HEADER_ROW = 4
NUMBER_FORMATS = {
    "int": "0",
    "float": "0.00",
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
    "seconds": "0.0",
}
# Progress is reported every this many rows: often enough for a bar, rarely enough to be free.
PROGRESS_EVERY = 500

Progress = Callable[[int, int], None]  # (rows written, rows in all)


def _number(value: Any) -> int | float | None:
    """The value as a number, or None if it is not one (a cell of a numeric column that holds
    something else is written as text, never guessed at)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, (float, Decimal)):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def plain_number(value: int | float) -> str:
    """12, 0.3333, 4.5: as people write numbers (never 4.50000 or 1e+01)."""
    if isinstance(value, int):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{round(value, 4):f}".rstrip("0").rstrip(".")


def csv_cell(column: Column, value: Any) -> str:
    """One cell's text in the CSV."""
    if value is None:
        return ""
    if column.kind == "date":
        day = _date(value)
        if day is not None:
            return day.isoformat()
    elif column.kind != "text":
        number = _number(value)
        if number is not None:
            if column.kind == "percent":
                return f"{plain_number(round(number * 100, 2))}%"
            return plain_number(number)
    return safe_cell(value)


def xlsx_value(column: Column, value: Any) -> Any:
    """One cell's value in the XLSX: a number, a date or (safe) text."""
    if value is None:
        return None
    if column.kind == "date":
        day = _date(value)
        if day is not None:
            return day
    elif column.kind != "text":
        number = _number(value)
        if number is not None:
            return number
    return _xlsx_text(value)


def notes(table: ReportTable) -> list[str]:
    """The lines under the table: what was left out for privacy, then the report's own notes."""
    lines = []
    if table.suppressed:
        lines.append(
            ngettext(
                "%(count)d group with fewer than %(minimum)d learners is not shown.",
                "%(count)d groups with fewer than %(minimum)d learners are not shown.",
                table.suppressed,
            )
            % {"count": table.suppressed, "minimum": min_group_size()}
        )
    lines.extend(str(note) for note in table.notes)
    return lines


def _rows(table: ReportTable, progress: Progress | None) -> Iterator[list[Any]]:
    total = len(table.rows)
    for index, values in enumerate(table.values(), start=1):
        yield values
        if progress is not None and (index % PROGRESS_EVERY == 0 or index == total):
            progress(index, total)


def table_csv(table: ReportTable, *, progress: Progress | None = None) -> bytes:
    """The table as CSV bytes (UTF-8 with a byte order mark, CRLF line ends as RFC 4180)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(str(column.label)) for column in table.columns])
    for values in _rows(table, progress):
        writer.writerow(
            [csv_cell(column, value) for column, value in zip(table.columns, values, strict=True)]
        )
    lines = notes(table)
    if lines:
        writer.writerow([])
        for line in lines:
            writer.writerow([safe_cell(line)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip().strip("'")
    return cleaned[:31].strip() or "Report"


def _xlsx_text(text: object) -> str:
    # Control characters are not allowed in the XML of a sheet: openpyxl would refuse the file.
    return ILLEGAL_CHARACTERS_RE.sub("", safe_cell(text))


def _text_cell(sheet, row: int, column: int, text: str):
    cell = sheet.cell(row=row, column=column, value=_xlsx_text(text))
    cell.data_type = "s"  # never a formula, whatever the text
    return cell


def table_xlsx(table: ReportTable, *, progress: Progress | None = None) -> bytes:
    """The table as an XLSX workbook of one sheet."""
    workbook = Workbook()
    sheet = workbook.active
    title = str(table.title)
    sheet.title = sheet_title(title)
    _text_cell(sheet, 1, 1, title).font = Font(bold=True, size=14)
    if table.description:
        _text_cell(sheet, 2, 1, str(table.description))
    bold = Font(bold=True)
    widths = []
    for index, column in enumerate(table.columns, start=1):
        label = str(column.label)
        _text_cell(sheet, HEADER_ROW, index, label).font = bold
        widths.append(len(label))
    row_number = HEADER_ROW
    for values in _rows(table, progress):
        row_number += 1
        for index, (column, value) in enumerate(zip(table.columns, values, strict=True), start=1):
            cell = sheet.cell(row=row_number, column=index, value=xlsx_value(column, value))
            if isinstance(cell.value, str):
                cell.data_type = "s"
                widths[index - 1] = max(widths[index - 1], min(len(cell.value), 60))
            elif column.kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[column.kind]
                widths[index - 1] = max(widths[index - 1], 10)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width + 2
    if table.columns:
        last = get_column_letter(len(table.columns))
        sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{max(row_number, HEADER_ROW)}"
        sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    for offset, line in enumerate(notes(table), start=2):
        _text_cell(sheet, row_number + offset, 1, line).font = Font(italic=True)
    workbook.properties.title = title
    workbook.properties.creator = _("Qiming")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write(table: ReportTable, export_format: str, *, progress: Progress | None = None) -> bytes:
    if export_format == CSV:
        return table_csv(table, progress=progress)
    if export_format == XLSX:
        return table_xlsx(table, progress=progress)
    raise ValueError(f"unknown export format {export_format!r}")


def filename(slug: str, export_format: str, when: datetime | None = None) -> str:
    """qiming-<report>-<date and time>.<format>: ASCII, so every browser keeps it as is."""
    when = timezone.localtime(when or timezone.now())
    safe_slug = re.sub(r"[^A-Za-z0-9_-]", "-", slug)[:60] or "report"
    return f"qiming-{safe_slug}-{when:%Y%m%d-%H%M}.{export_format}"
