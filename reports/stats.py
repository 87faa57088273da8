"""Keeping the report summary tables (reports/models/summary.py) current.

Every summary row is *recomputed* from the raw work it summarises, never incremented: a refresh
that runs twice, late, or concurrently with another one leaves the same row, and a lost refresh
is repaired by the next one that touches the same key or by the periodic catch-up.

Three ways rows get refreshed:

- a quiz answer: `quiz_attempt_recorded`, connected to QuizAttempt's post_save in
  ReportsConfig.ready() and run after the answer's transaction commits. A signal rather than a
  call in courses/services.py, so the courses app does not depend on the reports app; it only
  refreshes derived data, never decides anything.
- a notebook submission: workers mark submissions with conditional UPDATEs (no signals), so
  `stats_catch_up` (a periodic task) re-reads the submissions received or finished since it last
  ran. `submission_changed(submission_id=...)` refreshes one at once, for callers that can.
- `stats_rebuild()` (`manage.py rebuild_report_stats`): everything, in a few INSERT … SELECT
  statements.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from celery import shared_task
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, Value
from django.db.models.functions import TruncDate
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual
from django.utils import timezone

from accounts.models import User
from courses.models import QuizAttempt
from graders.models import Submission
from reports.models import LearnerDayStat, LearnerExerciseStat, StatsCursor

logger = logging.getLogger(__name__)

# Marked notebook submissions: what courses/progress.py counts as handed in.
MARKED = (Submission.Status.GRADED, Submission.Status.NEEDS_REVIEW)
# The catch-up re-reads this much before its cursor: a worker's UPDATE stamps finished_at before
# its transaction commits, so a row may become visible with a time just before the cursor.
CATCH_UP_OVERLAP = timedelta(minutes=2)
# Keys refreshed per statement: bounds the size of IN (...) lists and of each transaction.
BATCH = 500
CURSOR = "submissions"

_EXERCISE_FIELDS = [
    "unit_id",
    "course_id",
    "is_notebook",
    "attempts",
    "best_score",
    "max_score",
    "passed",
    "done",
    "first_at",
    "last_at",
]


def _in_courses(queryset):
    """Work by learners on exercises of live courses: what the summaries describe."""
    return queryset.filter(
        learner__role=User.Role.STUDENT,
        exercise__lesson__isnull=False,
        exercise__lesson__unit__course__draft_of__isnull=True,
    )


def _quiz_rows(queryset=None):
    """One row per (learner, exercise) of quiz answers, in LearnerExerciseStat's columns."""
    attempts = _in_courses(queryset if queryset is not None else QuizAttempt.objects.all())
    return (
        attempts.order_by()
        .values("learner_id", "exercise_id")
        .annotate(
            unit_id=F("exercise__lesson__unit_id"),
            course_id=F("exercise__lesson__unit__course_id"),
            # The attempt number, as the quiz service numbers attempts (and progress counts).
            attempts=Max("attempt"),
            best_score=Max("score"),
            max_score=F("exercise__max_score"),
            passed=GreaterThan(Count("id", filter=Q(correct=True)), 0),
            is_notebook=Value(False),
            # Until _mark_quizzes_done adds the learners out of attempts.
            done=GreaterThan(Count("id", filter=Q(correct=True)), 0),
            first_at=Min("created_at"),
            last_at=Max("created_at"),
        )
    )


def _notebook_rows(queryset=None):
    """One row per (learner, exercise) of marked notebook submissions."""
    submissions = _in_courses(
        (queryset if queryset is not None else Submission.objects.all())
        .filter(purpose=Submission.Purpose.SUBMIT)
        .filter(status__in=MARKED)
    )
    return (
        submissions.order_by()
        .values("learner_id", "exercise_id")
        .annotate(
            unit_id=F("exercise__lesson__unit_id"),
            course_id=F("exercise__lesson__unit__course_id"),
            attempts=Count("id"),
            best_score=Max("score"),
            max_score=F("exercise__max_score"),
            passed=GreaterThanOrEqual(Max("score"), F("exercise__max_score")),
            is_notebook=Value(True),
            done=Value(True),
            first_at=Min("received_at"),
            last_at=Max("received_at"),
        )
    )


