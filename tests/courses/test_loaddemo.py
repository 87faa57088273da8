"""`manage.py loaddemo`, run by `make run`: demo accounts, a class, an exercise and five courses."""

import json
import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.models import Classroom, User
from courses import services
from courses.management.commands.loaddemo import DEMO_DIR
from courses.models import AgeBand, Course, CourseAsset, Exercise, Lesson, Unit
from courses.selectors import courses_visible_to, exercises_visible_to

pytestmark = pytest.mark.django_db

_HAN = re.compile(r"[\u4e00-\u9fff]")
STANDALONE = "Problem set 1: how good is a guess?"


@pytest.fixture
def loaded(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("loaddemo", stdout=out)
    return out.getvalue()


def counts():
    return tuple(
        model.objects.count()
        for model in (User, Classroom, Course, Unit, Lesson, Exercise, CourseAsset)
    )


def test_loaddemo_creates_working_logins_a_class_and_the_standalone_exercise(loaded, tmp_path):
    for username, password in [("student", "learn-with-qiming"), ("teacher", "teach-with-qiming")]:
        assert authenticate(username=username, password=password) is not None
        assert f"{username} / {password}" in loaded
    assert loaded.endswith((tmp_path / "demo_logins.txt").read_text())
    assert User.objects.get(username="admin").is_superuser
    classroom = Classroom.objects.get(name="Demo class")
    assert list(classroom.learners.values_list("username", flat=True)) == ["student"]
    exercise = Exercise.objects.get(title=STANDALONE, lesson=None)
    assert exercise.is_published and exercise.max_score == 10.0
    assert "BEGIN HIDDEN TESTS" not in str(exercise.released_notebook)


def test_loaddemo_gives_the_demo_student_a_course_for_every_age_band(loaded):
    student = User.objects.get(username="student")
    teacher = User.objects.get(username="teacher")
    visible = courses_visible_to(student)
    assert sorted(visible.values_list("age_band", flat=True)) == sorted(AgeBand.values)
    classroom = Classroom.objects.get(name="Demo class")
    assert set(classroom.courses.all()) == set(Course.objects.all())
    visible_exercises = exercises_visible_to(student)
    for course in visible:
        assert course.is_published and course.is_public and course.owner == teacher
        lessons = Lesson.objects.filter(unit__course=course)
        assert lessons.count() >= 2, course.slug
        for lesson in lessons:
            exercises = lesson.exercises.all()
            assert exercises.exists(), (course.slug, lesson.title_en)
            assert all(exercise in visible_exercises for exercise in exercises)


def test_every_demo_text_is_there_in_english_and_chinese(loaded):
    def both(obj, field, english="{}_en"):
        en = getattr(obj, english.format(field))
        zh = getattr(obj, f"{field}_zh")
        assert en.strip() and zh.strip(), (obj, field)
        assert _HAN.search(zh) and not _HAN.search(en), (obj, field)

    for course in Course.objects.all():
        both(course, "title")
        both(course, "summary")
        for unit in course.units.all():
            both(unit, "title")
            for lesson in unit.lessons.all():
                both(lesson, "title")
                both(lesson, "body")
                for exercise in lesson.exercises.all():
                    both(exercise, "title", english="{}")
                    both(exercise, "prompt")
                    if not exercise.is_notebook:
                        both(exercise, "explanation")


def test_notebook_courses_have_notebook_exercises_and_the_young_have_pictures(loaded):
    kinds = {
        course.age_band: set(
            Exercise.objects.filter(lesson__unit__course=course).values_list("kind", flat=True)
        )
        for course in Course.objects.all()
    }
    assert "notebook" in kinds["15-17"] and "notebook" in kinds["adult"]
    assert {"single_choice", "true_false", "ordering"} <= kinds["6-8"]
    assert {"categorise", "match", "multiple_choice"} <= kinds["9-11"]
    assert {"numeric", "short_text", "single_choice"} <= kinds["12-14"]
    young = Course.objects.get(age_band="6-8")
    assert CourseAsset.objects.filter(course=young, content_type="image/svg+xml").count() >= 5


def test_every_demo_notebook_is_stored_with_its_chinese_twin(loaded):
    notebooks = Exercise.objects.filter(kind="notebook", lesson__isnull=False)
    in_folders = sorted(DEMO_DIR.glob("courses/*/exercises/*.zh.ipynb"))
    assert notebooks.count() == len(in_folders) >= 6
    for exercise in notebooks:
        source_zh = json.dumps(exercise.source_notebook_zh, ensure_ascii=False)
        released_zh = json.dumps(exercise.released_notebook_zh, ensure_ascii=False)
        assert "BEGIN HIDDEN TESTS" in source_zh, exercise.title
        assert "BEGIN HIDDEN TESTS" not in released_zh and "BEGIN SOLUTION" not in released_zh
        markdown = [
            "".join(cell["source"])
            for cell in exercise.released_notebook_zh["cells"]
            if cell["cell_type"] == "markdown"
        ]
        assert markdown and _HAN.search(markdown[0]), exercise.title
        english = exercise.released_notebook["cells"]
        assert not _HAN.search("".join(english[0]["source"])), exercise.title
        assert exercise.released_notebook_for("zh-hans") is exercise.released_notebook_zh


def test_loaddemo_twice_changes_nothing(loaded, settings):
    before = counts()
    ids = set(Exercise.objects.values_list("pk", flat=True))
    out = StringIO()
    call_command("loaddemo", stdout=out)
    assert counts() == before
    assert set(Exercise.objects.values_list("pk", flat=True)) == ids
    assert "Imported demo course" not in out.getvalue()


def test_loaddemo_keeps_an_existing_course_even_when_edited(loaded):
    course = Course.objects.get(age_band="6-8")
    course.title_en = "Edited by a teacher"
    course.save()
    call_command("loaddemo", stdout=StringIO())
    course.refresh_from_db()
    assert course.title_en == "Edited by a teacher"


def test_loaddemo_replace_reimports_courses_without_learners_work_only(loaded):
    student = User.objects.get(username="student")
    answered = Exercise.objects.filter(
        lesson__unit__course__age_band="9-11", kind="multiple_choice"
    ).first()
    services.quiz_answer_submit(learner=student, exercise=answered, answer=[])
    young = Course.objects.get(age_band="6-8")
    young.title_en = "Edited by a teacher"
    young.save()
    before = counts()
    out = StringIO()
    call_command("loaddemo", "--replace", stdout=out)
    assert "Kept demo course learning-from-data: learners have work in it." in out.getvalue()
    assert "Replaced demo course robot-senses (ages 6-8)." in out.getvalue()
    young.refresh_from_db()
    assert young.title_en != "Edited by a teacher"
    assert Exercise.objects.filter(pk=answered.pk).exists()
    assert counts() == before
    assert set(Classroom.objects.get(name="Demo class").courses.all()) == set(Course.objects.all())
