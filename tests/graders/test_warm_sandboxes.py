"""Warm sandboxes (graders/warm.py): a kernel started ahead, libraries imported, used once.

What must hold: a warm kernel runs exactly one submission and is then destroyed; consecutive
submissions on one worker process, and concurrent ones, see nothing of each other (files,
processes, modules, globals); switching warm sandboxes off really switches them off; and a warm
kernel grades exactly as a fresh one does, on the parity corpus and the demo notebooks.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import nbformat
import pytest

from graders import grading, notebook, runner, sandbox, warm, zygote
from tests.courses.test_demo_content import NOTEBOOKS
from tests.courses.test_demo_content import load as load_demo
from tests.security.conftest import (
    LIMITS,
    assert_no_processes,
    make_submission,
    marker,
    probe_reports,
    probe_source,
)

pytestmark = pytest.mark.sandbox

# The security suite's small limits, with time for a cold kernel to import pandas on a busy machine
# and the default memory: the default warm imports need about 1.1 GB of address space.
LIMITS = LIMITS.merged(cell_timeout=20, notebook_timeout=60, memory_mb=2048)

CORPUS = Path(__file__).resolve().parent / "nbgrader_compat"


@pytest.fixture
def run_dir(settings, tmp_path):
    """A private run directory, empty again once the worker's warm kernel is gone."""
    base = tmp_path / "runs"
    settings.GRADER_RUN_DIR = base
    settings.GRADER_WARM_KERNELS = True
    settings.GRADER_ZYGOTE = False  # warm kernels started whole (the zygote: test_zygote.py)
    warm.shutdown()  # whatever an earlier test of this process left, in its own run directory
    yield base
    warm.shutdown()
    assert len(warm.worker_pool()) == 0
    if base.exists():
        assert list(base.iterdir()) == [], "files left behind in the run directory"


def _pid(km: runner.SandboxedKernelManager) -> int:
    return km.provisioner.process.pid


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def test_a_warm_kernel_serves_one_submission_and_is_destroyed(run_dir):
    """The worker's way (graders/tasks.py): prepare, grade with the pool, prepare again."""
    pool = warm.worker_pool()
    warm.prepare(LIMITS)
    assert len(pool) == 1
    (_key, first), *_ = pool._idle
    first_pid, first_dir = _pid(first), first.run_dir
    assert first_dir.parent == run_dir and _alive(first_pid)

    source = probe_source(1)
    used = pool.used
    result = grading.grade(
        source,
        make_submission(source, {"answer": "def probe(i):\n    return 'hi'\n"}),
        limits=LIMITS,
        pool=pool,
    )
    assert probe_reports(result) == ["hi"]
    assert pool.used == used + 1 and len(pool) == 0
    assert not _alive(first_pid) and not first_dir.exists()

    warm.prepare(LIMITS)  # the next one is a different kernel in a different sandbox
    (_key, second), *_ = pool._idle
    assert _pid(second) != first_pid and second.run_dir != first_dir


# Run 1 leaves traces everywhere a kernel could keep them; run 2, on the same worker process and
# its next warm kernel, looks for each. The tag is written reversed in run 2's code so that its own
# source (which ipykernel keeps in a temp file) does not match.
def _leaver(tag: str) -> str:
    return f"""\
import builtins, os, subprocess, sys
import numpy, pandas
tag = {tag!r}
for d in ('/tmp', '/home/student', '/dev/shm'):
    open(os.path.join(d, tag), 'w').write(tag)
globals()[tag] = 1
setattr(builtins, tag, 1)
numpy.allclose = lambda *a, **k: True          # a monkeypatched library
numpy.random.seed(12345)
setattr(numpy, tag, 1)
setattr(pandas, tag, 1)
sys.modules[tag] = sys                          # a planted module
os.environ[tag] = '1'
sleeper = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)', tag],
                           start_new_session=True)
def left(i):
    return 'left'
probe = left
"""