def _day_rows(learner_ids=None):
    """(learner, course, day) → quiz answers and submissions handed in, as two querysets."""
    quiz = _in_courses(QuizAttempt.objects.all())
    handed_in = _in_courses(Submission.objects.counted())
    if learner_ids is not None:
        quiz = quiz.filter(learner_id__in=learner_ids)
        handed_in = handed_in.filter(learner_id__in=learner_ids)
    quiz = (
        quiz.order_by()
        .annotate(course_id=F("exercise__lesson__unit__course_id"), day=TruncDate("created_at"))
        .values("learner_id", "course_id", "day")
        .annotate(count=Count("id"))
    )
    handed_in = (
        handed_in.order_by()
        .annotate(course_id=F("exercise__lesson__unit__course_id"), day=TruncDate("received_at"))
        .values("learner_id", "course_id", "day")
        .annotate(count=Count("id"))
    )
    return quiz, handed_in


# The attempts a learner has at a quiz exercise, as teaching/limits.py decides them: the most
# generous of the limits of their classes that have the exercise's course (a class's override,
# else the exercise's own), None (unlimited) if any of them is; the exercise's own limit when no
# class of theirs has the course. Written once in SQL so the rebuild and the incremental refresh
# cannot disagree; compared with attempts to tell "out of attempts" (done without passing).
_ATTEMPT_LIMIT_SQL = """
(SELECT CASE
    WHEN COUNT(cc.classroom_id) = 0 THEN MAX(e.max_attempts)
    WHEN COUNT(cc.classroom_id) >
         COUNT(CASE WHEN cc.classroom_id IS NOT NULL
                    THEN COALESCE(ce.max_attempts, e.max_attempts) END) THEN NULL
    ELSE MAX(CASE WHEN cc.classroom_id IS NOT NULL
                  THEN COALESCE(ce.max_attempts, e.max_attempts) END)
  END
  FROM courses_exercise e
  LEFT JOIN accounts_classroom_learners cl
    ON cl.user_id = reports_learnerexercisestat.learner_id
  LEFT JOIN accounts_classroom_courses cc
    ON cc.classroom_id = cl.classroom_id
   AND cc.course_id = reports_learnerexercisestat.course_id
  LEFT JOIN teaching_classroomexercise ce
    ON ce.classroom_id = cc.classroom_id AND ce.exercise_id = e.id
  WHERE e.id = reports_learnerexercisestat.exercise_id)
"""


def _boolean(value: bool) -> str:
    # PostgreSQL compares booleans with TRUE/FALSE; SQLite stores them as 1/0.
    if connection.vendor == "postgresql":
        return "TRUE" if value else "FALSE"
    return "1" if value else "0"


def _mark_quizzes_done(where: str = "", params: Iterable = ()) -> None:
    """done = passed, or out of attempts, for quiz rows (all, or those `where` selects)."""
    true, false = _boolean(True), _boolean(False)
    sql = f"""
        UPDATE reports_learnerexercisestat
        SET done = CASE WHEN passed THEN {true}
                        ELSE COALESCE(attempts >= {_ATTEMPT_LIMIT_SQL}, {false}) END
        WHERE is_notebook = {false} {where}
    """  # noqa: S608 (fixed SQL; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))


def _placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


# ---------------------------------------------------------------------------------------------
# Incremental refresh


