"""The gradebook as CSV for Canvas and Moodle, with the scores that count (late penalties and
teachers' marks applied); an empty cell means no grade (not started).

- Canvas (Grades → Import): "Student, ID, SIS User ID, SIS Login ID, Section", then one column
  per exercise named "<title> (<id>)", a "Points Possible" row first. The ID columns are left
  empty (Qiming's ids are not Canvas's); the username goes in "SIS Login ID" and the class name
  in "Section", for Canvas to match learners by login.
- Moodle (Grades → Import → CSV): "Username, First name, Last name, Email address", then one
  column per exercise, to map onto grade items when importing.

Every cell is CSV-injection safe: text a spreadsheet would take for a formula (starting with
= + - @, a tab or a carriage return) gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io

from teaching.gradebook import Gradebook

CANVAS = "canvas"
MOODLE = "moodle"
FORMATS = (CANVAS, MOODLE)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def points(value: float | None) -> str:
    """4.5, 10, 0.75: as people write points (never 4.50 or 1e+01)."""
    if value is None:
        return ""
    return f"{round(float(value), 2):f}".rstrip("0").rstrip(".")


def _scores(row) -> list[str]:
    return [points(cell.effective.score if cell.effective else None) for cell in row.cells]


def _canvas(book: Gradebook) -> list[list[str]]:
    titles = [f"{exercise.localized('title')} ({exercise.pk})" for exercise in book.exercises]
    lines = [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *titles],
        ["Points Possible", "", "", "", "", *(points(e.max_score) for e in book.exercises)],
    ]
    for row in book.rows:
        learner = row.learner
        if learner.last_name:
            name = f"{learner.last_name}, {learner.first_name}"
        else:
            name = learner.first_name or learner.username
        lines.append([name, "", "", learner.username, book.classroom.name])
        lines[-1] += _scores(row)
    return lines


def _moodle(book: Gradebook) -> list[list[str]]:
    titles = [exercise.localized("title") for exercise in book.exercises]
    lines = [["Username", "First name", "Last name", "Email address", *titles]]
    for row in book.rows:
        learner = row.learner
        lines.append(
            [learner.username, learner.first_name, learner.last_name, learner.email, *_scores(row)]
        )
    return lines


def gradebook_csv(book: Gradebook, export_format: str) -> str:
    """The CSV text, lines ending in CRLF as RFC 4180 has them."""
    if export_format not in FORMATS:
        raise ValueError(f"unknown export format {export_format!r}")
    lines = _canvas(book) if export_format == CANVAS else _moodle(book)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in lines:
        writer.writerow([safe_cell(value) for value in line])
    return out.getvalue()
