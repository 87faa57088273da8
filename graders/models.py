from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Submission(models.Model):
    """One attempt at a notebook exercise: the exact bytes received, and what grading made of them.

    Status moves queued → running → graded | needs_review | failed, only through conditional
    updates in graders/services.py, so a duplicate or late task can never overwrite a result.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        GRADED = "graded", _("Graded")
        NEEDS_REVIEW = "needs_review", _("Needs review")
        FAILED = "failed", _("Failed")

    FINAL = (Status.GRADED, Status.NEEDS_REVIEW, Status.FAILED)
    IN_FLIGHT = (Status.QUEUED, Status.RUNNING)

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="submissions",
        verbose_name=_("learner"),
    )
    exercise = models.ForeignKey(
        "courses.Exercise",
        on_delete=models.CASCADE,
        related_name="submissions",
        verbose_name=_("exercise"),
    )
    attempt = models.PositiveIntegerField(_("attempt"))
    content = models.BinaryField(_("submitted bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    score = models.FloatField(_("score"), null=True, blank=True)
    max_score = models.FloatField(_("maximum score"), null=True, blank=True)
    tests = models.JSONField(_("per-test results"), default=list, blank=True)
    error = models.TextField(_("message for the learner"), blank=True)
    review_reasons = models.JSONField(_("review reasons"), default=list, blank=True)

    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=255, blank=True)
    # Which execution owns the submission while running: a late or duplicate one cannot finish it.
    run_token = models.CharField(max_length=64, blank=True)
    retries = models.PositiveIntegerField(_("retries"), default=0)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "exercise", "attempt"], name="one_submission_per_attempt"
            )
        ]
        indexes = [
            models.Index(fields=["status", "queued_at"], name="submission_status_queued"),
            models.Index(fields=["learner", "received_at"], name="submission_learner_received"),
        ]

    def __str__(self) -> str:
        return f"{self.learner} · {self.exercise} · #{self.attempt}"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL
