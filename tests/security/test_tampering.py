"""Grade tampering: from inside the kernel and in the uploaded file.

In-kernel tampering cannot be prevented (the learner's code shares the interpreter with the
tests), so each attack below is paired with the honest wrong answer (`WRONG`, 0 points): the
tampered submission must never score more than that, and where the grader's canaries or its
reply/output agreement check see the tampering, the result goes to review.

Tampering in the file is prevented outright: only the text of solution cells is taken from an
upload, so every edit below scores exactly what the honest partly-right answer scores.
"""

from __future__ import annotations

import copy

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_output

from tests.security.conftest import (
    MAX_SCORE,
    PARTIAL,
    WRONG,
    assert_no_processes,
    assert_zero,
    grade,
    grade_many,
    make_submission,
    released,
    to_bytes,
)

pytestmark = [pytest.mark.sandbox]


def _grade_attacks(source, attacks: dict[str, str]):
    names = list(attacks)
    submissions = [make_submission(source, {"answer": WRONG + attacks[name]}) for name in names]
    return dict(zip(names, grade_many(source, submissions), strict=True))


def _assert_review(results, names) -> None:
    for name in names:
        result = results[name]
        assert result.status == "needs_review", (name, result.to_json())
        assert result.review_reasons, name


# ------------------------------------------------------------------------------------------
# Inside the kernel


def test_exiting_the_kernel(source, run_dir, honest_after):
    """sys.exit(), raise SystemExit, exit()/quit(), os._exit(0) — in the answer or inside the
    tests — never turn failures into passes: at most the tests do not run."""
    results = _grade_attacks(
        source,
        {
            "sys.exit": "\nimport sys\nsys.exit(0)",
            "SystemExit": "\nraise SystemExit(0)",
            "exit()": "\nexit()",
            "quit()": "\nquit()",
            "os._exit": "\nimport os\nos._exit(0)",
            "sys.exit in tests": "\nimport sys\ndef square(x):\n    sys.exit(0)\n"
            "def square_list(n):\n    sys.exit(0)",
            "os._exit in tests": "\nimport os\ndef square(x):\n    os._exit(0)\nsquare_list = square",
            "ask_exit": "\nget_ipython().ask_exit()",
        },
    )
    for name, result in results.items():
        assert result.status in ("graded", "needs_review"), name
        assert_zero(result)
    assert_no_processes(str(run_dir))
    honest_after()


def test_hiding_tracebacks(source, run_dir, honest_after):
    """Silencing errors — redirected stdout/stderr, a patched showtraceback, a custom exception
    handler that swallows everything, sys.excepthook — earns nothing; the ones that stop error
    outputs reaching the grader are caught (reply and outputs disagree) and go to review."""
    results = _grade_attacks(
        source,
        {
            "streams": "\nimport sys, io\nsys.stderr = io.StringIO()\nsys.stdout = io.StringIO()",
            "showtraceback": "\nip = get_ipython()\nip.showtraceback = lambda *a, **k: None\n"
            "ip._showtraceback = lambda *a, **k: None",
            "custom_exc": "\nget_ipython().set_custom_exc((BaseException,), "
            "lambda self, etype, value, tb, tb_offset=None: None)",
            "custom_exc_sparing_canaries": "\nip = get_ipython()\n"
            "def handler(self, etype, value, tb, tb_offset=None):\n"
            "    if 'qm-' in str(value):\n"
            "        self.showtraceback((etype, value, tb), tb_offset=tb_offset)\n"
            "ip.set_custom_exc((AssertionError,), handler)",
            "excepthook": "\nimport sys\nsys.excepthook = lambda *a: None",
        },
    )
    for result in results.values():
        assert_zero(result)
    _assert_review(results, ["showtraceback", "custom_exc", "custom_exc_sparing_canaries"])
    honest_after()


