"""The sandbox itself: what a kernel inside can and cannot do, and refusing without one."""

import asyncio
import json

import pytest
from django.core.management import CommandError, call_command
from nbformat.v4 import new_code_cell, new_notebook

from graders import runner, sandbox, seccomp

pytestmark = pytest.mark.sandbox

LIMITS = sandbox.Limits(cell_timeout=10, notebook_timeout=40, tmpfs_mb=16)


def run_cells(*sources, limits=LIMITS, sandboxed=True):
    nb = new_notebook(cells=[new_code_cell(source) for source in sources])
    return asyncio.run(runner.run_notebook(nb, limits=limits, sandboxed=sandboxed))


def text_of(run):
    return "".join(output.get("text", "") for output in run.outputs)


def test_kernel_runs_ipython_with_rich_outputs_and_errors():
    outcome = run_cells(
        "print('hi')", "1/0", "import numpy as np\nnp.arange(4).sum()", "%%time\nx = 1"
    )
    assert outcome.error is None
    assert [outcome.cells[i].status for i in range(4)] == ["ok", "error", "ok", "ok"]
    assert text_of(outcome.cells[0]) == "hi\n"
    assert outcome.cells[1].reply["ename"] == "ZeroDivisionError"
    assert outcome.cells[2].outputs[0]["data"]["text/plain"] == "np.int64(6)"


def test_kernel_sees_a_cleared_environment_and_an_unprivileged_uid(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "never-visible-7f3a")
    outcome = run_cells(
        "import os, json\nprint(json.dumps({'env': dict(os.environ), 'uid': os.getuid(), "
        "'cwd': os.getcwd()}))"
    )
    seen = json.loads(text_of(outcome.cells[0]))
    assert "SECRET_KEY" not in seen["env"] and "never-visible-7f3a" not in json.dumps(seen)
    assert seen["uid"] != 0
    assert seen["cwd"] == sandbox.WORK_DIR


def test_seccomp_denies_namespaces_and_ptrace_but_processes_still_work():
    probe = (
        "import ctypes, os, subprocess\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "results = {}\n"
        "results['unshare'] = (libc.unshare(0x10000000), ctypes.get_errno())\n"
        "results['ptrace'] = (libc.ptrace(16, 1, 0, 0), ctypes.get_errno())\n"
        "results['clone3'] = (libc.syscall(435, 0, 0), ctypes.get_errno())\n"
        "results['child'] = subprocess.run(['echo', 'child ok'], capture_output=True, text=True).stdout\n"
        "print(results)"
    )
    printed = text_of(run_cells(probe).cells[0])
    assert "'unshare': (-1, 1)" in printed  # EPERM
    assert "'ptrace': (-1, 1)" in printed
    assert "'clone3': (-1, 38)" in printed  # ENOSYS, so libc falls back to clone
    assert "child ok" in printed


@pytest.mark.parametrize("machine", ["x86_64", "aarch64"])
def test_seccomp_filter_compiles_for_each_supported_processor(machine):
    program = seccomp.build_filter(machine)
    assert len(program) % 8 == 0 and 50 < len(program) // 8 < 4096


def test_seccomp_refuses_an_unknown_processor():
    with pytest.raises(seccomp.UnsupportedArchitecture):
        seccomp.build_filter("sparc")


def test_the_command_follows_a_double_dash_so_it_is_never_read_as_bwrap_options(tmp_path):
    plan = sandbox.build_plan(command=["--bind", "/", "/x"], ipc_dir=tmp_path, limits=LIMITS)
    try:
        separator = plan.argv.index("--")
        assert plan.argv[-3:] == ["--bind", "/", "/x"]
        assert "--clearenv" in plan.argv[:separator]
        assert "--unshare-net" in plan.argv[:separator]
    finally:
        plan.close_fds()


def test_cell_timeout_stops_the_run_and_names_the_limit():
    limits = LIMITS.merged(cell_timeout=2)
    outcome = run_cells("x = 1", "while True: pass", "print('after')", limits=limits)
    assert outcome.cells[1].status == runner.TIMEOUT
    assert outcome.cells[2].status == runner.NOT_RUN
    assert "2 seconds" in outcome.error


def test_run_directory_is_removed_after_the_run(settings, tmp_path):
    settings.GRADER_RUN_DIR = tmp_path
    run_cells("open('/home/student/f', 'w').write('x')")
    assert list(tmp_path.iterdir()) == []


def test_without_a_sandbox_grading_is_refused_with_a_clear_message(monkeypatch):
    monkeypatch.setattr(sandbox, "find_bwrap", lambda: None)
    sandbox._bwrap_problem.cache_clear()
    try:
        with pytest.raises(sandbox.SandboxUnavailable, match="GRADER_SANDBOX=off"):
            sandbox.sandbox_mode()
        with pytest.raises(CommandError, match="sandbox is unavailable"):
            call_command("grade", "tests/graders/nbgrader_compat/source/ps1/ps1.ipynb", "x.ipynb")
    finally:
        sandbox._bwrap_problem.cache_clear()


def test_sandbox_off_runs_unsandboxed_and_says_so_loudly(settings, caplog):
    settings.GRADER_SANDBOX = "off"
    sandbox._warn_unsandboxed.cache_clear()
    assert sandbox.sandbox_mode() == "off"
    assert "WITHOUT a sandbox" in caplog.text
    outcome = run_cells("import os\nprint(os.getpid() > 2)", sandboxed=False)
    assert text_of(outcome.cells[0]) == "True\n"


def test_an_unknown_sandbox_setting_is_an_error(settings):
    settings.GRADER_SANDBOX = "maybe"
    with pytest.raises(sandbox.SandboxUnavailable, match="'auto' or 'off'"):
        sandbox.sandbox_mode()


def test_unknown_limit_names_are_rejected():
    with pytest.raises(ValueError, match="unknown sandbox limits: wall"):
        sandbox.Limits.from_settings(wall=3)


def test_limits_come_from_settings_and_per_exercise_overrides(settings):
    settings.GRADER_LIMITS = {**settings.GRADER_LIMITS, "memory_mb": 512}
    limits = sandbox.Limits.from_settings(cell_timeout=5)
    assert (limits.memory_mb, limits.cell_timeout) == (512, 5)


def test_a_checkout_under_tmp_is_not_hidden_by_the_private_tmp(settings, tmp_path):
    """CI clones into a temporary folder: the kernel's venv there must stay visible inside."""
    link = tmp_path / "venv-kernel"  # tmp_path lives under /tmp
    link.symlink_to(settings.GRADER_KERNEL_VENV)
    settings.GRADER_KERNEL_VENV = link
    sandbox._read_only_roots.cache_clear()
    try:
        outcome = run_cells("import sys\nprint(sys.prefix)")
        assert text_of(outcome.cells[0]) == f"{link}\n"
    finally:
        sandbox._read_only_roots.cache_clear()
