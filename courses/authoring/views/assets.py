"""A course's pictures and files as its authors see them, uploading and deleting them.

The learner-side asset URL (/courses/<slug>/assets/…) serves the live course's files; a draft
has its own (a picture uploaded while editing is in the draft only), so the editor and the
previews take them from here, with the same locked-down headers as learners' assets.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from courses import asset_services
from courses.authoring import services
from courses.authoring.access import author_required, courses_authored_by
from courses.authoring.views.common import authoring_view, editing
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


class AssetUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Picture or data file"),
        help_text=gettext_lazy("PNG, JPEG, GIF, WebP, SVG, CSV, TXT or JSON, up to 2 MB."),
    )


def _back(pk: int):
    return redirect(reverse("authoring:course", kwargs={"pk": pk}) + "#assets")


@require_POST
@authoring_view
def asset_upload(request, pk: int):
    edit = editing(request.user, pk)
    form = AssetUploadForm(request.POST, request.FILES)
    if form.is_valid():
        uploaded = form.cleaned_data["file"]
        if uploaded.size > asset_services.MAX_ASSET_BYTES:
            form.add_error("file", _("The file is too large: at most 2 MB."))
        else:
            try:
                asset = services.asset_upload(
                    course=edit.course, filename=uploaded.name or "", content=uploaded.read()
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("“%(name)s” is uploaded. In a lesson: ![description](%(name)s)")
                    % {"name": asset.name},
                )
                return _back(pk)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return _back(pk)


@require_POST
@authoring_view
def asset_delete(request, pk: int, asset_id: int):
    edit = editing(request.user, pk)
    asset = get_object_or_404(CourseAsset, pk=asset_id, course=edit.course)
    services.asset_delete(asset=asset)
    messages.success(request, _("“%(name)s” is deleted.") % {"name": asset.name})
    return _back(pk)
