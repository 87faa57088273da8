"""Fixtures for the learner pages: a small school with courses offered in every way a course can
be (public, assigned to a class, a draft, one offered to nobody), a lesson holding every quiz kind
and a notebook, and a reader for the quiz forms the pages draw."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from courses import quiz, services
from courses.models import AgeBand, BigIdea
from tests import factories
from tests.courses.test_quiz_marking import SPECS

LESSON_BODY_EN = """# Sensors

A **sensor** lets a machine notice the world.

![A robot with a camera](img/robot.png)

<script>alert("owned")</script>
<img src="x.png" onerror="alert('owned')">
[click](javascript:alert('owned'))
"""
LESSON_BODY_ZH = "# 传感器\n\n**传感器**让机器感知世界。"


@dataclass
class School:
    teacher: object
    student: object  # in the class
    outsider: object  # a student in no class
    classroom: object
    public: object  # published and public: everyone
    assigned: object  # published, not public, assigned to the class
    draft: object  # public but not published
    hidden: object  # published, not public, assigned to nobody
    lesson: object  # the public course's first lesson: every quiz kind, then a notebook
    second_lesson: object
    assigned_lesson: object
    hidden_lesson: object
    draft_lesson: object
    quizzes: dict = field(default_factory=dict)  # kind -> exercise
    notebook: object = None

    def lesson_url(self, lesson=None) -> str:
        lesson = lesson or self.lesson
        return f"/courses/{lesson.unit.course.slug}/lessons/{lesson.pk}/"

    def answer_url(self, exercise) -> str:
        lesson = exercise.lesson
        return f"{self.lesson_url(lesson)}exercises/{exercise.pk}/answer/"


def make_course(teacher, slug, *, band=AgeBand.AGES_6_8, published=True, public=True, **extra):
    return services.course_create(
        owner=teacher,
        slug=slug,
        title_en=f"Course {slug}",
        title_zh=f"课程 {slug}",
        summary_en=f"All about {slug}.",
        summary_zh=f"关于 {slug} 的一切。",
        age_band=band,
        big_ideas=[BigIdea.PERCEPTION],
        is_published=published,
        is_public=public,
        **extra,
    )


def make_lesson(course, title="Lesson", body_en="Read me.", body_zh="读我。", unit=None):
    unit = unit or services.unit_create(course=course, title_en="Unit", title_zh="单元")
    return services.lesson_create(
        unit=unit, title_en=title, title_zh=f"{title} 中文", body_en=body_en, body_zh=body_zh
    )


def make_quiz(teacher, lesson, kind, *, published=True, **fields):
    return services.exercise_create_quiz(
        owner=teacher,
        kind=kind,
        title=f"{kind} quiz",
        title_zh=f"{kind} 测验",
        spec=SPECS[kind],
        lesson=lesson,
        prompt_en=f"Answer the {kind} question.",
        prompt_zh=f"回答 {kind} 问题。",
        explanation_en="Because sensors sense.",
        explanation_zh="因为传感器能感知。",
        is_published=published,
        **fields,
    )


def attach_notebook(teacher, lesson, position=100):
    """The demo notebook exercise placed in a lesson (the service makes free-standing ones)."""
    exercise = factories.make_exercise(teacher, title="Guess quality")
    exercise.lesson, exercise.position = lesson, position
    exercise.save(update_fields=["lesson", "position"])
    return exercise


@pytest.fixture
def school(db):
    teacher = factories.make_teacher("ms_lin")
    student = factories.make_student("ada")
    outsider = factories.make_student("grace")
    classroom = factories.make_classroom(teacher, [student], name="Class 3A")
    public = make_course(teacher, "seeing-machines")
    assigned = make_course(teacher, "class-only", band=AgeBand.AGES_12_14, public=False)
    classroom.courses.add(assigned)
    draft = make_course(teacher, "still-writing", band=AgeBand.AGES_9_11, published=False)
    hidden = make_course(teacher, "nobodys", band=AgeBand.ADULT, public=False)
    lesson = make_lesson(public, "Find the sensors", LESSON_BODY_EN, LESSON_BODY_ZH)
    second = make_lesson(public, "Sort them", unit=lesson.unit)
    built = School(
        teacher=teacher,
        student=student,
        outsider=outsider,
        classroom=classroom,
        public=public,
        assigned=assigned,
        draft=draft,
        hidden=hidden,
        lesson=lesson,
        second_lesson=second,
        assigned_lesson=make_lesson(assigned, "Features"),
        hidden_lesson=make_lesson(hidden, "Secret"),
        draft_lesson=make_lesson(draft, "Unfinished"),
    )
    built.quizzes = {kind: make_quiz(teacher, lesson, kind) for kind in quiz.KINDS}
    built.notebook = attach_notebook(teacher, lesson)
    for other in (built.assigned_lesson, built.hidden_lesson, built.draft_lesson):
        make_quiz(teacher, other, "true_false")
    return built


@pytest.fixture
def student_client(client, school):
    client.force_login(school.student)
    return client


# --- reading the forms a page draws ---------------------------------------------------------------


@dataclass
class Form:
    action: str
    # name -> the values a learner can choose (radios, boxes, <option>s); None for free text
    fields: dict = field(default_factory=dict)
    selected: dict = field(default_factory=dict)  # name -> values shown as chosen
    disabled: bool = False
    has_submit: bool = False


class _FormReader(HTMLParser):
    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.form, self.depth, self.select = form_id, None, 0, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.form, self.depth = Form(action=attrs["action"]), 1
            return
        if self.form is None or not self.depth:
            return
        if tag == "form":
            self.depth += 1
        if tag == "fieldset" and "disabled" in attrs:
            self.form.disabled = True
        if tag == "button" and attrs.get("type") == "submit":
            self.form.has_submit = True
        if tag == "input" and attrs.get("type") != "hidden":
            name, kind = attrs["name"], attrs.get("type", "text")
            if kind in ("radio", "checkbox"):
                self.form.fields.setdefault(name, []).append(attrs["value"])
                if "checked" in attrs:
                    self.form.selected.setdefault(name, []).append(attrs["value"])
            else:
                self.form.fields[name] = None
                if attrs.get("value"):
                    self.form.selected[name] = [attrs["value"]]
        if tag == "select":
            self.select = attrs["name"]
            self.form.fields[self.select] = []
        if tag == "option" and self.select:
            self.form.fields[self.select].append(attrs["value"])
            if "selected" in attrs:
                self.form.selected.setdefault(self.select, []).append(attrs["value"])

    def handle_endtag(self, tag):
        if self.form is None or not self.depth:
            return
        if tag == "select":
            self.select = None
        if tag == "form":
            self.depth -= 1


def read_form(html: str, exercise) -> Form:
    reader = _FormReader(f"exercise-{exercise.pk}-form")
    reader.feed(html)
    assert reader.form is not None, f"no form for exercise {exercise.pk}"
    return reader.form


def form_data(kind: str, answer) -> dict:
    """An answer (courses/quiz shape) as the lesson page's form posts it."""
    spec = SPECS[kind]
    if kind == "multiple_choice":
        return {"answer": list(answer)}
    if kind == "true_false":
        return {"answer": "true" if answer else "false"}
    if kind in ("single_choice", "numeric", "short_text"):
        return {"answer": str(answer)}
    if kind == "ordering":
        return {
            f"item-{index}": str(answer.index(item["id"]) + 1)
            for index, item in enumerate(spec["items"])
        }
    key, prefix = ("items", "item") if kind == "categorise" else ("left", "left")
    return {
        f"{prefix}-{index}": answer[entry["id"]]
        for index, entry in enumerate(spec[key])
        if entry["id"] in answer
    }


def post_through_form(client, page_html: str, exercise, data: dict):
    """POST `data` to the exercise's form, after checking the page offers exactly those controls
    and values: what a browser without scripts would send."""
    form = read_form(page_html, exercise)
    for name, values in data.items():
        assert name in form.fields, f"the form has no control named {name!r}: {form.fields}"
        allowed = form.fields[name]
        for value in values if isinstance(values, list) else [values]:
            assert allowed is None or value in allowed, f"{value!r} is not offered for {name!r}"
    return client.post(form.action.split("#")[0], data)
