"""What every teaching view shares: who may use these pages at all."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from teaching.selectors import can_manage_classes


def teacher_required(view):
    """Signed in as a teacher or an admin (a learner: 403). Which class is checked by the view,
    through teaching.selectors, as a 404."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_manage_classes(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def form_errors(form) -> str:
    """A form's errors as one sentence list, for a message."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)
