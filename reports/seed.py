"""Generated learners and their history, for load tests (`manage.py seed_load`) and the demo
dashboard (`manage.py loaddemo`).

Deterministic: the same arguments give the same rows (one random.Random(seed), fixed names,
times counted from a fixed end date). Bounded: the sizes are checked against hard limits before
anything is written, and everything is written in batches inside one transaction, so a failed
run leaves nothing half-stored.

The history is plausible rather than uniform, so every report has a shape to show: learners differ
in ability and persistence, exercises in difficulty (a few are much harder), quizzes are retried
until right or out of attempts, notebooks are resubmitted, most submissions are graded, a few
need review or fail, and some learners stop half-way (stalled).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.db import transaction

from accounts.models import Classroom, School, User
from courses.models import AgeBand, Course, Exercise, Lesson, QuizAttempt, Unit
from graders.models import Submission

MAX_LEARNERS = 1_000_000
MAX_SUBMISSIONS = 20_000_000
# A learner's answers: the generator must always be able to spend a learner's share.
MAX_PER_LEARNER = 500
BATCH = 5_000
LOAD_PREFIX = "load-"
WORKERS = ("grader-1@load", "grader-2@load", "grader-3@load")
CLASS_SIZE = 25
CLASSES_PER_SCHOOL = 20
# Join codes of generated classes: 7 characters, so never equal to a real (6-character) code.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


# Django's mark of an account that cannot sign in: generated learners are data, not logins.
UNUSABLE_PASSWORD = "!"  # noqa: S105


class SeedTooLarge(ValueError):
    pass


@dataclass
class SeedPlan:
    learners: int
    submissions: int  # answers in all: quiz answers and notebook submissions
    seed: int = 1
    days: int = 180
    until: datetime | None = None  # the end of the history (default: today, midnight UTC)
    prefix: str = LOAD_PREFIX

    def check(self) -> None:
        if self.learners < 1 or self.submissions < 0 or self.days < 1:
            raise SeedTooLarge("learners must be at least 1, submissions and days positive")
        if self.learners > MAX_LEARNERS:
            raise SeedTooLarge(f"at most {MAX_LEARNERS} learners")
        if self.submissions > MAX_SUBMISSIONS:
            raise SeedTooLarge(f"at most {MAX_SUBMISSIONS} submissions")
        if self.submissions > self.learners * MAX_PER_LEARNER:
            raise SeedTooLarge(f"at most {MAX_PER_LEARNER} submissions per learner")


@dataclass
class SeedResult:
    learners: int = 0
    classes: int = 0
    schools: int = 0
    quiz_answers: int = 0
    submissions: int = 0


def _code(number: int) -> str:
    letters = []
    for _ in range(6):
        number, digit = divmod(number, len(_CODE_ALPHABET))
        letters.append(_CODE_ALPHABET[digit])
    return "L" + "".join(reversed(letters))


def _bulk(model, objects: list, result: list | None = None) -> list:
    created = model.objects.bulk_create(objects, batch_size=BATCH)
    if result is not None:
        result.extend(created)
    return created


def load_courses(owner: User, prefix: str) -> list[Course]:
    """One generated course per age band: 3 units of 2 lessons; each lesson 3 true-or-false
    quizzes (2 attempts for the first, unlimited after) and, in a unit's second lesson, a
    notebook (10 points). Titles in both languages."""
    courses = []
    for band_number, band in enumerate(AgeBand):
        course = Course.objects.create(
            owner=owner,
            slug=f"{prefix}course-{band.value}",
            title_en=f"Load course {band_number + 1} ({band.value})",
            title_zh=f"负载课程 {band_number + 1} ({band.value})",
            age_band=band.value,
            is_published=True,
        )
        exercises = []
        for unit_position in (1, 2, 3):
            unit = Unit.objects.create(
                course=course,
                position=unit_position,
                title_en=f"Unit {unit_position}",
                title_zh=f"第 {unit_position} 单元",
            )
            for lesson_position in (1, 2):
                lesson = Lesson.objects.create(
                    unit=unit,
                    position=lesson_position,
                    title_en=f"Lesson {lesson_position}",
                    title_zh=f"第 {lesson_position} 课",
                )
                for position in (1, 2, 3):
                    exercises.append(
                        Exercise(
                            owner=owner,
                            title=f"Quiz {unit_position}.{lesson_position}.{position}",
                            title_zh=f"测验 {unit_position}.{lesson_position}.{position}",
                            kind=Exercise.Kind.TRUE_FALSE,
                            spec={"correct": True},
                            lesson=lesson,
                            position=position,
                            max_score=1.0,
                            max_attempts=2 if position == 1 else None,
                            is_published=True,
                        )
                    )
                if lesson_position == 2:
                    exercises.append(
                        Exercise(
                            owner=owner,
                            title=f"Notebook {unit_position}",
                            title_zh=f"笔记本 {unit_position}",
                            kind=Exercise.Kind.NOTEBOOK,
                            lesson=lesson,
                            position=4,
                            max_score=10.0,
                            is_published=True,
                        )
                    )
        Exercise.objects.bulk_create(exercises)
        courses.append(course)
    return courses


def course_exercises(course: Course) -> list[Exercise]:
    return list(
        Exercise.objects.filter(lesson__unit__course=course, is_published=True).order_by(
            "lesson__unit__position", "lesson__position", "position", "id"
        )
    )


def _shares(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` split into `parts` uneven non-negative integers that add up exactly."""
    weights = [rng.uniform(0.2, 1.8) for _ in range(parts)]
    scale = total / sum(weights)
    shares = [int(weight * scale) for weight in weights]
    for index in range(total - sum(shares)):
        shares[index % parts] += 1
    return shares


