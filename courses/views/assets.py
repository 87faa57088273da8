"""Serving a course's images and data files from the database.

Assets come from teachers' course folders and are served from the site's own origin, so each
response is locked down: the stored media type with `nosniff` (a .txt is never read as HTML), a
Content-Security-Policy with `sandbox` (an SVG opened on its own cannot run script or reach
anything), and `private` caching with an ETag, because who may see an asset depends on who asks.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_safe

from courses.models import CourseAsset
from courses.selectors import courses_visible_to

# SVG needs inline styles to look right; nothing may load, run or be framed.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
OTHER_POLICY = "default-src 'none'; sandbox"
TEXT_TYPES = {"text/csv", "text/plain", "image/svg+xml"}


def _harden(response: HttpResponse, content_type: str) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    svg = content_type == "image/svg+xml"
    response["Content-Security-Policy"] = SVG_POLICY if svg else OTHER_POLICY
    # Revalidate every time (cheap: a 304 carries no body), so a teacher's fix shows at once.
    response["Cache-Control"] = "private, no-cache"
    return response


@require_safe
def asset(request, slug: str, name: str):
    """One asset of a course the user may see; 404 for everyone else, as if it did not exist."""
    course = get_object_or_404(courses_visible_to(request.user).only("pk"), slug=slug)
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
    content = CourseAsset.objects.values_list("content", flat=True).get(pk=meta.pk)
    content_type = meta.content_type
    if content_type in TEXT_TYPES:
        content_type += "; charset=utf-8"
    response = HttpResponse(bytes(content), content_type=content_type)
    response["ETag"] = etag
    response["Content-Length"] = str(len(content))
    return _harden(response, meta.content_type)
