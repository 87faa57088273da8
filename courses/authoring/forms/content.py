"""Forms for a course's settings, its units and its lessons. They check what was typed; the
services in courses/authoring/services.py write (and check again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import AgeBand, BigIdea, Course, Lesson, Unit

# Markdown bodies and summaries: generous, but a lesson is not a book.
MAX_BODY_LENGTH = 100_000


def _text(label, *, required=True, max_length=200, **attrs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput(attrs=attrs) if attrs else None,
    )


def _area(label, *, rows=4, required=False, max_length=MAX_BODY_LENGTH, **attrs):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        strip=False,
        widget=forms.Textarea(attrs={"rows": rows, **attrs}),
    )


class CourseForm(forms.Form):
    slug = forms.SlugField(
        label=_("Slug"),
        max_length=Course._meta.get_field("slug").max_length,
        help_text=_(
            "The course's name in web addresses and course folders: lower-case letters, digits "
            "and hyphens, such as “robot-senses”. It cannot change once the course is published."
        ),
    )
    title_en = _text(_("Title (English)"))
    title_zh = _text(_("Title (Chinese)"), lang="zh-Hans")
    summary_en = _area(_("Summary (English)"), rows=3, max_length=5000)
    summary_zh = _area(_("Summary (Chinese)"), rows=3, max_length=5000, lang="zh-Hans")
    age_band = forms.ChoiceField(label=_("Age band"), choices=AgeBand.choices)
    big_ideas = forms.MultipleChoiceField(
        label=_("Big ideas"),
        choices=BigIdea.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("AI4K12's five big ideas in AI that the course teaches."),
    )
    is_public = forms.BooleanField(
        label=_("Public: in every learner's catalogue once published"),
        required=False,
        help_text=_("Otherwise only classes the course is assigned to see it."),
    )

    def __init__(self, *args, slug_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if slug_locked:
            # Shown, but not sent back: a published course keeps its slug.
            self.fields["slug"].disabled = True
            self.fields["slug"].help_text = _("A published course keeps its slug.")

    @staticmethod
    def initial_for(course: Course) -> dict:
        return {
            "slug": course.slug,
            "title_en": course.title_en,
            "title_zh": course.title_zh,
            "summary_en": course.summary_en,
            "summary_zh": course.summary_zh,
            "age_band": course.age_band,
            "big_ideas": list(course.big_ideas or []),
            "is_public": course.is_public,
        }


class UnitForm(forms.Form):
    title_en = _text(_("Unit title (English)"))
    title_zh = _text(_("Unit title (Chinese)"), lang="zh-Hans")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title_en"].max_length = Unit._meta.get_field("title_en").max_length


class LessonForm(forms.Form):
    title_en = _text(_("Title (English)"))
    title_zh = _text(_("Title (Chinese)"), lang="zh-Hans")
    slug = forms.SlugField(
        label=_("Slug"),
        required=False,
        max_length=Lesson._meta.get_field("slug").max_length,
        help_text=_(
            "The lesson's file name in a course folder. Leave it empty to make one from the "
            "English title."
        ),
    )
    body_en = _area(
        _("Lesson (English, Markdown)"), rows=18, spellcheck="true", **{"data-markdown": "en"}
    )
    body_zh = _area(
        _("Lesson (Chinese, Markdown)"),
        rows=18,
        lang="zh-Hans",
        **{"data-markdown": "zh"},
    )

    @staticmethod
    def initial_for(lesson: Lesson) -> dict:
        return {
            "title_en": lesson.title_en,
            "title_zh": lesson.title_zh,
            "slug": lesson.slug,
            "body_en": lesson.body_en,
            "body_zh": lesson.body_zh,
        }


class MarkdownPreviewForm(forms.Form):
    """What the live preview posts: the text, and which course its pictures come from."""

    text = forms.CharField(required=False, strip=False, max_length=MAX_BODY_LENGTH)
