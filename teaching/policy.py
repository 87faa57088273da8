"""Deadlines and late penalties, as pure functions: the one place scores meet deadlines.

effective_score() is what the gradebook, a learner's history and the CSV export all show. It
never changes what is stored: the raw score (the grader's, or the teacher's mark) goes in, the
score that counts for the class comes out, and changing a deadline later changes the result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from teaching.models import LatePolicy

DAY_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class Deadline:
    """When work is due for one learner, and what lateness costs."""

    due_at: datetime
    policy: str = LatePolicy.NONE
    percent: int = 0  # for PERCENT_PER_DAY: of the maximum score, per started day late
    extended: bool = False  # due_at is the learner's own extension


@dataclass(frozen=True)
class Effective:
    """A score as it counts for a class: `raw` before lateness, `score` after."""

    raw: float | None
    score: float | None
    max_score: float
    late: bool = False
    days_late: int = 0
    penalty: float = 0.0  # points taken off for lateness

    @property
    def penalised(self) -> bool:
        return self.penalty > 0


def days_late(submitted_at: datetime, due_at: datetime) -> int:
    """Started days after the deadline: one second late is one day, 24h and one second two."""
    seconds = (submitted_at - due_at).total_seconds()
    return math.ceil(seconds / DAY_SECONDS) if seconds > 0 else 0


def effective_score(
    *,
    score: float | None,
    max_score: float,
    submitted_at: datetime | None,
    deadline: Deadline | None,
) -> Effective:
    """The score that counts, given when the work arrived and the learner's deadline.

    - no deadline, or on time: the score as it is;
    - LatePolicy.NONE: late work keeps its score (it is still shown as late);
    - LatePolicy.ZERO: late work scores 0;
    - LatePolicy.PERCENT_PER_DAY: `percent` % of the maximum score off per started day late,
      never below 0.
    """
    if score is None:
        return Effective(raw=None, score=None, max_score=max_score)
    if deadline is None or submitted_at is None:
        return Effective(raw=score, score=score, max_score=max_score)
    days = days_late(submitted_at, deadline.due_at)
    if days == 0:
        return Effective(raw=score, score=score, max_score=max_score)
    if deadline.policy == LatePolicy.ZERO:
        final = 0.0
    elif deadline.policy == LatePolicy.PERCENT_PER_DAY:
        final = max(0.0, score - max_score * deadline.percent * days / 100)
    else:
        final = score
    final = round(final, 4)
    return Effective(
        raw=score,
        score=final,
        max_score=max_score,
        late=True,
        days_late=days,
        penalty=round(score - final, 4),
    )


def best(effectives: list[Effective]) -> Effective | None:
    """The attempt that counts: the highest score after penalties (the latest of equals, as
    the list comes oldest first)."""
    scored = [effective for effective in effectives if effective.score is not None]
    if not scored:
        return None
    top = scored[0]
    for effective in scored[1:]:
        if effective.score >= top.score:
            top = effective
    return top
