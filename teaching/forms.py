"""Forms of the teaching pages. They check input; teaching/services.py writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from teaching import gradebook as book
from teaching.models import LatePolicy
from teaching.services import MAX_COMMENT_LENGTH

# What <input type="datetime-local"> sends, in the site's time zone.
_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _when_field(label, **extra) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, input_formats=_LOCAL_FORMATS, widget=DateTimeLocalInput(), **extra
    )


class ClassroomExerciseForm(forms.Form):
    due_at = _when_field(_("Due"), required=False)
    late_policy = forms.ChoiceField(label=_("Late work"), choices=LatePolicy.choices)
    late_percent = forms.IntegerField(
        label=_("Percent off per day late"),
        min_value=1,
        max_value=100,
        required=False,
        help_text=_(
            "Of the maximum score, for each started day after the due date; never below 0. "
            "Only with “Take off a percentage for each started day late”."
        ),
    )
    max_attempts = forms.IntegerField(
        label=_("Attempts allowed"),
        min_value=1,
        max_value=1000,
        required=False,
        help_text=_("For this class's learners. Empty: the exercise's own limit."),
    )


class ExtensionForm(forms.Form):
    learner = forms.ModelChoiceField(label=_("Learner"), queryset=None)
    due_at = _when_field(_("New due date"))

    def __init__(self, *args, learners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["learner"].queryset = learners
        self.fields["learner"].label_from_instance = lambda user: (
            user.get_full_name() or user.username
        )


class MarkForm(forms.Form):
    grade_id = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)
    score = forms.FloatField(label=_("Score"), min_value=0)
    comment = forms.CharField(
        label=_("Comment for the learner"),
        required=False,
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ClearMarkForm(forms.Form):
    grade_id = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)


class GradebookFilterForm(forms.Form):
    """The gradebook's filters (a GET form): unknown values are errors, not silently ignored."""

    course = forms.TypedChoiceField(label=_("Course"), required=False, coerce=int, empty_value=None)
    exercise = forms.TypedChoiceField(
        label=_("Exercise"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    learner = forms.CharField(label=_("Learner's name"), required=False, max_length=100)

    def __init__(self, *args, courses, exercises, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["course"].choices = everything + [
            (course.pk, course.localized("title")) for course in courses
        ]
        self.fields["exercise"].choices = everything + [
            (exercise.pk, exercise.localized("title")) for exercise in exercises
        ]
        self.fields["status"].choices = everything + [
            (value, label) for value, label in book.STATUS_LABELS.items()
        ]
