"""Grading health: is marking keeping up? Per worker: submissions marked, needs-review and
failures, and how long learners waited for a result (percentiles of hand-in to result).

Read from the submissions themselves, not a summary: the queue is live. Latency percentiles are
PostgreSQL's percentile_cont; on SQLite the same continuous percentiles are computed from the
two ranked values around each one (a window query), so both databases give the same numbers.
"""

from __future__ import annotations

import math

from django.db import connection
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from graders.models import Submission
from reports.base import (
    Chart,
    Column,
    Report,
    ReportFilters,
    ReportScope,
    ReportTable,
    min_group_size,
    register,
)
from reports.queries.common import end_of, fetch, learner_ids, share, sql_of, start_of

PERCENTILES = (0.5, 0.9, 0.99)
Status = Submission.Status
ALL_WORKERS = "*"  # the key of the all-workers row (a worker's name is never "*")


def submissions(scope: ReportScope, filters: ReportFilters):
    """Handed-in submissions (no checks) the asker may see and asked for, by hand-in date."""
    filters = filters.within(scope)
    rows = Submission.objects.counted()
    if filters.course_id is not None:
        rows = rows.filter(exercise__lesson__unit__course_id=filters.course_id)
    if filters.age_band:
        rows = rows.filter(exercise__lesson__unit__course__age_band=filters.age_band)
    learners = learner_ids(filters)
    if learners is not None:
        rows = rows.filter(learner_id__in=learners)
    return rows


def _marked(scope: ReportScope, filters: ReportFilters):
    rows = submissions(scope, filters).filter(
        status__in=Submission.FINAL, finished_at__isnull=False
    )
    if filters.start is not None:
        rows = rows.filter(received_at__gte=start_of(filters.start))
    if filters.end is not None:
        rows = rows.filter(received_at__lt=end_of(filters.end))
    return rows


def _latency_sql() -> str:
    if connection.vendor == "postgresql":
        return "EXTRACT(EPOCH FROM (b.finished_at - b.received_at))"
    return "(julianday(b.finished_at) - julianday(b.received_at)) * 86400.0"


def latency_percentiles(queryset) -> dict[str, dict[float, float]]:
    """{worker (or ALL_WORKERS): {p: seconds}} of finished_at - received_at, continuous
    percentiles (linear interpolation between ranks, as percentile_cont)."""
    # order_by(): the submissions' default ordering would sort every row for nothing.
    base_sql, params = sql_of(queryset.order_by().values("worker", "received_at", "finished_at"))
    latency = _latency_sql()
    if connection.vendor == "postgresql":
        wanted = ", ".join(
            f"percentile_cont({p}) WITHIN GROUP (ORDER BY {latency}) AS p{i}"
            for i, p in enumerate(PERCENTILES)
        )
        found = fetch(
            f"""
            SELECT COALESCE(b.worker, '{ALL_WORKERS}') AS worker, GROUPING(b.worker) AS total,
                   {wanted}
            FROM ({base_sql}) b
            GROUP BY GROUPING SETS ((b.worker), ())
            """,  # noqa: S608 (fixed SQL and a compiled ORM query; values are parameters)
            params,
        )
        return {
            (ALL_WORKERS if row["total"] else row["worker"]): {
                p: float(row[f"p{i}"]) for i, p in enumerate(PERCENTILES)
            }
            for row in found
        }
    result: dict[str, dict[float, float]] = {}
    for key in ("b.worker", f"'{ALL_WORKERS}'"):
        # The ranks around each percentile's position p * (n - 1), fetched, then interpolated.
        positions = " OR ".join(
            f"r.rn IN (CAST({p} * (r.n - 1) AS INTEGER), CAST({p} * (r.n - 1) AS INTEGER) + 1)"
            for p in PERCENTILES
        )
        found = fetch(
            f"""
            SELECT r.worker, r.rn, r.n, r.seconds FROM (
                SELECT {key} AS worker, {latency} AS seconds,
                       ROW_NUMBER() OVER (PARTITION BY {key} ORDER BY {latency}) - 1 AS rn,
                       COUNT(*) OVER (PARTITION BY {key}) AS n
                FROM ({base_sql}) b
            ) r
            WHERE {positions}
            """,  # noqa: S608 (fixed SQL and a compiled ORM query; values are parameters)
            params,
        )
        ranked: dict[str, dict[int, float]] = {}
        sizes: dict[str, int] = {}
        for row in found:
            ranked.setdefault(row["worker"], {})[row["rn"]] = row["seconds"]
            sizes[row["worker"]] = row["n"]
        for worker, values in ranked.items():
            result[worker] = {}
            for p in PERCENTILES:
                position = p * (sizes[worker] - 1)
                low = math.floor(position)
                high = min(low + 1, sizes[worker] - 1)
                fraction = position - low
                result[worker][p] = values[low] + (values[high] - values[low]) * fraction
    return result


