"""Who may author, and which course rows they may open.

Teachers author their own courses, platform admins every course. Another teacher's course is a
404 (ids reveal nothing); a learner gets a 403 on every authoring page.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from courses.models import Course


def can_author(user) -> bool:
    return bool(getattr(user, "is_teacher", False) or getattr(user, "is_platform_admin", False))


def author_required(view):
    """Signed in (else the sign-in page) as a teacher or an admin (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_author(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def courses_authored_by(user) -> QuerySet[Course]:
    """Every course row `user` may author: live courses and their drafts.

    A draft belongs to whoever owns its live course (the draft's own owner is a copy of it).
    """
    if getattr(user, "is_platform_admin", False):
        return Course.objects.all()
    if getattr(user, "is_teacher", False):
        return Course.objects.filter(Q(owner=user) | Q(draft_of__owner=user))
    return Course.objects.none()


def authored_course(user, pk: int) -> Course:
    """One course row (live or draft) `user` may author; Http404 for any other."""
    return get_object_or_404(courses_authored_by(user).select_related("draft_of"), pk=pk)