def history(
    *,
    rng: random.Random,
    learners: list[User],
    course_of: Callable[[int], tuple[Course, list[Exercise]]],
    answers: int,
    start: datetime,
    end: datetime,
    on_quiz: Callable[[QuizAttempt], None],
    on_submission: Callable[[Submission], None],
    content: Callable[[Exercise], bytes] = lambda _exercise: b"{}",
) -> None:
    """Generate exactly `answers` quiz answers and submissions among `learners`, each working
    through the exercises of their course in order, at times between start and end."""
    span = (end - start).total_seconds()
    difficulty: dict[int, float] = {}
    for learner, budget in zip(learners, _shares(rng, answers, len(learners)), strict=True):
        if not budget:
            continue
        _course, exercises = course_of(learner.pk)
        ability = rng.uniform(0.35, 0.95)
        # Learners start over the window's first two thirds and work on a few dozen days.
        moment = start + timedelta(seconds=rng.uniform(0, span * 2 / 3))
        index, attempts = 0, {}
        while budget:
            exercise = exercises[index % len(exercises)]
            if exercise.pk not in difficulty:
                # One exercise in eight is much harder than the rest.
                hard = rng.random() < 0.125
                difficulty[exercise.pk] = rng.uniform(0.2, 0.45) if hard else rng.uniform(0.7, 1)
            chance = ability * difficulty[exercise.pk]
            moment = min(end - timedelta(seconds=60), moment + _pause(rng))
            attempt = attempts.get(exercise.pk, 0) + 1
            attempts[exercise.pk] = attempt
            budget -= 1
            if exercise.is_notebook:
                score = round(10 * min(1.0, chance + rng.uniform(-0.2, 0.3)), 1)
                score = max(0.0, score)
                roll = rng.random()
                status = (
                    Submission.Status.FAILED
                    if roll < 0.02
                    else Submission.Status.NEEDS_REVIEW
                    if roll < 0.06
                    else Submission.Status.GRADED
                )
                latency = rng.lognormvariate(1.6, 0.6)
                on_submission(
                    Submission(
                        learner_id=learner.pk,
                        exercise_id=exercise.pk,
                        attempt=attempt,
                        content=(body := content(exercise)),
                        sha256=hashlib.sha256(body).hexdigest(),
                        size=len(body),
                        status=status,
                        score=0.0 if status == Submission.Status.FAILED else score,
                        max_score=exercise.max_score,
                        received_at=moment,
                        queued_at=moment,
                        started_at=moment + timedelta(seconds=latency * 0.3),
                        finished_at=moment + timedelta(seconds=latency),
                        worker=WORKERS[rng.randrange(len(WORKERS))],
                    )
                )
                done = status != Submission.Status.FAILED and (score >= 6 or attempt >= 3)
            else:
                right = rng.random() < chance
                on_quiz(
                    QuizAttempt(
                        learner_id=learner.pk,
                        exercise_id=exercise.pk,
                        attempt=attempt,
                        answer=right,
                        correct=right,
                        score=exercise.max_score if right else 0.0,
                        max_score=exercise.max_score,
                        created_at=moment,
                    )
                )
                limit = exercise.max_attempts
                # Some give up on a quiz after a few wrong answers and move on.
                done = right or (limit is not None and attempt >= limit) or attempt >= 4
            if done:
                index += 1


def _pause(rng: random.Random) -> timedelta:
    """Time to the next answer: mostly minutes within a sitting, sometimes days."""
    roll = rng.random()
    if roll < 0.75:
        return timedelta(seconds=rng.uniform(20, 600))
    if roll < 0.97:
        return timedelta(days=rng.uniform(0.5, 4))
    return timedelta(days=rng.uniform(10, 40))


