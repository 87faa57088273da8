"""Time notebook submissions through the real REST API until graded: latency and throughput.

    .venv/bin/python bench/api_latency.py [--rate 1] [--count 30] [--burst 20] [--workers 2]
        [--database-url postgres://...] [--broker-url redis://.../N] [--note TEXT]

Fresh database (SQLite, or `qiming_api_bench` on the PostgreSQL server, dropped at the end) and
broker (filesystem, or an empty Redis db, flushed at the end). Exits 1 unless every submission gets
nbgrader's score; timings are never asserted. Writes its part of docs/benchmarks.md (see INTRO).
"""

import argparse
import contextlib
import datetime
import functools
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psycopg  # both in requirements.txt
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grading_vs_nbgrader import machine  # the same machine description

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "graders" / "nbgrader_compat"
DEMO = REPO / "courses/demo/how_good_is_a_guess.ipynb"  # byte for byte the corpus's ps1 source
SOURCES = {"knn": CORPUS / "source/knn/knn.ipynb", "ps1": DEMO}
KINDS = ("correct", "partly_correct", "wrong")
# nbgrader 0.9.6's own totals for these submissions (tests/graders/nbgrader_compat/README.md).
EXPECTED = {"knn": (6.0, 3.0, 0.0), "ps1": (10.0, 2.5, 0.0)}  # in the order of KINDS
NO_LIMIT = "1000000"
POLL = 0.05  # seconds between GETs of one submission
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxies
WORKER = "-m celery -A config worker -Q grading,default --concurrency 1 -l INFO --without-mingle"
DOC = REPO / "docs" / "benchmarks.md"
BEGIN = "<!-- BEGIN bench/api_latency.py: rewritten by that script -->"
END = "<!-- END bench/api_latency.py -->"
PART = "<!-- api_latency.py part: "  # + "sqlite+filesystem -->": one part per database+broker
SETUP = """
import json
from rest_framework.authtoken.models import Token
from accounts.models import User
from courses.services import exercise_create_notebook
teacher = User.objects.create_user("bench-teacher", role=User.Role.TEACHER)
ids = {name: exercise_create_notebook(owner=teacher, title=name, is_published=True,
                                      source=open(path, "rb").read()).pk
       for name, path in SOURCES.items()}
learner = User.objects.create_user("bench-learner", role=User.Role.STUDENT)
print("BENCH " + json.dumps({"token": Token.objects.create(user=learner).key, "exercises": ids}))
""".replace("SOURCES", repr({name: str(path) for name, path in SOURCES.items()}))
INTRO = """## Submission API latency and throughput

Written by `bench/api_latency.py`, a part per database and broker: gunicorn (`-w 2`, `DEBUG=false`)
and Celery workers grading in the sandbox. One learner posts raw-JSON notebooks to
`/api/v1/exercises/{id}/submissions/` over loopback and polls `/api/v1/submissions/{id}/` every 50
ms; `GRADER_MAX_IN_FLIGHT` and `GRADER_MAX_PER_MINUTE` are raised so rate limits never refuse it.
After a warm-up ps1 per worker: `--count` knn (iris k-NN, scikit-learn) at `--rate` a second, then
`--count` ps1 (the demo, plain Python), cycling correct / partly correct / wrong; then `--burst` knn
at once. Seconds: latency is from just before the POST to the first GET showing the result; server
= finished_at - received_at; queue wait = started_at - received_at (broker, free worker); grading =
finished_at - started_at (sandbox and kernel start, the notebook, scoring). The machine is shared:
the load average and a note (`--note`) say what else was running."""
HEADER = "| notebook | n | p50 | p95 | max | mean | server p50 | queue wait p50 | grading p50 |"
SPANS = ("received_at finished_at", "received_at started_at", "started_at finished_at")


class Proc:
    """A child in its own process group, logging to a file; stop() ends the whole group."""

    def __init__(self, name: str, argv: list[str], env: dict, log_dir: Path, ready: str):
        self.name, self.ready, self.log_path = name, ready, log_dir / f"{name}.log"
        with self.log_path.open("wb") as log:
            self.popen = subprocess.Popen(
                argv, cwd=REPO, env=env, stdout=log, stderr=log, start_new_session=True
            )

    def text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 30) -> None:
        for sig in (signal.SIGTERM, signal.SIGKILL):  # warm shutdown, then whatever is left
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=timeout)


