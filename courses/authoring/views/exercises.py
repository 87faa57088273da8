"""Exercises of the course being edited: a form per quiz kind, notebook uploads, a YAML editor
for quiz definitions, moving and deleting.

A quiz is saved only when courses.quiz.validate_spec finds nothing wrong; every problem it finds
is shown next to the field it is about (courses/authoring/forms/quiz.py). A notebook is saved
only when it is valid nbgrader (and its Chinese twin matches); every problem is listed under the
file field. Nothing is half-stored: pictures uploaded with a quiz are stored in the same
transaction as the quiz.
"""

from __future__ import annotations

import json

import yaml
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses import quiz
from courses.authoring import services
from courses.authoring.forms.exercise import ExerciseForm, NotebookForm, YamlSpecForm
from courses.authoring.forms.quiz import editor_for
from courses.authoring.views.common import (
    authoring_view,
    editing,
    exercise_in,
    lesson_in,
    no_such_kind,
)
from courses.coursefiles import yaml_loader
from courses.models import Exercise
from graders import notebook

Kind = Exercise.Kind
ROLE_LABELS = {
    notebook.ROLE_TEST: gettext_lazy("autograded test"),
    notebook.ROLE_MANUAL: gettext_lazy("answer marked by the teacher"),
    notebook.ROLE_TASK: gettext_lazy("task marked by the teacher"),
}


def _back(pk: int, exercise: Exercise | None = None, lesson=None):
    url = reverse("authoring:course", kwargs={"pk": pk})
    if exercise is not None:
        return redirect(f"{url}#exercise-{exercise.pk}")
    return redirect(f"{url}#lesson-{lesson.pk}" if lesson is not None else url)


def graded_cells(source: dict) -> list[dict]:
    """The cells of a source notebook that carry points, as the edit page lists them."""
    if not isinstance(source, dict) or not source.get("cells"):
        return []
    outline = notebook.grading_outline(services.notebook_node(source))
    return [
        {
            "grade_id": grade_id,
            "role": str(ROLE_LABELS.get(cell.role, cell.role)),
            "points": cell.points,
            "hidden": cell.hidden,
            "cell": cell.index + 1,
        }
        for grade_id, cell in outline.items()
        if cell.role in ROLE_LABELS
    ]


def _split_points(problems: list[str]) -> tuple[list[str], list[str]]:
    """validate_spec's problems with the points (a field of the exercise form) and the rest."""
    points = [p.removeprefix("points: ") for p in problems if p.startswith("points: ")]
    return points, [p for p in problems if not p.startswith("points: ")]


def _render(request, edit, *, lesson, kind, exercise, form, editor=None, notebook_form=None):
    context = {
        "live": edit.live,
        "course": edit.course,
        "lesson": lesson,
        "exercise": exercise,
        "kind": kind,
        "kind_label": Kind(kind).label,
        "form": form,
        "editor": editor,
        "notebook_form": notebook_form,
        "graded_cells": graded_cells(exercise.source_notebook) if exercise else [],
        "has_twin": bool(exercise and exercise.source_notebook_zh),
    }
    failed = form.errors or (editor is not None and editor.has_errors)
    failed = failed or (notebook_form is not None and notebook_form.errors)
    if failed and request.FILES:
        messages.warning(
            request,
            _("Nothing was saved. Files you chose must be chosen again after a problem."),
        )
    return render(
        request,
        "courses/authoring/exercise_form.html",
        context,
        status=400 if failed else 200,
    )


