"""`manage.py export_course SLUG PATH [--force] [--draft]`: a course from the site as a folder.

The folder is the one import_course reads (courses/coursefiles/__init__.py, docs/course-format.md),
in a canonical layout: exporting the same course twice gives the same bytes, and importing the
folder gives the same course. PATH must be missing or empty; --force replaces course.yaml,
lessons/, exercises/ and assets/ in an existing course folder and keeps everything else there
(README.md, .git): how a course kept in git is brought up to date.
"""

from django.core.management.base import BaseCommand, CommandError

from courses.coursefiles.reader import course_problems
from courses.coursefiles.writer import CourseExportError, course_export
from courses.models import Course


class Command(BaseCommand):
    help = "Export a course as a course folder (course.yaml, lessons, exercises, assets)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the course's slug")
        parser.add_argument("path", help="the folder to write (missing or empty)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the course files in an existing course folder, keeping other files",
        )
        parser.add_argument(
            "--draft",
            action="store_true",
            help="export the course's draft (unpublished changes) rather than the live course",
        )

    def handle(self, *args, slug, path, force, draft, **options):
        course = Course.objects.filter(slug=slug, draft_of__isnull=True).first()
        if course is None:
            raise CommandError(f"There is no course with the slug {slug!r}.")
        if draft:
            course = Course.objects.filter(draft_of=course).first()
            if course is None:
                raise CommandError(f"The course {slug!r} has no draft.")
        try:
            files = course_export(course=course, path=path, force=force)
        except CourseExportError as error:
            raise CommandError(f"{error} Nothing was written.") from None
        except OSError as error:
            raise CommandError(f"Could not write {path}: {error.strerror or error}.") from None
        what = "the draft of " if draft else ""
        self.stdout.write(f"Exported {what}{slug!r} to {path}: {len(files)} file(s).")
        # A course made in the browser may not be complete yet; say what an import would refuse.
        problems = course_problems(path)
        for problem in problems:
            self.stderr.write(f"{path.rstrip('/')}/{problem}" if problem.file else str(problem))
        if problems:
            self.stderr.write(
                f"Warning: {len(problems)} problem(s) to fix before this folder imports again."
            )
