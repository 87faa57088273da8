"""Host attacks: the learner's code cannot read the host's files or secrets, reach the network,
kill the worker or anything else on the host, or act as root on the host.

Each attack reports what it found through the message of a failing visible test (`probe(i)`),
the widest channel a learner has back; the tests check that no secret ever appears there and
that the attempt itself failed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.security.conftest import (
    assert_no_processes,
    assert_zero,
    dump,
    grade,
    grade_many,
    grade_watching,
    make_submission,
    probe_reports,
    probe_source,
    probing,
)

pytestmark = [pytest.mark.sandbox]

PROJECT = Path(django_settings.BASE_DIR)
# What the kernel may find in its environment: the sandbox's explicit variables and those
# ipykernel sets for itself.
SANDBOX_ENV = {
    "HOME", "LANG", "LC_ALL", "PATH", "TMPDIR", "USER", "PYTHONDONTWRITEBYTECODE",
    "PYTHONNOUSERSITE", "PYTHONHASHSEED", "MPLCONFIGDIR", "MPLBACKEND", "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS", "JOBLIB_MULTIPROCESSING",
    "JPY_PARENT_PID", "PYDEVD_USE_FRAME_EVAL", "CLICOLOR", "CLICOLOR_FORCE", "FORCE_COLOR",
    "PAGER", "GIT_PAGER", "TERM", "PWD",
}  # fmt: skip


def _read_only_roots() -> tuple[str, ...]:
    from graders import sandbox

    return sandbox._read_only_roots(str(sandbox.kernel_python()))


READ = """\
import os
def attempt(target):
    if target.startswith('env:'):
        return 'ENV ' + repr(os.environ.get(target[4:]))
    if os.path.isdir(target):
        return 'DIR ' + ' '.join(sorted(os.listdir(target)))
    with open(target, 'rb') as f:
        data = f.read()
    for needle in (b'qmsec', b'SECRET', b'DATABASE', b'PASSWORD', b'postgres'):
        at = data.find(needle)
        if at >= 0:
            return 'FOUND ' + data[max(0, at - 20):at + 200].decode(errors='replace')
    return 'READ ' + data[:200].decode(errors='replace')
"""


@pytest.fixture
def project_secret():
    """A secret file in the project's var/ directory, removed afterwards."""
    path = PROJECT / "var" / f"security-test-{uuid.uuid4().hex}.txt"
    value = "qmsec-project-" + uuid.uuid4().hex
    path.write_text(value)
    yield path, value
    path.unlink(missing_ok=True)


def test_host_files_are_not_readable(run_dir, tmp_path, project_secret, honest_after):
    """Secrets in a host temp dir and in the project, /etc/shadow, /root, the settings module,
    the real secret key file and the worker's home are out of reach: absent from the sandbox."""
    host_secret = tmp_path / "secret.txt"
    host_value = "qmsec-host-" + uuid.uuid4().hex
    host_secret.write_text(host_value)
    project_path, project_value = project_secret
    unreachable = [
        str(host_secret),
        str(project_path),
        "/etc/shadow",
        "/etc/ssh",
        "/root/.bash_history",
        "/root/.ssh",
        str(PROJECT / "config" / "settings.py"),
        str(PROJECT / "var" / "secret_key"),
        str(PROJECT / "var" / "db.sqlite3"),
        "/home/student/../../work/main/var",
        "/etc/resolv.conf",
        "/var/log",
    ]
    source = probe_source(len(unreachable))
    result = grade(source, make_submission(source, {"answer": probing(READ, unreachable)}))
    text = dump(result)
    reports = dict(zip(unreachable, probe_reports(result), strict=True))
    for target, report in reports.items():
        assert report.startswith("ERR"), f"{target} was reachable: {report}"
    secrets = [host_value, project_value, django_settings.SECRET_KEY]
    secret_file = PROJECT / "var" / "secret_key"
    if secret_file.exists() and secret_file.read_text().strip():
        secrets.append(secret_file.read_text().strip())
    for secret in secrets:
        assert secret not in text
    assert_zero(result, max_score=float(len(unreachable)))
    honest_after()


