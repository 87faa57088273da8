"""nbgrader's notebook conventions (cell metadata schema v3, region markers, checksums).

Reimplemented rather than imported: the site and the grading workers must not depend on
nbgrader (it pulls in Jupyter server, a database layer and a kernel), yet teachers' existing
nbgrader notebooks must behave exactly as nbgrader 0.9 treats them. Each helper names the
nbgrader function it mirrors so the two can be compared line by line; the `nbgrader`-marked
test checks the result against nbgrader itself.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from typing import Any

SCHEMA_VERSION = 3

# nbgrader matches its delimiters as plain substrings of a line (`"BEGIN SOLUTION" in line`),
# so `### BEGIN SOLUTION`, `#   BEGIN SOLUTION  ` and `=== BEGIN SOLUTION ===` all count.
BEGIN_SOLUTION = "BEGIN SOLUTION"
END_SOLUTION = "END SOLUTION"
BEGIN_HIDDEN_TESTS = "BEGIN HIDDEN TESTS"
END_HIDDEN_TESTS = "END HIDDEN TESTS"
BEGIN_MARK_SCHEME = "BEGIN MARK SCHEME"
END_MARK_SCHEME = "END MARK SCHEME"
# nbgrader's InstantiateTests starts a kernel when a code cell contains this; we never do.
AUTOTEST = "AUTOTEST"

# ClearSolutions.code_stub / text_stub defaults, keyed by kernelspec language.
CODE_STUBS: dict[str, str] = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
    "R": "# YOUR CODE HERE\nfail()",
    "matlab": "% YOUR CODE HERE\nerror('No Answer Given!')",
    "octave": "% YOUR CODE HERE\nerror('No Answer Given!')",
    "sas": "/* YOUR CODE HERE */\n %notImplemented;",
    "java": "// YOUR CODE HERE",
}
TEXT_STUB = "YOUR ANSWER HERE"

# From nbgrader/nbgraderformat/v3.json.
GRADE_ID_RE = re.compile(r"^[a-zA-Z0-9_\-]*$")
KNOWN_KEYS = frozenset(
    {
        "schema_version",
        "grade",
        "locked",
        "solution",
        "task",
        "grade_id",
        "points",
        "checksum",
        "cell_type",
    }
)
REQUIRED_KEYS = ("schema_version", "grade", "locked", "solution")
CELL_TYPES = ("raw", "code", "markdown")
# ClearOutputPreprocessor.remove_metadata_fields default.
OUTPUT_METADATA_FIELDS = ("collapsed", "scrolled")
# ClearMarkScheme refuses attachments inside a mark scheme: they would stay in the released file.
ATTACHMENT_RE = re.compile(r"!\[.*\]\(attachment:.+?\)")


class MarkerError(ValueError):
    """Unbalanced or nested region markers (nbgrader raises RuntimeError for these)."""


def nbgrader_meta(cell: Mapping[str, Any]) -> dict[str, Any] | None:
    """The cell's `nbgrader` metadata if it is an object; submissions may hold anything there."""
    metadata = cell.get("metadata")
    if not isinstance(metadata, Mapping):
        return None
    meta = metadata.get("nbgrader")
    return meta if isinstance(meta, dict) else None


def _flag(cell: Mapping[str, Any], key: str) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get(key, False)) if meta is not None else False


def is_grade(cell: Mapping[str, Any]) -> bool:
    """nbgrader.utils.is_grade."""
    return _flag(cell, "grade")


def is_solution(cell: Mapping[str, Any]) -> bool:
    """nbgrader.utils.is_solution."""
    return _flag(cell, "solution")


def is_task(cell: Mapping[str, Any]) -> bool:
    """nbgrader.utils.is_task."""
    return _flag(cell, "task")


def is_locked(cell: Mapping[str, Any]) -> bool:
    """nbgrader.utils.is_locked: solution cells never, grade cells always, else the flag."""
    if nbgrader_meta(cell) is None or is_solution(cell):
        return False
    return is_grade(cell) or _flag(cell, "locked")


def grade_id(cell: Mapping[str, Any]) -> str | None:
    meta = nbgrader_meta(cell)
    value = meta.get("grade_id") if meta is not None else None
    return value if isinstance(value, str) else None


def compute_checksum(cell: Mapping[str, Any]) -> str:
    """nbgrader.utils.compute_checksum, byte for byte.

    The released copy carries it so nbgrader can tell an untouched answer from a real one;
    keeping the same algorithm lets notebooks move between nbgrader and us in both directions.
    """
    meta = nbgrader_meta(cell) or {}
    digest = hashlib.md5(usedforsecurity=False)
    digest.update(cell["source"].encode("utf-8"))
    digest.update(cell["cell_type"].encode("utf-8"))
    digest.update(str(is_grade(cell)).encode("utf-8"))
    digest.update(str(is_solution(cell)).encode("utf-8"))
    digest.update(str(is_locked(cell)).encode("utf-8"))
    digest.update(meta["grade_id"].encode("utf-8"))
    if is_grade(cell):
        digest.update(str(float(meta["points"])).encode("utf-8"))
    return digest.hexdigest()


