"""`make screenshots`: the README's pictures, taken with the browser the tests use.

A throwaway site (its own var dir: SQLite database, broker, demo data from `manage.py loaddemo`)
runs on a free local port; Playwright drives Debian's Chromium through it and writes PNGs into
docs/screenshots/ at phone (360x740) and desktop (1280x800) sizes. A page that answers with an
error, logs a console error or throws fails the run, so a broken page never becomes a picture.

Each picture is one function below; SHOTS lists them in order.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.browser import PageProblems, launch, new_context, sign_in  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
# Demo logins made by `manage.py loaddemo` (courses/management/commands/loaddemo.py).
STUDENT = ("student", "learn-with-qiming")
ADMIN = ("admin", "admin-with-qiming")
SCHOOL_ADMIN = ("schooladmin", "school-with-qiming")


class Site:
    """manage.py runserver on a fresh var dir with the demo data; stopped on exit."""

    def __init__(self, var_dir: Path):
        self.env = {
            key: value
            for key, value in os.environ.items()
            # The embedded defaults (SQLite, filesystem broker), whatever this shell points at.
            if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "STATIC_ROOT"}
        }
        self.env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            QIMING_VAR_DIR=str(var_dir),
            PYTHONUNBUFFERED="1",
        )
        self.log_path = var_dir / "web.log"
        self.process: subprocess.Popen | None = None
        self.url = ""

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def class_cards(self, names: list[str]) -> list[tuple[str, str, str]]:
        """Class accounts in the demo class, made as a teacher makes them: (code, name, password)
        for each, what the printed card says."""
        code = (
            "from accounts.models import Classroom\n"
            "from accounts.services import class_accounts_create\n"
            "room = Classroom.objects.get(name='Demo class')\n"
            f"for card in class_accounts_create(classroom=room, names={names!r}):\n"
            "    print(room.join_code, card.name, card.password, sep='\\t')\n"
        )
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        # The shell may say more (Django 5.2 lists what it imported): cards are the tab lines.
        return [
            tuple(line.split("\t")) for line in done.stdout.splitlines() if line.count("\t") == 2
        ]

    def __enter__(self) -> Site:
        self.manage("migrate", "--noinput")
        self.manage("loaddemo")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return self
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise SystemExit(f"the site did not start:\n{self.log_path.read_text()[-3000:]}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)

    @contextlib.contextmanager
    def worker(self):
        """A grading worker on the site's database and broker, started as scripts/run.py starts
        one; stopped (warm, then killed) when the block ends."""
        log_path = self.log_path.with_name("worker.log")
        log = log_path.open("ab")
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "config", "worker",
                "--loglevel", "INFO", "--concurrency", "1", "--hostname", "screenshots@%h",
                "--queues", "grading,default", "--without-mingle", "--without-gossip",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        try:
            deadline = time.monotonic() + 90
            while " ready." not in log_path.read_text(errors="replace"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(
                        f"the grading worker did not start:\n{log_path.read_text()[-3000:]}"
                    )
                time.sleep(0.2)
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)


class Camera:
    """Opens watched pages on the site and saves pictures of them."""

    def __init__(self, browser, site: Site, out: Path):
        self.browser, self.site, self.out = browser, site, out
        self.saved: list[Path] = []

    def page(self, viewport: str, locale: str = "en-GB"):
        context = new_context(
            self.browser, viewport=viewport, locale=locale, base_url=self.site.url
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.problems = PageProblems()
        page.problems.watch(page)
        return page

    def save(self, page, name: str, *, full_page=False, top=None, bottom=None, only=None) -> None:
        """The viewport, or the whole page; `top` / `bottom`: a locator to scroll to the top or
        the bottom of the picture (with a little space); `only`: that element alone."""
        page.wait_for_load_state("networkidle")
        if top is not None:
            top.evaluate(
                "(node) => window.scrollTo(0, node.getBoundingClientRect().top + scrollY - 12)"
            )
        if bottom is not None:
            bottom.evaluate(
                "(node) => window.scrollTo(0, node.getBoundingClientRect().bottom + scrollY"
                " - innerHeight + 12)"
            )
        page.problems.check()
        path = self.out / f"{name}.png"
        options = {"path": str(path), "animations": "disabled", "caret": "hide"}
        if only is not None:
            only.screenshot(**options)
        else:
            page.screenshot(full_page=full_page, **options)
        self.saved.append(path)


def shot_home(camera: Camera) -> None:
    for viewport in ("desktop", "phone"):
        page = camera.page(viewport)
        page.goto("/")
        camera.save(page, f"home-{viewport}")
        page.context.close()


def shot_home_in_chinese(camera: Camera) -> None:
    """The same page for a browser that asks for Chinese (Accept-Language)."""
    page = camera.page("phone", locale="zh-CN")
    page.goto("/")
    if page.evaluate("document.documentElement.lang") != "zh-hans":
        raise SystemExit("the home page did not switch to zh-hans for a Chinese browser")
    camera.save(page, "home-zh-hans-phone")
    page.context.close()


def shot_sign_in(camera: Camera) -> None:
    for viewport in ("desktop", "phone"):
        page = camera.page(viewport)
        page.goto("/accounts/login/")
        camera.save(page, f"sign-in-{viewport}")
        page.context.close()


def class_code_sign_in(page, code: str, name: str, password: str) -> None:
    """Young learners sign in with what their card says."""
    page.goto("/accounts/class-sign-in/")
    page.get_by_label("Class code").fill(code)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()


def signed_in_page(camera: Camera, viewport: str, locale: str = "en-GB"):
    page = camera.page(viewport, locale)
    sign_in(page, *STUDENT)
    return page


def open_lesson(page, course_title: str, lesson_title: str) -> None:
    """From the catalogue, as a learner gets there."""
    page.goto("/courses/")
    page.get_by_role("link", name=course_title, exact=True).click()
    page.get_by_role("link", name=lesson_title, exact=True).click()
    page.wait_for_url("**/lessons/*/")


def shot_young_learner_quiz(camera: Camera) -> None:
    """The 6-8 course's picture quiz: on a phone just after a wrong answer (the hint for the
    picture chosen), on a desktop answered rightly at the second try (the mark and the
    explanation). Two children of the demo class, signed in with the class code."""
    cards = camera.site.class_cards(["Xiao Ming", "Li Hua"])
    for viewport, card in zip(("phone", "desktop"), cards, strict=True):
        page = camera.page(viewport)
        class_code_sign_in(page, *card)
        open_lesson(
            page, "Robot senses: how machines notice and learn", "Teaching a computer with pictures"
        )
        quiz = page.get_by_role("region", name="Exercise 2: Find the cat")
        quiz.get_by_role("radio", name="A dog").check()
        quiz.get_by_role("button", name="Check my answer").click()
        quiz.get_by_text("Not right yet.").wait_for()
        page.mouse.click(1, 1)  # focus off the button: no focus ring in the picture
        if viewport == "phone":
            camera.save(page, "quiz-6-8-phone", only=quiz)
        else:
            quiz.get_by_role("radio", name="A cat").check()
            quiz.get_by_role("button", name="Check again").click()
            quiz.get_by_text("Right!").wait_for()
            page.mouse.click(1, 1)
            camera.save(page, "quiz-6-8-desktop", top=quiz)
        page.context.close()


def shot_lesson_in_chinese(camera: Camera) -> None:
    """A 6-8 lesson after choosing 简体中文 in the menu: the lesson's own Chinese text."""
    page = signed_in_page(camera, "phone")
    open_lesson(page, "Robot senses: how machines notice and learn", "Eyes and ears for machines")
    with page.expect_navigation():
        page.get_by_label("Language").select_option("zh-hans")
    if page.get_by_role("heading", level=1).inner_text() != "机器的眼睛和耳朵":
        raise SystemExit("the lesson did not switch to its Chinese text")
    camera.save(page, "lesson-zh-hans-phone")
    page.context.close()


