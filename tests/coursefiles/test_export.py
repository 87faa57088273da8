# Chinese text uses full-width punctuation on purpose.
# ruff: noqa: RUF001
"""Exporting: what the writer makes of content made in the browser, and `manage.py export_course`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from courses import services
from courses.coursefiles import yaml_loader
from courses.coursefiles.reader import read_course
from courses.coursefiles.writer import course_export, course_files, spec_ordered
from courses.models import Course, Exercise, Lesson
from courses.publishing import course_draft_for
from tests.coursefiles.conftest import folder_files, import_folder
from tests.factories import DEMO_SOURCE, make_teacher

pytestmark = pytest.mark.django_db

SPEC = {
    "correct": "b",
    "options": [
        {"text_zh": "乙", "id": "b", "feedback_en": "Yes.", "text_en": "B", "feedback_zh": "对。"},
        {"text_en": "A", "id": "a", "text_zh": "甲"},
    ],
}


def browser_course(owner=None) -> Course:
    """A course as the services make it: no lesson slugs, no exercise keys, titles that clash."""
    owner = owner or make_teacher()
    course = services.course_create(
        owner=owner,
        slug="made-online",
        title_en="Made online",
        title_zh="在线制作",
        age_band="9-11",
    )
    for title in ("Unit one", "Unit two"):
        unit = services.unit_create(course=course, title_en=title, title_zh="单元")
        for lesson_title in ("Intro", "机器人"):
            services.lesson_create(
                unit=unit,
                title_en=lesson_title,
                title_zh="课",
                body_en="Text.\n",
                body_zh="文字。\n",
            )
    lessons = list(Lesson.objects.filter(unit__course=course).order_by("unit__position", "pk"))
    for lesson in lessons[:2]:
        services.exercise_create_quiz(
            owner=owner,
            kind="single_choice",
            title="Pick one",
            title_zh="选一个",
            prompt_en="Which?",
            prompt_zh="哪个？",
            spec=SPEC,
            lesson=lesson,
            is_published=True,
        )
    return course


def test_names_come_from_titles_unique_in_the_course_and_the_database_is_not_changed():
    course = browser_course()
    files = course_files(course)
    lessons = sorted(name for name in files if name.startswith("lessons/"))
    lesson_ids = Lesson.objects.filter(unit__course=course).order_by("unit__position", "position")
    last_id = lesson_ids.last().pk
    chinese_id = lesson_ids[1].pk
    assert lessons == sorted(
        [
            "lessons/intro.en.md",
            "lessons/intro.zh.md",
            f"lessons/lesson-{chinese_id}.en.md",  # a Chinese-only title: named by its id
            f"lessons/lesson-{chinese_id}.zh.md",
            "lessons/intro-2.en.md",
            "lessons/intro-2.zh.md",
            f"lessons/lesson-{last_id}.en.md",
            f"lessons/lesson-{last_id}.zh.md",
        ]
    )
    assert [name for name in files if name.startswith("exercises/")] == [
        "exercises/pick-one.yaml",
        "exercises/pick-one-2.yaml",
    ]
    assert set(Lesson.objects.filter(unit__course=course).values_list("slug", flat=True)) == {""}
    assert set(
        Exercise.objects.filter(lesson__unit__course=course).values_list("key", flat=True)
    ) == {""}


def test_a_quiz_spec_is_written_in_the_canonical_key_order():
    assert list(spec_ordered(SPEC)) == ["options", "correct"]
    assert [list(option) for option in spec_ordered(SPEC)["options"]] == [
        ["id", "text_en", "text_zh", "feedback_en", "feedback_zh"],
        ["id", "text_en", "text_zh"],
    ]
    pairs = {"left": [{"id": "z"}, {"id": "a"}], "right": [], "pairs": {"a": "1", "z": "2"}}
    assert list(spec_ordered(pairs)["pairs"]) == ["z", "a"]  # the order of the left column
    text = course_files(browser_course())["exercises/pick-one.yaml"].decode()
    assert text == (
        "kind: single_choice\n"
        "title: Pick one\n"
        "title_zh: 选一个\n"
        "prompt_en: Which?\n"
        "prompt_zh: 哪个？\n"
        "spec:\n"
        "  options:\n"
        "    - id: b\n"
        "      text_en: B\n"
        "      text_zh: 乙\n"
        "      feedback_en: Yes.\n"
        "      feedback_zh: 对。\n"
        "    - id: a\n"
        "      text_en: A\n"
        "      text_zh: 甲\n"
        "  correct: b\n"
    )


def test_a_course_made_online_exports_to_a_folder_that_imports(tmp_path):
    course = browser_course()
    course_export(course=course, path=tmp_path / "out")
    folder = read_course(tmp_path / "out")
    assert folder.slug == "made-online" and folder.published is False
    assert next(lesson.slug for lesson in folder.lessons()) == "intro"


def test_a_notebook_is_written_as_jupyter_saves_it(tiny_folder):
    course = import_folder(tiny_folder)
    assert course_files(course)["exercises/guess.ipynb"] == DEMO_SOURCE.read_bytes()


def test_a_draft_exports_with_its_course_s_published_flag(quiz_folder, tmp_path):
    teacher = make_teacher()
    course = import_folder(quiz_folder, owner=teacher)
    draft = course_draft_for(course=course, user=teacher)
    Lesson.objects.filter(unit__course=draft, slug="first-lesson").update(title_en="Changed")
    files = course_files(draft)
    assert b"published: true\n" in files["course.yaml"]
    assert b"title_en: Changed\n" in files["course.yaml"]


# --- the command --------------------------------------------------------------------------------


def test_export_course_writes_the_folder_and_says_so(tiny_folder, tmp_path):
    import_folder(tiny_folder)
    out, err = StringIO(), StringIO()
    call_command("export_course", "tiny-course", str(tmp_path / "out"), stdout=out, stderr=err)
    assert out.getvalue() == f"Exported 'tiny-course' to {tmp_path / 'out'}: 10 file(s).\n"
    assert err.getvalue() == ""
    exported, original = folder_files(tmp_path / "out"), folder_files(tiny_folder)
    assert sorted(exported) == sorted(original)
    for name, data in exported.items():
        if name.endswith(".yaml"):  # the test's YAML is not in the canonical layout
            assert yaml_loader.load(data.decode()) == yaml_loader.load(original[name].decode())
        else:
            assert data == original[name], name


def test_export_course_refuses_a_folder_that_is_not_empty_and_writes_nothing(tiny_folder, tmp_path):
    import_folder(tiny_folder)
    target = tmp_path / "out"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(CommandError, match="is not empty; choose an empty folder, or force"):
        call_command("export_course", "tiny-course", str(target))
    assert [path.name for path in target.iterdir()] == ["notes.txt"]
    (target / "notes.txt").unlink()
    (target / "lessons").mkdir()
    (target / "lessons" / "mine.md").write_text("not a course")
    with pytest.raises(CommandError, match=r"holds lessons but no course\.yaml"):
        call_command("export_course", "tiny-course", str(target), "--force")
    assert (target / "lessons" / "mine.md").exists()


def test_export_course_force_replaces_the_course_files_and_keeps_the_rest(tiny_folder, tmp_path):
    import_folder(tiny_folder)
    (tiny_folder / "lessons" / "old.en.md").write_text("left from an earlier export")
    (tiny_folder / "assets" / "old.png").write_bytes(b"old")
    call_command("export_course", "tiny-course", str(tiny_folder), "--force", stdout=StringIO())
    assert not (tiny_folder / "lessons" / "old.en.md").exists()
    assert not (tiny_folder / "assets" / "old.png").exists()
    assert (tiny_folder / "README.md").read_text() == "Ignored: not part of the course."
    assert (tiny_folder / ".git" / "HEAD").exists()
    assert read_course(tiny_folder).slug == "tiny-course"


def test_export_course_errors_are_one_line(tmp_path):
    with pytest.raises(CommandError, match="There is no course with the slug 'nothing'"):
        call_command("export_course", "nothing", str(tmp_path / "out"))
    browser_course()
    with pytest.raises(CommandError, match="The course 'made-online' has no draft"):
        call_command("export_course", "made-online", str(tmp_path / "out"), "--draft")
    (tmp_path / "file").write_text("x")
    with pytest.raises(CommandError, match=r"is not a folder\. Nothing was written"):
        call_command("export_course", "made-online", str(tmp_path / "file"))


def test_export_course_draft_and_a_warning_for_what_would_not_import(quiz_folder, tmp_path):
    teacher = make_teacher()
    course = import_folder(quiz_folder, owner=teacher)
    draft = course_draft_for(course=course, user=teacher)
    Lesson.objects.filter(unit__course=draft, slug="second-lesson").update(body_zh="")
    out, err = StringIO(), StringIO()
    call_command(
        "export_course", "tiny-course", str(tmp_path / "out"), "--draft", stdout=out, stderr=err
    )
    assert out.getvalue().startswith("Exported the draft of 'tiny-course' to ")
    assert err.getvalue() == (
        f"{tmp_path / 'out'}/lessons/second-lesson.zh.md: the lesson is empty.\n"
        "Warning: 1 problem(s) to fix before this folder imports again.\n"
    )


def test_a_notebook_exercise_without_its_notebook_yet_exports_and_the_import_names_it(
    tiny_folder, tmp_path
):
    course = import_folder(tiny_folder)
    Exercise.objects.filter(lesson__unit__course=course, key="guess").update(source_notebook={})
    err = StringIO()
    call_command(
        "export_course", "tiny-course", str(tmp_path / "out"), stdout=StringIO(), stderr=err
    )
    assert (tmp_path / "out" / "exercises" / "guess.yaml").exists()
    assert not (tmp_path / "out" / "exercises" / "guess.ipynb").exists()
    assert f"{tmp_path / 'out'}/exercises/guess.ipynb: the file is missing.\n" in err.getvalue()
