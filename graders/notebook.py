"""Notebooks in and out of grading: bounded parsing, source checks, release, assembly.

A teacher's source notebook is in nbgrader's format (see `graders.nbgrader_format`). Learners
download the `release` copy and upload whatever they like; `assemble` rebuilds the notebook
that actually runs from the teacher's source, taking nothing from the upload but the text of
solution cells. Every file that reaches us goes through `parse_notebook` first, which bounds
size, nesting and cell count before any of it is trusted to a recursive parser.
"""

from __future__ import annotations

import copy
import json
import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import accumulate, repeat
from operator import sub
from typing import Any

import nbformat
from django.utils.translation import gettext as _
from nbformat import NotebookNode

from graders import nbgrader_format as fmt

SUPPORTED_MAJOR = 4
MAX_PROBLEMS_SHOWN = 10


class NotebookError(ValueError):
    """A notebook we cannot use; the message is one line a learner or teacher can act on."""

    def __init__(self, message: str, *, problems: list[SourceProblem] | None = None) -> None:
        # Callers show this verbatim; newlines from a file's content must not break the line.
        super().__init__(" ".join(message.split()))
        self.problems: list[SourceProblem] = list(problems or [])


# ---------------------------------------------------------------------------------------------
# Parsing

# Strings are removed before counting brackets; possessive quantifiers keep it linear.
_JSON_STRING_RE = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.DOTALL)
_NOT_BRACKET_RE = re.compile(r"[^\[\]{}]+")
_BRACKET_STEPS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"


def too_large(size: int, limit: int) -> NotebookError:
    """The one wording for "too big", shared by the CLI, the API and parsing."""
    shown, allowed = _size(size), _size(limit)
    if shown == allowed:  # "5.0 MB, the limit is 5.0 MB" would read as a contradiction
        shown, allowed = f"{size} bytes", f"{limit} bytes"
    return NotebookError(f"The notebook is too large: {shown}, the limit is {allowed}.")


def _invalid(reason: str) -> NotebookError:
    return NotebookError(f"The file is not a valid Jupyter notebook: {reason}.")


def _decode(data: bytes | str, max_bytes: int) -> str:
    if isinstance(data, str):
        # A str is at least as many bytes as characters: refuse before encoding a huge one.
        if len(data) > max_bytes:
            raise too_large(len(data), max_bytes)
        try:
            size = len(data.encode("utf-8"))
        except UnicodeEncodeError:
            raise NotebookError("The file is not UTF-8 text.") from None
        if size > max_bytes:
            raise too_large(size, max_bytes)
        text = data
    elif isinstance(data, bytes | bytearray | memoryview):
        size = data.nbytes if isinstance(data, memoryview) else len(data)
        if size > max_bytes:
            raise too_large(size, max_bytes)
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError as error:
            raise NotebookError(
                f"The file is not UTF-8 text (invalid byte at position {error.start})."
            ) from None
    else:
        raise TypeError(f"notebook data must be bytes or str, not {type(data).__name__}")
    # Some editors on Windows write a byte-order mark; json.loads refuses it.
    return text.removeprefix("\ufeff")


