from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.localization import Localized, is_chinese


class Exercise(Localized, models.Model):
    """Something a learner answers and the platform marks.

    Notebook exercises keep the teacher's nbgrader source notebook (with solutions and hidden
    tests — never sent to learners) and the released copy learners download; the workers grade
    them. A notebook may have a Chinese twin (`*_zh`, empty when there is none) with the same
    graded cells; a learner sees, and is graded against, the notebook of their language. Quiz
    exercises keep their definition in `spec` (shapes in courses/quiz/__init__.py) and are
    marked on the server at once.
    """

    class Kind(models.TextChoices):
        NOTEBOOK = "notebook", _("Notebook")
        SINGLE_CHOICE = "single_choice", _("Single choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True or false")
        NUMERIC = "numeric", _("Numeric")
        SHORT_TEXT = "short_text", _("Short text")
        ORDERING = "ordering", _("Ordering")
        CATEGORISE = "categorise", _("Sort into groups")
        MATCH = "match", _("Match pairs")

    title = models.CharField(_("title"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.NOTEBOOK)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="exercises",
        verbose_name=_("owner"),
    )
    # Optional: the notebook exercises that predate courses belong to no lesson. PROTECT because
    # deleting a lesson must never silently delete learners' submissions and attempts with it.
    lesson = models.ForeignKey(
        "courses.Lesson",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exercises",
        verbose_name=_("lesson"),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    # The exercise's file name stem in a course folder (exercises/<key>.yaml); publishing matches
    # a draft's exercises to the live ones by it, so learners' work stays with the exercise.
    key = models.SlugField(_("key"), max_length=120, blank=True)
    prompt_en = models.TextField(_("prompt (English, Markdown)"), blank=True)
    prompt_zh = models.TextField(_("prompt (Chinese, Markdown)"), blank=True)
    explanation_en = models.TextField(_("explanation (English)"), blank=True)
    explanation_zh = models.TextField(_("explanation (Chinese)"), blank=True)
    max_attempts = models.PositiveIntegerField(
        _("maximum attempts"), null=True, blank=True, help_text=_("Empty: unlimited.")
    )
    # The quiz definition; checked by courses.quiz.validate_spec before it is stored.
    spec = models.JSONField(_("quiz definition"), default=dict, blank=True)
    # Notebook kind only; quizzes leave them empty.
    source_notebook = models.JSONField(_("source notebook"), default=dict, blank=True)
    released_notebook = models.JSONField(_("released notebook"), default=dict, blank=True)
    # The Chinese twin: the same graded cells (checked by graders.notebook.twin_problems when
    # stored), its own text. Empty: learners in Chinese get the English notebook.
    source_notebook_zh = models.JSONField(_("source notebook (Chinese)"), default=dict, blank=True)
    released_notebook_zh = models.JSONField(
        _("released notebook (Chinese)"), default=dict, blank=True
    )
    max_score = models.FloatField(_("maximum score"), default=0)
    # Per-exercise sandbox limits overriding settings.GRADER_LIMITS, e.g. {"cell_timeout": 60}.
    limits = models.JSONField(_("sandbox limits"), default=dict, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")
        ordering = ["lesson_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "position"],
                condition=models.Q(lesson__isnull=False),
                name="exercise_position_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(max_attempts__isnull=True) | models.Q(max_attempts__gte=1),
                name="exercise_max_attempts_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_notebook(self) -> bool:
        return self.kind == self.Kind.NOTEBOOK

    # Notebook languages: what Submission.language records. Not the content field suffixes
    # ("zh"): these are the site's language codes, as the request carries them.
    ENGLISH = "en"
    CHINESE = "zh-hans"

    def notebook_language(self, language: str | None = None) -> str:
        """The language whose notebook a learner working in `language` (default: the active
        one) gets: Chinese when they ask for it and there is a Chinese twin, else English."""
        has_twin = isinstance(self.released_notebook_zh, dict) and bool(
            self.released_notebook_zh.get("cells")
        )
        return self.CHINESE if is_chinese(language) and has_twin else self.ENGLISH

    def released_notebook_for(self, language: str | None = None) -> dict:
        if self.notebook_language(language) == self.CHINESE:
            return self.released_notebook_zh
        return self.released_notebook

    def source_notebook_for(self, language: str | None = None) -> dict:
        """The teacher's notebook that grades work done in `language` (English if the twin
        was removed since)."""
        chinese = self.notebook_language(language) == self.CHINESE
        if chinese and isinstance(self.source_notebook_zh, dict) and self.source_notebook_zh:
            return self.source_notebook_zh
        return self.source_notebook
