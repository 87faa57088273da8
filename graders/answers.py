"""A learner's answers to a released notebook: the sources of its solution cells, by grade_id.

The notebook page edits only solution cells. These helpers find them in the released copy, fill
answers into it (for grading and for download), read them back out of an uploaded notebook, and
make the source a *check* runs: the teacher's notebook with its hidden tests cut out.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Mapping
from typing import Any

import nbformat
from nbformat import NotebookNode

from graders import nbgrader_format as fmt
from graders import notebook


def solution_cells(released: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The released notebook's solution cells (code answers and written answers), in order."""
    cells = released.get("cells") or []
    return [cell for cell in cells if fmt.is_solution(cell) and fmt.grade_id(cell)]


def solution_ids(released: Mapping[str, Any]) -> list[str]:
    return [fmt.grade_id(cell) for cell in solution_cells(released)]  # type: ignore[misc]


def _text(source: Any) -> str:
    return "".join(source) if isinstance(source, list) else str(source or "")


def with_answers(released: Mapping[str, Any], answers: Mapping[str, str]) -> NotebookNode:
    """A copy of the released notebook with each named solution cell's source replaced.

    Everything else stays the teacher's; unknown grade_ids are ignored.
    """
    nb = nbformat.from_dict(copy.deepcopy(dict(released)))
    for cell in nb.cells:
        gid = fmt.grade_id(cell)
        if fmt.is_solution(cell) and gid in answers:
            cell.source = answers[gid]
    return nb


def notebook_bytes(nb: NotebookNode) -> bytes:
    return (nbformat.writes(nb) + "\n").encode("utf-8")


def answers_from_upload(content: bytes, *, max_bytes: int, released: Mapping[str, Any]) -> dict:
    """The solution cells' sources in an uploaded notebook, for the cells the exercise has.

    As grading does (graders.notebook.assemble): the first cell with the grade_id and the same
    cell type. Raises notebook.NotebookError for a file that is not a usable notebook.
    """
    uploaded = notebook.parse_notebook(content, max_bytes=max_bytes)
    wanted = {fmt.grade_id(cell): cell.get("cell_type") for cell in solution_cells(released)}
    found: dict[str, str] = {}
    for cell in uploaded.cells:
        gid = fmt.grade_id(cell)
        if gid in wanted and gid not in found and cell.get("cell_type") == wanted[gid]:
            found[gid] = _text(cell.get("source"))
    return found


def without_hidden_tests(source: NotebookNode) -> tuple[NotebookNode, set[str]]:
    """The teacher's notebook as a check runs it: every hidden test region removed.

    Returns the copy and the grade_ids of the test cells that lost hidden tests (their check
    result covers only their visible part). The solutions stay: assembly replaces them with the
    learner's answers, exactly as for a submission.
    """
    stripped = copy.deepcopy(source)
    trimmed: set[str] = set()
    for cell in stripped.cells:
        if cell.cell_type != "code" or not fmt.has_region(cell.source, fmt.BEGIN_HIDDEN_TESTS):
            continue
        cell.source, _found = fmt.replace_regions(
            cell.source, fmt.BEGIN_HIDDEN_TESTS, fmt.END_HIDDEN_TESTS
        )
        gid = fmt.grade_id(cell)
        if gid:
            trimmed.add(gid)
    return stripped, trimmed


def runs_nothing(code: str) -> bool:
    """Whether a cell's code tests nothing: empty, comments, a docstring, `pass`.

    A test cell made only of hidden tests is left like this by a check; reporting it as a passed
    test would tell the learner a test passed that never ran.
    """
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return False
    return all(
        isinstance(node, ast.Pass)
        or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
        for node in body
    )


def hidden_only_tests(stripped: NotebookNode, trimmed: set[str]) -> set[str]:
    """Of the test cells a check trimmed, the grade_ids of those with nothing visible left."""
    return {
        gid
        for cell in stripped.cells
        if cell.cell_type == "code"
        and (gid := fmt.grade_id(cell)) in trimmed
        and runs_nothing(cell.source)
    }
