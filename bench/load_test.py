"""The web tier under load: simulated learners browsing and submitting, against gunicorn and
PostgreSQL, with Celery workers grading in the sandbox.

    .venv/bin/python bench/load_test.py [--users 200] [--spawn-rate 5] [--duration 120]
        [--web-workers N] [--workers 2] [--wait 2,10] [--database-url postgresql://...]
        [--broker-url redis://.../N] [--note TEXT]

A fresh database `qiming_load` on the PostgreSQL server (dropped at the end) filled by `migrate`,
`loaddemo` and --users generated learners in the demo class; gunicorn with the deployed settings
except Secure cookies (bench/load/load_settings.py: plain HTTP on loopback); locust from
.venv-bench (bench/load/locustfile.py) headless. Prints and writes to docs/benchmarks.md (between
its markers) per-request p50/p95/p99, error counts and requests a second; never asserts timings.
Exits 1 if locust did not run; errors are reported, not fatal.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

import psycopg  # in requirements.txt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_latency import OPENER, WORKER, Proc  # the same children, started the same way
from grading_vs_nbgrader import machine  # the same machine description

REPO = Path(__file__).resolve().parents[1]
LOCUST = REPO / ".venv-bench" / "bin" / "locust"
LOCUSTFILE = REPO / "bench" / "load" / "locustfile.py"
NOTEBOOK = REPO / "tests/graders/nbgrader_compat/submitted/correct/ps1/ps1.ipynb"
DATABASE = "qiming_load"
DOC = REPO / "docs" / "benchmarks.md"
BEGIN = "<!-- BEGIN bench/load_test.py: rewritten by that script -->"
END = "<!-- END bench/load_test.py -->"
PART = "<!-- load_test.py part: "  # + "users=200 wait=2,10 -->": a part per load
SIGN_IN = "sign in (POST, PBKDF2)"
INTRO = """## The web tier under load

Written by `bench/load_test.py`, a part per number of learners and time between their steps: a
fresh PostgreSQL database (`migrate`, `loaddemo`, the generated learners in the demo class),
gunicorn (sync workers, `DEBUG=false`, the deployed settings except Secure cookies: plain HTTP on
loopback, bench/load/load_settings.py; every worker warmed up by a few untimed requests) and
Celery workers grading in the sandbox. Locust (.venv-bench, bench/load/locustfile.py, on the same
machine) starts the learners at `--spawn-rate` a second; each signs in with a username and
password, then, `--wait` seconds apart, opens the dashboard, the catalogue, a course, lessons,
answers quizzes (each at most once, through the lesson page's form or the quiz API), opens
notebook pages, and one step in 89 submits the demo notebook (ps1) through the API and polls it
every second until graded. Times are locust's, in milliseconds, over the whole run (spawning
included), percentiles of the raw times; sign-in is listed on its own and left out of the "all
but sign-in" row: it is slow on purpose (PBKDF2, about 0.3 s of CPU a hash on a 2-core Xeon).
Everything runs on one machine, shared with other work: the load average says how busy it was."""
PASSWORD = "load-test-password"
# Learners, and the plan the locustfile follows; one password hash shared by all (hashing 200
# times would take a minute of PBKDF2 for nothing).
SETUP = """
import json
from django.contrib.auth.hashers import make_password
from accounts.models import Classroom, User
from courses import quiz, selectors
from courses.models import Exercise
n, password = LEARNER_COUNT, PASSWORD
classroom = Classroom.objects.get(name="Demo class", teacher__username="teacher")
hashed = make_password(password)
users = User.objects.bulk_create(
    User(username=f"load-{i:04d}", password=hashed, role=User.Role.STUDENT) for i in range(n)
)
classroom.learners.add(*users)
learner = users[0]

def candidates(kind, spec):
    ids = lambda key: [entry["id"] for entry in spec.get(key) or []]
    yield {"single_choice": (ids("options") or [None])[0], "multiple_choice": ids("options")[:1],
           "true_false": True, "ordering": ids("items"), "match": spec.get("pairs"),
           "categorise": {i["id"]: i.get("category") for i in spec.get("items") or []
                          if isinstance(i, dict)}}.get(kind)
    for key in ("answer", "value", "answers", "accepted", "accept"):
        value = spec.get(key)
        yield value[0] if isinstance(value, list) and value else value
    yield from (1, "1", "a")

