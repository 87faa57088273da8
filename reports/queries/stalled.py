"""Learners who started a course, have not completed it, and have not answered anything in it
for a while (REPORTS_STALLED_DAYS, 14 by default).

Names are for a school administrator, about their school's learners. The report is registered
with names_learners=True, so pages, exports and the API refuse it to a platform administrator
(403, reports/export_jobs.report_get). The build itself never names learners for a scope that
does not show names either: it answers such a scope with counts per course (aggregates,
suppressed below the privacy limit). Should platform administrators get those counts, registering
the report with names_learners=False is the whole change.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from accounts.models import Classroom, User
from reports.base import (
    Chart,
    Column,
    Report,
    ReportFilters,
    ReportScope,
    ReportTable,
    min_group_size,
    register,
    suppress_small_groups,
)
from reports.queries.common import (
    container_stats,
    container_stats_usable,
    course_titles,
    end_of,
    exercise_stats,
    exercise_totals,
    fetch,
    share,
    sql_of,
    start_of,
)
from reports.queries.completion import SUPPRESSED_NOTE


def stalled_days() -> int:
    return int(getattr(settings, "REPORTS_STALLED_DAYS", 14))


def _stalled_sql(scope: ReportScope, filters: ReportFilters) -> tuple[str, list, object]:
    """SQL of one row per (course, learner in scope who worked in it): exercises done, the
    course's total, the last answer and `stalled` (1 or 0); with its parameters and the cutoff.

    Stalled as of the filter's end (default today): not every published exercise done, and no
    answer in the course for stalled_days() up to then. Dates do not cut the learners' rows
    (every answer counts as "their latest"); a start date keeps learners whose last answer is
    on or after it (stalled during the period, not long gone).
    """
    as_of = filters.end or timezone.localdate()
    cutoff = end_of(as_of) - timedelta(days=stalled_days())
    undated = replace(filters, start=None, end=None)
    if container_stats_usable(undated.within(scope)):
        base = container_stats(scope, undated, "course").values(
            "learner_id", "course_id", "done", "last_at"
        )
        base_sql, base_params = sql_of(base)
        per_learner = f"""
            SELECT b.course_id, b.learner_id, b.done, b.last_at FROM ({base_sql}) b
        """  # noqa: S608 (a compiled ORM query; values are parameters)
    else:
        base = exercise_stats(scope, undated)
        base_sql, base_params = sql_of(base.values("learner_id", "course_id", "done", "last_at"))
        per_learner = f"""
            SELECT b.course_id, b.learner_id,
                   SUM(CASE WHEN b.done THEN 1 ELSE 0 END) AS done,
                   MAX(b.last_at) AS last_at
            FROM ({base_sql}) b
            GROUP BY b.course_id, b.learner_id
        """  # noqa: S608 (a compiled ORM query; values are parameters)
    totals_sql, totals_params = sql_of(exercise_totals("course"))
    since, since_params = "", []
    if filters.start is not None:
        since, since_params = "AND i.last_at >= %s", [start_of(filters.start)]
    sql = f"""
        SELECT i.course_id AS course_id, i.learner_id AS learner_id, i.done AS done,
               t.total AS total, i.last_at AS last_at,
               CASE WHEN i.done < t.total AND i.last_at < %s {since} THEN 1 ELSE 0 END
                   AS stalled
        FROM ({per_learner}) i
        JOIN ({totals_sql}) t ON t.container = i.course_id
    """  # noqa: S608 (compiled ORM queries; values are parameters)
    return sql, [cutoff, *since_params, *base_params, *totals_params], cutoff


def _counts(scope: ReportScope, filters: ReportFilters) -> ReportTable:
    sql, params, _cutoff = _stalled_sql(scope, filters)
    found = fetch(
        f"""
        SELECT s.course_id AS course_id, COUNT(*) AS learners, SUM(s.stalled) AS stalled
        FROM ({sql}) s GROUP BY s.course_id
        """,  # noqa: S608 (see _stalled_sql)
        params,
    )
    courses = course_titles(row["course_id"] for row in found)
    rows = [
        {
            "course": courses[row["course_id"]].localized("title"),
            "learners": int(row["learners"]),
            "stalled": int(row["stalled"] or 0),
            "stalled_share": share(row["stalled"], row["learners"]),
            "_order": (courses[row["course_id"]].title_en, row["course_id"]),
        }
        for row in found
    ]
    rows.sort(key=lambda row: row.pop("_order"))
    kept, dropped = suppress_small_groups(rows, "learners")
    # A course where only a few learners stalled is shown, but not how few: the count of a
    # small group is withheld.
    for row in kept:
        if 0 < row["stalled"] < min_group_size():
            row["stalled"] = row["stalled_share"] = None
    notes = [_("Counts only: learners' names are for their school's administrator.")]
    if dropped:
        notes.append(SUPPRESSED_NOTE)
    return ReportTable(
        slug=STALLED.slug,
        title=STALLED.title,
        description=STALLED.description,
        columns=[
            Column("course", _("Course")),
            Column("learners", _("Learners who started"), "int"),
            Column("stalled", _("Stalled"), "int"),
            Column("stalled_share", _("Share stalled"), "percent"),
        ],
        rows=kept,
        chart=Chart("bar", "course", ("stalled_share",)),
        suppressed=dropped,
        notes=notes,
    )


def _named(scope: ReportScope, filters: ReportFilters) -> ReportTable:
    sql, params, cutoff = _stalled_sql(scope, filters)
    found = fetch(
        f"""
        SELECT s.course_id AS course_id, s.learner_id AS learner_id, s.done AS done,
               s.total AS total, s.last_at AS last_at
        FROM ({sql}) s WHERE s.stalled = 1
        ORDER BY s.last_at, s.learner_id, s.course_id
        """,  # noqa: S608 (see _stalled_sql)
        params,
    )
    learner_ids = {row["learner_id"] for row in found}
    courses = course_titles(row["course_id"] for row in found)
    learners = {
        user.pk: user
        for user in User.objects.filter(pk__in=learner_ids).only(
            "id", "username", "first_name", "last_name"
        )
    }
    # Their classes in this school (or the filtered class), for the admin to know whom to ask.
    classes: dict[int, list[str]] = {}
    memberships = Classroom.learners.through.objects.filter(user_id__in=learner_ids)
    if scope.school_id is not None:
        memberships = memberships.filter(classroom__school_id=scope.school_id)
    if filters.classroom_id is not None:
        memberships = memberships.filter(classroom_id=filters.classroom_id)
    for user_id, name in memberships.order_by("classroom__name").values_list(
        "user_id", "classroom__name"
    ):
        classes.setdefault(user_id, []).append(name)
    as_of = filters.end or timezone.localdate()
    rows = []
    for row in found:
        learner = learners[row["learner_id"]]
        last = timezone.localdate(_aware(row["last_at"]))
        rows.append(
            {
                "learner": learner.get_full_name() or learner.username,
                "username": learner.username,
                "classes": ", ".join(classes.get(learner.pk, [])),
                "course": courses[row["course_id"]].localized("title"),
                "done": int(row["done"]),
                "exercises": int(row["total"]),
                "last_active": last,
                "days_idle": (as_of - last).days,
            }
        )
    return ReportTable(
        slug=STALLED.slug,
        title=STALLED.title,
        description=STALLED.description,
        columns=[
            Column("learner", _("Learner")),
            Column("username", _("Username")),
            Column("classes", _("Classes")),
            Column("course", _("Course")),
            Column("done", _("Exercises done"), "int"),
            Column("exercises", _("Exercises"), "int"),
            Column("last_active", _("Last answer"), "date"),
            Column("days_idle", _("Days since"), "int"),
        ],
        rows=rows,
        chart=None,
        notes=[_("No answer since %(date)s.") % {"date": timezone.localdate(cutoff)}],
    )


def _aware(value):
    """Raw SQL returns naive datetimes from SQLite (stored in UTC) and aware ones elsewhere."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def build_stalled(scope: ReportScope, filters: ReportFilters) -> ReportTable:
    filters = filters.within(scope)
    if scope.show_names:
        return _named(scope, filters)
    return _counts(scope, filters)


STALLED = register(
    Report(
        slug="stalled-learners",
        title=_("Stalled learners"),
        description=_(
            "Learners who started a course, have not completed it and have not answered "
            "anything in it for a while."
        ),
        build=build_stalled,
        # Names only for a school administrator (scope.show_names); a platform administrator
        # gets the same question answered as counts per course, as the privacy rule asks.
        names_learners=False,
    )
)
