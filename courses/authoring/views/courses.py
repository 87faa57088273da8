"""My courses, a new course, a course's page (its outline, where everything is edited), its
settings, and the publishing buttons: Edit (make a draft), Validate, Publish, Discard."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses import publishing
from courses.authoring import services
from courses.authoring.forms.content import CourseForm, UnitForm
from courses.authoring.views.assets import AssetUploadForm, authoring_asset_base
from courses.authoring.views.common import (
    STATUS_LABELS,
    Editing,
    authoring_view,
    course_status,
    editing,
    form_status,
    live_course,
    live_courses_of,
)
from courses.models import Course, Exercise, Lesson, Unit
from courses.publishing.drafts import has_been_published
from courses.publishing.runs import run_problems


@require_GET
@authoring_view
def course_list(request):
    drafts = Course.objects.filter(draft_of=OuterRef("pk"))
    courses = (
        live_courses_of(request.user)
        .select_related("owner")
        .annotate(has_draft=Exists(drafts), version_count=Count("versions", distinct=True))
        .order_by("title_en", "pk")
    )
    rows = []
    for course in courses:
        status = course_status(course, has_draft=course.has_draft)
        rows.append({"course": course, "status": status, "status_label": STATUS_LABELS[status]})
    return render(request, "courses/authoring/course_list.html", {"rows": rows})


def _course_fields(form: CourseForm) -> dict:
    data = form.cleaned_data
    return {
        name: data[name]
        for name in (
            "title_en",
            "title_zh",
            "summary_en",
            "summary_zh",
            "age_band",
            "big_ideas",
            "is_public",
        )
    }


@require_http_methods(["GET", "POST"])
@authoring_view
def course_create(request):
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_create(
                owner=request.user, slug=form.cleaned_data["slug"], **_course_fields(form)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Course “%(title)s” created. Add a unit, then lessons and exercises.")
                % {"title": course.title_en},
            )
            return redirect("authoring:course", pk=course.pk)
    return render(
        request,
        "courses/authoring/course_form.html",
        {"form": form, "creating": True},
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
@authoring_view
def course_settings(request, pk: int):
    edit = editing(request.user, pk)
    slug_locked = edit.is_draft or has_been_published(edit.live)
    initial = CourseForm.initial_for(edit.course)
    form = CourseForm(request.POST or None, initial=initial, slug_locked=slug_locked)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_update(
                course=edit.course,
                slug=None if slug_locked else form.cleaned_data["slug"],
                **_course_fields(form),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The course's settings are saved."))
            return redirect("authoring:course", pk=edit.live.pk)
    return render(
        request,
        "courses/authoring/course_form.html",
        {"form": form, "creating": False, "live": edit.live, "course": edit.course},
        status=form_status(form),
    )


def outline(course: Course) -> list[Unit]:
    """Units with their lessons and each lesson's exercises, in order: three queries."""
    exercises = Exercise.objects.order_by("position", "pk").only(
        "pk", "title", "title_zh", "kind", "position", "lesson_id", "max_score", "is_published"
    )
    lessons = Lesson.objects.order_by("position", "pk").prefetch_related(
        Prefetch("exercises", queryset=exercises)
    )
    return list(
        Unit.objects.filter(course=course)
        .order_by("position", "pk")
        .prefetch_related(Prefetch("lessons", queryset=lessons))
    )


def _publishing_context(request, edit: Editing | None, live: Course) -> dict:
    source = edit.course if edit is not None else live
    run = publishing.latest_run(live)
    context = {"run": run, "run_problems": [], "run_current": False, "can_publish": False}
    if run is not None:
        context["run_problems"] = run_problems(run)
        context["run_current"] = run.content_sha256 == publishing.content_sha256(run.course)
    if edit is not None:
        context["can_publish"] = publishing.validation_passed(source) is not None
    context["versions"] = list(live.versions.select_related("published_by")[:10])
    return context


@require_GET
@authoring_view
def course_detail(request, pk: int):
    live = live_course(request.user, pk)
    row = publishing.editable_course(live)
    edit = Editing(live=live, course=row) if row is not None else None
    shown = row if row is not None else live
    context = {
        "live": live,
        "course": shown,
        "editable": edit is not None,
        "is_draft": edit is not None and edit.is_draft,
        "status": course_status(live),
        "status_label": STATUS_LABELS[course_status(live)],
        "units": outline(shown),
        "unit_form": UnitForm(prefix="new-unit"),
        "assets": list(shown.assets.only("pk", "name", "content_type", "size").order_by("name")),
        "asset_base": authoring_asset_base(shown),
        "asset_form": AssetUploadForm(),
        "quiz_kinds": [
            (value, label)
            for value, label in Exercise.Kind.choices
            if value != Exercise.Kind.NOTEBOOK
        ],
        **_publishing_context(request, edit, live),
    }
    return render(request, "courses/authoring/course.html", context)


@require_POST
@authoring_view
def course_edit_start(request, pk: int):
    """Make the draft of a published course (or find it) and open it."""
    live = live_course(request.user, pk)
    row = publishing.course_draft_for(course=live, user=request.user)
    if row.pk != live.pk:
        messages.info(
            request,
            _(
                "You are editing a draft. Learners keep seeing the published course until you "
                "validate and publish the draft."
            ),
        )
    return redirect("authoring:course", pk=live.pk)


@require_POST
@authoring_view
def course_draft_discard(request, pk: int):
    live = live_course(request.user, pk)
    if publishing.course_draft_discard(course=live, user=request.user):
        messages.success(request, _("The draft is thrown away; the published course is as it was."))
    return redirect("authoring:course", pk=live.pk)


@require_POST
@authoring_view
def course_validate(request, pk: int):
    edit = editing(request.user, pk)
    run = publishing.validation_run_request(course=edit.live, user=request.user)
    if run.is_final:
        if run.passed:
            messages.success(request, _("No problems found: the course can be published."))
        else:
            messages.error(
                request,
                _("Validation found %(count)d problems; they are listed below.")
                % {"count": len(run.problems)},
            )
    else:
        messages.info(
            request,
            _(
                "Checked what can be checked at once; the notebooks are being run on the "
                "workers. The result appears below."
            ),
        )
    return redirect(reverse("authoring:course", kwargs={"pk": edit.live.pk}) + "#publishing")


@require_GET
@authoring_view
def validation_status(request, pk: int):
    """The latest validation run, for the page's script to follow until it is final."""
    live = live_course(request.user, pk)
    run = publishing.latest_run(live)
    if run is None:
        return JsonResponse({"run": None})
    return JsonResponse(
        {
            "run": run.pk,
            "status": run.status,
            "status_label": run.get_status_display(),
            "progress": run.progress,
            "total": len(run.checks),
            "final": run.is_final,
            "problems": len(run.problems),
        }
    )


@require_POST
@authoring_view
def course_publish(request, pk: int):
    edit = editing(request.user, pk)
    note = request.POST.get("note", "")
    try:
        version = publishing.course_publish(course=edit.live, user=request.user, note=note)
    except publishing.PublishRefused as refused:
        messages.error(request, _("The course was not published:"))
        for problem in refused.problems[:20]:
            messages.error(request, str(problem))
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Version %(number)d is published: learners see it from now on.")
            % {"number": version.number},
        )
    return redirect(reverse("authoring:course", kwargs={"pk": edit.live.pk}) + "#publishing")
