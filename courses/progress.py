"""Reads of a learner's progress: exercises done, scores, and what comes next.

An exercise is *done* when the learner answered a quiz fully right, or used all its attempts, or
has a notebook submission that was marked (graded or needs_review: a submission waiting for a
teacher's review still counts as handed in). Its score is the best one. Everything here costs a
fixed number of queries, whatever the number of exercises: attempts and submissions are
aggregated per exercise in the database, never fetched one exercise at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, Count, F, IntegerField, Max, OuterRef, Subquery, Value, When

from courses.models import Course, Exercise, Lesson, QuizAttempt, Unit
from graders.models import Submission
from teaching.limits import attempt_limits

# Notebook submissions that count as handed in and marked.
COUNTED_STATUSES = (Submission.Status.GRADED, Submission.Status.NEEDS_REVIEW)


@dataclass(frozen=True)
class ExerciseProgress:
    """What one learner has done on one exercise."""

    exercise_id: int
    is_notebook: bool
    max_score: float
    max_attempts: int | None
    attempts: int = 0  # quiz answers used, or notebook submissions marked
    best_score: float | None = None
    correct: bool = False  # a quiz answered fully right

    @property
    def started(self) -> bool:
        return self.attempts > 0

    @property
    def attempts_left(self) -> int | None:
        """Quiz answers the learner may still send; None means no limit."""
        if self.is_notebook or self.max_attempts is None:
            return None
        return max(0, self.max_attempts - self.attempts)

    @property
    def out_of_attempts(self) -> bool:
        return self.attempts_left == 0

    @property
    def done(self) -> bool:
        if self.is_notebook:
            return self.attempts > 0
        return self.correct or self.out_of_attempts


@dataclass
class Tally:
    """Exercises done out of a total, and the best scores summed; for a lesson or a course."""

    total: int = 0
    done: int = 0
    score: float = 0.0
    max_score: float = 0.0
    started: bool = False

    def add(self, progress: ExerciseProgress) -> None:
        self.total += 1
        self.done += progress.done
        self.score += progress.best_score or 0.0
        self.max_score += progress.max_score
        self.started = self.started or progress.started

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done == self.total


@dataclass
class CourseProgress(Tally):
    # The first exercise, in course order, that is not done yet (None when all are).
    next_exercise: Exercise | None = None
    lessons: dict[int, Tally] = field(default_factory=dict)


def _counted_submissions():
    # Real submissions only (checks are trial runs, never handed in), once marked.
    return Submission.objects.counted().filter(status__in=COUNTED_STATUSES)


def exercise_progress(*, learner, exercises: Iterable[Exercise]) -> dict[int, ExerciseProgress]:
    """Progress on each of `exercises`, keyed by exercise id: two queries in all, and one more
    for the learner's class attempt limits once they have answered a quiz among them."""
    exercises = list(exercises)
    ids = [exercise.pk for exercise in exercises]
    quiz_rows, notebook_rows = {}, {}
    if ids and getattr(learner, "is_authenticated", False):
        quiz_rows = {
            row["exercise_id"]: row
            for row in QuizAttempt.objects.filter(learner=learner, exercise_id__in=ids)
            .values("exercise_id")
            .annotate(
                # The attempt number, not a count: the service numbers attempts the same way.
                used=Max("attempt"),
                best=Max("score"),
                right=Max(
                    Case(When(correct=True, then=Value(1)), default=Value(0)),
                    output_field=IntegerField(),
                ),
            )
        }
        notebook_rows = {
            row["exercise_id"]: row
            for row in _counted_submissions()
            .filter(learner=learner, exercise_id__in=ids)
            .values("exercise_id")
            .annotate(used=Count("id"), best=Max("score"))
        }
    # The learner's classes may set their own limits; they matter once a quiz has attempts.
    answered = [exercise for exercise in exercises if exercise.pk in quiz_rows]
    limits = attempt_limits(learner=learner, exercises=answered) if answered else {}
    result = {}
    for exercise in exercises:
        row = (notebook_rows if exercise.is_notebook else quiz_rows).get(exercise.pk, {})
        result[exercise.pk] = ExerciseProgress(
            exercise_id=exercise.pk,
            is_notebook=exercise.is_notebook,
            max_score=exercise.max_score,
            max_attempts=limits.get(exercise.pk, exercise.max_attempts),
            attempts=row.get("used") or 0,
            best_score=row.get("best"),
            correct=bool(row.get("right")),
        )
    return result


def _course_exercises(course_ids: Iterable[int]):
    """Published exercises of the courses, in course order, with their course and lesson."""
    return (
        Exercise.objects.filter(lesson__unit__course_id__in=list(course_ids), is_published=True)
        .annotate(course_pk=F("lesson__unit__course_id"))
        .only("id", "title", "title_zh", "kind", "max_score", "max_attempts", "lesson_id")
        .order_by(
            "lesson__unit__course_id",
            "lesson__unit__position",
            "lesson__position",
            "position",
            "id",
        )
    )


