"""A 15-17 learner's notebook exercise in a real browser: type code into the CodeMirror editor,
watch it save itself, reload and find it again, Check (visible tests, not counted), Submit, and
watch the status change until the score and per-test feedback arrive, graded by a real worker in
the real sandbox. The exercise is the demo course's k-NN notebook, imported as loaddemo does.
"""

import re

import pytest

from tests.e2e.conftest import exercise_titled, lesson_titled
from tests.factories import make_student, make_teacher
from tests.support.a11y import assert_accessible
from tests.support.browser import mark_page, same_page

pytestmark = pytest.mark.django_db(transaction=True)

LESSON_TITLE = "k nearest neighbours and overfitting"
EXERCISE_TITLE = "k nearest neighbours on the iris flowers"
ANSWER = "knn_accuracy"  # the first answer cell; best_k is left as the stub it came with

# Typed line by line: after the `def` line Enter must indent by itself, and keep that indent.
TYPED_LINES = [
    "def knn_accuracy(k, X_train, y_train, X_test, y_test):",
    "model = KNeighborsClassifier(n_neighbors=k)",
    "model.fit(X_train, y_train)",
    "return float(model.score(X_test, y_test))",
]
EXPECTED_CODE = (
    "def knn_accuracy(k, X_train, y_train, X_test, y_test):\n"
    "    model = KNeighborsClassifier(n_neighbors=k)\n"
    "    model.fit(X_train, y_train)\n"
    "    return float(model.score(X_test, y_test))"
)


@pytest.fixture
def knn(demo_course):
    """The 15-17 demo course and its k-NN notebook exercise; a learner of that age."""
    course = demo_course("ml-with-python", make_teacher("dr_chen"))
    return course, exercise_titled(course, EXERCISE_TITLE), make_student("lan")


def editor(page, grade_id: str):
    """The CodeMirror editor that replaced the answer cell's textarea."""
    return page.locator(f"#answer-{grade_id} + .cm-editor .cm-content")


def answer_text(page, grade_id: str) -> str:
    """What the form would send: the editor writes every change back into its textarea."""
    return page.locator(f"#answer-{grade_id}").input_value()


def type_answer(page) -> None:
    """Replace the stub with real keyboard typing, checking the indentation Enter gives."""
    box = editor(page, ANSWER)
    box.click()
    assert page.evaluate("document.activeElement.closest('.cm-editor') !== null")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    assert answer_text(page, ANSWER) == ""
    page.keyboard.type(TYPED_LINES[0])
    page.keyboard.press("Enter")
    assert answer_text(page, ANSWER).endswith(":\n    "), "Enter after `def ...:` indents"
    for line in TYPED_LINES[1:]:
        page.keyboard.type(line)
        if line is not TYPED_LINES[-1]:
            page.keyboard.press("Enter")
            assert answer_text(page, ANSWER).endswith("\n    "), "the body keeps its indent"
    assert answer_text(page, ANSWER) == EXPECTED_CODE


def open_exercise_from_the_lesson(page, course, exercise) -> None:
    lesson = lesson_titled(course, LESSON_TITLE)
    page.goto(f"/courses/{course.slug}/lessons/{lesson.pk}/")
    assert_accessible(page)
    page.locator(f"#exercise-{exercise.pk}-open").click()
    page.wait_for_url(f"**/exercises/{exercise.pk}/notebook/")
    page.locator("html[data-editors=ready]").wait_for(state="attached")
    # One <h1>, the page's own: the notebook's headings sit one level below it.
    assert page.get_by_role("heading", level=1).all_inner_texts() == [EXERCISE_TITLE]


def draft_saved(page) -> None:
    page.locator("#draft-status").get_by_text("Saved ✓").wait_for()


def test_on_a_phone_typed_code_is_indented_autosaved_and_back_after_a_reload(open_page, login, knn):
    course, exercise, learner = knn
    page = open_page("phone")
    login(page, learner)
    open_exercise_from_the_lesson(page, course, exercise)
    assert page.evaluate("document.body.classList.contains('band-15-17')")
    # The editor is named by its cell's label, as the textarea it replaces was.
    named = page.get_by_role("textbox", name=re.compile(f"Your answer: code for “{ANSWER}”"))
    assert named.count() == 1 and named.evaluate("node => node.matches('.cm-content')")
    assert_accessible(page)

    type_answer(page)
    assert page.locator("#draft-status").inner_text() in {"Not saved yet", "Saving…", "Saved ✓"}
    draft_saved(page)
    # The way out of an editor with the keyboard, as the page's help says: Escape, then Tab.
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.cm-editor') === null")
    assert answer_text(page, ANSWER) == EXPECTED_CODE, "Tab left the editor, it typed nothing"
    assert_accessible(page)

    page.reload()
    page.locator("html[data-editors=ready]").wait_for(state="attached")
    assert answer_text(page, ANSWER) == EXPECTED_CODE
    assert editor(page, ANSWER).inner_text().replace("\u00a0", " ").strip() == EXPECTED_CODE
    assert "raise NotImplementedError()" in answer_text(page, "best_k"), "untouched stays"


