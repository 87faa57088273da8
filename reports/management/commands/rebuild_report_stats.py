"""`manage.py rebuild_report_stats`: recompute the report summary tables from the raw work.

After a restore, a bulk import, or to repair anything the incremental refresh missed. Runs in
one transaction in the database (INSERT … SELECT); `--catch-up` instead only refreshes what
changed since the last catch-up, as the periodic task does.
"""

import time

from django.core.management.base import BaseCommand

from reports import stats
from reports.models import LearnerDayStat, LearnerExerciseStat


class Command(BaseCommand):
    help = "Recompute the report summary tables (or, with --catch-up, only what changed)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--catch-up", action="store_true", help="refresh only what changed since last time"
        )

    def handle(self, *args, catch_up=False, **options):
        started = time.monotonic()
        if catch_up:
            exercise_rows, day_rows = stats.stats_catch_up()
            self.stdout.write(
                f"Refreshed {exercise_rows} exercise rows and {day_rows} day rows "
                f"in {time.monotonic() - started:.1f} s."
            )
            return
        stats.stats_rebuild()
        stats.stats_vacuum()
        self.stdout.write(
            f"Rebuilt {LearnerExerciseStat.objects.count()} exercise rows and "
            f"{LearnerDayStat.objects.count()} day rows in {time.monotonic() - started:.1f} s."
        )
