"""graders.notebook: bounded parsing, source checks, nbgrader-identical release, assembly.

Fixtures: notebooks/source.ipynb is a teacher's source covering every kind of nbgrader cell;
notebooks/released_by_nbgrader.ipynb is what nbgrader 0.9.6 `generate_assignment` wrote for it
(regenerate both with the `nbgrader`-marked test's helper if the source changes).
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import textwrap
import warnings
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

from graders import nbgrader_format as fmt
from graders.notebook import (
    Assembly,
    NotebookError,
    SourceProblem,
    assemble,
    load_source,
    parse_notebook,
    release,
    validate_source,
)

HERE = Path(__file__).parent
SOURCE_PATH = HERE / "notebooks" / "source.ipynb"
NBGRADER_RELEASE_PATH = HERE / "notebooks" / "released_by_nbgrader.ipynb"
NBGRADER_VENV = Path(__file__).resolve().parents[2] / ".venv-nbgrader"
MB = 1024 * 1024
LIMIT = 5 * MB


def nbg(grade_id, *, grade=False, solution=False, locked=False, task=False, points=None, **extra):
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
    }
    if task:
        meta["task"] = True
    if points is not None:
        meta["points"] = points
    meta.update(extra)
    return {"nbgrader": meta}


def make_nb(*cells):
    return new_notebook(
        cells=list(cells),
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )


def to_bytes(nb) -> bytes:
    return nbformat.writes(nb).encode("utf-8")


def source_nb():
    return load_source(SOURCE_PATH.read_bytes(), max_bytes=LIMIT)


def cell_by_id(nb, grade_id):
    return next(cell for cell in nb.cells if fmt.grade_id(cell) == grade_id)


def parse_error(data, **limits) -> str:
    with pytest.raises(NotebookError) as info:
        parse_notebook(data, max_bytes=limits.pop("max_bytes", LIMIT), **limits)
    message = str(info.value)
    assert "\n" not in message
    return message


# ---------------------------------------------------------------------------------------------
# parse_notebook


def test_parse_valid_notebook_joins_multiline_sources():
    nb = parse_notebook(SOURCE_PATH.read_bytes(), max_bytes=LIMIT)
    assert nb.nbformat == 4
    assert isinstance(nb.cells[0].source, str)
    assert nb.cells[0].source == "# Problem set 1\n\nRead carefully."


def test_parse_accepts_str_and_byte_order_mark():
    text = SOURCE_PATH.read_text("utf-8")
    assert parse_notebook(text, max_bytes=LIMIT) == parse_notebook("\ufeff" + text, max_bytes=LIMIT)


def test_parse_too_large_is_refused_before_decoding():
    data = b"\xff" * int(7.2 * MB)  # not UTF-8 either: size must be checked first
    assert parse_error(data) == "The notebook is too large: 7.2 MB, the limit is 5.0 MB."
    assert parse_error("x" * 2048, max_bytes=1024) == (
        "The notebook is too large: 2.0 KB, the limit is 1.0 KB."
    )
    # 600 characters, 1200 bytes in UTF-8
    assert parse_error("é" * 600, max_bytes=1000) == (
        "The notebook is too large: 1.2 KB, the limit is 1000 bytes."
    )
    assert parse_error(b" " * (LIMIT + 1)) == (
        f"The notebook is too large: {LIMIT + 1} bytes, the limit is {LIMIT} bytes."
    )


def test_parse_non_utf8():
    assert (
        parse_error(b'{"a": "\xff"}') == "The file is not UTF-8 text (invalid byte at position 7)."
    )
    assert parse_error('{"a": "\ud800"}') == "The file is not UTF-8 text."


def test_parse_not_json_reports_position():
    data = b'{\n  "cells": [\n    x\n'
    assert parse_error(data) == "The file is not valid JSON (line 3, column 5)."
    assert parse_error(b"") == "The file is not valid JSON (line 1, column 1)."


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_parse_rejects_non_finite_numbers(literal):
    data = '{"nbformat": 4, "nbformat_minor": 5, "metadata": {"x": LITERAL}, "cells": []}'
    data = data.replace("LITERAL", literal)
    assert "NaN, Infinity" in parse_error(data)


@pytest.mark.parametrize(
    "data",
    [
        "[" * 100_000 + "]" * 100_000,
        "[" * 100_000,
        '{"a":' * 100_000 + "1" + "}" * 100_000,
        '{"nbformat": 4, "cells": ' + "[" * 100_000,
    ],
    ids=["lists", "unclosed", "objects", "inside-notebook"],
)
def test_parse_deep_nesting_is_refused_without_recursion(data):
    assert parse_error(data) == "The notebook is nested too deeply."


def test_depth_counts_only_structure_not_strings():
    nb = make_nb(new_code_cell('s = "' + "[{" * 50_000 + '\\"]"'))
    assert parse_notebook(to_bytes(nb), max_bytes=LIMIT).cells[0].source.startswith("s = ")
    assert parse_error(to_bytes(nb), max_depth=3) == "The notebook is nested too deeply."


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"[]", "the top level is not a JSON object"),
        (b"{}", "it has no nbformat version"),
        (b'{"nbformat": "4", "cells": []}', "it has no nbformat version"),
        (b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}', "'cells' is missing"),
        (
            b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [1]}',
            "not a JSON object",
        ),
        (b'{"nbformat": 3, "nbformat_minor": 0}', "'worksheets' is missing"),
    ],
)
def test_parse_not_a_notebook(data, reason):
    message = parse_error(data)
    assert message.startswith("The file is not a valid Jupyter notebook: ")
    assert reason in message


def test_parse_unsupported_version():
    message = parse_error(b'{"nbformat": 5, "nbformat_minor": 0, "cells": []}')
    assert message.startswith("The notebook format version 5 is not supported")


def test_parse_schema_errors_are_short_and_say_where():
    nb = json.loads(to_bytes(make_nb(new_code_cell("x = 1"))))
    del nb["cells"][0]["outputs"]
    message = parse_error(json.dumps(nb))
    assert message == (
        "The file is not a valid Jupyter notebook: cells[0] 'outputs' is a required property."
    )
    nb["cells"][0]["outputs"] = []
    nb["cells"][0]["source"] = list(range(10_000))  # jsonschema would print all of it
    message = parse_error(json.dumps(nb))
    assert message.startswith("The file is not a valid Jupyter notebook: cells[0].source")
    assert len(message) < 250
    nb["cells"][0]["source"] = "x"
    nb["cells"][0]["cell_type"] = "evil"
    assert "cells[0] is not a valid cell of type 'evil'" in parse_error(json.dumps(nb))


def test_parse_too_many_cells():
    nb = make_nb(*[new_code_cell("") for _ in range(2001)])
    assert parse_error(to_bytes(nb)) == "The notebook has too many cells: 2001, the limit is 2000."
    assert "too many cells: 4, the limit is 3" in parse_error(
        to_bytes(make_nb(*[new_raw_cell("") for _ in range(4)])), max_cells=3
    )


def test_parse_upgrades_format_3():
    v3 = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {"name": ""},
        "worksheets": [
            {
                "metadata": {},
                "cells": [
                    {
                        "cell_type": "code",
                        "input": "x = 1",
                        "language": "python",
                        "collapsed": False,
                        "metadata": {},
                        "outputs": [],
                    },
                    {"cell_type": "markdown", "source": "Hello", "metadata": {}},
                ],
            }
        ],
    }
    nb = parse_notebook(json.dumps(v3), max_bytes=LIMIT)
    assert nb.nbformat == 4
    assert [(c.cell_type, c.source) for c in nb.cells] == [("code", "x = 1"), ("markdown", "Hello")]
    v3["worksheets"][0]["cells"] = [{"cell_type": "code", "input": 5}]
    assert parse_error(json.dumps(v3)) == (
        "The file is not a valid Jupyter notebook: "
        "it uses format 3 and could not be upgraded to format 4."
    )


def test_parse_repairs_missing_and_duplicate_cell_ids_quietly():
    nb = json.loads(to_bytes(make_nb(new_code_cell("a"), new_code_cell("b"), new_code_cell("c"))))
    del nb["cells"][0]["id"]
    nb["cells"][2]["id"] = nb["cells"][1]["id"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parsed = parse_notebook(json.dumps(nb), max_bytes=LIMIT)
    ids = [cell.id for cell in parsed.cells]
    assert len(set(ids)) == 3
    assert ids[1] == nb["cells"][1]["id"]


@pytest.mark.parametrize(
    "data",
    [
        b"null",
        b"1",
        b'"notebook"',
        b'{"nbformat": 4, "nbformat_minor": "5", "cells": []}',
        b'{"nbformat": 4, "nbformat_minor": 5, "cells": {}}',
        b'{"nbformat": 4, "nbformat_minor": 5, "cells": [{"cell_type": "code"}], "metadata": {}}',
        b'{"nbformat": 4, "nbformat_minor": 5, "cells": [{"id": [1]}], "metadata": {}}',
        b'{"nbformat": 4, "nbformat_minor": 99, "cells": [], "metadata": {}}',
        b'{"nbformat": 4, "nbformat_minor": -1, "cells": [], "metadata": 5}',
        b'{"nbformat": 3, "nbformat_minor": 0, "worksheets": [{"cells": [5]}]}',
        b'{"nbformat": 3, "nbformat_minor": 0, "worksheets": [{"cells": [{}]}]}',
        b'{"nbformat": 3, "worksheets": [{"cells": {}}]}',
        b'{"nbformat": 4, "nbformat_minor": 5, "cells": [], "metadata": {}, "x": '
        + b"9" * 5000
        + b"}",
        b'{"nbformat": 4, "nbformat_minor": 5, "cells": [], "metadata": {}}}',
    ],
)
def test_parse_bad_input_only_raises_notebook_error(data):
    try:
        parse_notebook(data, max_bytes=LIMIT)
    except NotebookError as error:
        assert "\n" not in str(error)


# ---------------------------------------------------------------------------------------------
# validate_source / load_source


def problems_of(*cells, language="python"):
    nb = make_nb(*cells)
    nb.metadata.kernelspec["language"] = language
    return [(p.index, p.grade_id, p.message) for p in validate_source(nb)]


def test_valid_source_has_no_problems():
    nb = source_nb()
    assert validate_source(nb) == []
    assert validate_source(release(nb)) == []  # a released copy keeps valid metadata


def test_problem_str_counts_cells_from_one():
    problem = SourceProblem(3, "q1-tests", "graded cell has no points")
    assert str(problem) == "cell 4 (grade_id 'q1-tests'): graded cell has no points"
    assert str(SourceProblem(0, None, "x")) == "cell 1: x"
    assert str(SourceProblem(-1, None, "x")) == "notebook: x"


def test_grade_id_problems():
    meta = nbg("q1", solution=True)
    del meta["nbgrader"]["grade_id"]
    assert problems_of(
        new_code_cell("", metadata=meta),
        new_code_cell("", metadata=nbg("", solution=True)),
        new_code_cell("", metadata=nbg("q 1", solution=True)),
        new_code_cell("", metadata=nbg("q2", solution=True)),
        new_code_cell("", metadata=nbg("q2", grade=True, points=1)),
        new_code_cell("", metadata=nbg(7, locked=True)),
    ) == [
        (0, None, "nbgrader cell has no grade_id"),
        (1, "", "grade_id is empty"),
        (2, "q 1", "grade_id may only contain letters, digits, '_' and '-'"),
        (4, "q2", "grade_id is also used by cell 4"),
        (5, None, "grade_id must be a string"),
    ]


def test_points_problems():
    assert problems_of(
        new_code_cell("", metadata=nbg("a", grade=True)),
        new_code_cell("", metadata=nbg("b", grade=True, points="2")),
        new_code_cell("", metadata=nbg("c", grade=True, points=True)),
        new_code_cell("", metadata=nbg("d", grade=True, points=-1)),
        new_markdown_cell("", metadata=nbg("e", task=True, locked=True)),
        new_code_cell("", metadata=nbg("f", grade=True, points=0)),
        new_code_cell("", metadata=nbg("g", grade=True, points=10**400)),
    ) == [
        (0, "a", "graded cell has no points"),
        (1, "b", "points must be a number"),
        (2, "c", "points must be a number"),
        (3, "d", "points must not be negative"),
        (4, "e", "task cell has no points"),
        (6, "g", "points must be a number"),
    ]


def test_solution_marker_problems():
    assert problems_of(
        new_code_cell("### BEGIN SOLUTION\nx = 1", metadata=nbg("a", solution=True)),
        new_code_cell(
            "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION",
            metadata=nbg("b", solution=True),
        ),
        new_code_cell("x = 1\n### END SOLUTION", metadata=nbg("c", solution=True)),
        new_code_cell(
            "### BEGIN SOLUTION\nx = 1\n### END SOLUTION\nassert x",
            metadata=nbg("d", grade=True, points=1),
        ),
        new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION"),
        new_markdown_cell(
            "   ###   BEGIN SOLUTION  \nyes\n### END SOLUTION", metadata=nbg("e", locked=True)
        ),
    ) == [
        (0, "a", "'BEGIN SOLUTION' on line 1 has no matching 'END SOLUTION'"),
        (1, "b", "'BEGIN SOLUTION' on line 2 is nested in the one on line 1"),
        (2, "c", "'END SOLUTION' on line 2 has no matching 'BEGIN SOLUTION'"),
        (3, "d", "an autograder test cell must not contain solution markers"),
        (4, None, "solution markers are only allowed in solution cells"),
        (5, "e", "solution markers are only allowed in solution cells"),
    ]


def test_hidden_test_marker_problems():
    hidden = "assert 1\n### BEGIN HIDDEN TESTS\nassert 2\n### END HIDDEN TESTS"
    rule = (
        "hidden tests are only allowed in autograder test cells "
        "(graded code cells that are not solutions)"
    )
    assert problems_of(
        new_code_cell(hidden, metadata=nbg("ok", grade=True, locked=True, points=1)),
        new_code_cell(hidden),
        new_code_cell(hidden, metadata=nbg("a", solution=True)),
        new_code_cell(hidden, metadata=nbg("b", grade=True, solution=True, points=1)),
        new_code_cell("### BEGIN HIDDEN TESTS\nassert 2", metadata=nbg("c", grade=True, points=1)),
    ) == [
        (1, None, rule),
        (2, "a", rule),
        (3, "b", rule),
        (4, "c", "'BEGIN HIDDEN TESTS' on line 1 has no matching 'END HIDDEN TESTS'"),
    ]


def test_cell_type_rules():
    assert problems_of(
        new_markdown_cell("", metadata=nbg("a", grade=True, points=1)),
        new_markdown_cell("", metadata=nbg("b", solution=True)),
        new_markdown_cell("", metadata=nbg("c", task=True, grade=True, points=1)),
        new_code_cell("", metadata=nbg("d", task=True, locked=True, points=1)),
        new_raw_cell("", metadata=nbg("e", grade=True, solution=True, points=1)),
        new_code_cell("", metadata=nbg("f", solution=True, cell_type="markdown")),
    ) == [
        (
            0,
            "a",
            "a markdown cell cannot be an autograder test; "
            "mark it as a solution too (a manually graded answer)",
        ),
        (1, "b", "a markdown solution cell must also be graded (a manually graded answer)"),
        (2, "c", "a task cell cannot also be a grade or solution cell"),
        (3, "d", "task cells must be markdown cells"),
        (4, "e", "raw cells cannot be graded or hold solutions"),
        (5, "f", "cell type was recorded as 'markdown' but is 'code'"),
    ]


def test_metadata_schema_problems():
    old = nbg("a", solution=True)
    old["nbgrader"]["schema_version"] = 1
    unversioned = nbg("b", solution=True)
    del unversioned["nbgrader"]["schema_version"]
    incomplete = nbg("c", solution=True)
    del incomplete["nbgrader"]["locked"]
    assert problems_of(
        new_code_cell("", metadata=old),
        new_code_cell("", metadata=unversioned),
        new_code_cell("", metadata=nbg("n", solution=True, schema_version=4)),
        new_code_cell("", metadata=incomplete),
        new_code_cell("", metadata=nbg("d", solution="yes")),
        new_code_cell("", metadata=nbg("e", solution=True, colour="red")),
        new_code_cell("", metadata=nbg("f", solution=True, checksum="abc")),
        new_code_cell("", metadata={"nbgrader": "grade me"}),
    ) == [
        (
            0,
            "a",
            "nbgrader metadata uses schema version 1, expected 3; run `nbgrader update` on the notebook first",
        ),
        (
            1,
            "b",
            "nbgrader metadata uses schema version 0, expected 3; run `nbgrader update` on the notebook first",
        ),
        (2, "n", "nbgrader metadata schema version 4 is newer than supported (3)"),
        (3, "c", "nbgrader metadata is missing locked"),
        (4, "d", "nbgrader 'solution' must be true or false"),
        (5, "e", "unknown nbgrader metadata keys: 'colour'"),
        (6, "f", "checksum must be a 32-character string"),
        (7, None, "nbgrader metadata is not an object"),
    ]


def test_mark_scheme_and_autotest_problems():
    scheme = "Plot it.\n=== BEGIN MARK SCHEME ===\n![x](attachment:a.png)\n=== END MARK SCHEME ==="
    assert problems_of(
        new_markdown_cell(scheme, metadata=nbg("t", task=True, locked=True, points=1)),
        new_markdown_cell("=== BEGIN MARK SCHEME ===\n=== END MARK SCHEME ==="),
        new_code_cell("### AUTOTEST f(1)", metadata=nbg("g", grade=True, points=1)),
    ) == [
        (0, "t", "a mark scheme must not contain attachments (they would be released)"),
        (1, None, "mark schemes are only allowed in task cells"),
        (2, "g", "AUTOTEST directives are not supported; write the tests out in the cell"),
    ]


def test_unsupported_language():
    assert problems_of(new_code_cell("1"), language="cobol") == [
        (-1, None, "kernel language 'cobol' is not supported")
    ]


def test_load_source_lists_every_problem_on_one_line():
    nb = make_nb(
        new_code_cell("", metadata=nbg("q1", solution=True)),
        new_code_cell("", metadata=nbg("q1-tests", grade=True)),
        new_code_cell("", metadata=nbg("q1-tests", grade=True, points=1)),
    )
    with pytest.raises(NotebookError) as info:
        load_source(to_bytes(nb), max_bytes=LIMIT)
    assert str(info.value) == (
        "The source notebook is invalid: cell 2 (grade_id 'q1-tests'): graded cell has no points; "
        "cell 3 (grade_id 'q1-tests'): grade_id is also used by cell 2."
    )
    assert len(info.value.problems) == 2
    many = make_nb(*[new_code_cell("", metadata=nbg(f"t{i}", grade=True)) for i in range(12)])
    with pytest.raises(NotebookError, match=r"; and 2 more\.$"):
        load_source(to_bytes(many), max_bytes=LIMIT)


def test_load_source_passes_parse_errors_through():
    with pytest.raises(NotebookError, match="not valid JSON"):
        load_source(b"{", max_bytes=LIMIT)


# ---------------------------------------------------------------------------------------------
# release


def test_release_replaces_solution_regions_keeping_indentation():
    released = release(source_nb())
    assert cell_by_id(released, "squares").source == (
        'def squares(n):\n    """Return the first n squares."""\n'
        "    # YOUR CODE HERE\n    raise NotImplementedError()\n"
    )
    assert cell_by_id(released, "tabs").source == (
        "x = 1\n\t# YOUR CODE HERE\n\traise NotImplementedError()\n"
        "if x:\n        # YOUR CODE HERE\n        raise NotImplementedError()\nprint(x)"
    )
    # nbgrader splits on "\n" only: the stub lines lose the "\r" of CRLF sources.
    assert cell_by_id(released, "crlf").source == (
        "def g():\r\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
    )


def test_release_replaces_whole_cells_and_written_answers():
    released = release(source_nb())
    assert cell_by_id(released, "whole").source == "# YOUR CODE HERE\nraise NotImplementedError()"
    assert cell_by_id(released, "manual-code").source == (
        "# YOUR CODE HERE\nraise NotImplementedError()"
    )
    assert cell_by_id(released, "written").source == "YOUR ANSWER HERE"
    assert cell_by_id(released, "explain").source == "Explain why.\n\nYOUR ANSWER HERE\n"


def test_release_removes_hidden_tests_and_mark_schemes_everywhere():
    source = source_nb()
    released = release(source)
    assert cell_by_id(released, "squares-tests").source == (
        "assert squares(1) == [1]\nassert squares(2) == [1, 4]\n"
    )
    assert cell_by_id(released, "plot-task").source == "Draw a plot of squares.\n"
    text = nbformat.writes(released)
    for secret in ("squares(10)", "HIDDEN", "MARK SCHEME", "Axes labelled", "[i * i", "Because."):
        assert secret not in text


def test_release_locks_cells_as_nbgrader_does():
    released = release(source_nb())

    def lock(grade_id):
        meta = cell_by_id(released, grade_id).metadata
        return meta.get("deletable"), meta.get("editable")

    assert lock("squares") == (False, None)  # solution: can be edited, not deleted
    assert lock("explain") == (False, None)  # manually graded answer
    assert lock("squares-tests") == (False, False)
    assert lock("locked-helper") == (False, False)
    assert lock("plot-task") == (False, False)  # task cells are locked by their `locked` flag
    assert "deletable" not in released.cells[0].metadata


def test_release_checksums_match_nbgrader():
    # Values copied from notebooks/released_by_nbgrader.ipynb, written by nbgrader 0.9.6
    # `generate_assignment` from notebooks/source.ipynb.
    released = release(source_nb())
    expected = {
        "squares": "749def61ea57fc3d1d950629c6cbc990",
        "squares-tests": "562372063f10abd96f06bcc7b20ca090",
        "whole-tests": "d818f73092c05310acd24d8cb36721fb",
        "explain": "f725e1e9c64973ffd5b379ee5b0a2c88",
        "locked-helper": "b3b300fcc31046251142677629d5dfc0",
        "plot-task": "e39f631f2189f034d3da8b208588dec2",
    }
    for grade_id, checksum in expected.items():
        meta = cell_by_id(released, grade_id).metadata.nbgrader
        assert (grade_id, meta["checksum"]) == (grade_id, checksum)
        assert meta["cell_type"] == cell_by_id(released, grade_id).cell_type
    assert "checksum" not in released.cells[0].metadata.get("nbgrader", {})


def test_compute_checksum_known_values():
    # Computed once with .venv-nbgrader/bin/python: nbgrader.utils.compute_checksum(cell)
    # for exactly these cells (nbgrader 0.9.6).
    cases = [
        (
            new_code_cell(
                "assert f(2) == 4\n", metadata=nbg("f-tests", grade=True, locked=True, points=0.5)
            ),
            "c8f613599ab8beb1ecca1835947bd848",
        ),
        (
            new_markdown_cell(
                "YOUR ANSWER HERE", metadata=nbg("essay", grade=True, solution=True, points=3)
            ),
            "1acab2661c68b2773569a4de170222df",
        ),
        (
            new_code_cell('print("héllo ✓")', metadata=nbg("setup", locked=True)),
            "a26cefc2a81697a9684e4f6ed8f623e1",
        ),
    ]
    for cell, checksum in cases:
        assert fmt.compute_checksum(cell) == checksum


def test_release_clears_outputs_and_toolbar_without_touching_input():
    source = source_nb()
    before = copy.deepcopy(source)
    released = release(source)
    assert source == before
    imports = released.cells[1]
    assert (imports.outputs, imports.execution_count) == ([], None)
    assert "collapsed" not in imports.metadata and "scrolled" not in imports.metadata
    assert "celltoolbar" not in released.metadata
    assert source.cells[1].outputs


def test_release_equals_stored_nbgrader_output():
    released = release(source_nb())
    theirs = parse_notebook(NBGRADER_RELEASE_PATH.read_bytes(), max_bytes=LIMIT)
    assert released == theirs


def test_release_refuses_invalid_source():
    nb = make_nb(new_code_cell("### BEGIN SOLUTION\nx = 1", metadata=nbg("a", solution=True)))
    with pytest.raises(NotebookError, match="The source notebook is invalid: cell 1"):
        release(nb)


def run_nbgrader_generate(source: Path, workdir: Path) -> Path:
    """Release `source` with nbgrader's own `generate_assignment` and return the output path."""
    python = NBGRADER_VENV / "bin" / "python"
    if not python.exists():
        pytest.fail(f"{NBGRADER_VENV} is missing: create it with nbgrader 0.9.6 to run this test")
    course = workdir / "course"
    (course / "source" / "ps1").mkdir(parents=True)
    (course / "source" / "ps1" / "ps1.ipynb").write_bytes(source.read_bytes())
    (workdir / "nbgrader_config.py").write_text(
        textwrap.dedent(f"""\
            c = get_config()
            c.CourseDirectory.root = {str(course)!r}
            c.CourseDirectory.db_url = {"sqlite:///" + str(workdir / "gradebook.db")!r}
            """)
    )
    env = {
        # nbgrader shells out to `alembic` from its own venv to set up the gradebook.
        "PATH": f"{python.parent}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(workdir),
        "LANG": "C.UTF-8",
    }
    done = subprocess.run(
        [str(python), "-m", "nbgrader", "generate_assignment", "ps1", "--force"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    released = course / "release" / "ps1" / "ps1.ipynb"
    assert done.returncode == 0 and released.exists(), done.stdout + done.stderr
    return released


@pytest.mark.nbgrader
def test_release_matches_nbgrader_generate_assignment(tmp_path):
    theirs = parse_notebook(
        run_nbgrader_generate(SOURCE_PATH, tmp_path).read_bytes(), max_bytes=LIMIT
    )
    ours = release(source_nb())
    assert len(ours.cells) == len(theirs.cells)
    for index, (mine, nbgraders) in enumerate(zip(ours.cells, theirs.cells, strict=True)):
        for key in ("cell_type", "source", "metadata", "outputs", "execution_count"):
            assert (index, key, mine.get(key)) == (index, key, nbgraders.get(key))
        assert mine.metadata.get("nbgrader") == nbgraders.metadata.get("nbgrader")
    assert ours.metadata == theirs.metadata


# ---------------------------------------------------------------------------------------------
# assemble


def student_copy():
    """The released copy as a learner would fill it in."""
    nb = release(source_nb())
    cell_by_id(
        nb, "squares"
    ).source = "def squares(n):\n    return [i * i for i in range(1, n + 1)]"
    cell_by_id(nb, "whole").source = "answer = 42"
    cell_by_id(nb, "explain").source = "Because squares grow."
    cell_by_id(nb, "manual-code").source = "result = 1"
    return nb


def test_assemble_takes_only_solution_sources():
    source = source_nb()
    assembly = assemble(source, student_copy())
    nb = assembly.notebook
    assert isinstance(assembly, Assembly)
    assert cell_by_id(nb, "squares").source.endswith("range(1, n + 1)]")
    assert cell_by_id(nb, "whole").source == "answer = 42"
    assert cell_by_id(nb, "explain").source == "Because squares grow."
    assert sorted(assembly.unanswered) == ["crlf", "tabs", "written"]
    # the teacher's test keeps its hidden tests; runnable as the teacher wrote it
    assert cell_by_id(nb, "squares-tests").source == cell_by_id(source, "squares-tests").source
    assert [cell.id for cell in nb.cells] == [cell.id for cell in source.cells]


def test_assemble_graded_cells_and_max_score():
    assembly = assemble(source_nb(), student_copy())
    assert [(t.index, t.grade_id, t.points, t.kind, t.hidden) for t in assembly.tests] == [
        (3, "squares-tests", 2.0, "test", True),
        (5, "whole-tests", 1.5, "test", False),
        (12, "tail-tests", 0.0, "test", True),
        (14, "crlf-tests", 0.1, "test", False),
    ]
    assert [(m.grade_id, m.points, m.kind) for m in assembly.manual] == [
        ("explain", 3.0, "manual"),
        ("written", 1.0, "manual"),
        ("manual-code", 2.25, "manual"),
        ("plot-task", 2.0, "task"),
    ]
    assert assembly.max_score == pytest.approx(11.85)


def test_assemble_marks_every_cell_role():
    nb = assemble(source_nb(), student_copy()).notebook
    roles = [
        (cell.metadata["qiming"]["role"], cell.metadata["qiming"]["grade_id"]) for cell in nb.cells
    ]
    assert roles == [
        ("plain", None),
        ("plain", None),
        ("solution", "squares"),
        ("test", "squares-tests"),
        ("solution", "whole"),
        ("test", "whole-tests"),
        ("solution", "tabs"),
        ("manual", "explain"),
        ("manual", "written"),
        ("locked", "locked-helper"),
        ("manual", "manual-code"),
        ("task", "plot-task"),
        ("test", "tail-tests"),
        ("solution", "crlf"),
        ("test", "crlf-tests"),
        ("plain", None),
    ]


def test_assemble_ignores_extra_cells_and_restores_edited_or_deleted_tests():
    source = source_nb()
    submission = student_copy()
    cell_by_id(submission, "squares-tests").source = "pass"
    submission.cells.remove(cell_by_id(submission, "whole-tests"))
    cell_by_id(submission, "locked-helper").source = "def helper():\n    return 'student'"
    submission.cells[0].source = "# my notes"
    submission.cells.insert(3, new_code_cell("import os\nos.system('curl evil')"))
    submission.cells.append(new_code_cell("pass", metadata=nbg("bonus", grade=True, points=50)))
    assembly = assemble(source, submission)
    nb = assembly.notebook
    assert len(nb.cells) == len(source.cells)
    for grade_id in ("squares-tests", "whole-tests", "locked-helper"):
        assert cell_by_id(nb, grade_id).source == cell_by_id(source, grade_id).source
    assert nb.cells[0].source == source.cells[0].source
    assert "curl" not in nbformat.writes(nb)
    assert "bonus" not in [t.grade_id for t in assembly.tests + assembly.manual]


def test_assemble_ignores_submitted_tags_points_and_roles():
    source = source_nb()
    submission = student_copy()
    for cell in submission.cells:
        cell.metadata["tags"] = ["skip-execution", "raises-exception"]
    tests = cell_by_id(submission, "squares-tests")
    tests.metadata.nbgrader.update(points=100, solution=True, grade=False)
    tests.source = "pass  # now a 'solution'"
    cell_by_id(submission, "whole-tests").metadata.nbgrader["points"] = 1e6
    assembly = assemble(source, submission)
    nb = assembly.notebook
    assert all("tags" not in cell.metadata for cell in nb.cells)
    assert cell_by_id(nb, "squares-tests").source == cell_by_id(source, "squares-tests").source
    assert cell_by_id(nb, "squares-tests").metadata["qiming"]["role"] == "test"
    assert cell_by_id(nb, "whole-tests").metadata.nbgrader["points"] == 1.5
    assert assembly.max_score == pytest.approx(11.85)


def test_assemble_renamed_or_retyped_solution_is_unanswered():
    source = source_nb()
    released = release(source)
    submission = student_copy()
    cell_by_id(submission, "squares").metadata.nbgrader["grade_id"] = "squares2"
    explain = cell_by_id(submission, "explain")
    explain.cell_type = "code"
    explain.outputs, explain.execution_count = [], None
    assembly = assemble(source, submission)
    assert "squares" in assembly.unanswered and "explain" in assembly.unanswered
    nb = assembly.notebook
    assert cell_by_id(nb, "squares").source == cell_by_id(released, "squares").source
    assert cell_by_id(nb, "explain").source == cell_by_id(released, "explain").source
    assert cell_by_id(nb, "explain").cell_type == "markdown"


def test_assemble_duplicate_grade_ids_take_first_of_the_right_type():
    submission = student_copy()
    index = submission.cells.index(cell_by_id(submission, "whole"))
    submission.cells[index : index + 1] = [
        new_markdown_cell("answer = 1", metadata=nbg("whole", solution=True)),
        new_code_cell("answer = 2", metadata=nbg("whole", solution=True)),
        new_code_cell("answer = 3", metadata=nbg("whole", solution=True)),
    ]
    nb = assemble(source_nb(), submission).notebook
    assert cell_by_id(nb, "whole").source == "answer = 2"


def test_assemble_untouched_stub_is_unanswered_despite_whitespace():
    source = source_nb()
    submission = release(source)
    cell = cell_by_id(submission, "squares")
    cell.source = cell.source.replace("\n", "   \n") + "\n\n"
    assembly = assemble(source, submission)
    assert "squares" in assembly.unanswered
    assert (
        cell_by_id(assembly.notebook, "squares").source
        == cell_by_id(release(source), "squares").source
    )


def test_assemble_clears_all_outputs():
    submission = student_copy()
    for cell in submission.cells:
        if cell.cell_type == "code":
            cell.execution_count = 7
            cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2.0"})]
    nb = assemble(source_nb(), submission).notebook
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)


def test_assemble_accepts_the_copy_nbgrader_released():
    source = source_nb()
    submission = parse_notebook(NBGRADER_RELEASE_PATH.read_bytes(), max_bytes=LIMIT)
    cell_by_id(submission, "tabs").source = "y = 2"
    assembly = assemble(source, submission)
    assert cell_by_id(assembly.notebook, "tabs").source == "y = 2"
    assert "tabs" not in assembly.unanswered
    assert len(assembly.unanswered) == 6  # every other solution is still nbgrader's stub


def test_assemble_bare_notebook_is_all_unanswered():
    source = source_nb()
    submission = make_nb(new_code_cell("def squares(n):\n    return []"), new_markdown_cell("hi"))
    assembly = assemble(source, submission)
    assert assembly.unanswered == [
        "squares",
        "whole",
        "tabs",
        "explain",
        "written",
        "manual-code",
        "crlf",
    ]
    stubs = release(source)
    for cell, teacher, stub in zip(assembly.notebook.cells, source.cells, stubs.cells, strict=True):
        role = cell.metadata["qiming"]["role"]
        assert cell.source == (stub.source if role in ("solution", "manual") else teacher.source)


def test_assemble_tolerates_garbage_metadata_and_does_not_mutate_inputs():
    source = source_nb()
    submission = student_copy()
    submission.cells[0].metadata["nbgrader"] = "x"
    submission.cells[1].metadata["nbgrader"] = {"grade_id": 5}
    cell_by_id(submission, "whole").source = ["answer ", "= 7"]  # unparsed multi-line form
    submission.cells.append({"cell_type": "code"})
    source_before, submission_before = copy.deepcopy(source), copy.deepcopy(submission)
    assembly = assemble(source, submission)
    assert cell_by_id(assembly.notebook, "whole").source == "answer = 7"
    assert source == source_before and submission == submission_before


def test_assemble_refuses_invalid_source():
    nb = make_nb(new_code_cell("", metadata=nbg("t", grade=True)))
    with pytest.raises(NotebookError, match="graded cell has no points"):
        assemble(nb, nb)
