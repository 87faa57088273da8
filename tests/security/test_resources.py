"""Resource attacks: each is stopped by a limit, scores nothing, leaves nothing, harms no one.

Every test grades attacks written as the learner's answer and checks the containment
properties: grading returns within the notebook limit plus a margin, the tests that depend on the
attack score 0, no process and no file of the run survives it, and a normal submission graded
right afterwards gets full marks. Variants of one attack are graded together, two at a time,
to keep the suite fast.
"""

from __future__ import annotations

import pytest

from tests.security.conftest import (
    LIMITS,
    RIGHT,
    assert_bounded,
    assert_no_processes,
    assert_zero,
    grade,
    grade_many,
    grade_watching,
    make_source,
    make_submission,
    marker,
    probe_reports,
    probe_source,
    probing,
)

pytestmark = [pytest.mark.sandbox]


def _contained(results, run_dir, honest_after) -> None:
    for result in results:
        assert_bounded(result)
        assert_zero(result)
    assert_no_processes(str(run_dir))
    honest_after()


def _grade_all(source, attacks: list[str]):
    return grade_many(source, [make_submission(source, {"answer": a}) for a in attacks])


def test_infinite_loop_and_long_sleep(source, run_dir, honest_after):
    """A busy loop and a 1000-second sleep are both cut at the cell timeout, not waited for."""
    results = _grade_all(source, ["while True:\n    pass", "import time\ntime.sleep(1000)"])
    for result in results:
        assert result.error and "longer than" in result.error, result.to_json()
        assert result.seconds >= LIMITS.cell_timeout
    _contained(results, run_dir, honest_after)


def test_notebook_timeout_across_cells(run_dir, honest_after):
    """Many cells each just under the cell limit are stopped by the notebook deadline."""
    tests = [
        (f"t{i}", "import time\ntime.sleep(1.5)\nassert square(2) == 4", 1, False)
        for i in range(12)
    ]
    source = make_source(tests=tests)
    limits = LIMITS.merged(notebook_timeout=6)
    result = grade(source, make_submission(source, {"answer": RIGHT}), limits)
    assert result.error and "ran out of time" in result.error, result.to_json()
    assert result.seconds < limits.notebook_timeout + 15
    # Only the tests that finished in time can have scored; the rest did not run.
    assert result.score < len(tests)
    assert any(test.message.startswith("Not run") for test in result.tests)
    assert_no_processes(str(run_dir))
    honest_after()


def test_fork_bombs(source, run_dir, honest_after):
    """os.fork() in an endless loop, and a bomb of fresh interpreters: the process limit holds
    both, and every process they made dies with the run."""
    tag = marker()
    forks = (
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    )
    interpreters = (
        "import subprocess, sys\n"
        f"child = {forks!r}\n"
        "while True:\n"
        "    try:\n"
        f"        subprocess.Popen([sys.executable, '-c', child, {tag!r}])\n"
        "    except OSError:\n"
        "        pass\n"
    )
    submissions = [make_submission(source, {"answer": a}) for a in (forks, interpreters)]
    results, samples = grade_watching(source, submissions, [str(run_dir), tag])
    most = max((len(sample) for sample in samples[str(run_dir)]), default=0)
    assert most > 5, "the fork bomb never got going"
    # Per run: bwrap's own two processes + at most `processes` of the run's uid.
    assert most <= 2 * (LIMITS.processes + 3)
    assert samples[tag], "the interpreter bomb never started"
    assert max(len(sample) for sample in samples[tag]) <= LIMITS.processes
    assert_no_processes(tag)
    _contained(results, run_dir, honest_after)


def test_memory_bombs(source, run_dir, honest_after):
    """Allocating without bound fails inside the sandbox (address-space limit); host unharmed."""
    attacks = [
        "hoard = []\nwhile True:\n    hoard.append(b'x' * (64 * 1024 * 1024))",
        "big = bytearray(10 ** 12)",
        "import numpy as np\nbig = np.ones((40_000, 40_000))",
    ]
    _contained(_grade_all(source, attacks), run_dir, honest_after)


