# Chinese text uses full-width punctuation on purpose.
# ruff: noqa: RUF001
"""Course folders: reading and checking them, importing them in one transaction, import_course."""

import json
import os
from io import StringIO
from pathlib import Path

import nbformat
import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from courses import services
from courses.coursefiles.importer import CourseImportError, course_import
from courses.coursefiles.reader import CourseFolderInvalid, course_problems, read_course
from courses.models import Course, CourseAsset, Exercise, Lesson, QuizAttempt
from tests.factories import (
    DEMO_SOURCE,
    ROOT,
    make_admin,
    make_classroom,
    make_student,
    make_teacher,
)

pytestmark = pytest.mark.django_db

# The demo problem set's Chinese twin (the adult demo course has the same English notebook).
DEMO_TWIN = (
    ROOT / "courses/demo/courses/models-evidence-cost/exercises/how-good-is-a-guess.zh.ipynb"
)

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>'

COURSE_YAML = """\
format: 1
slug: tiny-course
title_en: A tiny course
title_zh: 一门小课
summary_en: Just enough to test with.
summary_zh: 刚好够测试用。
age_band: "9-11"
big_ideas: [perception, learning]
public: true
published: true
units:
  - title_en: First unit
    title_zh: 第一单元
    lessons:
      - slug: first-lesson
        title_en: First lesson
        title_zh: 第一课
        exercises: [pick-the-cat.yaml, guess.yaml]
      - slug: second-lesson
        title_en: Second lesson
        title_zh: 第二课
"""

QUIZ_YAML = """\
kind: single_choice
title: Pick the cat
title_zh: 选出猫
prompt_en: Which one is a cat?
prompt_zh: 哪一个是猫？
explanation_en: Whiskers.
explanation_zh: 有胡子。
max_attempts: 2
spec:
  options:
    - {id: cat, image: pictures/cat.svg, alt_en: A cat, alt_zh: 一只猫}
    - {id: dog, text_en: A dog, text_zh: 一只狗}
  correct: cat
"""

NOTEBOOK_YAML = """\
kind: notebook
title: How good is a guess?
title_zh: 猜得有多准？
prompt_en: Write accuracy and nearest neighbour.
prompt_zh: 写出准确率和最近邻。
limits: {cell_timeout: 60}
"""


def write_course(root: Path, files: dict[str, str | bytes | None] | None = None) -> Path:
    """A valid course folder at `root`; `files` adds, replaces (or, with None, removes) files."""
    content: dict[str, str | bytes | None] = {
        "course.yaml": COURSE_YAML,
        "lessons/first-lesson.en.md": "# First\n\n![A cat](pictures/cat.svg)\n\n[data](data.csv)\n",
        "lessons/first-lesson.zh.md": "# 第一\n\n![一只猫](pictures/cat.svg)\n",
        "lessons/second-lesson.en.md": "# Second\n",
        "lessons/second-lesson.zh.md": "# 第二\n",
        "exercises/pick-the-cat.yaml": QUIZ_YAML,
        "exercises/guess.yaml": NOTEBOOK_YAML,
        "exercises/guess.ipynb": DEMO_SOURCE.read_bytes(),
        "assets/pictures/cat.svg": SVG,
        "assets/data.csv": "x,y\n1,2\n",
        "README.md": "Ignored: not part of the course.",
        ".git/HEAD": "ignored too",
    }
    content.update(files or {})
    for name, data in content.items():
        if data is None:
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            data = data.encode()
        path.write_bytes(data)
    return root


def problem_texts(path) -> list[str]:
    return [str(problem) for problem in course_problems(path)]


# --- reading ------------------------------------------------------------------------------------


def test_a_valid_folder_reads_into_units_lessons_exercises_and_assets(tmp_path):
    course = read_course(write_course(tmp_path))
    assert (course.slug, course.age_band, course.public, course.published) == (
        "tiny-course",
        "9-11",
        True,
        True,
    )
    assert course.big_ideas == ["perception", "learning"]
    [unit] = course.units
    assert [lesson.slug for lesson in unit.lessons] == ["first-lesson", "second-lesson"]
    first = unit.lessons[0]
    assert first.body_zh.startswith("# 第一")
    assert [exercise.name for exercise in first.exercises] == ["pick-the-cat.yaml", "guess.yaml"]
    quiz, notebook = first.exercises
    assert quiz.spec["correct"] == "cat" and quiz.max_attempts == 2
    assert notebook.is_notebook and notebook.notebook == DEMO_SOURCE.read_bytes()
    assert notebook.notebook_zh is None and notebook.limits == {"cell_timeout": 60}
    assert sorted(asset.name for asset in course.assets) == ["data.csv", "pictures/cat.svg"]


