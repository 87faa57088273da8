"""Summary tables the reports read instead of the raw answers.

Raw work (QuizAttempt, Submission) grows by the million; reports group it by course, unit,
exercise, class and school on every page view. These tables hold one row per learner and
exercise, and one per learner, course and day, so a report aggregates a few hundred thousand
narrow, indexed rows rather than joining millions of wide ones; LearnerCourseStat and
LearnerUnitStat add the exercise rows up once more, per learner and course (unit), for the reports
that group learners by course. They are derived data only:
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


class LearnerContainerStat(models.Model):
    """A learner's exercise rows added up over a course (or a unit): the second level of summary.

    Platform-wide reports group by learner and course (completion, score distribution, stalled
    learners); regrouping every LearnerExerciseStat row for that on each view costs about a
    second at 100,000 learners. These rows hold the same sums, over *published* exercises only,
    so those reports read one row per learner and course (unit) instead. They are recomputed from
    LearnerExerciseStat whenever its rows change (reports/stats.py), never incremented.

    Which exercises are published is not copied anywhere: CourseStatVersion records, per
    course, the published exercises the rows were added up over, and the reports read these
    tables only while that still matches the courses (reports/queries/common.py).
    """

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("learner"),
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="+", verbose_name=_("course")
    )
    # Published exercises answered (rows summed), done and passed.
    answered = models.PositiveIntegerField(_("exercises answered"))
    done = models.PositiveIntegerField(_("exercises done"))
    passed = models.PositiveIntegerField(_("exercises passed"))
    attempts = models.PositiveIntegerField(_("attempts"))
    # Best scores (none counted as 0) and maximum scores of the exercises answered.
    score = models.FloatField(_("score"))
    max_score = models.FloatField(_("maximum score"))
    # The same over exercises with a positive maximum only: what a learner's score share (the
    # score distribution) divides, so an exercise worth nothing never divides by zero.
    scored = models.PositiveIntegerField(_("exercises with a maximum"))
    scored_score = models.FloatField(_("score over exercises with a maximum"))
    scored_max = models.FloatField(_("maximum over exercises with a maximum"))
    first_at = models.DateTimeField(_("first answer"))
    last_at = models.DateTimeField(_("last answer"))

    class Meta:
        abstract = True


class LearnerCourseStat(LearnerContainerStat):
    """What one learner has done in one course (published exercises), from LearnerExerciseStat."""

    class Meta:
        verbose_name = _("learner's course summary")
        verbose_name_plural = _("learners' course summaries")
        constraints = [
            models.UniqueConstraint(fields=["learner", "course"], name="coursestat_unique")
        ]
        indexes = [models.Index(fields=["course", "learner"], name="coursestat_course_learner")]

    def __str__(self) -> str:
        return f"{self.learner_id} · {self.course_id}"


class LearnerUnitStat(LearnerContainerStat):
    """What one learner has done in one unit (published exercises), from LearnerExerciseStat."""

    unit = models.ForeignKey(
        "courses.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )

    class Meta:
        verbose_name = _("learner's unit summary")
        verbose_name_plural = _("learners' unit summaries")
        constraints = [models.UniqueConstraint(fields=["learner", "unit"], name="unitstat_unique")]
        indexes = [
            models.Index(fields=["unit", "learner"], name="unitstat_unit_learner"),
            models.Index(fields=["course", "learner"], name="unitstat_course_learner"),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} · {self.unit_id}"


class CourseStatVersion(models.Model):
    """The published exercises (and their units) a course's LearnerCourseStat and LearnerUnitStat
    rows were added up over, as a fingerprint (reports/stats.py: course_fingerprints).

    Publishing, withdrawing or moving an exercise changes what those rows should hold for every
    learner of the course at once. Rather than rewrite them inside a teacher's request, the
    reports compare fingerprints and, while any differs, read the exercise rows (slower, same
    numbers); the periodic catch-up recomputes the course and records its new fingerprint.
    DIRTY marks a course whose rows an incremental refresh wrote under another fingerprint.
    """

    DIRTY = "dirty"

    course = models.OneToOneField(
        "courses.Course", on_delete=models.CASCADE, related_name="+", verbose_name=_("course")
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=64)

    class Meta:
        verbose_name = _("course summary version")
        verbose_name_plural = _("course summary versions")

    def __str__(self) -> str:
        return f"{self.course_id} @ {self.fingerprint[:12]}"


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
