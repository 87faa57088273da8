"""The zygote: one sandboxed interpreter that has imported the libraries forks each run's kernel.

A warm kernel (graders/warm.py) saves a submission the wait for Python, ipykernel and scikit-learn
to load, but each one still pays that CPU (about 2.5 s for the k-NN exercise) before it can serve.
The zygote pays it once per worker process: it starts in a bubblewrap sandbox like a cold kernel's
(graders/sandbox.build_zygote_plan), imports ipykernel's modules and settings.GRADER_WARM_IMPORTS,
then forks a kernel per submission in milliseconds, copy-on-write. Its program is
graders/zygote_main.py; how each fork is isolated from the zygote and from its siblings is
described there: own cgroup, mount/PID/network/IPC/UTS/cgroup namespaces, fresh /proc, tmpfs,
passwd and loopback, own unprivileged uid and rlimits, the seccomp filter, no capability, and no
descriptor of the zygote's. Each kernel serves one submission and is destroyed like a cold one.

Only a root worker can run a zygote (each run needs a uid of its own); elsewhere, or with
GRADER_ZYGOTE off, warm kernels are used as before. A run whose memory limit leaves too little
room beside the zygote's address space gets a cold kernel, and so does every run if the zygote
cannot start. Modules that look for a running IPython when imported (matplotlib.pyplot installs
its display hook then) are left to the kernels that import them.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import select
import signal
import socket
import subprocess
from pathlib import Path

from django.conf import settings

from graders import cgroups, runner, sandbox, warm

logger = logging.getLogger(__name__)

PROGRAM = (Path(__file__).resolve().parent / "zygote_main.py").read_text()
MB = 1024 * 1024
# Room a run's memory limit must leave beyond what the zygote already maps.
HEADROOM = 256 * MB
# Modules whose import looks for a running IPython (pyplot installs its display hook then): never
# imported by the zygote, only by the kernels that use them, which find their dependencies there.
_NEEDS_SHELL = ("matplotlib.pyplot", "pylab", "matplotlib_inline", "matplotlib.backends")


class ZygoteError(RuntimeError):
    pass


def enabled() -> bool:
    mode = settings.GRADER_SANDBOX.strip().lower()
    return bool(
        settings.GRADER_ZYGOTE
        and settings.GRADER_WARM_KERNELS
        and os.geteuid() == 0
        and mode != "off"
    )


class ZygoteProcess:
    """A run's init process (PID 1 of its namespaces), held by a pidfd; answers like a Popen.

    Killing it kills everything in the run's PID namespace. It is not our child, so its exit
    status is unknown: -SIGKILL once we killed it, else 1."""

    stdin = stdout = stderr = None

    def __init__(self, pidfd: int):
        self.pidfd = pidfd
        self.pid = _pid_of(pidfd)
        self.returncode: int | None = None
        self._killed = False

    def poll(self) -> int | None:
        exited = self.pidfd < 0 or select.select([self.pidfd], [], [], 0)[0]
        if self.returncode is None and exited:
            self.returncode = -signal.SIGKILL if self._killed else 1
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.poll() is None and not select.select([self.pidfd], [], [], timeout)[0]:
            raise subprocess.TimeoutExpired(["zygote run"], timeout or 0)
        return self.poll()  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self.pidfd, signum)

    def kill(self) -> None:
        self._killed = True
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def close(self) -> None:
        if self.pidfd >= 0:
            os.close(self.pidfd)
            self.pidfd = -1


def _pid_of(pidfd: int) -> int:
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/self/fdinfo/{pidfd}").read_text().splitlines():
            if line.startswith("Pid:"):
                return int(line.split()[1])
    return -1


class Zygote:
    """One zygote process and its socket, used from one event loop."""

    def __init__(self):
        self.limits = sandbox.Limits.from_settings()
        self.base: Path | None = None
        self.process: subprocess.Popen | None = None
        self.virtual_size = 0
        self.cgroup: cgroups.RunCgroup | None = None
        self._socket: socket.socket | None = None
        self._ready: asyncio.Future | None = None
        self._waiting: dict[int, asyncio.Future] = {}
        self._ids = itertools.count(1)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None and self._socket is not None

    async def start(self) -> None:
        """Launch it; returns at once (the imports go on inside). Raises SandboxUnavailable."""
        loop = asyncio.get_running_loop()
        self.base = sandbox.new_run_dir(prefix="zygote-")
        self.base.chmod(0o711)  # each run's directory inside is its own uid's alone
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        command = [str(sandbox.kernel_python()), "-I", "-c", PROGRAM, str(theirs.fileno())]
        command += [json.dumps(list(settings.GRADER_WARM_IMPORTS)), json.dumps(_NEEDS_SHELL)]
        command += runner.KERNEL_OPTIONS
        try:
            plan = sandbox.build_zygote_plan(command=command, ipc_dir=self.base, limits=self.limits)
            # Its memory (the libraries, which every fork shares until it writes to them) and
            # processes are bounded like a kernel's: GRADER_MEMORY_MB, GRADER_PROCESSES.
            self.cgroup = cgroups.create(
                memory_bytes=self.limits.memory_mb * MB, processes=self.limits.processes
            )
            steps = [runner._die_with_parent]
            if self.cgroup is not None:
                steps.append(self.cgroup.enter)
            try:
                self.process = subprocess.Popen(
                    plan.argv,
                    pass_fds=(*plan.pass_fds, theirs.fileno()),
                    env=sandbox._launcher_env(),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                    preexec_fn=runner._chain(steps),
                )
            finally:
                plan.close_fds()
        except BaseException:
            ours.close()
            if self.cgroup is not None:
                self.cgroup.destroy()
            sandbox.remove_run_dir(self.base)
            raise
        finally:
            theirs.close()
        ours.setblocking(False)
        self._socket = ours
        self._ready = loop.create_future()
        loop.add_reader(ours.fileno(), self._readable)

    @property
    def ready(self) -> bool:
        ready = self._ready
        return ready is not None and ready.done() and not ready.exception()

    async def wait_ready(self, timeout: float) -> None:
        assert self._ready is not None
        await asyncio.wait_for(asyncio.shield(self._ready), timeout)

    def fits(self, limits: sandbox.Limits) -> bool:
        return limits.memory_mb * MB >= self.virtual_size + HEADROOM

    async def spawn(
        self, arguments: list[str], uid: int, limits: sandbox.Limits, cgroup, run_dir: Path
    ) -> ZygoteProcess:
        """Ask for a kernel: runs `ipykernel arguments` as `uid` in `cgroup`, with `run_dir`."""
        await self.wait_ready(limits.startup_timeout)
        if self._socket is None:
            raise ZygoteError("the zygote is gone")
        loop = asyncio.get_running_loop()
        request_id = next(self._ids)
        reply = self._waiting[request_id] = loop.create_future()
        directories = cgroup.directories if cgroup is not None else []
        fds = [os.open(d, os.O_RDONLY | os.O_DIRECTORY) for d in directories]
        request = {
            "id": request_id,
            "argv": arguments,
            "uid": uid,
            "run_dir": str(run_dir),
            "read_only": list(sandbox.read_only_roots()),
            # One more process for the run's init, which also runs as the run's uid.
            "rlimits": [
                (name, value + 1 if name == sandbox.resource.RLIMIT_NPROC else value)
                for name, value in sandbox.rlimit_values(limits).items()
            ],
            "tmpfs_bytes": limits.tmpfs_mb * MB,
            "seccomp": sandbox.seccomp_program().hex(),
        }
        try:
            socket.send_fds(self._socket, [json.dumps(request).encode()], fds)
            answer, pidfds = await asyncio.wait_for(reply, limits.startup_timeout)
        finally:
            self._waiting.pop(request_id, None)
            for fd in fds:
                os.close(fd)
        if answer.get("ok") and len(pidfds) == 1:
            return ZygoteProcess(pidfds[0])
        for fd in pidfds:
            os.close(fd)
        raise ZygoteError(answer.get("error") or "no process")

    def _readable(self) -> None:
        while self._socket is not None:
            try:
                message, fds, _flags, _address = socket.recv_fds(self._socket, 1 << 16, 4)
            except BlockingIOError:
                return
            except OSError:
                message, fds = b"", []
            if not message:
                self._gone()
                return
            try:
                answer = json.loads(message)
            except ValueError:
                answer = {}
            if answer.get("ready"):
                self.virtual_size = int(answer.get("virtual_size") or 0)
                if self._ready is not None and not self._ready.done():
                    self._ready.set_result(True)
                continue
            waiter = self._waiting.get(answer.get("id"))
            if waiter is not None and not waiter.done():
                waiter.set_result((answer, fds))
            else:
                for fd in fds:
                    os.close(fd)

    def _gone(self) -> None:
        """The zygote closed its socket: it died, or never got ready."""
        self._close_socket()
        error = ZygoteError("the zygote stopped")
        for future in [self._ready, *self._waiting.values()]:
            if future is not None and not future.done():
                future.set_exception(error)
                future.exception()  # retrieved: no "never retrieved" warning if nobody waits

    def _close_socket(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(self._socket.fileno())
            self._socket.close()
            self._socket = None

    async def close(self) -> None:
        """Kill the zygote (its PID namespace, and any run still in it, die with it)."""
        self._close_socket()
        if self.process is not None:
            with contextlib.suppress(OSError):
                os.killpg(self.process.pid, signal.SIGKILL)
            for _ in range(200):
                if self.process.poll() is not None:
                    break
                await asyncio.sleep(0.01)
        if self.cgroup is not None:
            self.cgroup.destroy()
        if self.base is not None:
            sandbox.remove_run_dir(self.base)


class ZygoteKernelManager(runner.SandboxedKernelManager):
    """A kernel forked by the zygote instead of launched through bwrap; otherwise the same."""

    def __init__(self, *, zygote: Zygote, run_dir: Path, limits: sandbox.Limits):
        super().__init__(run_dir=run_dir, limits=limits, sandboxed=True)
        self.zygote = zygote
        self.process: ZygoteProcess | None = None

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        return ["-f", self.connection_file, *runner.KERNEL_OPTIONS]

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        host_uid = sandbox.new_host_uid()
        self.plan = sandbox.SandboxPlan(argv=[], host_uid=host_uid)
        self.cgroup = cgroups.create(
            memory_bytes=self.limits.memory_mb * MB, processes=self.limits.processes
        )
        sandbox.prepare_ipc_dir(self.run_dir, host_uid)
        os.chown(self.connection_file, 0, host_uid)
        os.chmod(self.connection_file, 0o640)
        self.process = await self.zygote.spawn(
            kernel_cmd, host_uid, self.limits, self.cgroup, self.run_dir
        )
        assert self.provisioner is not None
        self.provisioner.process = self.process  # type: ignore[attr-defined]
        self.provisioner.pid = self.process.pid  # type: ignore[attr-defined]
        self.provisioner.pgid = None  # type: ignore[attr-defined]
        self._reconcile_connection_info(self.provisioner.connection_info)

    def kill_now(self) -> None:
        if self.process is not None:
            self.process.kill()

    def close_context(self) -> None:
        if self.process is not None:
            self.process.close()
        super().close_context()


class ZygotePool(warm.Pool):
    """Warm kernels forked by a zygote: one kept ready ahead, as warm.Pool does, at the cost of a
    fork and ipykernel's start (about 50 ms of CPU) instead of a whole interpreter's; and when
    none fits, one forked for the submission at hand rather than a cold start."""

    def __init__(self, size: int = 1):
        super().__init__(size)
        self.zygote: Zygote | None = None
        self.broken = False  # the zygote could not start here: cold kernels from now on

    def __len__(self) -> int:
        return super().__len__() + int(self.zygote is not None)

    async def fill(self, limits: sandbox.Limits, sandboxed: bool, **kwargs) -> None:
        """Have the zygote started, and once it is ready, a kernel forked ahead. Never waits
        for the zygote."""
        if not sandboxed or self.broken:
            return
        try:
            zygote = await self._zygote()
        except Exception:
            return
        # Not ready (importing for a few seconds): a kernel is forked when the first submission
        # comes; a worker process's start must not wait (Celery gives it 4 s).
        if not zygote.ready or not zygote.fits(limits):
            return
        await super().fill(limits, sandboxed, **kwargs)

    async def take(
        self, limits: sandbox.Limits, sandboxed: bool
    ) -> runner.SandboxedKernelManager | None:
        """The kernel forked ahead if it fits, else one forked now; None for a cold kernel (not
        sandboxed, limits that leave no room beside the zygote, or no zygote)."""
        if self.zygote is not None and not self.zygote.alive:
            await super().close()  # forked by the dead zygote: dying with it
            with contextlib.suppress(Exception):
                await self._zygote()  # another, ready in a few seconds
        km = await super().take(limits, sandboxed)
        if km is not None or not sandboxed or self.broken:
            return km
        if self.key_of(limits, sandboxed) in self.failed:
            return None
        try:
            km = await self._launch(limits, sandboxed, ())
        except Exception as error:
            logger.warning("no kernel from the zygote (%s): a cold one instead", error)
            return None
        self.used += 1
        return km

    def give_up(self, key: tuple) -> None:
        """A forked kernel died before it could run: no more forks for these limits, unless the
        zygote itself died (a new one is started instead)."""
        if self.zygote is not None and self.zygote.alive:
            super().give_up(key)

    async def _launch(
        self, limits: sandbox.Limits, sandboxed: bool, modules: tuple[str, ...]
    ) -> runner.SandboxedKernelManager:
        zygote = await self._zygote()
        try:
            await zygote.wait_ready(limits.startup_timeout)
        except Exception:
            self.broken = not zygote.alive  # died importing: it would again
            raise
        if not zygote.fits(limits):
            raise ZygoteError("the memory limit leaves no room beside the zygote")
        run_dir = sandbox.new_run_dir(parent=zygote.base)
        km = ZygoteKernelManager(zygote=zygote, run_dir=run_dir, limits=limits)
        try:
            await km.start_kernel()
        except BaseException:
            await runner.discard(km)
            raise
        return km

    async def _zygote(self) -> Zygote:
        if self.zygote is not None and self.zygote.alive:
            return self.zygote
        if self.broken:
            raise ZygoteError("no zygote on this worker")
        if self.zygote is not None:
            logger.warning("the zygote died; starting another")
            await self.zygote.close()
            self.zygote = None
        zygote = Zygote()
        try:
            await zygote.start()
        except Exception as error:
            self.broken = True
            logger.warning("no zygote (%s): cold kernels instead", error)
            raise
        self.zygote = zygote
        return zygote

    async def close(self) -> None:
        await super().close()
        if self.zygote is not None:
            await self.zygote.close()
            self.zygote = None
