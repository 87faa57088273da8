"""From the teacher's class page to a child's first sign-in, in a real browser: the teacher makes
a class, gives it a course, makes accounts and gets the cards; the child types what the card says
on a phone and finds the class's course. The course is not public, so only the class sees it.
"""

import pytest

from tests.factories import make_teacher
from tests.support.a11y import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

COURSE_TITLE = "Robot senses: how machines notice and learn"


def card_of(page, name: str) -> dict[str, str]:
    """The terms of one printed card, as the teacher reads them off the sheet."""
    card = page.locator(".sign-in-card").filter(has=page.locator(".card-name", has_text=name))
    terms = card.locator("dt").all_inner_texts()
    values = card.locator("dd").all_inner_texts()
    return dict(zip(terms, values, strict=True))


def test_teacher_makes_accounts_and_a_child_signs_in_with_the_card(
    open_page, login, demo_course, page_problems
):
    teacher = make_teacher("mr_wang")
    course = demo_course("robot-senses", teacher)
    course.is_public = False
    course.save(update_fields=["is_public"])

    page = open_page("desktop")
    login(page, teacher)
    page.goto("/classes/")
    assert_accessible(page)
    page.get_by_label("Name").fill("Year 2 Pandas")
    with page.expect_navigation():
        page.get_by_role("button", name="Create class").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Year 2 Pandas"
    assert_accessible(page)

    page.get_by_label(COURSE_TITLE).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save courses").click()
    assert page.get_by_label(COURSE_TITLE).is_checked()
    page.get_by_label("Learners' names, one per line").fill("Xiao Ming\nLi Hua")
    with page.expect_navigation():
        page.get_by_role("button", name="Make accounts and print cards").click()
    assert page.locator(".sign-in-card").count() == 2
    assert_accessible(page)
    card = card_of(page, "Xiao Ming")
    assert set(card) == {"Class code", "Your name", "Password", "Username"}

    # The child's phone: nothing but the card.
    child = open_page("phone")
    child.goto("/accounts/class-sign-in/")
    child.get_by_label("Class code").fill(card["Class code"].lower())
    child.get_by_label("Your name").fill(card["Your name"])
    child.get_by_label("Password").fill(card["Password"])
    with child.expect_navigation():
        child.get_by_role("button", name="Sign in", exact=True).click()
    assert child.url.endswith("/courses/")
    assert child.get_by_role("link", name=COURSE_TITLE).count() == 1
    assert_accessible(child)

    # A wrong password is refused (a 400 with the form again), in words a child can act on.
    page_problems.expect("400: POST")
    page_problems.expect("status of 400")
    other = open_page("phone")
    other.goto("/accounts/class-sign-in/")
    other.get_by_label("Class code").fill(card["Class code"])
    other.get_by_label("Your name").fill("Li Hua")
    other.get_by_label("Password").fill("not-the-password")
    other.get_by_role("button", name="Sign in", exact=True).click()
    other.get_by_text("The class code, name or password is not right.").wait_for()
    assert_accessible(other)
