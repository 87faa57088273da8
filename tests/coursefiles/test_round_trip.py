"""Import → export → import gives the same course; the demo folders export byte for byte."""

import re

import pytest

from courses.coursefiles.importer import course_import
from courses.coursefiles.nbgrader_dir import read_nbgrader_course
from courses.coursefiles.reader import read_course
from courses.coursefiles.writer import course_export, course_files
from courses.models import Course, Exercise, Lesson
from courses.publishing import course_snapshot
from tests.coursefiles.conftest import (
    DEMO_COURSES,
    DEMO_SLUGS,
    folder_files,
    import_folder,
    write_files,
    write_nbgrader_course,
)
from tests.factories import ROOT, make_teacher

pytestmark = pytest.mark.django_db


def test_there_are_five_demo_courses():
    assert len(DEMO_SLUGS) == 5


@pytest.mark.parametrize("slug", DEMO_SLUGS)
def test_a_demo_course_exports_to_its_own_files_byte_for_byte(slug):
    root = DEMO_COURSES / slug
    course = import_folder(root)
    exported = course_files(course)
    original = folder_files(root)
    assert list(exported) == sorted(exported, key=_folder_order)  # course.yaml first, then …
    assert sorted(exported) == sorted(original)
    different = [name for name in exported if exported[name] != original[name]]
    assert different == []


@pytest.mark.parametrize("slug", DEMO_SLUGS)
def test_import_export_import_gives_the_same_course(slug, tmp_path):
    first = import_folder(DEMO_COURSES / slug)
    course_export(course=first, path=tmp_path / "out")
    snapshot = course_snapshot(first)
    Course.objects.filter(pk=first.pk).update(slug="moved-away")  # free the slug
    second = import_folder(tmp_path / "out")
    assert second.pk != first.pk
    assert course_snapshot(second) == snapshot


def test_the_small_course_round_trips_with_slugs_keys_and_flags(tiny_folder, tmp_path):
    course = import_folder(tiny_folder)
    assert list(Lesson.objects.filter(unit__course=course).values_list("slug", flat=True)) == [
        "first-lesson",
        "second-lesson",
    ]
    keys = Exercise.objects.filter(lesson__unit__course=course).values_list("key", flat=True)
    assert sorted(keys) == ["guess", "pick-the-cat"]
    Exercise.objects.filter(key="guess").update(is_published=False, max_attempts=None)
    course_export(course=course, path=tmp_path / "out")
    text = (tmp_path / "out" / "exercises" / "guess.yaml").read_text()
    assert "published: false\n" in text and "max_attempts" not in text
    assert "limits:\n  cell_timeout: 60\n" in text
    snapshot = course_snapshot(course)
    Course.objects.filter(pk=course.pk).update(slug="moved-away")
    again = import_folder(tmp_path / "out")
    assert course_snapshot(again) == snapshot
    assert not Exercise.objects.get(lesson__unit__course=again, key="guess").is_published


def test_exporting_twice_gives_the_same_bytes(tiny_folder, tmp_path):
    course = import_folder(tiny_folder)
    course_export(course=course, path=tmp_path / "a")
    course_export(course=course, path=tmp_path / "b")
    assert folder_files(tmp_path / "a") == folder_files(tmp_path / "b")


def test_an_nbgrader_course_round_trips_as_a_course_folder(tmp_path):
    root = write_nbgrader_course(tmp_path / "ml-101")
    course = course_import(folder=read_nbgrader_course(root), owner=make_teacher())
    course_export(course=course, path=tmp_path / "out")
    snapshot = course_snapshot(course)
    Course.objects.filter(pk=course.pk).update(slug="moved-away")
    again = import_folder(tmp_path / "out")
    assert course_snapshot(again) == snapshot
    assert read_course(tmp_path / "out").slug == "ml-101"


def _folder_order(name: str) -> tuple:
    top = name.split("/", 1)[0]
    return (["course.yaml", "lessons", "exercises", "assets"].index(top),)


def test_the_example_in_the_teachers_guide_imports_and_is_in_canonical_form(tmp_path):
    guide = (ROOT / "docs" / "teachers.md").read_text()
    blocks = re.findall(r"\*\*sensors/([^*]+)\*\*\n\n```[a-z]*\n(.*?)```", guide, re.DOTALL)
    files = {name: text.encode() for name, text in blocks}
    assert sorted(files) == [
        "assets/microphone.svg",
        "course.yaml",
        "exercises/which-part-hears.yaml",
        "lessons/eyes-and-ears.en.md",
        "lessons/eyes-and-ears.zh.md",
    ]
    write_files(tmp_path / "sensors", files)
    course = import_folder(tmp_path / "sensors")
    assert course_files(course) == files