def answer_for(exercise):
    for answer in candidates(exercise.kind, exercise.spec):
        try:
            quiz.validate_answer(exercise.kind, exercise.spec, answer)
            return answer
        except Exception:
            continue
    return None

courses, quizzes, notebooks = [], [], []
for course in selectors.courses_visible_to(learner).order_by("slug"):
    lessons = [lesson.pk for unit in course.units.order_by("position")
               for lesson in unit.lessons.order_by("position")]
    courses.append({"slug": course.slug, "lessons": lessons})
for exercise in selectors.exercises_visible_to(learner).order_by("pk"):
    if exercise.is_notebook:
        notebooks.append(exercise.pk)
    elif exercise.lesson_id and not quiz.validate_spec(exercise.kind, exercise.spec):
        answer = answer_for(exercise)
        if answer is not None:
            quizzes.append({"id": exercise.pk, "kind": exercise.kind, "answer": answer,
                            "lesson": exercise.lesson_id,
                            "course": exercise.lesson.unit.course.slug})
ps1 = Exercise.objects.get(title__startswith="Problem set 1", lesson__isnull=True)
print("PLAN " + json.dumps({
    "learners": [[user.username, password] for user in users],
    "courses": courses, "quizzes": quizzes, "notebooks": notebooks,
    "submit": {"exercise": ps1.pk, "content": open(NOTEBOOK).read()},
}))
""".replace("PASSWORD", repr(PASSWORD)).replace("NOTEBOOK", repr(str(NOTEBOOK)))


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values."""
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)]


class LoadSampler(threading.Thread):
    """The 1-minute load average every 5 s while the test runs."""

    def __init__(self):
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(5):
            self.samples.append(os.getloadavg()[0])


def manage(env: dict, *argv: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *argv], cwd=REPO, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"manage.py {argv[0]} failed:\n{done.stderr[-3000:]}")
    return done.stdout


