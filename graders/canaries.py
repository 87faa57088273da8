"""Canary cells: tamper detection for what cannot be prevented inside the kernel.

Code in a learner's solution runs in the same interpreter as the tests, so it can install input or
AST transformers that drop asserts, custom exception handlers, a patched `do_execute` that fakes
"ok" replies, or patched comparison helpers. No in-process trick can forbid that. Instead we insert
cells that MUST fail, with a fresh random nonce per run, after every test cell and at the end. If
any canary does not fail in exactly the expected way, the result cannot be trusted: the submission
goes to a teacher for review and earns no automatic points.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell


@dataclass(frozen=True)
class Canary:
    source: str
    ename: str
    nonce: str


def _templates(nonce: str, a: int, b: int) -> list[tuple[str, str]]:
    builtins = "__import__('builtins')"
    return [
        (f'assert {a} + {b} == {a + b + 1}, "{nonce}"', "AssertionError"),
        (
            f'assert {builtins}.sorted([{a}, {a + b}]) == [{a + b}, {a}], "{nonce}"',
            "AssertionError",
        ),
        (f'import math\nassert math.isclose({a}.0, {a}.5), "{nonce}"', "AssertionError"),
        (
            f"import sys\n_np = sys.modules.get('numpy')\n"
            f'assert _np is not None and bool(_np.allclose([{a}.0], [{a}.5])), "{nonce}"',
            "AssertionError",
        ),
        (f'raise {builtins}.ValueError("{nonce}")', "ValueError"),
        (f'assert {builtins}.len([{a}, {b}]) == 3, "{nonce}"', "AssertionError"),
    ]


def make_canaries(count: int) -> list[Canary]:
    """`count` canaries (at least one of every template), each with its own nonce."""
    canaries = []
    total = max(count, len(_templates("x", 1, 1)))
    for position in range(total):
        nonce = "qm-" + secrets.token_hex(8)
        a, b = 2 + secrets.randbelow(900), 1 + secrets.randbelow(90)
        templates = _templates(nonce, a, b)
        source, ename = templates[position % len(templates)]
        canaries.append(Canary(source=source, ename=ename, nonce=nonce))
    return canaries


def canary_cell(canary: Canary) -> NotebookNode:
    cell = new_code_cell(canary.source)
    cell.metadata["qiming"] = {"role": "canary"}
    return cell


def canary_held(canary: Canary, status: str, reply: dict, outputs: list) -> bool:
    """True when the canary failed exactly as it must: error reply and matching error output."""
    if status != "error":
        return False
    if reply.get("ename") != canary.ename or canary.nonce not in str(reply.get("evalue", "")):
        return False
    errors = [output for output in outputs if output.get("output_type") == "error"]
    return any(
        error.get("ename") == canary.ename and canary.nonce in str(error.get("evalue", ""))
        for error in errors
    )