def call(base: str, token: str, path: str, body: bytes | None = None) -> dict:
    """One request to the API: a POST if there is a body."""
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(base + path, data=body, headers=headers)
    with OPENER.open(request, timeout=30) as response:
        return json.loads(response.read())


@dataclass
class Run:
    notebook: str
    kind: str
    posted: float = 0.0  # perf_counter just before the POST
    done: float = 0.0  # perf_counter at the first GET that showed a final status
    gets: int = 0
    result: dict | None = None
    error: str | None = None


def submit_and_wait(api, exercise: int, content: bytes, run: Run) -> None:
    run.posted = time.perf_counter()
    try:
        pk = api(f"/api/v1/exercises/{exercise}/submissions/", content)["id"]
        while time.perf_counter() - run.posted < 600:
            result, run.gets = api(f"/api/v1/submissions/{pk}/"), run.gets + 1
            if result["status"] in ("graded", "needs_review", "failed"):
                run.done, run.result = time.perf_counter(), result
                return
            time.sleep(POLL)
        run.error = "not final after 600 s"
    except (OSError, ValueError, KeyError) as error:  # HTTPError is an OSError
        run.error = f"{error} {error.read()[:300] if hasattr(error, 'read') else ''}"


def batch(api, exercises: dict, jobs: list[tuple], rate: float | None) -> list[Run]:
    """Submit jobs [(notebook, kind)] at `rate` a second (None: all at once); wait for all."""
    runs, threads, start = [Run(nb, kind) for nb, kind in jobs], [], time.perf_counter()
    for i, run in enumerate(runs):
        time.sleep(max(0.0, start + i / rate - time.perf_counter()) if rate else 0)
        path = CORPUS / f"submitted/{run.kind}/{run.notebook}/{run.notebook}.ipynb"
        args = (api, exercises[run.notebook], path.read_bytes(), run)
        threads.append(threading.Thread(target=submit_and_wait, args=args, daemon=True))
        threads[-1].start()
    for thread in threads:
        thread.join()
    return runs


def _tree_rss(root: int) -> tuple[int, int]:
    """(bytes resident in `root` and its descendants outside sandboxes, bytes in sandboxes): RSS
    summed per process, so shared pages count more than once (an upper bound)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    sandboxed: set[int] = set()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = Path(entry.path, "stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            pid, ppid = int(entry.name), int(fields[1])
            children.setdefault(ppid, []).append(pid)
            rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            if b"bwrap" in Path(entry.path, "cmdline").read_bytes().split(b"\0")[0]:
                sandboxed.add(pid)
    own = inside = 0
    stack = [(root, False)]
    while stack:
        pid, in_sandbox = stack.pop()
        in_sandbox = in_sandbox or pid in sandboxed
        if in_sandbox:
            inside += rss.get(pid, 0)
        else:
            own += rss.get(pid, 0)
        stack += [(child, in_sandbox) for child in children.get(pid, [])]
    return own, inside


class MemorySampler(threading.Thread):
    """Peak RSS of each worker's process tree (worker, pool process, its sandboxes)."""

    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.pids, self.peak, self.stopping = pids, {pid: (0, 0, 0) for pid in pids}, False

    def run(self) -> None:
        while not self.stopping:
            for pid in self.pids:
                own, inside = _tree_rss(pid)
                if own + inside > self.peak[pid][0]:
                    self.peak[pid] = (own + inside, own, inside)
            time.sleep(0.2)

    def text(self) -> str:
        mib = 2**20
        total, own, inside = max(self.peak.values())
        return (
            f"Worker peak memory (RSS summed over the worker's processes, an upper bound since "
            f"shared pages count twice): {total / mib:.0f} MiB, of which {own / mib:.0f} MiB the "
            f"Celery worker and its pool process and {inside / mib:.0f} MiB its sandboxes (the "
            "zygote, the kernel forked ahead for the next submission and the one grading; "
            "forks share the zygote's pages until they write them, counted again for each here)."
        )


def wrong_answers(runs: list[Run]) -> list[str]:
    """Runs without nbgrader's score, or whose max_score (from the source) is not full marks."""
    bad = []
    for run in runs:
        result, expected = run.result or {}, EXPECTED[run.notebook]
        got = (result.get("status"), result.get("score"), result.get("max_score"))
        if run.error or got != ("graded", expected[KINDS.index(run.kind)], expected[0]):
            bad.append(f"{run.notebook}/{run.kind}: {run.error or got} {result.get('error', '')}")
    return bad