def _save_quiz(request, edit, *, lesson, kind, exercise):
    spec_in = exercise.spec if exercise else None
    initial = ExerciseForm.initial_for(exercise) if exercise else None
    form = ExerciseForm(request.POST or None, initial=initial)
    editor = editor_for(
        kind,
        course=edit.course,
        data=request.POST if request.method == "POST" else None,
        files=request.FILES if request.method == "POST" else None,
        spec=spec_in,
    )
    render_again = {"lesson": lesson, "kind": kind, "exercise": exercise}
    if request.method != "POST":
        return _render(request, edit, form=form, editor=editor, **render_again)
    form_valid = form.is_valid()
    if not editor.is_valid():
        return _render(request, edit, form=form, editor=editor, **render_again)
    # The definition is checked even when a text has a problem: every problem shows at once.
    spec = editor.build()
    if form_valid and form.cleaned_data.get("points") is not None:
        spec["points"] = form.cleaned_data["points"]
    points, problems = _split_points(quiz.validate_spec(kind, spec))
    for problem in points:
        form.add_error("points", problem)
    editor.add_problems(problems)
    if editor.has_errors or form.errors:
        return _render(request, edit, form=form, editor=editor, **render_again)
    fields = form.texts()
    try:
        if exercise is None:
            exercise = services.exercise_add_quiz(
                lesson=lesson,
                kind=kind,
                title=form.cleaned_data["title"],
                spec=spec,
                assets=editor.new_assets,
                **fields,
            )
        else:
            services.exercise_update_quiz(
                exercise=exercise,
                title=form.cleaned_data["title"],
                spec=spec,
                assets=editor.new_assets,
                **fields,
            )
    except ValidationError as error:
        details = error.message_dict
        points, problems = _split_points(details.pop("spec", []))
        editor.add_problems(problems + points)
        for name, messages_ in details.items():
            form.add_error(name if name in form.fields else None, messages_)
        return _render(request, edit, form=form, editor=editor, **render_again)
    messages.success(request, _("The exercise is saved."))
    return redirect("authoring:exercise", pk=edit.live.pk, exercise_id=exercise.pk)


def _save_notebook(request, edit, *, lesson, exercise):
    initial = ExerciseForm.initial_for(exercise) if exercise else None
    form = ExerciseForm(request.POST or None, initial=initial, quiz=False)
    notebook_form = NotebookForm(
        request.POST or None,
        request.FILES or None,
        creating=exercise is None,
        has_twin=bool(exercise and exercise.source_notebook_zh),
    )
    render_again = {"lesson": lesson, "kind": Kind.NOTEBOOK, "exercise": exercise}
    if request.method != "POST":
        return _render(request, edit, form=form, notebook_form=notebook_form, **render_again)
    if not (form.is_valid() & notebook_form.is_valid()):
        return _render(request, edit, form=form, notebook_form=notebook_form, **render_again)
    files = notebook_form.contents()
    try:
        if exercise is None:
            exercise = services.exercise_add_notebook(
                lesson=lesson,
                title=form.cleaned_data["title"],
                source=files["source"],
                source_zh=files["source_zh"],
                **form.texts(),
            )
        else:
            services.exercise_update_notebook(
                exercise=exercise, title=form.cleaned_data["title"], **files, **form.texts()
            )
    except ValidationError as error:
        for name, problems in error.message_dict.items():
            target = notebook_form if name in notebook_form.fields else form
            target.add_error(name if name in target.fields else None, problems)
        return _render(request, edit, form=form, notebook_form=notebook_form, **render_again)
    messages.success(
        request,
        _("The notebook exercise is saved: %(count)d graded cells, %(points)s points in all.")
        % {
            "count": len(graded_cells(exercise.source_notebook)),
            "points": f"{exercise.max_score:g}",
        },
    )
    return redirect("authoring:exercise", pk=edit.live.pk, exercise_id=exercise.pk)


@require_http_methods(["GET", "POST"])
@authoring_view
def exercise_add(request, pk: int, lesson_id: int, kind: str):
    edit = editing(request.user, pk)
    lesson = lesson_in(edit.course, lesson_id)
    if kind == Kind.NOTEBOOK:
        return _save_notebook(request, edit, lesson=lesson, exercise=None)
    if kind not in quiz.KINDS:
        raise no_such_kind()
    return _save_quiz(request, edit, lesson=lesson, kind=kind, exercise=None)


@require_GET
@authoring_view
def exercise_add_choose(request, pk: int, lesson_id: int):
    """The "Add an exercise" menu posts here as a GET form (no script needed)."""
    edit = editing(request.user, pk)
    lesson = lesson_in(edit.course, lesson_id)
    kind = request.GET.get("kind", "")
    if kind not in Kind.values:
        raise no_such_kind()
    return redirect("authoring:exercise_add", pk=edit.live.pk, lesson_id=lesson.pk, kind=kind)


