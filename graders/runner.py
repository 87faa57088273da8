"""Runs an assembled notebook cell by cell in a sandboxed kernel and records what happened.

The orchestrator (this module, nbclient, jupyter_client) stays outside the sandbox and treats
everything the kernel says as untrusted: messages are size-capped by ZeroMQ, output bytes are
counted as they arrive and the kernel is killed past the cap, every cell has a wall deadline and so
has the whole notebook, and a malformed message ends the run instead of crashing the worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import logging
import math
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import zmq
import zmq.asyncio
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode

from graders import cgroups, messages, sandbox

logger = logging.getLogger(__name__)

# Outcomes of a cell, as the scorer sees them.
OK = "ok"
ERROR = "error"
NOT_RUN = "not_run"
TIMEOUT = "timeout"
DIED = "died"
OUTPUT_LIMIT = "output_limit"
BROKEN = "broken"  # the kernel sent something the orchestrator could not accept

_MESSAGE_OVERHEAD = 64 * 1024
# ipykernel's options after `-f CONNECTION_FILE`, for cold kernels and the zygote's alike.
# Tracebacks without colour: what learners are shown has its ANSI codes stripped anyway
# (graders/outputs.py), and uncoloured tracebacks cost a third less CPU (about 13 ms each).
KERNEL_OPTIONS = (
    "--HistoryManager.enabled=False",
    "--IPKernelApp.quiet=True",
    "--InteractiveShell.colors=nocolor",
)


@dataclass
class CellRun:
    index: int
    status: str
    reply: dict = field(default_factory=dict)  # execute_reply content, untrusted
    outputs: list = field(default_factory=list)


@dataclass
class RunOutcome:
    cells: dict[int, CellRun]
    error: str | None = None  # why the run stopped early, in words a learner can read
    seconds: float = 0.0
    sandboxed: bool = True
    # Protocol irregularities (a second reply to one request, ...): signs of a lying kernel.
    anomalies: list[str] = field(default_factory=list)
    peak_memory: int | None = None


class OutputLimitExceeded(Exception):
    pass


class SandboxedKernelManager(AsyncKernelManager):
    """An ipykernel started inside bubblewrap, reached over ZeroMQ `ipc` sockets in `run_dir`."""

    def __init__(
        self,
        *,
        run_dir: Path,
        limits: sandbox.Limits,
        sandboxed: bool,
        warm_imports: tuple[str, ...] = (),
        **kwargs,
    ):
        context = zmq.asyncio.Context()
        # Fail closed on huge messages: ZeroMQ drops the message and the peer, never buffers it.
        context.setsockopt(zmq.MAXMSGSIZE, limits.output_bytes + _MESSAGE_OVERHEAD)
        # Our sockets connect before the kernel's exist; retry every 10 ms, not ZeroMQ's 100 ms.
        context.setsockopt(zmq.RECONNECT_IVL, 10)
        super().__init__(
            transport="ipc",
            ip=str(run_dir / "kernel"),
            connection_file=str(run_dir / "connection.json"),
            kernel_name="",
            context=context,
            shutdown_wait_time=1.0,
            **kwargs,
        )
        self._own_context = context
        self.run_dir = run_dir
        self.limits = limits
        self.sandboxed = sandboxed
        self.plan: sandbox.SandboxPlan | None = None
        self.cgroup: cgroups.RunCgroup | None = None
        self.born = time.monotonic()
        self.warm_failed = False  # set when, started warm, it died before it could run anything
        self._kernel_spec = KernelSpec(
            argv=[
                str(sandbox.kernel_python()),
                "-I",
                "-m",
                "ipykernel_launcher",
                "-f",
                "{connection_file}",
                *KERNEL_OPTIONS,
                *_warm_up_args(warm_imports),
            ],
            display_name="Qiming sandbox",
            language="python",
            interrupt_mode="message",
            env={},
        )

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        command = [
            arg.replace("{connection_file}", self.connection_file) for arg in self._kernel_spec.argv
        ]
        if not self.sandboxed:
            self.plan = sandbox.SandboxPlan(argv=command, sandboxed=False)
            return command
        self.plan = sandbox.build_plan(command=command, ipc_dir=self.run_dir, limits=self.limits)
        return self.plan.argv

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        assert self.plan is not None
        kw["pass_fds"] = tuple(self.plan.pass_fds)
        kw["env"] = sandbox._launcher_env() if self.plan.sandboxed else _unsandboxed_env()
        kw["cwd"] = str(self.run_dir)
        # The kernel's own stdout/stderr is learner-controlled: never into our logs or disk.
        kw["stdout"] = kw["stderr"] = subprocess.DEVNULL
        # bwrap's --die-with-parent covers the sandbox, not bwrap itself: without this, a worker
        # killed outright would leave bwrap and an idle kernel running forever.
        steps = [_die_with_parent]
        if self.plan.sandboxed:
            mb = 1024 * 1024
            self.cgroup = cgroups.create(
                memory_bytes=self.limits.memory_mb * mb, processes=self.limits.processes
            )
            if self.cgroup is not None:
                steps.append(self.cgroup.enter)
        if os.geteuid() != 0 or not self.plan.sandboxed:
            steps.append(sandbox.preexec_limits(self.limits))
        kw["preexec_fn"] = _chain(steps)
        sandbox.prepare_ipc_dir(self.run_dir, self.plan.host_uid)
        if self.plan.host_uid is not None:
            os.chown(self.connection_file, 0, self.plan.host_uid)
            os.chmod(self.connection_file, 0o640)
        try:
            await super()._async_launch_kernel(kernel_cmd, **kw)
        finally:
            self.plan.close_fds()

    def kill_now(self) -> None:
        """SIGKILL the whole sandbox (bwrap's process group); its PID namespace dies with it."""
        process = getattr(self.provisioner, "process", None)
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            with contextlib.suppress(OSError):
                process.kill()

    def close_context(self) -> None:
        """Close our sockets; the context's I/O thread is ended beside us. ZeroMQ can take
        ~0.1 s to end it after a killed peer (seen with forked kernels), and the next
        submission need not wait for that."""
        context = self._own_context
        for sock in list(getattr(context, "_sockets", ())):
            with contextlib.suppress(Exception):
                sock.close(linger=0)
        threading.Thread(target=context.term, name="zmq-term", daemon=True).start()


# Formats one traceback the way the kernel shows errors: the first one loads IPython's traceback
# machinery (stack_data, pygments; ~0.4 s), which otherwise lands on the first failing cell.
_WARM_TRACEBACK = (
    "import sys\\ntry:\\n    assert False\\nexcept AssertionError:\\n"
    "    __import__('IPython').get_ipython().InteractiveTB.structured_traceback(*sys.exc_info())"
)


def _warm_up_args(modules: tuple[str, ...]) -> list[str]:
    """ipykernel runs `exec_lines` once its shell exists and before it answers any request.

    The imports run in a namespace of their own, with nothing displayed or stored: the learner's
    namespace, `_`, `In`/`Out` and the execution count are exactly those of a fresh kernel. They run
    after the kernel redirected stdout/stderr and set up IPython, in the order a learner's own
    `import` would, so modules that look at their environment on import see the same one.
    Module names are checked by the settings (dotted identifiers only) and passed as data.
    What differs from a fresh kernel: the modules are in sys.modules, the warnings filters they
    add on import are there already, and their memory counts against the kernel's limits.
    """
    if not modules:
        return []
    # A library that cannot be imported (a memory limit too small for the list, say) ends the
    # kernel: the pool then discards it and the submission runs in a fresh one, as without.
    imports = (
        f'exec("import importlib, os\\ntry:\\n    for m in {tuple(modules)!r}:\\n'
        '        importlib.import_module(m)\\nexcept BaseException:\\n    os._exit(70)", {})'
    )
    traceback = f'exec("{_WARM_TRACEBACK}", {{}})'
    return [f"--IPKernelApp.exec_lines={imports}", f"--IPKernelApp.exec_lines={traceback}"]


def _die_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


def _chain(steps):
    def run() -> None:
        for step in steps:
            step()

    return run


def _unsandboxed_env() -> dict[str, str]:
    return {
        "PATH": f"{sandbox.kernel_python().parent}:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    }


def _parent_id(msg) -> str:
    return ((msg.get("parent_header") or {}) if isinstance(msg, dict) else {}).get("msg_id", "")


def _is_reply_to(msg, msg_id: str) -> bool:
    return msg.get("msg_type") == "kernel_info_reply" and _parent_id(msg) == msg_id


def _is_idle_for(msg, msg_id: str) -> bool:
    content = msg.get("content") or {}
    return (
        msg.get("msg_type") == "status"
        and content.get("execution_state") == "idle"
        and _parent_id(msg) == msg_id
    )


class GuardedClient(NotebookClient):
    """nbclient with an output budget and a record of every execute_reply."""

    def __init__(self, nb: NotebookNode, km: SandboxedKernelManager, limits: sandbox.Limits):
        super().__init__(
            nb,
            km=km,
            timeout=math.ceil(limits.cell_timeout),
            startup_timeout=math.ceil(limits.startup_timeout),
            allow_errors=True,
            record_timing=False,
            store_widget_state=False,
            skip_cells_with_tag="",
            iopub_timeout=2,
            on_cell_executed=self._remember_reply,
        )
        self.output_budget = limits.output_bytes
        self.output_used = 0
        self.output_exceeded = False
        self.replies: dict[int, dict] = {}
        self.reply_count: dict[str, int] = {}
        self.idle_count: dict[str, int] = {}

    def watch_protocol(self) -> None:
        """Count replies and idle notices per request as they arrive, whoever reads them.

        A genuine kernel answers each execute request exactly once. Learner code that forges a
        reply for the request it runs in cannot stop the genuine one from following.
        """
        shell, iopub = self.kc.shell_channel, self.kc.iopub_channel
        shell_get, iopub_get = shell.get_msg, iopub.get_msg

        async def shell_get_msg(*args, **kwargs):
            msg = await shell_get(*args, **kwargs)
            if msg.get("msg_type") == "execute_reply":
                parent = (msg.get("parent_header") or {}).get("msg_id", "")
                self.reply_count[parent] = self.reply_count.get(parent, 0) + 1
            return msg

        async def iopub_get_msg(*args, **kwargs):
            msg = await iopub_get(*args, **kwargs)
            content = msg.get("content") or {}
            if msg.get("msg_type") == "status" and content.get("execution_state") == "idle":
                parent = (msg.get("parent_header") or {}).get("msg_id", "")
                self.idle_count[parent] = self.idle_count.get(parent, 0) + 1
            return msg

        shell.get_msg, iopub.get_msg = shell_get_msg, iopub_get_msg

    async def drain(self, seconds: float = 2.0) -> None:
        """Read what is still in flight, so late duplicates are counted too.

        A kernel_info request is the marker: the kernel answers requests in order and each of its
        channels delivers in order, so once the marker's reply (shell) and its idle notice (iopub)
        are read, everything the kernel sent before them has been read (and counted) too. This
        replaces a fixed wait; a kernel that never answers the marker costs `seconds` at most.
        """
        deadline = time.monotonic() + seconds
        try:
            marker = self.kc.kernel_info()
        except Exception:  # channels already closed: nothing more to read
            return
        for channel, is_end in (
            (self.kc.shell_channel, _is_reply_to),
            (self.kc.iopub_channel, _is_idle_for),
        ):
            while time.monotonic() < deadline:
                try:
                    msg = await channel.get_msg(timeout=max(0.01, deadline - time.monotonic()))
                except Exception:  # queue.Empty, or a dead kernel: nothing more to read
                    break
                if is_end(msg, marker):
                    break

    def anomalies(self) -> list[str]:
        found = [f"{n} replies to one request" for n in self.reply_count.values() if n > 1]
        found += [f"{n} idle notices for one request" for n in self.idle_count.values() if n > 1]
        return found

    def _remember_reply(self, cell, cell_index, execute_reply) -> None:
        self.replies[cell_index] = execute_reply

    def process_message(self, msg, cell, cell_index):
        self.output_used += len(json.dumps(msg.get("content", {}), default=str))
        if self.output_used > self.output_budget:
            self.output_exceeded = True  # set before the kill: the run reports this, not a death
            self.km.kill_now()
            raise OutputLimitExceeded()
        return super().process_message(msg, cell, cell_index)


async def start_kernel(
    *, limits: sandbox.Limits, sandboxed: bool = True, warm_imports: tuple[str, ...] = ()
) -> SandboxedKernelManager:
    """Launch a sandboxed kernel in a fresh run directory; does not wait until it is ready.

    Nothing is left behind if the launch fails. The caller owns the kernel: it runs one notebook
    (run_notebook), or is discarded (discard).
    """
    run_dir = sandbox.new_run_dir()
    km = SandboxedKernelManager(
        run_dir=run_dir, limits=limits, sandboxed=sandboxed, warm_imports=warm_imports
    )
    try:
        await km.start_kernel()
    except BaseException:
        await _destroy(km, None, run_dir)
        raise
    return km


async def discard(km: SandboxedKernelManager) -> None:
    """Destroy a kernel that will never run a notebook."""
    await _destroy(km, None, km.run_dir)


async def run_notebook(
    nb: NotebookNode,
    *,
    limits: sandbox.Limits,
    sandboxed: bool = True,
    kernel: SandboxedKernelManager | None = None,
) -> RunOutcome:
    """Execute every code cell of `nb` in a sandboxed kernel; the kernel is destroyed after.

    `kernel` is one started earlier by start_kernel (a warm sandbox, never used before) with the
    same launch limits; without it a fresh kernel is started here. `limits` gives the deadlines and
    the output budget. `nb` is modified in place (outputs); the caller passes a copy it owns.
    """
    started = time.monotonic()
    km = kernel
    client: GuardedClient | None = None
    cells: dict[int, CellRun] = {}
    error: str | None = None
    peak = None
    try:
        if km is not None:
            try:
                client = await _connect(nb, km, limits)
            except Exception as exc:  # a warm kernel that died warming up: a fresh one instead
                logger.warning("warm kernel unusable (%s); starting a fresh one", exc)
                km.warm_failed = True
                await _destroy(km, client, km.run_dir)
                km = client = None
        try:
            if km is None:
                km = await start_kernel(limits=limits, sandboxed=sandboxed)
                client = await _connect(nb, km, limits)
        except Exception as exc:
            logger.warning("kernel failed to start: %s", exc)
            error = messages.NOT_STARTED
            return RunOutcome(_not_run(nb, cells), error, time.monotonic() - started, sandboxed)
        sandbox.seal_ipc_dir(km.run_dir, km.plan.host_uid if km.plan else None)
        # The deadline counts from here: a warm kernel's start and imports are not the notebook's.
        deadline = time.monotonic() + limits.notebook_timeout
        error = await _run_cells(client, nb, cells, deadline, limits)
        if error is None:
            await client.drain()
    finally:
        if km is not None:
            peak = km.cgroup.peak_memory() if km.cgroup else None
            await _destroy(km, client, km.run_dir)
    outcome = RunOutcome(_not_run(nb, cells), error, time.monotonic() - started, sandboxed)
    outcome.anomalies = client.anomalies() if client is not None else []
    outcome.peak_memory = peak
    return outcome


async def _connect(nb, km: SandboxedKernelManager, limits: sandbox.Limits) -> GuardedClient:
    client = GuardedClient(nb, km, limits)
    client.kc = km.client()
    client.kc.start_channels()
    try:
        await _wait_for_ready(client.kc, limits.startup_timeout)
    except BaseException:
        client.kc.stop_channels()
        raise
    client.watch_protocol()
    return client


async def _wait_for_ready(kc, timeout: float) -> None:
    """Until the kernel answers kernel_info on shell and its idle notice for that request arrives
    on iopub (proof that our subscription is live, so no output of the first cell can be lost).

    jupyter_client's wait_for_ready does the same, then listens for 0.2 s of iopub silence.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg_id = kc.kernel_info()
        # Missing the idle notice means iopub was not subscribed yet: ask again soon.
        if await _read_until(kc.shell_channel, _is_reply_to, msg_id, deadline, 1.0) and (
            await _read_until(kc.iopub_channel, _is_idle_for, msg_id, deadline, 0.05)
        ):
            return
        if not await kc._async_is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
    raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")


async def _read_until(channel, is_end, msg_id: str, deadline: float, patience: float) -> bool:
    until = min(deadline, time.monotonic() + patience)
    while (left := until - time.monotonic()) > 0:
        try:
            msg = await channel.get_msg(timeout=max(0.01, left))
        except Exception:  # queue.Empty
            return False
        if is_end(msg, msg_id):
            return True
    return False


async def _run_cells(client, nb, cells, deadline, limits) -> str | None:
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            cells[index] = CellRun(index, TIMEOUT)
            return messages.OUT_OF_TIME
        client.timeout = max(1, math.ceil(min(limits.cell_timeout, remaining)))
        try:
            await asyncio.wait_for(client.async_execute_cell(cell, index), client.timeout + 10)
        except Exception as exc:
            status, message = _stopped(exc, client, limits, deadline)
            cells[index] = CellRun(index, status, outputs=list(cell.get("outputs", [])))
            return message
        reply = client.replies.get(index) or {}
        content = reply.get("content") if isinstance(reply, dict) else None
        content = content if isinstance(content, dict) else {}
        status = OK if content.get("status") == "ok" else ERROR
        cells[index] = CellRun(index, status, reply=content, outputs=list(cell.get("outputs", [])))
    return None


def _stopped(exc: Exception, client, limits, deadline) -> tuple[str, str]:
    """Why a cell did not finish, for the scorer and in words for the learner."""
    if client.output_exceeded:  # checked first: the kill it caused also looks like a death
        return OUTPUT_LIMIT, messages.TOO_MUCH_OUTPUT
    if isinstance(exc, TimeoutError | CellTimeoutError):
        if time.monotonic() >= deadline - 1:
            return TIMEOUT, messages.OUT_OF_TIME
        return TIMEOUT, messages.CELL_TIMEOUT % {"seconds": f"{limits.cell_timeout:g}"}
    if isinstance(exc, DeadKernelError):
        return DIED, messages.PROCESS_DIED
    logger.warning("run stopped: %r", exc)
    return BROKEN, messages.KERNEL_PROTOCOL


def _reap_uid(host_uid: int) -> None:
    """Nothing may run as the run's uid after it; the PID namespace's death takes a moment."""
    deadline = time.monotonic() + 3
    while pids := sandbox.processes_of_uid(host_uid):
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        if time.monotonic() > deadline:
            logger.error("sandbox processes %s outlived their run", pids)
            return
        time.sleep(0.02)


async def _reaped(km: SandboxedKernelManager, timeout: float = 2.0) -> None:
    """Wait for the killed bwrap to exit, polling briefly (jupyter_client polls every 0.1 s)."""
    process = getattr(km.provisioner, "process", None)
    deadline = time.monotonic() + timeout
    while process is not None and process.poll() is None and time.monotonic() < deadline:
        await asyncio.sleep(0.005)


def _not_run(nb: NotebookNode, cells: dict[int, CellRun]) -> dict[int, CellRun]:
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and index not in cells:
            cells[index] = CellRun(index, NOT_RUN)
    return cells


async def _destroy(km: SandboxedKernelManager, client: GuardedClient | None, run_dir: Path) -> None:
    """Kill the whole sandbox and remove its directory; never leaves anything behind."""
    try:
        if client is not None and client.kc is not None:
            client.kc.stop_channels()
    except Exception:
        logger.debug("stop_channels failed", exc_info=True)
    km.kill_now()
    await _reaped(km)
    try:
        if km.has_kernel:
            await asyncio.wait_for(km.shutdown_kernel(now=True), 10)
    except Exception:
        logger.debug("shutdown_kernel failed", exc_info=True)
    if km.cgroup is not None:
        km.cgroup.destroy()
    host_uid = km.plan.host_uid if km.plan else None
    if host_uid is not None:
        _reap_uid(host_uid)
    try:
        await km.cleanup_resources()
    except Exception:
        logger.debug("cleanup_resources failed", exc_info=True)
    km.close_context()
    sandbox.remove_run_dir(run_dir)
