"""Scores from REAL nbgrader, to hold our grader to.

Everything nbgrader runs in its own virtualenv (.venv-nbgrader, the same libraries as the
grading kernel) as subprocesses, in a throwaway course directory with its own
``nbgrader_config.py`` and SQLite gradebook: ``nbgrader generate_assignment`` on the source,
``nbgrader autograde`` on the submissions, then a few lines run by the nbgrader venv's python
read the per-cell scores back out of the gradebook with nbgrader's own ``Gradebook`` API.

Used by tests/graders/test_nbgrader_parity.py, make_submissions.py (the released stub) and
bench/grading_vs_nbgrader.py (``NbgraderCourse`` lets it time the autograde step alone).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
NBGRADER_VENV = REPO / ".venv-nbgrader"
NBGRADER_PYTHON = NBGRADER_VENV / "bin" / "python"
COURSE_ID = "qiming-compat"
# Generous: nbgrader's default is 30 s a cell; a loaded CI machine must not turn into zeros.
CELL_TIMEOUT = 300

CONFIG = """\
c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = {course!r}
c.CourseDirectory.db_url = {db_url!r}
c.Autograde.create_student = True
c.Execute.timeout = {timeout}
c.ExecutePreprocessor.timeout = {timeout}
"""

# Run by the nbgrader venv's python: argv = db_url course assignment notebook student...
READ_GRADEBOOK = textwrap.dedent("""
    import json, sys
    from nbgrader.api import Gradebook
    db_url, course, assignment, notebook, *students = sys.argv[1:]
    out = {}
    with Gradebook(db_url, course) as gb:
        for student in students:
            nb = gb.find_submission_notebook(notebook, assignment, student)
            out[student] = {
                "points": {g.name: g.score for g in nb.grades},
                "max_points": {g.name: g.max_score for g in nb.grades},
                "needs_manual_grade": sorted(g.name for g in nb.grades if g.needs_manual_grade),
                "total": nb.score,
                "max_score": nb.max_score,
            }
    print(json.dumps(out))
""")


class NbgraderError(RuntimeError):
    pass


class Scores(dict):
    """One submission's nbgrader points by grade_id, plus its total and maximum.

    A plain ``dict[grade_id, points]`` to compare, with ``total``, ``max_score``,
    ``max_points`` (by grade_id) and ``needs_manual_grade`` (grade_ids) alongside.
    """

    def __init__(self, points, *, total, max_score, max_points, needs_manual_grade):
        super().__init__(points)
        self.total = total
        self.max_score = max_score
        self.max_points = dict(max_points)
        self.needs_manual_grade = list(needs_manual_grade)

    def __repr__(self):
        return f"Scores({dict(self)!r}, total={self.total!r}, max_score={self.max_score!r})"


def require_nbgrader() -> Path:
    if not NBGRADER_PYTHON.exists():
        raise NbgraderError(
            f"{NBGRADER_PYTHON} is missing: `make setup-test` installs nbgrader "
            "(requirements-nbgrader.txt) into .venv-nbgrader"
        )
    return NBGRADER_PYTHON


def student_id(name: str) -> str:
    """A submission name as an nbgrader student id (a folder name in submitted/)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", name) or "_"


