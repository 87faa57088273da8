"""The zygote's own program: runs inside its bubblewrap sandbox, never in the worker.

graders/zygote.py passes this file's text to the kernel's Python with `-c` (the project checkout
is not visible inside the sandbox), so it imports nothing of ours and nothing of Django.

What it does: import ipykernel and the libraries learners use, once; then, for each request on
its socket, fork. The fork (C) moves itself into the run's cgroup and unshares mount, PID,
network, IPC, UTS and cgroup namespaces, forks the run's init (P, PID 1 of the new namespace) and
sends the orchestrator a pidfd for P, then exits. P mounts a fresh /proc and private tmpfs on /tmp,
/dev/shm and the work directory, writes the run's /etc/passwd and /etc/group, brings loopback up,
forks the kernel (K) and then drops to the run's uid and waits. K sets the run's rlimits, becomes
the run's unprivileged uid (which clears every capability), installs the seccomp filter and only
then starts ipykernel, which is the first code to read anything a learner wrote.

Never run here: learners' code, before the kernel K has dropped everything above. The zygote holds
capabilities (SYS_ADMIN, SETUID, SETGID, NET_ADMIN) only so that C and P can build the run's
sandbox; its socket, the only way to ask it for anything, is closed in P before K exists.
"""

import contextlib
import ctypes
import fcntl
import gc
import importlib
import importlib.util
import json
import os
import resource
import select
import shutil
import signal
import socket
import struct
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_SECCOMP, PR_CAPBSET_DROP = 1, 22, 24
PR_SET_NO_NEW_PRIVS, PR_SET_CHILD_SUBREAPER = 38, 36
SECCOMP_MODE_FILTER = 2
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
WORK_DIR = "/home/student"
TMPFS_POINTS = ("/tmp", "/dev/shm", WORK_DIR)

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
libc.unshare.argtypes = [ctypes.c_int]
ULONG = ctypes.c_ulong
libc.prctl.argtypes = [ctypes.c_int, ULONG, ctypes.c_void_p, ULONG, ULONG]


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def mount(source, target, fstype, flags, data=None):
    encode = lambda text: text.encode() if text is not None else None  # noqa: E731
    check(libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)), target)


def prctl(option, value, pointer=None):
    check(libc.prctl(option, value, pointer, 0, 0), f"prctl {option}")


def install_seccomp(program):
    """The same deny-list bwrap installs for a cold kernel (graders/seccomp.py)."""
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.cast(ctypes.byref(fprog), ctypes.c_void_p))


def become(uid):
    """The run's uid for good: no capability left, none to regain (bounding set emptied)."""
    with open("/proc/sys/kernel/cap_last_cap") as last:
        for capability in range(int(last.read()) + 1):
            prctl(PR_CAPBSET_DROP, capability)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise OSError("could not drop privileges")