def write_doc(key: str, part: str) -> None:
    """Replace this configuration's part of our section; keep the other parts and the rest."""
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    head, section, tail = text.rstrip() + "\n\n", "", "\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        section, tail = rest.split(END, 1)
    kept = [PART + p.strip() for p in section.split(PART)[1:] if not p.startswith(f"{key} -->")]
    intro, part = (  # one line per paragraph, as in the rest of the file; tables as they are
        "\n\n".join(p if p[0] == "|" else " ".join(p.split()) for p in block.split("\n\n"))
        for block in (INTRO, part)
    )
    parts = "\n\n".join([intro, *kept, f"{PART}{key} -->\n{part}"])
    DOC.write_text(f"{head}{BEGIN}\n{parts}\n{END}{tail}")


@contextlib.contextmanager
def services(args, tmp: Path):
    """Database, broker, web server and workers; yields (api, exercises, labels, worker pids);
    stops them all."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONUNBUFFERED": "1"}
    env |= {"QIMING_VAR_DIR": str(tmp / "var"), "GRADER_RUN_DIR": str(tmp / "runs")}
    env |= {"DATABASE_URL": f"sqlite:///{tmp}/var/db.sqlite3", "CELERY_BROKER_URL": "filesystem://"}
    env |= {"DEBUG": "false", "SECRET_KEY": os.urandom(32).hex(), "ALLOWED_HOSTS": "127.0.0.1"}
    env |= {"GRADER_MAX_IN_FLIGHT": NO_LIMIT, "GRADER_MAX_PER_MINUTE": NO_LIMIT}
    database, broker, procs, pg, rd = "SQLite", "filesystem", [], None, None
    try:
        if args.database_url:
            pg = psycopg.connect(args.database_url, autocommit=True)
            pg.execute("DROP DATABASE IF EXISTS qiming_api_bench WITH (FORCE)")  # an aborted run's
            pg.execute("CREATE DATABASE qiming_api_bench")
            url = urllib.parse.urlsplit(args.database_url)._replace(path="/qiming_api_bench")
            version = pg.execute("SHOW server_version").fetchone()[0].split()[0]
            env["DATABASE_URL"], database = url.geturl(), f"PostgreSQL {version}"
        if args.broker_url:
            client = redis.Redis.from_url(args.broker_url)
            if client.dbsize():
                sys.exit(f"{args.broker_url} is not empty: give an empty Redis database")
            rd, version = client, client.info("server")["redis_version"]
            env["CELERY_BROKER_URL"], broker = args.broker_url, f"Redis {version}"
        for argv in (["migrate", "--noinput"], ["shell", "-c", SETUP]):
            argv = [sys.executable, "manage.py", *argv]
            done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True)
            if done.returncode:
                sys.exit(f"{' '.join(argv[1:3])} failed:\n{done.stderr[-3000:]}")
        setup = json.loads(done.stdout.split("BENCH ", 1)[1])
        (tmp / "logs").mkdir()
        web = "-m gunicorn config.wsgi -w 2 -b 127.0.0.1:0 --no-control-socket".split()
        procs.append(Proc("web", [sys.executable, *web], env, tmp / "logs", "Booting worker"))
        for i in range(1, args.workers + 1):
            worker = [sys.executable, *WORKER.split(), "--hostname", f"bench{i}@%h"]
            procs.append(Proc(f"worker{i}", worker, env, tmp / "logs", " ready."))
        deadline = time.monotonic() + 90
        while late := [proc for proc in procs if proc.ready not in proc.text()]:
            failed = [p for p in procs if p.popen.poll() is not None] or late
            if failed != late or time.monotonic() > deadline:
                sys.exit(f"{failed[0].name} did not start:\n{failed[0].text()[-3000:]}")
            time.sleep(0.2)
        warm = env.get("GRADER_WARM_KERNELS", "true").lower() not in ("0", "false", "no", "off")
        fleet = f"{args.workers} Celery workers (concurrency 1, warm sandboxes "
        labels = (database, broker, f"{fleet}{'on' if warm else 'off'}), gunicorn -w 2")
        url = procs[0].text().split("Listening at: ", 1)[1].split()[0]  # the port it got
        workers = [proc.popen.pid for proc in procs[1:]]
        yield functools.partial(call, url, setup["token"]), setup["exercises"], labels, workers
    finally:
        for proc in procs:
            proc.stop()
        if pg is not None:
            pg.execute("DROP DATABASE IF EXISTS qiming_api_bench WITH (FORCE)")
            pg.close()
        if rd is not None:
            rd.flushdb()  # it was empty: everything in it is ours


def report(args, labels, latency: dict[str, list[Run]], burst: list[Run]) -> str:
    """The doc part (also printed): percentiles per notebook and the burst's throughput."""
    lines, at = [HEADER, "| --- |" + " ---: |" * 8], datetime.datetime.fromisoformat
    for nb, runs in latency.items():
        total = sorted(run.done - run.posted for run in runs)
        p95 = statistics.quantiles(total, n=20, method="inclusive")[-1] if total[1:] else total[0]
        cells = [statistics.median(total), p95, total[-1], statistics.fmean(total)]
        for start, end in map(str.split, SPANS):
            spans = [at(run.result[end]) - at(run.result[start]) for run in runs]
            cells.append(statistics.median(span.total_seconds() for span in spans))
        lines.append(f"| {nb} | {len(runs)} | " + " | ".join(f"{v:.2f}" for v in cells) + " |")
    wall = max(run.done for run in burst) - min(run.posted for run in burst)
    database, broker, procs = labels
    load, m = os.getloadavg()[0], machine()
    urls = " --database-url ... --broker-url ..." * bool(args.database_url)
    return f"""### {database}, {broker} broker

Run on {datetime.date.today().isoformat()} with `bench/api_latency.py --rate {args.rate:g} --count
{args.count} --burst {args.burst} --workers {args.workers}{urls}`: {procs}. Machine:
`{m["uname"]}`; {m["cpu"]}; {m["cores"]} cores; {m["memory"]} memory. Load average (1 min)
{args.load_before:.2f} just before the run, {load:.2f} at its end. {args.note}

{chr(10).join(lines)}

Throughput: {args.burst} knn submissions posted at once were all graded in {wall:.1f} s:
{args.burst / wall:.2f} a second, {60 * args.burst / wall:.0f} a minute (the pollers made
{sum(run.gets for run in burst) / wall:.0f} GET/s).

{args.memory}

All {args.total} submissions (warm-up included) graded with nbgrader's scores."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=1.0, help="submissions a second (1)")
    parser.add_argument("--count", type=int, default=30, help="submissions per notebook (30)")
    parser.add_argument("--burst", type=int, default=20, help="submitted at once (20)")
    parser.add_argument("--workers", type=int, default=2, help="Celery workers (2)")
    parser.add_argument("--database-url", help="a PostgreSQL server (default: fresh SQLite)")
    parser.add_argument("--broker-url", help="an empty Redis database (default: filesystem)")
    parser.add_argument("--note", default="", help="a sentence for the doc (e.g. other load)")
    args = parser.parse_args()
    if min(args.rate, args.count, args.burst, args.workers) <= 0:
        parser.error("--rate, --count, --burst and --workers must be positive")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the finally blocks run
    args.load_before = os.getloadavg()[0]
    cycle = [KINDS[i % len(KINDS)] for i in range(max(args.count, args.burst))]
    with (
        tempfile.TemporaryDirectory(prefix="bench-api-", ignore_cleanup_errors=True) as tmp,
        services(args, Path(tmp)) as (api, exercises, labels, workers),
    ):
        sampler = MemorySampler(workers)
        sampler.start()
        print(f"{', '.join(labels)}; GRADER_MAX_IN_FLIGHT = GRADER_MAX_PER_MINUTE = {NO_LIMIT}")
        run = functools.partial(batch, api, exercises)
        runs = run([("ps1", "correct")] * args.workers, None)  # warm-up, not counted
        latency = {}
        for nb in ("knn", "ps1"):
            print(f"latency: {args.count} {nb} submissions at {args.rate:g}/s ...", flush=True)
            latency[nb] = run([(nb, kind) for kind in cycle[: args.count]], args.rate)
        print(f"throughput: {args.burst} knn submissions at once ...", flush=True)
        burst = run([("knn", kind) for kind in cycle[: args.burst]], None)
        sampler.stopping = True
        args.memory = sampler.text()
    runs += [*latency["knn"], *latency["ps1"], *burst]
    args.total, bad = len(runs), wrong_answers(runs)
    if bad:
        print(f"{len(bad)} of {len(runs)} graded wrongly:", *bad, sep="\n  ", file=sys.stderr)
        return 1
    print(part := report(args, labels, latency, burst))
    write_doc(f"{labels[0].split()[0]}+{labels[1].split()[0]}".lower(), part)
    print(f"wrote {DOC.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