FAKE_DO_EXECUTE = """
k = get_ipython().kernel
async def fake(*args, **kwargs):
    return {'status': 'ok', 'execution_count': 1, 'user_expressions': {}, 'payload': []}
k.do_execute = fake
"""
FAKE_RUN_CELL = """
from IPython.core.interactiveshell import ExecutionInfo, ExecutionResult
ip = get_ipython()
def fake(raw_cell, *a, **k):
    return ExecutionResult(ExecutionInfo(raw_cell, False, False, False, None))
async def fake_async(raw_cell, *a, **k):
    return fake(raw_cell)
ip.run_cell = fake
ip.run_cell_async = fake_async
ip.should_run_async = lambda *a, **k: False
"""
INPUT_TRANSFORMER = """
def strip(lines):
    return [l for l in lines if not l.lstrip().startswith(('assert', 'raise'))]
get_ipython().input_transformers_post.append(strip)
"""
INPUT_TRANSFORMER_CLEANUP = """
def strip(lines):
    return ['pass\\n']
get_ipython().input_transformers_cleanup.append(strip)
"""
AST_TRANSFORMER = """
import ast
class Strip(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
    def visit_Raise(self, node):
        return ast.Pass()
get_ipython().ast_transformers.append(Strip())
"""
PATCHED_BUILTINS = """
import builtins, math, sys
import numpy
_len = builtins.len
def fake_len(x):
    # Lie only to notebook code: ipykernel itself needs the real len.
    if 'ipykernel_' in sys._getframe(1).f_code.co_filename:
        return 3
    return _len(x)
builtins.len = fake_len
math.isclose = lambda *a, **k: True
numpy.allclose = lambda *a, **k: True
"""
SETTRACE = """
import sys, linecache
def tracer(frame, event, arg):
    if 'ipykernel_' not in frame.f_code.co_filename:
        return None
    if event == 'line':
        line = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
        if line.startswith(('assert', 'raise')):
            try:
                frame.f_lineno = frame.f_lineno + 1
            except ValueError:
                pass
    return tracer
sys.settrace(tracer)
import threading
threading.settrace(tracer)
"""


def test_faked_replies_transformers_and_patched_builtins(source, run_dir, honest_after):
    """A do_execute or run_cell that answers "ok" without running anything, input and AST
    transformers that drop asserts, and an always-true len/math.isclose/numpy.allclose all make
    every test "pass" — the canaries fail to fail, so the result goes to review with 0 points.
    A sys.settrace that tries to jump over assert lines earns nothing either."""
    results = _grade_attacks(
        source,
        {
            "do_execute": FAKE_DO_EXECUTE,
            "run_cell": FAKE_RUN_CELL,
            "input_transformers_post": INPUT_TRANSFORMER,
            "input_transformers_cleanup": INPUT_TRANSFORMER_CLEANUP,
            "ast_transformers": AST_TRANSFORMER,
            "builtins": PATCHED_BUILTINS,
            "settrace": SETTRACE,
        },
    )
    for result in results.values():
        assert_zero(result)
    _assert_review(
        results,
        [
            "do_execute",
            "run_cell",
            "input_transformers_post",
            "input_transformers_cleanup",
            "ast_transformers",
            "builtins",
        ],
    )
    honest_after()


# Canary cells are recognisable (a "qm-" nonce in a constant assertion message), and what they
# look like is easy to learn: the source is public, and a pre_run_cell hook that stashes each
# cell's text can show it in the next visible test's failure message. Tampering that spares them
# is not seen.
AWARE_DO_EXECUTE = """
k = get_ipython().kernel
_real = k.do_execute
async def fake(code, *args, **kwargs):
    if 'qm-' in code:
        return await _real(code, *args, **kwargs)
    return {'status': 'ok', 'execution_count': 1, 'user_expressions': {}, 'payload': []}
k.do_execute = fake
"""
AWARE_AST_TRANSFORMER = """
import ast
class Strip(ast.NodeTransformer):
    def visit_Assert(self, node):
        if isinstance(node.msg, ast.Constant) and str(node.msg.value).startswith('qm-'):
            return node
        return ast.Pass()
get_ipython().ast_transformers.append(Strip())
"""


