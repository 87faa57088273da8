"""`manage.py import_course PATH [--replace] [--owner USERNAME]`: a course folder into the site.

The folder format is described in courses/coursefiles/__init__.py and docs/course-format.md.
Every problem with the folder is printed, one per line, and nothing is stored.
"""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from courses.coursefiles.importer import CourseImportError, course_import
from courses.coursefiles.reader import CourseFolderInvalid, read_course
from courses.models import Course


def default_owner() -> User | None:
    """The first platform admin: a course must belong to someone, and admins may edit all."""
    return (
        User.objects.filter(role=User.Role.ADMIN).order_by("pk").first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )


class Command(BaseCommand):
    help = "Import a course folder (course.yaml, lessons, exercises, assets) in one transaction."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the course folder (the one holding course.yaml)")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace a course with the same slug (refused if learners have work in it)",
        )
        parser.add_argument(
            "--owner",
            metavar="USERNAME",
            help="who owns the course (default: the current owner, or the first admin)",
        )

    def handle(self, *args, path, replace, owner, **options):
        try:
            folder = read_course(path)
        except CourseFolderInvalid as invalid:
            for problem in invalid.problems:
                prefix = f"{path.rstrip('/')}/" if problem.file else ""
                self.stderr.write(f"{prefix}{problem}")
            raise CommandError(
                f"{path}: {len(invalid.problems)} problem(s) in the course folder; "
                "nothing was imported."
            ) from None
        exists = Course.objects.filter(slug=folder.slug).exists()
        if exists and not replace:
            raise CommandError(
                f"A course with the slug {folder.slug!r} exists already: pass --replace. "
                "Nothing was imported."
            )
        if owner is not None:
            user = User.objects.filter(username=owner).first()
            if user is None:
                raise CommandError(f"There is no user called {owner!r}.")
        elif exists:
            user = None  # keep the course's owner
        else:
            user = default_owner()
            if user is None:
                raise CommandError("No admin user exists to own the course: pass --owner.")
        try:
            course = course_import(folder=folder, owner=user, replace=replace)
        except CourseImportError as error:
            raise CommandError(f"{' '.join(error.problems)} Nothing was imported.") from None
        lessons = list(folder.lessons())
        exercises = list(folder.exercises())
        verb = "Replaced" if exists else "Imported"
        self.stdout.write(
            f"{verb} {course.title_en!r} ({course.slug}, ages {course.age_band}): "
            f"{len(folder.units)} unit(s), {len(lessons)} lesson(s), "
            f"{len(exercises)} exercise(s), {len(folder.assets)} asset(s)."
        )
