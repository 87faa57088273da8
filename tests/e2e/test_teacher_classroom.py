# Chinese text is what a teacher types here.
# ruff: noqa: RUF001
"""Issue 5's whole classroom loop in Chromium, through the pages only, with a real worker grading
in the sandbox:

1. a teacher writes a course (a single-choice quiz, and a notebook whose test is too weak and
   whose written answer a person marks), validates it and publishes version 1;
2. makes a class, gives it the course and reads its code;
3. a learner signs up, joins with the code, answers the quiz and the notebook, sees it graded
   and flagged for the teacher;
4. the teacher finds both scores in the gradebook, marks the written answer with a comment; the
   gradebook and the learner's notebook page show the mark;
5. the teacher makes the test strict (edit → draft → new source notebooks → validate → version
   2), regrades the class, watches the regrade finish with the changed score, and the gradebook
   shows the new automatic score with the mark still on top.
"""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from tests.factories import make_teacher
from tests.support import authoring
from tests.support.a11y import assert_accessible
from tests.support.authoring import CourseTexts, submit

pytestmark = pytest.mark.django_db(transaction=True)

COURSE = CourseTexts(
    slug="testing-code",
    title_en="How tests check code",
    title_zh="测试如何检查代码",
    summary_en="Write a function, then see how a test decides whether it is right.",
    summary_zh="写一个函数，再看测试如何判断它对不对。",
    age_band="Ages 15-17",
)
LESSON = {
    "title_en": "Known answers",
    "title_zh": "已知的答案",
    "body_en": "A **test** runs code on examples whose answers we already know.",
    "body_zh": "**测试**用我们已经知道答案的例子来运行代码。",
}
QUIZ = {
    "title": "What does a test need?",
    "title_zh": "测试需要什么？",
    "prompt_en": "What must you know to test a function?",
    "prompt_zh": "要测试一个函数，你必须知道什么？",
}
QUIZ_OPTIONS = [
    ("The right answer for some inputs", "某些输入的正确答案"),
    ("Its speed", "它的速度"),
]
NOTEBOOK = {
    "title": "Doubling",
    "title_zh": "加倍",
    "prompt_en": "Write `double(x)`, then say in a sentence what a test is for.",
    "prompt_zh": "写出 `double(x)`，再用一句话说说测试有什么用。",
}
CLASS_NAME = "Year 10 Robotics"
LEARNER = {"username": "lan_zhou", "name": "Lan Zhou", "password": "kite-river-lantern-42"}

# The learner's answer is wrong, yet the first version's only test (double(2) == 4) passes it.
LEARNER_CODE = ["def double(x):", "return x + 2"]
LEARNER_TEXT = "A test runs the code on inputs whose answers we know and compares."
MARK = {"score": "2.5", "comment": "Right idea. Also say what happens when an answer is wrong."}

WEAK_TEST = "assert double(2) == 4"
STRICT_TEST = "assert double(2) == 4\nassert double(5) == 10\nassert double(-3) == -6"
TEXTS = {
    "en": {
        "intro": "# Doubling\n\nWrite `double(x)`, which returns twice `x`.",
        "test_doc": '"""double: twice the number (2 points)"""',
        "explain": "## What is a test for?\n\nAnswer in a sentence or two.",
        "answer": "A test runs code on examples whose right answers are known and compares.",
    },
    "zh": {
        "intro": "# 加倍\n\n写出 `double(x)`，返回 `x` 的两倍。",
        "test_doc": '"""double：数字的两倍（2 分）"""',
        "explain": "## 测试有什么用？\n\n用一两句话回答。",
        "answer": "测试用已知正确答案的例子运行代码并比较结果。",
    },
}


