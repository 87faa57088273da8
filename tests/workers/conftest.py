"""Real Celery worker processes for integration tests, sharing the test database and broker.

Each worker is `celery -A config worker` started as a subprocess with the test database's URL and
the same broker as this process (the filesystem broker under var/, or Redis in CI). Tests submit
through graders.services exactly as the API does and watch the database.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from graders.models import Submission

ROOT = Path(__file__).resolve().parents[2]
DEMO_SOURCE = ROOT / "courses" / "demo" / "how_good_is_a_guess.ipynb"
SUBMITTED = ROOT / "tests" / "graders" / "nbgrader_compat" / "submitted"
STORED_LINE = "stored result of submission {}:"


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def purge_broker() -> None:
    """Start from an empty broker: no message from an earlier run may reach these workers."""
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        for folder in (options["data_folder_in"], options["processed_folder"]):
            for entry in Path(folder).glob("*"):
                entry.unlink(missing_ok=True)
        return
    with celery_app.connection_for_write() as conn:
        client = conn.default_channel.client
        client.flushdb()  # CI's Redis database for tests; unacked messages included


class Worker:
    def __init__(self, name: str, env: dict, log_dir: Path, *, beat: bool = False):
        self.name = name
        self.beat = beat
        self.log_path = log_dir / f"{name}.log"
        argv = [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            "--hostname", f"{name}@%h", "--queues", "grading,default",
            "--concurrency", "1", "--loglevel", "INFO",
            "--without-mingle", "--without-gossip",
        ]  # fmt: skip
        if beat:
            argv += ["--beat", "--schedule", str(log_dir / f"{name}-beat-schedule")]
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.text():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"worker {self.name} did not start:\n{self.text()[-3000:]}")

    def pool_children(self) -> list[int]:
        children = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(
                    line.split(":\t", 1)
                    for line in status.read_text().splitlines()
                    if ":\t" in line
                )
            except OSError:
                continue
            if fields.get("PPid", "").strip() == str(self.process.pid):
                children.append(int(status.parent.name))
        return children

    def kill_pool_child(self) -> int:
        child = self.pool_children()[0]
        os.kill(child, signal.SIGKILL)
        return child

    def kill(self) -> None:
        """The machine dies: SIGKILL the worker and its pool at once."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self, timeout: float = 60) -> None:
        """Warm shutdown: finish the task in hand, give back what was not started."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture
def worker_env(transactional_db, settings, tmp_path):
    """Environment for worker processes; also lowers this process's deadlines to match."""
    purge_broker()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "QIMING_VAR_DIR": str(settings.VAR_DIR),
        "GRADER_RUN_DIR": str(tmp_path / "runs"),
        "GRADER_SWEEP_INTERVAL": "1",
        "PYTHONUNBUFFERED": "1",
    }
    return env


@pytest.fixture
def start_worker(worker_env, tmp_path):
    workers: list[Worker] = []

    def start(name: str = "w1", *, beat: bool = False, **overrides) -> Worker:
        env = {**worker_env, **{key: str(value) for key, value in overrides.items()}}
        worker = Worker(name, env, tmp_path, beat=beat)
        workers.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in workers:
        if worker.process.poll() is None:
            worker.kill()
        worker.log.close()
    shutil.rmtree(tmp_path / "runs", ignore_errors=True)


def wait_final(ids, timeout: float = 120) -> list[Submission]:
    deadline = time.monotonic() + timeout
    ids = list(ids)
    while time.monotonic() < deadline:
        done = Submission.objects.filter(pk__in=ids, status__in=Submission.FINAL).count()
        if done == len(ids):
            break
        time.sleep(0.25)
    return list(Submission.objects.filter(pk__in=ids).order_by("pk"))


def wait_status(submission_id: int, status: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Submission.objects.filter(pk=submission_id, status=status).exists():
            return
        time.sleep(0.1)
    current = Submission.objects.get(pk=submission_id).status
    raise AssertionError(f"submission {submission_id} never reached {status} (is {current})")


def stored_counts(workers, ids) -> dict[int, int]:
    text = "".join(worker.text() for worker in workers)
    return {pk: text.count(STORED_LINE.format(pk)) for pk in ids}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_redis(port: int, directory: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.05)
    raise AssertionError("redis-server did not start")


class Web:
    def __init__(self, env: dict, log_dir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (log_dir / "web.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise AssertionError("the web server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)
        self.log.close()


@pytest.fixture
def start_web(worker_env):
    servers: list[Web] = []

    def start(log_dir: Path, **overrides) -> Web:
        env = {**worker_env, **{key: str(value) for key, value in overrides.items()}}
        server = Web(env, log_dir)
        servers.append(server)
        return server

    yield start
    for server in servers:
        if server.process.poll() is None:
            server.stop()


def post_notebook(base_url: str, exercise_id: int, token: str, content: bytes) -> dict:
    request = urllib.request.Request(
        f"{base_url}/api/v1/exercises/{exercise_id}/submissions/",
        data=content,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        return json.loads(response.read())