@contextlib.contextmanager
def services(args, tmp: Path):
    """The database, gunicorn and the workers; yields (base url, plan path, labels, pg url)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "load_settings", "PYTHONUNBUFFERED": "1"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "bench" / "load"), str(REPO)])
    env |= {"QIMING_VAR_DIR": str(tmp / "var"), "GRADER_RUN_DIR": str(tmp / "runs")}
    env |= {"DEBUG": "false", "SECRET_KEY": os.urandom(32).hex(), "ALLOWED_HOSTS": "127.0.0.1"}
    env["CELERY_BROKER_URL"] = args.broker_url or "filesystem://"
    procs = []
    pg = psycopg.connect(args.database_url, autocommit=True)
    try:
        pg.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")  # an aborted run's
        pg.execute(f"CREATE DATABASE {DATABASE}")
        url = urllib.parse.urlsplit(args.database_url)._replace(path=f"/{DATABASE}").geturl()
        version = pg.execute("SHOW server_version").fetchone()[0].split()[0]
        env["DATABASE_URL"] = url
        print(f"setting up {DATABASE}: migrate, loaddemo, {args.users} learners ...", flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "loaddemo")
        plan = json.loads(
            manage(env, "shell", "-c", SETUP.replace("LEARNER_COUNT", str(args.users))).split(
                "PLAN ", 1
            )[1]
        )
        (tmp / "plan.json").write_text(json.dumps(plan))
        (tmp / "logs").mkdir()
        web = ["-m", "gunicorn", "config.wsgi", "-w", str(args.web_workers)]
        web += ["-b", "127.0.0.1:0", "--no-control-socket", "--backlog", "2048"]
        procs.append(Proc("web", [sys.executable, *web], env, tmp / "logs", "Booting worker"))
        for i in range(1, args.workers + 1):
            worker = [sys.executable, *WORKER.split(), "--hostname", f"load{i}@%h"]
            procs.append(Proc(f"worker{i}", worker, env, tmp / "logs", " ready."))
        deadline = time.monotonic() + 90
        while late := [proc for proc in procs if proc.ready not in proc.text()]:
            failed = [p for p in procs if p.popen.poll() is not None] or late
            if failed != late or time.monotonic() > deadline:
                sys.exit(f"{failed[0].name} did not start:\n{failed[0].text()[-3000:]}")
            time.sleep(0.2)
        base = procs[0].text().split("Listening at: ", 1)[1].split()[0]
        broker = "Redis" if args.broker_url else "filesystem"
        labels = {
            "database": f"PostgreSQL {version}",
            "plan": plan,
            "procs": f"gunicorn -w {args.web_workers} (sync), {args.workers} Celery workers "
            f"(concurrency 1, {broker} broker)",
        }
        yield base, tmp / "plan.json", labels, url
    finally:
        for proc in procs:
            proc.stop()
        pg.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        pg.close()


def warm_up(base: str, workers: int) -> None:
    """Untimed requests until every gunicorn worker has loaded the app (sync workers take one
    request at a time, so concurrent requests spread over them)."""

    def fetch():
        for path in ("/accounts/login/", "/courses/", "/") * 2:
            with contextlib.suppress(OSError):
                OPENER.open(base + path, timeout=60).read()

    threads = [threading.Thread(target=fetch) for _ in range(2 * workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def run_locust(args, base: str, plan: Path, results: Path, tmp: Path) -> subprocess.Popen:
    env = {**os.environ, "LOAD_PLAN": str(plan), "LOAD_RESULTS": str(results)}
    env["LOAD_WAIT"] = args.wait
    argv = [str(LOCUST), "-f", str(LOCUSTFILE), "--headless", "--host", base]
    argv += ["--users", str(args.users), "--spawn-rate", str(args.spawn_rate)]
    argv += ["--run-time", f"{args.duration}s", "--stop-timeout", "5", "--only-summary"]
    argv += ["--csv", str(tmp / "locust"), "--loglevel", "WARNING"]
    with (tmp / "locust.log").open("wb") as log:
        done = subprocess.run(argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    return done


def summarise(rows: list[dict], duration: float, steady_only: bool = False) -> list[tuple]:
    """(name, n, errors, p50, p95, p99, max, per second) per request name, then the totals."""
    by_name: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_name[row["name"]].append(row)

    def line(name, group):
        ms = sorted(row["ms"] for row in group)
        errors = sum(row["error"] is not None for row in group)
        cells = [percentile(ms, p) for p in (50, 95, 99)] + [ms[-1]]
        return (name, len(group), errors, *cells, len(group) / duration)

    table = [line(name, group) for name, group in sorted(by_name.items())]
    pages = [row for row in rows if row["name"] != SIGN_IN]
    table.append(line("all but sign-in", pages))
    table.append(line("all requests", rows))
    return table


def markdown(table: list[tuple]) -> str:
    lines = [
        "| request | n | errors | p50 ms | p95 ms | p99 ms | max ms | per second |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, n, errors, p50, p95, p99, top, rate in table:
        bold = "**" if name.startswith("all") else ""
        lines.append(
            f"| {bold}{name}{bold} | {n} | {errors} | {p50:.0f} | {p95:.0f} | {p99:.0f} | "
            f"{top:.0f} | {rate:.1f} |"
        )
    return "\n".join(lines)


def write_doc(key: str, part: str) -> None:
    """Replace this configuration's part of our section; keep the other parts and the rest."""
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    head, section, tail = text.rstrip() + "\n\n", "", "\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        section, tail = rest.split(END, 1)
    kept = [PART + p.strip() for p in section.split(PART)[1:] if not p.startswith(f"{key} -->")]
    intro = "\n\n".join(" ".join(p.split()) for p in INTRO.split("\n\n"))
    parts = "\n\n".join([intro, *kept, f"{PART}{key} -->\n{part}"])
    DOC.write_text(f"{head}{BEGIN}\n{parts}\n{END}{tail}")


def submissions(url: str) -> str:
    with psycopg.connect(url) as conn:
        counts = conn.execute(
            "SELECT s.status, count(*) FROM graders_submission s JOIN accounts_user u"
            " ON u.id = s.learner_id WHERE u.username LIKE 'load-%' GROUP BY 1 ORDER BY 1"
        ).fetchall()
    return ", ".join(f"{n} {status}" for status, n in counts) or "none"


def locust_version() -> str:
    done = subprocess.run([str(LOCUST), "--version"], capture_output=True, text=True)
    return done.stdout.split()[1] if done.stdout.startswith("locust ") else "?"


