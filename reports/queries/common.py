"""What every report family shares: the scope and filters applied to the summary tables, the
completion roll-up (one SQL statement for any grouping), and small helpers for labels.

Reports aggregate in the database. Python only sees grouped rows (a course, a class, a day), never
one row per learner or per answer — except the stalled-learners list, whose rows *are* learners.

Two levels of summary: LearnerExerciseStat (a learner's exercise) and, added up from it,
LearnerCourseStat / LearnerUnitStat (a learner's course or unit). Reports that group learners by
course or unit read the second level — one row per learner and course instead of six — when
they can: without dates (a date filter keeps the exercise rows worked on during the period, which
the sums no longer tell apart) and while the sums match the exercises published now
(reports/stats.py, container_stats_current). Otherwise they read the exercise rows; the numbers
are the same either way (tests/reports/test_numbers.py checks both).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, F, QuerySet
from django.utils import timezone

from accounts.models import Classroom
from courses.models import Course, Exercise
from reports.base import ReportFilters, ReportScope
from reports.models import LearnerCourseStat, LearnerDayStat, LearnerExerciseStat, LearnerUnitStat
from reports.stats import container_stats_current

Membership = Classroom.learners.through


def start_of(day: date) -> datetime:
    """The first moment of a day in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def end_of(day: date) -> datetime:
    """The first moment after an (inclusive) end day."""
    return start_of(day + timedelta(days=1))


def learner_ids(filters: ReportFilters) -> QuerySet | None:
    """The learners a school or class filter selects (a subquery), or None for everyone.

    A class outside the filtered school selects nobody: a school administrator's filters are
    pinned to their school, so naming another school's class gives an empty report.
    """
    if filters.classroom_id is not None:
        members = Membership.objects.filter(classroom_id=filters.classroom_id)
        if filters.school_id is not None:
            members = members.filter(classroom__school_id=filters.school_id)
        return members.values("user_id")
    if filters.school_id is not None:
        return Membership.objects.filter(classroom__school_id=filters.school_id).values("user_id")
    return None


def _narrow_learners_and_courses(queryset, filters: ReportFilters, *, course: str):
    if filters.course_id is not None:
        queryset = queryset.filter(**{f"{course}_id": filters.course_id})
    if filters.age_band:
        queryset = queryset.filter(**{f"{course}__age_band": filters.age_band})
    learners = learner_ids(filters)
    if learners is not None:
        queryset = queryset.filter(learner_id__in=learners)
    return queryset


def exercise_stats(scope: ReportScope, filters: ReportFilters) -> QuerySet:
    """LearnerExerciseStat rows the asker may see and asked for, on published exercises.

    With dates: learners' work on an exercise that overlaps the period (first answer on or before
    its end, last answer on or after its start); the figures are their progress today.
    """
    filters = filters.within(scope)
    rows = LearnerExerciseStat.objects.filter(exercise__is_published=True)
    rows = _narrow_learners_and_courses(rows, filters, course="course")
    if filters.start is not None:
        rows = rows.filter(last_at__gte=start_of(filters.start))
    if filters.end is not None:
        rows = rows.filter(first_at__lt=end_of(filters.end))
    return rows


def container_stats_usable(filters: ReportFilters) -> bool:
    """Whether a report may read LearnerCourseStat / LearnerUnitStat for these filters."""
    return filters.start is None and filters.end is None and container_stats_current()


def container_stats(scope: ReportScope, filters: ReportFilters, container: str) -> QuerySet:
    """LearnerCourseStat ("course") or LearnerUnitStat ("unit") rows the asker may see and asked
    for: the sums of exercise_stats(scope, filters) per learner and course (unit). Only for
    filters without dates (see container_stats_usable)."""
    filters = filters.within(scope)
    model = {"course": LearnerCourseStat, "unit": LearnerUnitStat}[container]
    return _narrow_learners_and_courses(model.objects.all(), filters, course="course")


def day_stats(scope: ReportScope, filters: ReportFilters) -> QuerySet:
    filters = filters.within(scope)
    rows = _narrow_learners_and_courses(LearnerDayStat.objects.all(), filters, course="course")
    if filters.start is not None:
        rows = rows.filter(day__gte=filters.start)
    if filters.end is not None:
        rows = rows.filter(day__lte=filters.end)
    return rows


def exercise_totals(container: str) -> QuerySet:
    """Published exercises per course ("course") or unit ("unit"): what "completed" means."""
    path = {"course": "lesson__unit__course_id", "unit": "lesson__unit_id"}[container]
    return (
        Exercise.objects.filter(
            is_published=True,
            lesson__isnull=False,
            lesson__unit__course__draft_of__isnull=True,
        )
        .order_by()
        .values(container=F(path))
        .annotate(total=Count("id"))
    )