def _seeker(tag: str, name: str = "probe", *, generic: bool = True) -> str:
    """Learner code whose `name(i)` reports the traces of `tag` it found when it ran. With
    generic, also library state any leaver would change (numpy.allclose, numpy's seed)."""
    checks = ""
    if generic:
        checks = (
            "    if numpy.allclose([1.0], [2.0]):\n"
            "        found.append('numpy-patched')\n"
            "    if numpy.random.get_state()[1][0] == numpy.random.RandomState(12345).get_state()[1][0]:\n"
            "        found.append('numpy-seed')\n"
        )
    return f"""\
def _look_{name}(tag):
    import builtins, os, sys
    import numpy, pandas
    found = []
    for d in ('/tmp', '/home/student', '/dev/shm'):
        if any(tag in entry for entry in os.listdir(d)):
            found.append('file:' + d)
    if tag in globals():
        found.append('global')
    if hasattr(builtins, tag):
        found.append('builtin')
    if hasattr(numpy, tag):
        found.append('numpy-attribute')
    if hasattr(pandas, tag):
        found.append('pandas-attribute')
    if tag in sys.modules:
        found.append('module')
    if tag in os.environ:
        found.append('environment')
    for pid in os.listdir('/proc'):
        if pid.isdigit():
            try:
                if tag in open(f'/proc/{{pid}}/cmdline', 'rb').read().decode(errors='replace'):
                    found.append('process')
            except OSError:
                pass
{checks}    return 'FOUND ' + ' '.join(found)
_report_{name} = _look_{name}({tag[::-1]!r}[::-1])
def {name}(i):
    return _report_{name}
"""


def test_consecutive_submissions_on_one_worker_see_nothing_of_each_other(run_dir):
    pool = warm.worker_pool()
    source = probe_source(1)
    tag = marker()
    warm.prepare(LIMITS)
    first = grading.grade(
        source, make_submission(source, {"answer": _leaver(tag)}), limits=LIMITS, pool=pool
    )
    assert probe_reports(first) == ["left"], first.to_json()
    assert_no_processes(tag)
    warm.prepare(LIMITS)
    used = pool.used
    second = grading.grade(
        source, make_submission(source, {"answer": _seeker(tag)}), limits=LIMITS, pool=pool
    )
    assert pool.used == used + 1, "the second submission ran in a warm kernel"
    assert probe_reports(second) == ["FOUND "], second.to_json()


def test_the_seeker_does_find_traces_in_its_own_kernel(run_dir):
    """The seeker is not blind: with the leaver's code before it in one kernel it finds all."""
    source = probe_source(1)
    tag = marker()
    both = _leaver(tag) + "\n" + _seeker(tag)
    result = grading.grade(source, make_submission(source, {"answer": both}), limits=LIMITS)
    found = probe_reports(result)[0].split()
    assert set(found) >= {
        "FOUND",
        "file:/tmp",
        "file:/home/student",
        "file:/dev/shm",
        "global",
        "builtin",
        "numpy-patched",
        "numpy-seed",
        "numpy-attribute",
        "pandas-attribute",
        "module",
        "environment",
        "process",
    }, found
    assert_no_processes(tag)


def test_concurrent_submissions_in_warm_kernels_see_nothing_of_each_other(run_dir, monkeypatch):
    """Four submissions, two at a time: each leaves traces, then looks for the others'."""
    taken = []
    original = warm.Pool.take

    async def counting_take(self, limits, sandboxed):
        km = await original(self, limits, sandboxed)
        taken.append(km is not None)
        return km

    monkeypatch.setattr(warm.Pool, "take", counting_take)
    tags = [marker() for _ in range(4)]
    source = probe_source(1)
    submissions = []
    for tag in tags:
        others = [other for other in tags if other != tag]
        seek = "\n".join(_seeker(other, f"_p{j}", generic=False) for j, other in enumerate(others))
        code = (
            _leaver(tag)
            + "\nimport time\ntime.sleep(0.5)\n"
            + seek
            + "\ndef probe(i):\n    return ' '.join(f(0) for f in (_p0, _p1, _p2))\n"
        )
        submissions.append(make_submission(source, {"answer": code}))
    results = asyncio.run(grading.grade_many_async(source, submissions, jobs=2, limits=LIMITS))
    for result in results:
        assert probe_reports(result) == ["FOUND  FOUND  FOUND "], result.to_json()
    assert sum(taken) >= 2, f"warm kernels served {sum(taken)} of 4 submissions"
    for tag in tags:
        assert_no_processes(tag)


def test_switched_off_no_kernel_is_started_ahead(run_dir, settings, monkeypatch):
    settings.GRADER_WARM_KERNELS = False
    started = []
    original = runner.start_kernel

    async def recording(**kwargs):
        started.append(kwargs.get("warm_imports", ()))
        return await original(**kwargs)

    monkeypatch.setattr(runner, "start_kernel", recording)
    warm.prepare(LIMITS)
    assert len(warm.worker_pool()) == 0
    source = probe_source(1)
    answer = make_submission(source, {"answer": "def probe(i):\n    return 'x'\n"})
    results = asyncio.run(grading.grade_many_async(source, [answer] * 3, jobs=2, limits=LIMITS))
    assert [probe_reports(result) for result in results] == [["x"]] * 3
    assert started == [(), (), ()], "only fresh kernels, one per submission, no imports"


