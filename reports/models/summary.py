"""Summary tables the reports read instead of the raw answers.

Raw work (QuizAttempt, Submission) grows by the million; reports group it by course, unit,
exercise, class and school on every page view. These tables hold one row per learner and
exercise, and one per learner, course and day, so a report aggregates a few hundred thousand
narrow, indexed rows rather than joining millions of wide ones. They are derived data only:
reports/stats.py keeps them current (each row is recomputed from the raw work, so a refresh can
run twice or late without harm) and `manage.py rebuild_report_stats` recomputes them all.

Only learners (role student) and exercises inside a course are summarised: a teacher trying out
their own quiz is not a learner, and a stand-alone exercise belongs to no course to report on
(grading health, which reads submissions directly, still counts it).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LearnerExerciseStat(models.Model):
    """What one learner has done on one exercise, as courses/progress.py defines it."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("learner"),
    )
    exercise = models.ForeignKey(
        "courses.Exercise", on_delete=models.CASCADE, related_name="+", verbose_name=_("exercise")
    )
    # Copied from the exercise's lesson so reports group and filter without three joins; a
    # refresh rewrites them if the exercise moves.
    unit = models.ForeignKey(
        "courses.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="+", verbose_name=_("course")
    )
    is_notebook = models.BooleanField(_("notebook"))
    # Quiz answers used (the highest attempt number), or notebook submissions marked.
    attempts = models.PositiveIntegerField(_("attempts"))
    best_score = models.FloatField(_("best score"), null=True)
    max_score = models.FloatField(_("maximum score"))
    # Full marks at least once (a quiz answered fully right).
    passed = models.BooleanField(_("passed"))
    # courses/progress.py's "done": passed, out of attempts, or a marked notebook.
    done = models.BooleanField(_("done"))
    first_at = models.DateTimeField(_("first answer"))
    last_at = models.DateTimeField(_("last answer"))

    class Meta:
        verbose_name = _("learner's exercise summary")
        verbose_name_plural = _("learners' exercise summaries")
        constraints = [
            models.UniqueConstraint(fields=["learner", "exercise"], name="exercisestat_unique")
        ]
        indexes = [
            # Per-course reports and stalled learners: a course's rows, learner by learner.
            models.Index(fields=["course", "learner"], name="exercisestat_course_learner"),
            models.Index(fields=["unit", "learner"], name="exercisestat_unit_learner"),
            models.Index(fields=["exercise"], name="exercisestat_exercise"),
            # A school's or class's learners: their rows without scanning the table.
            models.Index(fields=["learner", "course"], name="exercisestat_learner_course"),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} · {self.exercise_id}"


class LearnerDayStat(models.Model):
    """How much one learner answered in one course on one day (the site's time zone)."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("learner"),
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="+", verbose_name=_("course")
    )
    day = models.DateField(_("day"))
    quiz_answers = models.PositiveIntegerField(_("quiz answers"), default=0)
    # Handed in (purpose submit), whatever grading made of them; checks are not counted.
    submissions = models.PositiveIntegerField(_("notebook submissions"), default=0)

    class Meta:
        verbose_name = _("learner's day summary")
        verbose_name_plural = _("learners' day summaries")
        constraints = [
            models.UniqueConstraint(fields=["learner", "course", "day"], name="daystat_unique")
        ]
        indexes = [
            models.Index(fields=["day", "learner"], name="daystat_day_learner"),
            models.Index(fields=["course", "day"], name="daystat_course_day"),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} · {self.course_id} · {self.day}"


class StatsCursor(models.Model):
    """How far the periodic catch-up has read the submissions (reports/stats.py).

    Workers mark submissions with conditional UPDATEs that send no signals, so the catch-up
    looks for submissions finished since it last ran. One row, name "submissions".
    """

    name = models.CharField(_("name"), max_length=32, unique=True)
    position = models.DateTimeField(_("read up to"))

    class Meta:
        verbose_name = _("report statistics cursor")
        verbose_name_plural = _("report statistics cursors")

    def __str__(self) -> str:
        return f"{self.name} @ {self.position:%Y-%m-%d %H:%M:%S}"
