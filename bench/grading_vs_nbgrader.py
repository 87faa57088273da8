"""Time `manage.py grade` against nbgrader's own autograde on the same batch of notebooks.

    .venv/bin/python bench/grading_vs_nbgrader.py [--n 20] [--jobs 2] [--only-nbgrader]

The batch is N copies of the knn parity submissions (tests/graders/nbgrader_compat),
alternating correct and partly correct. nbgrader 0.9.6 (from .venv-nbgrader) autogrades the
whole batch in one run, its normal serial way; only the `nbgrader autograde` step is timed,
not the course set-up. Ours twice: one `manage.py grade SOURCE SUBS... --jobs N --json`,
start-up included, and bench/grade_service.py (the pool, a zygote where one can run, ready first,
as a running worker's is). All must score every submission; the timings are reported, never
asserted. With all run, the section between the markers in docs/benchmarks.md is rewritten.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.graders.nbgrader_compat.nbgrader_scores import (  # noqa: E402
    NbgraderCourse,
    require_nbgrader,
)

CORPUS = REPO / "tests" / "graders" / "nbgrader_compat"
ASSIGNMENT = "knn"
SOURCE_NB = CORPUS / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
KINDS = ("correct", "partly_correct")
DOC = REPO / "docs" / "benchmarks.md"
BEGIN = "<!-- BEGIN bench/grading_vs_nbgrader.py: rewritten by that script -->"
END = "<!-- END bench/grading_vs_nbgrader.py -->"


def make_batch(n: int, out: Path) -> dict[str, Path]:
    """n submissions named s000-correct, s001-partly_correct, ... as separate files."""
    out.mkdir(parents=True)
    batch = {}
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        path = out / f"s{i:03d}-{kind}.ipynb"
        shutil.copyfile(CORPUS / "submitted" / kind / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", path)
        batch[path.stem] = path
    return batch


def run_nbgrader(batch: dict[str, Path], root: Path) -> tuple[float, dict[str, float]]:
    course = NbgraderCourse(root, CORPUS / "source", ASSIGNMENT)
    course.generate_assignment()
    students = course.submit(batch)
    start = time.perf_counter()
    course.autograde()
    seconds = time.perf_counter() - start
    scores = course.scores(students)
    return seconds, {name: s.total for name, s in scores.items() if s.total is not None}


def run_ours(batch: dict[str, Path], jobs: int) -> tuple[float, dict[str, float]]:
    argv = [sys.executable, "manage.py", "grade", str(SOURCE_NB), *map(str, batch.values())]
    argv += ["--jobs", str(jobs), "--json"]
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"manage.py grade exited {proc.returncode}:\n{proc.stderr}")
    names = {str(path): name for name, path in batch.items()}
    scores = {}
    for line in filter(str.strip, proc.stdout.splitlines()):
        result = json.loads(line)
        if result["status"] in ("graded", "needs_review"):
            scores[names[result["submission"]]] = result["score"]
        else:
            print(f"  ours: {result['submission']}: {result['status']}: {result['error']}")
    return seconds, scores


def run_service(batch: dict[str, Path], jobs: int) -> tuple[float, float, dict[str, float]]:
    """bench/grade_service.py: the pool (zygote) ready first, as a running worker's is."""
    argv = [sys.executable, str(REPO / "bench" / "grade_service.py"), str(SOURCE_NB)]
    argv += [*map(str, batch.values()), "--jobs", str(jobs)]
    proc = subprocess.run(argv, cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"grade_service.py exited {proc.returncode}:\n{proc.stderr}")
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    names = {str(path): name for name, path in batch.items()}
    scores = {}
    for result in report["results"]:
        if result["status"] in ("graded", "needs_review"):
            scores[names[result["submission"]]] = result["score"]
        else:
            print(f"  service: {result['submission']}: {result['status']}: {result['error']}")
    print(f"  pool: {report['pool']}, ready in {report['ready_seconds']:.1f} s (not counted), "
          f"served {report['served']} of {len(batch)}")  # fmt: skip
    return report["seconds"], report["ready_seconds"], scores


def machine() -> dict[str, str]:
    uname = subprocess.run(["uname", "-srm"], capture_output=True, text=True).stdout.strip()
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith(("model name", "Model")):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return {
        "uname": uname,
        "cpu": cpu,
        "cores": f"{os.cpu_count()} ({len(os.sched_getaffinity(0))} usable)",
        "memory": f"{mem_kib / 2**20:.1f} GiB",
    }


def nbgrader_version() -> str:
    argv = [str(require_nbgrader()), "-c", "import nbgrader; print(nbgrader.__version__)"]
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()