def _json_depth(text: str) -> int:
    """Deepest bracket nesting, found without recursion.

    json.loads recurses once per level, so a few hundred kilobytes of `[` reach the recursion
    limit (or the C stack). Everything here runs in C: strip strings, keep only brackets, turn
    them into +1/-1 steps and take the maximum running sum.
    """
    brackets = _NOT_BRACKET_RE.sub("", _JSON_STRING_RE.sub("", text))
    if not brackets:
        return 0
    steps = brackets.encode("ascii").translate(_BRACKET_STEPS)
    return max(accumulate(map(sub, steps, repeat(1))))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _finite_float(text: str) -> float:
    # 1e999 parses to inf: no notebook needs it, and infinite points would break scoring.
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _load_json(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as error:
        raise NotebookError(
            f"The file is not valid JSON (line {error.lineno}, column {error.colno})."
        ) from None
    except (ValueError, RecursionError):
        raise NotebookError(
            "The file is not valid JSON: it contains NaN, Infinity or an out-of-range number."
        ) from None


def _cell_list(obj: dict[str, Any], major: int) -> list[Any]:
    if major == SUPPORTED_MAJOR:
        cells = obj.get("cells")
        if not isinstance(cells, list):
            raise _invalid("'cells' is missing or not a list")
        return cells
    worksheets = obj.get("worksheets")
    if not isinstance(worksheets, list) or not all(isinstance(w, dict) for w in worksheets):
        raise _invalid("'worksheets' is missing or not a list")
    cells: list[Any] = []
    for worksheet in worksheets:
        if not isinstance(worksheet.get("cells", []), list):
            raise _invalid("a worksheet's 'cells' is not a list")
        cells.extend(worksheet.get("cells", []))
    return cells


def _repair_cell_ids(cells: list[dict[str, Any]]) -> None:
    """Give missing or repeated cell ids fresh ones, as nbformat does, but without its warnings."""
    seen: set[str] = {cell["id"] for cell in cells if isinstance(cell.get("id"), str)}
    used: set[str] = set()
    for cell in cells:
        cell_id = cell.get("id", None)
        if cell_id is None or (isinstance(cell_id, str) and cell_id in used):
            cell_id = uuid.uuid4().hex[:8]
            while cell_id in seen:
                cell_id = uuid.uuid4().hex[:8]
            seen.add(cell_id)
            cell["id"] = cell_id
        if isinstance(cell_id, str):
            used.add(cell_id)


def _format_path(path: Any) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


def _schema_reason(error: Any) -> str:
    """One short line from a jsonschema error; its own message can embed the whole cell."""
    kind = error.validator
    instance = error.instance
    if kind in ("required", "additionalProperties"):
        what = error.message
    elif kind == "type":
        expected = error.validator_value
        names = expected if isinstance(expected, str) else " or ".join(expected)
        what = f"must be of type {names}"
    elif kind == "enum":
        what = "must be one of " + ", ".join(repr(v) for v in error.validator_value)
    elif kind in ("oneOf", "anyOf") and isinstance(instance, dict) and "cell_type" in instance:
        what = f"is not a valid cell of type {str(instance['cell_type'])[:40]!r}"
    elif kind in ("oneOf", "anyOf") and isinstance(instance, dict) and "output_type" in instance:
        what = f"is not a valid output of type {str(instance['output_type'])[:40]!r}"
    else:
        what = "has an invalid value"
    where = _format_path(error.relative_path)
    reason = f"{where} {what}" if where else what
    return reason if len(reason) <= 160 else reason[:157] + "..."


def _schema_check(nb: Any) -> None:
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as error:
        raise _invalid(_schema_reason(error)) from None
    except Exception:  # nbformat assumes a sane shape; anything else is a broken file
        raise _invalid("its structure could not be checked") from None


def parse_notebook(
    data: bytes | str, *, max_bytes: int, max_depth: int = 64, max_cells: int = 2000
) -> NotebookNode:
    """Parse an untrusted notebook file into a validated nbformat 4 notebook.

    Size, encoding, nesting depth and cell count are checked before the recursive JSON parser
    and the schema validator see the data, so a hostile file costs linear time and fails with
    a NotebookError (and nothing else) whose message tells the person what is wrong.
    Format 3 notebooks are upgraded; other versions are refused.
    """
    text = _decode(data, max_bytes)
    if _json_depth(text) > max_depth:
        raise NotebookError("The notebook is nested too deeply.")
    obj = _load_json(text)
    if not isinstance(obj, dict):
        raise _invalid("the top level is not a JSON object")
    major, minor = obj.get("nbformat"), obj.get("nbformat_minor", 0)
    if type(major) is not int or type(minor) is not int:
        raise _invalid("it has no nbformat version")
    if major not in (3, SUPPORTED_MAJOR):
        raise NotebookError(
            f"The notebook format version {major} is not supported; "
            "open and save it in a current Jupyter to upgrade it."
        )
    cells = _cell_list(obj, major)
    if len(cells) > max_cells:
        raise NotebookError(
            f"The notebook has too many cells: {len(cells)}, the limit is {max_cells}."
        )
    if not all(isinstance(cell, dict) for cell in cells):
        raise _invalid("a cell is not a JSON object")
    if major == SUPPORTED_MAJOR:
        if minor >= 5:
            _repair_cell_ids(cells)
        _schema_check(obj)
        return nbformat.v4.to_notebook_json(obj)
    try:
        nb = nbformat.convert(nbformat.v3.to_notebook_json(obj), SUPPORTED_MAJOR)
    except Exception:  # malformed v3 content fails in many ways inside nbformat
        raise _invalid("it uses format 3 and could not be upgraded to format 4") from None
    _schema_check(nb)
    return nb


# ---------------------------------------------------------------------------------------------
# Source checks


@dataclass(frozen=True)
class SourceProblem:
    """One thing wrong with a source notebook.

    `index` is the 0-based position in `nb.cells` (-1: the notebook as a whole); the text
    counts cells from 1, as a teacher looking at the notebook would.
    """

    index: int
    grade_id: str | None
    message: str

    def __str__(self) -> str:
        if self.index < 0:
            return f"notebook: {self.message}"
        where = f"cell {self.index + 1}"
        if self.grade_id:
            where += f" (grade_id {self.grade_id[:60]!r})"
        return f"{where}: {self.message}"


def validate_source(nb: NotebookNode) -> list[SourceProblem]:
    """Everything that would make nbgrader (or our grading) refuse or misread this notebook.

    nbgrader stops at the first problem; a teacher fixing a notebook wants the whole list.
    An empty list means the notebook can be released and graded.
    """
    problems: list[SourceProblem] = []
    language = fmt.notebook_language(nb)
    if fmt.code_stub(language) is None:
        problems.append(
            SourceProblem(-1, None, f"kernel language {language[:40]!r} is not supported")
        )
    first_use: dict[str, int] = {}
    for index, cell in enumerate(nb.cells):
        gid = fmt.grade_id(cell)
        messages: list[str] = []
        if "nbgrader" in cell.metadata:
            meta = cell.metadata["nbgrader"]
            if isinstance(meta, dict):
                messages += fmt.metadata_problems(meta, cell.cell_type, index, first_use)
            else:
                messages.append("nbgrader metadata is not an object")
        messages += fmt.cell_marker_problems(cell)
        problems += [SourceProblem(index, gid, message) for message in messages]
    return problems


def load_source(
    data: bytes | str, *, max_bytes: int, max_depth: int = 64, max_cells: int = 2000
) -> NotebookNode:
    """Parse and check a teacher's source notebook; NotebookError lists every problem."""
    nb = parse_notebook(data, max_bytes=max_bytes, max_depth=max_depth, max_cells=max_cells)
    _require_valid(nb)
    return nb


def _require_valid(nb: NotebookNode) -> None:
    problems = validate_source(nb)
    if problems:
        shown = "; ".join(str(problem) for problem in problems[:MAX_PROBLEMS_SHOWN])
        if len(problems) > MAX_PROBLEMS_SHOWN:
            shown += f"; and {len(problems) - MAX_PROBLEMS_SHOWN} more"
        raise NotebookError(f"The source notebook is invalid: {shown}.", problems=problems)


# ---------------------------------------------------------------------------------------------
# Release


def release(nb: NotebookNode) -> NotebookNode:
    """The student copy, as `nbgrader generate_assignment` would write it.

    Solutions become stubs, hidden tests and mark schemes disappear, locked cells are marked
    read-only, outputs are cleared, and nbgrader's checksums are recorded so the copy also
    works with nbgrader's own tools. The source must be valid (NotebookError otherwise); it is
    not modified.
    """
    _require_valid(nb)
    released = copy.deepcopy(nb)
    code_stub = fmt.code_stub(fmt.notebook_language(released))
    assert code_stub is not None  # validate_source refuses unknown languages
    for cell in released.cells:
        fmt.release_cell(cell, code_stub)
    released.metadata.pop("celltoolbar", None)  # the teacher's "Create Assignment" toolbar
    return released


# ---------------------------------------------------------------------------------------------
# Assembly

ROLE_SOLUTION = "solution"
ROLE_TEST = "test"
ROLE_MANUAL = "manual"
ROLE_TASK = "task"
ROLE_LOCKED = "locked"
ROLE_PLAIN = "plain"


@dataclass
class GradedCell:
    """A cell that carries points.

    kind: "test" (autograded: graded code, not a solution), "manual" (graded solution: a person
    marks it), "task" (a manually graded task). `hidden`: a test whose source has hidden tests,
    so its code and output must never be shown to the learner.
    """

    index: int
    grade_id: str
    points: float
    kind: str
    hidden: bool = False


@dataclass
class Assembly:
    """The notebook to run, and what grading it means.

    `unanswered` lists solution grade_ids whose answer was missing, renamed, of the wrong cell
    type or unchanged from the released stub; those cells hold the stub.
    """

    notebook: NotebookNode
    tests: list[GradedCell]
    manual: list[GradedCell]
    unanswered: list[str]
    max_score: float


def _role(cell: NotebookNode) -> str:
    if fmt.is_task(cell):
        return ROLE_TASK
    grade, solution = fmt.is_grade(cell), fmt.is_solution(cell)
    if grade:
        return ROLE_MANUAL if solution else ROLE_TEST
    if solution:
        return ROLE_SOLUTION
    return ROLE_LOCKED if fmt.is_locked(cell) else ROLE_PLAIN


def _submitted_answers(submission: Any) -> dict[str, list[tuple[Any, str]]]:
    """(cell_type, source) of every submitted cell that names a grade_id, in file order.

    The submission is untrusted and may not even have been through parse_notebook: anything
    that is not the expected shape is skipped rather than trusted.
    """
    answers: dict[str, list[tuple[Any, str]]] = {}
    cells = submission.get("cells") if isinstance(submission, Mapping) else None
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, Mapping):
            continue
        gid = fmt.grade_id(cell)
        source = cell.get("source")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        if gid is not None and isinstance(source, str):
            answers.setdefault(gid, []).append((cell.get("cell_type"), source))
    return answers