def exercise_stats_refresh(*, pairs: Iterable[tuple[int, int]]) -> int:
    """Recompute the LearnerExerciseStat rows of these (learner id, exercise id) pairs from the
    raw work. A pair with no work left (or that is not a learner's work in a course) loses its
    row. Returns the number of rows written."""
    pairs = sorted(set(pairs))
    written = 0
    for start in range(0, len(pairs), BATCH):
        batch = pairs[start : start + BATCH]
        wanted = set(batch)
        keys = Q(
            learner_id__in={learner for learner, _ in batch},
            exercise_id__in={exercise for _, exercise in batch},
        )
        # The IN lists select a superset (every learner with every exercise); keep the pairs.
        rows = [
            row
            for row in [
                *_quiz_rows(QuizAttempt.objects.filter(keys)),
                *_notebook_rows(Submission.objects.filter(keys)),
            ]
            if (row["learner_id"], row["exercise_id"]) in wanted
        ]
        found = {(row["learner_id"], row["exercise_id"]) for row in rows}
        gone = [pair for pair in batch if pair not in found]
        with transaction.atomic():
            if gone:
                condition = Q()
                for learner_id, exercise_id in gone:
                    condition |= Q(learner_id=learner_id, exercise_id=exercise_id)
                LearnerExerciseStat.objects.filter(condition).delete()
            if rows:
                LearnerExerciseStat.objects.bulk_create(
                    [LearnerExerciseStat(**row) for row in rows],
                    update_conflicts=True,
                    unique_fields=["learner", "exercise"],
                    update_fields=_EXERCISE_FIELDS,
                )
                learners = sorted({learner for learner, _ in found})
                exercises = sorted({exercise for _, exercise in found})
                _mark_quizzes_done(
                    f"AND learner_id IN ({_placeholders(learners)})"
                    f" AND exercise_id IN ({_placeholders(exercises)})",
                    [*learners, *exercises],
                )
        written += len(rows)
    return written


def day_stats_refresh(*, learner_ids: Iterable[int], days: Iterable[date]) -> int:
    """Recompute the LearnerDayStat rows of these learners on these days (every course)."""
    learner_ids, days = sorted(set(learner_ids)), sorted(set(days))
    written = 0
    for start in range(0, len(learner_ids), BATCH):
        batch = learner_ids[start : start + BATCH]
        quiz, handed_in = _day_rows(batch)
        counts: dict[tuple[int, int, date], list[int]] = {}
        for queryset, index in ((quiz, 0), (handed_in, 1)):
            for row in queryset.filter(day__in=days):
                key = (row["learner_id"], row["course_id"], row["day"])
                counts.setdefault(key, [0, 0])[index] = row["count"]
        with transaction.atomic():
            LearnerDayStat.objects.filter(learner_id__in=batch, day__in=days).delete()
            LearnerDayStat.objects.bulk_create(
                LearnerDayStat(
                    learner_id=learner_id,
                    course_id=course_id,
                    day=day,
                    quiz_answers=quiz_answers,
                    submissions=submissions,
                )
                for (learner_id, course_id, day), (quiz_answers, submissions) in counts.items()
            )
        written += len(counts)
    return written


def _local_day(moment: datetime) -> date:
    return timezone.localdate(moment)


def quiz_attempt_recorded(*, attempt: QuizAttempt) -> None:
    """A learner answered a quiz: refresh their row for the exercise and their day."""
    exercise_stats_refresh(pairs=[(attempt.learner_id, attempt.exercise_id)])
    day_stats_refresh(learner_ids=[attempt.learner_id], days=[_local_day(attempt.created_at)])


def submission_changed(*, submission_id: int) -> None:
    """A submission arrived or was marked: refresh what it counts in. Safe to call any time."""
    submission = (
        Submission.objects.filter(pk=submission_id)
        .values("learner_id", "exercise_id", "received_at")
        .first()
    )
    if submission is None:
        return
    exercise_stats_refresh(pairs=[(submission["learner_id"], submission["exercise_id"])])
    day_stats_refresh(
        learner_ids=[submission["learner_id"]], days=[_local_day(submission["received_at"])]
    )


def on_quiz_attempt_saved(sender, instance: QuizAttempt, created: bool, **kwargs) -> None:
    """post_save receiver: refresh after the answer commits, and never fail the answer."""
    if not created or kwargs.get("raw"):
        return

    def refresh():
        try:
            quiz_attempt_recorded(attempt=instance)
        except Exception:  # derived data: the catch-up repairs it; the answer is stored
            logger.exception("report statistics: refreshing after quiz attempt %s", instance.pk)

    transaction.on_commit(refresh)


def on_submission_saved(sender, instance: Submission, created: bool, **kwargs) -> None:
    """post_save receiver: a new submission counts in its day's activity at once."""
    if not created or kwargs.get("raw") or instance.purpose != Submission.Purpose.SUBMIT:
        return

    def refresh():
        try:
            submission_changed(submission_id=instance.pk)
        except Exception:
            logger.exception("report statistics: refreshing after submission %s", instance.pk)

    transaction.on_commit(refresh)


