"""Plain builders for tests: users of each role, classes, notebook exercises and submissions.

Everything goes through the real models and services (exercise_create_notebook, submission_create,
grading_start/finish), so a test built from these sees what production would store.
"""

from __future__ import annotations

import itertools
import uuid
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Classroom, User
from courses.models import Exercise
from courses.services import exercise_create_notebook
from graders import services
from graders.models import Submission
from graders.results import GRADED, GradeResult, TestResult

ROOT = Path(__file__).resolve().parents[1]
DEMO_SOURCE = ROOT / "courses" / "demo" / "how_good_is_a_guess.ipynb"
SUBMITTED_DIR = ROOT / "tests" / "graders" / "nbgrader_compat" / "submitted"
PASSWORD = "Test-pass-w0rd!"  # test accounts only

# The demo exercise's graded cells: (grade_id, points, hidden).
DEMO_TESTS = [
    ("test_accuracy_basic", 1.0, False),
    ("test_accuracy_errors", 2.0, True),
    ("test_nearest_neighbour_partial", 3.0, False),
    ("test_nearest_neighbour_hidden", 4.0, True),
]
DEMO_MAX_SCORE = sum(points for _gid, points, _hidden in DEMO_TESTS)

_serial = itertools.count(1)


def make_user(role: str = User.Role.STUDENT, username: str | None = None, **extra) -> User:
    """A user with a usable password (PASSWORD) and the given role."""
    username = username or f"{role}{next(_serial)}"
    return User.objects.create_user(username=username, password=PASSWORD, role=role, **extra)


def make_student(username: str | None = None) -> User:
    return make_user(User.Role.STUDENT, username)


def make_teacher(username: str | None = None) -> User:
    return make_user(User.Role.TEACHER, username)


def make_admin(username: str | None = None) -> User:
    """A platform admin by role only (not a Django superuser, not staff)."""
    return make_user(User.Role.ADMIN, username)


def make_classroom(teacher: User, learners: list[User] = (), name: str | None = None) -> Classroom:
    classroom = Classroom.objects.create(name=name or f"Class {next(_serial)}", teacher=teacher)
    classroom.learners.add(*learners)
    return classroom


def token_for(user: User) -> str:
    return Token.objects.get_or_create(user=user)[0].key


def demo_source() -> bytes:
    return DEMO_SOURCE.read_bytes()


def submitted_notebook(kind: str = "correct") -> bytes:
    """A learner's upload of the demo problem set: correct, wrong, partly_correct, unchanged…"""
    return (SUBMITTED_DIR / kind / "ps1" / "ps1.ipynb").read_bytes()


def make_exercise(owner: User, *, published: bool = True, title: str | None = None) -> Exercise:
    """The demo nbgrader problem set as a notebook exercise (max score 10, two hidden tests)."""
    return exercise_create_notebook(
        owner=owner,
        title=title or f"Problem set {next(_serial)}",
        source=demo_source(),
        is_published=published,
    )


def make_submission(learner: User, exercise: Exercise, content: bytes | None = None) -> Submission:
    """A queued submission through the real service (rate limits and validation included)."""
    return services.submission_create(
        learner=learner, exercise=exercise, content=content or submitted_notebook("correct")
    )


def grade_result(*, status: str = GRADED, review_reasons: list[str] | None = None) -> GradeResult:
    """A plausible result for the demo exercise: visible tests pass, hidden ones half pass.

    Hidden tests carry only "Passed."/"Failed." as grading.learner_view produces them.
    """
    tests = [
        TestResult("test_accuracy_basic", 1.0, 1.0, True, "Passed."),
        TestResult("test_accuracy_errors", 2.0, 2.0, True, "Passed.", hidden=True),
        TestResult(
            "test_nearest_neighbour_partial", 1.5, 3.0, False, "AssertionError: 2 of 4 cases"
        ),
        TestResult("test_nearest_neighbour_hidden", 0.0, 4.0, False, "Failed.", hidden=True),
    ]
    return GradeResult(
        status=status,
        score=sum(test.points for test in tests),
        max_score=DEMO_MAX_SCORE,
        tests=tests,
        review_reasons=list(review_reasons or []),
    )


def start_grading(submission: Submission, task_id: str | None = None, worker: str = "worker@test"):
    """Claim a submission as a worker would; returns the claimed copy (or None)."""
    return services.grading_start(
        submission_id=submission.pk,
        task_id=task_id or f"task-{uuid.uuid4().hex[:12]}",
        worker=worker,
    )


def finish_submission(submission: Submission, result: GradeResult | None = None) -> Submission:
    """Drive a queued submission to a final state through the worker's own service calls."""
    claimed = start_grading(submission)
    assert claimed is not None, "the submission could not be claimed"
    assert services.grading_finish(submission=claimed, result=result or grade_result())
    return Submission.objects.get(pk=submission.pk)


class ApiClient(APIClient):
    """DRF's test client with the logins and uploads these tests keep repeating."""

    def as_token(self, user):
        self.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
        return self

    def as_session(self, user):
        assert self.login(username=user.username, password=PASSWORD)
        return self

    def submit(self, exercise_id: int, content: bytes | None = None, how: str = "json", **extra):
        """POST a notebook as a multipart file in `notebook` or as the raw JSON body."""
        url = f"/api/v1/exercises/{exercise_id}/submissions/"
        content = submitted_notebook() if content is None else content
        if how == "multipart":
            upload = SimpleUploadedFile("ps1.ipynb", content, "application/x-ipynb+json")
            return self.post(url, {"notebook": upload}, format="multipart", **extra)
        return self.post(url, content, content_type="application/json", **extra)