def assemble(source: NotebookNode, submission: NotebookNode) -> Assembly:
    """Rebuild the notebook to run from the teacher's source and a learner's submission.

    Only the text of solution cells, matched by grade_id, comes from the submission: the
    first submitted cell with that grade_id and the same cell type. Test cells (with their
    hidden tests), locked and plain cells, order, metadata and points are the teacher's, so
    edited or deleted tests, tags, inflated points, extra cells and pre-filled outputs in the
    upload change nothing. Each cell gets `metadata["qiming"] = {"role", "grade_id"}` so the
    runner need not re-derive roles. The inputs are not modified.
    """
    released = release(source)
    answers = _submitted_answers(submission)
    notebook = copy.deepcopy(source)
    tests: list[GradedCell] = []
    manual: list[GradedCell] = []
    unanswered: list[str] = []
    for index, (cell, released_cell) in enumerate(zip(notebook.cells, released.cells, strict=True)):
        role, gid = _role(cell), fmt.grade_id(cell)
        if role in (ROLE_SOLUTION, ROLE_MANUAL):
            assert gid is not None  # validate_source requires it
            stub = released_cell.source
            answer = next(
                (text for cell_type, text in answers.get(gid, []) if cell_type == cell.cell_type),
                None,
            )
            if answer is None or fmt.normalise_answer(answer) == fmt.normalise_answer(stub):
                unanswered.append(gid)
                answer = stub
            cell.source = answer
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata["qiming"] = {"role": role, "grade_id": gid}
        if role in (ROLE_TEST, ROLE_MANUAL, ROLE_TASK):
            assert gid is not None
            graded = GradedCell(
                index=index,
                grade_id=gid,
                points=float(cell.metadata["nbgrader"]["points"]),
                kind=role,
                hidden=role == ROLE_TEST and fmt.has_region(cell.source, fmt.BEGIN_HIDDEN_TESTS),
            )
            (tests if role == ROLE_TEST else manual).append(graded)
    max_score = sum(cell.points for cell in tests + manual)
    return Assembly(
        notebook=notebook, tests=tests, manual=manual, unanswered=unanswered, max_score=max_score
    )