def test_every_problem_is_reported_at_once_with_its_file_and_field(tmp_path):
    write_course(
        tmp_path,
        {
            "course.yaml": COURSE_YAML.replace('age_band: "9-11"', "age_band: teens").replace(
                "title_zh: 第二课\n", ""
            ),
            "exercises/pick-the-cat.yaml": QUIZ_YAML.replace("correct: cat", "corect: cat"),
            "lessons/second-lesson.zh.md": None,
        },
    )
    problems = problem_texts(tmp_path)
    assert "course.yaml: age_band: must be one of 6-8, 9-11, 12-14, 15-17, adult." in problems
    assert "course.yaml: units[0].lessons[1].title_zh: this field is missing." in problems, problems
    assert "exercises/pick-the-cat.yaml: spec: “corect” is not a known field." in problems
    assert "exercises/pick-the-cat.yaml: spec: “correct” is missing." in problems
    assert "lessons/second-lesson.zh.md: the file is missing." in problems
    with pytest.raises(CourseFolderInvalid) as caught:
        read_course(tmp_path)
    assert len(caught.value.problems) == len(problems) == 5


def test_unknown_fields_are_errors_at_every_level(tmp_path):
    write_course(
        tmp_path,
        {
            "course.yaml": COURSE_YAML.replace("public: true", "pubic: true").replace(
                "      - slug: second-lesson", "      - slug: second-lesson\n        body: oops"
            ),
            "exercises/guess.yaml": NOTEBOOK_YAML + "spec: {}\n",
        },
    )
    problems = problem_texts(tmp_path)
    assert "course.yaml: pubic: not a known field." in problems
    assert "course.yaml: units[0].lessons[1].body: not a known field." in problems
    assert "exercises/guess.yaml: spec: not a known field." in problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("slug: [unclosed\n", "not valid YAML: expected ',' or ']'"),
        ("base: &a {x: 1}\nother: *a\n", "aliases (*name) are not allowed"),
        ("slug: one\nslug: two\n", "the key 'slug' appears twice"),
        ("- just\n- a list\n", "must hold a mapping"),
    ],
)
def test_yaml_is_read_strictly(tmp_path, text, expected):
    write_course(tmp_path, {"course.yaml": text})
    [problem] = [p for p in problem_texts(tmp_path) if p.startswith("course.yaml")]
    assert expected in problem
    if "YAML" in expected:
        assert "(line 2, column 1)" in problem


def test_asset_references_must_exist_and_stay_inside_the_course(tmp_path):
    write_course(
        tmp_path,
        {
            "lessons/first-lesson.en.md": (
                "![a](assets/pictures/cat.svg) ![b](../secret.png) ![c](missing.png)\n"
                '<img src="also-missing.gif"> [fine](https://example.org/x.png) [top](#top)\n'
                "![not a picture](data.csv)\n"
            ),
            "exercises/pick-the-cat.yaml": QUIZ_YAML.replace("pictures/cat.svg", "cat.svg"),
        },
    )
    problems = problem_texts(tmp_path)
    lesson = "lessons/first-lesson.en.md"
    assert any(
        p.startswith(f"{lesson}: image assets/pictures/cat.svg")
        and "Paths are relative to assets/: write “pictures/cat.svg”." in p
        for p in problems
    ), problems
    assert f"{lesson}: image ../secret.png: “../secret.png” points outside the course." in problems
    assert any("“missing.png” is not in the course's assets/ folder" in p for p in problems)
    assert any("“also-missing.gif” is not in the course's assets/ folder" in p for p in problems)
    assert f"{lesson}: image data.csv: “data.csv” is not an image." in problems
    assert (
        "exercises/pick-the-cat.yaml: spec.options[0].image: "
        "“cat.svg” is not in the course's assets/ folder."
    ) in problems
    assert len(problems) == 6, problems


