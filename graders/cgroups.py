"""A control group per sandbox run, where the machine lets us make one.

rlimits bound each process; only a cgroup bounds the sandbox as a whole (memory across all its
processes, their number, its share of the CPU). A root worker can create cgroups under its own on
most Linux machines (cgroup v1 controllers, or v2 with the controllers delegated); elsewhere runs
fall back to rlimits alone, which `available()` reports.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

CGROUP_ROOT = Path("/sys/fs/cgroup")
_V1_CONTROLLERS = ("memory", "pids", "cpu")


@dataclass
class RunCgroup:
    """The cgroup directories (one per v1 controller, or one v2 directory) of one run."""

    directories: list[Path] = field(default_factory=list)

    def enter(self) -> None:
        """Move the calling process in (used in the child between fork and exec)."""
        pid = str(os.getpid())
        for directory in self.directories:
            (directory / "cgroup.procs").write_text(pid)

    def pids(self) -> set[int]:
        found: set[int] = set()
        for directory in self.directories:
            with contextlib.suppress(OSError):
                found |= {int(p) for p in (directory / "cgroup.procs").read_text().split()}
        return found

    def peak_memory(self) -> int | None:
        for directory in self.directories:
            for name in ("memory.max_usage_in_bytes", "memory.peak"):
                with contextlib.suppress(OSError, ValueError):
                    return int((directory / name).read_text())
        return None

    def destroy(self, timeout: float = 5.0) -> None:
        """Kill whatever is left inside, then remove the directories."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = self.pids()
            for pid in remaining:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            if not remaining or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        for directory in self.directories:
            for _attempt in range(50):
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
            else:
                logger.error("could not remove cgroup %s", directory)


def _own_v1_path(controller: str) -> Path | None:
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _id, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            return CGROUP_ROOT / controller / path.lstrip("/")
    return None


def _v1_parents() -> dict[str, Path] | None:
    parents = {}
    for controller in _V1_CONTROLLERS:
        path = _own_v1_path(controller)
        if path is None or not (path / "cgroup.procs").exists():
            return None
        parents[controller] = path / "qiming"
    return parents


def _write(path: Path, value: str) -> None:
    path.write_text(value)


def _create_v1(parents: dict[str, Path], name: str, memory: int, pids: int) -> RunCgroup:
    run = RunCgroup()
    try:
        for controller, parent in parents.items():
            parent.mkdir(exist_ok=True)
            directory = parent / name
            directory.mkdir()
            run.directories.append(directory)
            if controller == "memory":
                _write(directory / "memory.limit_in_bytes", str(memory))
                swap = directory / "memory.memsw.limit_in_bytes"
                if swap.exists():  # memory plus swap: no escape into swap
                    _write(swap, str(memory))
            elif controller == "pids":
                _write(directory / "pids.max", str(pids))
            elif controller == "cpu":
                # One core's worth of CPU per notebook, however many threads it starts.
                _write(directory / "cpu.cfs_period_us", "100000")
                _write(directory / "cpu.cfs_quota_us", "100000")
    except OSError:
        run.destroy()
        raise
    return run


def _create_v2(name: str, memory: int, pids: int) -> RunCgroup:
    line = Path("/proc/self/cgroup").read_text().splitlines()[0]
    own = CGROUP_ROOT / line.split(":", 2)[2].lstrip("/")
    parent = own / "qiming"
    parent.mkdir(exist_ok=True)
    _write(parent / "cgroup.subtree_control", "+memory +pids +cpu")
    directory = parent / name
    directory.mkdir()
    run = RunCgroup([directory])
    try:
        _write(directory / "memory.max", str(memory))
        _write(directory / "memory.swap.max", "0")
        _write(directory / "pids.max", str(pids))
        _write(directory / "cpu.max", "100000 100000")
    except OSError:
        run.destroy()
        raise
    return run


def create(*, memory_bytes: int, processes: int) -> RunCgroup | None:
    """A fresh cgroup with these limits, or None where this machine offers none to us."""
    if os.geteuid() != 0 or settings.GRADER_CGROUPS == "off":
        return None
    name = f"run-{os.getpid()}-{secrets.token_hex(4)}"
    parents = _v1_parents()
    try:
        if parents:
            return _create_v1(parents, name, memory_bytes, processes)
        if (CGROUP_ROOT / "cgroup.controllers").exists():
            return _create_v2(name, memory_bytes, processes)
    except OSError as error:
        logger.info("no cgroup for sandbox runs (%s); rlimits only", error)
    return None


def available() -> bool:
    probe = create(memory_bytes=64 * 1024 * 1024, processes=8)
    if probe is None:
        return False
    probe.destroy()
    return True
