"""Simulated learners for bench/load_test.py: run by .venv-bench/bin/locust, never by Django's venv.

Each learner signs in with a generated account (username/password from the plan), then, with
`LOAD_WAIT` seconds of reading between steps: opens the dashboard, the catalogue, a course, its
lessons; answers quizzes, each at most once, half through the lesson page's form and half through
the quiz API; opens a notebook exercise's page; now and then (one step in 89) submits the demo
notebook through the submission API and polls it every second until it is graded (one in flight
per learner).

The plan (`LOAD_PLAN`, JSON written by load_test.py's set-up) lists the learners, courses,
lessons, quiz exercises with a valid answer each, notebook pages and the notebook to submit.
Every request's time is appended to `LOAD_RESULTS` (JSON lines) for load_test.py, which computes
the percentiles from the raw times (locust's own are rounded).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from urllib.parse import urlencode

from locust import FastHttpUser, between, events, task

with open(os.environ["LOAD_PLAN"]) as plan:
    PLAN = json.load(plan)
LEARNERS = itertools.cycle(PLAN["learners"])
WAIT = [float(x) for x in os.environ.get("LOAD_WAIT", "2,10").split(",")]
POLL = 1.0  # seconds between polls of a submission, like the notebook page
FINAL = {"graded", "needs_review", "failed"}
FORM_KINDS = {"single_choice", "multiple_choice", "true_false", "numeric", "short_text"}
STARTED = time.monotonic()
_results = open(os.environ["LOAD_RESULTS"], "a")  # noqa: SIM115 (closed at quit)
_phase = {"steady": False}


@events.spawning_complete.add_listener
def _spawned(user_count, **_kwargs):
    _phase["steady"] = True
    _results.write(json.dumps({"spawned": time.monotonic() - STARTED}) + "\n")


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, **_kwargs):
    row = {
        "name": name,
        "method": request_type,
        "ms": response_time,
        "at": round(time.monotonic() - STARTED, 3),
        "steady": _phase["steady"],
        "error": str(exception)[:200] if exception else None,
    }
    _results.write(json.dumps(row) + "\n")


@events.quitting.add_listener
def _close(**_kwargs):
    _results.close()


def failure(response) -> str:
    """The status and, for a page, its title; for the API, its message."""
    text = response.text or ""
    if "<title>" in text:
        text = text.split("<title>", 1)[1].split("</title>", 1)[0]
    return f"{response.status_code} {' '.join(text.split())[:120]}"


class Learner(FastHttpUser):
    wait_time = between(*WAIT)

    def on_start(self):
        self.username, password = next(LEARNERS)
        self.answered: set[int] = set()
        self.submission: int | None = None
        self.client.get("/accounts/login/", name="sign-in page")
        self.post_form(
            "/accounts/login/",
            {"username": self.username, "password": password, "next": "/dashboard/"},
            name="sign in (POST, PBKDF2)",
        )

    # --- helpers ------------------------------------------------------------------------------

    def csrf(self) -> str:
        for cookie in self.client.cookiejar:
            if cookie.name == "csrftoken":
                return cookie.value
        return ""

    def post_form(self, path: str, data: dict, name: str) -> None:
        """A form post as a browser sends it: expect the redirect, do not follow it."""
        body = urlencode({**data, "csrfmiddlewaretoken": self.csrf()}, doseq=True)  # lists too
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        with self.client.post(
            path, data=body, headers=headers, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(failure(response))

    def api_post(self, path: str, body: bytes, name: str):
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.csrf()}
        with self.client.post(
            path, data=body, headers=headers, name=name, catch_response=True
        ) as response:
            if response.status_code != 201:
                response.failure(failure(response))
                return None
            return response.json()

    def course(self) -> dict:
        return random.choice(PLAN["courses"])

    # --- what a learner does ------------------------------------------------------------------

    @task(12)
    def dashboard(self):
        self.client.get("/dashboard/", name="dashboard")

    @task(8)
    def catalogue(self):
        self.client.get("/courses/", name="catalogue")

    @task(12)
    def course_page(self):
        self.client.get(f"/courses/{self.course()['slug']}/", name="course")

    @task(24)
    def lesson(self):
        course = self.course()
        lesson = random.choice(course["lessons"])
        self.client.get(f"/courses/{course['slug']}/lessons/{lesson}/", name="lesson")

    @task(12)
    def quiz_by_form(self):
        quizzes = [q for q in PLAN["quizzes"] if q["kind"] in FORM_KINDS]
        quiz = self.unanswered(quizzes)
        if quiz is None:
            return
        lesson = f"/courses/{quiz['course']}/lessons/{quiz['lesson']}/"
        self.client.get(lesson, name="lesson")  # the page with the form
        answer = quiz["answer"]
        if quiz["kind"] == "true_false":
            answer = "true" if answer else "false"
        self.post_form(
            f"{lesson}exercises/{quiz['id']}/answer/", {"answer": answer}, name="quiz answer (form)"
        )
        self.client.get(lesson, name="lesson")  # where the redirect leads

    @task(12)
    def quiz_by_api(self):
        quiz = self.unanswered(PLAN["quizzes"])
        if quiz is not None:
            body = json.dumps({"answer": quiz["answer"]}).encode()
            self.api_post(f"/api/v1/exercises/{quiz['id']}/answers/", body, "quiz answer (API)")

    def unanswered(self, quizzes: list[dict]) -> dict | None:
        left = [quiz for quiz in quizzes if quiz["id"] not in self.answered]
        if not left:
            return None
        quiz = random.choice(left)
        self.answered.add(quiz["id"])
        return quiz

    @task(8)
    def notebook_page(self):
        self.client.get(f"/exercises/{random.choice(PLAN['notebooks'])}/notebook/", name="notebook")

    @task(1)
    def submit_notebook(self):
        exercise = PLAN["submit"]["exercise"]
        self.client.get(f"/exercises/{exercise}/notebook/", name="notebook")
        body = PLAN["submit"]["content"].encode()
        created = self.api_post(
            f"/api/v1/exercises/{exercise}/submissions/", body, "submit notebook (API)"
        )
        if created is None:
            return
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            time.sleep(POLL)  # gevent patches sleep: other learners go on meanwhile
            response = self.client.get(
                f"/api/v1/submissions/{created['id']}/", name="submission status (API)"
            )
            if response.status_code != 200 or response.json().get("status") in FINAL:
                return
