"""`manage.py publish_course SLUG [--note TEXT] [--user USERNAME]`.

Publishes a course's draft (or a course never published) as its next immutable version. Refused,
with every problem printed one per line, unless `validate_course SLUG` passed for exactly this
content.
"""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from courses.publishing import PublishRefused, course_publish
from courses.publishing.commands import acting_user, live_course


class Command(BaseCommand):
    help = "Publish a validated course (its draft) as a new version learners see."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the course's slug")
        parser.add_argument("--note", default="", help="what changed (at most 200 characters)")
        parser.add_argument(
            "--user", metavar="USERNAME", help="who publishes (default: the course's owner)"
        )

    def handle(self, *args, slug, note, user, **options):
        course = live_course(slug)
        who = acting_user(course, user)
        try:
            version = course_publish(course=course, user=who, note=note)
        except PermissionDenied as denied:
            raise CommandError(f"{who.username}: {denied}") from None
        except ValueError as error:
            raise CommandError(str(error)) from None
        except PublishRefused as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(refused.problems)} problem(s): {course.slug} was not published "
                f"(run validate_course {course.slug} --wait first)."
            ) from None
        self.stdout.write(
            f"Published {version.course.title_en!r} ({version.course.slug}) as version "
            f"{version.number} (sha256 {version.sha256[:12]}…)."
        )
