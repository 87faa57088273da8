"""The zygote (graders/zygote.py, graders/zygote_main.py): kernels forked from one sandboxed
interpreter that imported the libraries ahead.

What must hold: a forked kernel is sandboxed exactly as a cold one (uid, capabilities, seccomp,
namespaces, filesystem, limits) and holds nothing of the zygote's (no descriptor, the same random
state as no other run); consecutive and concurrent submissions see nothing of each other; it is
used where it can be and not where it cannot (switched off, memory limits too small); a dead
zygote is replaced. Same scores as cold: tests/graders/test_warm_sandboxes.py compares all three.
"""

from __future__ import annotations

import ast
import asyncio
import os
import signal

import pytest

from graders import grading, sandbox, warm, zygote
from tests.graders.test_warm_sandboxes import LIMITS, NAMESPACE_PROBE, _leaver, _seeker
from tests.security.conftest import (
    assert_no_processes,
    make_submission,
    marker,
    probe_reports,
    probe_source,
)

pytestmark = pytest.mark.sandbox


@pytest.fixture
def run_dir(settings, tmp_path):
    """A private run directory, empty again once the worker's zygote is gone."""
    base = tmp_path / "runs"
    settings.GRADER_RUN_DIR = base
    settings.GRADER_WARM_KERNELS = True
    settings.GRADER_ZYGOTE = True
    warm.shutdown()
    assert zygote.enabled(), "these tests need a root worker (as CI and production have)"
    yield base
    warm.shutdown()
    if base.exists():
        assert list(base.iterdir()) == [], "files left behind in the run directory"


def _grade(answer: str, *, count: int = 1, limits=LIMITS, pool=None):
    source = probe_source(count)
    submission = make_submission(source, {"answer": answer})
    return grading.grade(source, submission, limits=limits, pool=pool)


# What a kernel sees of its own sandbox: the same in a cold kernel and a forked one, except the uid.
_INSPECT = """\
import os, socket, stat
def _status(field):
    for line in open('/proc/self/status'):
        if line.startswith(field + ':'):
            return line.split(':', 1)[1].strip()
def _sockets():
    kinds = set()
    for fd in os.listdir('/proc/self/fd'):
        try:
            if stat.S_ISSOCK(os.fstat(int(fd)).st_mode):
                s = socket.socket(fileno=os.dup(int(fd)))
                kinds.add(s.type.name)
                s.close()
        except OSError:
            pass
    return sorted(kinds)
def _loopback():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); s.listen()
        with socket.create_connection(s.getsockname(), timeout=2):
            return 'up'
def _outside():
    try:
        socket.create_connection(('1.1.1.1', 53), timeout=2)
        return 'reached'
    except OSError:
        return 'unreachable'
_seen = {
    'uid': os.getuid(), 'pid': os.getpid(), 'ppid': os.getppid(),
    'others': sorted(int(p) for p in os.listdir('/proc') if p.isdigit() and int(p) > os.getpid()) == [],
    'pids below': sorted(int(p) for p in os.listdir('/proc') if p.isdigit() and int(p) < os.getpid()),
    'cap_eff': _status('CapEff'), 'cap_prm': _status('CapPrm'), 'cap_bnd_zero': _status('CapBnd') == '0' * 16,
    'no_new_privs': _status('NoNewPrivs'), 'seccomp': _status('Seccomp'),
    'hostname': socket.gethostname(), 'cgroup': open('/proc/self/cgroup').read().split(':')[-1].strip(),
    'passwd': open('/etc/passwd').read().replace(str(os.getuid()), 'UID'),
    'writable': [d for d in ('/', '/usr', '/etc', '/run', os.path.dirname(os.__file__)) if os.access(d, os.W_OK)],
    'tmp': [os.access(d, os.W_OK) for d in ('/tmp', '/home/student', '/dev/shm')],
    'cwd': os.getcwd(), 'sockets': _sockets(), 'loopback': _loopback(), 'outside': _outside(),
    'home': sorted(os.listdir('/home')), 'root': sorted(os.listdir('/')), 'mine': sorted(os.listdir('/home/student')),
}
_keys = sorted(_seen)
def probe(i):
    return repr((_keys[i], _seen[_keys[i]]))
"""
_INSPECTED = 22  # keys in _seen


