"""Time every report on a large database and record the figures in docs/benchmarks.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qiming_bench \
        .venv/bin/python bench/reports.py [--seed-learners 100000 --seed-submissions 1000000]
        [--repeat 5] [--no-write]

The database must be PostgreSQL (otherwise the script says so and exits) and migrated. Without
a load in it (users named load-…), the script seeds one first with `manage.py seed_load`
(deterministic: seed 1, history up to --until). Each report is built through its registered
`build` (the same call the pages, exports and API make) for four typical questions: the whole
platform; one age band; a school administrator's school; one course over the last 30 days of
the history. One warm-up run, then --repeat timed runs; the median and the slowest are
reported. Timings are reported, never asserted.

Then every page as served: Django's test Client, through the whole middleware stack, templates
and charts, against the same database, signed in as a platform administrator and as a school
administrator (two users named load-bench-…, created if missing): the dashboard /reports/ and
each /reports/<slug>/, with no filters and filtered to ages 9-11.

The summary tables are vacuumed and analysed after the rebuild, as autovacuum would do in
service: a rebuild deletes and re-inserts every row, and PostgreSQL keeps the dead copies (which
every scan then reads) until a vacuum.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import School, User  # noqa: E402
from courses.models import Course, QuizAttempt  # noqa: E402
from graders.models import Submission  # noqa: E402
from reports.base import REGISTRY, ReportFilters, ReportScope  # noqa: E402
from reports.models import (  # noqa: E402
    LearnerCourseStat,
    LearnerDayStat,
    LearnerExerciseStat,
    LearnerUnitStat,
)

DOC = REPO / "docs" / "benchmarks.md"
BEGIN = "<!-- BEGIN bench/reports.py: rewritten by that script -->"
END = "<!-- END bench/reports.py -->"
UNTIL = "2026-06-30"
BUDGET = 1.0  # seconds: the aim for every dashboard


def machine() -> dict[str, str]:
    from grading_vs_nbgrader import machine as describe  # the same machine description

    return describe()


def database() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    return f"{connection.vendor} (not PostgreSQL: figures are not comparable)"


def seed(learners: int, submissions: int) -> float:
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "seed_load",
            "--learners",
            str(learners),
            "--submissions",
            str(submissions),
            "--until",
            UNTIL,
        ],
        cwd=REPO,
        check=True,
    )
    return time.monotonic() - started


def questions() -> list[tuple[str, ReportScope, ReportFilters]]:
    school = School.objects.filter(name__startswith="load-").order_by("name").first()
    course = Course.objects.filter(slug__startswith="load-course-").order_by("slug").first()
    until = datetime.date.fromisoformat(UNTIL)
    platform = ReportScope(school_id=None, show_names=False)
    return [
        ("platform, all", platform, ReportFilters()),
        ("platform, ages 9-11", platform, ReportFilters(age_band="9-11")),
        (
            "one school's admin",
            ReportScope(school_id=school.pk, show_names=True),
            ReportFilters(),
        ),
        (
            "one course, last 30 days",
            platform,
            ReportFilters(
                course_id=course.pk, start=until - datetime.timedelta(days=29), end=until
            ),
        ),
    ]


def time_reports(repeat: int) -> list[tuple[str, str, float, float, int]]:
    results = []
    for slug, report in sorted(REGISTRY.items()):
        for label, scope, filters in questions():
            report.build(scope, filters)  # warm-up: caches, plans
            runs = []
            for _ in range(repeat):
                started = time.perf_counter()
                table = report.build(scope, filters)
                runs.append(time.perf_counter() - started)
            results.append((slug, label, statistics.median(runs), max(runs), len(table.rows)))
            print(f"{slug:24} {label:26} median {results[-1][2]:.3f} s  max {max(runs):.3f} s")
    return results


PAGE_FILTERS = (("no filters", ""), ("ages 9-11", "?age_band=9-11"))


def page_users() -> list[tuple[str, User]]:
    """A platform administrator and the first load school's administrator (created once)."""
    school = School.objects.filter(name__startswith="load-").order_by("name").first()
    admin, _ = User.objects.get_or_create(
        username="load-bench-admin", defaults={"role": User.Role.ADMIN}
    )
    school_admin, _ = User.objects.get_or_create(
        username="load-bench-schooladmin",
        defaults={"role": User.Role.SCHOOL_ADMIN, "school": school},
    )
    return [("platform admin", admin), (f"school admin ({school.name})", school_admin)]


def time_pages(repeat: int) -> list[tuple[str, str, str, int, float, float]]:
    """(who, path, filters, status, median, slowest) of every report page as served."""
    # The test Client's host; the settings allow only the real ones unless DEBUG.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    paths = ["/reports/", *(f"/reports/{slug}/" for slug in sorted(REGISTRY))]
    results = []
    for who, user in page_users():
        client = Client()
        client.force_login(user)
        for path in paths:
            for label, query in PAGE_FILTERS:
                status = client.get(path + query).status_code  # warm-up
                runs = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    status = client.get(path + query).status_code
                    runs.append(time.perf_counter() - started)
                results.append((who, path, label, status, statistics.median(runs), max(runs)))
                print(
                    f"{who:36} {path + query:48} {status} median {results[-1][4]:.3f} s"
                    f"  max {max(runs):.3f} s"
                )
    return results


