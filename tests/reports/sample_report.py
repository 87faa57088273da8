"""Two tiny reports for the export and API tests, built from class lists only.

They do not depend on the report catalogue (reports/catalogue.py), so these tests check the
exports' and API's plumbing on a table whose numbers a test can compute by hand. A worker
process imports this module with `celery worker --include tests.reports.sample_report` and
QIMING_SAMPLE_REPORTS=1 in its environment.
"""

from __future__ import annotations

import os

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from accounts.models import Classroom, User
from reports.base import (
    REGISTRY,
    Chart,
    Column,
    Report,
    ReportFilters,
    ReportScope,
    ReportTable,
    register,
    suppress_small_groups,
)

CLASSES = "sample-classes"
LEARNERS = "sample-learners"

CLASS_COLUMNS = [
    Column("classroom", _("Class"), "text"),
    Column("school", _("School"), "text"),
    Column("learners", _("Learners"), "int"),
    Column("share", _("Score"), "percent"),
    Column("since", _("Created"), "date"),
    Column("mean", _("Mean"), "float"),
    Column("delta", _("Delta"), "int"),
    Column("wait", _("Wait"), "seconds"),
]


def _classrooms(scope: ReportScope, filters: ReportFilters):
    filters = filters.within(scope)
    classrooms = Classroom.objects.select_related("school")
    if filters.school_id is not None:
        classrooms = classrooms.filter(school_id=filters.school_id)
    if filters.classroom_id is not None:
        classrooms = classrooms.filter(pk=filters.classroom_id)
    return classrooms


def build_classes(scope: ReportScope, filters: ReportFilters) -> ReportTable:
    classrooms = list(
        _classrooms(scope, filters).annotate(count=Count("learners")).order_by("name", "id")
    )
    total = sum(classroom.count for classroom in classrooms) or 1
    rows = [
        {
            "classroom": classroom.name,
            "school": classroom.school.name if classroom.school else "",
            "learners": classroom.count,
            "share": classroom.count / total,
            "since": classroom.created_at.date(),
            "mean": classroom.count / 3,
            "delta": -classroom.count,
            "wait": classroom.count * 1.5,
        }
        for classroom in classrooms
    ]
    kept, dropped = suppress_small_groups(rows, "learners")
    return ReportTable(
        slug=CLASSES,
        title=_("Classes"),
        description=_("Learners per class."),
        columns=CLASS_COLUMNS,
        rows=kept,
        chart=Chart(kind="bar", x="classroom", y=("learners",)),
        suppressed=dropped,
        notes=[_("Counted from class lists.")],
    )


def build_learners(scope: ReportScope, filters: ReportFilters) -> ReportTable:
    learners = (
        User.objects.filter(classrooms__in=_classrooms(scope, filters))
        .distinct()
        .order_by("username")
    )
    return ReportTable(
        slug=LEARNERS,
        title=_("Learners"),
        description=_("Every learner by name."),
        columns=[Column("username", _("Learner"), "text")],
        rows=[{"username": learner.username} for learner in learners],
    )


REPORTS = [
    Report(CLASSES, _("Classes"), _("Learners per class."), build_classes),
    Report(LEARNERS, _("Learners"), _("Every learner."), build_learners, names_learners=True),
]


def register_all() -> None:
    for report in REPORTS:
        if report.slug not in REGISTRY:
            register(report)


def unregister_all() -> None:
    for report in REPORTS:
        REGISTRY.pop(report.slug, None)


# Registered only while a test uses them (tests/reports/sample_data.py), so other tests never see
# them in the registry; a worker process started by these tests is told to by its environment.
if os.environ.get("QIMING_SAMPLE_REPORTS") == "1":
    register_all()
