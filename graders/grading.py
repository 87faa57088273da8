"""Grading one submission end to end: the single code path of the CLI and the Celery workers.

parse (bounded) → assemble from the teacher's source → add canaries → run in the sandbox →
score with nbgrader's rules → check canaries and reply/output agreement → result.
"""

from __future__ import annotations

import asyncio
import copy
import os
import time
from dataclasses import dataclass

from django.conf import settings
from nbformat import NotebookNode

from graders import canaries, messages, notebook, outputs, runner, sandbox, scoring, warm
from graders.results import FAILED, GRADED, NEEDS_REVIEW, GradeResult, TestResult

# Stored in English, translated where shown (graders.messages).
UNANSWERED_MESSAGE = messages.UNANSWERED
REVIEW_MESSAGE = messages.REVIEW
TAMPER_REASON = messages.TAMPER_REASON


@dataclass
class _RunPlan:
    notebook: NotebookNode
    position: dict[int, int]  # assembled cell index -> index in the notebook that runs
    canaries: list[tuple[int, canaries.Canary]]


def _plan_run(assembly: notebook.Assembly) -> _RunPlan:
    """The notebook that runs: the assembly, a twin canary after every test, plain ones last."""
    tests = {test.index for test in assembly.tests}
    run_nb = copy.deepcopy(assembly.notebook)
    cells, position, placed = [], {}, []
    for index, cell in enumerate(run_nb.cells):
        position[index] = len(cells)
        cells.append(cell)
        if index in tests:
            twin = canaries.twin_of(cell.source)
            placed.append((len(cells), twin))
            cells.append(canaries.canary_cell(twin))
    for canary in canaries.make_canaries():
        placed.append((len(cells), canary))
        cells.append(canaries.canary_cell(canary))
    run_nb.cells = cells
    return _RunPlan(run_nb, position, placed)


def _score(assembly: notebook.Assembly, plan: _RunPlan, outcome: runner.RunOutcome) -> GradeResult:
    results: list[TestResult] = []
    review: list[str] = []
    tampered = False
    graded = sorted([*assembly.tests, *assembly.manual], key=lambda cell: cell.index)
    hidden_seen = False
    for cell in graded:
        if cell.kind != "test":
            answered = cell.grade_id not in assembly.unanswered
            message = REVIEW_MESSAGE if answered else UNANSWERED_MESSAGE
            if answered:
                review.append(messages.MARKED_BY_TEACHER % {"grade_id": cell.grade_id})
            results.append(TestResult(cell.grade_id, 0.0, cell.points, False, message))
            continue
        run = outcome.cells[plan.position[cell.index]]
        points, passed, message, consistent = scoring.score_test_cell(run, cell.points)
        tampered |= not consistent
        results.append(
            scoring.learner_view(
                cell.grade_id,
                points,
                cell.points,
                passed,
                message,
                hidden=cell.hidden,
                after_hidden=hidden_seen,
            )
        )
        hidden_seen |= cell.hidden and run.status != runner.NOT_RUN
    for index, canary in plan.canaries:
        run = outcome.cells[index]
        if run.status in (runner.OK, runner.ERROR, runner.BROKEN) and not canaries.canary_held(
            canary, run.status, run.reply, run.outputs
        ):
            tampered = True
    tampered |= bool(outcome.anomalies)
    if tampered:
        for result in results:
            result.points = 0.0
        review.insert(0, TAMPER_REASON)
    status = NEEDS_REVIEW if review else GRADED
    result = GradeResult(
        status=status,
        score=round(sum(result.points for result in results), 4),
        max_score=assembly.max_score,
        tests=results,
        error=outcome.error,
        review_reasons=review,
        seconds=round(outcome.seconds, 3),
    )
    result.outputs = _visible_outputs(assembly, plan, outcome)
    return result


# Cells whose outputs a learner may see: their own answers and the teacher's visible code.
_SHOWN_ROLES = (
    notebook.ROLE_SOLUTION,
    notebook.ROLE_MANUAL,
    notebook.ROLE_TEST,
    notebook.ROLE_LOCKED,
    notebook.ROLE_PLAIN,
)


