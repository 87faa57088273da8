"""What the validate_course and publish_course commands share: finding the course, who acts."""

from django.core.management.base import CommandError

from accounts.models import User
from courses.models import Course


def live_course(slug: str) -> Course:
    course = Course.objects.filter(slug=slug, draft_of__isnull=True).first()
    if course is None:
        raise CommandError(f"There is no course with the slug {slug!r}.")
    return course


def acting_user(course: Course, username: str | None) -> User:
    """--user, or the course's owner: the one the run or version is recorded for."""
    if username is None:
        return course.owner
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"There is no user called {username!r}.")
    return user