def build_grading_health(scope: ReportScope, filters: ReportFilters) -> ReportTable:
    filters = filters.within(scope)
    marked = _marked(scope, filters)
    counts = {
        row["worker"]: row
        for row in marked.order_by()
        .values("worker")
        .annotate(
            marked=Count("id"),
            graded=Count("id", filter=Q(status=Status.GRADED)),
            needs_review=Count("id", filter=Q(status=Status.NEEDS_REVIEW)),
            failed=Count("id", filter=Q(status=Status.FAILED)),
        )
    }
    columns = [
        Column("worker", _("Worker")),
        Column("marked", _("Marked"), "int"),
        Column("graded", _("Graded"), "int"),
        Column("needs_review", _("Needs review"), "int"),
        Column("failed", _("Failed"), "int"),
        Column("failure_rate", _("Failure rate"), "percent"),
        *(
            Column(f"p{round(p * 100)}", _("Latency p%(n)s") % {"n": round(p * 100)}, "seconds")
            for p in PERCENTILES
        ),
    ]
    table = ReportTable(
        slug=GRADING_HEALTH.slug,
        title=GRADING_HEALTH.title,
        description=GRADING_HEALTH.description,
        columns=columns,
        rows=[],
        chart=Chart("bar", "worker", tuple(f"p{round(p * 100)}" for p in PERCENTILES)),
    )
    # Outside a school, a school or class filter narrowed to a few learners shows nothing: their
    # submissions' fate is about them.
    narrowed = filters.school_id is not None or filters.classroom_id is not None
    few = (
        narrowed
        and not scope.show_names
        and marked.values("learner_id").distinct().count() < min_group_size()
    )
    if few:
        table.suppressed = len(counts)
        table.notes.append(_("Fewer learners than the privacy limit: nothing is shown."))
        return table
    percentiles = latency_percentiles(marked) if counts else {}
    totals = {
        key: sum(row[key] for row in counts.values())
        for key in ("marked", "graded", "needs_review", "failed")
    }
    for worker, row in [*sorted(counts.items()), (ALL_WORKERS, totals)]:
        if worker == ALL_WORKERS and not counts:
            break
        latencies = percentiles.get(worker, {})
        table.rows.append(
            {
                "worker": str(_("All workers")) if worker == ALL_WORKERS else (worker or "-"),
                "marked": row["marked"],
                "graded": row["graded"],
                "needs_review": row["needs_review"],
                "failed": row["failed"],
                "failure_rate": share(row["failed"], row["marked"]),
                **{
                    f"p{round(p * 100)}": round(latencies[p], 2) if p in latencies else None
                    for p in PERCENTILES
                },
            }
        )
    # The queue now, whatever the dates: what is waiting and for how long.
    live = submissions(scope, filters).filter(status__in=Submission.IN_FLIGHT)
    waiting = live.aggregate(
        queued=Count("id", filter=Q(status=Status.QUEUED)),
        running=Count("id", filter=Q(status=Status.RUNNING)),
        oldest=Min("received_at", filter=Q(status=Status.QUEUED)),
    )
    oldest = round((timezone.now() - waiting["oldest"]).total_seconds()) if waiting["oldest"] else 0
    table.notes.append(
        _("Now: %(queued)s queued (the oldest waiting %(oldest)s s), %(running)s running.")
        % {"queued": waiting["queued"], "running": waiting["running"], "oldest": oldest}
    )
    table.notes.append(_("Latency: seconds from hand-in to result."))
    return table


GRADING_HEALTH = register(
    Report(
        slug="grading-health",
        title=_("Grading health"),
        description=_(
            "Notebook submissions marked per worker, how many need review or failed, and how "
            "long learners waited for their result; the queue as it is now."
        ),
        build=build_grading_health,
    )
)