def _nbgrader(grade_id: str, *, grade=False, solution=False, locked=False, points=None) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def source_notebook(language: str, test: str) -> str:
    """An nbgrader source notebook: an answer cell, its test, and a written answer (a graded
    markdown solution cell, no test: a teacher marks it, so every submission needs review)."""
    text = TEXTS[language]
    v4 = nbformat.v4
    nb = v4.new_notebook(
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        }
    )
    nb.cells = [
        v4.new_markdown_cell(text["intro"]),
        v4.new_code_cell(
            "def double(x):\n    ### BEGIN SOLUTION\n    return x * 2\n    ### END SOLUTION",
            metadata=_nbgrader("double", solution=True),
        ),
        v4.new_code_cell(
            f"{text['test_doc']}\n{test}",
            metadata=_nbgrader("test_double", grade=True, locked=True, points=2),
        ),
        v4.new_markdown_cell(text["explain"]),
        v4.new_markdown_cell(
            text["answer"], metadata=_nbgrader("explain", grade=True, solution=True, points=3)
        ),
    ]
    nbformat.validate(nb)
    return json.dumps(nb, ensure_ascii=False, indent=1)


def write_notebooks(folder, version: int, test: str):
    """The English source and its Chinese twin as files a teacher would upload."""
    paths = []
    for language in ("en", "zh"):
        path = folder / f"doubling-v{version}.{language}.ipynb"
        path.write_text(source_notebook(language, test), encoding="utf-8")
        paths.append(path)
    return paths