def _visible_outputs(
    assembly: notebook.Assembly, plan: _RunPlan, outcome: runner.RunOutcome
) -> list[dict]:
    """Outputs of solution, visible test, locked and plain cells that ran before any hidden test.

    Never a hidden test's, never a canary's (they are not assembled cells), and nothing after the
    first hidden test: learner code that runs later could print what it saw of that test.
    """
    hidden = [cell.index for cell in assembly.tests if cell.hidden]
    stop = min(hidden) if hidden else len(assembly.notebook.cells)
    records = []
    for index, cell in enumerate(assembly.notebook.cells[:stop]):
        role = cell.metadata.get("qiming", {}).get("role")
        if cell.cell_type != "code" or role not in _SHOWN_ROLES:
            continue
        run = outcome.cells.get(plan.position[index])
        if run is None or not run.outputs:
            continue
        gid = cell.metadata["qiming"].get("grade_id")
        records.append({"index": index, "grade_id": gid, "outputs": run.outputs})
    return outputs.capped(records)


def max_score_of(source: NotebookNode) -> float:
    total = 0.0
    for cell in source.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") or meta.get("task"):
            total += float(meta.get("points", 0) or 0)
    return total


async def grade_async(
    source: NotebookNode,
    submission: bytes | str,
    *,
    limits: sandbox.Limits | None = None,
    pool: warm.Pool | None = None,
    refill: int = 0,
) -> GradeResult:
    """Grade one submission against a validated source notebook. Never raises for bad input.

    With `pool`, the notebook runs in one of its warm kernels when one fits (else in a fresh one,
    as without); with `refill` (submissions still to come), replacements are launched, up to that
    many, as soon as this one is taken.
    Raises SandboxUnavailable when grading is impossible on this machine (the caller decides
    whether that is a failed submission or a refusal to start).
    """
    started = time.monotonic()
    limits = limits or sandbox.Limits.from_settings()
    max_score = max_score_of(source)
    try:
        submitted = notebook.parse_notebook(
            submission, max_bytes=settings.GRADER_MAX_NOTEBOOK_BYTES
        )
        assembly = notebook.assemble(source, submitted)
    except notebook.NotebookError as error:
        return GradeResult.failure(str(error), max_score=max_score)
    sandboxed = sandbox.sandbox_mode() != "off"
    plan = _plan_run(assembly)
    kernel = None
    if pool is not None:
        kernel = await pool.take(limits, sandboxed)
        if refill:
            await pool.fill(limits, sandboxed, up_to=refill, modules=warm.imports(source))
    outcome = await runner.run_notebook(
        plan.notebook, limits=limits, sandboxed=sandboxed, kernel=kernel
    )
    if pool is not None and kernel is not None and kernel.warm_failed:
        pool.give_up(pool.key_of(limits, sandboxed))
    if not any(run.status != runner.NOT_RUN for run in outcome.cells.values()):
        result = GradeResult.failure(outcome.error or messages.DID_NOT_RUN, max_score=max_score)
    else:
        result = _score(assembly, plan, outcome)
    result.seconds = round(time.monotonic() - started, 3)
    return result


def grade(source: NotebookNode, submission: bytes | str, **kwargs) -> GradeResult:
    """grade_async in a fresh event loop, or with pool=warm.worker_pool() on this process's own
    loop (graders.warm.run), where its warm kernels live between calls (one thread only: the
    Celery task's)."""
    if kwargs.get("pool") is not None:
        return warm.run(grade_async(source, submission, **kwargs))
    return asyncio.run(grade_async(source, submission, **kwargs))


def default_jobs() -> int:
    return settings.GRADER_JOBS or len(os.sched_getaffinity(0))


async def grade_many_async(
    source: NotebookNode,
    submissions: list[bytes | str],
    *,
    jobs: int | None = None,
    pool: warm.Pool | None = None,
    **kwargs,
) -> list[GradeResult]:
    """Grade several submissions, `jobs` at a time (one kernel per core by default).

    With warm sandboxes on, each running notebook has the next kernel warming up beside it (at
    most `jobs` idle ones), forked by a zygote where one can run; all are destroyed when the
    batch ends. A caller that keeps its own `pool` (started earlier, on this loop) passes it and
    closes it itself.
    """
    jobs = max(1, jobs or default_jobs())
    gate = asyncio.Semaphore(jobs)
    own_pool = pool is None
    if own_pool:
        pool = warm.new_pool(jobs)
    waiting = len(submissions)

    async def one(submission):
        nonlocal waiting
        async with gate:
            waiting -= 1
            # Kernels are warmed only for submissions still to come.
            return await grade_async(source, submission, pool=pool, refill=waiting, **kwargs)

    try:
        return await asyncio.gather(*(one(submission) for submission in submissions))
    finally:
        if own_pool and pool is not None:
            await pool.close()


__all__ = ["FAILED", "GRADED", "NEEDS_REVIEW", "grade", "grade_async", "grade_many_async"]
