"""`manage.py import_course PATH`: a course folder, or an nbgrader course directory, into the site.

    import_course PATH [--replace] [--publish [--note TEXT]] [--owner USERNAME]
                       [--slug SLUG] [--age-band BAND]          (nbgrader course directories)

PATH is a course folder (course.yaml; courses/coursefiles/__init__.py, docs/course-format.md)
or an nbgrader course root (source/<assignment>/*.ipynb; courses/coursefiles/nbgrader_dir.py).
Every problem with it is printed, one per line, and nothing is stored. An existing course is
replaced only with --replace; if learners have work in it, the folder goes into its draft.
--publish then validates the course here (running notebooks in the sandbox) and publishes it.
"""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from courses.coursefiles import nbgrader_dir
from courses.coursefiles.importer import (
    CourseImportError,
    course_import,
    course_validate_and_publish,
)
from courses.coursefiles.reader import CourseFolderInvalid, read_course
from courses.models import AgeBand, Course, CourseVersion
from courses.publishing import PublishRefused

NOTE_LENGTH = CourseVersion._meta.get_field("note").max_length


def default_owner() -> User | None:
    """The first platform admin: a course must belong to someone, and admins may edit all."""
    return (
        User.objects.filter(role=User.Role.ADMIN).order_by("pk").first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )


class Command(BaseCommand):
    help = (
        "Import a course folder (course.yaml, lessons, exercises, assets) or an nbgrader course "
        "directory (source/<assignment>/*.ipynb) in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help="the course folder (holding course.yaml) or nbgrader course root"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace a course with the same slug (its draft, if learners have work in it)",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="then validate the course here (notebooks run in the sandbox) and publish it",
        )
        parser.add_argument(
            "--note", default="", help="with --publish: what changed, for the version's record"
        )
        parser.add_argument(
            "--owner",
            metavar="USERNAME",
            help="who owns the course (default: the current owner, or the first admin)",
        )
        parser.add_argument(
            "--slug", help="nbgrader directories: the course's slug (default: the folder's name)"
        )
        parser.add_argument(
            "--age-band",
            choices=AgeBand.values,
            help="nbgrader directories: the learners' age band (default: adult, or the course's)",
        )

    def handle(self, *args, path, replace, publish, note, owner, slug, age_band, **options):
        if note and not publish:
            raise CommandError("--note goes with --publish. Nothing was imported.")
        if len(note.strip()) > NOTE_LENGTH:
            raise CommandError(
                f"The note is {len(note.strip())} characters long; at most {NOTE_LENGTH} are "
                "allowed. Nothing was imported."
            )
        folder = self._read(path, slug, age_band)
        existing = Course.objects.filter(slug=folder.slug, draft_of__isnull=True).first()
        if existing is not None and age_band is None and nbgrader_dir.is_nbgrader_course(path):
            folder.age_band = existing.age_band  # importing again keeps the band chosen before
        if existing is not None and not replace:
            raise CommandError(
                f"A course with the slug {folder.slug!r} exists already: pass --replace. "
                "Nothing was imported."
            )
        if owner is not None:
            user = User.objects.filter(username=owner).first()
            if user is None:
                raise CommandError(f"There is no user called {owner!r}.")
        elif existing is not None:
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
        counts = (
            f"{len(folder.units)} unit(s), {len(lessons)} lesson(s), "
            f"{len(list(folder.exercises()))} exercise(s), {len(folder.assets)} asset(s)"
        )
        if course.draft_of_id:
            self.stdout.write(
                f"Imported into the draft of {course.title_en!r} ({course.slug}): {counts}. "
                "Learners have work in the course, so they keep the published version until "
                "the draft is published."
            )
        else:
            verb = "Replaced" if existing is not None else "Imported"
            self.stdout.write(
                f"{verb} {course.title_en!r} ({course.slug}, ages {course.age_band}): {counts}."
            )
        if publish:
            self._publish(course, user, note)

    def _read(self, path, slug, age_band):
        try:
            if nbgrader_dir.is_nbgrader_course(path):
                return nbgrader_dir.read_nbgrader_course(
                    path, slug=slug, age_band=age_band or AgeBand.ADULT
                )
            if slug is not None or age_band is not None:
                raise CommandError(
                    "--slug and --age-band are for nbgrader course directories; a course folder "
                    "gives them in course.yaml. Nothing was imported."
                )
            return read_course(path)
        except CourseFolderInvalid as invalid:
            for problem in invalid.problems:
                prefix = f"{path.rstrip('/')}/" if problem.file else ""
                self.stderr.write(f"{prefix}{problem}")
            raise CommandError(
                f"{path}: {len(invalid.problems)} problem(s) in the course folder; "
                "nothing was imported."
            ) from None

    def _publish(self, course: Course, user, note: str) -> None:
        live = course.draft_of if course.draft_of_id else course
        publisher = user or live.owner
        try:
            version = course_validate_and_publish(course=live, user=publisher, note=note)
        except PublishRefused as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(refused.problems)} problem(s) found when validating {live.slug!r}: "
                "it was imported but not published."
            ) from None
        except PermissionDenied as denied:
            raise CommandError(f"{denied} The course was imported but not published.") from None
        self.stdout.write(f"Published {live.slug!r} as version {version.number}.")