def type_into(page, grade_id: str, lines: list[str]) -> None:
    """Replace an answer cell's text by typing into its editor, line by line (the editor
    indents after a `def` line by itself)."""
    page.locator(f"#answer-{grade_id} + .cm-editor .cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    for index, line in enumerate(lines):
        if index:
            page.keyboard.press("Enter")
        page.keyboard.type(line)


def open_class(page) -> None:
    page.goto("/")
    page.get_by_role("link", name="Classes", exact=True).click()
    page.get_by_role("link", name=CLASS_NAME).click()


def notebook_cell(page):
    """The learner's row of the gradebook, and its quiz and notebook cells."""
    row = page.locator("table.gradebook tbody tr", has_text=LEARNER["name"])
    return row, row.locator("td.cell").nth(0), row.locator("td.cell").nth(1)


@pytest.mark.sandbox
@pytest.mark.workers
def test_a_class_from_a_new_course_to_a_regrade(open_page, login, grading_worker, tmp_path):
    first_en, first_zh = write_notebooks(tmp_path, 1, WEAK_TEST)
    fixed_en, fixed_zh = write_notebooks(tmp_path, 2, STRICT_TEST)

    # 1. The course: a lesson with a quiz and the notebook; validated on the worker, published.
    teacher = open_page("desktop")
    teacher.on("dialog", lambda dialog: dialog.accept())  # the regrade button asks first
    login(teacher, make_teacher("ms_lin"))
    authoring.course_create(teacher, COURSE)
    assert teacher.locator("#course-status").inner_text() == "Draft: never published"
    assert_accessible(teacher)
    authoring.unit_add(teacher, "Testing", "测试")
    authoring.lesson_add(teacher, "Testing", LESSON)
    authoring.single_choice_add(teacher, LESSON["title_en"], QUIZ, QUIZ_OPTIONS, right=0)
    assert_accessible(teacher)
    teacher.get_by_role("link", name="Back to the course").click()
    authoring.notebook_add(teacher, LESSON["title_en"], NOTEBOOK, first_en, first_zh)
    cells = teacher.locator("#graded-cells tbody tr").all_inner_texts()
    assert [line.split("\t")[1:4] for line in cells] == [
        ["test_double", "autograded test", "2"],
        ["explain", "answer marked by the teacher", "3"],
    ], cells
    assert_accessible(teacher)
    teacher.get_by_role("link", name="Back to the course").click()
    authoring.validate(teacher)
    authoring.publish(teacher, "First version", 1)
    assert teacher.locator("#course-status").inner_text() == "Published"
    assert_accessible(teacher)

    # 2. The class, its course, its code.
    teacher.get_by_role("link", name="Classes", exact=True).click()
    assert_accessible(teacher)
    teacher.get_by_label("Name").fill(CLASS_NAME)
    submit(teacher, "Create class")
    teacher.get_by_label(COURSE.title_en).check()
    submit(teacher, "Save courses")
    assert teacher.get_by_label(COURSE.title_en).is_checked()
    code = teacher.locator(".code-display").inner_text().strip()
    assert code
    assert_accessible(teacher)

    # 3. The learner: signs up (the course is not public: not in the catalogue yet), joins.
    learner = open_page("phone")
    learner.goto("/")
    learner.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up").click()
    learner.get_by_label("Username").fill(LEARNER["username"])
    learner.get_by_label("Your name").fill(LEARNER["name"])
    learner.get_by_label(re.compile(r"^Password:?$")).fill(LEARNER["password"])
    learner.get_by_label("Password confirmation").fill(LEARNER["password"])
    learner.get_by_label("I am 13 or older.").check()
    assert_accessible(learner)
    submit(learner, "Sign up")
    assert learner.get_by_role("link", name=COURSE.title_en).count() == 0
    assert_accessible(learner)
    learner.get_by_role("link", name="Join a class").click()
    learner.get_by_label("Class code").fill(code)
    assert_accessible(learner)
    submit(learner, "Join")
    learner.get_by_text(f"You joined the class “{CLASS_NAME}”.").wait_for()
    assert_accessible(learner)
    learner.get_by_role("link", name=COURSE.title_en).click()
    assert_accessible(learner)
    learner.get_by_role("link", name=LESSON["title_en"]).click()
    assert_accessible(learner)

    # The quiz, marked in place.
    quiz = learner.locator(
        "section.exercise", has=learner.get_by_role("heading", name=QUIZ["title"])
    )
    quiz.get_by_label(QUIZ_OPTIONS[0][0]).check()
    quiz.get_by_role("button", name="Check my answer").click()
    quiz.get_by_text("Right!").wait_for()
    assert_accessible(learner)

    # The notebook: typed, submitted, graded by the worker and flagged for the teacher.
    learner.get_by_role("link", name="Open the notebook").click()
    # The editors are ready (a selector, not a polled script: the page's CSP forbids eval).
    learner.locator("html[data-editors=ready]").wait_for(state="attached")
    assert_accessible(learner)
    type_into(learner, "double", LEARNER_CODE)
    type_into(learner, "explain", [LEARNER_TEXT])
    assert learner.locator("#answer-double").input_value() == "def double(x):\n    return x + 2"
    learner.get_by_role("button", name="Submit for grading").click()
    status = learner.locator("#run-status")
    status.get_by_text("Submitted; a teacher will review this result.").wait_for(timeout=120_000)
    details = learner.locator("#run-details")
    assert details.locator(".nb-score").inner_text() == "Score: 2 of 5"
    assert_accessible(learner)

    # 4. The gradebook: both scores; the flagged answer marked; the new score everywhere.
    open_class(teacher)
    teacher.get_by_role("link", name="Gradebook: scores, deadlines, marking").click()
    assert_accessible(teacher)
    row, quiz_cell, notebook = notebook_cell(teacher)
    assert quiz_cell.locator(".score").inner_text() == "1", quiz_cell.inner_text()
    assert "Graded" in quiz_cell.inner_text()
    assert notebook.locator(".score").inner_text() == "2", notebook.inner_text()
    assert "Needs review" in notebook.inner_text()
    assert row.locator("td.total").inner_text() == "3"
    teacher.get_by_role("link", name=f"Open {LEARNER['name']}'s submission").click()
    assert_accessible(teacher)
    assert "Not marked yet." in teacher.locator("main").inner_text()
    assert LEARNER_TEXT in teacher.locator(".answer-text").inner_text()
    form = teacher.locator("form.mark-form", has_text="Answer “explain” (up to 3 points)")
    form.get_by_label("Score").fill(MARK["score"])
    form.get_by_label("Comment for the learner").fill(MARK["comment"])
    submit(teacher, "Save mark")
    teacher.get_by_text("The mark is saved.").wait_for()
    assert_accessible(teacher)
    teacher.get_by_role("link", name=f"Gradebook of {CLASS_NAME}").click()
    assert_accessible(teacher)
    row, _quiz, notebook = notebook_cell(teacher)
    assert notebook.locator(".score").inner_text() == "4.5", notebook.inner_text()
    assert "Needs review" not in notebook.inner_text()
    assert row.locator("td.total").inner_text() == "5.5"

    learner.reload()
    marks = learner.locator(".teacher-marks")
    assert "your teacher's score is 4.5 of 5." in marks.inner_text(), marks.inner_text()
    assert "“explain”: 2.5 of 3 points" in marks.inner_text()
    assert MARK["comment"] in marks.locator(".teacher-comment").inner_text()
    assert_accessible(learner)

    # 5. The test was too weak: a draft with the strict test, validated, version 2.
    teacher.get_by_role("link", name="Teach", exact=True).click()
    teacher.get_by_role("link", name=COURSE.title_en).click()
    assert_accessible(teacher)
    authoring.edit_start(teacher)
    assert_accessible(teacher)
    teacher.get_by_role("link", name=NOTEBOOK["title"], exact=True).click()
    authoring.notebook_replace(teacher, fixed_en, fixed_zh)
    assert_accessible(teacher)
    teacher.get_by_role("link", name="Back to the course").click()
    authoring.validate(teacher)
    authoring.publish(teacher, "The doubling test tries more numbers", 2)
    assert_accessible(teacher)

    # The regrade of the class, followed to its end.
    open_class(teacher)
    teacher.get_by_role("link", name="Gradebook: scores, deadlines, marking").click()
    assert_accessible(teacher)
    teacher.get_by_role("link", name=NOTEBOOK["title"], exact=True).click()
    assert_accessible(teacher)
    submit(teacher, "Regrade 1 submission of this class")
    assert_accessible(teacher)
    # The sandbox takes seconds: the page opens on the regrade under way and follows it.
    progress = teacher.locator("#regrade-status")
    assert progress.inner_text().startswith("Regrading: 0 of 1 finished"), progress.inner_text()
    done = "Done: 1 submission regraded. 1 score changed."
    progress.get_by_text(done).wait_for(timeout=120_000)
    assert teacher.locator("#regrade-bar").get_attribute("value") == "100"
    changed = teacher.locator(
        "section", has=teacher.get_by_role("heading", name="Scores that changed")
    )
    changed_row = changed.locator("tbody tr").all_inner_texts()
    assert [line.split("\t")[:4] for line in changed_row] == [[LEARNER["name"], "1", "2", "0"]]
    assert_accessible(teacher)

    # The new automatic score (0: the strict test fails) with the teacher's 2.5 on top.
    teacher.get_by_role("link", name=f"{NOTEBOOK['title']} in {CLASS_NAME}").click()
    assert_accessible(teacher)
    teacher.get_by_role("link", name=f"Gradebook of {CLASS_NAME}").click()
    assert_accessible(teacher)
    row, _quiz, notebook = notebook_cell(teacher)
    assert notebook.locator(".score").inner_text() == "2.5", notebook.inner_text()
    assert row.locator("td.total").inner_text() == "3.5"
    teacher.get_by_role("link", name=f"Open {LEARNER['name']}'s submission").click()
    facts = teacher.locator(".submission-summary").inner_text()
    assert (
        "version 2 of the course" in facts and "Marked 2.5" in teacher.locator("main").inner_text()
    )
    assert_accessible(teacher)

    # The learner's page: the new automatic result, the teacher's mark still counted on top.
    learner.reload()
    assert details.locator(".nb-score").inner_text() == "Score: 0 of 5"
    assert "your teacher's score is 2.5 of 5." in marks.inner_text(), marks.inner_text()
    assert_accessible(learner)
    assert grading_worker.process.poll() is None
