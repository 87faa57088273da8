"""Fixtures for teaching: a class with three learners and a course holding a quiz and the demo
notebook, other teachers and an admin, and helpers that put work in at a given time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from courses import services as course_services
from courses.models import AgeBand
from graders.grading import REVIEW_MESSAGE
from graders.models import Submission
from graders.results import GRADED, NEEDS_REVIEW, GradeResult, TestResult
from tests import factories

# Real workers (tests/workers) and Chromium (tests/e2e), their fixtures reused as they are, for
# test_regrade_worker.py and test_browser.py.
from tests.e2e.conftest import _playwright, browser, login, open_page, page_problems  # noqa: F401
from tests.workers.conftest import start_worker, worker_env  # noqa: F401

# Fixed times: lateness is worked out from them, never from the clock.
DUE = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


@dataclass
class School:
    teacher: object
    other_teacher: object
    admin: object
    ann: object
    bo: object
    cy: object
    outsider: object  # a student in another teacher's class
    classroom: object
    other_class: object
    course: object
    lesson: object
    quiz: object  # true or false, 2 points, 2 attempts
    notebook: object  # the demo notebook, 10 points
    learners: list = field(default_factory=list)


def make_course(owner, slug):
    course = course_services.course_create(
        owner=owner,
        slug=slug,
        title_en=f"Course {slug}",
        title_zh=f"课程 {slug}",
        age_band=AgeBand.AGES_15_17,
        is_published=True,
    )
    unit = course_services.unit_create(course=course, title_en="Unit", title_zh="单元")
    lesson = course_services.lesson_create(unit=unit, title_en="Lesson", title_zh="课")
    return course, lesson


def make_quiz(owner, lesson, *, max_attempts=2, title="Robots sense"):
    return course_services.exercise_create_quiz(
        owner=owner,
        kind="true_false",
        title=title,
        title_zh="机器人能感知",
        spec={"correct": True, "points": 2},
        lesson=lesson,
        max_attempts=max_attempts,
        is_published=True,
    )


def attach_notebook(owner, lesson, *, title="Guess quality", position=100):
    exercise = factories.make_exercise(owner, title=title)
    exercise.lesson, exercise.position = lesson, position
    exercise.save(update_fields=["lesson", "position"])
    return exercise


@pytest.fixture
def school(db):
    teacher = factories.make_teacher("ms_lin")
    other_teacher = factories.make_teacher("mr_okafor")
    admin = factories.make_admin("root_admin")
    ann = factories.make_user(username="ann", first_name="Ann", last_name="Lee")
    bo = factories.make_user(username="bo", first_name="Bo", last_name="Zhang")
    cy = factories.make_user(username="cy", first_name="Cy", last_name="Okoro")
    outsider = factories.make_student("outsider")
    classroom = factories.make_classroom(teacher, [ann, bo, cy], name="Year 11 AI")
    other_class = factories.make_classroom(other_teacher, [outsider], name="Other class")
    course, lesson = make_course(teacher, "ml-class")
    classroom.courses.add(course)
    other_class.courses.add(course)
    return School(
        teacher=teacher,
        other_teacher=other_teacher,
        admin=admin,
        ann=ann,
        bo=bo,
        cy=cy,
        outsider=outsider,
        classroom=classroom,
        other_class=other_class,
        course=course,
        lesson=lesson,
        quiz=make_quiz(teacher, lesson),
        notebook=attach_notebook(teacher, lesson),
        learners=[ann, bo, cy],
    )


@pytest.fixture
def client_for():
    """A test client signed in as the given user (None: anonymous)."""

    def make(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def result(score_parts=(1.0, 2.0, 1.5, 0.0), *, manual: float | None = None) -> GradeResult:
    """A result for the demo notebook with the given points per test; `manual` adds an
    answered manually graded cell "essay" worth that many points (so it needs review)."""
    tests = [
        TestResult(gid, got, most, got >= most, "Passed." if got >= most else "Failed.", hidden)
        for (gid, most, hidden), got in zip(factories.DEMO_TESTS, score_parts, strict=True)
    ]
    reasons = []
    max_score = factories.DEMO_MAX_SCORE
    if manual is not None:
        tests.append(TestResult("essay", 0.0, manual, False, REVIEW_MESSAGE))
        reasons.append("'essay' is marked by a teacher.")
        max_score += manual
    return GradeResult(
        status=NEEDS_REVIEW if reasons else GRADED,
        score=sum(test.points for test in tests),
        max_score=max_score,
        tests=tests,
        review_reasons=reasons,
    )


def graded(learner, exercise, *, at: datetime | None = None, grade: GradeResult | None = None):
    """A submission graded with `grade`, received at `at`."""
    submission = factories.make_submission(learner, exercise)
    if at is not None:
        Submission.objects.filter(pk=submission.pk).update(received_at=at)
    return factories.finish_submission(submission, grade or result())


def answered(learner, exercise, answer=True, *, at: datetime | None = None):
    attempt = course_services.quiz_answer_submit(learner=learner, exercise=exercise, answer=answer)
    if at is not None:
        type(attempt).objects.filter(pk=attempt.pk).update(created_at=at)
        attempt.refresh_from_db()
    return attempt


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
