"""Grade a batch as a running worker would: sandboxes started first, then the clock.

    .venv/bin/python bench/grade_service.py SOURCE SUBMISSION... [--jobs N]

Prints one JSON object: the seconds from the first submission to the last result, how long the
pool took to get ready (not counted), the kernels the pool served, and each result. A Celery
worker starts its zygote (or warm kernel) when its process starts, long before submissions
arrive; this is what bench/grading_vs_nbgrader.py compares with nbgrader beside the cold
`manage.py grade` figure. Never asserts a timing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from graders import grading, notebook, sandbox, warm, zygote  # noqa: E402


async def run(source_path: Path, paths: list[Path], jobs: int) -> dict:
    source = notebook.load_source(source_path.read_bytes(), max_bytes=5_000_000)
    contents = [path.read_bytes() for path in paths]
    limits = sandbox.Limits.from_settings()
    pool = warm.new_pool(jobs)
    started = time.perf_counter()
    if isinstance(pool, zygote.ZygotePool):
        await pool.fill(limits, True)
        await pool.zygote.wait_ready(limits.startup_timeout)
    if pool is not None:
        await pool.fill(limits, True)  # the first kernels, forked (or started) ahead
        await asyncio.sleep(1 if isinstance(pool, zygote.ZygotePool) else 5)
    ready = time.perf_counter() - started
    try:
        start = time.perf_counter()
        results = await grading.grade_many_async(source, contents, jobs=jobs, pool=pool)
        seconds = time.perf_counter() - start
    finally:
        if pool is not None:
            await pool.close()
    return {
        "seconds": seconds,
        "ready_seconds": ready,
        "pool": type(pool).__name__ if pool is not None else None,
        "served": pool.used if pool is not None else 0,
        "results": [
            result.to_json(submission=str(p)) for p, result in zip(paths, results, strict=True)
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("submissions", type=Path, nargs="+")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.source, args.submissions, args.jobs))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
