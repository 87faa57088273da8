"""Builders for the course-folder tests: the demo folders, a small course folder (the one
tests/courses/test_coursefiles.py reads), and an nbgrader course directory made of the notebooks
in tests/graders/nbgrader_compat/."""

from __future__ import annotations

from pathlib import Path

import pytest

from courses.coursefiles.importer import course_import
from courses.coursefiles.reader import read_course
from tests.courses.test_coursefiles import COURSE_YAML, QUIZ_YAML, write_course
from tests.factories import ROOT, make_teacher

DEMO_COURSES = ROOT / "courses" / "demo" / "courses"
DEMO_SLUGS = sorted(path.name for path in DEMO_COURSES.iterdir() if (path / "course.yaml").exists())
NBGRADER_SOURCE = ROOT / "tests" / "graders" / "nbgrader_compat" / "source"
PS1 = (NBGRADER_SOURCE / "ps1" / "ps1.ipynb").read_bytes()
KNN = (NBGRADER_SOURCE / "knn" / "knn.ipynb").read_bytes()
TWIN = (
    DEMO_COURSES / "models-evidence-cost" / "exercises" / "how-good-is-a-guess.zh.ipynb"
).read_bytes()  # ps1's Chinese twin (the demo problem set is ps1)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
PLAIN_NOTEBOOK = (
    b'{"cells": [{"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [],'
    b' "source": ["1 + 1"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
)

# A quiz-only course (no notebooks, so validating it needs no sandbox).
QUIZ_COURSE_YAML = COURSE_YAML.replace(
    "exercises: [pick-the-cat.yaml, guess.yaml]", "exercises: [pick-the-cat.yaml]"
)


def folder_files(root: Path) -> dict[str, bytes]:
    """Every visible file under `root` that is part of the course: {relative path: bytes}."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(root).parts)
        and path.relative_to(root).parts[0] in ("course.yaml", "lessons", "exercises", "assets")
    }


def write_files(root: Path, files: dict[str, str | bytes | None]) -> Path:
    for name, data in files.items():
        path = root / name
        if data is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
    return root


def write_nbgrader_course(root: Path, extra: dict[str, str | bytes | None] | None = None) -> Path:
    """An nbgrader course root: config, gradebook, two assignments (ps10 sorts after ps2), data
    files, and the folders nbgrader makes that an import ignores."""
    files: dict[str, str | bytes | None] = {
        "nbgrader_config.py": "c = get_config()\nc.CourseDirectory.course_id = 'ml-101'\n",
        "gradebook.db": b"SQLite format 3\x00 not read",
        "source/ps10/ps1.ipynb": PS1,
        "source/ps10/ps1.zh.ipynb": TWIN,
        "source/ps2/knn.ipynb": KNN,
        "source/ps2/iris.csv": "sepal,petal\n5.1,1.4\n",
        "source/ps2/img/flower.png": PNG,
        "source/ps2/.ipynb_checkpoints/knn-checkpoint.ipynb": KNN,
        "release/ps2/knn.ipynb": KNN,
        "submitted/someone/ps2/knn.ipynb": KNN,
    }
    files.update(extra or {})
    return write_files(root, {name: data for name, data in files.items() if data is not None})


@pytest.fixture
def teacher():
    return make_teacher("ms-wang")


@pytest.fixture
def tiny_folder(tmp_path) -> Path:
    """The small course folder of tests/courses/test_coursefiles.py (a quiz, a notebook, assets)."""
    return write_course(tmp_path / "tiny-course")


@pytest.fixture
def quiz_folder(tmp_path) -> Path:
    """A quiz-only variant, published: validating it runs nothing in the sandbox."""
    return write_course(
        tmp_path / "quiz-course",
        {
            "course.yaml": QUIZ_COURSE_YAML,
            "exercises/guess.yaml": None,
            "exercises/guess.ipynb": None,
            "exercises/pick-the-cat.yaml": QUIZ_YAML,
        },
    )


def import_folder(path: Path, owner=None, **options):
    return course_import(folder=read_course(path), owner=owner or make_teacher(), **options)