def main() -> int:
    cores = len(os.sched_getaffinity(0))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200, help="simulated learners (200)")
    parser.add_argument("--spawn-rate", type=float, default=5, help="learners started a second")
    parser.add_argument("--duration", type=int, default=120, help="seconds, spawning included")
    parser.add_argument("--web-workers", type=int, default=2 * cores + 1, help="2 * cores + 1")
    parser.add_argument("--workers", type=int, default=2, help="Celery workers (2)")
    parser.add_argument("--wait", default="2,10", help="seconds between a learner's steps")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "LOAD_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL server (the database qiming_load is made and dropped there)",
    )
    parser.add_argument("--broker-url", help="an empty Redis database (default: filesystem)")
    parser.add_argument("--note", default="", help="a sentence for the doc (e.g. other load)")
    args = parser.parse_args()
    if not LOCUST.exists():
        sys.exit(f"{LOCUST} is missing: run `make .venv-bench/.stamp`")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the finally blocks run
    load_before = os.getloadavg()[0]
    with (
        tempfile.TemporaryDirectory(prefix="bench-load-", ignore_cleanup_errors=True) as name,
        services(args, Path(name)) as (base, plan, labels, url),
    ):
        tmp = Path(name)
        results = tmp / "results.jsonl"
        print(
            f"{labels['procs']}; locust: {args.users} learners at {args.spawn_rate:g}/s for "
            f"{args.duration} s against {base} ...",
            flush=True,
        )
        warm_up(base, args.web_workers)
        sampler = LoadSampler()
        sampler.start()
        started = time.monotonic()
        done = run_locust(args, base, plan, results, tmp)
        elapsed = time.monotonic() - started
        sampler.done.set()
        graded = submissions(url)
        raw = (
            [json.loads(line) for line in results.read_text().splitlines()]
            if results.exists()
            else []
        )
        if done.returncode not in (0, 1) or not raw:  # 1: locust saw failures
            print((tmp / "locust.log").read_text()[-3000:], file=sys.stderr)
            return 1
        errors_sample = sorted({r["error"] for r in raw if r.get("error")})[:5]
    spawned = next((row["spawned"] for row in raw if "spawned" in row), None)
    rows = [row for row in raw if "name" in row]
    duration = max(row["at"] for row in rows)
    table = summarise(rows, duration)
    steady = [row for row in rows if row["steady"]]
    steady_table = summarise(steady, duration - (spawned or 0)) if steady else []
    plan_info = labels["plan"]
    m = machine()
    load = sampler.samples or [os.getloadavg()[0]]
    errors = sum(row["error"] is not None for row in rows)
    steady_line = ""
    if steady_table:
        _, n, err, p50, p95, p99, _top, rate = steady_table[-2]
        steady_line = (
            f" After the last learner had started ({spawned:.0f} s in), all but sign-in: "
            f"{n} requests, {err} errors, p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms, "
            f"{rate:.1f} a second."
        )
    errors_text = f" ({'; '.join(errors_sample)})" if errors_sample else ""
    part = "\n\n".join(
        [
            f"### {args.users} learners, {args.wait.replace(',', ' to ')} s between steps",
            f"Run on {datetime.date.today().isoformat()} with `bench/load_test.py --users "
            f"{args.users} --spawn-rate {args.spawn_rate:g} --duration {args.duration} --wait "
            f"{args.wait}`: {labels['database']}, {labels['procs']}, locust {locust_version()}; "
            f"{len(plan_info['courses'])} demo courses, {len(plan_info['quizzes'])} quizzes. "
            f"Machine: `{m['uname']}`; {m['cpu']}; {m['cores']} cores; {m['memory']} memory. "
            f"Load average (1 min) {load_before:.2f} before the run, "
            f"{sum(load) / len(load):.2f} on average during it and {max(load):.2f} at most. "
            f"{args.note}".rstrip(),
            markdown(table),
            f"{len(rows)} requests in {elapsed:.0f} s, {errors} errors{errors_text}."
            f"{steady_line} The learners' submissions at the end: {graded}.",
        ]
    )
    print(part)
    write_doc(f"users={args.users} wait={args.wait}", part)
    print(f"wrote {DOC.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
