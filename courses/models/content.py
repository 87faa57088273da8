"""Curricula: Course → Unit → Lesson, each in English and Simplified Chinese.

Age bands and big ideas are fixed sets (CURRICULUM.md): every course names the stage it serves and
the ideas it teaches, so catalogues and reports can group by them.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.localization import Localized


class SchoolStage(models.TextChoices):
    """Stages of China's Ministry of Education guides (2025), plus university and lifelong."""

    LOWER_PRIMARY = "lower_primary", _("Lower primary")
    UPPER_PRIMARY = "upper_primary", _("Upper primary")
    JUNIOR_SECONDARY = "junior_secondary", _("Junior secondary")
    SENIOR_SECONDARY = "senior_secondary", _("Senior secondary")
    HIGHER_EDUCATION = "higher_education", _("Higher education and adult")


class AgeBand(models.TextChoices):
    AGES_6_8 = "6-8", _("Ages 6-8")
    AGES_9_11 = "9-11", _("Ages 9-11")
    AGES_12_14 = "12-14", _("Ages 12-14")
    AGES_15_17 = "15-17", _("Ages 15-17")
    ADULT = "adult", _("Adults")

    @property
    def stage(self) -> SchoolStage:
        return STAGE_OF_AGE_BAND[self.value]


# Outside the enum: a dict in the class body would become a member of the choices.
STAGE_OF_AGE_BAND = {
    AgeBand.AGES_6_8.value: SchoolStage.LOWER_PRIMARY,
    AgeBand.AGES_9_11.value: SchoolStage.UPPER_PRIMARY,
    AgeBand.AGES_12_14.value: SchoolStage.JUNIOR_SECONDARY,
    AgeBand.AGES_15_17.value: SchoolStage.SENIOR_SECONDARY,
    AgeBand.ADULT.value: SchoolStage.HIGHER_EDUCATION,
}


def stage_for(age_band: str) -> SchoolStage:
    """The school stage an age band maps to; KeyError for a band outside the fixed set."""
    return STAGE_OF_AGE_BAND[AgeBand(age_band).value]


class BigIdea(models.TextChoices):
    """AI4K12's Five Big Ideas in AI (Touretzky et al., 2023); the fifth is societal impact."""

    PERCEPTION = "perception", _("Perception")
    REPRESENTATION_REASONING = "representation_reasoning", _("Representation and reasoning")
    LEARNING = "learning", _("Learning")
    NATURAL_INTERACTION = "natural_interaction", _("Natural interaction")
    SOCIETAL_IMPACT = "societal_impact", _("Societal impact")


def validate_big_ideas(value) -> None:
    """A list of distinct BigIdea values (a JSON list, so SQLite and PostgreSQL store it alike).

    Codes other than "invalid": Django replaces an "invalid" message with JSONField's own.
    """
    if not isinstance(value, list):
        raise ValidationError(_("Big ideas must be a list."), code="big_ideas")
    unknown = [idea for idea in value if idea not in BigIdea.values]
    if unknown:
        raise ValidationError(
            _("Unknown big ideas: %(ideas)s."),
            code="big_ideas",
            params={"ideas": ", ".join(map(str, unknown))},
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("A big idea is listed twice."), code="big_ideas")


class Course(Localized, models.Model):
    # Unique among live courses (constraint below); a draft shares its live course's slug.
    slug = models.SlugField(_("slug"), max_length=80)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_zh = models.TextField(_("summary (Chinese)"), blank=True)
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices)
    big_ideas = models.JSONField(
        _("big ideas"), default=list, blank=True, validators=[validate_big_ideas]
    )
    is_published = models.BooleanField(_("published"), default=False)
    # Public courses are in every learner's catalogue; the others only reach the classes they are
    # assigned to (Classroom.courses).
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Listed in every learner's catalogue, not only for assigned classes."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="courses",
        verbose_name=_("owner"),
    )
    # A published course is edited through its draft: a second Course row with its own units,
    # lessons and exercises that only teachers see. Publishing copies the draft onto this live
    # course (keeping exercise ids, so learners' work stays attached) and records a CourseVersion.
    draft_of = models.OneToOneField(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="draft",
        verbose_name=_("draft of"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title_en", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age_band__in=AgeBand.values), name="course_age_band_known"
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=models.Q(draft_of__isnull=True),
                name="course_slug_unique_live",
            ),
        ]

    def __str__(self) -> str:
        return self.title_en

    @property
    def stage(self) -> SchoolStage:
        return stage_for(self.age_band)


class Unit(Localized, models.Model):
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="units", verbose_name=_("course")
    )
    position = models.PositiveIntegerField(_("position"))
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["course_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["course", "position"], name="unit_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title_en}"


class Lesson(Localized, models.Model):
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("unit")
    )
    position = models.PositiveIntegerField(_("position"))
    # The lesson's file stem in a course folder (lessons/<slug>.en.md); its key when publishing.
    slug = models.SlugField(_("slug"), max_length=80, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    # Markdown; rendered to sanitised HTML by the lesson page, never trusted as HTML here.
    body_en = models.TextField(_("body (English, Markdown)"), blank=True)
    body_zh = models.TextField(_("body (Chinese, Markdown)"), blank=True)

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["unit_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "position"], name="lesson_position_unique"),
            models.UniqueConstraint(
                fields=["unit", "slug"],
                condition=~models.Q(slug=""),
                name="lesson_slug_unique_in_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title_en}"
