"""The gradebook of a class: learners by exercises, each cell the score that counts and a status.

Scores are computed here, never stored: a notebook submission's score with the teacher's marks
(teaching/marking.py), then lateness against the learner's deadline (teaching/policy.py). The
cell counts the attempt with the best score after penalties. Everything costs a fixed number of
queries whatever the size of the class: attempts, submissions, marks, deadlines and extensions
are fetched once each for the whole grid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Classroom, User
from courses.models import Course, Exercise, QuizAttempt
from graders.models import Submission
from teaching.marking import MarkValue, marked_score, review_pending
from teaching.models import ClassroomExercise, Extension, Mark
from teaching.policy import Deadline, Effective, best, effective_score
from teaching.selectors import class_courses, class_exercises

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
GRADED = "graded"
NEEDS_REVIEW = "needs_review"
LATE = "late"
EXTENSION = "extension"

STATUS_LABELS = {
    NOT_STARTED: _("Not started"),
    IN_PROGRESS: _("In progress"),
    GRADED: _("Graded"),
    NEEDS_REVIEW: _("Needs review"),
    LATE: _("Late"),
    EXTENSION: _("Extension"),
}
# Notebook submissions whose score counts (as in courses/progress.py); a failed one counts
# only once a teacher has marked it.
SCORED = (Submission.Status.GRADED, Submission.Status.NEEDS_REVIEW)


@dataclass
class Attempt:
    """One quiz answer or notebook submission, with its score as it counts for the class."""

    exercise_id: int
    learner_id: int
    number: int
    when: datetime
    is_notebook: bool
    status: str  # the submission's status; "graded" for a quiz answer
    auto_score: float | None  # as marked automatically
    score: float | None  # with the teacher's marks
    max_score: float
    effective: Effective
    submission_id: int | None = None
    correct: bool = False
    marked: bool = False
    review_pending: bool = False

    @property
    def regrading(self) -> bool:
        """Back in the queue for a regrade: only then does a waiting submission keep a score
        (graders.services.submission_requeue_for_regrade leaves the old result until the new
        one lands), and it counts with that score meanwhile."""
        return (
            self.is_notebook and self.status in Submission.IN_FLIGHT and self.auto_score is not None
        )

    @property
    def scored(self) -> bool:
        if not self.is_notebook:
            return True
        return self.status in SCORED or self.marked or self.regrading

    @property
    def late(self) -> bool:
        return self.effective.late

    @property
    def status_label(self) -> str:
        if not self.is_notebook:
            return str(_("Right")) if self.correct else str(_("Answered"))
        if self.status == Submission.Status.NEEDS_REVIEW and not self.review_pending:
            return str(_("Marked"))
        if self.regrading:
            return str(_("Being regraded"))
        return str(Submission.Status(self.status).label)


@dataclass
class Cell:
    exercise: Exercise
    status: str
    attempts: list[Attempt]
    counted: Attempt | None
    deadline: Deadline | None
    extension: datetime | None

    @property
    def effective(self) -> Effective | None:
        return self.counted.effective if self.counted is not None else None

    @property
    def late(self) -> bool:
        return self.counted is not None and self.counted.late

    @property
    def regrading(self) -> bool:
        return any(attempt.regrading for attempt in self.attempts)

    def matches(self, status: str) -> bool:
        if status == LATE:
            return self.late
        if status == EXTENSION:
            return self.extension is not None
        return self.status == status

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass
class Row:
    learner: User
    cells: list[Cell]

    @property
    def total(self) -> float:
        return round(sum(cell.effective.score or 0 for cell in self.cells if cell.effective), 4)


@dataclass
class Gradebook:
    classroom: Classroom
    courses: list[Course]
    exercises: list[Exercise]  # the columns shown
    rows: list[Row]
    settings: dict[int, ClassroomExercise] = field(default_factory=dict)

    @property
    def max_total(self) -> float:
        return sum(exercise.max_score for exercise in self.exercises)

    @property
    def columns(self) -> list[dict]:
        return [
            {
                "exercise": exercise,
                "title": exercise.localized("title"),
                "settings": self.settings.get(exercise.pk),
            }
            for exercise in self.exercises
        ]


# --- building blocks, shared with the history, submission and export pages ----------------------


@dataclass
class Deadlines:
    settings: dict[int, ClassroomExercise]
    extensions: dict[tuple[int, int], Extension]

    def extension(self, learner_id: int, exercise_id: int) -> datetime | None:
        extension = self.extensions.get((learner_id, exercise_id))
        return extension.due_at if extension is not None else None

    def deadline(self, learner_id: int, exercise_id: int) -> Deadline | None:
        """The learner's deadline for the exercise: their extension, else the class's."""
        settings = self.settings.get(exercise_id)
        extended = self.extension(learner_id, exercise_id)
        due_at = extended or (settings.due_at if settings is not None else None)
        if due_at is None:
            return None
        return Deadline(
            due_at=due_at,
            policy=settings.late_policy if settings is not None else "none",
            percent=settings.late_percent if settings is not None else 0,
            extended=extended is not None,
        )

    def limit(self, exercise: Exercise) -> int | None:
        """The attempt limit for learners of this class."""
        settings = self.settings.get(exercise.pk)
        if settings is not None and settings.max_attempts is not None:
            return settings.max_attempts
        return exercise.max_attempts


def class_deadlines(
    classroom: Classroom, exercise_ids: Iterable[int], learner_ids: Iterable[int] | None = None
) -> Deadlines:
    """The class's settings and extensions for these exercises: two queries."""
    exercise_ids = list(exercise_ids)
    settings = {
        row.exercise_id: row
        for row in ClassroomExercise.objects.filter(
            classroom=classroom, exercise_id__in=exercise_ids
        )
    }
    extensions = Extension.objects.filter(classroom=classroom, exercise_id__in=exercise_ids)
    if learner_ids is not None:
        extensions = extensions.filter(learner_id__in=list(learner_ids))
    return Deadlines(
        settings=settings,
        extensions={(row.learner_id, row.exercise_id): row for row in extensions},
    )


