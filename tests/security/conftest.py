"""Builders and fixtures for the security suite: hostile notebooks graded in the real sandbox.

Every attack is written as a learner's answer (the text of the solution cell); the teacher's
source is always the same small exercise so that "no points gained" is easy to state:

- `answer` (solution): the learner defines `square(x)`;
- `t_int` (1 point): `assert square(2) == 4`;
- `t_float` (1 point): `assert math.isclose(square(1.5), 2.25)` — uses a library helper;
- `t_len` (1 point): `assert len(square_list(3)) == 3` — uses the builtin len;
- `t_hidden` (2 points, hidden): `assert square(7) == 49`, with HIDDEN_MARKER in its source.

An honest right answer (RIGHT) scores 5/5, the honest wrong answer (WRONG, `x + 1`) 0/5 and
PARTIAL 2/5. Attacks that must report what they found use `probe_source`: visible tests that
fail with whatever the learner's `probe(i)` returns, the widest channel back to a learner.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from graders import grading, notebook, sandbox, warm, zygote
from graders.results import GradeResult

# Small limits keep the suite fast; each attack is stopped by one of them.
LIMITS = sandbox.Limits(
    cell_timeout=2,
    notebook_timeout=20,
    startup_timeout=30,
    memory_mb=1024,
    processes=64,
    cpu_seconds=20,
    file_size_mb=8,
    tmpfs_mb=32,
    output_bytes=200_000,
)
# Grading must return within the notebook limit plus kernel start-up and tear-down.
TIME_MARGIN = 25

HIDDEN_MARKER = "HIDDENxMARKERx7f3a"
HIDDEN_SECRET_VALUE = "hidden-expected-49"

RIGHT = """\
def square(x):
    return x * x

def square_list(n):
    return [square(i) for i in range(n)]
"""
WRONG = """\
def square(x):
    return x + 1

def square_list(n):
    return [square(i) for i in range(n + 1)]
"""

TESTS = [
    ("t_int", "assert square(2) == 4, 'square(2) should be 4'", 1, False),
    ("t_float", "assert math.isclose(square(1.5), 2.25), 'square(1.5)'", 1, False),
    ("t_len", "assert len(square_list(3)) == 3, 'three squares'", 1, False),
    (
        "t_hidden",
        f"# {HIDDEN_MARKER}\n_expected = '{HIDDEN_SECRET_VALUE}'\n"
        f"assert square(7) == 49, '{HIDDEN_MARKER} ' + _expected",
        2,
        True,
    ),
]
# Right on t_int and t_len only: 2 of 5 points, so tampering that zeroes or adds is visible.
PARTIAL = """\
def square(x):
    return 2 * x

def square_list(n):
    return [square(i) for i in range(n)]
"""
MAX_SCORE = 5.0


def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool, points=None) -> dict:
    meta = {
        "grade": grade,
        "solution": solution,
        "locked": locked,
        "grade_id": grade_id,
        "schema_version": 3,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def make_source(
    solution: str = RIGHT,
    tests: list[tuple[str, str, float, bool]] | None = None,
    *,
    setup: str = "import math",
    solution_id: str = "answer",
) -> nbformat.NotebookNode:
    """An nbgrader source notebook: setup cell, one solution cell, then the test cells.

    tests: (grade_id, code, points, hidden); hidden code is wrapped in hidden-test markers.
    """
    tests = TESTS if tests is None else tests
    cells = [
        new_markdown_cell("# Squares\nDefine `square(x)`."),
        new_code_cell(setup, metadata=_meta("setup", grade=False, solution=False, locked=True)),
        new_code_cell(
            f"### BEGIN SOLUTION\n{solution}\n### END SOLUTION",
            metadata=_meta(solution_id, grade=False, solution=True, locked=False),
        ),
    ]
    for grade_id, code, points, hidden in tests:
        if hidden:
            code = f"### BEGIN HIDDEN TESTS\n{code}\n### END HIDDEN TESTS"
        cells.append(
            new_code_cell(
                code,
                metadata=_meta(grade_id, grade=True, solution=False, locked=True, points=points),
            )
        )
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "language": "python",
        "display_name": "Python 3",
    }
    # Round-trip through the real loader: what the workers would get from a teacher's file.
    return notebook.load_source(nbformat.writes(nb).encode(), max_bytes=5_000_000)


def make_submission(source: nbformat.NotebookNode, answers: dict[str, str]) -> bytes:
    """The released copy with the given solution cells (by grade_id) replaced: a learner's upload."""
    released = notebook.release(source)
    for cell in released.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return nbformat.writes(released).encode()