def test_memory_bomb_across_processes(run_dir, honest_after):
    """Memory spread over several processes must still respect the sandbox's memory limit.

    Three children each hold 500 MB at the same time (1.5 GB with memory_mb=1024). A
    per-process address-space rlimit lets every one of them succeed, so a notebook can take
    `processes` x `memory_mb` of the host's memory (64 GB with the defaults). Only a limit on the
    sandbox as a whole (a memory cgroup, which SECURITY.md requires where the machine offers
    one) stops this.
    """
    # A child counts only if it still holds its memory at the end of a window in which all of
    # them hold it: one killed after allocating (OOM picks the largest) must not count.
    attack = (
        "import subprocess, sys\n"
        "hold = \"b = b'x' * (500 * 1024 * 1024)\\nimport time\\ntime.sleep(3)\\nprint('held', flush=True)\"\n"
        "def attempt(n):\n"
        "    kids = [subprocess.Popen([sys.executable, '-c', hold], stdout=subprocess.PIPE, "
        "stderr=subprocess.DEVNULL) for _ in range(n)]\n"
        "    held = sum(kid.communicate(timeout=10)[0].strip() == b'held' for kid in kids)\n"
        "    return f'held MB={held * 500}'\n"
    )
    source = probe_source(1)
    limits = LIMITS.merged(cell_timeout=15, notebook_timeout=25)
    result = grade(source, make_submission(source, {"answer": probing(attack, [3])}), limits)
    report = probe_reports(result)[0]
    assert_zero(result, max_score=1.0)
    # With a limit on the whole sandbox, a child (or the kernel) is killed before all are held.
    if report.startswith("held MB="):
        held_mb = int(report.removeprefix("held MB="))
        assert held_mb <= LIMITS.memory_mb, (
            f"the sandbox held {held_mb} MB at once with memory_mb={LIMITS.memory_mb}: "
            "memory is limited per process, not per sandbox"
        )
    else:
        assert result.error, result.to_json()
    assert_no_processes(str(run_dir))
    honest_after()


def test_output_floods(source, run_dir, honest_after):
    """Endless output on stdout, stderr or display is cut at the output budget: the run stops and
    nothing is buffered without bound."""
    attacks = [
        "i = 0\nwhile True:\n    print(i, 'flood' * 20)\n    i += 1",
        "import sys\nwhile True:\n    sys.stderr.write('err' * 1000 + '\\n')",
        "from IPython.display import display\n"
        "while True:\n    display({'text/html': '<b>x</b>' * 500}, raw=True)",
    ]
    results = _grade_all(source, attacks)
    for result in results:
        # The wording depends on which the orchestrator notices first: the budget or the kill.
        assert result.error and ("too much output" in result.error or "stopped" in result.error)
    _contained(results, run_dir, honest_after)


def test_one_huge_output(source, run_dir, honest_after):
    """One 50 MB message (print, stderr, display, execute result, or a test's assertion message)
    is refused (ZeroMQ size cap or output budget), never assembled or stored whole."""
    raise_huge = (
        "def square(x):\n    raise AssertionError('m' * 50_000_000)\n"
        "def square_list(n):\n    return square(n)"
    )
    attacks = [
        "print('x' * 50_000_000)",
        "import sys\nsys.stderr.write('y' * 50_000_000)",
        "from IPython.display import display\ndisplay({'text/plain': 'z' * 50_000_000}, raw=True)",
        "'w' * 50_000_000",
        raise_huge,
    ]
    results = _grade_all(source, attacks)
    for result in results:
        assert len(str(result.to_json())) < 10_000
    _contained(results, run_dir, honest_after)


def test_disk_fill(run_dir, honest_after, tmp_path):
    """Filling every writable place stops at the size limits; host paths are not writable at all,
    and nothing written reaches the host's disk."""
    tag = marker()
    attack = (
        "import os, shutil\n"
        "def attempt(target):\n"
        "    written, made = 0, []\n"
        "    try:\n"
        "        os.makedirs(target, exist_ok=True)\n"
        "        for n in range(200):\n"
        f"            path = os.path.join(target, '{tag}-%d' % n)\n"
        "            made.append(path)\n"
        "            with open(path, 'wb') as f:\n"
        "                for _ in range(4):\n"
        "                    f.write(b'd' * 1024 * 1024)\n"
        "                    written += 1024 * 1024\n"
        "        result = 'no-limit'\n"
        "    except OSError as e:\n"
        "        result = str(e.errno)\n"
        "    finally:\n"
        "        for path in made:\n"
        "            try:\n"
        "                os.unlink(path)\n"
        "            except OSError:\n"
        "                pass\n"
        "    return f'{written // (1024 * 1024)} {result}'\n"
    )
    sandbox_tmpfs = ["/tmp", "/home/student", "/dev/shm"]
    # tmp_path holds the run directory, so its ancestors exist inside (read-only, root's).
    host_paths = ["/var/tmp", "/", "/usr/lib", "/etc", str(tmp_path), str(run_dir), "/work/main"]
    targets = sandbox_tmpfs + host_paths
    source = probe_source(len(targets))
    result = grade(source, make_submission(source, {"answer": probing(attack, targets)}))
    reports = dict(zip(targets, probe_reports(result), strict=True))
    for target in sandbox_tmpfs:
        written_mb, errno = reports[target].split()
        # The private tmpfs is full (ENOSPC 28) or a file hit the size limit (EFBIG 27).
        assert errno in ("28", "27"), reports
        assert int(written_mb) <= LIMITS.tmpfs_mb, reports
    for target in host_paths:
        assert reports[target].startswith("0 "), reports
    assert_zero(result, max_score=float(len(targets)))
    assert not any(tag in path.name for path in tmp_path.rglob("*"))
    assert_no_processes(str(run_dir))
    honest_after()


