# Chinese text uses full-width punctuation on purpose.
# ruff: noqa: RUF001
"""An nbgrader course directory (source/<assignment>/*.ipynb) imports as a course."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from courses.coursefiles.nbgrader_dir import (
    first_heading,
    is_nbgrader_course,
    natural_key,
    read_nbgrader_course,
)
from courses.coursefiles.reader import CourseFolderInvalid
from courses.coursefiles.writer import notebook_bytes
from courses.models import Course, CourseAsset, Exercise, Lesson, Unit
from graders import notebook
from tests.coursefiles.conftest import KNN, PLAIN_NOTEBOOK, PS1, TWIN, write_nbgrader_course
from tests.courses.test_coursefiles import write_course
from tests.factories import make_admin, make_teacher

pytestmark = pytest.mark.django_db


def problems_of(root, **options) -> list[str]:
    with pytest.raises(CourseFolderInvalid) as caught:
        read_nbgrader_course(root, **options)
    return [str(problem) for problem in caught.value.problems]


def test_an_nbgrader_directory_reads_as_one_unit_with_a_lesson_per_assignment(tmp_path):
    root = write_nbgrader_course(tmp_path / "ML 101")
    assert is_nbgrader_course(root)
    course = read_nbgrader_course(root)
    assert (course.slug, course.title_en, course.title_zh, course.age_band) == (
        "ml-101",
        "ML 101",
        "ML 101",
        "adult",
    )
    assert (course.public, course.published) == (False, False)
    [unit] = course.units
    assert (unit.title_en, unit.title_zh) == ("Assignments", "作业")
    assert [lesson.slug for lesson in unit.lessons] == ["ps2", "ps10"]  # natural order
    ps2, ps10 = unit.lessons
    [knn] = ps2.exercises
    assert (knn.name, knn.kind, knn.title) == (
        "knn.yaml",
        "notebook",
        "k-nearest neighbours on iris",
    )
    assert knn.notebook == KNN and knn.notebook_zh is None and knn.title_zh == knn.title
    [ps1] = ps10.exercises
    assert ps1.notebook == PS1 and ps1.notebook_zh == TWIN
    assert ps1.title == "Problem set 1: how good is a guess?"
    assert ps1.title_zh == "练习 1：猜得有多准？"
    # Files beside the notebooks are assets, linked from the lesson; checkpoints are hidden.
    assert sorted(asset.name for asset in course.assets) == ["ps2/img/flower.png", "ps2/iris.csv"]
    assert ps2.body_en == (
        "The notebooks of the nbgrader assignment “ps2”.\n\n"
        "Files:\n\n- [iris.csv](ps2/iris.csv)\n- [img/flower.png](ps2/img/flower.png)\n"
    )
    assert ps2.body_zh.startswith("nbgrader 作业“ps2”的笔记本。\n\n文件：\n\n- [iris.csv]")
    assert ps10.body_en == "The notebooks of the nbgrader assignment “ps10”.\n"


def test_slug_and_age_band_can_be_given(tmp_path):
    root = write_nbgrader_course(tmp_path / "course")
    course = read_nbgrader_course(root, slug="intro-ml", age_band="15-17")
    assert (course.slug, course.age_band) == ("intro-ml", "15-17")


def test_every_problem_is_listed_at_once(tmp_path):
    root = write_nbgrader_course(
        tmp_path / "课程",  # no Latin letters: no slug from the name
        {
            "source/ps2/grades.xlsx": b"PK\x03\x04 a spreadsheet",
            "source/ps2/data/extra.ipynb": KNN,
            "source/ps3/plain.ipynb": PLAIN_NOTEBOOK,
            "source/ps4/notes.txt": "no notebooks here",
            "source/ps4/orphan.zh.ipynb": TWIN,
            "source/header.ipynb": KNN,
        },
    )
    problems = problems_of(root, age_band="toddlers")
    assert problems == [
        "slug: “” cannot be the course's slug (lower-case letters, digits, “-” and “_”, at "
        "most 80); give one.",
        "age_band: must be one of 6-8, 9-11, 12-14, 15-17, adult.",
        "source/header.ipynb: not in an assignment folder: nbgrader keeps each assignment in "
        "source/<assignment>/.",
        "source/ps2/data/extra.ipynb: a notebook in a sub-folder is not an exercise: nbgrader's "
        "source notebooks are at the top of the assignment folder.",
        "source/ps2/grades.xlsx: Only these file types are allowed: .csv, .gif, .jpeg, .jpg, "
        ".json, .png, .svg, .txt, .webp.",
        "source/ps3/plain.ipynb: the notebook has no graded cells.",
        "source/ps4: the assignment has no notebooks (.ipynb).",
        "source/ps4/orphan.zh.ipynb: a Chinese twin without its English notebook orphan.ipynb.",
    ]


def test_a_mismatching_twin_and_an_empty_source_folder_are_problems(tmp_path):
    root = write_nbgrader_course(tmp_path / "c1", {"source/ps2/knn.zh.ipynb": TWIN})
    problems = problems_of(root)
    assert problems and all(p.startswith("source/ps2/knn.zh.ipynb: ") for p in problems)
    empty = tmp_path / "c2"
    (empty / "source").mkdir(parents=True)
    assert problems_of(empty) == [
        "source: no assignments: nbgrader keeps each one in a folder source/<assignment>/."
    ]


def test_notebooks_with_the_same_name_in_two_assignments_get_distinct_keys(tmp_path):
    root = write_nbgrader_course(tmp_path / "c", {"source/ps10/knn.ipynb": KNN})
    course = read_nbgrader_course(root)
    assert [exercise.name for exercise in course.exercises()] == [
        "ps2-knn.yaml",
        "ps10-knn.yaml",
        "ps1.yaml",
    ]


def test_a_course_folder_is_not_taken_for_an_nbgrader_directory(tmp_path):
    root = write_course(tmp_path / "c", {"source/ps1/ps1.ipynb": PS1})  # course.yaml wins
    assert not is_nbgrader_course(root)
    assert not is_nbgrader_course(tmp_path / "missing")


def test_helpers():
    assert sorted(["ps10", "ps2", "PS1", "lab"], key=natural_key) == ["lab", "PS1", "ps2", "ps10"]
    source = notebook.load_source(PS1, max_bytes=10**6)
    assert first_heading(source) == "Problem set 1: how good is a guess?"
    source.cells = [cell for cell in source.cells if cell.cell_type == "code"]
    assert first_heading(source) == ""


# --- the command --------------------------------------------------------------------------------


def test_import_course_imports_an_nbgrader_directory(tmp_path):
    make_admin()
    root = write_nbgrader_course(tmp_path / "ml-101")
    out = StringIO()
    call_command("import_course", str(root), "--age-band", "15-17", stdout=out)
    assert out.getvalue() == (
        "Imported 'ml 101' (ml-101, ages 15-17): 1 unit(s), 2 lesson(s), 2 exercise(s), "
        "2 asset(s).\n"
    )
    course = Course.objects.get(slug="ml-101")
    assert Unit.objects.filter(course=course).count() == 1
    assert list(
        Lesson.objects.filter(unit__course=course)
        .order_by("position")
        .values_list("slug", "title_en")
    ) == [("ps2", "ps2"), ("ps10", "ps10")]
    knn, ps1 = Exercise.objects.filter(lesson__unit__course=course).order_by(
        "lesson__position", "position"
    )
    assert (knn.key, ps1.key) == ("knn", "ps1")
    assert knn.max_score == 6 and ps1.max_score == 10
    assert ps1.source_notebook_zh and not knn.source_notebook_zh
    assert notebook_bytes(knn.source_notebook) == KNN
    assert CourseAsset.objects.get(course=course, name="ps2/iris.csv").content_type == "text/csv"
    assert not course.is_published


def test_import_course_nbgrader_options_and_problems(tmp_path):
    make_teacher("mr-chen")
    root = write_nbgrader_course(tmp_path / "ml-101", {"source/ps2/notes.docx": b"x"})
    err = StringIO()
    with pytest.raises(CommandError, match=r"1 problem\(s\) in the course folder; nothing"):
        call_command("import_course", str(root), stderr=err)
    assert err.getvalue() == (
        f"{root}/source/ps2/notes.docx: Only these file types are allowed: .csv, .gif, .jpeg, "
        ".jpg, .json, .png, .svg, .txt, .webp.\n"
    )
    (root / "source/ps2/notes.docx").unlink()
    call_command(
        "import_course", str(root), "--slug", "ml", "--owner", "mr-chen", stdout=StringIO()
    )
    assert Course.objects.get(slug="ml").owner.username == "mr-chen"
    course_folder = write_course(tmp_path / "folder")
    with pytest.raises(CommandError, match="--slug and --age-band are for nbgrader"):
        call_command("import_course", str(course_folder), "--slug", "x")


def test_importing_an_nbgrader_directory_again_keeps_its_age_band(tmp_path):
    make_admin()
    root = write_nbgrader_course(tmp_path / "ml-101")
    call_command("import_course", str(root), "--age-band", "12-14", stdout=StringIO())
    call_command("import_course", str(root), "--replace", stdout=StringIO())
    assert Course.objects.get(slug="ml-101").age_band == "12-14"
    call_command("import_course", str(root), "--replace", "--age-band", "adult", stdout=StringIO())
    assert Course.objects.get(slug="ml-101").age_band == "adult"
