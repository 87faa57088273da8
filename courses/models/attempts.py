from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.localization import localized


class QuizAttempt(models.Model):
    """One answer to a quiz exercise, as marked the moment it arrived.

    Feedback is stored in both languages, so the learner sees what they were told even after the
    teacher edits the exercise, in whichever language they switch to later.
    """

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
        verbose_name=_("learner"),
    )
    exercise = models.ForeignKey(
        "courses.Exercise",
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
        verbose_name=_("exercise"),
    )
    attempt = models.PositiveIntegerField(_("attempt"))
    answer = models.JSONField(_("answer"))
    correct = models.BooleanField(_("correct"))
    score = models.FloatField(_("score"))
    max_score = models.FloatField(_("maximum score"))
    feedback_en = models.TextField(_("feedback (English)"), blank=True)
    feedback_zh = models.TextField(_("feedback (Chinese)"), blank=True)
    created_at = models.DateTimeField(_("answered"), auto_now_add=True)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "exercise", "attempt"], name="one_quiz_attempt_per_number"
            )
        ]
        # The reports' catch-up looks for answers given since its last run (reports/stats.py).
        indexes = [models.Index(fields=["created_at"], name="quiz_attempt_created")]

    def __str__(self) -> str:
        return f"{self.learner} · {self.exercise} · #{self.attempt}"

    def feedback(self, language: str | None = None) -> str:
        return localized(self, "feedback", language)
