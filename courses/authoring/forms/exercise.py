"""What every exercise has (titles, prompt, explanation, attempts) and the notebook upload."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from courses.authoring.forms.content import _area, _text
from courses.models import Exercise


class ExerciseForm(forms.Form):
    """The texts of an exercise of any kind. Quizzes add `points` (kept in the quiz definition)."""

    title = _text(_("Title (English)"))
    title_zh = _text(_("Title (Chinese)"), required=False, lang="zh-Hans")
    prompt_en = _area(_("Question or instructions (English, Markdown)"), rows=4)
    prompt_zh = _area(_("Question or instructions (Chinese, Markdown)"), rows=4, lang="zh-Hans")
    explanation_en = _area(_("Explanation (English)"), rows=3)
    explanation_zh = _area(_("Explanation (Chinese)"), rows=3, lang="zh-Hans")
    max_attempts = forms.IntegerField(
        label=_("Attempts allowed"),
        required=False,
        min_value=1,
        max_value=1000,
        help_text=_("Empty: as many as the learner likes."),
    )
    points = forms.FloatField(
        label=_("Points"),
        required=False,
        min_value=0.01,
        max_value=1000,
        help_text=_("What a fully right answer earns. Empty: 1 point."),
    )

    def __init__(self, *args, quiz: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["explanation_en"].help_text = _(
            "Shown once the learner has answered right or used all attempts."
        )
        if not quiz:
            # A notebook's points come from its graded cells.
            del self.fields["points"]
            self.fields["explanation_en"].help_text = ""

    @staticmethod
    def initial_for(exercise: Exercise) -> dict:
        initial = {
            name: getattr(exercise, name)
            for name in (
                "title",
                "title_zh",
                "prompt_en",
                "prompt_zh",
                "explanation_en",
                "explanation_zh",
                "max_attempts",
            )
        }
        if isinstance(exercise.spec, dict) and "points" in exercise.spec:
            initial["points"] = exercise.spec["points"]
        return initial

    def texts(self) -> dict:
        """The cleaned fields the services take (everything but the title and points)."""
        data = self.cleaned_data
        return {
            "title_zh": data["title_zh"],
            "prompt_en": data["prompt_en"],
            "prompt_zh": data["prompt_zh"],
            "explanation_en": data["explanation_en"],
            "explanation_zh": data["explanation_zh"],
            "max_attempts": data["max_attempts"],
        }


class NotebookFileField(forms.FileField):
    """A notebook upload no larger than the graders accept (checked before it is read)."""

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if uploaded and uploaded.size > settings.GRADER_MAX_NOTEBOOK_BYTES:
            raise forms.ValidationError(
                _("The notebook is %(size)d bytes; the limit is %(limit)d bytes.")
                % {"size": uploaded.size, "limit": settings.GRADER_MAX_NOTEBOOK_BYTES}
            )
        return uploaded


class NotebookForm(forms.Form):
    """The nbgrader source notebook and its optional Chinese twin."""

    source = NotebookFileField(
        label=_("Source notebook (nbgrader, English)"),
        required=False,
        help_text=_(
            "The teacher's notebook with solutions and tests, in nbgrader's format. Learners "
            "get the released copy: solutions replaced by stubs, hidden tests removed."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".ipynb,application/x-ipynb+json"}),
    )
    source_zh = NotebookFileField(
        label=_("Chinese notebook (optional)"),
        required=False,
        help_text=_("The same graded cells as the English one, with Chinese text."),
        widget=forms.ClearableFileInput(attrs={"accept": ".ipynb,application/x-ipynb+json"}),
    )
    remove_zh = forms.BooleanField(label=_("Remove the Chinese notebook"), required=False)

    def __init__(self, *args, creating: bool, has_twin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        if creating:
            self.fields["source"].required = True
            del self.fields["remove_zh"]
        else:
            self.fields["source"].label = _("Replace the source notebook (optional)")
            if not has_twin:
                del self.fields["remove_zh"]

    def contents(self) -> dict:
        """Bytes of the uploaded files, as the services take them (None: not uploaded)."""
        data = self.cleaned_data
        result = {
            "source": data["source"].read() if data.get("source") else None,
            "source_zh": data["source_zh"].read() if data.get("source_zh") else None,
        }
        if "remove_zh" in self.fields:
            result["remove_zh"] = data.get("remove_zh", False)
        return result


class YamlSpecForm(forms.Form):
    """A quiz definition typed as YAML: the `spec:` of a course folder's exercise file."""

    spec = forms.CharField(
        label=_("Quiz definition (YAML)"),
        strip=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"}),
        help_text=_(
            "The same shape as in a course folder's exercise file (the part under “spec:”). "
            "Every problem is listed when you save; nothing is saved until there are none."
        ),
    )