# ---------------------------------------------------------------------------------------------
# Translations


def _role_name(role: str) -> str:
    return {
        ROLE_SOLUTION: _("an answer cell"),
        ROLE_MANUAL: _("an answer marked by a teacher"),
        ROLE_TEST: _("a test cell"),
        ROLE_TASK: _("a task"),
        ROLE_LOCKED: _("a read-only cell"),
    }.get(role, role)


@dataclass(frozen=True)
class _Outlined:
    index: int
    cell_type: str
    role: str
    points: float
    hidden: bool


def grading_outline(nb: NotebookNode) -> dict[str, _Outlined]:
    """What grading and drafts depend on, per grade_id: every cell with an nbgrader role."""
    outline: dict[str, _Outlined] = {}
    for index, cell in enumerate(nb.cells):
        role, gid = _role(cell), fmt.grade_id(cell)
        if role == ROLE_PLAIN or not gid:
            continue
        graded = role in (ROLE_TEST, ROLE_MANUAL, ROLE_TASK)
        points = float(cell.metadata["nbgrader"].get("points", 0) or 0) if graded else 0.0
        hidden = role == ROLE_TEST and fmt.has_region(cell.source, fmt.BEGIN_HIDDEN_TESTS)
        outline[gid] = _Outlined(index, cell.cell_type, role, points, hidden)
    return outline