@pytest.mark.parametrize(
    "attack",
    [AWARE_DO_EXECUTE, AWARE_AST_TRANSFORMER],
    ids=["do_execute-sparing-canaries", "ast-transformer-sparing-canaries"],
)
def test_tampering_that_spares_the_canaries(source, run_dir, attack):
    """The same faked replies and assert-stripping AST transformer, but leaving cells that
    contain the canaries' "qm-" nonce alone: a wrong answer must still earn nothing.

    KNOWN CONTAINMENT BUG (fails until fixed): canaries are distinguishable from the teacher's
    tests, so a learner who spares them gets full marks for a wrong answer, status "graded".
    """
    result = grade(source, make_submission(source, {"answer": WRONG + attack}))
    assert result.score == 0, (
        f"tampering that spares the canaries scored {result.score}/{result.max_score} "
        f"for a wrong answer, status {result.status!r}"
    )


# The kernel knows the header of the request it is executing, so learner code called from a
# test can itself send an "ok" execute_reply and an "idle" status for that request before the
# test's assertion fails. The canaries never call learner code, so they cannot notice.
FORGED_REPLY = """
def _forge():
    k = get_ipython().kernel
    parent = k.get_parent("shell")
    if getattr(k, "_supports_kernel_subshells", False):
        stream = k.shell_channel_thread.manager.get_subshell_to_shell_channel_socket(None)
    else:
        stream = k.shell_stream
    ok = {"status": "ok", "execution_count": 1, "user_expressions": {}, "payload": []}
    k.session.send(stream, "execute_reply", ok, parent, ident=k._parent_ident["shell"])
    k.session.send(
        k.iopub_socket, "status", {"execution_state": "idle"}, parent, ident=k._topic("status")
    )
    import time
    time.sleep(0.3)

def square(x):
    _forge()
    return x + 1

def square_list(n):
    _forge()
    return [0] * (n + 1)
"""


def test_forged_protocol_replies(source, run_dir):
    """Learner code called by a test sends a forged "ok" execute_reply and "idle" status for
    the request being executed, then returns a wrong value: the test must still fail.

    KNOWN CONTAINMENT BUG (fails until fixed): the orchestrator takes the first execute_reply
    and idle status carrying the request's msg_id, which the kernel can read and forge; the
    genuine error that follows is ignored. A wrong answer gets full marks, status "graded".
    """
    result = grade(source, make_submission(source, {"answer": FORGED_REPLY}))
    assert result.score == 0, (
        f"forged execute replies scored {result.score}/{result.max_score} for a wrong answer, "
        f"status {result.status!r}"
    )


# ------------------------------------------------------------------------------------------
# In the file


def _cells_of(nb, grade_ids):
    return [
        cell
        for cell in nb.cells
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") in grade_ids
    ]


def _with_answer(source, answer=PARTIAL):
    nb = released(source)
    _cells_of(nb, {"answer"})[0].source = answer
    return nb


TEST_IDS = {"t_int", "t_float", "t_len", "t_hidden"}


def _edited_tests(source):
    nb = _with_answer(source)
    for cell in _cells_of(nb, TEST_IDS):
        cell.source = "pass"
    return nb


def _deleted_tests(source):
    nb = _with_answer(source)
    nb.cells = [cell for cell in nb.cells if cell not in _cells_of(nb, TEST_IDS)]
    return nb


def _tags(source):
    nb = _with_answer(source)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.metadata["tags"] = ["skip-execution", "raises-exception", "skip"]
    return nb


def _inflated_points(source):
    nb = _with_answer(source)
    for cell in _cells_of(nb, TEST_IDS):
        cell.metadata["nbgrader"]["points"] = 1000
    answer = _cells_of(nb, {"answer"})[0]
    answer.metadata["nbgrader"].update(grade=True, points=1000)
    return nb


