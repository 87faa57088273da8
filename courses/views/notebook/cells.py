"""The released notebook as the page shows it: one display record per cell.

Only the *released* notebook is read here (solutions replaced by stubs, hidden tests removed).
From the teacher's source the page learns one yes/no per test cell — whether it has hidden
tests — never any of their text. Both are the notebooks of the learner's language (the Chinese
twin when they work in Chinese and the exercise has one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from courses.markdown import asset_base, render_markdown
from courses.models import Exercise
from graders import nbgrader_format as fmt

MARKDOWN = "markdown"
CODE = "code"  # read-only code: locked, plain or setup cells
TEST = "test"  # an autograded test cell (read-only), with its points
ANSWER_CODE = "answer_code"  # a solution cell: an editor
ANSWER_TEXT = "answer_text"  # a written answer (a Markdown solution cell)
RAW = "raw"

_FORMATTER = HtmlFormatter(nowrap=True)  # CSS classes only: no inline styles (CSP)


@dataclass
class DisplayCell:
    index: int
    kind: str
    grade_id: str | None = None
    html: SafeString | str = ""  # rendered Markdown or highlighted code
    source: str = ""  # an answer cell's current text
    points: float | None = None
    has_hidden_tests: bool = False
    lines: int = 1
    language: str = "python"


def _text(source: Any) -> str:
    return "".join(source) if isinstance(source, list) else str(source or "")


def highlight_code(source: str, language: str) -> SafeString:
    """Python as HTML spans with Pygments' classes (Pygments escapes the text); else plain."""
    if language != "python":
        return escape(source)
    return mark_safe(highlight(source, PythonLexer(), _FORMATTER))  # noqa: S308


def _hidden_test_ids(exercise: Exercise, language: str) -> set[str]:
    source = exercise.source_notebook_for(language)
    source = source if isinstance(source, dict) else {}
    return {
        gid
        for cell in source.get("cells") or []
        if (gid := fmt.grade_id(cell))
        and fmt.is_grade(cell)
        and fmt.has_region(_text(cell.get("source")), fmt.BEGIN_HIDDEN_TESTS)
    }


def display_cells(
    exercise: Exercise, answers: dict[str, str], language: str | None = None
) -> list[DisplayCell]:
    """Every released cell of the notebook in `language` (default: the active one), in order;
    solution cells hold the learner's saved answer if any (drafts are kept by grade_id, so
    they follow a switch of language)."""
    course = exercise.lesson.unit.course if exercise.lesson_id else None
    base = asset_base(course.slug) if course is not None else None
    notebook_language = exercise.notebook_language(language)
    released = exercise.released_notebook_for(notebook_language)
    hidden = _hidden_test_ids(exercise, notebook_language)
    code_language = fmt.notebook_language(released)  # the kernel's: python
    cells: list[DisplayCell] = []
    for index, cell in enumerate(released.get("cells") or []):
        if not isinstance(cell, dict):
            continue
        cell_type, text, gid = cell.get("cell_type"), _text(cell.get("source")), fmt.grade_id(cell)
        meta = fmt.nbgrader_meta(cell) or {}
        if fmt.is_solution(cell) and gid:
            answer = answers.get(gid, text)
            kind = ANSWER_CODE if cell_type == "code" else ANSWER_TEXT
            record = DisplayCell(
                index,
                kind,
                gid,
                source=answer,
                lines=answer.count("\n") + 1,
                language=code_language,
            )
            if fmt.is_grade(cell):
                record.points = float(meta.get("points") or 0)
            cells.append(record)
        elif cell_type == "markdown":
            cells.append(
                DisplayCell(
                    index, MARKDOWN, gid, html=render_markdown(text, base=base, below_h1=True)
                )
            )
        elif cell_type == "code" and fmt.is_grade(cell) and gid:
            cells.append(
                DisplayCell(
                    index,
                    TEST,
                    gid,
                    html=highlight_code(text, code_language),
                    points=float(meta.get("points") or 0),
                    has_hidden_tests=gid in hidden,
                )
            )
        elif cell_type == "code":
            cells.append(DisplayCell(index, CODE, gid, html=highlight_code(text, code_language)))
        else:
            cells.append(DisplayCell(index, RAW, gid, html=escape(text)))
    return cells