class _Writer:
    """Collects generated rows and writes them in batches."""

    def __init__(self):
        self.quiz: list[QuizAttempt] = []
        self.submissions: list[Submission] = []
        self.result = SeedResult()

    def add_quiz(self, attempt: QuizAttempt) -> None:
        self.quiz.append(attempt)
        if len(self.quiz) >= BATCH:
            self.flush()

    def add_submission(self, submission: Submission) -> None:
        self.submissions.append(submission)
        if len(self.submissions) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.quiz:
            QuizAttempt.objects.bulk_create(self.quiz, batch_size=BATCH)
            self.result.quiz_answers += len(self.quiz)
            self.quiz = []
        if self.submissions:
            Submission.objects.bulk_create(self.submissions, batch_size=BATCH)
            self.result.submissions += len(self.submissions)
            self.submissions = []


@contextmanager
def generated_times():
    """Let bulk_create keep the generated answer times: auto_now_add fields would otherwise be
    stamped with the time of the insert. Only for this process, only while seeding."""
    fields = [QuizAttempt._meta.get_field("created_at"), Submission._meta.get_field("received_at")]
    for field in fields:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field in fields:
            field.auto_now_add = True


def default_until() -> datetime:
    return datetime.combine(datetime.now(UTC).date(), time.min, tzinfo=UTC)


@transaction.atomic
def seed_load(plan: SeedPlan, *, progress: Callable[[str], None] = lambda _message: None):
    """Schools, classes, teachers, learners, five courses and `plan.submissions` answers."""
    plan.check()
    rng = random.Random(plan.seed)  # noqa: S311 (reproducible data, not secrets)
    prefix = plan.prefix
    until = plan.until or default_until()
    start = until - timedelta(days=plan.days)
    owner = User.objects.create(
        username=f"{prefix}teacher-0", role=User.Role.TEACHER, password=UNUSABLE_PASSWORD
    )
    courses = load_courses(owner, prefix)
    exercises = {course.pk: course_exercises(course) for course in courses}
    classes_count = max(1, -(-plan.learners // CLASS_SIZE))
    schools_count = max(1, -(-classes_count // CLASSES_PER_SCHOOL))
    schools = _bulk(
        School,
        [School(name=f"{prefix}school-{number:05d}") for number in range(schools_count)],
    )
    teachers = _bulk(
        User,
        [
            User(
                username=f"{prefix}teacher-{number + 1:05d}",
                role=User.Role.TEACHER,
                password=UNUSABLE_PASSWORD,
            )
            for number in range(-(-classes_count // 5))
        ],
    )
    classrooms = _bulk(
        Classroom,
        [
            Classroom(
                name=f"Class {number % CLASSES_PER_SCHOOL + 1}",
                join_code=_code(number),
                teacher=teachers[number // 5],
                school=schools[number // CLASSES_PER_SCHOOL],
            )
            for number in range(classes_count)
        ],
    )
    # Each class takes one course, so its learners share an age band.
    class_course = [courses[rng.randrange(len(courses))] for _ in classrooms]
    Classroom.courses.through.objects.bulk_create(
        [
            Classroom.courses.through(classroom_id=classroom.pk, course_id=course.pk)
            for classroom, course in zip(classrooms, class_course, strict=True)
        ],
        batch_size=BATCH,
    )
    progress(f"{schools_count} schools, {classes_count} classes")
    span = (until - start).total_seconds()
    learners = _bulk(
        User,
        [
            User(
                username=f"{prefix}learner-{number:07d}",
                first_name=f"Learner {number}",
                role=User.Role.STUDENT,
                password=UNUSABLE_PASSWORD,
                date_joined=start + timedelta(seconds=rng.uniform(0, span * 2 / 3)),
            )
            for number in range(plan.learners)
        ],
    )
    Classroom.learners.through.objects.bulk_create(
        [
            Classroom.learners.through(
                classroom_id=classrooms[number // CLASS_SIZE].pk, user_id=learner.pk
            )
            for number, learner in enumerate(learners)
        ],
        batch_size=BATCH,
    )
    progress(f"{plan.learners} learners")
    number_of = {learner.pk: number for number, learner in enumerate(learners)}
    writer = _Writer()

    def course_of(learner_id: int):
        course = class_course[number_of[learner_id] // CLASS_SIZE]
        return course, exercises[course.pk]

    with generated_times():
        history(
            rng=rng,
            learners=learners,
            course_of=course_of,
            answers=plan.submissions,
            start=start,
            end=until,
            on_quiz=writer.add_quiz,
            on_submission=writer.add_submission,
        )
        writer.flush()
    result = writer.result
    result.learners, result.classes, result.schools = plan.learners, classes_count, schools_count
    progress(f"{result.quiz_answers} quiz answers, {result.submissions} submissions")
    return result
