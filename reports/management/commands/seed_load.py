"""`manage.py seed_load --learners 100000 --submissions 1000000`: a database full of learners.

For load tests and the report benchmark (bench/reports.py). Deterministic (`--seed`, `--until`)
and bounded (reports/seed.py's limits); refuses to run twice on one database unless `--replace`
removes the previous load first. Rebuilds the report summary tables at the end.
"""

from datetime import UTC, datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Classroom, School, User
from courses.models import Course, Exercise, QuizAttempt
from graders.models import Submission
from reports import seed as seeding
from reports import stats


class Command(BaseCommand):
    help = "Fill the database with generated schools, classes, learners and their answers."

    def add_arguments(self, parser):
        parser.add_argument("--learners", type=int, default=1000)
        parser.add_argument(
            "--submissions",
            type=int,
            default=10000,
            help="answers in all: quiz answers and notebook submissions",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--days", type=int, default=180, help="length of the history")
        parser.add_argument(
            "--until",
            type=datetime.fromisoformat,
            default=None,
            help="last day of the history, YYYY-MM-DD (default: today)",
        )
        parser.add_argument(
            "--replace", action="store_true", help="delete a previous load's rows first"
        )

    def handle(self, *args, learners, submissions, seed, days, until, replace, **options):
        plan = seeding.SeedPlan(
            learners=learners,
            submissions=submissions,
            seed=seed,
            days=days,
            until=datetime.combine(until.date(), time.min, tzinfo=UTC) if until else None,
        )
        try:
            plan.check()
        except seeding.SeedTooLarge as error:
            raise CommandError(str(error)) from None
        prefix = plan.prefix
        if User.objects.filter(username__startswith=prefix).exists():
            if not replace:
                raise CommandError(
                    "This database has a load already (users named load-…); use --replace."
                )
            self._remove(prefix)
        result = seeding.seed_load(plan, progress=self.stdout.write)
        self.stdout.write("Rebuilding the report summary tables…")
        stats.stats_rebuild()
        stats.stats_vacuum()
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {result.learners} learners in {result.classes} classes of "
                f"{result.schools} schools: {result.quiz_answers} quiz answers, "
                f"{result.submissions} notebook submissions."
            )
        )

    @transaction.atomic
    def _remove(self, prefix: str) -> None:
        users = User.objects.filter(username__startswith=prefix)
        QuizAttempt.objects.filter(learner__in=users).delete()
        Submission.objects.filter(learner__in=users).delete()
        classrooms = Classroom.objects.filter(teacher__in=users)
        Classroom.learners.through.objects.filter(classroom__in=classrooms).delete()
        classrooms.delete()
        courses = Course.objects.filter(slug__startswith=f"{prefix}course-")
        Exercise.objects.filter(lesson__unit__course__in=courses).delete()
        courses.delete()
        users.delete()
        School.objects.filter(name__startswith=f"{prefix}school-").delete()
