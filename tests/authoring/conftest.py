# Chinese text uses full-width punctuation on purpose.
# ruff: noqa: RUF001, RUF003
"""Fixtures for the authoring pages: a teacher with a course being written (never published) and
a published one, another teacher, a learner and an admin; helpers for URLs and notebooks."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses import services
from courses.models import AgeBand, BigIdea, Course
from tests import factories

# A 1×1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="4" cx="5" cy="5"/></svg>'
EVIL_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
)


def make_course(owner, slug, *, published=False, band=AgeBand.AGES_9_11, public=True):
    return services.course_create(
        owner=owner,
        slug=slug,
        title_en=f"Course {slug}",
        title_zh=f"课程 {slug}",
        summary_en="About machines.",
        summary_zh="关于机器。",
        age_band=band,
        big_ideas=[BigIdea.LEARNING],
        is_published=published,
        is_public=public,
    )


def make_lesson(course, title="First lesson", unit=None, body_en="Hello.", body_zh="你好。"):
    unit = unit or services.unit_create(course=course, title_en="Unit one", title_zh="第一单元")
    lesson = services.lesson_create(
        unit=unit, title_en=title, title_zh=f"{title} 中文", body_en=body_en, body_zh=body_zh
    )
    lesson.slug = title.lower().replace(" ", "-")
    lesson.save(update_fields=["slug"])
    return lesson


def make_true_false(lesson, *, title="Is a camera a sensor?", correct=True):
    exercise = services.exercise_create_quiz(
        owner=lesson.unit.course.owner,
        kind="true_false",
        title=title,
        title_zh="摄像头是传感器吗？",
        spec={"correct": correct},
        lesson=lesson,
        prompt_en="A camera is a sensor.",
        prompt_zh="摄像头是一种传感器。",
        explanation_en="It senses light.",
        explanation_zh="它能感知光。",
        is_published=True,
    )
    exercise.key = title.lower().replace(" ", "-").strip("?")
    exercise.save(update_fields=["key"])
    return exercise


@dataclass
class World:
    teacher: object
    other_teacher: object
    student: object
    admin: object
    course: Course  # never published: edited directly
    lesson: object
    quiz: object
    published: Course  # published, learners see it
    published_lesson: object

    def url(self, route: str, /, **kwargs) -> str:
        return reverse(f"authoring:{route}", kwargs=kwargs)


@pytest.fixture
def world(db):
    teacher = factories.make_teacher("ms_lin")
    course = make_course(teacher, "robots-at-home")
    lesson = make_lesson(course)
    published = make_course(teacher, "seeing-machines", published=True)
    published_lesson = make_lesson(published, "Published lesson")
    make_true_false(published_lesson, title="Live quiz")
    return World(
        teacher=teacher,
        other_teacher=factories.make_teacher("mr_wu"),
        student=factories.make_student("ada"),
        admin=factories.make_admin("root"),
        course=course,
        lesson=lesson,
        quiz=make_true_false(lesson),
        published=published,
        published_lesson=published_lesson,
    )


@pytest.fixture
def teacher_client(client, world):
    client.force_login(world.teacher)
    return client


def notebook_bytes(change=None) -> bytes:
    """The demo nbgrader source notebook, optionally changed (a function of the parsed JSON)."""
    nb = json.loads(factories.demo_source())
    if change is not None:
        change(nb)
    return json.dumps(nb).encode()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []
