"""Warm sandboxes: kernels started before they are needed, each used for one submission only.

A warm kernel is an ordinary sandboxed kernel (graders/runner.py, graders/sandbox.py): its own
bubblewrap sandbox, PID namespace, tmpfs, run directory, cgroup and unprivileged uid. The only
difference is when it starts: ahead of the submission, with the libraries of
settings.GRADER_WARM_IMPORTS already imported (runner._warm_up_args), so a submission does not wait
for the interpreter, ipykernel and scikit-learn to load. It runs exactly one notebook and is then
destroyed like any other; nothing of one submission can reach the next, because the next one gets
a different process tree in a different sandbox.

Which libraries: those of settings.GRADER_WARM_IMPORTS that the exercise graded last imports (all
of them before a worker's first submission). A pool belongs to one event loop: the Celery worker's
per-process loop (worker_pool), or the loop of one `grade_many_async` batch (closed when the batch
ends). A kernel is handed out only if it is alive, younger than settings.GRADER_WARM_MAX_AGE and
was launched with the same launch limits (memory, processes, CPU, file size, tmpfs, output cap);
otherwise it is destroyed and the submission starts a fresh kernel as it would without warm
sandboxes. A kernel that imported more or fewer libraries than a notebook uses grades it the same.
"""

from __future__ import annotations

import ast
import asyncio
import atexit
import contextlib
import dataclasses
import logging
import os
import time

from django.conf import settings
from nbformat import NotebookNode

from graders import runner, sandbox

logger = logging.getLogger(__name__)


def enabled() -> bool:
    return bool(settings.GRADER_WARM_KERNELS)


def imports(source: NotebookNode | None = None) -> tuple[str, ...]:
    """The modules a warm kernel imports ahead: settings.GRADER_WARM_IMPORTS, or of those only the
    ones the teacher's `source` notebook imports (its next submissions will most likely be for the
    same exercise). Importing what a notebook does not use costs CPU and memory for nothing; a
    warm kernel that imported more or less than a notebook needs grades it all the same."""
    allowed = tuple(settings.GRADER_WARM_IMPORTS)
    if source is None:
        return allowed
    used = _imported_by(source)
    return tuple(
        name for name in allowed if any(u == name or u.startswith(name + ".") for u in used)
    )


def _imported_by(source: NotebookNode) -> set[str]:
    names: set[str] = set()
    for cell in source.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        try:
            tree = ast.parse(str(cell.get("source", "")))
        except (SyntaxError, ValueError):  # IPython magics, say: not ours to judge here
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
    return names


def _launch_key(limits: sandbox.Limits, sandboxed: bool) -> tuple:
    """What a kernel is launched with; deadlines are the notebook's and may differ."""
    launch = dataclasses.replace(limits, cell_timeout=0, notebook_timeout=0, startup_timeout=0)
    return (launch, sandboxed)


class Pool:
    """Up to `size` idle warm kernels. Not thread-safe: use it from its event loop only."""

    def __init__(self, size: int = 1):
        self.size = size
        self._idle: list[tuple[tuple, runner.SandboxedKernelManager]] = []
        self._starting = 0
        self.used = 0  # kernels handed out (tests and benchmarks read these)
        self.discarded = 0
        # Launch keys whose warm-up failed (a library too big for the memory limit, say): not
        # warmed again by this pool; their submissions start fresh kernels.
        self.failed: set[tuple] = set()

    def __len__(self) -> int:
        return len(self._idle)

    async def take(
        self, limits: sandbox.Limits, sandboxed: bool
    ) -> runner.SandboxedKernelManager | None:
        """A warm kernel for these limits, now owned by the caller; None to start a fresh one."""
        key = _launch_key(limits, sandboxed)
        while self._idle:
            kernel_key, km = self._idle.pop(0)
            alive = await _alive(km)
            if not alive:
                self.give_up(kernel_key)
            young = time.monotonic() - km.born <= settings.GRADER_WARM_MAX_AGE
            if alive and kernel_key == key and young:
                self.used += 1
                return km
            self.discarded += 1
            await runner.discard(km)
        return None

    def give_up(self, key: tuple) -> None:
        if key not in self.failed:
            logger.warning("a warm sandbox died before use: no more warming for these limits")
        self.failed.add(key)

    def key_of(self, limits: sandbox.Limits, sandboxed: bool) -> tuple:
        return _launch_key(limits, sandboxed)

    async def fill(
        self,
        limits: sandbox.Limits,
        sandboxed: bool,
        *,
        up_to: int | None = None,
        modules: tuple[str, ...] | None = None,
    ) -> None:
        """Start kernels until `size` (or `up_to`, if fewer) are idle or starting. Returns once
        they are launched (about 50 ms each); their imports go on inside the sandbox meanwhile.
        `modules`: what to import ahead (default: all of settings.GRADER_WARM_IMPORTS)."""
        target = self.size if up_to is None else min(self.size, up_to)
        if _launch_key(limits, sandboxed) in self.failed:
            return
        while len(self._idle) + self._starting < target:
            self._starting += 1
            try:
                modules = imports() if modules is None else modules
                km = await self._launch(limits, sandboxed, modules)
            except Exception as exc:  # the next submission starts its own kernel and reports it
                logger.warning("could not start a warm sandbox: %s", exc)
                return
            finally:
                self._starting -= 1
            self._idle.append((_launch_key(limits, sandboxed), km))

    async def _launch(
        self, limits: sandbox.Limits, sandboxed: bool, modules: tuple[str, ...]
    ) -> runner.SandboxedKernelManager:
        """Start one kernel ahead (the zygote's pool forks it instead)."""
        return await runner.start_kernel(limits=limits, sandboxed=sandboxed, warm_imports=modules)

    async def close(self) -> None:
        """Destroy every idle kernel (processes, cgroup, run directory)."""
        while self._idle:
            _key, km = self._idle.pop()
            await runner.discard(km)


async def _alive(km: runner.SandboxedKernelManager) -> bool:
    try:
        return bool(await km.is_alive())
    except Exception:
        return False


# --- The worker process's own loop and pool ------------------------------------------------------
# A Celery task is synchronous; its grading runs on one event loop per process that outlives the
# task, so the kernel started after one task is still usable by the next.

_state: dict[str, object] = {}


def _process_state() -> dict[str, object]:
    if _state.get("pid") != os.getpid():  # a forked worker child starts with nothing of its parent
        _state.clear()
        _state["pid"] = os.getpid()
        _state["loop"] = asyncio.new_event_loop()
        _state["pool"] = None
        atexit.register(shutdown)
    return _state


def new_pool(size: int) -> Pool | None:
    """The zygote's pool where it can run (graders/zygote.py), else `size` warm kernels, else
    None (warm sandboxes switched off)."""
    from graders import zygote  # it builds on runner and sandbox, as this module does

    if zygote.enabled():
        return zygote.ZygotePool()  # type: ignore[return-value]
    return Pool(size=size) if enabled() else None


def worker_loop() -> asyncio.AbstractEventLoop:
    return _process_state()["loop"]  # type: ignore[return-value]


def worker_pool() -> Pool:
    """This process's pool: the zygote's where it can run, else one warm kernel. Replaced (its
    kernels destroyed) when the settings now ask for the other kind."""
    from graders import zygote

    state = _process_state()
    pool = state["pool"]
    if pool is None or isinstance(pool, zygote.ZygotePool) != zygote.enabled():
        if pool is not None:
            run(pool.close())  # type: ignore[attr-defined]
        fresh = new_pool(1)  # (an empty pool is falsy: no `or` here)
        state["pool"] = fresh if fresh is not None else Pool(size=1)
    return state["pool"]  # type: ignore[return-value]


def run(coro):
    """Run `coro` to completion on this process's loop. An exception raised into the loop from
    outside (Celery's soft time limit is a signal) cancels it, so its kernels are destroyed."""
    loop = worker_loop()
    task = loop.create_task(coro)
    try:
        return loop.run_until_complete(task)
    except BaseException:
        task.cancel()
        with contextlib.suppress(BaseException):
            loop.run_until_complete(task)
        raise


def prepare(limits: sandbox.Limits | None = None, source: NotebookNode | None = None) -> None:
    """Have a warm kernel ready for the next submission of this worker process (a no-op when
    warm sandboxes are switched off or one is ready). Call it when the worker is otherwise idle;
    `source`, the exercise just graded, narrows what is imported ahead (imports())."""
    if not enabled():
        return
    try:
        limits = limits or sandbox.Limits.from_settings()
        sandboxed = sandbox.sandbox_mode() != "off"
    except sandbox.SandboxUnavailable:
        return
    run(worker_pool().fill(limits, sandboxed, modules=imports(source)))


def shutdown() -> None:
    """Destroy this process's idle warm kernels (at worker exit)."""
    if _state.get("pid") != os.getpid():
        return
    loop = _state.get("loop")
    pool = _state.get("pool")
    if not (isinstance(loop, asyncio.AbstractEventLoop) and pool is not None and len(pool)):
        return
    if not loop.is_closed() and not loop.is_running():
        with contextlib.suppress(Exception):
            loop.run_until_complete(pool.close())
