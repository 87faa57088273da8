"""Completion and scores by course, unit, age band, school and class (one roll-up each), and by
exercise.

Definitions, the same in every report and on the learner's own pages (courses/progress.py):
an exercise is *done* when a quiz was answered fully right or its attempts are used up, or a
notebook has a marked submission; a learner *completed* a course (unit) when every published
exercise of it is done. *Completion* is the share of the exercises there were to do that were
done; *score* is the learners' best scores as a share of the maximum, over the exercises they
answered; *passed* is full marks at least once.
"""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from accounts.models import Classroom, School
from courses.models import AgeBand, Exercise, Unit
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
from reports.queries.common import completion_rollup, course_titles, exercise_stats, share

LEARNERS = Column("learners", _("Learners"), "int")
COMPLETED = Column("completed", _("Completed"), "int")
COMPLETION = Column("completion", _("Completion"), "percent")
SCORE = Column("score", _("Average score"), "percent")

# Why a group's numbers may be missing; added to a table when something was suppressed.
SUPPRESSED_NOTE = _("Groups of fewer learners than the privacy limit are not shown.")
DATES_NOTE = _(
    "With dates: learners who worked on it during the period, with their progress today."
)


def _figures(row: dict) -> dict:
    """The shares every completion table shows, from a roll-up row."""
    return {
        "learners": int(row["learners"] or 0),
        "completed": int(row["completed"] or 0),
        "completion": share(row["done"], row["possible"]),
        "score": share(row["score"], row["max_score"]),
    }


def _table(report: Report, columns, rows, chart: Chart | None, filters: ReportFilters):
    kept, dropped = suppress_small_groups(rows, "learners")
    notes = []
    if dropped:
        notes.append(SUPPRESSED_NOTE)
    if filters.start or filters.end:
        notes.append(DATES_NOTE)
    return ReportTable(
        slug=report.slug,
        title=report.title,
        description=report.description,
        columns=list(columns),
        rows=kept,
        chart=chart,
        suppressed=dropped,
        notes=notes,
    )


def _age_band_label(value: str) -> str:
    try:
        return str(AgeBand(value).label)
    except ValueError:
        return value


# --- by course --------------------------------------------------------------------------------


def build_by_course(scope: ReportScope, filters: ReportFilters) -> ReportTable:
    rows_by_course = {row["g"]: row for row in completion_rollup(scope, filters, "course")}
    courses = course_titles(rows_by_course)
    totals = dict(
        Exercise.objects.filter(lesson__unit__course__in=list(courses), is_published=True)
        .order_by()
        .values_list("lesson__unit__course_id")
        .annotate(total=Count("id"))
    )
    rows = []
    for course in sorted(courses.values(), key=lambda course: (course.title_en, course.pk)):
        rows.append(
            {
                "course": course.localized("title"),
                "age_band": _age_band_label(course.age_band),
                "exercises": totals.get(course.pk, 0),
                **_figures(rows_by_course[course.pk]),
            }
        )
    columns = [
        Column("course", _("Course")),
        Column("age_band", _("Age band")),
        Column("exercises", _("Exercises"), "int"),
        LEARNERS,
        COMPLETED,
        COMPLETION,
        SCORE,
    ]
    return _table(BY_COURSE, columns, rows, Chart("bar", "course", ("completion",)), filters)


BY_COURSE = register(
    Report(
        slug="completion-by-course",
        title=_("Completion by course"),
        description=_(
            "Learners who answered something in each course, how many completed it, the share "
            "of its exercises done and their average score."
        ),
        build=build_by_course,
    )
)


# --- by unit ----------------------------------------------------------------------------------


def build_by_unit(scope: ReportScope, filters: ReportFilters) -> ReportTable:
    rows_by_unit = {row["g"]: row for row in completion_rollup(scope, filters, "unit")}
    units = (
        Unit.objects.filter(pk__in=list(rows_by_unit))
        .select_related("course")
        .annotate(
            exercises=Count("lessons__exercises", filter=Q(lessons__exercises__is_published=True))
        )
        .order_by("course__title_en", "course_id", "position")
    )
    rows = [
        {
            "course": unit.course.localized("title"),
            "unit": f"{unit.position}. {unit.localized('title')}",
            "exercises": unit.exercises,
            **_figures(rows_by_unit[unit.pk]),
        }
        for unit in units
    ]
    columns = [
        Column("course", _("Course")),
        Column("unit", _("Unit")),
        Column("exercises", _("Exercises"), "int"),
        LEARNERS,
        COMPLETED,
        COMPLETION,
        SCORE,
    ]
    return _table(BY_UNIT, columns, rows, Chart("bar", "unit", ("completion",)), filters)


BY_UNIT = register(
    Report(
        slug="completion-by-unit",
        title=_("Completion by unit"),
        description=_(
            "For each unit: learners who answered something in it, how many did every "
            "exercise, the share of exercises done and the average score."
        ),
        build=build_by_unit,
    )
)


# --- by exercise ------------------------------------------------------------------------------