async def _take_one(pool, limits):
    await pool.fill(limits, True)
    return await pool.take(limits, True)


def test_old_dead_or_mismatched_kernels_are_discarded(run_dir, settings):
    async def scenario():
        pool = warm.Pool(size=1)
        try:
            # Too old.
            settings.GRADER_WARM_MAX_AGE = 0
            await pool.fill(LIMITS, True)
            (_key, km), *_ = pool._idle
            pid = _pid(km)
            await asyncio.sleep(0.01)
            assert await pool.take(LIMITS, True) is None
            assert not _alive(pid) and not km.run_dir.exists()
            settings.GRADER_WARM_MAX_AGE = 900
            # Died.
            await pool.fill(LIMITS, True)
            (_key, km), *_ = pool._idle
            km.kill_now()
            await runner._reaped(km)
            assert await pool.take(LIMITS, True) is None
            assert not km.run_dir.exists()
            assert pool.failed == {pool.key_of(LIMITS, True)}  # no more warming for these
            await pool.fill(LIMITS, True)
            assert len(pool) == 0
            pool.failed.clear()
            # Launched with other limits (memory is fixed at launch); deadlines may differ.
            await pool.fill(LIMITS, True)
            assert await pool.take(LIMITS.merged(memory_mb=LIMITS.memory_mb + 1), True) is None
            await pool.fill(LIMITS, True)
            km = await pool.take(LIMITS.merged(cell_timeout=5, notebook_timeout=9), True)
            assert km is not None
            await runner.discard(km)
            assert pool.discarded == 3
        finally:
            await pool.close()

    asyncio.run(scenario())


NAMESPACE_PROBE = (
    "import sys, warnings\n"
    "ip = get_ipython()\n"
    "import hashlib\n"
    "_filters = ' '.join(hashlib.sha1(repr((f[0], str(f[1] and f[1].pattern), f[2].__name__,\n"
    "                    str(f[3]), f[4])).encode()).hexdigest()[:6] for f in warnings.filters)\n"
    "_seen = [sorted(k for k in ip.user_ns if not k.startswith('_') and k != 'ip'),\n"
    "         ip.execution_count, len(ip.user_ns['In']), dict(ip.user_ns['Out']),\n"
    "         repr(ip.user_ns.get('_')), repr(getattr(sys, 'last_value', None)),\n"
    "         sorted(sys.argv[1:])[:0], __name__]\n"
    "import matplotlib\n"
    "_seen.append(matplotlib.get_backend())\n"
    "def probe(i):\n"
    "    return [repr(_seen), _filters][i]\n"
)


def test_warm_up_leaves_no_trace_in_the_learners_namespace(run_dir):
    """What a notebook can see of its namespace and history is as in a fresh kernel. The warnings
    filters that the warm-imported libraries install on import are there already (the learner's
    own import would add them), on top of a fresh kernel's, which are all still there."""
    source = probe_source(2)
    submission = make_submission(source, {"answer": NAMESPACE_PROBE})
    cold = grading.grade(source, submission, limits=LIMITS)
    pool = warm.worker_pool()
    warm.prepare(LIMITS)
    used = pool.used
    hot = grading.grade(source, submission, limits=LIMITS, pool=pool)
    assert pool.used == used + 1 and not pool.failed
    (cold_seen, cold_filters), (hot_seen, hot_filters) = probe_reports(cold), probe_reports(hot)
    assert hot_seen == cold_seen
    cold_filters, hot_filters = cold_filters.split(), hot_filters.split()
    assert cold_filters and hot_filters[len(hot_filters) - len(cold_filters) :] == cold_filters


def test_a_warm_up_that_fails_falls_back_to_a_fresh_kernel(run_dir):
    """Too little memory for the warm imports: that kernel dies warming up; the submission runs
    in a fresh kernel as without warm sandboxes, and the pool stops warming for these limits."""
    small = LIMITS.merged(memory_mb=900)
    source = probe_source(1)
    submission = make_submission(source, {"answer": "def probe(i):\n    return 'ok'\n"})
    pool = warm.worker_pool()
    warm.prepare(small)
    result = grading.grade(source, submission, limits=small, pool=pool)
    assert probe_reports(result) == ["ok"], result.to_json()
    assert pool.failed
    warm.prepare(small)
    assert len(pool) == 0


