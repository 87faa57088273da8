# Chinese text is what a teacher types here.
# ruff: noqa: RUF001
"""A teacher writes a small course in a real browser, from the Teach menu to a published version:
a course, a unit, a lesson in Markdown (the preview follows the typing), a single-choice quiz
with a third option added by the page's script, a try of the quiz in the learner's preview
(marked, not stored), a notebook exercise from an nbgrader source notebook, then Validate (the
notebook's reference solution and released stub run on a real worker in the sandbox) and
Publish. A learner then finds the course in the catalogue.
"""

import pytest

from courses.models import Course, Exercise, QuizAttempt
from tests.factories import DEMO_MAX_SCORE, DEMO_SOURCE, make_student, make_teacher
from tests.support.a11y import assert_accessible

# The demo notebook's Chinese twin, the same graded cells (validation wants both languages).
DEMO_TWIN = (
    DEMO_SOURCE.parent / "courses/models-evidence-cost/exercises/how-good-is-a-guess.zh.ipynb"
)

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = None  # a directory to save screenshots in while working on these pages


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def submit(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


@pytest.mark.sandbox
@pytest.mark.workers
def test_a_teacher_writes_validates_and_publishes_a_course(open_page, login, grading_worker):
    teacher = make_teacher("ms_lin")
    page = open_page("desktop")
    login(page, teacher)

    # My courses, from the menu.
    page.goto("/")
    page.get_by_role("link", name="Teach", exact=True).click()
    page.get_by_role("heading", name="My courses").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="New course").click()

    # The course.
    page.get_by_label("Slug").fill("robot-helpers")
    page.get_by_label("Title (English)").fill("Robot helpers")
    page.get_by_label("Title (Chinese)").fill("机器人助手")
    page.get_by_label("Summary (English)").fill("How robots notice the world.")
    page.get_by_label("Summary (Chinese)").fill("机器人如何感知世界。")
    page.get_by_label("Age band").select_option(label="Ages 9-11")
    page.get_by_label("Learning").check()
    page.get_by_label("Public: in every learner's catalogue once published").check()
    assert_accessible(page)
    submit(page, "Create course")
    course = Course.objects.get(slug="robot-helpers")
    assert page.locator("#course-status").inner_text() == "Draft: never published"

    # A unit, then a lesson whose preview follows the typing.
    add_unit = page.locator("form", has=page.get_by_role("button", name="Add unit"))
    add_unit.get_by_label("Unit title (English)").fill("Senses")
    add_unit.get_by_label("Unit title (Chinese)").fill("感官")
    submit(page, "Add unit")
    assert_accessible(page)
    page.get_by_role("link", name="Add a lesson to unit Senses").click()
    page.get_by_label("Title (English)").fill("Eyes and ears")
    page.get_by_label("Title (Chinese)").fill("眼睛和耳朵")
    page.get_by_label("Lesson (English, Markdown)").fill(
        "A **camera** is a robot's eye.\n\n<script>alert('no')</script>"
    )
    page.locator("#preview-en strong", has_text="camera").wait_for()
    assert page.locator("#preview-en script").count() == 0
    page.get_by_label("Lesson (Chinese, Markdown)").fill("**摄像头**是机器人的眼睛。")
    page.locator("#preview-zh strong", has_text="摄像头").wait_for()
    assert_accessible(page)
    shot(page, "lesson")
    submit(page, "Add lesson")
    lesson = course.units.get().lessons.get()
    assert lesson.slug == "eyes-and-ears"

    # A single-choice quiz; the third option comes from the "Add an option" button.
    page.get_by_role("link", name="Back to the course").click()
    page.get_by_label("New exercise in “Eyes and ears”").select_option(label="Single choice")
    submit(page, "Add exercise")
    page.get_by_label("Title (English)").fill("Which part sees?")
    page.get_by_label("Title (Chinese)").fill("哪个部分能看见？")
    page.get_by_label("Question or instructions (English, Markdown)").fill("Which part sees?")
    page.get_by_label("Question or instructions (Chinese, Markdown)").fill("哪个部分能看见？")
    options = page.locator("#list-options fieldset[data-row]")
    for index, (en, zh) in enumerate([("Camera", "摄像头"), ("Speaker", "扬声器")]):
        options.nth(index).get_by_label("Text (English)").fill(en)
        options.nth(index).get_by_label("Text (Chinese)").fill(zh)
    options.nth(0).get_by_label("Right answer").check()
    options.nth(1).get_by_label("Feedback when chosen (English)").fill("A speaker makes sound.")
    options.nth(1).get_by_label("Feedback when chosen (Chinese)").fill("扬声器发出声音。")
    page.get_by_role("button", name="Add an option").click()
    assert options.count() == 3  # the two blank rows a new quiz starts with, and one added
    assert options.nth(2).locator("legend").inner_text() == "Option 3"
    options.nth(2).get_by_label("Text (English)").fill("Wheel")
    options.nth(2).get_by_label("Text (Chinese)").fill("轮子")
    assert_accessible(page)
    shot(page, "quiz")
    submit(page, "Add exercise")
    page.get_by_text("The exercise is saved.").wait_for()
    quiz = Exercise.objects.get(kind="single_choice")
    assert [o["text_en"] for o in quiz.spec["options"]] == ["Camera", "Speaker", "Wheel"]
    assert quiz.spec["correct"] == quiz.spec["options"][0]["id"]

    # The learner's view of it: marked in place, nothing stored.
    page.get_by_role("link", name="Preview as a learner").click()
    page.get_by_text("Preview as a learner aged 9-11").wait_for()
    assert_accessible(page)
    card = page.locator(f"#exercise-{quiz.pk}")
    card.get_by_label("Speaker").check()
    with page.expect_navigation():
        card.get_by_role("button", name="Check my answer").click()
    card = page.locator(f"#exercise-{quiz.pk}")
    card.get_by_text("Not right yet.").wait_for()
    assert "A speaker makes sound." in card.inner_text()
    card.get_by_label("Camera").check()
    with page.expect_navigation():
        card.get_by_role("button", name="Check again").click()
    page.locator(f"#exercise-{quiz.pk}").get_by_text("Right!").wait_for()
    shot(page, "preview")
    assert QuizAttempt.objects.count() == 0

    # A notebook exercise from the nbgrader source notebook.
    page.get_by_role("link", name="Back to the course").click()
    page.get_by_label("New exercise in “Eyes and ears”").select_option(label="Notebook (nbgrader)")
    submit(page, "Add exercise")
    page.get_by_label("Title (English)").fill("How good is a guess?")
    page.get_by_label("Title (Chinese)").fill("猜得有多好？")
    page.get_by_label("Question or instructions (English, Markdown)").fill("Write the functions.")
    page.get_by_label("Question or instructions (Chinese, Markdown)").fill("写出函数。")
    page.get_by_label("Source notebook (nbgrader, English)").set_input_files(str(DEMO_SOURCE))
    page.get_by_label("Chinese notebook (optional)").set_input_files(str(DEMO_TWIN))
    submit(page, "Add exercise")
    page.locator("#graded-cells").wait_for()
    assert page.locator("#graded-cells tbody tr").count() == 4
    assert f"worth {DEMO_MAX_SCORE:g} points" in page.locator("main").inner_text()
    assert_accessible(page)
    shot(page, "notebook")

    # Validate (the notebook runs on the worker; the page follows it), then publish.
    page.get_by_role("link", name="Back to the course").click()
    assert_accessible(page)
    submit(page, "Validate")
    page.locator("#validation-passed").wait_for(timeout=180_000)
    shot(page, "validated")
    page.get_by_label("Note for this version (optional)").fill("First version")
    submit(page, "Publish")
    page.get_by_text("Version 1 is published").wait_for()
    assert page.locator("#course-status").inner_text() == "Published"
    course.refresh_from_db()
    assert course.is_published and course.versions.get().note == "First version"

    # A learner finds it.
    learner = open_page("phone")
    login(learner, make_student("lan"))
    learner.goto("/courses/")
    learner.get_by_role("link", name="Robot helpers").click()
    learner.get_by_role("link", name="Eyes and ears").click()
    learner.get_by_role("heading", name="Exercise 1: Which part sees?").wait_for()


