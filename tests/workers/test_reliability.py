"""Submissions survive worker deaths, shared queues and broker outages (real processes)."""

import json
import random
import shutil
import time
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token

from accounts.models import User
from courses.services import exercise_create_notebook
from graders import services
from graders.models import Submission
from tests.workers.conftest import (
    DEMO_SOURCE,
    SUBMITTED,
    free_port,
    post_notebook,
    purge_broker,
    start_redis,
    stored_counts,
    wait_final,
    wait_status,
)

pytestmark = [pytest.mark.sandbox, pytest.mark.workers]


def submission_bytes(kind: str = "correct", *, sleep: float = 0, prefix: str = "") -> bytes:
    nb = json.loads((SUBMITTED / kind / "ps1" / "ps1.ipynb").read_text())
    for cell in nb["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "accuracy":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            head = prefix + (f"import time\ntime.sleep({sleep})\n" if sleep else "")
            cell["source"] = head + source
    return json.dumps(nb).encode()


@pytest.fixture
def exercise(db):
    teacher = User.objects.create_user("t", password="x", role=User.Role.TEACHER)
    return exercise_create_notebook(
        owner=teacher, title="ps1", source=DEMO_SOURCE.read_bytes(), is_published=True
    )


@pytest.fixture
def learners(db):
    return [User.objects.create_user(f"learner{i}", password="x") for i in range(40)]


def _mentions(cmdline: Path, text: str) -> bool:
    try:
        return text in cmdline.read_bytes().decode(errors="replace")
    except OSError:
        return False


def submit(learner, exercise, content) -> Submission:
    return services.submission_create(learner=learner, exercise=exercise, content=content)


def test_a_worker_grades_a_submission_end_to_end(start_worker, exercise, learners):
    """Given a running worker, a stored submission is graded and its result stored once."""
    worker = start_worker("w1")
    submission = submit(learners[0], exercise, submission_bytes("partly_correct"))
    [done] = wait_final([submission.pk])
    assert (done.status, done.score, done.max_score) == ("graded", 2.5, 10.0)
    assert done.worker.startswith("w1@") and done.started_at and done.finished_at
    assert next(test["grade_id"] for test in done.tests) == "test_accuracy_basic"
    assert stored_counts([worker], [submission.pk]) == {submission.pk: 1}


def test_sigkill_of_the_pool_process_mid_grading_redelivers_and_grades_once(
    start_worker, exercise, learners
):
    """The grading process dies mid-notebook: the message is requeued and graded exactly once."""
    worker = start_worker("w1")
    submission = submit(learners[0], exercise, submission_bytes(sleep=4))
    wait_status(submission.pk, Submission.Status.RUNNING)
    time.sleep(1)  # well inside the notebook now
    worker.kill_pool_child()
    [done] = wait_final([submission.pk], timeout=90)
    assert (done.status, done.score) == ("graded", 10.0)
    assert done.retries == 1
    assert stored_counts([worker], [submission.pk]) == {submission.pk: 1}


def test_sigkill_of_a_whole_worker_is_recovered_by_the_sweeper_on_another(
    start_worker, exercise, learners, settings, tmp_path
):
    """A worker host dies with a submission running; the sweeper hands it to a second worker."""
    first = start_worker("w1")
    submission = submit(learners[0], exercise, submission_bytes(sleep=3))
    wait_status(submission.pk, Submission.Status.RUNNING)
    first.kill()
    time.sleep(1)
    survivors = [p for p in Path("/proc").glob("[0-9]*/cmdline") if _mentions(p, str(tmp_path))]
    assert not survivors, "the dead worker's sandbox is still running"
    second = start_worker("w2", beat=True, GRADER_RUNNING_DEADLINE=8)
    [done] = wait_final([submission.pk], timeout=90)
    assert (done.status, done.score) == ("graded", 10.0)
    assert done.worker.startswith("w2@") and done.retries >= 1
    assert stored_counts([first, second], [submission.pk]) == {submission.pk: 1}


def test_two_workers_share_a_batch_and_one_stops_halfway(start_worker, exercise, learners):
    """Two hosts on one queue: both take work; one stops mid-batch; every submission lands once."""
    workers = [start_worker("w1"), start_worker("w2")]
    kinds = ["correct", "wrong", "partly_correct", "unchanged"]
    ids = [submit(learners[i], exercise, submission_bytes(kinds[i % 4])).pk for i in range(16)]
    deadline = time.monotonic() + 90
    while Submission.objects.filter(pk__in=ids, status__in=Submission.FINAL).count() < 6:
        assert time.monotonic() < deadline, "the batch did not start"
        time.sleep(0.2)
    workers[0].stop()
    done = wait_final(ids, timeout=120)
    assert all(submission.status == "graded" for submission in done)
    expected = {"correct": 10.0, "wrong": 0.0, "partly_correct": 2.5, "unchanged": 0.0}
    assert [s.score for s in done] == [expected[kinds[i % 4]] for i in range(16)]
    counts = stored_counts(workers, ids)
    assert set(counts.values()) == {1}, counts
    assert all(any(s.worker.startswith(f"{w.name}@") for s in done) for w in workers)


def test_broker_outage_keeps_submissions_queued_until_the_sweeper_sends_them(
    start_worker, start_web, exercise, learners, tmp_path
):
    """The web server's broker is down: a POST still stores the submission as queued (201, never a
    500, quickly); when the broker is reachable again the sweeper sends it and a worker grades it.

    With redis-server on the machine (CI) the broker really goes down and comes back; without it
    the web server is pointed at a port where no broker listens and the worker's sweeper resends.
    """
    token = Token.objects.create(user=learners[0]).key
    redis = None
    if shutil.which("redis-server"):
        port = free_port()
        broker_url = f"redis://127.0.0.1:{port}/0"
        redis = start_redis(port, tmp_path)
        web_broker = broker_url
    else:
        broker_url, web_broker = settings.CELERY_BROKER_URL, f"redis://127.0.0.1:{free_port()}/0"
    worker = start_worker("w1", beat=True, CELERY_BROKER_URL=broker_url, GRADER_QUEUED_DEADLINE=3)
    web = start_web(tmp_path, CELERY_BROKER_URL=web_broker)
    try:
        if redis:
            redis.kill()
            redis.wait()
        started = time.monotonic()
        response = post_notebook(web.url, exercise.pk, token, submission_bytes("correct"))
        assert time.monotonic() - started < 10, "submitting must not hang on a dead broker"
        assert response["status"] == "queued", response
        time.sleep(2)
        assert Submission.objects.get(pk=response["id"]).status == "queued"
        if redis:
            redis = start_redis(port, tmp_path)
        [done] = wait_final([response["id"]], timeout=90)
        assert (done.status, done.score, done.retries) == ("graded", 10.0, 1)
        assert stored_counts([worker], [done.pk]) == {done.pk: 1}
    finally:
        web.stop()
        worker.stop()
        if redis:
            redis.kill()


HOSTILE = {
    "loop": "while True:\n    pass\n",
    "exit": "import os\nos._exit(0)\n",
    "memory": "hog = bytearray(10**10)\n",
    "flood": "for i in range(10**7):\n    print('x' * 100)\n",
    "tamper": (
        "import ast\nclass _Drop(ast.NodeTransformer):\n"
        "    def visit_Assert(self, node):\n        return ast.Pass()\n"
        "get_ipython().ast_transformers.append(_Drop())\n"
    ),
}


def test_soak_mixed_honest_and_hostile_with_random_worker_kills(
    start_worker, exercise, learners, settings
):
    """200 submissions, a quarter hostile, while worker hosts are SIGKILLed at random and
    replaced: at the end every submission is final, none lost, none stored twice."""
    settings.GRADER_MAX_IN_FLIGHT = 1000
    settings.GRADER_MAX_PER_MINUTE = 1000
    config = {
        "GRADER_CELL_TIMEOUT": 2,
        "GRADER_NOTEBOOK_TIMEOUT": 8,
        "GRADER_MEMORY_MB": 1024,
        "GRADER_RUNNING_DEADLINE": 20,
        "GRADER_QUEUED_DEADLINE": 120,
        "GRADER_MAX_RETRIES": 5,
    }
    workers = [start_worker("w1", beat=True, **config), start_worker("w2", **config)]
    rng = random.Random(20261129)
    honest = ["correct", "wrong", "partly_correct", "unchanged", "syntax_error"]
    ids, expected = [], {}
    for i in range(200):
        if i % 4 == 3:
            name = rng.choice(sorted(HOSTILE))
            content = submission_bytes("correct", prefix=HOSTILE[name])
        else:
            name = rng.choice(honest)
            content = submission_bytes(name)
        submission = submit(learners[i % len(learners)], exercise, content)
        ids.append(submission.pk)
        expected[submission.pk] = name
    kills, deadline = 0, time.monotonic() + 420
    while time.monotonic() < deadline:
        if Submission.objects.filter(pk__in=ids, status__in=Submission.FINAL).count() == len(ids):
            break
        time.sleep(rng.uniform(8, 20))
        alive = [worker for worker in workers if worker.process.poll() is None]
        if kills < 4 and len(alive) == 2:
            victim = rng.choice(alive)
            victim.kill()
            kills += 1
            # A new host replaces the dead one, taking over the sweeper if the dead one ran it.
            name = f"w{len(workers) + 1}"
            workers.append(start_worker(name, beat=victim.beat, **config))
    done = wait_final(ids, timeout=60)
    lost = [s.pk for s in done if not s.is_final]
    assert not lost, f"not final: {lost}"
    counts = stored_counts(workers, ids)
    assert max(counts.values()) <= 1, {pk: n for pk, n in counts.items() if n > 1}
    scores = {"correct": 10.0, "wrong": 0.0, "partly_correct": 2.5, "unchanged": 0.0}
    for submission in done:
        name = expected[submission.pk]
        if name in scores and submission.status == "graded":
            assert submission.score == scores[name], (submission.pk, name)
        if name in HOSTILE:
            # The hostile code runs before the correct answer is defined: never full marks.
            assert submission.score < 10.0, (submission.pk, name, submission.tests)
    assert kills >= 2
    purge_broker()