def test_deep_recursion_and_segfaults(source, run_dir, honest_after):
    """Recursion with the limit raised (C stack overflow), a 10^6-deep repr, a NULL read through
    ctypes and SIGSEGV, in the answer or inside the tests: the kernel dies, grading does not."""
    recursion = "import sys\nsys.setrecursionlimit(10 ** 7)\ndef f(n):\n    return f(n + 1) + 1\n"
    attacks = [
        recursion + "f(0)",
        recursion + "def square(x):\n    return f(0)\nsquare_list = square",
        "x = []\nfor _ in range(10 ** 6):\n    x = [x]\nrepr(x)",
        "import ctypes\nctypes.string_at(0)",
        "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)",
        "def square(x):\n    import ctypes\n    return ctypes.string_at(0)\nsquare_list = square",
    ]
    results = _grade_all(source, attacks)
    for result in results[3:]:
        assert result.error and "stopped" in result.error, result.to_json()
    _contained(results, run_dir, honest_after)


def _spawners(tag: str) -> str:
    sleeper = "import time\\nwhile True:\\n    time.sleep(1)"
    stubborn = (
        "import signal, time\\n"
        "for s in (signal.SIGHUP, signal.SIGINT, signal.SIGTERM):\\n"
        "    signal.signal(s, signal.SIG_IGN)\\n"
        "while True:\\n    time.sleep(1)"
    )
    return (
        "import os, subprocess, sys\n"
        f"TAG = {tag!r}\n"
        "null = subprocess.DEVNULL\n"
        f"subprocess.Popen([sys.executable, '-c', '{sleeper}', TAG + '-child'])\n"
        f"subprocess.Popen([sys.executable, '-c', '{sleeper}', TAG + '-session'], "
        "start_new_session=True, stdin=null, stdout=null, stderr=null)\n"
        f"subprocess.Popen([sys.executable, '-c', '{stubborn}', TAG + '-stubborn'])\n"
        'subprocess.Popen([\'sh\', \'-c\', \'nohup "$0" -c "import time; time.sleep(1000)" "$1" '
        ">/dev/null 2>&1 &', sys.executable, TAG + '-nohup'])\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        f"        os.execv(sys.executable, [sys.executable, '-c', '{sleeper}', TAG + '-daemon'])\n"
        "    os._exit(0)\n"
        "os.waitpid(pid, 0)\n"
        "import time\n"
        "time.sleep(0.5)\n"
    )


def test_processes_left_behind(source, run_dir, honest_after):
    """Children, new sessions, SIGHUP/SIGTERM-ignoring processes, nohup and double-forked
    daemons all die with the run, after a normal run and after a timeout alike."""
    normal, timed_out = marker(), marker()
    submissions = [
        make_submission(source, {"answer": _spawners(normal) + RIGHT}),
        make_submission(source, {"answer": _spawners(timed_out) + "while True:\n    pass\n"}),
    ]
    results, samples = grade_watching(source, submissions, [normal, timed_out])
    for tag in (normal, timed_out):
        seen = {pid for sample in samples[tag] for pid in sample}
        assert len(seen) >= 5, f"the attack did not start its processes: {samples[tag]}"
        assert_no_processes(tag)
    # A right answer that also spawns processes is still a right answer.
    assert results[0].score == 5.0, results[0].to_json()
    _contained(results[1:], run_dir, honest_after)