def class_attempts(
    *, learner_ids: Iterable[int], exercises: Iterable[Exercise], deadlines: Deadlines
) -> dict[tuple[int, int], list[Attempt]]:
    """Every attempt of these learners at these exercises, oldest first, keyed by
    (learner id, exercise id): four queries (quiz answers, submissions, marks, the stored
    results of the submissions marks or reviews need)."""
    learner_ids = list(learner_ids)
    exercises = {exercise.pk: exercise for exercise in exercises}
    quiz_ids = [pk for pk, exercise in exercises.items() if not exercise.is_notebook]
    notebook_ids = [pk for pk, exercise in exercises.items() if exercise.is_notebook]
    result: dict[tuple[int, int], list[Attempt]] = {}
    if not learner_ids or not exercises:
        return result

    def add(attempt: Attempt) -> None:
        result.setdefault((attempt.learner_id, attempt.exercise_id), []).append(attempt)

    if quiz_ids:
        for row in (
            QuizAttempt.objects.filter(learner_id__in=learner_ids, exercise_id__in=quiz_ids)
            .order_by("attempt", "id")
            .values(
                "learner_id", "exercise_id", "attempt", "score", "max_score", "correct",
                "created_at",
            )
        ):  # fmt: skip
            deadline = deadlines.deadline(row["learner_id"], row["exercise_id"])
            add(
                Attempt(
                    exercise_id=row["exercise_id"],
                    learner_id=row["learner_id"],
                    number=row["attempt"],
                    when=row["created_at"],
                    is_notebook=False,
                    status=GRADED,
                    auto_score=row["score"],
                    score=row["score"],
                    max_score=row["max_score"],
                    effective=effective_score(
                        score=row["score"],
                        max_score=row["max_score"],
                        submitted_at=row["created_at"],
                        deadline=deadline,
                    ),
                    correct=row["correct"],
                )
            )
    if notebook_ids:
        submissions = Submission.objects.counted().filter(
            learner_id__in=learner_ids, exercise_id__in=notebook_ids
        )
        rows = list(
            submissions.order_by("attempt", "id").values(
                "id", "learner_id", "exercise_id", "attempt", "status", "score", "max_score",
                "received_at", "review_reasons",
            )
        )  # fmt: skip
        marks: dict[int, list[MarkValue]] = {}
        for submission_id, grade_id, score in Mark.objects.filter(
            submission__in=submissions.values("pk")
        ).values_list("submission_id", "grade_id", "score"):
            marks.setdefault(submission_id, []).append(MarkValue(grade_id, score))
        # The per-test results only where marks or a review need them: they are the big part.
        need_tests = [
            row["id"]
            for row in rows
            if row["id"] in marks or row["status"] == Submission.Status.NEEDS_REVIEW
        ]
        tests = dict(
            Submission.objects.filter(pk__in=need_tests).values_list("id", "tests")
            if need_tests
            else []
        )
        for row in rows:
            exercise = exercises[row["exercise_id"]]
            max_score = row["max_score"] if row["max_score"] is not None else exercise.max_score
            own_marks = marks.get(row["id"], [])
            row_tests = tests.get(row["id"]) or []
            score = marked_score(
                score=row["score"], max_score=max_score, tests=row_tests, marks=own_marks
            )
            add(
                Attempt(
                    exercise_id=row["exercise_id"],
                    learner_id=row["learner_id"],
                    number=row["attempt"],
                    when=row["received_at"],
                    is_notebook=True,
                    status=row["status"],
                    auto_score=row["score"],
                    score=score,
                    max_score=max_score,
                    effective=effective_score(
                        score=score,
                        max_score=max_score,
                        submitted_at=row["received_at"],
                        deadline=deadlines.deadline(row["learner_id"], row["exercise_id"]),
                    ),
                    submission_id=row["id"],
                    marked=bool(own_marks),
                    review_pending=review_pending(
                        status=row["status"],
                        tests=row_tests,
                        review_reasons=row["review_reasons"] or [],
                        marks=own_marks,
                    ),
                )
            )
    return result


