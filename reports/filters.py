"""The filter form shared by the report pages, exports and the API.

Choices are limited to what the asker's scope may see: a school administrator picks among their
own school's classes and cannot name another school (the field is not even offered), so a
crafted query string is a clear 400, never a peek into another school.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Classroom, School
from courses.models import AgeBand, Course
from reports.base import ReportFilters, ReportScope

# The most classes a platform administrator's class menu lists before it asks for a school.
CLASS_MENU_LIMIT = 200


class ReportFilterForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    school = forms.ModelChoiceField(
        label=_("School"), queryset=School.objects.none(), required=False, empty_label=_("All")
    )
    classroom = forms.ModelChoiceField(
        label=_("Class"), queryset=Classroom.objects.none(), required=False, empty_label=_("All")
    )
    course = forms.ModelChoiceField(
        label=_("Course"), queryset=Course.objects.none(), required=False, empty_label=_("All")
    )
    age_band = forms.ChoiceField(label=_("Age band"), required=False)

    def __init__(self, data=None, *, scope: ReportScope, **kwargs):
        super().__init__(data, **kwargs)
        self.scope = scope
        classrooms = Classroom.objects.select_related("school").order_by("name", "id")
        if scope.school_id is not None:
            del self.fields["school"]
            classrooms = classrooms.filter(school_id=scope.school_id)
        else:
            self.fields["school"].queryset = School.objects.order_by("name")
        self.fields["classroom"].queryset = classrooms
        if scope.school_id is None:
            self._offer_classes_of_chosen_school(classrooms)
        # Live courses only: a draft twin is never reported on its own.
        self.fields["course"].queryset = Course.objects.filter(draft_of__isnull=True).order_by(
            "title_en"
        )
        self.fields["age_band"].choices = [("", _("All")), *AgeBand.choices]

    def _offer_classes_of_chosen_school(self, classrooms) -> None:
        """A platform may have thousands of classes, and a menu of all of them costs more than
        the report. Beyond CLASS_MENU_LIMIT the menu lists the chosen school's classes (and a
        class already asked for); any class still validates, so a shared link keeps working."""
        if classrooms.count() <= CLASS_MENU_LIMIT:
            return
        data = self.data or {}
        school, chosen = str(data.get("school") or ""), str(data.get("classroom") or "")
        if school.isdigit():
            offered = classrooms.filter(school_id=int(school))
            empty = _("All")
        else:
            offered = classrooms.filter(pk=int(chosen)) if chosen.isdigit() else classrooms.none()
            empty = _("All (choose a school to pick a class)")
        self.fields["classroom"].widget.choices = [
            ("", empty),
            *((classroom.pk, str(classroom)) for classroom in offered[:CLASS_MENU_LIMIT]),
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        # A school administrator's reports are always their school's; asking for another one is
        # an error rather than silently ignored.
        asked = (self.data or {}).get("school")
        if self.scope.school_id is not None and asked not in (None, "", str(self.scope.school_id)):
            raise forms.ValidationError(_("You can only see reports of your own school."))
        return data

    def filters(self) -> ReportFilters:
        """The validated filters, pinned to the scope; call after is_valid()."""
        data = self.cleaned_data
        school = data.get("school")
        classroom = data.get("classroom")
        course = data.get("course")
        return ReportFilters(
            start=data.get("start"),
            end=data.get("end"),
            school_id=school.pk if school else None,
            classroom_id=classroom.pk if classroom else None,
            course_id=course.pk if course else None,
            age_band=data.get("age_band") or None,
        ).within(self.scope)


def filters_from_query(query, scope: ReportScope) -> tuple[ReportFilters | None, dict]:
    """(filters, {}) for a valid query dict, or (None, errors) — errors as field → messages."""
    form = ReportFilterForm(query, scope=scope)
    if not form.is_valid():
        return None, {field: [str(e) for e in errors] for field, errors in form.errors.items()}
    return form.filters(), {}
