"""Regrading: a teacher re-runs the tests on submissions already graded, after fixing a test.

A batch lists every submission it put back in the queue, with the score and status each had
before, so the result can be compared afterwards ("37 regraded, 5 scores changed").
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RegradeBatch(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    exercise = models.ForeignKey(
        "courses.Exercise",
        on_delete=models.CASCADE,
        related_name="regrades",
        verbose_name=_("exercise"),
    )
    # Only this class's learners' submissions; null: every submission of the exercise.
    classroom = models.ForeignKey(
        "accounts.Classroom",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="regrades",
        verbose_name=_("class"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.RUNNING
    )
    # Moved only together with an item's own conditional transition (teaching/regrades.py):
    # `done` counts finished items of every outcome, `changed`/`failed`/`skipped` some of them.
    total = models.PositiveIntegerField(_("submissions"), default=0)
    done = models.PositiveIntegerField(_("finished"), default=0)
    changed = models.PositiveIntegerField(_("scores changed"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("regrade")
        verbose_name_plural = _("regrades")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.exercise} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE


class RegradeItem(models.Model):
    """One submission of a batch: its result before the regrade and after."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for its turn")
        QUEUED = "queued", _("Being regraded")
        DONE = "done", _("Regraded")
        FAILED = "failed", _("Grading failed")
        # It was no longer graded when its turn came (being graded already): left alone.
        SKIPPED = "skipped", _("Skipped")

    OPEN = (State.WAITING, State.QUEUED)

    batch = models.ForeignKey(
        RegradeBatch, on_delete=models.CASCADE, related_name="items", verbose_name=_("regrade")
    )
    submission = models.ForeignKey(
        "graders.Submission",
        on_delete=models.CASCADE,
        related_name="regrade_items",
        verbose_name=_("submission"),
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.WAITING)
    # The result the submission had when it went back in the queue.
    old_status = models.CharField(_("status before"), max_length=16)
    old_score = models.FloatField(_("score before"), null=True, blank=True)
    new_status = models.CharField(_("status after"), max_length=16, blank=True)
    new_score = models.FloatField(_("score after"), null=True, blank=True)
    requeued_at = models.DateTimeField(_("queued again"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("regraded submission")
        verbose_name_plural = _("regraded submissions")
        ordering = ["batch_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "submission"], name="regrade_item_unique")
        ]
        indexes = [models.Index(fields=["batch", "state"], name="regrade_item_batch_state")]

    def __str__(self) -> str:
        return f"{self.batch_id} · {self.submission_id} · {self.state}"

    @property
    def score_changed(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED) and scores_differ(
            self.old_score, self.new_score
        )


def scores_differ(old: float | None, new: float | None) -> bool:
    if old is None or new is None:
        return old is not new
    return abs(old - new) > 1e-6