def exercise_figures(scope: ReportScope, filters: ReportFilters) -> list[dict]:
    """One row per exercise: learners who answered, done, passed, attempts and score shares;
    in course order. Shared with the hardest-exercises report."""
    aggregates = {
        row["exercise_id"]: row
        for row in exercise_stats(scope, filters)
        .order_by()
        .values("exercise_id")
        .annotate(
            learners=Count("learner_id"),
            done=Count("id", filter=Q(done=True)),
            passed=Count("id", filter=Q(passed=True)),
            attempts=Sum("attempts"),
            score=Sum("best_score"),
            max_score=Sum("max_score"),
        )
    }
    exercises = (
        Exercise.objects.filter(pk__in=list(aggregates))
        .select_related("lesson__unit__course")
        .only(
            "id",
            "title",
            "title_zh",
            "kind",
            "position",
            "lesson__position",
            "lesson__unit__position",
            "lesson__unit__title_en",
            "lesson__unit__title_zh",
            "lesson__unit__course__title_en",
            "lesson__unit__course__title_zh",
        )
        .order_by(
            "lesson__unit__course__title_en",
            "lesson__unit__course_id",
            "lesson__unit__position",
            "lesson__position",
            "position",
            "id",
        )
    )
    rows = []
    for exercise in exercises:
        row = aggregates[exercise.pk]
        learners = row["learners"]
        rows.append(
            {
                "exercise_id": exercise.pk,
                "course": exercise.lesson.unit.course.localized("title"),
                "unit": exercise.lesson.unit.localized("title"),
                "exercise": exercise.localized("title"),
                "kind": str(exercise.get_kind_display()),
                "learners": learners,
                "done": row["done"],
                "done_share": share(row["done"], learners),
                "pass_rate": share(row["passed"], learners),
                "attempts_per_learner": round(row["attempts"] / learners, 2) if learners else None,
                "score": share(row["score"], row["max_score"]),
            }
        )
    return rows


EXERCISE_COLUMNS = [
    Column("course", _("Course")),
    Column("unit", _("Unit")),
    Column("exercise", _("Exercise")),
    Column("kind", _("Kind")),
    LEARNERS,
    Column("done_share", _("Done"), "percent"),
    Column("pass_rate", _("Pass rate"), "percent"),
    Column("attempts_per_learner", _("Attempts per learner"), "float"),
    SCORE,
]


def build_by_exercise(scope: ReportScope, filters: ReportFilters) -> ReportTable:
    rows = exercise_figures(scope, filters)
    chart = Chart("bar", "exercise", ("pass_rate",))
    return _table(BY_EXERCISE, EXERCISE_COLUMNS, rows, chart, filters)


BY_EXERCISE = register(
    Report(
        slug="completion-by-exercise",
        title=_("Completion by exercise"),
        description=_(
            "For each exercise: learners who answered it, the share who are done with it and "
            "who got full marks, attempts per learner and the average score."
        ),
        build=build_by_exercise,
    )
)


# --- by age band, school, class ---------------------------------------------------------------

GROUP_COLUMNS = [
    LEARNERS,
    Column("completed", _("Courses completed"), "int"),
    COMPLETION,
    SCORE,
]


def build_by_age_band(scope: ReportScope, filters: ReportFilters) -> ReportTable:
    found = {row["g"]: row for row in completion_rollup(scope, filters, "age_band")}
    rows = [
        {"age_band": str(band.label), **_figures(found[band.value])}
        for band in AgeBand
        if band.value in found
    ]
    columns = [Column("age_band", _("Age band")), *GROUP_COLUMNS]
    return _table(BY_AGE_BAND, columns, rows, Chart("bar", "age_band", ("completion",)), filters)


BY_AGE_BAND = register(
    Report(
        slug="completion-by-age-band",
        title=_("Completion by age band"),
        description=_(
            "Courses grouped by the age band they serve: learners, courses completed, the "
            "share of exercises done and the average score."
        ),
        build=build_by_age_band,
    )
)


def build_by_school(scope: ReportScope, filters: ReportFilters) -> ReportTable:
    found = {row["g"]: row for row in completion_rollup(scope, filters, "school")}
    rows = [
        {"school": school.name, **_figures(found[school.pk])}
        for school in School.objects.filter(pk__in=list(found)).order_by("name")
    ]
    columns = [Column("school", _("School")), *GROUP_COLUMNS]
    return _table(BY_SCHOOL, columns, rows, Chart("bar", "school", ("completion",)), filters)


BY_SCHOOL = register(
    Report(
        slug="completion-by-school",
        title=_("Completion by school"),
        description=_(
            "Learners of each school's classes: courses completed, the share of exercises "
            "done and the average score. A learner of no school's class is not counted."
        ),
        build=build_by_school,
    )
)


def build_by_class(scope: ReportScope, filters: ReportFilters) -> ReportTable:
    found = {row["g"]: row for row in completion_rollup(scope, filters, "classroom")}
    classrooms = (
        Classroom.objects.filter(pk__in=list(found))
        .select_related("school")
        .order_by("school__name", "name", "id")
    )
    rows = [
        {
            "school": classroom.school.name if classroom.school else "",
            "classroom": classroom.name,
            **_figures(found[classroom.pk]),
        }
        for classroom in classrooms
    ]
    columns = [Column("school", _("School")), Column("classroom", _("Class")), *GROUP_COLUMNS]
    return _table(BY_CLASS, columns, rows, Chart("bar", "classroom", ("completion",)), filters)


BY_CLASS = register(
    Report(
        slug="completion-by-class",
        title=_("Completion by class"),
        description=_(
            "Learners of each class: courses completed, the share of exercises done and the "
            "average score (all their courses, not only the class's)."
        ),
        build=build_by_class,
    )
)
