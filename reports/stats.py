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

The second level, LearnerCourseStat and LearnerUnitStat (a learner's exercise rows added up over
published exercises), is recomputed from LearnerExerciseStat in the same transaction as every
change to it, by all three paths. What no path above sees is a teacher publishing, withdrawing
or moving an exercise, which changes those sums for every learner of the course: each course's
published exercises are fingerprinted (CourseStatVersion); the reports read the second level
only while every fingerprint matches, and the catch-up recomputes the courses that differ.
"""

from __future__ import annotations

import hashlib
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
from courses.models import Exercise, QuizAttempt
from graders.models import Submission
from reports.models import (
    CourseStatVersion,
    LearnerCourseStat,
    LearnerDayStat,
    LearnerExerciseStat,
    LearnerUnitStat,
    StatsCursor,
)

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
    """done = passed, or out of attempts, for quiz rows (all, or those `where` selects).

    Rows are written with done = passed, so only rows not passed can change: leaving the others
    alone keeps a rebuild from writing (and PostgreSQL from keeping a dead copy of) every row.
    """
    true, false = _boolean(True), _boolean(False)
    sql = f"""
        UPDATE reports_learnerexercisestat
        SET done = CASE WHEN passed THEN {true}
                        ELSE COALESCE(attempts >= {_ATTEMPT_LIMIT_SQL}, {false}) END
        WHERE is_notebook = {false} AND passed = {false} {where}
    """  # noqa: S608 (fixed SQL; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))


def _placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


# ---------------------------------------------------------------------------------------------
# The second level: a learner's exercise rows added up per course and per unit

# (model, key columns, the unique key ON CONFLICT names)
_CONTAINERS = (
    (LearnerCourseStat, ["learner_id", "course_id"], ["learner_id", "course_id"]),
    (LearnerUnitStat, ["learner_id", "course_id", "unit_id"], ["learner_id", "unit_id"]),
)
_CONTAINER_FIELDS = [
    "answered",
    "done",
    "passed",
    "attempts",
    "score",
    "max_score",
    "scored",
    "scored_score",
    "scored_max",
    "first_at",
    "last_at",
]
# The sums, in _CONTAINER_FIELDS' order, over LearnerExerciseStat rows `s`. Exactly what the
# reports computed from those rows before this table existed (reports/queries/common.py).
_CONTAINER_SUMS = """
    COUNT(*),
    SUM(CASE WHEN s.done THEN 1 ELSE 0 END),
    SUM(CASE WHEN s.passed THEN 1 ELSE 0 END),
    SUM(s.attempts),
    SUM(COALESCE(s.best_score, 0)),
    SUM(s.max_score),
    SUM(CASE WHEN s.max_score > 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN s.max_score > 0 THEN COALESCE(s.best_score, 0) ELSE 0 END),
    SUM(CASE WHEN s.max_score > 0 THEN s.max_score ELSE 0 END),
    MIN(s.first_at),
    MAX(s.last_at)
"""


def _containers_refresh(where: str = "1 = 1", params: Iterable = (), *, empty=False) -> None:
    """Recompute the course and unit rows `where` selects from the exercise rows.

    `where` is SQL over the alias {a}, true of rows of both levels (learner_id, course_id), with
    `params` for it. An upsert then a delete of the rows left without published exercise rows,
    so a concurrent refresh of the same key never collides with this one. `empty`: the tables
    were just emptied (the rebuild), nothing to update or delete.
    """
    params = list(params)
    exercise_table = LearnerExerciseStat._meta.db_table
    published = f"e.is_published = {_boolean(True)}"
    with connection.cursor() as cursor:
        for model, keys, unique in _CONTAINERS:
            table = model._meta.db_table
            columns = [*keys, *_CONTAINER_FIELDS]
            updated = [column for column in columns if column not in unique]
            upsert = (
                ""
                if empty
                else f" ON CONFLICT ({', '.join(unique)}) DO UPDATE SET "
                + ", ".join(f"{column} = excluded.{column}" for column in updated)
            )
            # WHERE is always present: SQLite needs it before an upsert's ON CONFLICT.
            cursor.execute(
                f"""
                INSERT INTO {table} ({", ".join(columns)})
                SELECT {", ".join(f"s.{key}" for key in keys)}, {_CONTAINER_SUMS}
                FROM {exercise_table} s JOIN courses_exercise e ON e.id = s.exercise_id
                WHERE {published} AND ({where.format(a="s")})
                GROUP BY {", ".join(f"s.{key}" for key in keys)}
                {upsert}
                """,  # noqa: S608 (fixed SQL; values are parameters)
                params,
            )
            if empty:
                continue
            own = unique[1]  # course_id or unit_id
            cursor.execute(
                f"""
                DELETE FROM {table}
                WHERE ({where.format(a=table)}) AND NOT EXISTS (
                    SELECT 1 FROM {exercise_table} s
                    JOIN courses_exercise e ON e.id = s.exercise_id
                    WHERE {published} AND s.learner_id = {table}.learner_id
                      AND s.{own} = {table}.{own})
                """,  # noqa: S608 (fixed SQL; values are parameters)
                params,
            )


def course_fingerprints(course_ids: Iterable[int] | None = None) -> dict[int, str]:
    """{course id: fingerprint of its published exercises and their units}, for courses with
    any (all, or those given). A few hundred exercises, not learners' rows."""
    exercises = Exercise.objects.filter(
        is_published=True,
        lesson__isnull=False,
        lesson__unit__course__draft_of__isnull=True,
    )
    if course_ids is not None:
        exercises = exercises.filter(lesson__unit__course_id__in=list(course_ids))
    layouts: dict[int, list[str]] = {}
    for course_id, exercise_id, unit_id in exercises.order_by(
        "lesson__unit__course_id", "id"
    ).values_list("lesson__unit__course_id", "id", "lesson__unit_id"):
        layouts.setdefault(course_id, []).append(f"{exercise_id}:{unit_id}")
    return {
        course_id: hashlib.sha256(",".join(layout).encode()).hexdigest()
        for course_id, layout in layouts.items()
    }


