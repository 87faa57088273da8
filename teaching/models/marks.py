"""A teacher's marks on notebook submissions, and the record of every change to them.

A mark never overwrites what grading stored on the Submission: the automatic result stays as it
was (and a regrade may replace it), and the marks are applied on top when scores are shown
(teaching/marking.py).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Mark.grade_id for a mark of the whole submission rather than of one cell.
WHOLE = ""


class Mark(models.Model):
    """The score a teacher gives one graded cell of a submission (by its grade_id: nbgrader's
    manually graded answers, or any test), or the whole submission (grade_id "")."""

    submission = models.ForeignKey(
        "graders.Submission",
        on_delete=models.CASCADE,
        related_name="marks",
        verbose_name=_("submission"),
    )
    grade_id = models.CharField(_("cell"), max_length=200, blank=True)
    score = models.FloatField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("marked by"),
    )
    marked_at = models.DateTimeField(_("marked"), default=timezone.now)

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        ordering = ["submission_id", "grade_id"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "grade_id"], name="mark_unique"),
            models.CheckConstraint(condition=models.Q(score__gte=0), name="mark_score_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} · {self.grade_id or 'whole'} · {self.score:g}"

    @property
    def is_whole(self) -> bool:
        return self.grade_id == WHOLE


class MarkChange(models.Model):
    """One change of a score by a teacher: who, when, the value before and after, and why.

    Only ever added to (services never update or delete one): the audit trail of overrides.
    `old_score` is what counted before: the teacher's earlier mark, or else the automatic score.
    """

    submission = models.ForeignKey(
        "graders.Submission",
        on_delete=models.CASCADE,
        related_name="mark_changes",
        verbose_name=_("submission"),
    )
    grade_id = models.CharField(_("cell"), max_length=200, blank=True)
    old_score = models.FloatField(_("score before"), null=True, blank=True)
    new_score = models.FloatField(_("score after"))
    comment = models.TextField(_("comment"), blank=True)
    # The teacher removed their mark: `new_score` is the automatic score that counts again.
    removed = models.BooleanField(_("mark removed"), default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("mark change")
        verbose_name_plural = _("mark changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        cell = self.grade_id or "whole"
        return f"{self.submission_id} · {cell} · {self.old_score} → {self.new_score}"