def test_files_the_course_does_not_use_are_errors_but_top_level_extras_are_ignored(tmp_path):
    write_course(
        tmp_path,
        {
            "lessons/draft.en.md": "# not listed",
            "exercises/old-quiz.yaml": QUIZ_YAML,
            "exercises/.ipynb_checkpoints/guess-checkpoint.ipynb": "{}",
            "notes.txt": "a teacher's notes",
        },
    )
    assert problem_texts(tmp_path) == [
        "exercises/old-quiz.yaml: not used by course.yaml (a lesson or exercise not listed, or a typo?).",
        "lessons/draft.en.md: not used by course.yaml (a lesson or exercise not listed, or a typo?).",
    ]


def test_symbolic_links_are_refused(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    folder = write_course(tmp_path / "course")
    os.symlink(outside, folder / "assets" / "leak.txt")
    os.symlink(outside, folder / "lessons" / "second-lesson.zh.md.tmp")
    (folder / "lessons" / "second-lesson.en.md").unlink()
    os.symlink(outside, folder / "lessons" / "second-lesson.en.md")
    problems = problem_texts(folder)
    assert "assets/leak.txt: symbolic links are not allowed in a course folder." in problems
    assert "lessons/second-lesson.en.md: symbolic links are not allowed in a course folder." in (
        problems
    )
    assert not any("secret" in problem for problem in problems)


def test_bad_assets_are_reported_with_their_reason(tmp_path):
    write_course(
        tmp_path,
        {
            "assets/page.html": "<p>hi</p>",
            "assets/fake.png": "not a png",
            "assets/evil.svg": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        },
    )
    problems = problem_texts(tmp_path)
    assert any(
        p.startswith("assets/page.html: Only these file types are allowed") for p in problems
    )
    assert "assets/fake.png: The content is not a image/png file." in problems
    assert "assets/evil.svg: An SVG must not contain event handlers (onload)." in problems


def _twin_with(**changes) -> str:
    """The demo twin with changes to the nbgrader metadata or source of cells, by grade_id."""
    twin = json.loads(DEMO_TWIN.read_text())
    for cell in twin["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        for key, value in changes.get(gid, {}).items():
            if key == "source":
                cell["source"] = value
            else:
                cell["metadata"]["nbgrader"][key] = value
    return json.dumps(twin)


def test_a_chinese_twin_notebook_must_grade_the_same_cells(tmp_path):
    twin = _twin_with(
        test_accuracy_basic={"points": 5},
        nearest_neighbour={"grade_id": "nearest"},
        test_nearest_neighbour_hidden={
            "source": 'assert nearest_neighbour((9, 1), TRAIN) == "bird"'
        },
    )
    write_course(tmp_path, {"exercises/guess.zh.ipynb": twin})
    assert problem_texts(tmp_path) == [
        "exercises/guess.zh.ipynb: notebook: an answer cell with grade_id 'nearest_neighbour' is "
        "missing (the English notebook has it)",
        "exercises/guess.zh.ipynb: cell 5 (grade_id 'test_accuracy_basic'): worth 5 points here "
        "but 1 in the English notebook",
        "exercises/guess.zh.ipynb: cell 8 (grade_id 'nearest'): the English notebook has no cell "
        "with this grade_id",
        "exercises/guess.zh.ipynb: cell 10 (grade_id 'test_nearest_neighbour_hidden'): it has no "
        "hidden tests here but the English notebook's cell has",
    ]
    write_course(tmp_path, {"exercises/guess.zh.ipynb": DEMO_TWIN.read_bytes()})
    [_quiz, notebook] = read_course(tmp_path).units[0].lessons[0].exercises
    assert notebook.notebook_zh == DEMO_TWIN.read_bytes()


def test_a_twin_must_keep_the_graded_cells_in_order_and_of_the_same_kind(tmp_path):
    twin = json.loads(DEMO_TWIN.read_text())
    cells = twin["cells"]
    cells[4], cells[5] = cells[5], cells[4]  # two test cells swapped
    cells[3]["metadata"]["nbgrader"].update(grade=True, points=1)  # an answer now marked by hand
    write_course(tmp_path, {"exercises/guess.zh.ipynb": json.dumps(twin)})
    assert problem_texts(tmp_path) == [
        "exercises/guess.zh.ipynb: cell 4 (grade_id 'accuracy'): an answer marked by a teacher "
        "here but an answer cell in the English notebook",
        "exercises/guess.zh.ipynb: notebook: the cells with a grade_id come in a different order "
        "than in the English notebook (setup, accuracy, test_accuracy_basic, test_accuracy_errors, "
        "nearest_neighbour, test_nearest_neighbour_partial, test_nearest_neighbour_hidden)",
    ]


def test_an_invalid_source_notebook_lists_its_problems(tmp_path):
    broken = json.loads(DEMO_SOURCE.read_text())
    broken["cells"][3]["source"] = "def accuracy(a, b):\n    ### BEGIN SOLUTION\n    return 1\n"
    write_course(tmp_path, {"exercises/guess.ipynb": json.dumps(broken)})
    [problem] = problem_texts(tmp_path)
    assert problem.startswith("exercises/guess.ipynb: cell 4 (grade_id 'accuracy'):")


# --- importing ----------------------------------------------------------------------------------


def test_import_stores_the_whole_course_through_the_services(tmp_path):
    teacher = make_teacher()
    course = course_import(folder=read_course(write_course(tmp_path)), owner=teacher)
    assert (course.owner, course.is_public, course.is_published) == (teacher, True, True)
    assert course.title_zh == "一门小课" and course.summary_en == "Just enough to test with."
    lessons = list(Lesson.objects.filter(unit__course=course).order_by("position"))
    assert [(lesson.position, lesson.title_en) for lesson in lessons] == [
        (1, "First lesson"),
        (2, "Second lesson"),
    ]
    assert lessons[0].body_en.startswith("# First\n")
    quiz, notebook = lessons[0].exercises.order_by("position")
    assert (quiz.position, quiz.kind, quiz.max_attempts, quiz.max_score) == (
        1,
        "single_choice",
        2,
        1.0,
    )
    assert quiz.explanation_zh == "有胡子。" and quiz.is_published and quiz.owner == teacher
    assert (notebook.position, notebook.kind, notebook.title_zh) == (2, "notebook", "猜得有多准？")
    assert notebook.prompt_zh == "写出准确率和最近邻。" and notebook.limits == {"cell_timeout": 60}
    assert notebook.max_score == 10.0 and notebook.is_published
    assert "BEGIN HIDDEN TESTS" not in json.dumps(notebook.released_notebook)
    cat = CourseAsset.objects.get(course=course, name="pictures/cat.svg")
    assert (bytes(cat.content), cat.content_type, cat.size) == (SVG, "image/svg+xml", len(SVG))
    assert len(cat.sha256) == 64


def test_import_stores_the_chinese_twin_checked_and_released(tmp_path):
    folder = write_course(tmp_path, {"exercises/guess.zh.ipynb": DEMO_TWIN.read_bytes()})
    course = course_import(folder=read_course(folder), owner=make_teacher())
    notebook = Exercise.objects.get(lesson__unit__course=course, kind="notebook")
    assert notebook.source_notebook_zh == nbformat.reads(DEMO_TWIN.read_text(), as_version=4)
    released_zh = json.dumps(notebook.released_notebook_zh, ensure_ascii=False)
    assert "只读的准备代码" in released_zh  # the twin's own text
    assert "BEGIN HIDDEN TESTS" not in released_zh and "BEGIN SOLUTION" not in released_zh
    assert notebook.max_score == 10.0
    # Without a twin the Chinese fields stay empty: learners in Chinese get the English one.
    course_import(folder=read_course(write_course(tmp_path / "plain")), replace=True)
    plain = Exercise.objects.get(lesson__unit__course=course, kind="notebook")
    assert (plain.source_notebook_zh, plain.released_notebook_zh) == ({}, {})
    assert plain.released_notebook_for("zh-hans") == plain.released_notebook


def test_a_failure_half_way_stores_nothing(tmp_path):
    folder = read_course(write_course(tmp_path))
    # Behind the reader's back, as a bug or a race might: the service refuses the second
    # lesson's quiz after the course, unit, lesson and assets were already created.
    folder.units[0].lessons[0].exercises[0].spec = {"options": [], "correct": "x"}
    with pytest.raises(CourseImportError):
        course_import(folder=folder, owner=make_teacher())
    assert not Course.objects.exists() and not CourseAsset.objects.exists()
    assert not Exercise.objects.exists()


def test_an_existing_slug_is_refused_unless_replacing(tmp_path):
    folder = read_course(write_course(tmp_path))
    teacher = make_teacher()
    course_import(folder=folder, owner=teacher)
    with pytest.raises(CourseImportError, match="exists already"):
        course_import(folder=folder, owner=teacher)
    assert Course.objects.count() == 1


def test_replacing_keeps_the_course_row_owner_and_classes_and_rebuilds_the_rest(tmp_path):
    teacher = make_teacher()
    first = course_import(folder=read_course(write_course(tmp_path)), owner=teacher)
    classroom = make_classroom(teacher)
    classroom.courses.add(first)
    old_exercises = set(Exercise.objects.filter(lesson__unit__course=first).values_list("pk"))
    write_course(
        tmp_path,
        {"course.yaml": COURSE_YAML.replace("A tiny course", "A renamed course")},
    )
    again = course_import(folder=read_course(tmp_path), replace=True)
    assert again.pk == first.pk and again.owner == teacher and again.title_en == "A renamed course"
    assert list(classroom.courses.all()) == [again]
    new_exercises = set(Exercise.objects.filter(lesson__unit__course=again).values_list("pk"))
    assert len(new_exercises) == 2 and not new_exercises & old_exercises
    assert Lesson.objects.filter(unit__course=again).count() == 2
    assert CourseAsset.objects.filter(course=again).count() == 2


def test_replacing_is_refused_while_learners_have_work_in_a_course_never_published(tmp_path):
    # A published course takes the folder into its draft instead (tests/coursefiles/); one
    # never published has no draft to take it.
    unpublished = COURSE_YAML.replace("published: true", "published: false")
    folder = read_course(write_course(tmp_path, {"course.yaml": unpublished}))
    course = course_import(folder=folder, owner=make_teacher())
    quiz = Exercise.objects.get(lesson__unit__course=course, kind="single_choice")
    services.quiz_answer_submit(learner=make_student(), exercise=quiz, answer="dog")
    with pytest.raises(CourseImportError, match="learners have quiz attempts in it"):
        course_import(folder=read_course(tmp_path), replace=True)
    assert Exercise.objects.filter(pk=quiz.pk).exists() and QuizAttempt.objects.count() == 1


# --- the command --------------------------------------------------------------------------------


def test_import_course_command_imports_and_reports(tmp_path):
    admin = make_admin()
    out = StringIO()
    call_command("import_course", str(write_course(tmp_path)), stdout=out)
    assert out.getvalue() == (
        "Imported 'A tiny course' (tiny-course, ages 9-11): 1 unit(s), 2 lesson(s), "
        "2 exercise(s), 2 asset(s).\n"
    )
    assert Course.objects.get().owner == admin


def test_import_course_command_lists_problems_and_stores_nothing(tmp_path):
    make_admin()
    write_course(tmp_path, {"course.yaml": COURSE_YAML.replace("title_en: A tiny course\n", "")})
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem\\(s\\) in the course folder; nothing"):
        call_command("import_course", str(tmp_path), stderr=err)
    assert err.getvalue() == f"{tmp_path}/course.yaml: title_en: this field is missing.\n"
    assert not Course.objects.exists()


def test_import_course_command_replace_and_owner_options(tmp_path):
    write_course(tmp_path)
    teacher = make_teacher("ms-li")
    call_command("import_course", str(tmp_path), "--owner", "ms-li", stdout=StringIO())
    with pytest.raises(CommandError, match="exists already: pass --replace"):
        call_command("import_course", str(tmp_path), stdout=StringIO())
    out = StringIO()
    call_command("import_course", str(tmp_path), "--replace", stdout=out)
    assert out.getvalue().startswith("Replaced 'A tiny course' (tiny-course, ages 9-11): 1 unit(s)")
    assert Course.objects.get().owner == teacher
    with pytest.raises(CommandError, match="There is no user called 'nobody'"):
        call_command("import_course", str(tmp_path), "--replace", "--owner", "nobody")


def test_import_course_command_needs_someone_to_own_a_new_course(tmp_path):
    User.objects.all().delete()
    with pytest.raises(CommandError, match="pass --owner"):
        call_command("import_course", str(write_course(tmp_path)))


def test_import_course_command_on_a_missing_folder(tmp_path):
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_course", str(tmp_path / "nowhere"), stderr=StringIO())