def _inspect(pool=None) -> dict:
    reports = probe_reports(_grade(_INSPECT, count=_INSPECTED, pool=pool))
    return dict(ast.literal_eval(report) for report in reports)


def test_a_forked_kernel_is_sandboxed_like_a_cold_one(run_dir, settings):
    settings.GRADER_WARM_KERNELS = False  # cold: bubblewrap starts the kernel
    cold = _inspect()
    settings.GRADER_WARM_KERNELS = True
    pool = warm.worker_pool()
    assert isinstance(pool, zygote.ZygotePool)
    used = pool.used
    forked = _inspect(pool)
    assert pool.used == used + 1, "the kernel came from the zygote"
    assert forked["uid"] != cold["uid"] and forked["uid"] >= sandbox.HOST_UID_RANGE[0]
    # The bounding set: the cold kernel's keeps SETUID/SETGID (inert with no_new_privs), ours is empty.
    assert forked["cap_bnd_zero"]
    assert {**forked, "uid": 0, "cap_bnd_zero": 0} == {**cold, "uid": 0, "cap_bnd_zero": 0}
    assert forked["cap_eff"] == forked["cap_prm"] == "0" * 16
    assert (forked["no_new_privs"], forked["seccomp"]) == ("1", "2")
    assert forked["sockets"] == ["SOCK_STREAM"], "no descriptor of the zygote (SEQPACKET)"
    assert forked["writable"] == [] and forked["tmp"] == [True, True, True]
    assert (forked["loopback"], forked["outside"]) == ("up", "unreachable")


def test_every_fork_gets_its_own_uid_and_random_state(run_dir):
    """Forks of one process share its memory, random generators included: each kernel reseeds,
    and runs as a uid of its own."""
    answer = (
        "import os, random, numpy, tempfile\n"
        "_seen = f'{os.getuid()} {random.random()} {numpy.random.rand()} "
        "{os.path.basename(tempfile.mktemp())}'\n"
        "def probe(i):\n    return _seen\n"
    )
    pool = warm.worker_pool()
    seen = [probe_reports(_grade(answer, pool=pool))[0].split() for _ in range(3)]
    assert pool.used >= 3
    for column in zip(*seen, strict=True):
        assert len(set(column)) == 3, seen


def test_consecutive_submissions_see_nothing_of_each_other(run_dir):
    pool = warm.worker_pool()
    tag = marker()
    warm.prepare(LIMITS)
    first = _grade(_leaver(tag), pool=pool)
    assert probe_reports(first) == ["left"], first.to_json()
    assert_no_processes(tag)
    used = pool.used
    second = _grade(_seeker(tag), pool=pool)
    assert pool.used == used + 1, "the second submission ran in a forked kernel"
    assert probe_reports(second) == ["FOUND "], second.to_json()


def test_concurrent_submissions_see_nothing_of_each_other(run_dir, monkeypatch):
    """Four submissions, two at a time, each leaving traces and then looking for the others',
    and trying to signal every process it can name."""
    forked = []
    original = zygote.ZygotePool.take

    async def counting_take(self, limits, sandboxed):
        km = await original(self, limits, sandboxed)
        forked.append(isinstance(km, zygote.ZygoteKernelManager))
        return km

    monkeypatch.setattr(zygote.ZygotePool, "take", counting_take)
    tags = [marker() for _ in range(4)]
    source = probe_source(1)
    submissions = []
    for tag in tags:
        others = [other for other in tags if other != tag]
        seek = "\n".join(_seeker(other, f"_p{j}", generic=False) for j, other in enumerate(others))
        code = (
            _leaver(tag)
            + "\nimport os, signal, time\ntime.sleep(0.5)\n"
            # every pid it could name but its own threads (a thread id signals its process)
            + "_own = {int(t) for t in os.listdir('/proc/self/task')} | {1}\n"
            + "for _pid in set(range(1, 400)) - _own:\n"
            + "    try:\n        os.kill(_pid, signal.SIGKILL)\n"
            + "    except OSError:\n        pass\n"
            + seek
            + "\ndef probe(i):\n    return ' '.join(f(0) for f in (_p0, _p1, _p2))\n"
        )
        submissions.append(make_submission(source, {"answer": code}))
    results = asyncio.run(grading.grade_many_async(source, submissions, jobs=2, limits=LIMITS))
    for result in results:
        assert probe_reports(result) == ["FOUND  FOUND  FOUND "], result.to_json()
    assert sum(forked) >= 3, f"the zygote served {sum(forked)} of 4 submissions"
    for tag in tags:
        assert_no_processes(tag)