def table(rows: list[tuple[str, int, float]]) -> list[str]:
    base = rows[0][2]
    lines = [
        "| tool | submissions | wall seconds | per submission | times as fast as nbgrader |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for tool, n, seconds in rows:
        lines.append(f"| {tool} | {n} | {seconds:.1f} | {seconds / n:.2f} | {base / seconds:.1f} |")
    return lines


def write_doc(section: str) -> None:
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    block = f"{BEGIN}\n{section.rstrip()}\n{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="submissions in the batch (20)")
    parser.add_argument("--jobs", type=int, default=2, help="manage.py grade --jobs (2)")
    parser.add_argument("--only-nbgrader", action="store_true", help="time nbgrader alone")
    args = parser.parse_args()
    if args.n < 1:
        parser.error("--n must be at least 1")
    version = nbgrader_version()

    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        batch = make_batch(args.n, Path(tmp) / "batch")
        print(f"nbgrader {version} autograde: {args.n} submissions of {ASSIGNMENT} ...")
        nb_seconds, nb_scores = run_nbgrader(batch, Path(tmp) / "course")
        print(f"  {nb_seconds:.1f} s, {nb_seconds / args.n:.2f} s a submission")
        rows = [(f"nbgrader {version} autograde (serial)", args.n, nb_seconds)]
        missing = sorted(set(batch) - set(nb_scores))
        if not args.only_nbgrader:
            print(f"manage.py grade --jobs {args.jobs}: the same {args.n} submissions ...")
            our_seconds, our_scores = run_ours(batch, args.jobs)
            print(f"  {our_seconds:.1f} s, {our_seconds / args.n:.2f} s a submission")
            rows.append(
                (f"manage.py grade --jobs {args.jobs} (start-up included)", args.n, our_seconds)
            )
            missing += sorted(set(batch) - set(our_scores))
            print(f"a running worker's pool, --jobs {args.jobs}: the same {args.n} ...")
            service_seconds, ready_seconds, service_scores = run_service(batch, args.jobs)
            print(f"  {service_seconds:.1f} s, {service_seconds / args.n:.2f} s a submission")
            rows.append(
                (
                    f"the same, zygote ready (a running worker), --jobs {args.jobs}",
                    args.n,
                    service_seconds,
                )
            )
            missing += sorted(set(batch) - set(service_scores))

    if missing:
        print(f"not scored by both: {', '.join(missing)}", file=sys.stderr)
        return 1
    lines = table(rows)
    print("\n".join(lines))
    if args.only_nbgrader:
        print("(nbgrader only: docs/benchmarks.md left as it was)")
        return 0

    differ = sorted(
        name
        for name in batch
        if max(abs(nb_scores[name] - ours[name]) for ours in (our_scores, service_scores)) > 1e-9
    )
    agreement = f"Scores agree on {args.n - len(differ)} of {args.n} submissions"
    agreement += f" (differ: {', '.join(differ)})." if differ else "."
    for label, seconds in (("start-up included", our_seconds), ("zygote ready", service_seconds)):
        print(f"ratio, {label}: {nb_seconds / seconds:.1f}x as fast as nbgrader")
    print(agreement)

    info = machine()
    counts = {kind: sum(name.split("-", 1)[1] == kind for name in batch) for kind in KINDS}
    kinds = ", ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in counts.items())
    section = "\n".join(
        [
            "## Grading vs nbgrader autograde",
            "",
            f"Run on {datetime.date.today().isoformat()} with "
            f"`bench/grading_vs_nbgrader.py --n {args.n} --jobs {args.jobs}`: {args.n} "
            f"submissions of the iris k-NN notebook ({kinds}), from "
            "`tests/graders/nbgrader_compat/`. nbgrader autogrades the batch in one run, one "
            "notebook after another (its course set-up not timed). Ours, in the full sandbox, "
            f"twice: one `manage.py grade ... --jobs {args.jobs}`, start-up included (Django, "
            "and the zygote importing scikit-learn before the first fork); and "
            f"`bench/grade_service.py --jobs {args.jobs}`, timed from the first submission to "
            "the last result once the pool is ready, as a running worker's is (it got ready in "
            f"{ready_seconds:.1f} s, not counted). Ratio is nbgrader's wall time divided by ours "
            "(how many times as fast).",
            "",
            f"Machine: `{info['uname']}`; {info['cpu']}; {info['cores']} cores; "
            f"{info['memory']} memory.",
            "",
            *lines,
            "",
            agreement,
        ]
    )
    write_doc(section)
    print(f"wrote {DOC.relative_to(REPO)}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
