"""A small school world whose report figures are worked out by hand in test_numbers.py.

Two schools (Alpha: classes A1 with a1, a2, a3 and A2 with a1 again; Beta: class B1 with b1, b2),
a learner of no class (x), two courses:

- Robots (ages 9-11): unit 1 (lesson 1: true-or-false quiz Q1, 1 point, 2 attempts; quiz Q2, 2 points,
  unlimited), unit 2 (lesson 2: notebook N1, 10 points; quiz Q3, unpublished: never counted).
- Data (ages 12-14): unit 1 (lesson 1: quiz Q4, 1 point, unlimited).

Work, all in March 2026 (UTC), learners signed up on 20 February:

    a3  Q1 wrong (1 Mar)
    a1  Q1 right, Q2 wrong (2 Mar); Q2 right, N1 graded 8/10 by w1 in 10 s (3 Mar)
    a2  Q1 wrong, Q1 wrong (out of attempts), Q2 right (2 Mar)
    b1  Q1 right, N1 failed by w2 in 30 s, N1 needs review 10/10 by w1 in 20 s, Q4 right (4 Mar)
    b2  Q4 wrong (5 Mar), Q4 wrong (6 Mar)
    x   Q1 right (5 Mar)
    the teacher answers Q1 (not a learner: never counted); a2 has a N1 submission still queued.

Other report tests may use `report_world` too; it rebuilds the summary tables once the work is in.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from accounts.models import Classroom, School, User
from courses.models import Course, Exercise, Lesson, QuizAttempt, Unit
from graders.models import Submission
from reports import stats
from tests import factories


def at(day: int, hour: int = 10, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, 0, second, tzinfo=UTC)


def _quiz(lesson, title, position, max_score, max_attempts=None, published=True):
    return Exercise.objects.create(
        owner=lesson.unit.course.owner,
        title=title,
        kind=Exercise.Kind.TRUE_FALSE,
        spec={"correct": True},
        lesson=lesson,
        position=position,
        max_score=max_score,
        max_attempts=max_attempts,
        is_published=published,
    )


def answer(learner, exercise, attempt, *, right, when):
    score = exercise.max_score if right else 0.0
    created = QuizAttempt.objects.create(
        learner=learner,
        exercise=exercise,
        attempt=attempt,
        answer={},
        correct=right,
        score=score,
        max_score=exercise.max_score,
    )
    QuizAttempt.objects.filter(pk=created.pk).update(created_at=when)
    return created


def hand_in(learner, exercise, attempt, *, status, when, seconds=None, score=None, worker=""):
    submission = Submission.objects.create(
        learner=learner,
        exercise=exercise,
        attempt=attempt,
        content=b"{}",
        sha256="0" * 64,
        size=2,
        status=status,
        score=score,
        max_score=exercise.max_score if score is not None else None,
        worker=worker,
    )
    finished = when + timedelta(seconds=seconds) if seconds is not None else None
    Submission.objects.filter(pk=submission.pk).update(
        received_at=when, queued_at=when, finished_at=finished
    )
    return submission


@pytest.fixture
def report_world(db, teacher, settings):
    settings.REPORTS_MIN_GROUP_SIZE = 1
    alpha = School.objects.create(name="Alpha School")
    beta = School.objects.create(name="Beta School")
    joined = datetime(2026, 2, 20, 9, 0, tzinfo=UTC)
    people = {}
    for name in ("a1", "a2", "a3", "b1", "b2", "x"):
        people[name] = factories.make_student(name)
        people[name].first_name, people[name].last_name = name.upper(), "Learner"
        people[name].save()
    User.objects.filter(pk__in=[user.pk for user in people.values()]).update(date_joined=joined)
    a1, a2, a3, b1, b2, x = (people[name] for name in ("a1", "a2", "a3", "b1", "b2", "x"))
    class_a1 = Classroom.objects.create(name="A1", teacher=teacher, school=alpha)
    class_a1.learners.add(a1, a2, a3)
    class_a2 = Classroom.objects.create(name="A2", teacher=teacher, school=alpha)
    class_a2.learners.add(a1)
    class_b1 = Classroom.objects.create(name="B1", teacher=teacher, school=beta)
    class_b1.learners.add(b1, b2)

    robots = Course.objects.create(
        owner=teacher, slug="robots", title_en="Robots", title_zh="机器人", age_band="9-11"
    )
    data = Course.objects.create(
        owner=teacher, slug="data", title_en="Data", title_zh="数据", age_band="12-14"
    )
    unit1 = Unit.objects.create(course=robots, position=1, title_en="Sensing", title_zh="感知")
    unit2 = Unit.objects.create(course=robots, position=2, title_en="Coding", title_zh="编程")
    unit3 = Unit.objects.create(course=data, position=1, title_en="Tables", title_zh="表格")
    lesson1 = Lesson.objects.create(unit=unit1, position=1, title_en="L1", title_zh="L1")
    lesson2 = Lesson.objects.create(unit=unit2, position=1, title_en="L2", title_zh="L2")
    lesson3 = Lesson.objects.create(unit=unit3, position=1, title_en="L3", title_zh="L3")
    q1 = _quiz(lesson1, "Q1", 1, 1.0, max_attempts=2)
    q2 = _quiz(lesson1, "Q2", 2, 2.0)
    n1 = Exercise.objects.create(
        owner=teacher,
        title="N1",
        kind=Exercise.Kind.NOTEBOOK,
        lesson=lesson2,
        position=1,
        max_score=10.0,
        is_published=True,
    )
    q3 = _quiz(lesson2, "Q3", 2, 1.0, published=False)
    q4 = _quiz(lesson3, "Q4", 1, 1.0)

    answer(a3, q1, 1, right=False, when=at(1))
    answer(a1, q1, 1, right=True, when=at(2))
    answer(a1, q2, 1, right=False, when=at(2, 11))
    answer(a1, q2, 2, right=True, when=at(3))
    hand_in(a1, n1, 1, status="graded", when=at(3, 11), seconds=10, score=8.0, worker="w1")
    answer(a2, q1, 1, right=False, when=at(2))
    answer(a2, q1, 2, right=False, when=at(2, 11))
    answer(a2, q2, 1, right=True, when=at(2, 12))
    answer(b1, q1, 1, right=True, when=at(4))
    hand_in(b1, n1, 1, status="failed", when=at(4, 9), seconds=30, score=0.0, worker="w2")
    hand_in(b1, n1, 2, status="needs_review", when=at(4, 10), seconds=20, score=10.0, worker="w1")
    answer(b1, q4, 1, right=True, when=at(4, 11))
    answer(b2, q4, 1, right=False, when=at(5))
    answer(b2, q4, 2, right=False, when=at(6))
    answer(x, q1, 1, right=True, when=at(5))
    answer(teacher, q1, 1, right=True, when=at(5))
    hand_in(a2, n1, 1, status="queued", when=at(6))
    stats.stats_rebuild()
    return SimpleNamespace(
        alpha=alpha,
        beta=beta,
        classes=SimpleNamespace(a1=class_a1, a2=class_a2, b1=class_b1),
        courses=SimpleNamespace(robots=robots, data=data),
        units=SimpleNamespace(u1=unit1, u2=unit2, u3=unit3),
        exercises=SimpleNamespace(q1=q1, q2=q2, q3=q3, q4=q4, n1=n1),
        teacher=teacher,
        **people,
    )


@pytest.fixture
def alpha_admin(report_world):
    return factories.make_user(User.Role.SCHOOL_ADMIN, "alpha_admin", school=report_world.alpha)


@pytest.fixture
def beta_admin(report_world):
    return factories.make_user(User.Role.SCHOOL_ADMIN, "beta_admin", school=report_world.beta)
