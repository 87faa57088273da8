"""Units of the course being edited: add, rename, move up or down, delete (only when empty)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.authoring import services
from courses.authoring.forms.content import UnitForm
from courses.authoring.views.common import authoring_view, editing, unit_in


def _back(pk: int, unit_id: int | None = None):
    url = reverse("authoring:course", kwargs={"pk": pk})
    return redirect(f"{url}#unit-{unit_id}" if unit_id else url)


def _form_problems(request, form: UnitForm) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@require_POST
@authoring_view
def unit_add(request, pk: int):
    edit = editing(request.user, pk)
    form = UnitForm(request.POST, prefix="new-unit")
    if form.is_valid():
        try:
            unit = services.unit_add(course=edit.course, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Unit “%(title)s” added.") % {"title": unit.title_en})
            return _back(pk, unit.pk)
    _form_problems(request, form)
    return _back(pk)


@require_POST
@authoring_view
def unit_rename(request, pk: int, unit_id: int):
    edit = editing(request.user, pk)
    unit = unit_in(edit.course, unit_id)
    form = UnitForm(request.POST, prefix=f"unit-{unit.pk}")
    if form.is_valid():
        try:
            services.unit_rename(unit=unit, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The unit is renamed."))
            return _back(pk, unit.pk)
    _form_problems(request, form)
    return _back(pk, unit.pk)


@require_POST
@authoring_view
def unit_move(request, pk: int, unit_id: int):
    edit = editing(request.user, pk)
    unit = unit_in(edit.course, unit_id)
    try:
        services.unit_move(unit=unit, direction=request.POST.get("direction", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(pk, unit.pk)


@require_POST
@authoring_view
def unit_delete(request, pk: int, unit_id: int):
    edit = editing(request.user, pk)
    unit = unit_in(edit.course, unit_id)
    try:
        services.unit_delete(unit=unit)
    except services.AuthoringRefused as refused:
        messages.error(request, str(refused))
        return _back(pk, unit.pk)
    messages.success(request, _("The unit is deleted."))
    return _back(pk)
