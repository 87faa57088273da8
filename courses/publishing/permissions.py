"""Who may draft, validate and publish a course: its owner and platform admins, nobody else."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from courses.models import Course


def live_course_of(course: Course) -> Course:
    """The live course a row stands for: itself, or the course it is the draft of."""
    return course.draft_of if course.draft_of_id else course


def can_manage(user, course: Course) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_platform_admin", False):
        return True
    return live_course_of(course).owner_id == user.pk


def require_manager(user, course: Course) -> None:
    """PermissionDenied unless `user` owns the course (or its live course) or is an admin."""
    if not can_manage(user, course):
        raise PermissionDenied(_("Only the course's owner or an administrator may do this."))
