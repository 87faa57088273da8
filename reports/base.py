"""What every report is: who asks (scope), what they filter on, and the table it answers with.

Pages, CSV/XLSX exports and the API all render the same `ReportTable`, built once by the
report's `build`, so the three can never disagree. Reports register themselves in `REGISTRY` by
slug (reports/catalogue.py imports every report module).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

# Kinds of column: how a value is formatted on the page and typed in a spreadsheet.
COLUMN_KINDS = ("text", "int", "float", "percent", "date", "seconds")


def min_group_size() -> int:
    """Groups of fewer learners than this are not shown (REPORTS_MIN_GROUP_SIZE)."""
    return int(getattr(settings, "REPORTS_MIN_GROUP_SIZE", 5))


@dataclass(frozen=True)
class ReportScope:
    """Who asks, and so what they may see.

    A platform administrator sees every school, as aggregates only (no learner names). A school
    administrator sees their school only, and may see their learners' names.
    """

    school_id: int | None
    show_names: bool

    @classmethod
    def for_user(cls, user) -> ReportScope:
        if getattr(user, "is_platform_admin", False):
            return cls(school_id=None, show_names=False)
        if getattr(user, "is_school_admin", False):
            return cls(school_id=user.school_id, show_names=True)
        raise PermissionDenied(_("Reports are for administrators."))


@dataclass(frozen=True)
class ReportFilters:
    """What the asker narrowed the report to; None means "all"."""

    start: date | None = None
    end: date | None = None  # inclusive
    school_id: int | None = None
    classroom_id: int | None = None
    course_id: int | None = None
    age_band: str | None = None

    def within(self, scope: ReportScope) -> ReportFilters:
        """The filters a scope allows: a school administrator's are pinned to their school."""
        if scope.school_id is not None:
            return replace(self, school_id=scope.school_id)
        return self

    def as_json(self) -> dict[str, Any]:
        """For storing with an export job and putting in links."""
        out: dict[str, Any] = {}
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value.isoformat()
        for name in ("school_id", "classroom_id", "course_id", "age_band"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReportFilters:
        values: dict[str, Any] = {}
        for name in ("start", "end"):
            if data.get(name):
                values[name] = date.fromisoformat(data[name])
        for name in ("school_id", "classroom_id", "course_id"):
            if data.get(name) is not None:
                values[name] = int(data[name])
        if data.get("age_band"):
            values["age_band"] = str(data["age_band"])
        return cls(**values)


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy translated string
    kind: str = "text"

    def __post_init__(self):
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass(frozen=True)
class Chart:
    """How the page draws the table: `kind` is "bar", "line" or "histogram"; `x` names the column
    of labels (or dates), `y` the numeric columns drawn."""

    kind: str
    x: str
    y: tuple[str, ...]


@dataclass
class ReportTable:
    slug: str
    title: Any
    description: Any
    columns: list[Column]
    rows: list[dict[str, Any]]
    chart: Chart | None = None
    # Groups left out because they had fewer learners than min_group_size().
    suppressed: int = 0
    notes: list[Any] = field(default_factory=list)

    def values(self) -> Iterable[list[Any]]:
        keys = [column.key for column in self.columns]
        for row in self.rows:
            yield [row.get(key) for key in keys]


@dataclass(frozen=True)
class Report:
    slug: str
    title: Any
    description: Any
    build: Callable[[ReportScope, ReportFilters], ReportTable]
    # Reports naming learners are only for those whose scope shows names.
    names_learners: bool = False


REGISTRY: dict[str, Report] = {}


def register(report: Report) -> Report:
    if report.slug in REGISTRY:
        raise ValueError(f"report {report.slug!r} registered twice")
    REGISTRY[report.slug] = report
    return report


def suppress_small_groups(
    rows: list[dict[str, Any]], count_key: str = "learners"
) -> tuple[list[dict[str, Any]], int]:
    """Drop rows describing fewer than min_group_size() learners; return (kept, dropped)."""
    limit = min_group_size()
    kept = [row for row in rows if (row.get(count_key) or 0) >= limit]
    return kept, len(rows) - len(kept)