@require_http_methods(["GET", "POST"])
@authoring_view
def exercise_edit(request, pk: int, exercise_id: int):
    edit = editing(request.user, pk)
    exercise = exercise_in(edit.course, exercise_id)
    if exercise.is_notebook:
        return _save_notebook(request, edit, lesson=exercise.lesson, exercise=exercise)
    return _save_quiz(request, edit, lesson=exercise.lesson, kind=exercise.kind, exercise=exercise)


def spec_yaml(spec: dict) -> str:
    return yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, width=100)


@require_http_methods(["GET", "POST"])
@authoring_view
def exercise_yaml(request, pk: int, exercise_id: int):
    """The quiz definition as YAML, for teachers who prefer to type it (the course-folder
    format's `spec:`). Checked exactly as the forms are; the exercise's texts stay."""
    edit = editing(request.user, pk)
    exercise = exercise_in(edit.course, exercise_id)
    if exercise.is_notebook:
        raise no_such_kind()
    form = YamlSpecForm(request.POST or None, initial={"spec": spec_yaml(exercise.spec)})
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            spec = yaml_loader.load(form.cleaned_data["spec"])
        except yaml.YAMLError as error:
            problems = [
                _("The YAML cannot be read: %(error)s")
                % {"error": yaml_loader.describe_error(error)}
            ]
        else:
            problems = quiz.validate_spec(exercise.kind, spec)
        if not problems:
            try:
                # Plain JSON only: YAML also has dates and other types a definition never needs.
                spec = json.loads(json.dumps(spec))
            except (TypeError, ValueError):
                problems = [
                    _("Use only text, numbers, true or false, lists and mappings in a definition.")
                ]
        if not problems:
            try:
                services.exercise_update_quiz(
                    exercise=exercise,
                    title=exercise.title,
                    spec=spec,
                    **{name: getattr(exercise, name) for name in services.EXERCISE_TEXT_FIELDS},
                )
            except ValidationError as error:
                problems = [m for messages_ in error.message_dict.values() for m in messages_]
            else:
                messages.success(request, _("The quiz definition is saved."))
                return redirect("authoring:exercise", pk=edit.live.pk, exercise_id=exercise.pk)
    context = {
        "live": edit.live,
        "course": edit.course,
        "exercise": exercise,
        "lesson": exercise.lesson,
        "form": form,
        "problems": problems,
    }
    status = 400 if problems or form.errors else 200
    return render(request, "courses/authoring/exercise_yaml.html", context, status=status)


@require_GET
@authoring_view
def notebook_download(request, pk: int, exercise_id: int, language: str):
    """The stored source notebook (solutions and hidden tests: the authors' copy)."""
    edit = editing(request.user, pk)
    exercise = exercise_in(edit.course, exercise_id)
    if language not in ("en", "zh"):
        raise no_such_kind()
    source = exercise.source_notebook_zh if language == "zh" else exercise.source_notebook
    if not exercise.is_notebook or not source:
        raise no_such_kind()
    suffix = ".zh" if language == "zh" else ""
    name = f"{exercise.key or 'exercise'}{suffix}.ipynb"
    response = HttpResponse(
        json.dumps(source, ensure_ascii=False, indent=1), content_type="application/x-ipynb+json"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@authoring_view
def exercise_move(request, pk: int, exercise_id: int):
    edit = editing(request.user, pk)
    exercise = exercise_in(edit.course, exercise_id)
    try:
        services.exercise_move(exercise=exercise, direction=request.POST.get("direction", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(pk, exercise)


@require_POST
@authoring_view
def exercise_delete(request, pk: int, exercise_id: int):
    edit = editing(request.user, pk)
    exercise = exercise_in(edit.course, exercise_id)
    lesson = exercise.lesson
    try:
        services.exercise_delete(exercise=exercise)
    except services.AuthoringRefused as refused:
        messages.error(request, str(refused))
        return _back(pk, exercise)
    messages.success(request, _("The exercise is deleted."))
    return _back(pk, lesson=lesson)
