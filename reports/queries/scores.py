"""How scores spread (a histogram of learners by course score) and the hardest exercises."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

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
from reports.queries.common import (
    container_stats,
    container_stats_usable,
    exercise_stats,
    fetch,
    share,
    sql_of,
)
from reports.queries.completion import (
    EXERCISE_COLUMNS,
    SUPPRESSED_NOTE,
    _table,
    exercise_figures,
)

BANDS = 10  # 0-9 %, 10-19 %, … 90-100 %

# Band of a share in 0..1 by comparisons rather than FLOOR (SQLite may lack it, and CAST rounds
# on PostgreSQL but truncates on SQLite). A sum of decimal scores depends a little on the order
# the database adds them in (22.6 or 22.599999999999998): EDGE keeps a share that is exactly on
# a band's lower edge in that band whichever order it was added up in.
EDGE = 1e-9
_BAND_SQL = (
    "CASE "
    + " ".join(
        f"WHEN i.share >= {round(band / BANDS - EDGE, 12)} THEN {band}"
        for band in range(BANDS - 1, 0, -1)
    )
    + " ELSE 0 END"
)


def _band_label(band: int) -> str:
    low = band * 100 // BANDS
    high = 100 if band == BANDS - 1 else low + 100 // BANDS - 1
    return f"{low}-{high}%"


def build_score_distribution(scope: ReportScope, filters: ReportFilters) -> ReportTable:
    # Each learner's score in each course (best scores over the maximum of what they answered,
    # exercises worth nothing left out), then learners per band.
    if container_stats_usable(filters.within(scope)):
        base_sql, params = sql_of(
            container_stats(scope, filters, "course").values("scored", "scored_score", "scored_max")
        )
        shares = f"""
            SELECT b.scored_score * 1.0 / b.scored_max AS share
            FROM ({base_sql}) b
            WHERE b.scored > 0
        """  # noqa: S608 (a compiled ORM query; values are parameters)
    else:
        base_sql, params = sql_of(
            exercise_stats(scope, filters).values(
                "learner_id", "course_id", "best_score", "max_score"
            )
        )
        shares = f"""
            SELECT SUM(COALESCE(b.best_score, 0)) * 1.0 / SUM(b.max_score) AS share
            FROM ({base_sql}) b
            WHERE b.max_score > 0
            GROUP BY b.learner_id, b.course_id
        """  # noqa: S608 (a compiled ORM query; values are parameters)
    found = {
        row["band"]: row["learners"]
        for row in fetch(
            f"""
            SELECT {_BAND_SQL} AS band, COUNT(*) AS learners
            FROM ({shares}) i
            GROUP BY {_BAND_SQL}
            """,  # noqa: S608 (fixed SQL and a compiled ORM query; values are parameters)
            params,
        )
    }
    total = sum(found.values())
    rows = [
        {
            "band": _band_label(band),
            "learners": found.get(band, 0),
            "share": share(found.get(band, 0), total),
        }
        for band in range(BANDS)
    ]
    # An empty band describes nobody: shown as 0. A band of a few learners is withheld.
    limit = min_group_size()
    suppressed = 0
    for row in rows:
        if 0 < row["learners"] < limit:
            row["learners"] = row["share"] = None
            suppressed += 1
    columns = [
        Column("band", _("Score")),
        Column("learners", _("Learners"), "int"),
        Column("share", _("Share of learners"), "percent"),
    ]
    notes = [_("Each learner counts once per course, with their score over what they answered.")]
    if suppressed:
        notes.append(SUPPRESSED_NOTE)
    return ReportTable(
        slug=SCORE_DISTRIBUTION.slug,
        title=SCORE_DISTRIBUTION.title,
        description=SCORE_DISTRIBUTION.description,
        columns=columns,
        rows=rows,
        chart=Chart("histogram", "band", ("learners",)),
        suppressed=suppressed,
        notes=notes,
    )


SCORE_DISTRIBUTION = register(
    Report(
        slug="score-distribution",
        title=_("Score distribution"),
        description=_(
            "Learners by their score in a course, in bands of ten percentage points: their "
            "best scores as a share of the maximum, over the exercises they answered."
        ),
        build=build_score_distribution,
    )
)


def hardest_limit() -> int:
    return int(getattr(settings, "REPORTS_HARDEST_EXERCISES", 20))


def build_hardest(scope: ReportScope, filters: ReportFilters) -> ReportTable:
    rows = exercise_figures(scope, filters)
    table = _table(HARDEST, [], rows, None, filters)
    # Lowest pass rate first; among equals, the one that takes the most attempts.
    table.rows.sort(key=lambda row: (row["pass_rate"], -(row["attempts_per_learner"] or 0)))
    table.rows = [
        {"rank": rank, **row} for rank, row in enumerate(table.rows[: hardest_limit()], start=1)
    ]
    table.columns = [Column("rank", _("Rank"), "int"), *EXERCISE_COLUMNS]
    table.chart = Chart("bar", "exercise", ("pass_rate",))
    return table


HARDEST = register(
    Report(
        slug="hardest-exercises",
        title=_("Hardest exercises"),
        description=_(
            "The exercises with the lowest share of learners getting full marks, then the most "
            "attempts per learner."
        ),
        build=build_hardest,
    )
)