NOTEBOOK_ANSWER = (
    "def knn_accuracy(k, X_train, y_train, X_test, y_test):",
    "model = KNeighborsClassifier(n_neighbors=k)",
    "model.fit(X_train, y_train)",
    "return float(model.score(X_test, y_test))",
)


def shot_notebook_feedback(camera: Camera) -> None:
    """The 15-17 k-NN notebook: one function typed in the editor, the other left undone, then
    Submit; the picture shows the score and every test's feedback (hidden tests: pass or fail
    and points only), graded by a real worker in the sandbox."""
    with camera.site.worker():
        page = signed_in_page(camera, "desktop")
        open_lesson(page, "Machine learning with Python", "k nearest neighbours and overfitting")
        page.get_by_role("link", name="Open the notebook").click()
        page.wait_for_url("**/notebook/")
        page.locator("html[data-editors=ready]").wait_for(state="attached")
        page.locator("#answer-knn_accuracy + .cm-editor .cm-content").click()
        page.keyboard.press("Control+A")
        page.keyboard.press("Delete")
        for number, line in enumerate(NOTEBOOK_ANSWER):
            if number:
                page.keyboard.press("Enter")  # the editor indents the body itself
            page.keyboard.type(line)
        page.get_by_role("button", name="Submit for grading").click()
        page.locator("#run-status").get_by_text("Graded.").wait_for(timeout=180_000)
        page.mouse.click(5, 5)  # no editor focused, no caret in the picture
        # The end of the notebook (the undone function, its failed tests) and the results.
        camera.save(page, "notebook-feedback-desktop", bottom=page.locator("#run-details"))
        # Beside it, the answer cell with its tests' marks under them.
        camera.save(
            page, "notebook-cells-desktop", top=page.locator("label[for=answer-knn_accuracy]")
        )
        page.context.close()


def shot_reports(camera: Camera) -> None:
    """The platform administrator's dashboard on the demo history; a school administrator's
    completion by exercise filtered to one course's age band, on a phone."""
    page = camera.page("desktop")
    sign_in(page, *ADMIN)
    page.goto("/reports/")
    camera.save(page, "reports-dashboard-desktop", top=page.locator("main h2").first)
    page.context.close()
    page = camera.page("phone")
    sign_in(page, *SCHOOL_ADMIN)
    page.goto("/reports/completion-by-exercise/?age_band=15-17")
    camera.save(page, "reports-exercise-phone", top=page.locator("svg").first)
    page.context.close()


SHOTS: list[Callable[[Camera], None]] = [
    shot_home,
    shot_home_in_chinese,
    shot_sign_in,
    shot_young_learner_quiz,
    shot_lesson_in_chinese,
    shot_notebook_feedback,
    shot_reports,
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNGs")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory(prefix="qiming-screenshots-") as var_dir,
        Site(Path(var_dir)) as site,
        sync_playwright() as playwright,
    ):
        browser = launch(playwright)
        camera = Camera(browser, site, args.out)
        try:
            for shot in SHOTS:
                print(f"{shot.__name__}")
                shot(camera)
        finally:
            browser.close()
    for path in camera.saved:
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
