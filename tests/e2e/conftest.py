"""Browser tests: Playwright's sync API driving Debian's Chromium against a live test server.

- `browser`: one Chromium for all of tests/e2e (starting it costs about a second).
- `page`: a fresh context (cookies, storage) per test, desktop size unless parametrised
  indirectly with "phone"; `open_page(viewport=..., locale=...)` for more pages or another
  language. Every page they make is watched: a console error, an uncaught exception, a failed
  request or a 4xx/5xx response fails the test unless it called `page_problems.expect(...)`.
- `live_server` (pytest-django): the site in a thread of this process, on the test database. Its
  static handler is django.contrib.staticfiles' StaticFilesHandler, which serves from the finders
  whatever DEBUG is, so no collectstatic is needed. The thread sees only committed data, hence
  `pytest.mark.django_db(transaction=True)` in every module here.
- `login(page, user)`: signs the page's context in with a session cookie made by Django's test
  client (fast); tests.support.browser.sign_in goes through the sign-in page instead.
- `grading_worker`: a real Celery worker on the test database and broker (tests/workers' fixtures,
  reused as they are); tests that use it also need the `sandbox` and `workers` markers.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.support.browser import CHROMIUM, MISSING, PageProblems, launch, new_context

# Reused as they are, so a worker here is started exactly as in tests/workers.
from tests.workers.conftest import start_worker, worker_env  # noqa: F401

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After the test body: what the pages did wrong fails the test itself, not its teardown."""
    result = yield
    problems = item.funcargs.get("page_problems") if hasattr(item, "funcargs") else None
    if problems is not None:
        problems.check()
    return result


# Package scope: one browser for all of tests/e2e, stopped before any other folder's tests run.
@pytest.fixture(scope="package")
def _playwright():
    """Playwright, and Django's async-safety check off while it runs.

    Playwright's sync API keeps an event loop running in this thread, so Django takes every ORM
    call in a test or fixture for one made from async code and refuses it. Nothing here is async;
    the check is restored when Playwright stops, so the rest of the suite keeps it.
    """
    if not CHROMIUM.exists():
        pytest.fail(MISSING, pytrace=False)
    from playwright.sync_api import sync_playwright

    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            yield playwright
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="package")
def browser(_playwright):
    chromium = launch(_playwright)
    yield chromium
    chromium.close()


@pytest.fixture
def page_problems():
    return PageProblems()


@pytest.fixture
def open_page(browser, live_server, page_problems):
    """open_page(viewport="desktop"|"phone", locale="en-GB", **context_options) -> a watched page.

    The context's base URL is the live server, so tests write page.goto("/courses/").
    """
    contexts = []

    def open_(viewport: str = "desktop", locale: str = "en-GB", **options):
        context = new_context(
            browser, viewport=viewport, locale=locale, base_url=live_server.url, **options
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page_problems.watch(page)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def page(request, open_page):
    """A desktop page; `@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)`."""
    return open_page(getattr(request, "param", "desktop"))


@pytest.fixture
def login(live_server):
    """login(page, user): the page's context is signed in as user (no page load)."""

    def login_(page, user) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
        )

    return login_


@pytest.fixture
def grading_worker(start_worker, worker_env):  # noqa: F811
    """One real Celery worker grading in the real sandbox, for flows that submit notebooks."""
    worker_env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # ours, for Playwright; not the worker's
    return start_worker("e2e")


# --- demo content and learners for the flow tests -------------------------------------------------

DEMO_COURSES = HERE.parents[1] / "courses" / "demo" / "courses"


@pytest.fixture
def demo_course(transactional_db):
    """demo_course(slug, owner) -> the demo course folder imported as loaddemo imports it."""
    from courses.coursefiles.importer import course_import
    from courses.coursefiles.reader import read_course

    def import_(slug: str, owner):
        return course_import(folder=read_course(DEMO_COURSES / slug), owner=owner)

    return import_


def lesson_titled(course, title_en: str):
    """A lesson of `course` by its English title (lessons have no slug of their own)."""
    from courses.models import Lesson

    return Lesson.objects.get(unit__course=course, title_en=title_en)


def exercise_titled(course, title: str):
    from courses.models import Exercise

    return Exercise.objects.get(lesson__unit__course=course, title=title)
