"""Debian's Chromium driven by Playwright's sync API, and what a page must not do while we watch.

Playwright never downloads a browser here: `make browser` installs Debian's chromium and we point
Playwright at it. The flags are the ones that work on a machine with a closed network: without the
background-networking ones Chromium keeps trying to reach Google's hosts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = Path(os.environ.get("QIMING_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",  # Chromium's own sandbox refuses to start as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {
    "phone": {"width": 360, "height": 740},
    "desktop": {"width": 1280, "height": 800},
}
MISSING = f"{CHROMIUM} is missing: run `make browser` (installs Debian's chromium)"


def launch(playwright):
    """A headless Chromium; Playwright gives each launch a fresh, empty --user-data-dir."""
    if not CHROMIUM.exists():
        raise RuntimeError(MISSING)
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, chromium_sandbox=False, args=LAUNCH_ARGS
    )


def new_context(browser, *, viewport: str = "desktop", locale: str = "en-GB", **options):
    """A fresh context (cookies, storage) at a named size; locale sets Accept-Language."""
    is_phone = viewport == "phone"
    return browser.new_context(
        viewport=VIEWPORTS[viewport],
        device_scale_factor=2 if is_phone else 1,
        is_mobile=is_phone,
        has_touch=is_phone,
        locale=locale,
        **options,
    )


def sign_in(page, username: str, password: str) -> None:
    """Sign in through the sign-in page as a person would (labels, not CSS selectors)."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()


@dataclass
class PageProblems:
    """Console errors, uncaught exceptions and failed or 4xx/5xx requests seen on pages.

    A test that expects one (a 404 page, say) calls `expect(fragment)`; each expected fragment
    must then turn up, and everything else is a problem.
    """

    problems: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught error: {error}"))
        page.on(
            "requestfailed",
            lambda request: self.problems.append(
                f"request failed: {request.method} {request.url} ({request.failure})"
            ),
        )
        page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        # Chromium asks for /favicon.ico on pages without an icon link (the admin, the API docs);
        # that is not something a page did. Any other missing file is.
        if urlsplit(where).path == "/favicon.ico":
            return
        self.problems.append(f"console error: {message.text} at {where}")

    def _response(self, response) -> None:
        if response.status >= 400:
            request = response.request
            self.problems.append(f"HTTP {response.status}: {request.method} {response.url}")

    def expect(self, fragment: str) -> None:
        self.expected.append(fragment)

    def unexpected(self) -> list[str]:
        return [p for p in self.problems if not any(f in p for f in self.expected)]

    def unmet(self) -> list[str]:
        return [f for f in self.expected if not any(f in p for p in self.problems)]

    def check(self) -> None:
        unexpected, unmet = self.unexpected(), self.unmet()
        lines = [*unexpected, *(f"expected but not seen: {f}" for f in unmet)]
        assert not lines, "problems on the page:\n  " + "\n  ".join(lines)


# A page load clears every JavaScript variable: a value left on `window` that is still there later
# proves that what happened in between (a quiz marked, a notebook graded) came without a reload.
_MARK = "__qimingSamePage"


def mark_page(page) -> None:
    page.evaluate(f"window.{_MARK} = true")


def same_page(page) -> bool:
    return page.evaluate(f"window.{_MARK} === true")