def make_cell(
    exercise: Exercise, attempts: list[Attempt], deadlines: Deadlines, learner_id: int
) -> Cell:
    scored = [attempt for attempt in attempts if attempt.scored]
    counted = None
    if scored:
        top = best([attempt.effective for attempt in scored])
        counted = next(attempt for attempt in reversed(scored) if attempt.effective is top)
    if not attempts:
        status = NOT_STARTED
    elif exercise.is_notebook:
        if not scored:
            status = IN_PROGRESS  # waiting to be graded, or grading failed
        elif scored[-1].review_pending:
            status = NEEDS_REVIEW
        else:
            status = GRADED
    else:
        limit = deadlines.limit(exercise)
        finished = any(attempt.correct for attempt in attempts) or (
            limit is not None and max(attempt.number for attempt in attempts) >= limit
        )
        status = GRADED if finished else IN_PROGRESS
    return Cell(
        exercise=exercise,
        status=status,
        attempts=attempts,
        counted=counted,
        deadline=deadlines.deadline(learner_id, exercise.pk),
        extension=deadlines.extension(learner_id, exercise.pk),
    )


# --- the gradebook -------------------------------------------------------------------------------


def learners_matching(classroom: Classroom, query: str = ""):
    learners = classroom.learners.order_by("first_name", "last_name", "username")
    query = (query or "").strip()
    if query:
        learners = learners.filter(
            Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(username__icontains=query)
        )
    return learners.only("id", "username", "first_name", "last_name", "email")


def gradebook(
    classroom: Classroom,
    *,
    course_id: int | None = None,
    exercise_id: int | None = None,
    status: str | None = None,
    learner_query: str = "",
) -> Gradebook:
    """The class's grid, filtered: columns by course or exercise, rows by the learner's name and
    by a status one of their shown cells has (STATUS_LABELS)."""
    courses = list(class_courses(classroom))
    exercises = class_exercises(classroom)
    if course_id is not None:
        exercises = exercises.filter(lesson__unit__course_id=course_id)
    if exercise_id is not None:
        exercises = exercises.filter(pk=exercise_id)
    exercises = list(exercises)
    learners = list(learners_matching(classroom, learner_query))
    learner_ids = [learner.pk for learner in learners]
    deadlines = class_deadlines(classroom, [exercise.pk for exercise in exercises], learner_ids)
    attempts = class_attempts(learner_ids=learner_ids, exercises=exercises, deadlines=deadlines)
    rows = []
    for learner in learners:
        cells = [
            make_cell(exercise, attempts.get((learner.pk, exercise.pk), []), deadlines, learner.pk)
            for exercise in exercises
        ]
        if status and not any(cell.matches(status) for cell in cells):
            continue
        rows.append(Row(learner, cells))
    return Gradebook(
        classroom=classroom,
        courses=courses,
        exercises=exercises,
        rows=rows,
        settings=deadlines.settings,
    )


def learner_history(classroom: Classroom, learner: User) -> list[tuple[Exercise, Attempt]]:
    """All of a learner's attempts at the class's exercises, newest first."""
    exercises = list(class_exercises(classroom))
    by_id = {exercise.pk: exercise for exercise in exercises}
    deadlines = class_deadlines(classroom, list(by_id), [learner.pk])
    attempts = class_attempts(learner_ids=[learner.pk], exercises=exercises, deadlines=deadlines)
    history = [
        (by_id[exercise_id], attempt)
        for (_learner, exercise_id), items in attempts.items()
        for attempt in items
    ]
    history.sort(key=lambda pair: pair[1].when, reverse=True)
    return history


def submission_attempt(classroom: Classroom, submission: Submission) -> Attempt:
    """One submission's attempt as the class counts it (marks and lateness applied)."""
    exercise = submission.exercise
    deadlines = class_deadlines(classroom, [exercise.pk], [submission.learner_id])
    attempts = class_attempts(
        learner_ids=[submission.learner_id], exercises=[exercise], deadlines=deadlines
    )
    return next(
        attempt
        for attempt in attempts.get((submission.learner_id, exercise.pk), [])
        if attempt.submission_id == submission.pk
    )