def code_stub(language: str) -> str | None:
    return CODE_STUBS.get(language)


def notebook_language(nb: Mapping[str, Any]) -> str:
    """ClearSolutions picks its stub by `kernelspec.language`, defaulting to python."""
    kernelspec = nb.get("metadata", {}).get("kernelspec", {})
    language = kernelspec.get("language", "python") if isinstance(kernelspec, Mapping) else None
    return language if isinstance(language, str) else "python"


def replace_regions(source: str, begin: str, end: str, stub: str | None = None) -> tuple[str, bool]:
    """Drop every begin..end region (marker lines included), or put `stub` in its place.

    Mirrors ClearSolutions._replace_solution_region and ClearHiddenTests /
    ClearMarkScheme._remove_*_region: split on "\\n" only, the stub takes the indentation
    (`\\s*`) of the BEGIN line, a stray END line is dropped silently.
    Returns the new source and whether any region was found.
    """
    stub_lines = stub.split("\n") if stub is not None else []
    new_lines: list[str] = []
    inside = found = False
    for line in source.split("\n"):
        if begin in line:
            if inside:
                raise MarkerError(f"nested '{begin}'")
            inside = found = True
            indent = re.match(r"\s*", line).group(0)  # type: ignore[union-attr]
            new_lines.extend(indent + stub_line for stub_line in stub_lines)
        elif end in line:
            inside = False
        elif not inside:
            new_lines.append(line)
    if inside:
        raise MarkerError(f"'{begin}' without '{end}'")
    return "\n".join(new_lines), found


def marker_problems(source: str, begin: str, end: str) -> tuple[list[str], int]:
    """Why the begin/end markers in `source` are unbalanced, and how many regions it has.

    Stricter than nbgrader about a stray END (nbgrader drops it silently): it almost always
    means a BEGIN line was mistyped, which would otherwise leak the solution.
    """
    problems: list[str] = []
    regions = 0
    open_line: int | None = None
    for number, line in enumerate(source.split("\n"), start=1):
        if begin in line:
            if open_line is not None:
                problems.append(
                    f"'{begin}' on line {number} is nested in the one on line {open_line}"
                )
                continue
            open_line = number
            regions += 1
        elif end in line:
            if open_line is None:
                problems.append(f"'{end}' on line {number} has no matching '{begin}'")
            open_line = None
    if open_line is not None:
        problems.append(f"'{begin}' on line {open_line} has no matching '{end}'")
    return problems, regions


def region_text(source: str, begin: str, end: str) -> str:
    """The lines inside begin..end regions, as ClearMarkScheme scans them for attachments."""
    inside = False
    kept: list[str] = []
    for line in source.split("\n"):
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside:
            kept.append(line)
    return "\n".join(kept)


def has_region(source: str, begin: str) -> bool:
    return any(begin in line for line in source.split("\n"))


def normalise_answer(source: str) -> str:
    """What is compared to decide that an answer is the untouched stub.

    Editors add or strip trailing spaces and final newlines; that is not an answer.
    """
    return "\n".join(line.rstrip() for line in source.split("\n")).strip("\n")


def _finite_number(value: Any) -> bool:
    if type(value) not in (int, float):
        return False  # bool is an int subclass but not a number of points
    try:
        return math.isfinite(float(value))
    except OverflowError:  # a 400-digit JSON integer
        return False


