"""`manage.py grade SOURCE SUBMISSION [...] [--json] [--jobs N]`.

The same sandbox and code path as the workers. A bad submission fails on its own with a reason;
the exit code is non-zero only for bad arguments, an invalid source or no sandbox.
"""

import asyncio
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from graders import grading, notebook, sandbox
from graders.management.commands._notebook_args import load_source_or_fail, read_bounded
from graders.results import GradeResult


class Command(BaseCommand):
    help = "Grade learners' notebooks against a teacher's nbgrader source notebook."

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="the teacher's source notebook")
        parser.add_argument("submissions", type=Path, nargs="+", help="submitted notebooks")
        parser.add_argument("--json", action="store_true", help="one JSON object per line")
        parser.add_argument(
            "--jobs", type=int, default=0, help="notebooks at once (default: one per core)"
        )

    def handle(self, *args, source: Path, submissions: list[Path], **options):
        if options["jobs"] < 0:
            raise CommandError("--jobs must be 0 (one per core) or more.")
        source_nb = load_source_or_fail(source)
        try:
            sandbox.sandbox_mode()
        except sandbox.SandboxUnavailable as error:
            raise CommandError(str(error)) from None
        results = asyncio.run(self._grade_all(source_nb, submissions, options["jobs"] or None))
        for path, result in zip(submissions, results, strict=True):
            if options["json"]:
                line = json.dumps(result.to_json(submission=str(path)), ensure_ascii=False)
                self.stdout.write(line)
            else:
                self._write_human(path, result)

    async def _grade_all(self, source_nb, paths, jobs) -> list[GradeResult]:
        contents: list[bytes | None] = []
        early: dict[int, GradeResult] = {}
        max_score = grading.max_score_of(source_nb)
        for position, path in enumerate(paths):
            try:
                contents.append(read_bounded(path))
            except notebook.NotebookError as error:
                contents.append(None)
                early[position] = GradeResult.failure(str(error), max_score=max_score)
        readable = [content for content in contents if content is not None]
        graded = iter(await grading.grade_many_async(source_nb, readable, jobs=jobs))
        return [early[i] if content is None else next(graded) for i, content in enumerate(contents)]

    def _write_human(self, path: Path, result: GradeResult) -> None:
        self.stdout.write(f"{path}: {result.status}, {result.score:g} / {result.max_score:g}")
        if result.error:
            self.stdout.write(f"  {result.error}")
        for test in result.tests:
            mark = "✓" if test.passed else "✗"
            line = f"  {mark} {test.grade_id}: {test.points:g}/{test.max_points:g} {test.message}"
            self.stdout.write(line)
        for reason in result.review_reasons:
            self.stdout.write(f"  ! {reason}")
