"""`manage.py validate_course SLUG [--wait] [--in-process] [--user USERNAME]`.

Checks a course (its draft, if it has one) as publishing requires: the static problems at
once, then the sandbox checks of its notebooks on the workers. Every problem is printed, one
per line; the command fails when there is any.
"""

import time

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from courses.models import ValidationRun
from courses.publishing import runs
from courses.publishing.commands import acting_user, live_course


class Command(BaseCommand):
    help = "Validate a course before publishing: every problem, including the sandbox checks."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the course's slug")
        parser.add_argument(
            "--wait", action="store_true", help="wait for the workers' sandbox checks"
        )
        parser.add_argument(
            "--in-process",
            action="store_true",
            help="run the sandbox checks in this process instead of on the workers",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=900.0,
            help="seconds --wait waits for the workers (default 900)",
        )
        parser.add_argument(
            "--user", metavar="USERNAME", help="who asks (default: the course's owner)"
        )

    def handle(self, *args, slug, wait, in_process, timeout, user, **options):
        course = live_course(slug)
        who = acting_user(course, user)
        try:
            run = runs.validation_run_request(course=course, user=who, enqueue=not in_process)
        except PermissionDenied as denied:
            raise CommandError(f"{who.username}: {denied}") from None
        checks = len(run.checks)
        if in_process:
            run = runs.validation_run_in_process(run_id=run.pk)
        elif wait and not run.is_final:
            self.stdout.write(f"Waiting for {checks} sandbox check(s) on the workers…")
            run = self._wait(run, timeout)
        for problem in runs.run_problems(run):
            self.stderr.write(str(problem))
        count = len(run.problems)
        if run.status == ValidationRun.Status.FAILED:
            raise CommandError(f"The validation could not finish: {run.error}")
        if not run.is_final:
            raise CommandError(
                f"{count} problem(s) so far; {checks - run.progress} sandbox check(s) of "
                f"validation run {run.pk} are still queued on the workers "
                "(pass --wait, or --in-process if no worker runs)."
            )
        if count:
            raise CommandError(f"{count} problem(s): {course.slug} cannot be published yet.")
        self.stdout.write(
            f"No problems in {course.slug} ({checks} sandbox check(s)): it can be published."
        )

    def _wait(self, run: ValidationRun, timeout: float) -> ValidationRun:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.is_final:
                return run
            time.sleep(0.5)
        return run
