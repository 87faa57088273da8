"""Validation runs: the static problems now, the sandbox checks on the workers, one record.

A run checks the content a course has when it is requested (its snapshot's SHA-256). The
sandbox part grades, for every notebook exercise and each language it has, the teacher's source
notebook against itself (the reference solution must score full marks on every autograded test)
and the released stub against the source (it must score nothing). Each grading is one step of a
task on the grading queue, so no task outlives the workers' time limit; a step that finds the
course changed since the request stops the run, since its result would describe other content.

Publishing asks `validation_passed`: a finished run of exactly the current content, no problems.
"""

from __future__ import annotations

import json
import logging

import nbformat
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from courses.models import Course, Exercise, ValidationRun
from courses.publishing.drafts import editable_course
from courses.publishing.keys import course_keys_ensure
from courses.publishing.permissions import require_manager
from courses.publishing.snapshot import content_sha256
from courses.publishing.validation import (
    SANDBOX,
    Problem,
    course_problems,
    exercise_place,
    sandbox_ready,
)
from graders import grading, notebook, sandbox

logger = logging.getLogger(__name__)
Status = ValidationRun.Status
SOLUTION = "solution"
STUB = "stub"
GRADING_QUEUE = "grading"


def validation_target(course: Course) -> Course:
    """What validating `course` checks: its draft if it has one, else the course itself."""
    return editable_course(course) or course


def _sandbox_checks(course: Course) -> list[dict]:
    checks = []
    exercises = Exercise.objects.filter(
        lesson__unit__course=course, kind=Exercise.Kind.NOTEBOOK
    ).order_by("lesson__unit__position", "lesson__position", "position", "pk")
    for exercise in exercises:
        for language in sandbox_ready(exercise):
            for what in (SOLUTION, STUB):
                checks.append({"exercise": exercise.pk, "language": language, "what": what})
    return checks


def validation_run_request(
    *, course: Course, user, language: str | None = None, enqueue: bool = True
) -> ValidationRun:
    """Check `course` (its draft, if it has one): static problems now, the sandbox checks queued
    on the workers. The run is done at once when the course has no notebook to run.

    Problems are written in `language` (default: the active one). `enqueue=False` leaves the
    steps to the caller (validation_run_in_process). Raises PermissionDenied unless `user` owns
    the course or is an admin.
    """
    require_manager(user, course)
    language = language or translation.get_language() or "en"
    with transaction.atomic():
        target = Course.objects.select_for_update().get(pk=validation_target(course).pk)
        course_keys_ensure(course=target)
        with translation.override(language):
            static = course_problems(course=target)
        checks = _sandbox_checks(target)
        now = timezone.now()
        run = ValidationRun.objects.create(
            course=target,
            requested_by=user,
            content_sha256=content_sha256(target),
            language=language[:8],
            problems=[problem.to_json() for problem in static],
            checks=checks,
            status=Status.QUEUED if checks else Status.DONE,
            finished_at=None if checks else now,
        )
        if checks and enqueue:
            transaction.on_commit(lambda: validation_step_enqueue(run.pk))
    return run


def validation_step_enqueue(run_id: int) -> bool:
    """Send the next step to the grading queue. A broker outage leaves the run queued (shown to
    the teacher as waiting; asking again makes a new run)."""
    from courses.tasks import validation_step

    try:
        validation_step.apply_async(args=[run_id], queue=GRADING_QUEUE)
    except Exception:
        logger.warning("could not enqueue validation run %s", run_id)
        return False
    return True


def latest_run(course: Course) -> ValidationRun | None:
    return ValidationRun.objects.filter(course=validation_target(course)).first()


def validation_passed(course: Course) -> ValidationRun | None:
    """The finished run without problems of exactly `course`'s current content, or None."""
    sha = content_sha256(course)
    return (
        ValidationRun.objects.filter(
            course=course, status=Status.DONE, content_sha256=sha, problems=[]
        )
        .order_by("-finished_at", "-pk")
        .first()
    )


def run_problems(run: ValidationRun) -> list[Problem]:
    return [Problem.from_json(data) for data in run.problems]


# --- the steps, run by courses.tasks.validation_step on a worker --------------------------------


def _fail(run: ValidationRun, message: str) -> bool:
    return bool(
        ValidationRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(
            status=Status.FAILED, error=message[:1000], finished_at=timezone.now()
        )
    )


def _sandbox_problem(exercise: Exercise, field: str, message: str) -> dict:
    place = exercise_place(exercise)
    labels = {
        "source_notebook": _("source notebook"),
        "source_notebook_zh": _("Chinese source notebook"),
        "released_notebook": _("released notebook"),
        "released_notebook_zh": _("Chinese released notebook"),
    }
    return Problem(
        kind=SANDBOX,
        where=place.where,
        field=field,
        field_label=labels[field],
        message=message,
        target=place.target,
        target_id=place.target_id,
    ).to_json()


def _autograded(source: nbformat.NotebookNode) -> set[str]:
    outline = notebook.grading_outline(source)
    return {gid for gid, cell in outline.items() if cell.role == notebook.ROLE_TEST}


