"""The layout every page shares (base.html), in a real browser: phone width, keyboard, language,
names for every control; and the checks the other browser tests rely on, shown to catch problems.
"""

import re

import pytest

from tests.factories import PASSWORD, make_student
from tests.support.a11y import (
    assert_accessible,
    form_controls_count,
    horizontal_overflow,
    images_without_alt,
    unnamed_controls,
)
from tests.support.browser import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

CJK = re.compile(r"[\u4e00-\u9fff]")


def assert_in_chinese(page):
    """The layout's own words come from the zh-hans catalogue, not just the brand's 启明."""
    skip = page.locator(".skip-link").text_content().strip()
    links = page.get_by_role("navigation").first.get_by_role("link").all_inner_texts()
    label = page.locator(".language-form label").inner_text()
    english = {"Skip to content", "Courses", "Sign in", "Language"}
    assert CJK.search(skip) and CJK.search(label), (skip, label)
    assert links and all(CJK.search(text) for text in links), links
    assert not english & {skip, label, *links}


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_home_page_fits_the_screen_without_sideways_scrolling(page):
    page.goto("/")
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.get_by_role("navigation", name="Main").is_visible()
    assert page.evaluate("document.documentElement.clientWidth") == page.viewport_size["width"]
    assert horizontal_overflow(page) == 0


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.tagName, document.activeElement.hash]")
    assert focused == ["A", "#main"]
    skip = page.get_by_role("link", name="Skip to content")
    box = skip.bounding_box()
    assert box and box["width"] > 1 and box["y"] >= 0, "the focused skip link must be seen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_language_menu_switches_the_page_to_chinese(page):
    """Choosing 简体中文 submits at once (site.js) and the next page is in Chinese."""
    page.goto("/")
    assert page.evaluate("document.documentElement.lang") == "en"
    with page.expect_navigation():
        page.get_by_label("Language").select_option("zh-hans")
    assert page.evaluate("document.documentElement.lang") == "zh-hans"
    assert_in_chinese(page)
    # The language sticks for the next page too (Django's language cookie).
    page.goto("/")
    assert page.evaluate("document.documentElement.lang") == "zh-hans"
    assert_in_chinese(page)


def test_language_menu_works_without_javascript_with_its_button(open_page):
    page = open_page(java_script_enabled=False)
    page.goto("/")
    page.get_by_label("Language").select_option("zh-hans")
    assert page.evaluate("document.documentElement.lang") == "en", "nothing submits without JS"
    with page.expect_navigation():
        page.locator(".language-form button[type=submit]").click()
    assert page.evaluate("document.documentElement.lang") == "zh-hans"


def test_accept_language_chinese_gets_chinese_pages(open_page):
    page = open_page(locale="zh-CN")
    page.goto("/")
    assert page.evaluate("document.documentElement.lang") == "zh-hans"
    assert_in_chinese(page)


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_home_page_controls_are_named_and_images_described(page):
    page.goto("/")
    assert form_controls_count(page) >= 2  # the language menu and its button at least
    assert_accessible(page)


def test_signed_in_layout_is_accessible_and_names_the_learner(page, login):
    learner = make_student("mei")
    login(page, learner)
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("button", name="Sign out (mei)").is_visible()
    assert nav.get_by_role("link", name="My progress").is_visible()
    assert_accessible(page)


# The checks above must be able to fail: each is shown a page with the fault it looks for.


def test_checks_find_unnamed_controls_missing_alt_and_sideways_scrolling(open_page):
    page = open_page("phone")
    page.set_content(
        """<meta name="viewport" content="width=device-width, initial-scale=1">
        <main>
          <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
          <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="">
          <input type="text" name="answer"><button type="submit"></button>
          <label>Named <input type="checkbox"></label><button>OK</button>
          <div style="width: 500px">wide</div>
        </main>"""
    )
    unnamed = unnamed_controls(page)
    assert any(u.startswith("textbox: <input") and 'name="answer"' in u for u in unnamed)
    assert any(u.startswith("button: <button") for u in unnamed)
    assert not any("checkbox" in u for u in unnamed), "a labelled control has a name"
    assert len(images_without_alt(page)) == 1, 'alt="" is a decorative image, not a fault'
    assert horizontal_overflow(page) == 500 - 360 + 8  # body margin
    with pytest.raises(AssertionError, match="unnamed textbox"):
        assert_accessible(page)


def test_page_watch_reports_console_errors_exceptions_and_error_responses(
    page, page_problems, live_server
):
    page.set_content("<script>console.error('boom'); null.x;</script>")
    page.goto("/no-such-page/")
    texts = "\n".join(page_problems.problems)
    assert "console error: boom" in texts
    assert "uncaught error:" in texts
    assert f"HTTP 404: GET {live_server.url}/no-such-page/" in texts
    with pytest.raises(AssertionError, match="boom"):
        page_problems.check()
    # Declared, they are expected instead, and the test passes.
    for fragment in ("boom", "uncaught error", "404"):
        page_problems.expect(fragment)
    page_problems.check()


def test_an_expected_problem_that_never_happens_is_a_failure(page_problems):
    page_problems.expect("HTTP 500")
    with pytest.raises(AssertionError, match="expected but not seen: HTTP 500"):
        page_problems.check()
    page_problems.expected.clear()


def test_chinese_text_is_read_from_the_page_not_pixels(open_page):
    """The brand's 启明 is in every page's header: the page's text reaches the test intact."""
    page = open_page(locale="zh-CN")
    page.goto("/")
    assert CJK.search(page.locator(".brand").inner_text())


def test_sign_in_form_signs_a_learner_in(page):
    """The helper flow tests use to sign in through the page, on today's sign-in page."""
    make_student("ana")
    sign_in(page, "ana", PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("button", name="Sign out (ana)").is_visible()
