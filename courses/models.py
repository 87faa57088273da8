from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Exercise(models.Model):
    """Something a learner answers and the platform marks.

    For now only notebook exercises: the teacher's nbgrader source notebook (with solutions and
    hidden tests — never sent to learners) and the released copy learners download.
    """

    class Kind(models.TextChoices):
        NOTEBOOK = "notebook", _("Notebook")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.NOTEBOOK)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="exercises",
        verbose_name=_("owner"),
    )
    source_notebook = models.JSONField(_("source notebook"))
    released_notebook = models.JSONField(_("released notebook"))
    max_score = models.FloatField(_("maximum score"), default=0)
    # Per-exercise sandbox limits overriding settings.GRADER_LIMITS, e.g. {"cell_timeout": 60}.
    limits = models.JSONField(_("sandbox limits"), default=dict, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title
