from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionQuerySet(models.QuerySet):
    def counted(self):
        """Real attempts: what scores, progress and gradebooks are made of (no checks)."""
        return self.filter(purpose=Submission.Purpose.SUBMIT)

    def checks(self):
        return self.filter(purpose=Submission.Purpose.CHECK)


class Submission(models.Model):
    """One attempt at a notebook exercise: the exact bytes received, and what grading made of them.

    Status moves queued → running → graded | needs_review | failed, only through conditional
    updates in graders/services.py, so a duplicate or late task can never overwrite a result.

    A *check* (purpose "check", the notebook page's Check button) goes through the same queue,
    workers and sandbox but runs the visible tests only, is not an attempt (attempt 0, outside the
    per-attempt constraint) and never carries a score: use `Submission.objects.counted()` for
    anything that reports results.
    """

    class Purpose(models.TextChoices):
        SUBMIT = "submit", _("Submission")
        CHECK = "check", _("Check (visible tests only, not counted)")

    class Language(models.TextChoices):
        # The site's language codes; the Chinese notebook is the exercise's twin (if it has one).
        ENGLISH = "en", _("English")
        CHINESE = "zh-hans", _("Simplified Chinese")

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
    purpose = models.CharField(
        _("purpose"), max_length=8, choices=Purpose.choices, default=Purpose.SUBMIT
    )
    # 1, 2, … for submissions; 0 for checks, which are not attempts.
    # The published course version the submission was last graded against (null: an exercise
    # outside any course, or not graded yet); a regrade records the version it used.
    course_version = models.ForeignKey(
        "courses.CourseVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
        verbose_name=_("course version"),
    )
    attempt = models.PositiveIntegerField(_("attempt"))
    # The language of the notebook the learner worked in: grading runs that language's source
    # notebook, so the tests' messages come back in it (graders/tasks.py).
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
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
    # What the solution and visible test cells printed and displayed (graders/outputs.py: an
    # allow-list of types, sanitised and size-capped); never hidden tests' or canaries'.
    outputs = models.JSONField(_("cell outputs"), default=list, blank=True)

    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=255, blank=True)
    # Which execution owns the submission while running: a late or duplicate one cannot finish it.
    run_token = models.CharField(max_length=64, blank=True)
    retries = models.PositiveIntegerField(_("retries"), default=0)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "exercise", "attempt"],
                condition=models.Q(purpose="submit"),
                name="one_submission_per_attempt",
            )
        ]
        indexes = [
            models.Index(fields=["status", "queued_at"], name="submission_status_queued"),
            models.Index(fields=["learner", "received_at"], name="submission_learner_received"),
            # The reports' catch-up and grading-health queries look by time across learners.
            models.Index(fields=["received_at"], name="submission_received"),
            models.Index(fields=["finished_at"], name="submission_finished"),
        ]

    def __str__(self) -> str:
        if self.is_check:
            return f"{self.learner} · {self.exercise} · check {self.pk}"
        return f"{self.learner} · {self.exercise} · #{self.attempt}"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL

    @property
    def is_check(self) -> bool:
        return self.purpose == self.Purpose.CHECK


class Draft(models.Model):
    """A learner's unsaved work on a notebook exercise: the source of each solution cell.

    Saved automatically by the notebook page; filled into the notebook they download. Only
    solution cells' grade_ids are kept, and the whole is size-capped (graders/services.py).
    """

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notebook_drafts",
        verbose_name=_("learner"),
    )
    exercise = models.ForeignKey(
        "courses.Exercise",
        on_delete=models.CASCADE,
        related_name="drafts",
        verbose_name=_("exercise"),
    )
    cells = models.JSONField(_("solution cells by grade_id"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [
            models.UniqueConstraint(fields=["learner", "exercise"], name="one_draft_per_exercise")
        ]

    def __str__(self) -> str:
        return f"{self.learner} · {self.exercise} · draft"
