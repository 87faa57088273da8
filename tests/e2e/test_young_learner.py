"""A 6-8 learner's morning, in a real browser: sign in with the class code from the teacher's card,
find the course, open a lesson, answer a picture quiz wrongly and then rightly (the keyboard
only), and see the course page count it. The demo course "Robot senses" is imported as loaddemo
imports it, so these are the pictures and words a class would see.
"""

import re

import pytest

from accounts.services import class_accounts_create, classroom_create
from courses.coursefiles.reader import read_course
from courses.management.commands.loaddemo import DEMO_DIR
from tests.e2e.conftest import exercise_titled, lesson_titled
from tests.factories import make_teacher
from tests.support.a11y import assert_accessible, focus_ring
from tests.support.browser import mark_page, same_page

pytestmark = pytest.mark.django_db(transaction=True)

COURSE_TITLE = "Robot senses: how machines notice and learn"
LESSON_TITLE = "Teaching a computer with pictures"
QUIZ_TITLE = "Find the cat"
EXERCISES_IN_COURSE = len(list(read_course(DEMO_DIR / "courses" / "robot-senses").exercises()))


@pytest.fixture
def young_class(demo_course):
    """A teacher's class with the 6-8 demo course and one class account made for the card."""
    teacher = make_teacher("mr_wang")
    classroom = classroom_create(teacher=teacher, name="Year 2 Pandas")
    course = demo_course("robot-senses", teacher)
    classroom.courses.add(course)
    (card,) = class_accounts_create(classroom=classroom, names=["Xiao Ming"])
    return classroom, course, card


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches `selector`, as a keyboard user gets there."""
    for _press in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            assert focus_ring(page), f"{selector} has focus but no visible focus ring"
            return
    raise AssertionError(f"{selector} not reached with {limit} presses of Tab")


def progress_text(page) -> str:
    return page.locator("#course-progress-text").inner_text()


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_young_learner_signs_in_with_the_class_code_and_answers_a_picture_quiz(page, young_class):
    classroom, course, card = young_class
    quiz = exercise_titled(course, QUIZ_TITLE)
    section_id = f"exercise-{quiz.pk}"

    # The card the teacher printed: class code, name, password.
    page.goto("/accounts/class-sign-in/")
    assert_accessible(page)
    page.get_by_label("Class code").fill(classroom.join_code)
    page.get_by_label("Your name").fill("xiao ming")  # any case, as children type it
    page.get_by_label("Password").fill(card.password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()
    assert page.url.endswith("/courses/")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("button", name=re.compile(r"^Sign out")).count() == 1
    assert_accessible(page)

    page.get_by_role("link", name=COURSE_TITLE).click()
    page.wait_for_url(f"**/courses/{course.slug}/")
    assert page.get_by_role("heading", level=1).inner_text() == COURSE_TITLE
    assert progress_text(page).startswith(f"0 of {EXERCISES_IN_COURSE} exercises done")
    assert_accessible(page)

    page.get_by_role("link", name=LESSON_TITLE).click()
    page.wait_for_url(re.compile(r"/lessons/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == LESSON_TITLE
    assert page.evaluate("document.body.classList.contains('band-6-8')")
    section = page.locator(f"#{section_id}")
    pictures = section.locator("img.quiz-picture")
    assert pictures.count() == 3
    # Every picture loaded (a broken one has no natural width) and is named by its alt text.
    assert page.evaluate(
        "(id) => [...document.querySelectorAll(`#${id} img`)].every(i => i.naturalWidth > 0)",
        section_id,
    )
    assert section.get_by_role("radio", name="A dog").count() == 1
    assert_accessible(page)
    mark_page(page)

    # Keyboard only: Tab into the options (the first one, the dog), Space picks it, Enter sends.
    tab_to(page, f"#{section_id} input[type=radio]")
    assert page.evaluate("document.activeElement.id") == f"{section_id}-option-0"
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    result = page.locator(f"#{section_id}-result")
    assert result.get_attribute("aria-live") == "polite"
    result.get_by_text("Not right yet.").wait_for()
    assert "That is a dog. Its ears are long and floppy." in result.inner_text()
    assert "Attempts left: 2" in result.inner_text()
    assert "Pointy ears" not in result.inner_text(), "no explanation before it is solved"

    # Still on the radios: the arrow key moves to the cat and picks it; Enter sends again.
    assert page.evaluate("document.activeElement.id") == f"{section_id}-option-0"
    page.keyboard.press("ArrowDown")
    assert section.get_by_role("radio", name="A cat").is_checked()
    page.keyboard.press("Enter")
    result.get_by_text("Right!").wait_for()
    text = result.inner_text()
    assert "Score: 1 of 1" in text and "(Attempt 2)" in text
    assert "Pointy ears and whiskers" in text, "the explanation once it is solved"
    assert section.locator(".badge-done").is_visible()
    assert same_page(page), "the feedback came without a page load"
    assert_accessible(page)

    # The course page counts it, and the lesson shows one of its three done.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=COURSE_TITLE).click()
    page.wait_for_url(f"**/courses/{course.slug}/")
    assert progress_text(page).startswith(f"1 of {EXERCISES_IN_COURSE} exercises done")
    lesson = lesson_titled(course, LESSON_TITLE)
    assert "1 of 3 done" in page.locator(f"#lesson-{lesson.pk}").inner_text()
    assert_accessible(page)


def test_without_javascript_the_quiz_form_posts_and_comes_back_marked(
    open_page, login, young_class
):
    _classroom, course, card = young_class
    quiz = exercise_titled(course, QUIZ_TITLE)
    lesson = lesson_titled(course, LESSON_TITLE)
    page = open_page("phone", java_script_enabled=False)
    login(page, card.user)
    page.goto(f"/courses/{course.slug}/lessons/{lesson.pk}/")
    section = page.locator(f"#exercise-{quiz.pk}")
    result = page.locator(f"#exercise-{quiz.pk}-result")

    section.get_by_role("radio", name="A robot").check()
    with page.expect_navigation():
        section.get_by_role("button", name="Check my answer").click()
    assert page.url.endswith(f"/lessons/{lesson.pk}/#exercise-{quiz.pk}")
    assert "Not right yet." in result.inner_text()
    assert section.get_by_role("radio", name="A robot").is_checked(), (
        "the answer given is still shown"
    )
    assert_accessible(page)

    section.get_by_role("radio", name="A cat").check()
    with page.expect_navigation():
        section.get_by_role("button", name="Check again").click()
    assert "Right!" in result.inner_text()
    assert "Pointy ears and whiskers" in result.inner_text()
    assert section.locator(".badge-done").is_visible()
