from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ValidationRun(models.Model):
    """One check of a course before publishing: static problems and the sandbox runs.

    `content_sha256` is the SHA-256 of the course's snapshot when the run was requested
    (courses.publishing.snapshot): publishing needs a finished run without problems for exactly
    the content being published. The sandbox part runs on the workers as a series of steps
    (`checks`, one notebook grading each; `progress` counts the steps done), so no single task
    outlives the workers' time limit.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    course = models.ForeignKey(
        "courses.Course",
        on_delete=models.CASCADE,
        related_name="validation_runs",
        verbose_name=_("course"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    content_sha256 = models.CharField(_("SHA-256 of the checked content"), max_length=64)
    # The language the problems are written in: the one of the teacher who asked.
    language = models.CharField(_("language"), max_length=8, default="en")
    # Problem.to_json() of every problem found, static ones first.
    problems = models.JSONField(_("problems"), default=list, blank=True)
    # The sandbox steps: [{"exercise": id, "language": "en" | "zh-hans", "what": "solution" |
    # "stub"}, …], done in order.
    checks = models.JSONField(_("sandbox checks"), default=list, blank=True)
    progress = models.PositiveIntegerField(_("checks done"), default=0)
    # Why the run could not finish (no sandbox on the worker, the content changed meanwhile).
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("validation run")
        verbose_name_plural = _("validation runs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.course} · {self.get_status_display()} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_final(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def passed(self) -> bool:
        return self.status == self.Status.DONE and not self.problems
