"""A course's pictures and files as its authors see them: a draft's own copies included.

The learner-side asset URL (/courses/<slug>/assets/…) serves the live course's files; a draft
has its own (a picture uploaded while editing is in the draft only), so the editor and the
previews take them from here, with the same locked-down headers as learners' assets.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_safe

from courses.authoring.access import author_required, courses_authored_by
from courses.models import Course, CourseAsset
from courses.views.assets import OTHER_POLICY, SVG_POLICY, TEXT_TYPES


def authoring_asset_base(course: Course) -> str | None:
    """The URL relative asset paths in `course` (a live course or a draft) resolve under."""
    try:
        return reverse("authoring:asset", kwargs={"course_id": course.pk, "name": "_"})[:-1]
    except NoReverseMatch:
        return None


def _harden(response: HttpResponse, content_type: str) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        SVG_POLICY if content_type == "image/svg+xml" else OTHER_POLICY
    )
    response["Cache-Control"] = "private, no-cache"
    return response


@require_safe
@author_required
def asset(request, course_id: int, name: str):
    course = get_object_or_404(courses_authored_by(request.user).only("pk"), pk=course_id)
    meta = (
        CourseAsset.objects.filter(course=course, name=name)
        .only("pk", "content_type", "sha256")
        .first()
    )
    if meta is None:
        raise Http404
    etag = f'"{meta.sha256}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        not_modified["ETag"] = etag
        return _harden(not_modified, meta.content_type)
    content = bytes(CourseAsset.objects.values_list("content", flat=True).get(pk=meta.pk))
    content_type = meta.content_type
    if content_type in TEXT_TYPES:
        content_type += "; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["ETag"] = etag
    return _harden(response, meta.content_type)