def course_progress(*, learner, courses: Iterable[Course]) -> dict[int, CourseProgress]:
    """Progress in each course, keyed by course id: four queries for any number of courses
    (three before the learner has answered any quiz).

    Counts published exercises only: the ones learners see.
    """
    course_ids = [course.pk for course in courses]
    result = {course_id: CourseProgress() for course_id in course_ids}
    if not course_ids:
        return result
    exercises = list(_course_exercises(course_ids))
    progress = exercise_progress(learner=learner, exercises=exercises)
    for exercise in exercises:
        course = result[exercise.course_pk]
        done = progress[exercise.pk]
        course.add(done)
        course.lessons.setdefault(exercise.lesson_id, Tally()).add(done)
        if course.next_exercise is None and not done.done:
            course.next_exercise = exercise
    return result


@dataclass
class LessonOutline:
    lesson: Lesson
    tally: Tally


@dataclass
class UnitOutline:
    unit: Unit
    lessons: list[LessonOutline]


def course_outline(*, course: Course, learner) -> tuple[list[UnitOutline], CourseProgress]:
    """A course's units and lessons in order, each lesson with the learner's tally, and the
    course's overall progress."""
    progress = course_progress(learner=learner, courses=[course])[course.pk]
    lessons_by_unit: dict[int, list[LessonOutline]] = {}
    for lesson in Lesson.objects.filter(unit__course=course).order_by("position", "id"):
        tally = progress.lessons.get(lesson.pk, Tally())
        lessons_by_unit.setdefault(lesson.unit_id, []).append(LessonOutline(lesson, tally))
    units = [
        UnitOutline(unit, lessons_by_unit.get(unit.pk, []))
        for unit in Unit.objects.filter(course=course).order_by("position", "id")
    ]
    return units, progress


def latest_quiz_attempts(*, learner, exercise_ids: Iterable[int]) -> dict[int, QuizAttempt]:
    """Each exercise's most recent attempt by the learner: two queries."""
    exercise_ids = list(exercise_ids)
    if not exercise_ids or not getattr(learner, "is_authenticated", False):
        return {}
    latest = QuizAttempt.objects.filter(learner=learner, exercise_id=OuterRef("pk")).order_by(
        "-attempt"
    )
    attempt_ids = (
        Exercise.objects.filter(pk__in=exercise_ids)
        .annotate(latest=Subquery(latest.values("pk")[:1]))
        .exclude(latest=None)
        .values_list("latest", flat=True)
    )
    return {
        attempt.exercise_id: attempt
        for attempt in QuizAttempt.objects.filter(pk__in=list(attempt_ids))
    }


def best_submissions(*, learner, exercise_ids: Iterable[int]) -> dict[int, Submission]:
    """Each notebook exercise's best marked submission by the learner (the newest of equal
    scores), without the notebook bytes: two queries."""
    exercise_ids = list(exercise_ids)
    if not exercise_ids or not getattr(learner, "is_authenticated", False):
        return {}
    best = (
        _counted_submissions()
        .filter(learner=learner, exercise_id=OuterRef("pk"))
        .order_by(F("score").desc(nulls_last=True), "-received_at", "-id")
    )
    submission_ids = (
        Exercise.objects.filter(pk__in=exercise_ids)
        .annotate(best=Subquery(best.values("pk")[:1]))
        .exclude(best=None)
        .values_list("best", flat=True)
    )
    return {
        submission.exercise_id: submission
        for submission in Submission.objects.filter(pk__in=list(submission_ids)).defer("content")
    }


@dataclass(frozen=True)
class Result:
    """One marked piece of work, for the dashboard's list of recent results."""

    exercise: Exercise
    when: datetime
    is_notebook: bool
    score: float | None
    max_score: float | None
    correct: bool
    status: str  # a Submission.Status for notebooks, "" for quizzes


def recent_results(*, learner, limit: int = 10) -> list[Result]:
    """The learner's latest quiz answers and marked notebook submissions, newest first."""
    if not getattr(learner, "is_authenticated", False):
        return []
    attempts = (
        QuizAttempt.objects.filter(learner=learner)
        .select_related("exercise__lesson__unit__course")
        .order_by("-created_at", "-id")[:limit]
    )
    submissions = (
        _counted_submissions()
        .filter(learner=learner)
        .select_related("exercise__lesson__unit__course")
        .defer(
            "content",
            "exercise__source_notebook",
            "exercise__released_notebook",
            "exercise__source_notebook_zh",
            "exercise__released_notebook_zh",
        )
        .order_by("-received_at", "-id")[:limit]
    )
    results = [
        Result(a.exercise, a.created_at, False, a.score, a.max_score, a.correct, "")
        for a in attempts
    ] + [
        Result(
            s.exercise,
            s.finished_at or s.received_at,
            True,
            s.score,
            s.max_score,
            s.max_score is not None and s.score == s.max_score,
            s.status,
        )
        for s in submissions
    ]
    results.sort(key=lambda result: result.when, reverse=True)
    return results[:limit]