def container_stats_current() -> bool:
    """Whether LearnerCourseStat and LearnerUnitStat were added up over the exercises published
    now, in every course: the reports read them only then (otherwise the exercise rows)."""
    stored = dict(CourseStatVersion.objects.values_list("course_id", "fingerprint"))
    return stored == course_fingerprints()


def _mark_changed_courses(course_ids: Iterable[int]) -> None:
    """After an incremental refresh in these courses: a course whose recorded fingerprint is no
    longer its exercises' had rows written under another layout; DIRTY keeps the reports off its
    rows until the catch-up recomputes the whole course (even if the layout changes back)."""
    course_ids = set(course_ids)
    if not course_ids:
        return
    current = course_fingerprints(course_ids)
    stale = [
        course_id
        for course_id, fingerprint in CourseStatVersion.objects.filter(course_id__in=course_ids)
        .exclude(fingerprint=CourseStatVersion.DIRTY)
        .values_list("course_id", "fingerprint")
        if current.get(course_id) != fingerprint
    ]
    if stale:
        CourseStatVersion.objects.filter(course_id__in=stale).update(
            fingerprint=CourseStatVersion.DIRTY
        )


def course_stats_reconcile() -> int:
    """Recompute the course and unit rows of every course whose published exercises changed
    since its rows were added up (or that has none recorded). Returns the courses recomputed."""
    # The fingerprint is read before the rows are recomputed: a change in between leaves an old
    # fingerprint beside new rows, which the next run repairs, never the other way round.
    current = course_fingerprints()
    stored = dict(CourseStatVersion.objects.values_list("course_id", "fingerprint"))
    changed = sorted(
        course_id
        for course_id in set(current) | set(stored)
        if current.get(course_id) != stored.get(course_id)
    )
    for course_id in changed:
        with transaction.atomic():
            _containers_refresh("{a}.course_id = %s", [course_id])
            if course_id in current:
                CourseStatVersion.objects.update_or_create(
                    course_id=course_id, defaults={"fingerprint": current[course_id]}
                )
            else:
                CourseStatVersion.objects.filter(course_id=course_id).delete()
    return len(changed)


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
        # The courses these pairs' rows are in, before and after: the second level of both.
        courses = {row["course_id"] for row in rows} | {
            course_id
            for learner_id, exercise_id, course_id in LearnerExerciseStat.objects.filter(
                keys
            ).values_list("learner_id", "exercise_id", "course_id")
            if (learner_id, exercise_id) in wanted
        }
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
            if courses:
                learners = sorted({learner for learner, _ in batch})
                # Every (learner, course) of these learners and courses: a superset of the pairs
                # touched, recomputed exactly, so harmless.
                _containers_refresh(
                    f"{{a}}.learner_id IN ({_placeholders(learners)})"
                    f" AND {{a}}.course_id IN ({_placeholders(courses)})",
                    [*learners, *sorted(courses)],
                )
                _mark_changed_courses(courses)
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
    failed, regraded) and quiz answers given; then recompute the courses whose published
    exercises changed. Returns (exercise rows, day rows) written.

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
    course_stats_reconcile()
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


SUMMARY_MODELS = (
    LearnerExerciseStat,
    LearnerCourseStat,
    LearnerUnitStat,
    LearnerDayStat,
)


def stats_vacuum() -> None:
    """After a rebuild on PostgreSQL: VACUUM ANALYZE the summary tables.

    The rebuild deletes and re-inserts every row; PostgreSQL keeps the dead copies, which every
    report's scan then reads, until a vacuum marks their space free for the next rebuild (the
    tables otherwise grow by their whole size with every rebuild). Needs autocommit (VACUUM
    cannot run in a transaction); nothing to do on other databases.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in SUMMARY_MODELS:
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


@transaction.atomic
def stats_rebuild(*, now: datetime | None = None) -> None:
    """Recompute every summary row from the raw work, in the database (no rows through Python).

    Takes a lock on the tables' rows for the transaction: a catch-up running meanwhile waits.
    """
    now = now or timezone.now()
    # Read first: an exercise published meanwhile leaves this older fingerprint, which the
    # catch-up then repairs (see course_stats_reconcile).
    fingerprints = course_fingerprints()
    LearnerCourseStat.objects.all().delete()
    LearnerUnitStat.objects.all().delete()
    CourseStatVersion.objects.all().delete()
    LearnerExerciseStat.objects.all().delete()
    LearnerDayStat.objects.all().delete()
    columns = ["learner_id", "exercise_id", *_EXERCISE_FIELDS]
    for rows in (_quiz_rows(), _notebook_rows()):
        _insert_select(LearnerExerciseStat._meta.db_table, columns, rows.values(*columns))
    _mark_quizzes_done()
    _containers_refresh(empty=True)
    CourseStatVersion.objects.bulk_create(
        CourseStatVersion(course_id=course_id, fingerprint=fingerprint)
        for course_id, fingerprint in fingerprints.items()
    )
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