def on_submission_marked(sender, submission_id: int, **kwargs) -> None:
    """graders.signals.submission_marked receiver: a notebook was marked or failed, so its
    learner's row shows it at once rather than at the next catch-up."""

    def refresh():
        try:
            submission_changed(submission_id=submission_id)
        except Exception:
            logger.exception("report statistics: refreshing after marking %s", submission_id)

    transaction.on_commit(refresh)


# ---------------------------------------------------------------------------------------------
# Catch-up and rebuild


def stats_catch_up(*, now: datetime | None = None) -> tuple[int, int]:
    """Refresh what changed since the last catch-up: submissions received or finished (marked,
    failed, regraded) and quiz answers given. Returns (exercise rows, day rows) written.

    Without a cursor (a database that never had one) it rebuilds everything once.
    """
    now = now or timezone.now()
    cursor = StatsCursor.objects.filter(name=CURSOR).first()
    if cursor is None:
        stats_rebuild(now=now)
        return (LearnerExerciseStat.objects.count(), LearnerDayStat.objects.count())
    since = cursor.position - CATCH_UP_OVERLAP
    changed = (
        Submission.objects.counted()
        .filter(Q(received_at__gte=since) | Q(finished_at__gte=since))
        .values_list("learner_id", "exercise_id", "received_at")
        .distinct()
    )
    answered = (
        QuizAttempt.objects.filter(created_at__gte=since)
        .values_list("learner_id", "exercise_id", "created_at")
        .distinct()
    )
    pairs, learners, days = set(), set(), set()
    for learner_id, exercise_id, moment in [*changed, *answered]:
        pairs.add((learner_id, exercise_id))
        learners.add(learner_id)
        days.add(_local_day(moment))
    exercise_rows = exercise_stats_refresh(pairs=pairs)
    day_rows = day_stats_refresh(learner_ids=learners, days=days)
    StatsCursor.objects.filter(pk=cursor.pk).update(position=now)
    return exercise_rows, day_rows


@shared_task(name="reports.catch_up_stats", ignore_result=True, soft_time_limit=600)
def catch_up_stats_task() -> None:
    """Periodic (CELERY_BEAT_SCHEDULE "report-statistics"): see stats_catch_up."""
    stats_catch_up()


def _insert_select(table: str, columns: list[str], queryset) -> None:
    """INSERT INTO table (columns) SELECT … — the queryset's SQL, run in the database."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) {sql}", params)


@transaction.atomic
def stats_rebuild(*, now: datetime | None = None) -> None:
    """Recompute every summary row from the raw work, in the database (no rows through Python).

    Takes a lock on the tables' rows for the transaction: a catch-up running meanwhile waits.
    """
    now = now or timezone.now()
    LearnerExerciseStat.objects.all().delete()
    LearnerDayStat.objects.all().delete()
    columns = ["learner_id", "exercise_id", *_EXERCISE_FIELDS]
    for rows in (_quiz_rows(), _notebook_rows()):
        _insert_select(LearnerExerciseStat._meta.db_table, columns, rows.values(*columns))
    _mark_quizzes_done()
    quiz, handed_in = _day_rows()
    quiz_sql, quiz_params = quiz.query.sql_with_params()
    handed_sql, handed_params = handed_in.query.sql_with_params()
    # One row per (learner, course, day) from both kinds of work: each side's counts, summed.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {LearnerDayStat._meta.db_table}
                (learner_id, course_id, day, quiz_answers, submissions)
            SELECT learner_id, course_id, day, SUM(quiz_answers), SUM(submissions)
            FROM (
                SELECT q.learner_id, q.course_id, q.day, q.count AS quiz_answers,
                       0 AS submissions
                FROM ({quiz_sql}) q
                UNION ALL
                SELECT s.learner_id, s.course_id, s.day, 0, s.count FROM ({handed_sql}) s
            ) work
            GROUP BY learner_id, course_id, day
            """,  # noqa: S608 (compiled ORM queries; values are parameters)
            [*quiz_params, *handed_params],
        )
    StatsCursor.objects.update_or_create(name=CURSOR, defaults={"position": now})