def run_status_history(page) -> None:
    """Record every text the results' live region shows, from now on."""
    page.evaluate(
        """() => {
          const node = document.getElementById("run-status");
          window.runStatuses = [];
          new MutationObserver(() => window.runStatuses.push(node.textContent.trim()))
            .observe(node, {childList: true, characterData: true, subtree: true});
        }"""
    )


@pytest.mark.sandbox
@pytest.mark.workers
def test_learner_types_checks_submits_and_watches_the_score_arrive(
    page, login, knn, grading_worker
):
    course, exercise, learner = knn
    login(page, learner)
    open_exercise_from_the_lesson(page, course, exercise)
    assert "You have submitted 0 times." in page.locator("main").inner_text()
    type_answer(page)
    draft_saved(page)
    page.reload()
    page.locator("html[data-editors=ready]").wait_for(state="attached")
    assert answer_text(page, ANSWER) == EXPECTED_CODE
    mark_page(page)
    status = page.locator("#run-status")
    details = page.locator("#run-details")
    assert status.get_attribute("aria-live") == "polite"

    # Check: the visible tests run, the result shows, nothing is counted.
    page.get_by_role("button", name="Check (visible tests, not counted)").click()
    status.get_by_text("Check finished.").wait_for(timeout=120_000)
    # Two of the four test cells are hidden tests only: a check has nothing of them to run, so
    # it does not report them (as passed or at all).
    assert "1 of 2 visible tests passed. Checks are not counted." in details.inner_text()
    assert page.locator('[data-test-result="test_knn_accuracy_hidden"]').inner_text() == ""
    assert details.locator(".nb-score").count() == 0
    basic = page.locator('[data-test-result="test_knn_accuracy_basic"]')
    assert basic.inner_text().startswith("✓ Passed · 2 of 2 points")
    best_k_basic = page.locator('[data-test-result="test_best_k_basic"]')
    assert "Failed" in best_k_basic.inner_text()
    assert "NotImplementedError" in best_k_basic.inner_text(), "visible tests say why"

    # Submit: queued or running first, then graded, all without a reload.
    run_status_history(page)
    page.get_by_role("button", name="Submit for grading").click()
    status.get_by_text("Graded.").wait_for(timeout=120_000)
    seen = page.evaluate("window.runStatuses")
    waiting = {"Submission waiting to be graded…", "Grading your submission…"}
    assert seen[-1] == "Graded." and waiting & set(seen[:-1]), seen
    assert same_page(page)

    assert details.locator(".nb-score").inner_text() == "Score: 5 of 10"
    lines = details.locator(".nb-test-list li").all_inner_texts()
    assert len(lines) == 4, lines
    by_test = {re.search(r"(test_\w+):", line).group(1): line for line in lines}
    assert by_test["test_knn_accuracy_basic"].startswith("✓ test_knn_accuracy_basic: Passed")
    assert "2 of 2 points" in by_test["test_knn_accuracy_basic"]
    # A visible test that ran after a hidden one reports pass/fail only (graders.scoring).
    assert by_test["test_best_k_basic"].startswith("✗ test_best_k_basic: Failed · 0 of 2 points")
    assert "NotImplementedError" not in by_test["test_best_k_basic"]
    # Hidden tests: pass or fail and points, nothing of their code or messages.
    hidden = by_test["test_knn_accuracy_hidden"]
    assert hidden == "✓ Hidden test · test_knn_accuracy_hidden: Passed · 3 of 3 points", hidden
    hidden = by_test["test_best_k_hidden"]
    assert hidden == "✗ Hidden test · test_best_k_hidden: Failed · 0 of 3 points", hidden
    assert "KNeighborsClassifier(n_neighbors=3).fit(A[:30]" not in page.content()
    assert_accessible(page)

    # After a reload the page draws the same result itself, and counts the attempt.
    page.reload()
    assert details.locator(".nb-score").inner_text() == "Score: 5 of 10"
    assert status.inner_text() == "Graded."
    assert "You have submitted 1 time." in page.locator("main").inner_text()
    # The lesson's card shows the best score.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=LESSON_TITLE).click()
    assert "Your best score: 5 of 10" in page.locator(f"#exercise-{exercise.pk}").inner_text()
    assert grading_worker.process.poll() is None