def test_sorting_into_groups_on_a_phone_with_groups_added_by_the_page(open_page, login):
    """The items' "Belongs in" menus follow the groups list as the teacher adds and names
    groups, before anything is saved."""
    from tests.authoring.conftest import make_course, make_lesson

    teacher = make_teacher("mr_wu")
    course = make_course(teacher, "sorting")
    lesson = make_lesson(course)
    page = open_page("phone")
    login(page, teacher)
    page.goto(f"/teach/courses/{course.pk}/lessons/{lesson.pk}/exercises/new/categorise/")
    page.get_by_label("Title (English)").fill("Fruit or not?")
    page.get_by_label("Title (Chinese)").fill("是不是水果？")
    groups = page.locator("#list-categories fieldset[data-row]")
    items = page.locator("#list-items fieldset[data-row]")
    groups.nth(0).get_by_label("Text (English)").fill("Fruit")
    groups.nth(0).get_by_label("Text (Chinese)").fill("水果")
    groups.nth(1).get_by_label("Text (English)").fill("Vegetable")
    groups.nth(1).get_by_label("Text (Chinese)").fill("蔬菜")
    page.get_by_role("button", name="Add a group").click()
    groups.nth(2).get_by_label("Text (English)").fill("Stone")
    groups.nth(2).get_by_label("Text (Chinese)").fill("石头")
    menu = items.nth(0).get_by_label("Belongs in")
    assert menu.locator("option").all_inner_texts() == [
        "Choose a group",
        "Group 1: Fruit",
        "Group 2: Vegetable",
        "Group 3: Stone",
    ]
    for index, (en, zh, group) in enumerate(
        [("Apple", "苹果", "Group 1: Fruit"), ("Pebble", "卵石", "Group 3: Stone")]
    ):
        items.nth(index).get_by_label("Text (English)").fill(en)
        items.nth(index).get_by_label("Text (Chinese)").fill(zh)
        items.nth(index).get_by_label("Belongs in").select_option(label=group)
    page.get_by_role("button", name="Add an item").click()
    items.nth(2).get_by_label("Text (English)").fill("Carrot")
    items.nth(2).get_by_label("Text (Chinese)").fill("胡萝卜")
    items.nth(2).get_by_label("Belongs in").select_option(label="Group 2: Vegetable")
    assert_accessible(page)
    submit(page, "Add exercise")
    page.get_by_text("The exercise is saved.").wait_for()
    spec = Exercise.objects.get(kind="categorise").spec
    names = {group["id"]: group["text_en"] for group in spec["categories"]}
    assert {item["text_en"]: names[item["category"]] for item in spec["items"]} == {
        "Apple": "Fruit",
        "Pebble": "Stone",
        "Carrot": "Vegetable",
    }