def sql_of(queryset) -> tuple[str, list[Any]]:
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def fetch(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _boolean_sum(column: str) -> str:
    return f"SUM(CASE WHEN {column} THEN 1 ELSE 0 END)"


# Groupings of the completion roll-up: the SQL of the group key, what it joins, and the
# container whose exercises "completed" counts (a unit for units, else the course).
GROUPINGS = ("course", "unit", "age_band", "school", "classroom")


def _grouping(group: str, filters: ReportFilters) -> tuple[str, str, list[Any]]:
    """(group key SQL, JOIN SQL, join params) for the roll-up."""
    if group in ("course", "unit"):
        return f"b.{group}_id", "", []
    if group == "age_band":
        return "gc.age_band", "JOIN courses_course gc ON gc.id = b.course_id", []
    # Schools and classes group learners through their class memberships. A learner in two
    # classes of one school counts once in that school (DISTINCT); classes are restricted to
    # the filtered school and class so no other school's class appears in a school's report.
    conditions, params = [], []
    if filters.school_id is not None:
        conditions.append("k.school_id = %s")
        params.append(filters.school_id)
    if filters.classroom_id is not None:
        conditions.append("k.id = %s")
        params.append(filters.classroom_id)
    if group == "school":
        conditions.append("k.school_id IS NOT NULL")
        key = "k.school_id"
    else:
        key = "k.id"
    where = " AND ".join(conditions) or "1 = 1"
    join = (
        f"JOIN (SELECT DISTINCT cl.user_id, {key} AS g"  # noqa: S608 (fixed SQL; values are params)
        " FROM accounts_classroom_learners cl"
        " JOIN accounts_classroom k ON k.id = cl.classroom_id"
        f" WHERE {where}) m ON m.user_id = b.learner_id"
    )
    return "m.g", join, params


def completion_rollup(scope: ReportScope, filters: ReportFilters, group: str) -> list[dict]:
    """Per group: learners, completions and shares, in one statement.

    Each (group, course or unit, learner) is first reduced to that learner's exercises done,
    answered, passed and scores; then groups add them up. Keys of each row: g, learners,
    pairs (learner and course or unit), completed (pairs with every published exercise done),
    done, possible (exercises there were to do), answered, passed, score, max_score, attempts.
    """
    if group not in GROUPINGS:
        raise ValueError(f"unknown grouping {group!r}")
    filters = filters.within(scope)
    container = "unit" if group == "unit" else "course"
    key, join, join_params = _grouping(group, filters)
    if container_stats_usable(filters):
        # Already one row per learner and course (unit); a learner's memberships are distinct
        # per group, so (group, container, learner) stays unique without regrouping.
        base_sql, base_params = sql_of(
            container_stats(scope, filters, container).values(
                "learner_id",
                f"{container}_id",
                "done",
                "answered",
                "passed",
                "score",
                "max_score",
                "attempts",
            )
        )
        inner = f"""
            SELECT {key} AS g, b.{container}_id AS container, b.learner_id AS learner_id,
                   b.done AS done, b.answered AS answered, b.passed AS passed,
                   b.score AS score, b.max_score AS max_score, b.attempts AS attempts
            FROM ({base_sql}) b {join}
        """  # noqa: S608 (compiled ORM query and fixed SQL; values are parameters)
    else:
        base_sql, base_params = sql_of(
            exercise_stats(scope, filters).values(
                "learner_id",
                "course_id",
                "unit_id",
                "done",
                "passed",
                "best_score",
                "max_score",
                "attempts",
            )
        )
        inner = f"""
            SELECT {key} AS g, b.{container}_id AS container, b.learner_id AS learner_id,
                   {_boolean_sum("b.done")} AS done,
                   COUNT(*) AS answered,
                   {_boolean_sum("b.passed")} AS passed,
                   SUM(COALESCE(b.best_score, 0)) AS score,
                   SUM(b.max_score) AS max_score,
                   SUM(b.attempts) AS attempts
            FROM ({base_sql}) b {join}
            GROUP BY {key}, b.{container}_id, b.learner_id
        """  # noqa: S608 (compiled ORM query and fixed SQL; values are parameters)
    totals_sql, totals_params = sql_of(exercise_totals(container))
    # Only fixed SQL and compiled ORM queries are pasted in; every value is a parameter.
    sql = f"""
        SELECT i.g AS g,
               COUNT(DISTINCT i.learner_id) AS learners,
               COUNT(*) AS pairs,
               SUM(CASE WHEN i.done >= t.total THEN 1 ELSE 0 END) AS completed,
               SUM(i.done) AS done,
               SUM(t.total) AS possible,
               SUM(i.answered) AS answered,
               SUM(i.passed) AS passed,
               SUM(i.score) AS score,
               SUM(i.max_score) AS max_score,
               SUM(i.attempts) AS attempts
        FROM ({inner}) i
        JOIN ({totals_sql}) t ON t.container = i.container
        GROUP BY i.g
    """  # noqa: S608
    return fetch(sql, [*base_params, *join_params, *totals_params])


def share(part, whole) -> float | None:
    """part / whole as a fraction rounded for display and export, None when there is no whole."""
    if not whole:
        return None
    return round(float(part or 0) / float(whole), 4)


def course_titles(ids) -> dict[int, Course]:
    return {course.pk: course for course in Course.objects.filter(pk__in=list(ids))}