def loopback_up():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        request = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(probe, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(probe, SIOCSIFFLAGS, struct.pack("16sH22x", b"lo", flags | IFF_UP))


def bind_data(content, target):
    """Bind a small read-only file over `target` (as bwrap's --ro-bind-data does); written to
    a tmpfs on the work directory that is unmounted before the work directory's own."""
    scratch = os.path.join(WORK_DIR, os.path.basename(target))
    with open(scratch, "w") as handle:
        handle.write(content)
    os.chmod(scratch, 0o644)
    mount(scratch, target, None, MS_BIND)
    mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def run_init(request):
    """P: PID 1 of the run's namespaces. Builds its filesystem, starts K, then only reaps."""
    os.closerange(3, 65536)  # the zygote's socket above all: nothing of the run may reach it
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    # The run's directory (sockets, connection file) and the read-only Python installation may
    # lie under /tmp (a checkout there), which gets a fresh tmpfs: held open here, bound back
    # after, as bwrap binds them after its tmpfs; the zygote's other runs stay out of sight.
    kept = [(request["run_dir"], False)] + [(path, True) for path in request["read_only"]]
    kept = [(path, ro, os.open(path, os.O_PATH)) for path, ro in kept if under_tmpfs(path)]
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    uid = request["uid"]
    mount("tmpfs", WORK_DIR, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=65536,mode=0700")
    bind_data(f"student:x:{uid}:{uid}:student:{WORK_DIR}:/bin/sh\n", "/etc/passwd")
    bind_data(f"student:x:{uid}:\n", "/etc/group")
    check(libc.umount2(WORK_DIR.encode(), MNT_DETACH), WORK_DIR)
    size = request["tmpfs_bytes"]
    for point in TMPFS_POINTS:
        mount("tmpfs", point, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=1777")
    for path, read_only, fd in kept:
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            os.makedirs(path, mode=0o755, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
            open(path, "a").close()  # an empty file to bind onto
        mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        if read_only:
            flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV
            mount(None, path, None, flags)
        os.close(fd)
    loopback_up()
    kernel = os.fork()
    if kernel == 0:
        run_kernel(request)
    become(uid)
    install_seccomp(bytes.fromhex(request["seccomp"]))
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            os._exit(0)
        if pid == kernel:
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def under_tmpfs(path):
    return any(path == point or path.startswith(point + "/") for point in TMPFS_POINTS)


def run_kernel(request):
    """K: the learner's kernel. Limits, uid, seccomp; then ipykernel, as ipykernel_launcher."""
    try:  # (no death signal: a change of uid clears it; P's death ends the namespace anyway)
        for name, value in request["rlimits"]:
            resource.setrlimit(name, (value, value))
        become(request["uid"])
        install_seccomp(bytes.fromhex(request["seccomp"]))
        os.chdir(WORK_DIR)
        gc.enable()
        fresh_process_state()
        sys.argv = [LAUNCHER, *request["argv"]]
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        app.initialize(request["argv"])
        app.start()
    finally:
        os._exit(0)


def fresh_process_state():
    """What a new interpreter has and a fork would share with its siblings (random seeds), or
    would have from the zygote's imports (variables libraries set in os.environ on import)."""
    os.environ.clear()
    os.environ.update(ENVIRONMENT)
    # `random` reseeds itself after fork; numpy's global generator does not.
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None:
        numpy_random.seed()
    tempfile = sys.modules.get("tempfile")
    if tempfile is not None:
        tempfile._name_sequence = None


def spawn(channel, request, fds):
    """C: enter the run's cgroup and namespaces, start P, hand the orchestrator a pidfd for P."""
    reply = {"id": request["id"]}
    pidfds = []
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the zygote's reaper is not the run's
    try:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        for fd in fds:  # the run's cgroup directories, opened by the worker
            procs = os.open("cgroup.procs", os.O_WRONLY, dir_fd=fd)
            os.write(procs, b"0")
            os.close(procs)
            os.close(fd)
        flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
        check(libc.unshare(flags | CLONE_NEWCGROUP), "unshare")
        init = os.fork()
        if init == 0:
            try:
                run_init(request)
            finally:
                os._exit(70)
        pidfds = [os.pidfd_open(init)]
        reply["ok"] = True
    except BaseException as error:  # reported to the worker, which starts a cold kernel
        reply["error"] = f"{type(error).__name__}: {error}"
    try:
        socket.send_fds(channel, [json.dumps(reply).encode()], pidfds)
    finally:
        os._exit(0)


def preload(modules):
    """Import what kernel_modules found, in its order."""
    for name in modules:
        with contextlib.suppress(BaseException):  # a learner's own import will say why it fails
            importlib.import_module(name)


def kernel_modules(libraries, needs_shell):
    """What a kernel imports while it starts, runs a cell, shows an error and imports
    `libraries` as a learner would: found in a throwaway kernel forked for the purpose, in the
    order it imported them. Left out: modules that look for a running IPython when imported
    (`needs_shell` and their submodules); imported here, they would behave as outside a kernel."""
    read_end, write_end = os.pipe()
    probe = os.fork()
    if probe == 0:
        try:
            os.close(read_end)
            os.makedirs("/tmp/probe", exist_ok=True)
            from ipykernel.kernelapp import IPKernelApp

            app = IPKernelApp.instance()
            app.initialize(["-f", "/tmp/probe/kernel.json", "--transport=ipc",
                            "--ip=/tmp/probe/kernel", *sys.argv[4:]])  # fmt: skip
            app.shell.run_cell("1", store_history=False, silent=False)
            app.shell.run_cell("assert False", store_history=False)
            for name in libraries:
                with contextlib.suppress(BaseException):
                    importlib.import_module(name)
            os.write(write_end, json.dumps(list(sys.modules)).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    data = b""
    while chunk := os.read(read_end, 1 << 16):
        data += chunk
    os.close(read_end)
    os.waitpid(probe, 0)
    shutil.rmtree("/tmp/probe", ignore_errors=True)
    names = json.loads(data or b"[]")
    return [
        name
        for name in names
        if name != "__main__" and name not in sys.modules and not bound_to_shell(name, needs_shell)
    ]


def bound_to_shell(name, needs_shell):
    return any(name == module or name.startswith(module + ".") for module in needs_shell)


def warm_tracebacks():
    """Format one error as a kernel shows it: the first traceback's lazy set-up (pygments'
    lexers and styles, stack_data) then happens once here instead of in every fork."""
    import linecache

    from ipykernel.zmqshell import ZMQInteractiveShell
    from IPython.core import ultratb

    name = "/tmp/qiming-warm-up.py"
    source = "def f():\n    assert 1 + 1 == 3, 'no'\n\nf()\n"
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    option = "--InteractiveShell.colors="
    themes = [arg.removeprefix(option) for arg in sys.argv[4:] if arg.startswith(option)]
    theme = themes[-1] if themes else ZMQInteractiveShell.colors.default_value
    formatter = ultratb.AutoFormattedTB(mode="Context", theme_name=theme, tb_offset=0)
    try:
        exec(compile(source, name, "exec"), {})  # noqa: S102 - our own fixed source
    except AssertionError:
        formatter.structured_traceback(*sys.exc_info())
    finally:
        linecache.cache.pop(name, None)


def reap():
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def virtual_size():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def main():
    channel = socket.socket(fileno=int(sys.argv[1]))
    libraries, needs_shell = json.loads(sys.argv[2]), json.loads(sys.argv[3])
    ENVIRONMENT.update(os.environ)  # as bwrap set it, before any library's import
    prctl(PR_SET_CHILD_SUBREAPER, 1)  # each run's P is ours to reap once its C has left
    gc.disable()  # no collections in the zygote: they would leave holes its forks copy
    # The libraries first, so that the probe kernel inherits them instead of importing them again.
    preload([name for name in libraries if not bound_to_shell(name, needs_shell)])
    preload(kernel_modules(libraries, needs_shell))
    warm_tracebacks()
    # Everything imported so far is never collected by a fork: its collections would otherwise
    # write to (and so copy) every page of the zygote's objects.
    gc.freeze()
    # Reaped at once: a run's P that stays a zombie keeps its cgroup from being removed.
    signal.signal(signal.SIGCHLD, lambda _signum, _frame: reap())
    channel.send(json.dumps({"ready": True, "virtual_size": virtual_size()}).encode())
    while True:
        reap()
        readable, _, _ = select.select([channel], [], [], 1.0)
        if not readable:
            continue
        try:
            message, fds, _flags, _address = socket.recv_fds(channel, 1 << 16, 8)
        except ConnectionError:
            return
        if not message:  # the worker closed its end: nothing more will be asked
            return
        request = json.loads(message)
        child = os.fork()
        if child == 0:
            spawn(channel, request, fds)
        for fd in fds:
            os.close(fd)


LAUNCHER = importlib.util.find_spec("ipykernel_launcher").origin
ENVIRONMENT = {}

if __name__ == "__main__":
    main()