def twin_problems(source: NotebookNode, twin: NotebookNode) -> list[SourceProblem]:
    """How a translated source notebook (`twin`) differs from `source` in what grading uses.

    Both must be valid sources. A learner may switch language at any time: their answers are
    kept by grade_id and graded against the notebook of the language they worked in, so both
    need the same answer, test, task and read-only cells (by grade_id, in the same order), of
    the same cell type, worth the same points, with hidden tests in the same test cells, and
    the same kernel language. Everything else (text, comments, messages) may differ.
    An empty list means the twin fits; cell numbers in the problems are the twin's.
    """
    problems: list[SourceProblem] = []
    language, twin_language = fmt.notebook_language(source), fmt.notebook_language(twin)
    if language != twin_language:
        problems.append(
            SourceProblem(
                -1,
                None,
                _("the kernel language is %(twin)s; in the English notebook it is %(source)s")
                % {"twin": repr(twin_language[:40]), "source": repr(language[:40])},
            )
        )
    original, translated = grading_outline(source), grading_outline(twin)
    for gid in [gid for gid in original if gid not in translated]:
        problems.append(
            SourceProblem(
                -1,
                None,
                _("%(role)s with grade_id %(id)s is missing (the English notebook has it)")
                % {"role": _role_name(original[gid].role), "id": repr(gid[:60])},
            )
        )
    for gid, cell in translated.items():
        if gid not in original:
            problems.append(
                SourceProblem(
                    cell.index, gid, _("the English notebook has no cell with this grade_id")
                )
            )
            continue
        expected = original[gid]
        if cell.cell_type != expected.cell_type:
            problems.append(
                SourceProblem(
                    cell.index,
                    gid,
                    _("a %(twin)s cell here but a %(source)s cell in the English notebook")
                    % {"twin": cell.cell_type, "source": expected.cell_type},
                )
            )
        if cell.role != expected.role:
            problems.append(
                SourceProblem(
                    cell.index,
                    gid,
                    _("%(twin)s here but %(source)s in the English notebook")
                    % {"twin": _role_name(cell.role), "source": _role_name(expected.role)},
                )
            )
        elif cell.points != expected.points:
            problems.append(
                SourceProblem(
                    cell.index,
                    gid,
                    _("worth %(twin)s points here but %(source)s in the English notebook")
                    % {"twin": f"{cell.points:g}", "source": f"{expected.points:g}"},
                )
            )
        if cell.hidden != expected.hidden:
            message = (
                _("it has hidden tests here but not in the English notebook")
                if cell.hidden
                else _("it has no hidden tests here but the English notebook's cell has")
            )
            problems.append(SourceProblem(cell.index, gid, message))
    shared = [gid for gid in translated if gid in original]
    if shared != [gid for gid in original if gid in translated]:
        problems.append(
            SourceProblem(
                -1,
                None,
                _(
                    "the cells with a grade_id come in a different order than in the English "
                    "notebook (%(order)s)"
                )
                % {"order": ", ".join(gid[:60] for gid in original if gid in translated)},
            )
        )
    return problems