def vacuum() -> None:
    """As rebuild_report_stats does after a rebuild (and autovacuum in service): VACUUM ANALYZE
    the summary tables, then ANALYZE everything for fresh plans."""
    from reports import stats

    stats.stats_vacuum()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def counts() -> dict[str, int]:
    return {
        "learners": User.objects.filter(role=User.Role.STUDENT).count(),
        "quiz answers": QuizAttempt.objects.count(),
        "notebook submissions": Submission.objects.count(),
        "exercise summary rows": LearnerExerciseStat.objects.count(),
        "course summary rows": LearnerCourseStat.objects.count(),
        "unit summary rows": LearnerUnitStat.objects.count(),
        "day summary rows": LearnerDayStat.objects.count(),
    }


def rebuild_seconds() -> float:
    from reports import stats

    started = time.monotonic()
    stats.stats_rebuild()
    return time.monotonic() - started


def section(args, results, pages, sizes, seeded, rebuild, loads) -> str:
    m = machine()
    today = datetime.date.today().isoformat()
    over = [row for row in results if row[3] >= BUDGET]
    pages_over = [row for row in pages if row[5] >= BUDGET]
    lines = [
        "## Reports on a large database",
        "",
        f"Run on {today} with `bench/reports.py --repeat {args.repeat}` on {database()}: "
        "every registered report built through its `build` (what the pages, exports and API "
        "call), one warm-up and then median and slowest of the timed runs, in seconds. "
        f"Machine: `{m['uname']}`; {m['cpu']}; {m['cores']} cores; {m['memory']} memory; "
        f"load average (1 min) {loads[0]:.2f} at the start, {loads[1]:.2f} at the end.",
        "",
        "Data: `manage.py seed_load --learners 100000 --submissions 1000000 --until "
        f"{UNTIL}` (seed 1: 180 days of history; `--submissions` counts every answer, quiz "
        "answers and notebook submissions together), "
        + ", ".join(f"{number:,} {name}" for name, number in sizes.items())
        + "."
        + (f" Seeding took {seeded:.0f} s." if seeded is not None else "")
        + (
            f" `rebuild_report_stats` (every summary row, in SQL) took {rebuild:.1f} s."
            if rebuild is not None
            else " Summary tables as they were (`--no-rebuild`)."
        ),
        "",
        "| report | question | median | slowest | rows |",
        "| --- | --- | ---: | ---: | ---: |",
        *(
            f"| {slug} | {label} | {median:.3f} | {slowest:.3f} | {rows} |"
            for slug, label, median, slowest, rows in results
        ),
        "",
        (
            f"Every report answered every question in under {BUDGET:.0f} s."
            if not over
            else f"{len(over)} of {len(results)} timings reached {BUDGET:.0f} s: "
            + ", ".join(f"{slug} ({label})" for slug, label, *_ in over)
            + "."
        ),
        "",
        "### Report pages as served",
        "",
        "Each page fetched with Django's test Client (middleware, filters form, report builds, "
        "SVG charts, template) against the same database; one warm-up, then median and "
        f"slowest of {args.repeat} runs, in seconds. The dashboard builds "
        "activity, completion by age band, hardest exercises and grading health at once. A "
        "platform administrator gets 403 from stalled learners (it names learners).",
        "",
        "| signed in as | page | filters | status | median | slowest |",
        "| --- | --- | --- | ---: | ---: | ---: |",
        *(
            f"| {who} | {path} | {label} | {status} | {median:.3f} | {slowest:.3f} |"
            for who, path, label, status, median, slowest in pages
        ),
        "",
        (
            f"Every page was served in under {BUDGET:.0f} s, slowest run included."
            if not pages_over
            else f"{len(pages_over)} of {len(pages)} pages reached {BUDGET:.0f} s at their "
            "slowest: "
            + ", ".join(f"{path} ({who}, {label})" for who, path, label, *_ in pages_over)
            + "."
        ),
    ]
    return "\n".join(lines)


def write_doc(text: str) -> None:
    current = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if BEGIN in current and END in current:
        head, rest = current.split(BEGIN, 1)
        _old, tail = rest.split(END, 1)
    else:
        head, tail = current.rstrip("\n") + "\n\n", "\n"
    DOC.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-learners", type=int, default=100_000)
    parser.add_argument("--seed-submissions", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print, do not edit the doc")
    parser.add_argument(
        "--no-rebuild", action="store_true", help="time the summary tables as they are"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        # The figures are about PostgreSQL; seeding SQLite with a million rows proves nothing.
        print("bench/reports.py: skipped; set DATABASE_URL to a PostgreSQL database to run it")
        return 0
    seeded = None
    if not User.objects.filter(username__startswith="load-").exists():
        seeded = seed(args.seed_learners, args.seed_submissions)
    rebuild = None if args.no_rebuild else rebuild_seconds()
    vacuum()
    load_start = os.getloadavg()[0]
    results = time_reports(args.repeat)
    pages = time_pages(args.repeat)
    loads = (load_start, os.getloadavg()[0])
    text = section(args, results, pages, counts(), seeded, rebuild, loads)
    print(text)
    if not args.no_write:
        write_doc(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
