"""Deadlines as a learner sees them: when their work is due, what lateness costs, and whether
their latest counted work arrived late.

A learner's deadline in one class is their extension there, else the class's due date (as in
the gradebook, teaching/gradebook.py). A learner in several classes that have the exercise gets
the latest of those deadlines, with that class's late policy: as teaching.limits gives the most
generous attempt limit, no class takes time away that another gives. A class that sets no date
does not cancel another class's date, though: that class still marks late work against it, so
the learner is told.

Scores after penalties come from teaching.policy.effective_score, never from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from courses.models import Exercise, QuizAttempt
from courses.progress import exercise_progress
from courses.selectors import exercises_visible_to
from graders.models import Submission
from teaching.models import ClassroomExercise, Extension, LatePolicy
from teaching.policy import Deadline, days_late

DUE_SOON = timedelta(days=7)


@dataclass(frozen=True)
class LearnerDeadline:
    """One exercise's deadline for one learner."""

    exercise_id: int
    deadline: Deadline  # what teaching.policy.effective_score takes
    class_due_at: datetime | None = None  # the class's own date, when an extension moved it
    latest_at: datetime | None = None  # when the learner's latest counted work arrived

    @property
    def due_at(self) -> datetime:
        return self.deadline.due_at

    @property
    def extended(self) -> bool:
        return self.deadline.extended

    @property
    def policy(self) -> str:
        return self.deadline.policy

    @property
    def percent(self) -> int:
        return self.deadline.percent

    @property
    def handed_in(self) -> bool:
        return self.latest_at is not None

    @property
    def days_late(self) -> int:
        """Started days the latest counted work came after the deadline (0: on time, or none)."""
        return days_late(self.latest_at, self.due_at) if self.latest_at is not None else 0

    @property
    def late(self) -> bool:
        return self.days_late > 0

    def overdue(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) > self.due_at


def _generosity(deadline: Deadline) -> tuple:
    """Later first; of equal dates, the milder policy (no penalty, a smaller percentage, zero)."""
    if deadline.policy == LatePolicy.NONE:
        mildness = (2, 0)
    elif deadline.policy == LatePolicy.PERCENT_PER_DAY:
        mildness = (1, -deadline.percent)
    else:
        mildness = (0, 0)
    return (deadline.due_at, *mildness)


def learner_deadlines(
    *, learner, exercises: Iterable[Exercise | int]
) -> dict[int, LearnerDeadline]:
    """The deadline of each of `exercises` that has one for `learner`, keyed by exercise id.

    One query whatever the number of exercises: each exercise with every class of the learner
    that has its course (the join teaching.limits makes), that class's settings and the
    learner's extension there, and when the learner last handed work in.
    """
    ids = [item if isinstance(item, int) else item.pk for item in exercises]
    if not ids or not getattr(learner, "is_authenticated", False):
        return {}
    settings = ClassroomExercise.objects.filter(
        classroom_id=OuterRef("classroom_id"), exercise_id=OuterRef("pk")
    )
    extension = Extension.objects.filter(
        classroom_id=OuterRef("classroom_id"), exercise_id=OuterRef("pk"), learner=learner
    ).values("due_at")[:1]
    latest_answer = (
        QuizAttempt.objects.filter(learner=learner, exercise_id=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    latest_submission = (
        Submission.objects.counted()
        .filter(learner=learner, exercise_id=OuterRef("pk"))
        .order_by("-received_at")
        .values("received_at")[:1]
    )
    rows = (
        Exercise.objects.filter(pk__in=ids, lesson__unit__course__classrooms__learners=learner)
        # The join the filter made: one row per (exercise, class of the learner with its course).
        .annotate(
            classroom_id=F("lesson__unit__course__classrooms"),
            class_due=Subquery(settings.values("due_at")[:1]),
            late_policy=Subquery(settings.values("late_policy")[:1]),
            late_percent=Subquery(settings.values("late_percent")[:1]),
            extended_to=Subquery(extension),
            latest_answer=Subquery(latest_answer),
            latest_submission=Subquery(latest_submission),
        )
        .values_list(
            "pk",
            "kind",
            "class_due",
            "late_policy",
            "late_percent",
            "extended_to",
            "latest_answer",
            "latest_submission",
        )
    )
    result: dict[int, LearnerDeadline] = {}
    for pk, kind, class_due, policy, percent, extended_to, answer_at, submission_at in rows:
        due_at = extended_to or class_due
        if due_at is None:
            continue
        candidate = LearnerDeadline(
            exercise_id=pk,
            deadline=Deadline(
                due_at=due_at,
                policy=policy or LatePolicy.NONE,
                percent=percent or 0,
                extended=extended_to is not None,
            ),
            class_due_at=class_due if extended_to is not None else None,
            latest_at=submission_at if kind == Exercise.Kind.NOTEBOOK else answer_at,
        )
        current = result.get(pk)
        if current is None or _generosity(candidate.deadline) > _generosity(current.deadline):
            result[pk] = candidate
    return result


def learner_deadline(*, learner, exercise: Exercise) -> LearnerDeadline | None:
    return learner_deadlines(learner=learner, exercises=[exercise]).get(exercise.pk)


def due_soon_candidates(*, learner, now: datetime, until: datetime):
    """Exercises the learner can open with a class date or an extension of theirs between
    `now` and `until`: the ones whose deadline may fall in that window (learner_deadlines
    decides, as a later date in another class or an extension can move it out)."""
    window = {"due_at__gte": now, "due_at__lte": until}
    in_class = ClassroomExercise.objects.filter(classroom__learners=learner, **window).values(
        "exercise_id"
    )
    extended = Extension.objects.filter(
        learner=learner, classroom__learners=learner, **window
    ).values("exercise_id")
    return (
        exercises_visible_to(learner)
        .filter(lesson__isnull=False)
        .filter(Q(pk__in=in_class) | Q(pk__in=extended))
        .defer(
            "spec",
            "source_notebook",
            "released_notebook",
            "source_notebook_zh",
            "released_notebook_zh",
            "lesson__body_en",
            "lesson__body_zh",
        )
    )


@dataclass(frozen=True)
class DueSoon:
    exercise: Exercise
    deadline: LearnerDeadline


def due_soon(
    *, learner, now: datetime | None = None, within: timedelta = DUE_SOON
) -> list[DueSoon]:
    """The learner's exercises due in the next `within` (a week) that are not done yet, the
    soonest first: a fixed number of queries (the candidates, their deadlines, the progress).

    Done as on the lesson page (courses.progress), and a notebook handed in but still waiting
    for its result is done too: the learner has nothing left to do for it.
    """
    if not getattr(learner, "is_authenticated", False):
        return []
    now = now or timezone.now()
    until = now + within
    exercises = list(due_soon_candidates(learner=learner, now=now, until=until))
    if not exercises:
        return []
    deadlines = learner_deadlines(learner=learner, exercises=exercises)
    progress = exercise_progress(learner=learner, exercises=exercises)
    items = []
    for exercise in exercises:
        deadline = deadlines.get(exercise.pk)
        if deadline is None or not now <= deadline.due_at <= until:
            continue
        if progress[exercise.pk].done or (exercise.is_notebook and deadline.handed_in):
            continue
        items.append(DueSoon(exercise, deadline))
    items.sort(key=lambda item: (item.deadline.due_at, item.exercise.pk))
    return items