def check_notebook(exercise: Exercise, language: str, what: str) -> list[dict]:
    """Grade one notebook of `exercise` in the sandbox; the problems found (JSON).

    "solution": the source against itself must score every autograded test's points.
    "stub": the released notebook, unanswered, must score nothing.
    Raises graders.sandbox.SandboxUnavailable when this machine cannot run notebooks.
    """
    chinese = language == Exercise.CHINESE
    source_data = exercise.source_notebook_zh if chinese else exercise.source_notebook
    source = nbformat.from_dict(source_data)
    limits = sandbox.Limits.from_settings(**(exercise.limits or {}))
    autograded = _autograded(source)
    problems = []
    if what == SOLUTION:
        field = "source_notebook_zh" if chinese else "source_notebook"
        result = grading.grade(source, json.dumps(source_data), limits=limits)
        if result.status == grading.FAILED:
            return [
                _sandbox_problem(
                    exercise,
                    field,
                    _("The reference solution could not be graded: %(error)s")
                    % {"error": (result.error or _("it did not run."))[:500]},
                )
            ]
        for test in result.tests:
            if test.grade_id not in autograded or test.points >= test.max_points:
                continue
            numbers = {
                "test": test.grade_id,
                "points": f"{test.points:g}",
                "max": f"{test.max_points:g}",
            }
            if test.hidden:  # grading reports hidden tests as passed or failed, nothing more
                message = (
                    _(
                        "The reference solution does not score full marks: hidden test "
                        "“%(test)s” gives %(points)s of %(max)s points."
                    )
                    % numbers
                )
            else:
                message = _(
                    "The reference solution does not score full marks: test "
                    "“%(test)s” gives %(points)s of %(max)s points (%(message)s)."
                ) % {**numbers, "message": test.message.strip()[:300]}
            problems.append(_sandbox_problem(exercise, field, message))
        if grading.TAMPER_REASON in result.review_reasons:
            problems.append(
                _sandbox_problem(
                    exercise,
                    field,
                    _(
                        "The reference solution interferes with the grading checks (for "
                        "example it stops the tests or changes how they report)."
                    ),
                )
            )
        return problems
    field = "released_notebook_zh" if chinese else "released_notebook"
    released = exercise.released_notebook_zh if chinese else exercise.released_notebook
    result = grading.grade(source, json.dumps(released), limits=limits)
    for test in result.tests:
        if test.grade_id in autograded and test.points > 0:
            problems.append(
                _sandbox_problem(
                    exercise,
                    field,
                    _(
                        "The released notebook scores without any answer: test “%(test)s” "
                        "gives %(points)s of %(max)s points to the unchanged stub."
                    )
                    % {
                        "test": test.grade_id,
                        "points": f"{test.points:g}",
                        "max": f"{test.max_points:g}",
                    },
                )
            )
    return problems


def validation_step(*, run_id: int, enqueue_next: bool = True) -> str:
    """Do the next sandbox check of a run and queue the one after; returns "next", "done",
    "failed" or "skip" (the run is final or another execution did this step). Idempotent: a
    repeated step stores nothing."""
    if ValidationRun.objects.filter(pk=run_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now()
    ):
        logger.info("validation run %s started", run_id)
    run = ValidationRun.objects.select_related("course").filter(pk=run_id).first()
    if run is None or run.status != Status.RUNNING:
        return "skip"
    step = run.progress
    if step >= len(run.checks):
        ValidationRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(
            status=Status.DONE, finished_at=timezone.now()
        )
        return "done"
    with translation.override(run.language):
        changed = _("The course changed while it was being checked; validate it again.")
        if content_sha256(run.course) != run.content_sha256:
            _fail(run, changed)
            return "failed"
        check = run.checks[step]
        exercise = (
            Exercise.objects.select_related("lesson__unit__course")
            .filter(pk=check["exercise"])
            .first()
        )
        if exercise is None:
            _fail(run, changed)
            return "failed"
        try:
            found = check_notebook(exercise, check["language"], check["what"])
        except sandbox.SandboxUnavailable:
            _fail(run, _("The workers cannot run notebooks in a sandbox now; try again later."))
            return "failed"
        except Exception:
            # A run left "running" for ever would block nothing but confuse everyone: say so.
            logger.exception("validation run %s: step %s failed", run_id, step)
            _fail(
                run,
                _(
                    "A sandbox check failed unexpectedly; validate again, and tell an "
                    "administrator if it keeps failing."
                ),
            )
            return "failed"
        if content_sha256(run.course) != run.content_sha256:
            _fail(run, changed)
            return "failed"
    last = step + 1 >= len(run.checks)
    updated = ValidationRun.objects.filter(pk=run.pk, status=Status.RUNNING, progress=step).update(
        progress=step + 1,
        problems=[*run.problems, *found],
        **({"status": Status.DONE, "finished_at": timezone.now()} if last else {}),
    )
    if not updated:
        return "skip"
    if last:
        logger.info("validation run %s done", run_id)
        return "done"
    if enqueue_next:
        validation_step_enqueue(run_id)
    return "next"


def validation_run_in_process(*, run_id: int) -> ValidationRun:
    """Do every remaining step here rather than on the workers (a command line without workers;
    the machine needs the sandbox). Returns the run, final."""
    while validation_step(run_id=run_id, enqueue_next=False) == "next":
        pass
    return ValidationRun.objects.get(pk=run_id)


def validation_run_fail(*, run_id: int, reason: str) -> bool:
    """Stop a run that cannot finish (its step ran out of time)."""
    run = ValidationRun.objects.filter(pk=run_id).first()
    return run is not None and _fail(run, reason)