def _extra_graded_cells(source):
    nb = _with_answer(source)
    bonus = new_code_cell("pass")
    bonus.metadata["nbgrader"] = {
        "grade": True,
        "solution": False,
        "locked": True,
        "grade_id": "bonus",
        "points": 50,
        "schema_version": 3,
    }
    # A copy of a real test, earlier in the file, that always passes.
    duplicate = new_code_cell("pass")
    duplicate.metadata["nbgrader"] = dict(bonus.metadata["nbgrader"], grade_id="t_float", points=1)
    nb.cells.insert(1, duplicate)
    nb.cells.append(bonus)
    return nb


def _test_turned_solution(source):
    nb = _with_answer(source)
    for cell in _cells_of(nb, TEST_IDS):
        cell.metadata["nbgrader"].update(solution=True, grade=False)
        cell.source = "pass"
    return nb


def _prefilled_outputs(source):
    nb = _with_answer(source)
    for cell in _cells_of(nb, TEST_IDS):
        cell.execution_count = 7
        cell.outputs = [
            new_output("execute_result", data={"text/plain": "1000.0"}, execution_count=7),
            new_output("stream", name="stdout", text="Passed.\n"),
        ]
    return nb


def _metadata_removed(source):
    nb = _with_answer(source)
    for cell in _cells_of(nb, TEST_IDS):
        del cell.metadata["nbgrader"]
    return nb


def _other_kernel_and_ids(source):
    nb = _with_answer(source)
    nb.metadata["kernelspec"] = {"name": "bash", "language": "bash", "display_name": "Bash"}
    nb.metadata["nbgrader"] = {"points": 1000}
    for position, cell in enumerate(nb.cells):
        cell.id = f"forged-{position}"
        if "nbgrader" in cell.metadata:
            cell.metadata["nbgrader"]["checksum"] = "0" * 32
    return nb


def _answer_in_a_test_cell(source):
    nb = _with_answer(source)
    # The right answer smuggled into a test cell: tests are the teacher's, so it never runs.
    _cells_of(nb, {"t_int"})[0].source = "def square(x):\n    return x * x"
    return nb


FILE_TAMPERING = {
    "edited tests": _edited_tests,
    "deleted tests": _deleted_tests,
    "skip/raises tags": _tags,
    "inflated points": _inflated_points,
    "extra graded cells": _extra_graded_cells,
    "test turned solution": _test_turned_solution,
    "pre-filled outputs": _prefilled_outputs,
    "nbgrader metadata removed": _metadata_removed,
    "other kernel, ids, checksums": _other_kernel_and_ids,
    "answer in a test cell": _answer_in_a_test_cell,
}


def test_tampering_in_the_file(source, run_dir, honest_after):
    """Edited or deleted test cells, skip-execution/raises-exception tags, inflated points,
    extra graded cells, a test cell turned into a solution cell, pre-filled outputs, removed
    metadata, another kernel: each scores exactly what the honest partly-right answer scores,
    test by test, with the teacher's maximum."""
    names = list(FILE_TAMPERING)
    honest = to_bytes(_with_answer(source))
    forged = [to_bytes(FILE_TAMPERING[name](copy.deepcopy(source))) for name in names]
    for data in forged:
        nbformat.validate(nbformat.reads(data.decode(), as_version=4))
    baseline, *results = grade_many(source, [honest, *forged])
    assert baseline.status == "graded" and baseline.score == 2.0, baseline.to_json()
    expected = [test.to_json() for test in baseline.tests]
    for name, result in zip(names, results, strict=True):
        assert result.score == baseline.score, (name, result.to_json())
        assert result.max_score == MAX_SCORE, name
        assert [test.to_json() for test in result.tests] == expected, name
        assert result.status == "graded", (name, result.to_json())
    honest_after()
