"""What the authoring views share: finding the course being edited and its parts, statuses.

URLs name the *live* course (`/teach/courses/<pk>/…`). Edits go to the row that
courses.publishing.editable_course returns for it: the course itself while it was never
published, else its draft. A published course without a draft is shown read-only until the
teacher presses "Edit" (which makes the draft: courses.publishing.course_draft_for); a URL of a
unit, lesson or exercise must belong to the row being edited, or it is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.authoring.access import author_required, courses_authored_by
from courses.models import Course, Exercise, Lesson, Unit
from courses.publishing import editable_course
from courses.publishing.drafts import has_been_published

DRAFT, PUBLISHED, CHANGED, UNPUBLISHED = "draft", "published", "changed", "unpublished"
STATUS_LABELS = {
    DRAFT: gettext_lazy("Draft: never published"),
    PUBLISHED: gettext_lazy("Published"),
    CHANGED: gettext_lazy("Published, with unpublished changes"),
    UNPUBLISHED: gettext_lazy("Not published (published before)"),
}


class NotEditable(Exception):
    """The course is published and has no draft: editing needs one (the "Edit" button)."""

    def __init__(self, course: Course):
        super().__init__(course.pk)
        self.course = course


def authoring_view(view):
    """author_required, and a course that cannot be edited as it is sends the teacher back to
    its page (where "Edit" makes a draft) with a message, instead of changing live content."""

    @author_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotEditable as refused:
            messages.warning(
                request,
                _("This course is published: press “Edit” to make a draft, then change that."),
            )
            return redirect("authoring:course", pk=refused.course.pk)

    return wrapped


def live_courses_of(user) -> QuerySet[Course]:
    return courses_authored_by(user).filter(draft_of__isnull=True)


def live_course(user, pk: int) -> Course:
    """A live course `user` may author; Http404 for any other (and for a draft's own id)."""
    return get_object_or_404(live_courses_of(user).select_related("owner"), pk=pk)


@dataclass
class Editing:
    """The live course and the row that edits go to (the same row until it is published)."""

    live: Course
    course: Course

    @property
    def is_draft(self) -> bool:
        return self.course.pk != self.live.pk


def editing(user, pk: int) -> Editing:
    live = live_course(user, pk)
    row = editable_course(live)
    if row is None:
        raise NotEditable(live)
    return Editing(live=live, course=row)


def unit_in(course: Course, unit_id: int) -> Unit:
    return get_object_or_404(Unit, pk=unit_id, course=course)


def lesson_in(course: Course, lesson_id: int) -> Lesson:
    return get_object_or_404(
        Lesson.objects.select_related("unit__course"), pk=lesson_id, unit__course=course
    )


def exercise_in(course: Course, exercise_id: int) -> Exercise:
    return get_object_or_404(
        Exercise.objects.select_related("lesson__unit__course"),
        pk=exercise_id,
        lesson__unit__course=course,
    )


def course_status(live: Course, *, has_draft: bool | None = None) -> str:
    if has_draft is None:
        has_draft = Course.objects.filter(draft_of=live).exists()
    if live.is_published:
        return CHANGED if has_draft else PUBLISHED
    return UNPUBLISHED if has_been_published(live) else DRAFT


def form_status(form_or_forms) -> int:
    """400 when a submitted form has problems, so tests and tools see the refusal."""
    forms = form_or_forms if isinstance(form_or_forms, list | tuple) else [form_or_forms]
    return 400 if any(form is not None and form.errors for form in forms) else 200


def no_such_kind() -> Http404:
    return Http404(_("There is no such kind of exercise."))
