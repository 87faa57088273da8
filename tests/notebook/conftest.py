"""Fixtures for the notebook page: a public course with the demo exercise in a lesson, a course
offered to nobody, learners, and a logged-in test client per learner."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from courses.services import course_create, exercise_create_notebook, lesson_create, unit_create
from tests import factories

# A line of the demo exercise's hidden tests (courses/demo/how_good_is_a_guess.ipynb): it must
# never appear in anything a learner receives.
HIDDEN_MARKER = "a tie goes to the earlier example"
# A line of the teacher's solution, replaced by a stub in the released copy.
SOLUTION_MARKER = "best_label, best_distance = None, math.inf"


@pytest.fixture
def teacher(db):
    return factories.make_teacher("ms_lin")


@pytest.fixture
def student(db):
    return factories.make_student("ada")


@pytest.fixture
def other_student(db):
    return factories.make_student("grace")


def _course_exercise(teacher, *, slug: str, public: bool, exercise=None):
    course = course_create(
        owner=teacher,
        slug=slug,
        title_en=f"Course {slug}",
        title_zh=f"课程 {slug}",
        age_band="12-14",
        is_published=True,
        is_public=public,
    )
    unit = unit_create(course=course, title_en="Unit 1", title_zh="第一单元")
    lesson = lesson_create(unit=unit, title_en="Guessing", title_zh="猜测")
    if exercise is None:
        exercise = factories.make_exercise(teacher, published=True, title="How good is a guess?")
    exercise.lesson = lesson
    exercise.save(update_fields=["lesson"])
    return exercise


@pytest.fixture
def exercise(teacher):
    """The demo problem set in a lesson of a public course."""
    return _course_exercise(teacher, slug="guessing", public=True)


# The demo problem set's Chinese twin, as the adult demo course ships it.
DEMO_TWIN = (
    factories.ROOT
    / "courses/demo/courses/models-evidence-cost/exercises/how-good-is-a-guess.zh.ipynb"
)


def bilingual_exercise(teacher, *, slug: str = "guessing-zh", twin: bytes | None = None):
    """The demo problem set with a Chinese twin (the demo's, or `twin`) in a public course."""
    exercise = exercise_create_notebook(
        owner=teacher,
        title="How good is a guess?",
        source=factories.demo_source(),
        source_zh=twin if twin is not None else DEMO_TWIN.read_bytes(),
        is_published=True,
    )
    return _course_exercise(teacher, slug=slug, public=True, exercise=exercise)


@pytest.fixture
def bilingual(teacher):
    return bilingual_exercise(teacher)


@pytest.fixture
def hidden_course_exercise(teacher):
    """The same problem set in a published course that is not public and assigned to no class."""
    return _course_exercise(teacher, slug="private", public=False)


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=factories.PASSWORD)
    return client


@pytest.fixture
def client_for():
    return login


def post_json(client: Client, url: str, data) -> object:
    return client.post(
        url,
        json.dumps(data),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )


def correct_answers() -> dict[str, str]:
    """The solution cells of the nbgrader test suite's correct submission, by grade_id."""
    nb = json.loads(factories.submitted_notebook("correct"))
    answers = {}
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            source = cell["source"]
            answers[meta["grade_id"]] = "".join(source) if isinstance(source, list) else source
    return answers


@pytest.fixture
def api():
    """DRF's test client (session or token login), to see what the API lists."""
    return factories.ApiClient()


# Real Celery workers for the end-to-end check (tests/workers/conftest.py starts them).
from tests.workers.conftest import start_worker, worker_env  # noqa: E402, F401
