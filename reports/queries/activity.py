"""Enrolment and activity over time."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, DateField, Min, Sum
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from reports.base import (
    Chart,
    Column,
    Report,
    ReportFilters,
    ReportScope,
    ReportTable,
    register,
    suppress_small_groups,
)
from reports.models import LearnerDayStat
from reports.queries.common import day_stats, end_of, learner_ids, start_of
from reports.queries.completion import SUPPRESSED_NOTE


def period_kind(start: date, end: date) -> str:
    """Days for up to two months, weeks for up to two years, months beyond: a chart of at most
    about a hundred points whatever the range."""
    span = (end - start).days
    if span <= 62:
        return "day"
    if span <= 731:
        return "week"
    return "month"


def build_activity(scope: ReportScope, filters: ReportFilters) -> ReportTable:
    filters = filters.within(scope)
    end = filters.end or timezone.localdate()
    start = filters.start or LearnerDayStat.objects.aggregate(first=Min("day"))["first"] or end
    kind = period_kind(start, end)
    active = {
        row["period"]: row
        for row in day_stats(scope, filters)
        .annotate(period=Trunc("day", kind, output_field=DateField()))
        .order_by()
        .values("period")
        .annotate(
            active_learners=Count("learner_id", distinct=True),
            quiz_answers=Sum("quiz_answers"),
            submissions=Sum("submissions"),
        )
    }
    # Sign-ups follow the school and class filters only: joining the platform is not tied to a
    # course or an age band.
    joined = User.objects.filter(
        role=User.Role.STUDENT,
        date_joined__gte=start_of(start),
        date_joined__lt=end_of(end),
    )
    learners = learner_ids(filters)
    if learners is not None:
        joined = joined.filter(pk__in=learners)
    new = dict(
        joined.annotate(period=Trunc("date_joined", kind, output_field=DateField()))
        .order_by()
        .values_list("period")
        .annotate(count=Count("id"))
    )
    rows = [
        {
            "period": period,
            "new_learners": new.get(period, 0),
            "active_learners": active[period]["active_learners"] if period in active else 0,
            "quiz_answers": active[period]["quiz_answers"] if period in active else 0,
            "submissions": active[period]["submissions"] if period in active else 0,
        }
        for period in sorted(set(active) | set(new))
    ]
    # A period when a handful of learners signed up or worked shows nothing: who worked when
    # could identify them. The smaller count (of those that are not zero) decides.
    for row in rows:
        row["learners"] = min(
            count for count in (row["active_learners"], row["new_learners"]) if count
        )
    kept, dropped = suppress_small_groups(rows, "learners")
    for row in kept:
        del row["learners"]
    labels = {"day": _("Day"), "week": _("Week starting"), "month": _("Month")}
    notes = [
        _("Sign-ups follow the school and class filters only."),
    ]
    if dropped:
        notes.append(SUPPRESSED_NOTE)
    return ReportTable(
        slug=ACTIVITY.slug,
        title=ACTIVITY.title,
        description=ACTIVITY.description,
        columns=[
            Column("period", labels[kind], "date"),
            Column("new_learners", _("New learners"), "int"),
            Column("active_learners", _("Active learners"), "int"),
            Column("quiz_answers", _("Quiz answers"), "int"),
            Column("submissions", _("Notebook submissions"), "int"),
        ],
        rows=kept,
        chart=Chart("line", "period", ("active_learners", "new_learners")),
        suppressed=dropped,
        notes=notes,
    )


ACTIVITY = register(
    Report(
        slug="activity",
        title=_("Enrolment and activity"),
        description=_(
            "Learners who signed up and learners who answered something, with their quiz "
            "answers and notebook submissions, by day, week or month."
        ),
        build=build_activity,
    )
)
