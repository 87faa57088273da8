"""A seccomp deny-list for the grading sandbox, compiled to classic BPF for `bwrap --seccomp`.

Why a deny-list and not an allow-list: ipykernel, numpy and friends use a wide, changing set of
system calls; denying the few that widen the kernel attack surface or reach outside the sandbox
(debugging other processes, namespaces and mounts, keyrings, eBPF, io_uring, TIOCSTI) costs
nothing measurable and keeps every notebook working. Denied calls fail with EPERM so code sees an
ordinary error; `clone3` fails with ENOSYS so libc falls back to `clone`, whose flags we can check.
"""

from __future__ import annotations

import os
import platform
import struct

# Numbers from the kernel's syscall tables (x86_64: arch/x86/entry/syscalls/syscall_64.tbl;
# aarch64: include/uapi/asm-generic/unistd.h).
_DENIED_NAMES = (
    "ptrace process_vm_readv process_vm_writev kcmp pidfd_getfd keyctl add_key request_key bpf "
    "perf_event_open userfaultfd io_uring_setup io_uring_enter io_uring_register mount umount2 "
    "unshare setns pivot_root chroot open_tree move_mount fsopen fsconfig fsmount fspick "
    "mount_setattr swapon swapoff reboot init_module finit_module delete_module kexec_load "
    "kexec_file_load acct quotactl syslog name_to_handle_at open_by_handle_at lookup_dcookie "
    "vhangup settimeofday clock_settime adjtimex fanotify_init"
).split()

_TABLES = {
    "x86_64": {
        "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "kcmp": 312,
        "pidfd_getfd": 438, "keyctl": 250, "add_key": 248, "request_key": 249, "bpf": 321,
        "perf_event_open": 298, "userfaultfd": 323, "io_uring_setup": 425,
        "io_uring_enter": 426, "io_uring_register": 427, "mount": 165, "umount2": 166,
        "unshare": 272, "setns": 308, "pivot_root": 155, "chroot": 161, "open_tree": 428,
        "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
        "mount_setattr": 442, "swapon": 167, "swapoff": 168, "reboot": 169, "init_module": 175,
        "finit_module": 313, "delete_module": 176, "kexec_load": 246, "kexec_file_load": 320,
        "acct": 163, "quotactl": 179, "syslog": 103, "name_to_handle_at": 303,
        "open_by_handle_at": 304, "lookup_dcookie": 212, "vhangup": 153, "settimeofday": 164,
        "clock_settime": 227, "adjtimex": 159, "fanotify_init": 300,
        "ioctl": 16, "clone": 56, "clone3": 435,
    },
    "aarch64": {
        "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271, "kcmp": 272,
        "pidfd_getfd": 438, "keyctl": 219, "add_key": 217, "request_key": 218, "bpf": 280,
        "perf_event_open": 241, "userfaultfd": 282, "io_uring_setup": 425,
        "io_uring_enter": 426, "io_uring_register": 427, "mount": 40, "umount2": 39,
        "unshare": 97, "setns": 268, "pivot_root": 41, "chroot": 51, "open_tree": 428,
        "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
        "mount_setattr": 442, "swapon": 224, "swapoff": 225, "reboot": 142, "init_module": 105,
        "finit_module": 273, "delete_module": 106, "kexec_load": 104, "kexec_file_load": 294,
        "acct": 89, "quotactl": 60, "syslog": 116, "name_to_handle_at": 264,
        "open_by_handle_at": 265, "lookup_dcookie": 18, "vhangup": 58, "settimeofday": 170,
        "clock_settime": 112, "adjtimex": 171, "fanotify_init": 262,
        "ioctl": 29, "clone": 220, "clone3": 435,
    },
}  # fmt: skip

_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_X32_SYSCALL_BIT = 0x40000000

# ioctl requests that let a process type into the controlling terminal or remap it.
_TIOCSTI = 0x5412
_TIOCLINUX = 0x541C
# clone flags that create namespaces: a way back out of what bwrap set up.
_CLONE_NEW_ANY = (
    0x00020000  # CLONE_NEWNS
    | 0x02000000  # CLONE_NEWCGROUP
    | 0x04000000  # CLONE_NEWUTS
    | 0x08000000  # CLONE_NEWIPC
    | 0x10000000  # CLONE_NEWUSER
    | 0x20000000  # CLONE_NEWPID
    | 0x40000000  # CLONE_NEWNET
)

# Classic BPF opcodes (linux/bpf_common.h) and seccomp return values (linux/seccomp.h).
_LD_W_ABS = 0x00 | 0x00 | 0x20
_JEQ_K = 0x05 | 0x10 | 0x00
_JGE_K = 0x05 | 0x30 | 0x00
_JSET_K = 0x05 | 0x40 | 0x00
_RET_K = 0x06 | 0x00
_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000
_RET_ALLOW = 0x7FFF0000
_EPERM = 1
_ENOSYS = 38
# struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6].
_OFF_NR, _OFF_ARCH = 0, 4


def _arg_low(index: int) -> int:
    return 16 + 8 * index  # little-endian: the low 32 bits come first


class UnsupportedArchitecture(RuntimeError):
    pass


def _insn(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def build_filter(machine: str | None = None) -> bytes:
    """The program as the raw `struct sock_filter` array that bwrap reads from a descriptor."""
    machine = machine or platform.machine()
    if machine not in _TABLES:
        raise UnsupportedArchitecture(f"no seccomp table for {machine}")
    table = _TABLES[machine]
    deny_eperm = _RET_ERRNO | _EPERM
    program = [
        _insn(_LD_W_ABS, _OFF_ARCH),
        _insn(_JEQ_K, _AUDIT_ARCH[machine], jt=1, jf=0),
        _insn(_RET_K, _RET_KILL_PROCESS),
        _insn(_LD_W_ABS, _OFF_NR),
    ]
    if machine == "x86_64":
        # The x32 ABI reaches the same calls under other numbers: refuse it outright.
        program += [_insn(_JGE_K, _X32_SYSCALL_BIT, jt=0, jf=1), _insn(_RET_K, deny_eperm)]
    for name in _DENIED_NAMES:
        program += [_insn(_JEQ_K, table[name], jt=0, jf=1), _insn(_RET_K, deny_eperm)]
    program += [
        _insn(_JEQ_K, table["clone3"], jt=0, jf=1),
        _insn(_RET_K, _RET_ERRNO | _ENOSYS),
        # clone(flags, ...): refuse new namespaces.
        _insn(_JEQ_K, table["clone"], jt=0, jf=3),
        _insn(_LD_W_ABS, _arg_low(0)),
        _insn(_JSET_K, _CLONE_NEW_ANY, jt=0, jf=1),
        _insn(_RET_K, deny_eperm),
        _insn(_LD_W_ABS, _OFF_NR),
        # ioctl(fd, request, ...): refuse terminal injection.
        _insn(_JEQ_K, table["ioctl"], jt=0, jf=4),
        _insn(_LD_W_ABS, _arg_low(1)),
        _insn(_JEQ_K, _TIOCSTI, jt=1, jf=0),
        _insn(_JEQ_K, _TIOCLINUX, jt=0, jf=1),
        _insn(_RET_K, deny_eperm),
        _insn(_RET_K, _RET_ALLOW),
    ]
    return b"".join(program)


def filter_fd(machine: str | None = None) -> int:
    """A readable descriptor holding the compiled filter (a pipe; the caller closes it)."""
    program = build_filter(machine)
    read_end, write_end = os.pipe()
    # A few hundred bytes: far below the pipe buffer, so this never blocks.
    os.write(write_end, program)
    os.close(write_end)
    return read_end