def metadata_problems(
    meta: dict[str, Any], cell_type: str, index: int, first_use: dict[str, int]
) -> list[str]:
    """nbgrader's MetadataValidatorV3 and its v3.json schema, reporting everything at once."""
    schema = meta.get("schema_version", 0)  # nbgrader reads a missing version as 0
    if type(schema) is not int:
        return ["nbgrader schema_version must be an integer"]
    if schema < SCHEMA_VERSION:
        return [
            f"nbgrader metadata uses schema version {schema}, expected {SCHEMA_VERSION}; "
            "run `nbgrader update` on the notebook first"
        ]
    if schema > SCHEMA_VERSION:
        return [f"nbgrader metadata schema version {schema} is newer than supported (3)"]
    out: list[str] = []
    missing = [key for key in REQUIRED_KEYS if key not in meta]
    if missing:
        out.append("nbgrader metadata is missing " + ", ".join(missing))
    out += [
        f"nbgrader {key!r} must be true or false"
        for key in ("grade", "solution", "locked", "task")
        if key in meta and type(meta[key]) is not bool
    ]
    extra = sorted(set(meta) - KNOWN_KEYS)
    if extra:
        out.append("unknown nbgrader metadata keys: " + ", ".join(repr(k[:40]) for k in extra))
    grade, solution, locked, task = (
        meta.get(key) is True for key in ("grade", "solution", "locked", "task")
    )
    role = grade or solution or locked or task
    gid = meta.get("grade_id")
    if "grade_id" not in meta:
        if role:
            out.append("nbgrader cell has no grade_id")
    elif not isinstance(gid, str):
        out.append("grade_id must be a string")
    elif role and not gid:
        out.append("grade_id is empty")
    elif not GRADE_ID_RE.match(gid):
        out.append("grade_id may only contain letters, digits, '_' and '-'")
    elif role and gid in first_use:
        out.append(f"grade_id is also used by cell {first_use[gid] + 1}")
    elif role:
        first_use[gid] = index
    if "points" in meta or grade or task:
        points = meta.get("points")
        if "points" not in meta:
            out.append(("graded" if grade else "task") + " cell has no points")
        elif not _finite_number(points):
            out.append("points must be a number")
        elif points < 0:
            out.append("points must not be negative")
    checksum = meta.get("checksum")
    if "checksum" in meta and not (isinstance(checksum, str) and len(checksum) == 32):
        out.append("checksum must be a 32-character string")
    recorded = meta.get("cell_type")
    if "cell_type" in meta and recorded != cell_type:
        out.append(f"cell type was recorded as {str(recorded)[:20]!r} but is {cell_type!r}")
    if task:
        if grade or solution:
            out.append("a task cell cannot also be a grade or solution cell")
        if cell_type != "markdown":
            out.append("task cells must be markdown cells")
    elif cell_type == "markdown" and grade and not solution:
        out.append(
            "a markdown cell cannot be an autograder test; "
            "mark it as a solution too (a manually graded answer)"
        )
    elif cell_type == "markdown" and solution and not grade:
        out.append("a markdown solution cell must also be graded (a manually graded answer)")
    elif cell_type == "raw" and (grade or solution):
        out.append("raw cells cannot be graded or hold solutions")
    return out


def cell_marker_problems(cell: Any) -> list[str]:
    """Region markers: balanced, and only where nbgrader's preprocessors accept them."""
    source, cell_type = cell.source, cell.cell_type
    grade, solution, task = is_grade(cell), is_solution(cell), is_task(cell)
    test = grade and not solution and cell_type == "code"
    if test:
        solution_rule = "an autograder test cell must not contain solution markers"
    else:
        solution_rule = "solution markers are only allowed in solution cells"
    rules = (
        (BEGIN_SOLUTION, END_SOLUTION, solution, solution_rule),
        (
            BEGIN_HIDDEN_TESTS,
            END_HIDDEN_TESTS,
            test,
            "hidden tests are only allowed in autograder test cells "
            "(graded code cells that are not solutions)",
        ),
        (
            BEGIN_MARK_SCHEME,
            END_MARK_SCHEME,
            task,
            "mark schemes are only allowed in task cells",
        ),
    )
    out: list[str] = []
    for begin, end, allowed, rule in rules:
        if not (has_region(source, begin) or has_region(source, end)):
            continue
        if allowed:
            out += marker_problems(source, begin, end)[0]
        else:
            out.append(rule)
    scheme = region_text(source, BEGIN_MARK_SCHEME, END_MARK_SCHEME)
    if task and ATTACHMENT_RE.search(scheme):
        out.append("a mark scheme must not contain attachments (they would be released)")
    if cell_type == "code" and AUTOTEST in source:
        out.append("AUTOTEST directives are not supported; write the tests out in the cell")
    return out


def clear_outputs(cell: Any) -> None:
    """nbconvert's ClearOutputPreprocessor, as nbgrader configures it."""
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
        for key in OUTPUT_METADATA_FIELDS:
            cell.metadata.pop(key, None)


def release_cell(cell: Any, code_stub: str) -> None:
    """Turn one (valid) source cell into its student version, in place.

    The steps and their order are nbgrader's GenerateAssignment preprocessors: LockCells,
    ClearSolutions, ClearOutput, ClearHiddenTests, ClearMarkScheme, ComputeChecksums (the
    checksum must see the source without hidden tests, as nbgrader's second pass does).
    """
    grade, solution, locked = is_grade(cell), is_solution(cell), is_locked(cell)
    if solution:
        cell.metadata["deletable"] = False
    elif grade or locked:
        cell.metadata["deletable"] = False
        cell.metadata["editable"] = False
    stub = code_stub if cell.cell_type == "code" else TEXT_STUB
    source, replaced = replace_regions(cell.source, BEGIN_SOLUTION, END_SOLUTION, stub)
    if solution and not replaced:
        source = stub
    clear_outputs(cell)
    source, _ = replace_regions(source, BEGIN_HIDDEN_TESTS, END_HIDDEN_TESTS)
    source, _ = replace_regions(source, BEGIN_MARK_SCHEME, END_MARK_SCHEME)
    cell.source = source
    if grade or solution or locked:
        cell.metadata["nbgrader"]["checksum"] = compute_checksum(cell)
        cell.metadata["nbgrader"]["cell_type"] = cell.cell_type