def released(source: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return notebook.release(source)


def to_bytes(nb: nbformat.NotebookNode) -> bytes:
    return nbformat.writes(nb).encode()


# How `grade` runs a notebook, set per test by the `run_dir` fixture: "cold", a kernel started by
# bubblewrap for it (and `grade_many` with whole warm kernels); or "forked", as a worker on a
# root host does it, a kernel forked by this process's zygote (graders/zygote.py).
PATH = {"kernel": "cold"}


def grade(source, submission: bytes, limits: sandbox.Limits = LIMITS) -> GradeResult:
    if PATH["kernel"] == "forked":
        return grading.grade(source, submission, limits=limits, pool=warm.worker_pool())
    return grading.grade(source, submission, limits=limits)


def leftovers(run_dir: Path) -> list[Path]:
    """What runs left in the run directory; a living zygote's own directory is not a run's, but
    the runs' directories inside it are."""
    if not run_dir.exists():
        return []
    found = []
    for path in run_dir.iterdir():
        if path.name.startswith("zygote-") and path.is_dir():
            found += list(path.iterdir())
        else:
            found.append(path)
    return found


def grade_many(source, submissions: list[bytes], limits=LIMITS, jobs: int = 2) -> list[GradeResult]:
    return asyncio.run(grading.grade_many_async(source, submissions, jobs=jobs, limits=limits))


def points(result: GradeResult) -> dict[str, float]:
    return {test.grade_id: test.points for test in result.tests}


def dump(result: GradeResult) -> str:
    """Everything a learner could ever be shown of a result (and the review reasons)."""
    return json.dumps(result.to_json())


def marker() -> str:
    return "qmsec" + uuid.uuid4().hex


# The run directories of the running test: their sandboxes' processes are also those running as a
# run's uid (a kernel forked by the zygote has the zygote's command line, not its run directory).
RUN_DIRS: set[str] = set()


def processes_with(text: str) -> list[int]:
    """Host PIDs whose command line mentions `text` (we run as root: all of them); for a run
    directory of the running test, also every process running as a sandbox run's uid. Not a
    zygote's own processes (root, never running learner code), which outlive the runs."""
    found = []
    runs = text in RUN_DIRS and os.geteuid() == 0
    low, high = sandbox.HOST_UID_RANGE
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = Path(entry.path, "cmdline").read_bytes()
            uid = entry.stat().st_uid
        except OSError:
            continue
        if uid == 0 and (b"/zygote-" in cmdline or b"graders/zygote.py" in cmdline):
            continue  # a worker's zygote (its bwrap, its interpreter): outlives runs by design
        if text.encode() in cmdline or (runs and low <= uid < high):
            found.append(int(entry.name))
    return found


def pid_namespace_depth(pid: int) -> int:
    """1 on the host, 2 in a sandbox's PID namespace, 3 in a run forked by a zygote."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("NSpid:"):
            return len(line.split()) - 1
    return 1


def assert_no_processes(text: str, *, wait: float = 3.0) -> None:
    """No host process carries `text`; brief grace for the kernel to reap what was just killed."""
    deadline = time.monotonic() + wait
    while True:
        left = processes_with(text)
        if not left:
            return
        if time.monotonic() > deadline:
            details = {
                pid: Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:200]
                for pid in left
                if Path(f"/proc/{pid}").exists()
            }
            raise AssertionError(f"processes outlived the run: {details}")
        time.sleep(0.2)


def assert_zero(result: GradeResult, *, max_score: float = MAX_SCORE) -> None:
    """No points from the attack, and the maximum is the teacher's."""
    assert result.score == 0, result.to_json()
    assert all(test.points == 0 for test in result.tests), result.to_json()
    assert result.max_score == max_score


def assert_bounded(result: GradeResult, limits: sandbox.Limits = LIMITS) -> None:
    """Grading came back within the notebook limit plus start-up/tear-down margin."""
    assert result.seconds < limits.notebook_timeout + TIME_MARGIN, result.seconds


@pytest.fixture(scope="session")
def source():
    return make_source()


@pytest.fixture(params=["cold", "forked"])
def run_dir(request, settings, tmp_path):
    """Runs go to a private directory that must be empty again after every grading. Every test
    that uses it runs twice: kernels started cold, and kernels forked by the zygote (PATH)."""
    base = tmp_path / "runs"
    settings.GRADER_RUN_DIR = base
    settings.GRADER_ZYGOTE = request.param == "forked"
    if request.param == "forked" and not zygote.enabled():
        pytest.fail("the forked path needs a root worker with warm sandboxes on")
    PATH["kernel"] = request.param
    RUN_DIRS.add(str(base))
    warm.shutdown()
    yield base
    warm.shutdown()  # the worker's zygote, and its directory
    PATH["kernel"] = "cold"
    RUN_DIRS.discard(str(base))
    if base.exists():
        assert list(base.iterdir()) == [], "files left behind in the run directory"


@pytest.fixture
def honest_after(source, run_dir):
    """Call after an attack: the host still grades a normal right answer correctly."""

    def check() -> None:
        result = grade(source, make_submission(source, {"answer": RIGHT}))
        assert result.status == "graded", result.to_json()
        assert result.score == MAX_SCORE, result.to_json()
        assert leftovers(run_dir) == []

    return check


def probe_source(count: int, *, hidden_first: bool = False) -> nbformat.NotebookNode:
    """An exercise whose visible tests only show what the learner's `probe(i)` returns.

    A learner controls the message of a failing visible test (`assert False, probe(i)`), which is
    the widest channel back to them; attacks put what they found there, one probe per target.
    With hidden_first, a hidden test carrying HIDDEN_MARKER runs before the probes.
    """
    tests = [(f"p{i}", f"assert False, probe({i})", 1, False) for i in range(count)]
    if hidden_first:
        hidden = (
            "t_hidden",
            f"# {HIDDEN_MARKER}\n_expected = '{HIDDEN_SECRET_VALUE}'\n"
            f"assert probe(-1) == 'never', '{HIDDEN_MARKER} ' + _expected",
            2,
            True,
        )
        tests.insert(0, hidden)
    return make_source("def probe(i):\n    return 'reference'", tests)


def probe_reports(result: GradeResult) -> list[str]:
    """What each visible probe test said, without the 'AssertionError: ' prefix."""
    reports = []
    for test in result.tests:
        if test.grade_id.startswith("p"):
            reports.append(test.message.removeprefix("AssertionError: "))
    return reports


def probing(code: str, targets: list[str]) -> str:
    """Learner code: run `code` (which defines `attempt(target) -> str`) against each target and
    answer probe(i) with the i-th outcome, truncated to fit a test message."""
    return (
        f"{code}\n"
        f"_targets = {targets!r}\n"
        "_outcomes = []\n"
        "for _t in _targets:\n"
        "    try:\n"
        "        _outcomes.append(str(attempt(_t)))\n"
        "    except BaseException as _e:\n"
        "        _outcomes.append('ERR ' + type(_e).__name__)\n"
        "def probe(i):\n"
        "    return _outcomes[i][:250]\n"
    )


def grade_watching(source, submissions: list[bytes], needles: list[str], limits=LIMITS, jobs=2):
    """Grade (in a thread) while sampling host processes whose command line holds each needle.

    Returns (results, samples): samples[needle] is a list of {pid: (host uid, cmdline, PID
    namespace depth)} snapshots taken during the run, proof that what the attack started existed (and as whom)
    before cleanup.
    """
    import threading

    box: dict[str, list[GradeResult]] = {}

    def work() -> None:
        box["results"] = grade_many(source, submissions, limits=limits, jobs=jobs)

    thread = threading.Thread(target=work)
    thread.start()
    samples: dict[str, list[dict[int, tuple[int, list[str], int]]]] = {n: [] for n in needles}
    while thread.is_alive():
        for needle in needles:
            snapshot = {}
            for pid in processes_with(needle):
                try:
                    uid = os.stat(f"/proc/{pid}").st_uid
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                    argv = [arg.decode(errors="replace") for arg in cmdline]
                    snapshot[pid] = (uid, argv, pid_namespace_depth(pid))
                except OSError:
                    continue
            if snapshot:
                samples[needle].append(snapshot)
        time.sleep(0.05)
    thread.join()
    return box["results"], samples
