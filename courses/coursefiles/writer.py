"""Writing a course from the database as a course folder: the importer's inverse.

`course_files(course)` is the folder as {relative path: bytes}, built in memory and deterministic:
the same course always gives the same bytes, so a course kept in git shows no change when
nothing changed. `course_export(course=…, path=…)` writes it to disk. An import of the written
folder gives the same course again (tests/coursefiles/test_round_trip.py).

The layout is canonical (docs/course-format.md, "Canonical form"):

- YAML through courses.coursefiles.yaml_dumper, fields in the documented order; optional fields
  at their default are left out (no summary, prompt or explanation when both languages are
  empty, no max_attempts when unlimited, `published` on an exercise only when false, no
  limits when there are none, no empty lists); the course always says `format`, `public` and
  `published`. A quiz's spec is written in a fixed key order (SPEC_ORDER, ITEM_ORDER), since
  some databases do not keep the order of keys in JSON.
- Lessons' Markdown exactly as stored.
- Notebooks as Jupyter writes them (nbformat: one-space indent, sorted keys, a final newline),
  which is byte for byte what a notebook saved in Jupyter looks like.
- Assets exactly as stored.

Lessons without a slug and exercises without a key (made in the browser before they were
given one) get one from their title, unique in the course, the way publishing gives them one
(courses.publishing.keys); the database is not changed by an export.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
from pathlib import Path, PurePosixPath

import nbformat
from django.utils.text import slugify
from django.utils.translation import gettext as _

from courses.coursefiles import yaml_dumper
from courses.coursefiles.reader import (
    ASSETS_DIR,
    COURSE_FILE,
    EXERCISES_DIR,
    FORMAT_VERSION,
    LESSONS_DIR,
)
from courses.models import Course, CourseAsset, Exercise, Lesson, Unit
from graders import sandbox

MANAGED = (COURSE_FILE, LESSONS_DIR, EXERCISES_DIR, ASSETS_DIR)  # what an export writes
LESSON_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
EXERCISE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
LESSON_SLUG_LENGTH = Lesson._meta.get_field("slug").max_length
EXERCISE_KEY_LENGTH = Exercise._meta.get_field("key").max_length

SPEC_ORDER = (
    "options",
    "categories",
    "items",
    "left",
    "right",
    "pairs",
    "correct",
    "tolerance",
    "relative_tolerance",
    "unit_en",
    "unit_zh",
    "accepted_en",
    "accepted_zh",
    "points",
)
ITEM_ORDER = (
    "id",
    "text_en",
    "text_zh",
    "image",
    "alt_en",
    "alt_zh",
    "category",
    "feedback_en",
    "feedback_zh",
)
LIMIT_ORDER = tuple(limit.name for limit in dataclasses.fields(sandbox.Limits))


class CourseExportError(Exception):
    """An export that was refused; nothing was written. The message says why."""


# --- the folder in memory ----------------------------------------------------------------------


def course_files(course: Course) -> dict[str, bytes]:
    """Every file of `course`'s folder: {path relative to the folder: content}, in a stable
    order (course.yaml, lessons, exercises, assets)."""
    units = list(Unit.objects.filter(course=course).order_by("position", "pk"))
    lessons = list(
        Lesson.objects.filter(unit__course=course).order_by("unit__position", "position", "pk")
    )
    exercises = list(
        Exercise.objects.filter(lesson__unit__course=course).order_by(
            "lesson__unit__position", "lesson__position", "position", "pk"
        )
    )
    slugs = _names(
        lessons,
        current=lambda lesson: lesson.slug,
        title=lambda lesson: lesson.title_en,
        fallback="lesson",
        pattern=LESSON_SLUG,
        max_length=LESSON_SLUG_LENGTH,
    )
    keys = _names(
        exercises,
        current=lambda exercise: exercise.key,
        title=lambda exercise: exercise.title,
        fallback="exercise",
        pattern=EXERCISE_KEY,
        max_length=EXERCISE_KEY_LENGTH,
    )
    exercises_of: dict[int, list[Exercise]] = {}
    for exercise in exercises:
        exercises_of.setdefault(exercise.lesson_id, []).append(exercise)
    lessons_of: dict[int, list[Lesson]] = {}
    for lesson in lessons:
        lessons_of.setdefault(lesson.unit_id, []).append(lesson)

    files: dict[str, bytes] = {COURSE_FILE: b""}  # filled last, first in order
    unit_entries = []
    for unit in units:
        lesson_entries = []
        for lesson in lessons_of.get(unit.pk, []):
            slug = slugs[lesson.pk]
            for lang in ("en", "zh"):
                body = getattr(lesson, f"body_{lang}")
                files[f"{LESSONS_DIR}/{slug}.{lang}.md"] = body.encode("utf-8")
            names = [f"{keys[exercise.pk]}.yaml" for exercise in exercises_of.get(lesson.pk, [])]
            lesson_entries.append(
                _without_empty(
                    {
                        "slug": slug,
                        "title_en": lesson.title_en,
                        "title_zh": lesson.title_zh,
                        "exercises": names,
                    }
                )
            )
        unit_entries.append(
            _without_empty(
                {"title_en": unit.title_en, "title_zh": unit.title_zh, "lessons": lesson_entries}
            )
        )
    for exercise in exercises:
        files.update(exercise_files(exercise, keys[exercise.pk]))
    for name, content in (
        CourseAsset.objects.filter(course=course).order_by("name").values_list("name", "content")
    ):
        files[f"{ASSETS_DIR}/{name}"] = bytes(content)
    files[COURSE_FILE] = yaml_dumper.dump(course_data(course, unit_entries)).encode("utf-8")
    return files


def course_data(course: Course, units: list[dict]) -> dict:
    """course.yaml's fields, in the documented order."""
    live = course.draft_of if course.draft_of_id else course
    data: dict = {
        "format": FORMAT_VERSION,
        "slug": course.slug,
        "title_en": course.title_en,
        "title_zh": course.title_zh,
    }
    data.update(_pair(course, "summary"))
    data["age_band"] = course.age_band
    if course.big_ideas:
        data["big_ideas"] = list(course.big_ideas)
    data["public"] = course.is_public
    # A draft is never published itself; the folder says what the course is.
    data["published"] = live.is_published
    if units:
        data["units"] = units
    return data


