"""A teacher's steps in the authoring pages (/teach/), shared by the browser tests that build a
course through them: each step goes through the page as a person would (labels and button names,
not CSS selectors) and waits for the page it leads to.

Every form page a step fills is checked with assert_accessible before it is sent; the page a
step ends on is left for the test to check. Each step checks what it must to go on; the tests
say what they expect of the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.support.a11y import assert_accessible


def submit(page, name: str) -> None:
    """Click the button called `name` and wait for the page the form leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


@dataclass(frozen=True)
class CourseTexts:
    slug: str
    title_en: str
    title_zh: str
    summary_en: str = ""
    summary_zh: str = ""
    age_band: str = "Ages 12-14"  # the label in the menu
    big_idea: str = "Learning"  # one of the checkboxes
    public: bool = False


def course_create(page, course: CourseTexts) -> None:
    """From the Teach menu: New course, its settings, Create course (lands on its page)."""
    page.goto("/")
    page.get_by_role("link", name="Teach", exact=True).click()
    page.get_by_role("heading", name="My courses").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="New course").click()
    page.get_by_label("Slug").fill(course.slug)
    page.get_by_label("Title (English)").fill(course.title_en)
    page.get_by_label("Title (Chinese)").fill(course.title_zh)
    page.get_by_label("Summary (English)").fill(course.summary_en)
    page.get_by_label("Summary (Chinese)").fill(course.summary_zh)
    page.get_by_label("Age band").select_option(label=course.age_band)
    page.get_by_label(course.big_idea).check()
    if course.public:
        page.get_by_label("Public: in every learner's catalogue once published").check()
    assert_accessible(page)
    submit(page, "Create course")


def unit_add(page, title_en: str, title_zh: str) -> None:
    """On the course page: the "Add a unit" form."""
    form = page.locator("form", has=page.get_by_role("button", name="Add unit"))
    form.get_by_label("Unit title (English)").fill(title_en)
    form.get_by_label("Unit title (Chinese)").fill(title_zh)
    submit(page, "Add unit")


def lesson_add(page, unit_title: str, texts: dict[str, str]) -> None:
    """On the course page: "Add a lesson" to the unit; texts has title_en, title_zh, body_en,
    body_zh. Leaves the lesson's page once it is saved, back on the course page."""
    page.get_by_role("link", name=f"Add a lesson to unit {unit_title}").click()
    page.get_by_label("Title (English)").fill(texts["title_en"])
    page.get_by_label("Title (Chinese)").fill(texts["title_zh"])
    page.get_by_label("Lesson (English, Markdown)").fill(texts["body_en"])
    page.get_by_label("Lesson (Chinese, Markdown)").fill(texts["body_zh"])
    assert_accessible(page)
    submit(page, "Add lesson")
    page.get_by_role("link", name="Back to the course").click()


def exercise_new(page, lesson_title: str, kind_label: str) -> None:
    """On the course page: choose the kind of a new exercise in the lesson."""
    page.get_by_label(f"New exercise in “{lesson_title}”").select_option(label=kind_label)
    submit(page, "Add exercise")


def exercise_texts(page, texts: dict[str, str]) -> None:
    """Title and question in both languages (keys: title, title_zh, prompt_en, prompt_zh)."""
    page.get_by_label("Title (English)").fill(texts["title"])
    page.get_by_label("Title (Chinese)").fill(texts["title_zh"])
    page.get_by_label("Question or instructions (English, Markdown)").fill(texts["prompt_en"])
    page.get_by_label("Question or instructions (Chinese, Markdown)").fill(texts["prompt_zh"])


def single_choice_add(
    page, lesson_title: str, texts: dict[str, str], options: list[tuple[str, str]], right: int
) -> None:
    """A single-choice quiz with the given (English, Chinese) options; options[right] is the
    right one. A new quiz starts with two blank option rows; "Add an option" makes more."""
    exercise_new(page, lesson_title, "Single choice")
    exercise_texts(page, texts)
    rows = page.locator("#list-options fieldset[data-row]")
    for index, (en, zh) in enumerate(options):
        if index >= rows.count():
            page.get_by_role("button", name="Add an option").click()
        rows.nth(index).get_by_label("Text (English)").fill(en)
        rows.nth(index).get_by_label("Text (Chinese)").fill(zh)
    rows.nth(right).get_by_label("Right answer").check()
    assert_accessible(page)
    submit(page, "Add exercise")
    page.get_by_text("The exercise is saved.").wait_for()


def notebook_add(
    page, lesson_title: str, texts: dict[str, str], source: Path, source_zh: Path | None
) -> None:
    """A notebook exercise from an nbgrader source notebook and its optional Chinese twin."""
    exercise_new(page, lesson_title, "Notebook (nbgrader)")
    exercise_texts(page, texts)
    page.get_by_label("Source notebook (nbgrader, English)").set_input_files(str(source))
    if source_zh is not None:
        page.get_by_label("Chinese notebook (optional)").set_input_files(str(source_zh))
    assert_accessible(page)
    submit(page, "Add exercise")
    page.locator("#graded-cells").wait_for()


def notebook_replace(page, source: Path, source_zh: Path | None = None) -> None:
    """On a notebook exercise's page: upload new source notebooks and save."""
    assert_accessible(page)
    page.get_by_label("Replace the source notebook (optional)").set_input_files(str(source))
    if source_zh is not None:
        page.get_by_label("Chinese notebook (optional)").set_input_files(str(source_zh))
    submit(page, "Save exercise")
    page.locator("#graded-cells").wait_for()


def validate(page, timeout: float = 180_000) -> None:
    """On the course page: Validate, then wait (the page follows the workers) for no problems.
    A validation with problems fails here with the problems the page lists."""
    submit(page, "Validate")
    passed, problems = page.locator("#validation-passed"), page.locator("#validation-problems")
    passed.or_(problems).wait_for(timeout=timeout)
    assert passed.count() == 1, problems.inner_text()


def publish(page, note: str, number: int) -> None:
    """On a validated course page: a note for the version, Publish, and its confirmation."""
    page.get_by_label("Note for this version (optional)").fill(note)
    submit(page, "Publish")
    page.get_by_text(f"Version {number} is published").wait_for()


def edit_start(page) -> None:
    """On a published course's page: make a draft to change it."""
    submit(page, "Edit")
    page.get_by_text("You are editing a draft. Learners see the published course").wait_for()
