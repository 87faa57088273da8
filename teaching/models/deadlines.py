"""A class's own rules for an exercise: deadline, late policy, attempt limit, extensions.

Nothing here changes a stored score. Lateness and its penalty are worked out whenever scores
are shown or exported (teaching/policy.py), so changing a deadline or granting an extension
later simply shows different effective scores.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LatePolicy(models.TextChoices):
    NONE = "none", _("Accept late work without a penalty")
    ZERO = "zero", _("Late work scores 0")
    PERCENT_PER_DAY = "percent_per_day", _("Take off a percentage for each started day late")


class ClassroomExercise(models.Model):
    """One class's settings for one exercise of its courses.

    `max_attempts` overrides Exercise.max_attempts for the class's learners (empty: the
    exercise's own limit); teaching.limits is the one place that reads it.
    """

    classroom = models.ForeignKey(
        "accounts.Classroom",
        on_delete=models.CASCADE,
        related_name="exercise_settings",
        verbose_name=_("class"),
    )
    exercise = models.ForeignKey(
        "courses.Exercise",
        on_delete=models.CASCADE,
        related_name="class_settings",
        verbose_name=_("exercise"),
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    late_policy = models.CharField(
        _("late work"), max_length=16, choices=LatePolicy.choices, default=LatePolicy.NONE
    )
    # Of the exercise's maximum score, for each day or part of a day after the deadline (as
    # Canvas's late policy counts it), never below 0.
    late_percent = models.PositiveSmallIntegerField(_("percent off per day late"), default=10)
    max_attempts = models.PositiveIntegerField(
        _("attempts allowed"),
        null=True,
        blank=True,
        help_text=_("Empty: the exercise's own limit."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("exercise settings of a class")
        verbose_name_plural = _("exercise settings of classes")
        constraints = [
            models.UniqueConstraint(
                fields=["classroom", "exercise"], name="classroom_exercise_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(max_attempts__isnull=True) | models.Q(max_attempts__gte=1),
                name="classroom_exercise_max_attempts_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(late_percent__gte=0, late_percent__lte=100),
                name="classroom_exercise_late_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.classroom} · {self.exercise}"


class Extension(models.Model):
    """A later deadline for one learner of a class on one exercise."""

    classroom = models.ForeignKey(
        "accounts.Classroom",
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("class"),
    )
    exercise = models.ForeignKey(
        "courses.Exercise",
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("exercise"),
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("learner"),
    )
    due_at = models.DateTimeField(_("new due date"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted"), auto_now=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            models.UniqueConstraint(
                fields=["classroom", "exercise", "learner"], name="extension_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner} · {self.exercise} · {self.due_at:%Y-%m-%d %H:%M}"