def exercise_files(exercise: Exercise, key: str) -> dict[str, bytes]:
    """exercises/<key>.yaml and, for a notebook, <key>.ipynb and <key>.zh.ipynb."""
    data: dict = {"kind": exercise.kind, "title": exercise.title, "title_zh": exercise.title_zh}
    data.update(_pair(exercise, "prompt"))
    data.update(_pair(exercise, "explanation"))
    if exercise.max_attempts is not None:
        data["max_attempts"] = exercise.max_attempts
    if not exercise.is_published:
        data["published"] = False
    files = {}
    if exercise.is_notebook:
        if exercise.limits:
            data["limits"] = _ordered(exercise.limits, LIMIT_ORDER)
        if exercise.source_notebook:  # none yet: the import names the missing file
            files[f"{EXERCISES_DIR}/{key}.ipynb"] = notebook_bytes(exercise.source_notebook)
        if exercise.source_notebook_zh:
            files[f"{EXERCISES_DIR}/{key}.zh.ipynb"] = notebook_bytes(exercise.source_notebook_zh)
    else:
        data["spec"] = spec_ordered(exercise.spec)
    return {f"{EXERCISES_DIR}/{key}.yaml": yaml_dumper.dump(data).encode("utf-8"), **files}


def notebook_bytes(source: dict) -> bytes:
    """A notebook file as Jupyter saves it."""
    text = nbformat.writes(nbformat.from_dict(source))
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def spec_ordered(spec: dict) -> dict:
    """A quiz spec with its keys in the canonical order (lists keep their order)."""
    spec = _ordered(spec, SPEC_ORDER)
    for key, value in spec.items():
        if isinstance(value, list):
            spec[key] = [
                _ordered(item, ITEM_ORDER) if isinstance(item, dict) else item for item in value
            ]
    if isinstance(spec.get("pairs"), dict):
        left = [item.get("id") for item in spec.get("left", []) if isinstance(item, dict)]
        spec["pairs"] = _ordered(spec["pairs"], left)
    return spec