# --- Same scores (and outputs) warm and cold on the whole corpus -------------------------------


def _corpus() -> list[tuple[str, nbformat.NotebookNode, bytes]]:
    cases = []
    for assignment in ("ps1", "knn"):
        source = notebook.load_source(
            (CORPUS / "source" / assignment / f"{assignment}.ipynb").read_bytes(),
            max_bytes=5_000_000,
        )
        for path in sorted((CORPUS / "submitted").glob(f"*/{assignment}/{assignment}.ipynb")):
            cases.append((f"{assignment}/{path.parts[-3]}", source, path.read_bytes()))
    for param in NOTEBOOKS:
        (exercise,) = param.values
        source = load_demo(exercise.notebook)
        stub = nbformat.writes(notebook.release(source)).encode()
        for kind, content in (
            ("solved", exercise.notebook),
            ("zh", exercise.notebook_zh),
            ("stub", stub),
        ):
            cases.append((f"{param.id}/{kind}", source, content))
    return cases


_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


def _comparable(result) -> dict:
    data = result.to_json()
    data.pop("seconds", None)
    return json_normalised(data)


def json_normalised(data):
    import json

    return json.loads(_ADDRESS.sub("0x…", json.dumps(data, sort_keys=True)))


async def _grade_all(cases, limits, *, hot: bool):
    gate = asyncio.Semaphore(2)

    async def one(source, content):
        async with gate:
            if not hot:
                return await grading.grade_async(source, content, limits=limits), False
            pool = warm.Pool(size=1)
            try:
                await pool.fill(limits, True)
                await asyncio.sleep(0)
                result = await grading.grade_async(source, content, limits=limits, pool=pool)
                return result, pool.used == 1
            finally:
                await pool.close()

    return await asyncio.gather(*(one(source, content) for _name, source, content in cases))


async def _grade_all_forked(cases, limits):
    """Every case in a kernel forked by one zygote (graders/zygote.py), two at a time."""
    gate = asyncio.Semaphore(2)
    pool = zygote.ZygotePool(size=2)

    async def one(source, content):
        async with gate:
            return await grading.grade_async(source, content, limits=limits, pool=pool, refill=1)

    try:
        results = await asyncio.gather(*(one(source, content) for _name, source, content in cases))
    finally:
        await pool.close()
    return results, pool.used


def test_scores_and_outputs_are_identical_warm_forked_and_cold(run_dir, settings):
    """Every path a submission can take gives the same result: a cold kernel, a warm one, one
    forked by the zygote."""
    settings.GRADER_ZYGOTE = True
    cases = _corpus()
    limits = sandbox.Limits.from_settings()
    cold = asyncio.run(_grade_all(cases, limits, hot=False))
    hot = asyncio.run(_grade_all(cases, limits, hot=True))
    forked, forks = asyncio.run(_grade_all_forked(cases, limits))
    assert all(used for _result, used in hot), "every warm run used its warm kernel"
    assert forks == len(cases), "every forked run used a kernel from the zygote"
    differ = []
    for (name, _source, _content), (c, _), (h, _), f in zip(cases, cold, hot, forked, strict=True):
        assert c.status in ("graded", "needs_review"), (name, c.to_json())
        for path, other in (("warm", h), ("forked", f)):
            if (c.status, c.score, c.max_score) != (other.status, other.score, other.max_score):
                differ.append((name, path, "score", c.score, other.score))
            elif _comparable(c) != _comparable(other):
                differ.append((name, path, "result", _comparable(c), _comparable(other)))
    assert differ == []


def test_only_the_libraries_the_exercise_imports_are_imported_ahead(settings):
    knn, ps1 = (
        nbformat.read(CORPUS / "source" / name / f"{name}.ipynb", as_version=4)
        for name in ("knn", "ps1")
    )
    assert warm.imports() == tuple(settings.GRADER_WARM_IMPORTS)
    assert warm.imports(knn) == ("sklearn.datasets", "sklearn.model_selection", "sklearn.neighbors")
    assert warm.imports(ps1) == ()
    settings.GRADER_WARM_IMPORTS = ["numpy", "sklearn"]
    assert warm.imports(knn) == ("sklearn",)
