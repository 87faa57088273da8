"""One exercise in a class: its deadline, late policy and attempt limit, learners' extensions,
and regrading it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import learner_in, learners_of
from courses.selectors import exercises_visible_to
from teaching import regrades, selectors, services
from teaching.forms import ClassroomExerciseForm, ExtensionForm
from teaching.models import ClassroomExercise, Extension, LatePolicy
from teaching.views.common import teacher_required


def _settings_initial(classroom, exercise) -> dict:
    settings = ClassroomExercise.objects.filter(classroom=classroom, exercise=exercise).first()
    if settings is None:
        return {"late_policy": LatePolicy.NONE, "late_percent": 10}
    return {
        "due_at": settings.due_at,
        "late_policy": settings.late_policy,
        "late_percent": settings.late_percent,
        "max_attempts": settings.max_attempts,
    }


def _render(request, classroom, exercise, *, status=200, **forms):
    learners = learners_of(classroom)
    context = {
        "classroom": classroom,
        "exercise": exercise,
        "title": exercise.localized("title"),
        "lesson_title": exercise.lesson.localized("title"),
        "course_title": exercise.lesson.unit.course.localized("title"),
        "settings_form": forms.get("settings_form")
        or ClassroomExerciseForm(initial=_settings_initial(classroom, exercise)),
        "extension_form": forms.get("extension_form") or ExtensionForm(learners=learners),
        "extensions": Extension.objects.filter(classroom=classroom, exercise=exercise)
        .select_related("learner", "granted_by")
        .order_by("learner__first_name", "learner__username"),
        "regradable": regrades.regradable_submissions(
            exercise=exercise, classroom=classroom
        ).count()
        if exercise.is_notebook
        else 0,
        "regradable_everywhere": regrades.regradable_submissions(exercise=exercise).count()
        if exercise.is_notebook and selectors.can_regrade_everywhere(request.user, exercise)
        else None,
        "batches": selectors.regrade_batches_visible_to(request.user).filter(exercise=exercise)[
            :10
        ],
    }
    return render(request, "teaching/class_exercise.html", context, status=status)


@require_GET
@teacher_required
def class_exercise(request, pk, exercise_id):
    classroom = selectors.classroom_managed_by(request.user, pk)
    return _render(request, classroom, selectors.class_exercise(classroom, exercise_id))


def _back(classroom, exercise):
    return redirect("teaching:class_exercise", pk=classroom.pk, exercise_id=exercise.pk)


@require_POST
@teacher_required
def settings_save(request, pk, exercise_id):
    classroom = selectors.classroom_managed_by(request.user, pk)
    exercise = selectors.class_exercise(classroom, exercise_id)
    form = ClassroomExerciseForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.classroom_exercise_save(
                classroom=classroom,
                exercise=exercise,
                due_at=data["due_at"],
                late_policy=data["late_policy"],
                late_percent=data["late_percent"] if data["late_percent"] is not None else 10,
                max_attempts=data["max_attempts"],
            )
        except ValidationError as error:
            form.add_error(None, error)
    if form.errors:
        return _render(request, classroom, exercise, settings_form=form, status=400)
    messages.success(request, _("The class's settings for this exercise are saved."))
    return _back(classroom, exercise)


@require_POST
@teacher_required
def extension_grant(request, pk, exercise_id):
    classroom = selectors.classroom_managed_by(request.user, pk)
    exercise = selectors.class_exercise(classroom, exercise_id)
    form = ExtensionForm(request.POST, learners=learners_of(classroom))
    if form.is_valid():
        try:
            extension = services.extension_grant(
                classroom=classroom,
                exercise=exercise,
                learner=form.cleaned_data["learner"],
                due_at=form.cleaned_data["due_at"],
                granted_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
    if form.errors:
        return _render(request, classroom, exercise, extension_form=form, status=400)
    learner = extension.learner
    messages.success(
        request,
        _("%(name)s has an extension.") % {"name": learner.get_full_name() or learner.username},
    )
    return _back(classroom, exercise)


@require_POST
@teacher_required
def extension_remove(request, pk, exercise_id, learner_pk):
    classroom = selectors.classroom_managed_by(request.user, pk)
    exercise = selectors.class_exercise(classroom, exercise_id)
    learner = learner_in(classroom, learner_pk)
    if not services.extension_remove(classroom=classroom, exercise=exercise, learner=learner):
        raise Http404(_("This learner has no extension for this exercise."))
    messages.success(
        request,
        _("%(name)s's extension is removed; the class's due date applies again.")
        % {"name": learner.get_full_name() or learner.username},
    )
    return _back(classroom, exercise)


def _start(request, exercise, classroom, back):
    try:
        batch = regrades.regrade_start(
            exercise=exercise, classroom=classroom, requested_by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return back
    return redirect("teaching:regrade", pk=batch.pk)


@require_POST
@teacher_required
def regrade_class(request, pk, exercise_id):
    """Regrade the class's learners' submissions of the exercise."""
    classroom = selectors.classroom_managed_by(request.user, pk)
    exercise = selectors.class_exercise(classroom, exercise_id)
    return _start(request, exercise, classroom, _back(classroom, exercise))


@require_POST
@teacher_required
def regrade_everyone(request, exercise_id):
    """Regrade every learner's submissions of the exercise: its author, course owner or admin."""
    exercise = get_object_or_404(exercises_visible_to(request.user), pk=exercise_id)
    if not selectors.can_regrade_everywhere(request.user, exercise):
        raise Http404
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("accounts:classes")
    return _start(request, exercise, None, redirect(next_url))
