"""Lateness and penalties (teaching.policy): each late policy, started days, extensions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from teaching.models import LatePolicy
from teaching.policy import Deadline, Effective, best, days_late, effective_score
from tests.teaching.conftest import DUE, hours


def score(raw, *, at, policy=LatePolicy.NONE, percent=0, due=DUE, max_score=10.0):
    deadline = Deadline(due_at=due, policy=policy, percent=percent) if due else None
    return effective_score(score=raw, max_score=max_score, submitted_at=at, deadline=deadline)


@pytest.mark.parametrize(
    ("after", "days"),
    [
        (timedelta(0), 0),
        (-hours(5), 0),
        (timedelta(seconds=1), 1),
        (hours(24), 1),
        (hours(24) + timedelta(seconds=1), 2),
        (hours(71), 3),
    ],
)
def test_days_late_counts_started_days(after, days):
    assert days_late(DUE + after, DUE) == days


def test_on_time_work_keeps_its_score_under_every_policy():
    for policy in LatePolicy.values:
        effective = score(7.5, at=DUE, policy=policy, percent=20)
        assert effective == Effective(raw=7.5, score=7.5, max_score=10.0)


def test_no_deadline_means_never_late():
    effective = score(7.5, at=DUE + hours(1000), due=None)
    assert not effective.late and effective.score == 7.5


def test_policy_none_accepts_late_work_without_penalty_but_says_it_is_late():
    effective = score(7.5, at=DUE + hours(30), policy=LatePolicy.NONE)
    assert (effective.score, effective.late, effective.days_late, effective.penalty) == (
        7.5,
        True,
        2,
        0,
    )
    assert not effective.penalised


def test_policy_zero_scores_late_work_zero():
    effective = score(9, at=DUE + timedelta(minutes=1), policy=LatePolicy.ZERO)
    assert (effective.raw, effective.score, effective.penalty) == (9, 0, 9)


def test_percent_per_day_takes_a_share_of_the_maximum_per_started_day():
    one_day = score(9, at=DUE + hours(2), policy=LatePolicy.PERCENT_PER_DAY, percent=10)
    assert (one_day.score, one_day.days_late, one_day.penalty) == (8, 1, 1)
    three_days = score(9, at=DUE + hours(49), policy=LatePolicy.PERCENT_PER_DAY, percent=10)
    assert three_days.score == 6
    assert three_days.raw == 9  # the raw score is kept beside the effective one


def test_percent_per_day_never_goes_below_zero():
    effective = score(3, at=DUE + hours(24 * 9), policy=LatePolicy.PERCENT_PER_DAY, percent=25)
    assert effective.score == 0
    assert effective.penalty == 3


def test_an_extension_is_just_a_later_deadline():
    extended = Deadline(due_at=DUE + hours(48), policy=LatePolicy.ZERO, extended=True)
    on_time = effective_score(
        score=6, max_score=10, submitted_at=DUE + hours(47), deadline=extended
    )
    late = effective_score(score=6, max_score=10, submitted_at=DUE + hours(49), deadline=extended)
    assert (on_time.score, on_time.late) == (6, False)
    assert (late.score, late.late) == (0, True)


def test_no_score_stays_no_score():
    assert score(None, at=DUE + hours(5), policy=LatePolicy.ZERO).score is None


def test_best_counts_the_highest_score_after_penalties():
    early = score(6, at=DUE - hours(1), policy=LatePolicy.ZERO)
    late_but_higher = score(10, at=DUE + hours(1), policy=LatePolicy.ZERO)
    assert best([early, late_but_higher]) is early
    equal = score(6, at=DUE - hours(0.5), policy=LatePolicy.ZERO)
    assert best([early, equal]) is equal  # the latest of equals
    assert best([]) is None
