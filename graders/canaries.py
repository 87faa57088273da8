"""Canary cells: tamper detection for what cannot be prevented inside the kernel.

Code in a learner's solution runs in the same interpreter as the tests, so it can install input or
AST transformers that drop asserts, custom exception handlers, a patched `do_execute` that fakes
"ok" replies, or patched comparison helpers. No in-process trick can forbid that. Instead we insert
cells that MUST fail, with fresh random values per run:

- a *twin* after every test cell: the test's own code followed by an assertion that cannot hold,
  so it exercises the learner's functions exactly as the test does and looks like a test;
- plain canaries at the end, each a different kind of failing check.

If any canary does not fail, the result cannot be trusted: the submission goes to a teacher for
review and earns no automatic points. This raises the bar; it is not proof against a learner who
studies this code (see the README's sandbox section for what remains).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell


@dataclass(frozen=True)
class Canary:
    source: str
    # For plain canaries: the exact error and a value that must appear in its message. Twins
    # accept any error: the test part may fail on its own before the final assertion.
    ename: str | None = None
    nonce: str | None = None


def _number() -> int:
    return 10 + secrets.randbelow(99_990)


def _message(a: int, b: int) -> tuple[str, str]:
    """A failure message like a teacher's, carrying a value chosen for this run."""
    templates = [f"expected {a}, got {b}", f"{a} != {b}", f"wrong result for {a}"]
    text = templates[secrets.randbelow(len(templates))]
    return text, str(a)


def _failing_check(a: int, b: int, message: str) -> str:
    builtins = "__import__('builtins')"
    variants = [
        f'assert {a} == {b}, "{message}"',
        f'assert {builtins}.sorted([{b}, {a}]) == [{b}, {a}], "{message}"',
        f'assert {builtins}.len([{a}, {b}]) == 3, "{message}"',
        f'assert __import__("math").isclose({a}.0, {a}.5), "{message}"',
        f'assert {builtins}.abs(-{a}) == {b}, "{message}"',
    ]
    return variants[secrets.randbelow(len(variants))]


def twin_of(test_source: str) -> Canary:
    """The test cell's code again, then a check that cannot pass."""
    a = _number()
    message, _nonce = _message(a, a + 1 + secrets.randbelow(9))
    check = _failing_check(a, a + 1, message)
    return Canary(source=f"{test_source.rstrip()}\n{check}\n")


def make_canaries() -> list[Canary]:
    """One plain canary of every kind, each with its own values."""
    builtins = "__import__('builtins')"
    canaries = []
    for kind in range(5):
        a = _number()
        b = a + 1 + secrets.randbelow(9)
        message, nonce = _message(a, b)
        if kind == 0:
            source = f'assert {a} + 1 == {b + 1}, "{message}"'
        elif kind == 1:
            source = f'assert {builtins}.sorted([{a}, {b}]) == [{b}, {a}], "{message}"'
        elif kind == 2:
            source = f'import math\nassert math.isclose({a}.0, {b}.0), "{message}"'
        elif kind == 3:
            source = (
                "import sys\n_np = sys.modules.get('numpy')\n"
                f'assert _np is not None and bool(_np.allclose([{a}.0], [{b}.0])), "{message}"'
            )
        else:
            source = f'raise {builtins}.ValueError("{message}")'
        ename = "ValueError" if kind == 4 else "AssertionError"
        canaries.append(Canary(source=source, ename=ename, nonce=nonce))
    return canaries


def canary_cell(canary: Canary) -> NotebookNode:
    cell = new_code_cell(canary.source)
    cell.metadata["qiming"] = {"role": "canary"}
    return cell


def canary_held(canary: Canary, status: str, reply: dict, outputs: list) -> bool:
    """True when the canary failed as it must: an error reply with a matching error output."""
    if status != "error":
        return False
    errors = [output for output in outputs if output.get("output_type") == "error"]
    if not errors:
        return False
    if canary.ename is None:
        return True
    if reply.get("ename") != canary.ename or canary.nonce not in str(reply.get("evalue", "")):
        return False
    return any(
        error.get("ename") == canary.ename and canary.nonce in str(error.get("evalue", ""))
        for error in errors
    )
