"""Lessons of the course being edited: add, edit (Markdown with a preview), move, delete; and the
Markdown preview the lesson and exercise forms ask for as the teacher types.

The preview is rendered by the server with the learner pages' own renderer
(courses.markdown.render_markdown: sanitised, relative pictures from the course's assets), so
what the teacher sees is what learners get. Without JavaScript the form's Preview button shows it
under each text without saving.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from courses.authoring import services
from courses.authoring.forms.content import LessonForm, MarkdownPreviewForm
from courses.authoring.views.assets import authoring_asset_base
from courses.authoring.views.common import (
    authoring_view,
    editing,
    form_status,
    lesson_in,
    live_course,
    unit_in,
)
from courses.markdown import render_markdown
from courses.publishing import editable_course


def _back(pk: int, lesson=None):
    url = reverse("authoring:course", kwargs={"pk": pk})
    return redirect(f"{url}#lesson-{lesson.pk}" if lesson is not None else url)


def _previews(form: LessonForm, base: str | None) -> dict:
    """Both bodies rendered, from what was posted (the Preview button) or stored."""
    data = form.data if form.is_bound else form.initial
    return {
        lang: render_markdown(data.get(f"body_{lang}", "") or "", base=base, below_h1=True)
        for lang in ("en", "zh")
    }


def _render_form(request, edit, form, *, unit=None, lesson=None, previewing=False, status=None):
    base = authoring_asset_base(edit.course)
    context = {
        "live": edit.live,
        "course": edit.course,
        "unit": unit or lesson.unit,
        "lesson": lesson,
        "form": form,
        "previews": _previews(form, base),
        "previewing": previewing,
        "preview_url": reverse("authoring:markdown_preview", kwargs={"pk": edit.live.pk}),
    }
    return render(
        request,
        "courses/authoring/lesson_form.html",
        context,
        status=status if status is not None else form_status(form),
    )


def _wants_preview(request) -> bool:
    return request.method == "POST" and request.POST.get("action") == "preview"


@require_http_methods(["GET", "POST"])
@authoring_view
def lesson_add(request, pk: int, unit_id: int):
    edit = editing(request.user, pk)
    unit = unit_in(edit.course, unit_id)
    form = LessonForm(request.POST or None)
    if _wants_preview(request):
        form.is_valid()  # shows problems next to the preview; nothing is saved
        return _render_form(request, edit, form, unit=unit, previewing=True, status=200)
    if request.method == "POST" and form.is_valid():
        try:
            lesson = services.lesson_add(unit=unit, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Lesson “%(title)s” added.") % {"title": lesson.title_en})
            return redirect("authoring:lesson", pk=pk, lesson_id=lesson.pk)
    return _render_form(request, edit, form, unit=unit)


@require_http_methods(["GET", "POST"])
@authoring_view
def lesson_edit(request, pk: int, lesson_id: int):
    edit = editing(request.user, pk)
    lesson = lesson_in(edit.course, lesson_id)
    form = LessonForm(request.POST or None, initial=LessonForm.initial_for(lesson))
    if _wants_preview(request):
        form.is_valid()
        return _render_form(request, edit, form, lesson=lesson, previewing=True, status=200)
    if request.method == "POST" and form.is_valid():
        try:
            services.lesson_update(lesson=lesson, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The lesson is saved."))
            return redirect("authoring:lesson", pk=pk, lesson_id=lesson.pk)
    return _render_form(request, edit, form, lesson=lesson)


@require_POST
@authoring_view
def lesson_move(request, pk: int, lesson_id: int):
    edit = editing(request.user, pk)
    lesson = lesson_in(edit.course, lesson_id)
    try:
        services.lesson_move(lesson=lesson, direction=request.POST.get("direction", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(pk, lesson)


@require_POST
@authoring_view
def lesson_delete(request, pk: int, lesson_id: int):
    edit = editing(request.user, pk)
    lesson = lesson_in(edit.course, lesson_id)
    try:
        services.lesson_delete(lesson=lesson)
    except services.AuthoringRefused as refused:
        messages.error(request, str(refused))
        return _back(pk, lesson)
    messages.success(request, _("The lesson is deleted."))
    return _back(pk)


@require_POST
@authoring_view
def markdown_preview(request, pk: int):
    """Markdown → sanitised HTML, as a fragment for the editor's preview box."""
    live = live_course(request.user, pk)
    form = MarkdownPreviewForm(request.POST)
    if not form.is_valid():
        return HttpResponse(
            _("The text is too long to preview."), status=400, content_type="text/plain"
        )
    row = editable_course(live) or live
    html = render_markdown(form.cleaned_data["text"], base=authoring_asset_base(row), below_h1=True)
    return HttpResponse(html, content_type="text/html; charset=utf-8")