class NbgraderCourse:
    """A temporary nbgrader course directory: release, submit, autograde, read the gradebook."""

    def __init__(self, root: Path, source_dir: Path, assignment: str, extra_config: str = ""):
        self.root = Path(root)
        self.assignment = assignment
        self.db_url = f"sqlite:///{self.root / 'gradebook.db'}"
        shutil.copytree(Path(source_dir) / assignment, self.root / "source" / assignment)
        (self.root / "nbgrader_config.py").write_text(
            CONFIG.format(
                root=str(self.root), course=COURSE_ID, db_url=self.db_url, timeout=CELL_TIMEOUT
            )
            + extra_config
        )
        # As if the venv were activated (nbgrader runs its `alembic` from PATH), and nothing
        # from the user's own Jupyter config or kernels may leak in.
        self.env = {
            **os.environ,
            "PATH": os.pathsep.join([str(NBGRADER_VENV / "bin"), os.environ.get("PATH", "")]),
            "JUPYTER_CONFIG_DIR": str(self.root / ".jupyter-config"),
            "JUPYTER_DATA_DIR": str(self.root / ".jupyter-data"),
            "JUPYTER_RUNTIME_DIR": str(self.root / ".jupyter-runtime"),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        for var in ("PYTHONPATH", "VIRTUAL_ENV", "DJANGO_SETTINGS_MODULE"):
            self.env.pop(var, None)

    def _run(self, *argv: str, timeout: float = 3600) -> str:
        proc = subprocess.run(
            [str(require_nbgrader()), *argv],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if proc.returncode != 0:
            raise NbgraderError(
                f"{' '.join(argv[:3])} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
            )
        return proc.stdout

    def nbgrader(self, *args: str) -> str:
        return self._run("-m", "nbgrader", *args)

    def generate_assignment(self) -> Path:
        """Release the assignment; returns the student copy of its notebook."""
        self.nbgrader("generate_assignment", self.assignment, "--force")
        return self.root / "release" / self.assignment / f"{self.assignment}.ipynb"

    def submit(self, submissions: dict[str, Path]) -> dict[str, str]:
        """Place each notebook as submitted/<student>/<assignment>/; returns name -> student."""
        students = {name: student_id(name) for name in submissions}
        if len(set(students.values())) != len(students):
            raise ValueError(f"submission names collide as student ids: {sorted(students)}")
        for name, path in submissions.items():
            dest = self.root / "submitted" / students[name] / self.assignment
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest / f"{self.assignment}.ipynb")
        return students

    def autograde(self) -> str:
        """nbgrader's normal serial autograde of every submitted student; returns its log."""
        return self.nbgrader("autograde", self.assignment, "--force")

    def scores(self, students: dict[str, str]) -> dict[str, Scores]:
        out = self._run(
            "-c",
            READ_GRADEBOOK,
            self.db_url,
            COURSE_ID,
            self.assignment,
            self.assignment,
            *students.values(),
        )
        raw = json.loads(out)
        return {
            name: Scores(
                raw[sid]["points"],
                total=raw[sid]["total"],
                max_score=raw[sid]["max_score"],
                max_points=raw[sid]["max_points"],
                needs_manual_grade=raw[sid]["needs_manual_grade"],
            )
            for name, sid in students.items()
        }


def nbgrader_autograde(
    source_dir: Path, submissions: dict[str, Path], assignment: str, *, extra_config: str = ""
) -> dict[str, Scores]:
    """nbgrader's own scores for each submission of ``assignment``.

    ``source_dir`` holds ``<assignment>/<assignment>.ipynb`` in nbgrader's source format;
    ``submissions`` maps a name to a submitted notebook. Returns, per name, the points by
    grade_id (a ``Scores``, which also carries ``.total`` and ``.max_score``).
    ``extra_config`` is appended to the course's nbgrader_config.py (stock nbgrader without it).
    """
    require_nbgrader()
    with tempfile.TemporaryDirectory(prefix="nbgrader-course-") as tmp:
        course = NbgraderCourse(Path(tmp), source_dir, assignment, extra_config)
        course.generate_assignment()
        students = course.submit(submissions)
        course.autograde()
        return course.scores(students)


def released_notebook(source_dir: Path, assignment: str) -> str:
    """The student copy nbgrader's generate_assignment makes, as notebook JSON text."""
    require_nbgrader()
    with tempfile.TemporaryDirectory(prefix="nbgrader-release-") as tmp:
        course = NbgraderCourse(Path(tmp), source_dir, assignment)
        return course.generate_assignment().read_text()
