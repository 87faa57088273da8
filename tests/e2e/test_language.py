# Chinese text is written with its own full-width punctuation.
# ruff: noqa: RUF001
"""Switching a lesson page to 中文 and back in a real browser: the lesson's own content (title,
body, pictures' alt text, quizzes) comes from its Chinese fields, the page's words from the
zh-hans catalogue, and a quiz answered in Chinese is marked in Chinese. test_shell.py covers the
menu itself on the home page; this is the same switch where learners use it, mid-lesson.
"""

import re

import pytest

from tests.e2e.conftest import exercise_titled, lesson_titled
from tests.factories import make_student, make_teacher
from tests.support.a11y import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

CJK = re.compile(r"[\u4e00-\u9fff]")
LESSON_EN, LESSON_ZH = "Eyes and ears for machines", "机器的眼睛和耳朵"
QUIZ_TITLE = "Which part hears?"


@pytest.fixture
def lesson_page(demo_course):
    course = demo_course("robot-senses", make_teacher("mr_wang"))
    lesson = lesson_titled(course, LESSON_EN)
    return course, lesson, f"/courses/{course.slug}/lessons/{lesson.pk}/"


def choose_language(page, code: str) -> None:
    """The menu in the header, whatever language it is labelled in now."""
    with page.expect_navigation():
        page.locator("header select#language").select_option(code)


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_a_lesson_switches_to_chinese_and_back_and_stays_on_the_lesson(page, login, lesson_page):
    course, _lesson, url = lesson_page
    quiz = exercise_titled(course, QUIZ_TITLE)
    login(page, make_student("mei"))
    page.goto(url)
    h1 = page.get_by_role("heading", level=1)
    assert h1.inner_text() == LESSON_EN

    choose_language(page, "zh-hans")
    assert page.url.endswith(url), "the switch comes back to the same lesson"
    assert page.evaluate("document.documentElement.lang") == "zh-hans"
    assert h1.inner_text() == LESSON_ZH
    body = page.locator("#lesson-body").inner_text()
    assert "传感器" in body and "sensor" not in body.lower()
    assert page.get_by_role("img", name="一只耳朵").count() == 1
    # The page's own words come from the catalogue: headings, buttons, the breadcrumb.
    assert page.get_by_role("heading", name="练习", exact=True).count() == 1
    section = page.locator(f"#exercise-{quiz.pk}")
    assert section.get_by_role("button", name="检查我的答案").count() == 1
    assert section.get_by_role("radio", name="一台相机").count() == 1
    assert "哪个部件能听？" in section.locator("h3").inner_text()
    crumbs = page.get_by_role("navigation", name="导航路径").get_by_role("link").all_inner_texts()
    assert crumbs and all(CJK.search(text) for text in crumbs), crumbs
    assert_accessible(page)

    # An answer given in Chinese is marked in Chinese (the quiz script asks the API).
    section.get_by_role("radio", name="一台相机").check()
    section.get_by_role("button", name="检查我的答案").click()
    result = page.locator(f"#exercise-{quiz.pk}-result")
    result.get_by_text("还不对。").wait_for()
    assert "摄像头帮机器看东西，不是听声音。" in result.inner_text()

    choose_language(page, "en")
    assert page.url.endswith(url)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert h1.inner_text() == LESSON_EN
    assert not CJK.search(page.locator("#lesson-body").inner_text())
    assert section.get_by_role("button", name="Check again").count() == 1
    # The mark given in Chinese is stored once and shown in the language of the page.
    assert "A camera helps a machine see, not hear." in result.inner_text()
    assert_accessible(page)