def test_limits_that_leave_no_room_beside_the_zygote_get_a_cold_kernel(run_dir):
    pool = warm.worker_pool()
    warm.prepare(LIMITS)
    zygote_size = warm.run(_ready_size(pool))
    small = LIMITS.merged(memory_mb=(zygote_size + zygote.HEADROOM) // zygote.MB - 1)
    used = pool.used
    result = _grade("def probe(i):\n    return 'cold'\n", limits=small, pool=pool)
    assert probe_reports(result) == ["cold"], result.to_json()
    assert pool.used == used, "no forked kernel for these limits"


async def _ready_size(pool) -> int:
    await pool.zygote.wait_ready(60)
    return pool.zygote.virtual_size


def test_a_zygote_that_died_is_replaced(run_dir):
    pool = warm.worker_pool()
    warm.prepare(LIMITS)
    first = pool.zygote
    warm.run(first.wait_ready(60))
    os.killpg(first.process.pid, signal.SIGKILL)
    first.process.wait(5)
    used = pool.used
    result = _grade("def probe(i):\n    return 'again'\n", pool=pool)
    assert probe_reports(result) == ["again"], result.to_json()
    assert pool.used == used + 1 and pool.zygote is not first and pool.zygote.alive
    assert not first.base.exists(), "the dead zygote's directory is gone"


def test_no_zygote_when_switched_off_or_without_root(run_dir, settings, monkeypatch):
    settings.GRADER_ZYGOTE = False
    assert not zygote.enabled() and type(warm.worker_pool()) is warm.Pool
    settings.GRADER_ZYGOTE = True
    settings.GRADER_WARM_KERNELS = False
    assert not zygote.enabled()
    settings.GRADER_WARM_KERNELS = True
    monkeypatch.setattr(zygote.os, "geteuid", lambda: 1000)
    assert not zygote.enabled()
    with pytest.raises(sandbox.SandboxUnavailable):
        sandbox.build_zygote_plan(command=["true"], ipc_dir=run_dir, limits=LIMITS)
    monkeypatch.undo()
    assert isinstance(warm.worker_pool(), zygote.ZygotePool)


def test_a_forked_kernel_starts_with_a_fresh_kernel_s_namespace(run_dir, settings):
    """Namespace, history, `_`, __name__, matplotlib's backend and the warnings filters: as in a
    cold kernel (the libraries the zygote imported may only add filters, as a learner's import
    of them would)."""
    source = probe_source(2)
    submission = make_submission(source, {"answer": NAMESPACE_PROBE})
    settings.GRADER_WARM_KERNELS = False
    cold = grading.grade(source, submission, limits=LIMITS)
    settings.GRADER_WARM_KERNELS = True
    pool = warm.worker_pool()
    used = pool.used
    forked = grading.grade(source, submission, limits=LIMITS, pool=pool)
    assert pool.used == used + 1
    (cold_seen, cold_filters), (forked_seen, forked_filters) = (
        probe_reports(cold),
        probe_reports(forked),
    )
    assert forked_seen == cold_seen
    cold_filters, forked_filters = cold_filters.split(), forked_filters.split()
    assert cold_filters and set(cold_filters) <= set(forked_filters)
