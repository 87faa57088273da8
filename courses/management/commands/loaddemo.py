"""`manage.py loaddemo`: demo accounts, a class, a notebook exercise and five demo courses.

Safe to run again (`make run` runs it every time). The courses are the folders in
courses/demo/courses/, one per age band, imported with courses.coursefiles and assigned to the
demo class. A course whose slug exists already is left alone: it may hold learners' work, or
edits made in the browser. `--replace` re-imports the demo courses from their folders instead,
except those in which learners have answered something (those are skipped with a message).
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Classroom, User
from courses import services
from courses.coursefiles.importer import course_import, learner_work_on
from courses.coursefiles.reader import COURSE_FILE, CourseFolderInvalid, read_course
from courses.models import Course, Exercise
from reports.demo import demo_school, remove_demo_history

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
DEMO_COURSES_DIR = DEMO_DIR / "courses"
# Demo logins for a local trial; printed by `make run`. Never used outside loaddemo.
DEMO_USERS = [
    ("student", "learn-with-qiming", User.Role.STUDENT),
    ("teacher", "teach-with-qiming", User.Role.TEACHER),
    ("admin", "admin-with-qiming", User.Role.ADMIN),
    # Sees the reports of the demo school (reports/demo.py), with generated learners' history.
    ("schooladmin", "school-with-qiming", User.Role.SCHOOL_ADMIN),
]
# The stand-alone exercise from before courses existed (the API tests and benchmarks use it).
DEMO_EXERCISES = [("Problem set 1: how good is a guess?", "how_good_is_a_guess.ipynb")]


def demo_course_folders() -> list[Path]:
    return sorted(path.parent for path in DEMO_COURSES_DIR.glob(f"*/{COURSE_FILE}"))


class Command(BaseCommand):
    help = "Create the demo accounts, class, exercise and courses (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--replace",
            action="store_true",
            help="re-import demo courses that exist already (not those with learners' work)",
        )

    @transaction.atomic
    def handle(self, *args, replace=False, **options):
        users = {}
        for username, password, role in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username, defaults={"role": role})
            if created:
                user.set_password(password)
                user.is_staff = user.is_superuser = role == User.Role.ADMIN
                user.save()
            users[username] = user
        classroom, _ = Classroom.objects.get_or_create(name="Demo class", teacher=users["teacher"])
        classroom.learners.add(users["student"])
        for title, filename in DEMO_EXERCISES:
            if not Exercise.objects.filter(title=title, owner=users["teacher"]).exists():
                services.exercise_create_notebook(
                    owner=users["teacher"],
                    title=title,
                    source=(DEMO_DIR / filename).read_bytes(),
                    is_published=True,
                )
        if replace:
            # Generated learners' work would keep the demo courses from being re-imported.
            remove_demo_history()
        courses = [
            self._load_course(path, users["teacher"], replace) for path in demo_course_folders()
        ]
        classroom.courses.add(*courses)
        demo_school(
            classroom=classroom,
            school_admin=users["schooladmin"],
            courses=courses,
        )
        logins = "Demo logins (username / password):\n" + "".join(
            f"  {role.label:<21} {username} / {password}\n"
            for username, password, role in DEMO_USERS
        )
        (Path(settings.VAR_DIR) / "demo_logins.txt").write_text(logins)
        self.stdout.write(logins)

    def _load_course(self, path: Path, owner: User, replace: bool) -> Course:
        try:
            folder = read_course(path)
        except CourseFolderInvalid as invalid:
            # The demo content is ours: a problem here is a bug to fix, not a user error.
            raise CommandError(str(invalid)) from None
        existing = Course.objects.filter(slug=folder.slug, draft_of__isnull=True).first()
        if existing is not None and not (replace and not learner_work_on(existing)):
            if replace:
                self.stdout.write(f"Kept demo course {folder.slug}: learners have work in it.")
            return existing
        course = course_import(folder=folder, owner=owner, replace=existing is not None)
        verb = "Replaced" if existing is not None else "Imported"
        self.stdout.write(f"{verb} demo course {course.slug} (ages {course.age_band}).")
        return course