def test_sandbox_view_of_the_system(run_dir, honest_after):
    """What is visible is the sandbox's own: its /etc/passwd, its / (no project, no /root
    contents, no /home but the work dir), its /proc (no host processes)."""
    targets = ["/etc/passwd", "/etc/group", "/", "/home", "/proc/1/cmdline", "/root", str(PROJECT)]
    code = READ + (
        "def _pids():\n"
        "    return 'PIDS ' + str(len([p for p in os.listdir('/proc') if p.isdigit()]))\n"
    )
    source = probe_source(len(targets) + 1)
    answer = probing(code, targets) + "_outcomes.append(_pids())\n"
    roots = _read_only_roots()
    result = grade(source, make_submission(source, {"answer": answer}))
    reports = probe_reports(result)
    passwd, group, root, home, init = reports[:5]
    # The sandbox's own one-line files (bwrap may make them unreadable to the kernel's uid).
    assert passwd.startswith("READ student:x:") or passwd == "ERR PermissionError", passwd
    assert "root" not in passwd and "root" not in group, (passwd, group)
    listing = set(root.removeprefix("DIR ").split())
    # Only mount points and the parents of the read-only Python installation and virtualenv.
    allowed = {"bin", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32", "proc", "sbin"}
    allowed |= {"tmp", "usr"} | {Path(root).parts[1] for root in _read_only_roots()}
    assert listing <= allowed, root
    assert home == "DIR student", home
    # The sandbox's PID 1 is bwrap, not the host's init; only a handful of processes exist.
    assert "bwrap" in init or "python" in init, init
    # /root exists only as the parent of a bound Python installation, if one lives there.
    root_home = reports[5]
    expected = sorted({Path(r).parts[2] for r in roots if r.startswith("/root/")})
    assert root_home in ("ERR FileNotFoundError", "DIR " + " ".join(expected)), root_home
    # The project checkout exists only as the parent of the kernel's virtualenv, if it is there.
    inside = sorted(
        {Path(r).relative_to(PROJECT).parts[0] for r in roots if r.startswith(f"{PROJECT}/")}
    )
    assert reports[6] in ("ERR FileNotFoundError", "DIR " + " ".join(inside)), reports[6]
    assert int(reports[7].removeprefix("PIDS ")) < 10, reports[7]
    honest_after()


def test_secret_environment_is_not_visible(run_dir, monkeypatch, honest_after):
    """SECRET_KEY, DATABASE_URL and the rest of the worker's environment never reach the kernel:
    not in os.environ, not in /proc/self/environ, not in its parent's or PID 1's environ."""
    secret = "qmsec-key-" + uuid.uuid4().hex
    password = "qmsec-pw-" + uuid.uuid4().hex
    monkeypatch.setenv("SECRET_KEY", secret)
    monkeypatch.setenv("DATABASE_URL", f"postgres://qiming:{password}@127.0.0.1:5432/qiming")
    monkeypatch.setenv("QIMING_PRIVATE_TOKEN", secret)
    targets = [
        "env:SECRET_KEY",
        "env:DATABASE_URL",
        "env:QIMING_PRIVATE_TOKEN",
        "/proc/self/environ",
        "/proc/1/environ",
        "/proc/2/environ",
        "parent",
        "keys",
    ]
    code = READ.replace(
        "def attempt(target):\n",
        "def attempt(target):\n"
        "    if target == 'parent':\n"
        "        target = '/proc/%d/environ' % os.getppid()\n"
        "    if target == 'keys':\n"
        f"        return 'KEYS ' + ' '.join(sorted(set(os.environ) - {SANDBOX_ENV!r}))\n",
    )
    source = probe_source(len(targets))
    answer = probing(code, targets)
    result = grade(source, make_submission(source, {"answer": answer}))
    text = dump(result)
    assert secret not in text and password not in text
    reports = probe_reports(result)
    assert reports[:3] == ["ENV None"] * 3, reports
    for report in reports[3:-1]:
        assert "qmsec" not in report and "DATABASE" not in report and "SECRET" not in report
    # Only the sandbox's explicit variables (and ones IPython sets for itself) are there.
    assert reports[-1] == "KEYS ", reports[-1]
    honest_after()


class _Listener:
    """TCP and UDP servers on 127.0.0.1 and an abstract Unix socket, recording every contact."""

    def __init__(self) -> None:
        self.contacts: list[str] = []
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(16)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.abstract_name = "qmsec-" + uuid.uuid4().hex
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind("\0" + self.abstract_name)
        self.unix.listen(16)
        self.stopping = False
        self.threads = [
            threading.Thread(target=self._accept, args=(self.tcp, "tcp"), daemon=True),
            threading.Thread(target=self._accept, args=(self.unix, "unix"), daemon=True),
            threading.Thread(target=self._datagrams, daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    @property
    def tcp_port(self) -> int:
        return self.tcp.getsockname()[1]

    @property
    def udp_port(self) -> int:
        return self.udp.getsockname()[1]

    def _accept(self, server: socket.socket, kind: str) -> None:
        server.settimeout(0.2)
        while not self.stopping:
            try:
                connection, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            self.contacts.append(kind)
            connection.close()

    def _datagrams(self) -> None:
        self.udp.settimeout(0.2)
        while not self.stopping:
            try:
                self.udp.recvfrom(4096)
            except (TimeoutError, OSError):
                continue
            self.contacts.append("udp")

    def close(self) -> None:
        self.stopping = True
        for thread in self.threads:
            thread.join(2)
        for sock in (self.tcp, self.udp, self.unix):
            sock.close()


@pytest.fixture
def listener():
    server = _Listener()
    yield server
    server.close()


def test_no_network(run_dir, listener, honest_after):
    """No connection from the sandbox reaches services on the host's 127.0.0.1 (TCP, UDP) or
    its abstract Unix sockets; the only interface is the sandbox's own loopback; DNS fails.

    Only loopback addresses are ever targeted. The DNS lookup is attempted only when the
    sandbox has no resolver configured outside 127.0.0.0/8 (it has none at all)."""
    code = f"""\
import socket, os
def attempt(target):
    if target == 'tcp':
        s = socket.create_connection(('127.0.0.1', {listener.tcp_port}), timeout=1)
        s.sendall(b'hello')
        return 'CONNECTED'
    if target == 'udp':
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for _ in range(5):
            s.sendto(b'hello', ('127.0.0.1', {listener.udp_port}))
        return 'SENT-ONLY'
    if target == 'unix':
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect('\\0{listener.abstract_name}')
        return 'CONNECTED'
    if target == 'interfaces':
        return 'IF ' + ' '.join(name for _, name in socket.if_nameindex())
    if target == 'dns':
        try:
            servers = [l.split()[1] for l in open('/etc/resolv.conf') if l.startswith('nameserver')]
        except OSError:
            servers = []
        if any(not s.startswith('127.') for s in servers):
            return 'SKIPPED resolver outside loopback ' + repr(servers)
        return 'RESOLVED ' + str(socket.getaddrinfo('example.com', 80)[0][4])
"""
    targets = ["tcp", "udp", "unix", "interfaces", "dns"]
    source = probe_source(len(targets))
    result = grade(source, make_submission(source, {"answer": probing(code, targets)}))
    tcp, udp, unix, interfaces, dns = probe_reports(result)
    assert tcp.startswith("ERR"), tcp
    assert unix.startswith("ERR"), unix
    assert interfaces == "IF lo", interfaces
    assert dns.startswith("ERR"), dns
    assert udp in ("SENT-ONLY",) or udp.startswith("ERR"), udp
    assert listener.contacts == [], f"the sandbox reached the host: {listener.contacts}"
    honest_after()


def test_killing_the_parent_or_everything(source, run_dir, honest_after):
    """Signals at the worker's host PID, at another host process, at the kernel's parent, at
    PID 1, at -1 (everything), at its process group and at every PID: nothing outside the
    sandbox is hurt and the worker goes on grading."""
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        code = """\
import os, signal
def attempt(target):
    os.kill(int(target), signal.SIGKILL)
    return 'KILLED ' + target
"""
        # Host PIDs: the worker itself and a bystander. They do not exist in the sandbox's PID
        # namespace (its PIDs are small), so the signal cannot reach them.
        host_pids = [str(os.getpid()), str(bystander.pid)]
        assert all(int(pid) > 100 for pid in host_pids)
        probes = probe_source(len(host_pids))
        probe_result = grade(probes, make_submission(probes, {"answer": probing(code, host_pids)}))
        for report in probe_reports(probe_result):
            assert report.startswith("ERR"), probe_reports(probe_result)
        everything = [
            "import os\nos.kill(os.getppid(), 9)",
            "import os\nos.kill(1, 9)",
            "import os\nos.kill(-1, 9)",
            "import os\nos.killpg(0, 9)",
            "import os\nfor pid in range(1, 1 << 16):\n    try:\n        os.kill(pid, 9)\n"
            "    except OSError:\n        pass",
        ]
        results = grade_many(source, [make_submission(source, {"answer": a}) for a in everything])
        for result in results:
            assert_zero(result)
        assert bystander.poll() is None, "a host process was killed from the sandbox"
    finally:
        bystander.kill()
        bystander.wait()
    assert_no_processes(str(run_dir))
    honest_after()


def test_not_root_on_the_host(run_dir, honest_after):
    """The learner's code is not root: not inside (uid, capabilities, setuid(0)), and when the
    worker runs as root, the kernel's processes belong to an unprivileged host uid."""
    code = """\
import os
def attempt(target):
    if target == 'uid':
        return f'UID {os.getuid()} {os.geteuid()} {os.getgid()}'
    if target == 'caps':
        caps = [l.split()[1] for l in open('/proc/self/status') if l.startswith(('CapEff', 'CapPrm'))]
        return 'CAPS ' + ' '.join(caps)
    if target == 'setuid':
        os.setuid(0)
        return 'BECAME ROOT'
    if target == 'uid_map':
        return 'MAP ' + open('/proc/self/uid_map').read().strip()
    if target == 'no_new_privs':
        return 'NNP ' + [l.split()[1] for l in open('/proc/self/status') if l.startswith('NoNewPrivs')][0]
"""
    targets = ["uid", "caps", "setuid", "uid_map", "no_new_privs"]
    source = probe_source(len(targets))
    submission = make_submission(source, {"answer": probing(code, targets)})
    results, samples = grade_watching(source, [submission], [str(run_dir)])
    uid, caps, setuid, uid_map, nnp = probe_reports(results[0])
    assert not uid.startswith("UID 0") and " 0 " not in uid + " ", uid
    assert caps == "CAPS 0000000000000000 0000000000000000", caps
    assert setuid.startswith("ERR"), setuid
    assert nnp == "NNP 1", nnp
    # A cold kernel: ipykernel_launcher's command line. A forked one: the zygote's command line
    # (the zygote itself, root by design, never runs learner code), in a run's own PID namespace.
    kernels = {
        pid: host_uid
        for sample in samples[str(run_dir)]
        for pid, (host_uid, argv, depth) in sample.items()
        if ("ipykernel_launcher" in argv and "-c" not in argv)
        or (any("graders/zygote.py" in arg for arg in argv) and depth == 3)
    }
    assert kernels, "the kernel was never seen on the host"
    if os.geteuid() == 0:
        assert all(host_uid != 0 for host_uid in kernels.values()), kernels
    else:
        assert uid_map.startswith("MAP"), uid_map
    honest_after()


def test_no_writes_to_the_host(run_dir, tmp_path, honest_after):
    """The read-only system, the kernel's virtualenv, the project, and the run directory that
    holds the kernel's sockets (sealed once it is up) reject writes, links and deletions."""
    venv = Path(django_settings.GRADER_KERNEL_VENV)
    code = """\
import os, sys
def attempt(target):
    action, path = target.split(':', 1)
    run = os.path.dirname(sys.argv[sys.argv.index('-f') + 1])
    path = path.replace('RUN', run)
    if action == 'write':
        with open(path, 'w') as f:
            f.write('pwned')
        return 'WROTE'
    if action == 'symlink':
        os.symlink('/etc/shadow', path)
        return 'LINKED'
    if action == 'unlink-sockets':
        removed = []
        for name in os.listdir(run):
            os.unlink(os.path.join(run, name))
            removed.append(name)
        return 'REMOVED ' + ' '.join(removed)
    if action == 'chmod':
        os.chmod(path, 0o777)
        return 'CHMODDED'
"""
    targets = [
        "write:/usr/lib/qmsec-pwned",
        f"write:{venv}/qmsec-pwned",
        f"write:{venv}/bin/python",
        f"write:{PROJECT}/qmsec-pwned",
        f"write:{run_dir}/qmsec-pwned",
        f"symlink:{run_dir}/qmsec-link",
        "write:RUN/qmsec-pwned",
        "symlink:RUN/qmsec-link",
        "write:RUN/connection.json",
        "unlink-sockets:",
        f"chmod:{run_dir}",
        "write:/etc/passwd",
    ]
    source = probe_source(len(targets))
    result = grade(source, make_submission(source, {"answer": probing(code, targets)}))
    reports = dict(zip(targets, probe_reports(result), strict=True))
    for target, report in reports.items():
        assert report.startswith("ERR"), f"{target}: {report}"
    assert not (venv / "qmsec-pwned").exists()
    assert not (PROJECT / "qmsec-pwned").exists()
    assert not Path("/usr/lib/qmsec-pwned").exists()
    honest_after()
