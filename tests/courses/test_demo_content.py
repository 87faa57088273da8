# Chinese text in comments on purpose.
# ruff: noqa: RUF002, RUF003
"""The demo courses (courses/demo/courses/): complete, bilingual, age-appropriate and gradable.

Every folder must import cleanly; every text exists in English and in Chinese (and the Chinese
is actually Chinese); every quiz has a right answer that earns full marks, a wrong one that
does not, and an explanation; every notebook is a valid nbgrader source whose reference
solution earns full marks in the real sandbox while the released stub earns nothing.
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest
from django.conf import settings
from django.urls import Resolver404, resolve

from courses import quiz
from courses.coursefiles.reader import (
    CourseFolderInvalid,
    ExerciseFile,
    asset_reference,
    course_problems,
    markdown_references,
    read_course,
)
from courses.management.commands.loaddemo import DEMO_DIR, demo_course_folders
from courses.markdown import render_markdown
from courses.models import AgeBand, BigIdea
from graders import grading, notebook

FOLDERS = demo_course_folders()
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# Chinese characters and punctuation (with the quotes “” ‘’), and Markdown emphasis next to them.
_CJK = r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u2018-\u201d]"
# Browsers show a line break or a space inside a paragraph as a space, which is wrong between
# two Chinese characters ("收到的， 是"): Chinese paragraphs are written on one line.
_GAP_IN_CHINESE = re.compile(
    rf"{_CJK}[*_`]*(?:[ \t]*\n[ \t]*(?![-+|#>]|\d+\. |\* )| +)[*_`“]*{_CJK}"
)

# What each band's exercises may be (CURRICULUM.md's table), and what each must include.
ALLOWED_KINDS = {
    "6-8": {"single_choice", "true_false", "ordering", "categorise", "match"},
    "9-11": {"single_choice", "multiple_choice", "true_false", "ordering", "categorise", "match"}
    | {"numeric"},
    "12-14": set(quiz.KINDS) | {"notebook"},
    "15-17": set(quiz.KINDS) | {"notebook"},
    "adult": set(quiz.KINDS) | {"notebook"},
}
REQUIRED_KINDS = {
    "6-8": {"single_choice", "true_false", "ordering"},
    "9-11": {"categorise", "match", "multiple_choice"},
    "12-14": {"numeric", "short_text", "single_choice"},
    "15-17": {"notebook"},
    "adult": {"notebook", "numeric", "short_text"},
}


def folder_id(path: Path) -> str:
    return path.name


def all_courses():
    return [read_course(path) for path in FOLDERS]


def exercises_of(path):
    try:
        course = read_course(path)
    except CourseFolderInvalid:
        return []  # test_the_folder_imports_without_problems says why
    return [(course, exercise) for exercise in course.exercises()]


def pair(obj, field: str) -> tuple[str, str]:
    get = obj.get if isinstance(obj, dict) else lambda name: getattr(obj, name)
    return get(f"{field}_en"), get(f"{field}_zh")


def assert_emphasis_renders(where: str, text: str) -> None:
    """Every *emphasis* became <em>/<strong>: CommonMark will not close `*…？*` before a
    Chinese character, which leaves stars on the page or nests one <em> in another."""
    html = re.sub(r"<(pre|code)>.*?</\1>", "", str(render_markdown(text)), flags=re.S)
    assert "*" not in re.sub(r"<[^>]+>", "", html), f"{where}: a * was not rendered: {text!r}"
    nested = re.search(r"<(em|strong)>[^<]*<\1>", html)
    assert nested is None, f"{where}: emphasis inside emphasis: {html!r}"


def assert_bilingual(where: str, english: str, chinese: str) -> None:
    assert english and english.strip(), f"{where}: no English"
    assert chinese and chinese.strip(), f"{where}: no Chinese"
    assert _HAN.search(chinese), f"{where}: the Chinese text has no Chinese in it: {chinese!r}"
    assert not _HAN.search(english), f"{where}: Chinese in the English text: {english!r}"
    gap = _GAP_IN_CHINESE.search(chinese)
    assert gap is None, f"{where}: a line break or space between Chinese characters: {gap[0]!r}"
    assert_emphasis_renders(f"{where} (en)", english)
    assert_emphasis_renders(f"{where} (zh)", chinese)


# --- the folders --------------------------------------------------------------------------------


def test_there_is_one_demo_course_per_age_band():
    assert sorted(course.age_band for course in all_courses()) == sorted(AgeBand.values)


@pytest.mark.parametrize("path", FOLDERS, ids=folder_id)
def test_the_folder_imports_without_problems(path):
    assert course_problems(path) == []
    course = read_course(path)
    assert course.public and course.published
    # CURRICULUM.md: at least four lessons that together touch all five big ideas.
    assert sorted(course.big_ideas) == sorted(BigIdea.values)
    lessons = list(course.lessons())
    assert len(lessons) >= 4
    for lesson in lessons:
        assert len(lesson.exercises) >= 2, f"{lesson.slug}: every lesson has exercises"


@pytest.mark.parametrize("path", FOLDERS, ids=folder_id)
def test_older_learners_get_at_least_three_notebooks(path):
    course = read_course(path)
    notebooks = [exercise for exercise in course.exercises() if exercise.is_notebook]
    if course.age_band in ("15-17", "adult"):
        assert len(notebooks) >= 3


@pytest.mark.parametrize("path", FOLDERS, ids=folder_id)
def test_every_text_is_in_english_and_chinese(path):
    course = read_course(path)
    assert_bilingual(f"{path.name} title", *pair(course, "title"))
    assert_bilingual(f"{path.name} summary", *pair(course, "summary"))
    for unit in course.units:
        assert_bilingual(f"unit {unit.title_en}", *pair(unit, "title"))
        for lesson in unit.lessons:
            assert_bilingual(f"lesson {lesson.slug}", *pair(lesson, "title"))
            assert_bilingual(f"lesson {lesson.slug} body", *pair(lesson, "body"))
    for exercise in course.exercises():
        where = f"{path.name}/exercises/{exercise.name}"
        assert_bilingual(f"{where} title", exercise.title, exercise.title_zh)
        assert_bilingual(f"{where} prompt", *pair(exercise, "prompt"))
        assert_bilingual(f"{where} explanation", *pair(exercise, "explanation"))
        for key in ("options", "items", "categories", "left", "right"):
            for item in exercise.spec.get(key, []):
                for field in ("text", "alt", "feedback"):
                    if f"{field}_en" in item:
                        assert_bilingual(f"{where} {key}.{item['id']}", *pair(item, field))


@pytest.mark.parametrize("path", FOLDERS, ids=folder_id)
def test_exercise_kinds_fit_the_age_band(path):
    course = read_course(path)
    kinds = {exercise.kind for exercise in course.exercises()}
    assert kinds <= ALLOWED_KINDS[course.age_band], kinds - ALLOWED_KINDS[course.age_band]
    assert REQUIRED_KINDS[course.age_band] <= kinds
    if course.age_band == "6-8":
        # Pictures for children who are still learning to read.
        picture_choices = [
            exercise
            for exercise in course.exercises()
            if exercise.kind == "single_choice"
            and all("image" in option for option in exercise.spec["options"])
        ]
        assert len(picture_choices) >= 2


@pytest.mark.parametrize("path", FOLDERS, ids=folder_id)
def test_every_reference_points_at_an_asset_and_every_asset_is_used(path):
    course = read_course(path)
    names = {asset.name for asset in course.assets}
    texts = [lesson.body_en for lesson in course.lessons()]
    texts += [lesson.body_zh for lesson in course.lessons()]
    for exercise in course.exercises():
        texts += [exercise.prompt_en, exercise.prompt_zh]
        texts += [exercise.explanation_en, exercise.explanation_zh]
    used = set()
    for text in texts:
        for _kind, reference in markdown_references(text):
            name = asset_reference(reference)
            if name is not None:
                assert name in names, f"{path.name}: {reference} is missing"
                used.add(name)
    for exercise in course.exercises():
        for key in ("options", "items", "categories", "left", "right"):
            for item in exercise.spec.get(key, []):
                if "image" in item:
                    assert item["image"] in names, f"{exercise.name}: {item['image']}"
                    used.add(item["image"])
    assert used == names, f"unused assets: {names - used}"


# External sources the lessons may cite. CI cannot fetch them, so a link must be https and point
# at one of the sources CURRICULUM.md names; a link into the site must resolve to a page.
SOURCE_HOSTS = {"github.com", "doi.org", "www.unesco.org", "unesdoc.unesco.org", "www.moe.gov.cn"}


@pytest.mark.parametrize("path", FOLDERS, ids=folder_id)
def test_every_link_resolves(path):
    course = read_course(path)
    texts = [lesson.body_en for lesson in course.lessons()]
    texts += [lesson.body_zh for lesson in course.lessons()]
    for exercise in course.exercises():
        texts += [exercise.prompt_en, exercise.prompt_zh]
        texts += [exercise.explanation_en, exercise.explanation_zh]
    for text in texts:
        for kind, reference in markdown_references(text):
            if kind != "link" or asset_reference(reference) is not None:
                continue  # assets: test_every_reference_points_at_an_asset…
            if reference.startswith("#"):
                continue
            parts = urlsplit(reference)
            if parts.scheme:
                assert parts.scheme == "https", f"{path.name}: {reference}"
                assert parts.hostname in SOURCE_HOSTS, f"{path.name}: {reference} is no source"
            else:
                try:
                    resolve(parts.path)
                except Resolver404:
                    raise AssertionError(f"{path.name}: {reference} is no page") from None


# --- quizzes ------------------------------------------------------------------------------------


def right_answers(exercise: ExerciseFile) -> list:
    spec = exercise.spec
    kind = exercise.kind
    if kind in ("single_choice", "multiple_choice", "true_false", "numeric"):
        return [spec["correct"]]
    if kind == "short_text":
        return [*spec["accepted_en"], *spec["accepted_zh"]]
    if kind == "ordering":
        return [[item["id"] for item in spec["items"]]]
    if kind == "categorise":
        return [{item["id"]: item["category"] for item in spec["items"]}]
    if kind == "match":
        return [dict(spec["pairs"])]
    raise AssertionError(kind)


def a_wrong_answer(exercise: ExerciseFile):
    spec = exercise.spec
    kind = exercise.kind
    if kind == "single_choice":
        return next(o["id"] for o in spec["options"] if o["id"] != spec["correct"])
    if kind == "multiple_choice":
        return [o["id"] for o in spec["options"] if o["id"] not in spec["correct"]]
    if kind == "true_false":
        return not spec["correct"]
    if kind == "numeric":
        return spec["correct"] + 1000
    if kind == "short_text":
        return "something else entirely"
    if kind == "ordering":
        return [item["id"] for item in reversed(spec["items"])]
    if kind == "categorise":
        first = spec["categories"][0]["id"]
        return {item["id"]: first for item in spec["items"]}
    if kind == "match":
        lefts, rights = list(spec["pairs"]), list(spec["pairs"].values())
        return dict(zip(lefts, rights[1:] + rights[:1], strict=True))
    raise AssertionError(kind)


QUIZZES = [
    pytest.param(exercise, id=f"{course.slug}/{exercise.name}")
    for path in FOLDERS
    for course, exercise in exercises_of(path)
    if not exercise.is_notebook
]
NOTEBOOKS = [
    pytest.param(exercise, id=f"{course.slug}/{exercise.name}")
    for path in FOLDERS
    for course, exercise in exercises_of(path)
    if exercise.is_notebook
]


@pytest.mark.parametrize("exercise", QUIZZES)
def test_the_right_answer_earns_full_marks_and_a_wrong_one_does_not(exercise):
    assert quiz.validate_spec(exercise.kind, exercise.spec) == []
    for answer in right_answers(exercise):
        result = quiz.mark(exercise.kind, exercise.spec, answer)
        assert result.correct and result.score == result.max_score > 0, answer
    wrong = quiz.mark(exercise.kind, exercise.spec, a_wrong_answer(exercise))
    assert not wrong.correct and wrong.score < wrong.max_score


# --- notebooks ----------------------------------------------------------------------------------


def load(content: bytes):
    return notebook.load_source(content, max_bytes=settings.GRADER_MAX_NOTEBOOK_BYTES)


@pytest.mark.parametrize("exercise", NOTEBOOKS)
def test_each_notebook_is_a_valid_nbgrader_source_with_a_chinese_twin(exercise):
    source = load(exercise.notebook)
    assert notebook.validate_source(source) == []
    assert grading.max_score_of(source) > 0
    released = nbformat.writes(notebook.release(source))
    assert "BEGIN SOLUTION" not in released and "BEGIN HIDDEN TESTS" not in released
    assert "raise NotImplementedError()" in released
    assert exercise.notebook_zh is not None, "every demo notebook has a Chinese twin"
    twin = load(exercise.notebook_zh)
    assert notebook.validate_source(twin) == []
    markdown_zh = "\n\n".join(cell.source for cell in twin.cells if cell.cell_type == "markdown")
    assert _HAN.search(markdown_zh), "the twin's text is in Chinese"
    gap = _GAP_IN_CHINESE.search(markdown_zh)
    assert gap is None, f"a line break or space between Chinese characters: {gap[0]!r}"
    assert_emphasis_renders(f"{exercise.name} (zh notebook)", markdown_zh)


def test_the_adult_course_reuses_the_standalone_demo_notebook_unchanged():
    copy = DEMO_DIR / "courses" / "models-evidence-cost" / "exercises" / "how-good-is-a-guess.ipynb"
    assert copy.read_bytes() == (DEMO_DIR / "how_good_is_a_guess.ipynb").read_bytes()


@pytest.mark.sandbox
@pytest.mark.parametrize("exercise", NOTEBOOKS)
def test_reference_solutions_earn_full_marks_and_stubs_earn_nothing(exercise):
    source = load(exercise.notebook)
    full = grading.max_score_of(source)
    solved = grading.grade(source, exercise.notebook)
    assert (solved.status, solved.score, solved.max_score) == ("graded", full, full), [
        (test.grade_id, test.points, test.message) for test in solved.tests if not test.passed
    ]
    # A learner working in Chinese submits the twin; the English source's tests grade it.
    solved_zh = grading.grade(source, exercise.notebook_zh)
    assert (solved_zh.status, solved_zh.score) == ("graded", full)
    stub = grading.grade(source, nbformat.writes(notebook.release(source)))
    assert (stub.status, stub.score) == ("graded", 0.0)