def _ordered(mapping: dict, order) -> dict:
    """`mapping` with the keys in `order` first, in that order, then the others sorted."""
    known = [key for key in order if key in mapping]
    others = sorted((key for key in mapping if key not in known), key=str)
    return {key: mapping[key] for key in [*known, *others]}


def _pair(obj, name: str) -> dict:
    """`name_en` and `name_zh` when either has text: both or neither, as the format wants."""
    en, zh = getattr(obj, f"{name}_en"), getattr(obj, f"{name}_zh")
    return {f"{name}_en": en, f"{name}_zh": zh} if en or zh else {}


def _without_empty(entry: dict) -> dict:
    return {key: value for key, value in entry.items() if value != []}


def _names(rows, *, current, title, fallback, pattern, max_length) -> dict[int, str]:
    """{pk: file stem}: the stored slug or key when it is a valid file stem not taken yet (in
    order), else one made from the title ("-2", "-3" … when taken; "<fallback>-<pk>" when the
    title has no Latin letters). Compared without case, so the files differ on every disk."""
    names: dict[int, str] = {}
    taken: set[str] = set()
    for row in rows:
        name = current(row) or ""
        if not (pattern.match(name) and len(name) <= max_length) or name.lower() in taken:
            base = (slugify(name or title(row) or "")[:max_length].strip("-_")) or (
                f"{fallback}-{row.pk}"
            )
            name, number = base, 1
            while name.lower() in taken:
                number += 1
                suffix = f"-{number}"
                name = base[: max_length - len(suffix)] + suffix
        taken.add(name.lower())
        names[row.pk] = name
    return names


# --- on disk -----------------------------------------------------------------------------------


def course_export(*, course: Course, path: Path | str, force: bool = False) -> dict[str, bytes]:
    """Write `course`'s folder at `path` and return what was written.

    `path` must be missing or empty. With `force`, a course folder there (it has course.yaml)
    has its course.yaml, lessons/, exercises/ and assets/ replaced, and anything else in it
    (README.md, .git) is kept: how a course kept in git is updated. Raises CourseExportError,
    writing nothing, when `path` is not a folder, is not empty without `force`, or holds
    lessons/, exercises/ or assets/ but no course.yaml (not a course folder: nothing deleted).
    """
    root = Path(path)
    files = course_files(course)  # everything in memory before anything on disk changes
    for relative in files:  # names are checked when stored; this is the last line of defence
        parts = PurePosixPath(relative).parts
        if PurePosixPath(relative).is_absolute() or ".." in parts or "" in parts:
            raise CourseExportError(_("%(name)s would be outside the folder.") % {"name": relative})
    if root.exists() and not root.is_dir():
        raise CourseExportError(_("%(path)s is not a folder.") % {"path": root})
    if root.is_dir() and any(root.iterdir()):
        if not force:
            raise CourseExportError(
                _("%(path)s is not empty; choose an empty folder, or force the export.")
                % {"path": root}
            )
        managed = [root / name for name in MANAGED if os.path.lexists(root / name)]
        if managed and not (root / COURSE_FILE).is_file():
            raise CourseExportError(
                _(
                    "%(path)s holds %(names)s but no %(course_file)s: it does not look like a "
                    "course folder, so nothing in it is replaced."
                )
                % {
                    "path": root,
                    "names": ", ".join(item.name for item in managed),
                    "course_file": COURSE_FILE,
                }
            )
        for item in managed:
            if item.is_dir() and not item.is_symlink():
                shutil.rmtree(item)
            else:
                item.unlink()
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return files
