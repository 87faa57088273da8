# Chinese text and places use full-width punctuation and angle quotes on purpose.
# ruff: noqa: RUF001
"""Builders for the publishing tests: a small course that passes every static check (a unit, a
lesson with a picture, a quiz and a notebook exercise with its Chinese twin), and its owner."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from courses import asset_services, services
from courses.models import AgeBand, BigIdea, Course, Exercise
from courses.publishing import course_keys_ensure
from tests import factories

# Real Celery workers on the test database and broker, started exactly as in tests/workers.
from tests.workers.conftest import start_worker, worker_env  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
DEMO_EXERCISES = ROOT / "courses" / "demo" / "courses" / "models-evidence-cost" / "exercises"
NOTEBOOK_EN = DEMO_EXERCISES / "how-good-is-a-guess.ipynb"
NOTEBOOK_ZH = DEMO_EXERCISES / "how-good-is-a-guess.zh.ipynb"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<circle cx="5" cy="5" r="4"/></svg>'
)
CSV = b"a,b\n1,2\n"
OPTIONS = [
    {"id": "ear", "text_en": "Microphone", "text_zh": "麦克风"},
    {"id": "eye", "text_en": "Camera", "text_zh": "摄像头"},
]
SPEC = {"options": OPTIONS, "correct": "ear"}


@dataclass
class Built:
    course: Course
    owner: object
    quiz: Exercise
    notebook: Exercise


def build_course(owner=None, *, slug: str = "robots", published: bool = False) -> Built:
    owner = owner or factories.make_teacher()
    course = services.course_create(
        owner=owner,
        slug=slug,
        title_en="Robots",
        title_zh="机器人",
        summary_en="How robots notice things.",
        summary_zh="机器人怎样感知。",
        age_band=AgeBand.AGES_15_17,
        big_ideas=[BigIdea.PERCEPTION],
        is_published=published,
        is_public=True,
    )
    asset_services.course_asset_create(course=course, name="robot.svg", content=SVG)
    asset_services.course_asset_create(course=course, name="data/fruit.csv", content=CSV)
    unit = services.unit_create(course=course, title_en="Senses", title_zh="感官")
    lesson = services.lesson_create(
        unit=unit,
        title_en="Ears",
        title_zh="耳朵",
        body_en="![A robot](robot.svg) and [the data](data/fruit.csv).",
        body_zh="![机器人](robot.svg)",
    )
    quiz = services.exercise_create_quiz(
        owner=owner,
        kind="single_choice",
        title="Which part hears?",
        title_zh="哪个部分能听？",
        prompt_en="Which part hears?",
        prompt_zh="哪个部分能听？",
        spec=SPEC,
        lesson=lesson,
        is_published=True,
    )
    notebook = services.exercise_create_notebook(
        owner=owner,
        title="How good is a guess?",
        source=NOTEBOOK_EN.read_bytes(),
        source_zh=NOTEBOOK_ZH.read_bytes(),
        is_published=True,
    )
    notebook.title_zh = "猜得有多好？"
    notebook.lesson = lesson
    notebook.position = 2
    notebook.save()
    course_keys_ensure(course=course)
    quiz.refresh_from_db()
    notebook.refresh_from_db()
    return Built(course=course, owner=owner, quiz=quiz, notebook=notebook)


@pytest.fixture
def built(db):
    return build_course()


def load_notebook(path: Path):
    """A notebook file as the services store it (parsed, sources as strings)."""
    from graders import notebook

    return notebook.parse_notebook(path.read_bytes(), max_bytes=10_000_000)


def problem_lines(problems) -> list[str]:
    return [str(problem) for problem in problems]


COURSE = "Course “Robots”"
UNIT = "Unit 1 “Senses”"
LESSON = f"{UNIT} › Lesson 1 “Ears”"
QUIZ = f"{LESSON} › Exercise “Which part hears?”"
NOTEBOOK = f"{LESSON} › Exercise “How good is a guess?”"


def mark_validated(course: Course, user=None):
    """A passing validation run of `course`'s current content, as the workers leave one.

    For tests about publishing itself: the static checks really run (and must pass); the sandbox
    part, which the workers do, is trusted here and tested in test_runs.py.
    """
    from courses.models import ValidationRun
    from courses.publishing import content_sha256, course_problems

    course = Course.objects.get(pk=course.pk)  # the content as stored, not a stale copy
    course_keys_ensure(course=course)
    assert course_problems(course=course) == []
    return ValidationRun.objects.create(
        course=course,
        requested_by=user or course.owner,
        status=ValidationRun.Status.DONE,
        content_sha256=content_sha256(course),
        problems=[],
    )


def publish(course: Course, user=None, note: str = ""):
    """Validate (as mark_validated) and publish what editing `course` goes to."""
    from courses.publishing import course_publish, editable_course

    mark_validated(editable_course(course) or course, user)
    return course_publish(course=course, user=user or course.owner, note=note)
