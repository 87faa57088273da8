# Chinese text uses full-width punctuation on purpose.
# ruff: noqa: RUF001
"""Reading an nbgrader course directory as a course, ready for the importer.

    <course>/                    nbgrader's course root
      nbgrader_config.py         ignored, as are gradebook.db, release/, submitted/, autograded/,
      gradebook.db               feedback/ and anything else outside source/
      source/
        <assignment>/            one lesson per assignment, in natural order (ps2 before ps10)
          <notebook>.ipynb       one notebook exercise per notebook, in natural order
          <notebook>.zh.ipynb    optional: its Chinese twin (a Qiming addition)
          data.csv, img/…        assets of the course, named <lesson slug>/<path>, and listed as
                                 links in the lesson; types outside asset_services' are problems

The course gets one unit; its slug comes from the folder's name unless one is given, its titles
from the names of the folder, the assignments and (for exercises) each notebook's first
heading. Titles are the same in both languages until a teacher translates them (export the
course, edit the files, import it again). The course is neither public nor published.

Every problem is reported at once, in a CourseFolderInvalid, like the folder reader's.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.utils.text import slugify
from django.utils.translation import gettext as _

from courses.coursefiles.reader import (
    _SLUG,
    COURSE_FILE,
    MAX_TITLE_LENGTH,
    CourseFolder,
    CourseFolderInvalid,
    ExerciseFile,
    LessonFile,
    UnitFile,
    _Reader,
)
from courses.models import AgeBand, Exercise

SOURCE_DIR = "source"
TWIN_SUFFIX = ".zh.ipynb"
UNIT_TITLES = ("Assignments", "作业")


def is_nbgrader_course(path: Path | str) -> bool:
    """An nbgrader course root: source/ inside, and no course.yaml (a course folder wins)."""
    root = Path(path)
    return root.is_dir() and not (root / COURSE_FILE).exists() and (root / SOURCE_DIR).is_dir()


def read_nbgrader_course(
    path: Path | str, *, slug: str | None = None, age_band: str = AgeBand.ADULT
) -> CourseFolder:
    """The course in the nbgrader course directory `path`; CourseFolderInvalid lists every
    problem."""
    reader = _NbgraderReader(Path(path))
    course = reader.read_nbgrader(slug, age_band)
    if reader.problems or course is None:
        raise CourseFolderInvalid(path, sorted(reader.problems, key=lambda p: p.file))
    return course


def natural_key(name: str) -> list:
    """Sort "ps2" before "ps10"."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def title_of(name: str) -> str:
    """A readable title from a file or folder name: "week_2-trees" → "week 2 trees"."""
    return " ".join(re.split(r"[\s_-]+", name)).strip()[:MAX_TITLE_LENGTH] or name


def first_heading(source) -> str:
    """The text of the first Markdown heading in a notebook, or ""."""
    for cell in source.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            match = re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
            if match and match.group(1):
                return match.group(1)[:MAX_TITLE_LENGTH]
    return ""


def slug_of(name: str, max_length: int) -> str:
    """A slug made of `name` (lower-case Latin letters, digits, "-", "_"); "" if none."""
    return slugify(name)[:max_length].strip("-_")


def _unique(base: str, taken: set[str], fallback: str) -> str:
    name, number = base or fallback, 1
    while name in taken:
        number += 1
        name = f"{base or fallback}-{number}"
    taken.add(name)
    return name


class _NbgraderReader(_Reader):
    def read_nbgrader(self, slug: str | None, age_band: str) -> CourseFolder | None:
        self.assets = []
        if self.root.is_symlink() or not self.root.is_dir():
            self.add(str(self.root), "", _("not a folder."))
            return None
        source = self.root / SOURCE_DIR
        if source.is_symlink():
            self.add(SOURCE_DIR, "", _("symbolic links are not allowed in a course folder."))
            return None
        name = self.root.resolve().name
        if slug is None:
            slug = slug_of(name, 80)
        if not (_SLUG.match(slug) and len(slug) <= 80):
            self.add(
                "",
                "slug",
                _(
                    "“%(slug)s” cannot be the course's slug (lower-case letters, digits, “-” "
                    "and “_”, at most 80); give one."
                )
                % {"slug": slug},
            )
        if age_band not in AgeBand.values:
            self.add(
                "",
                "age_band",
                _("must be one of %(bands)s.") % {"bands": ", ".join(AgeBand.values)},
            )
        title = title_of(name)
        course = CourseFolder(slug=slug, title_en=title, title_zh=title, age_band=str(age_band))
        unit = UnitFile(title_en=UNIT_TITLES[0], title_zh=UNIT_TITLES[1])
        course.units.append(unit)
        assignments = []
        for entry in sorted(self._listing(SOURCE_DIR), key=natural_key):
            path = source / entry
            relative = f"{SOURCE_DIR}/{entry}"
            if path.is_symlink():
                self.add(relative, "", _("symbolic links are not allowed in a course folder."))
            elif path.is_dir():
                assignments.append(entry)
            else:
                self.add(
                    relative,
                    "",
                    _("not in an assignment folder: nbgrader keeps each assignment in %(dir)s.")
                    % {"dir": f"{SOURCE_DIR}/<assignment>/"},
                )
        if not assignments:
            self.add(
                SOURCE_DIR,
                "",
                _("no assignments: nbgrader keeps each one in a folder %(dir)s.")
                % {"dir": f"{SOURCE_DIR}/<assignment>/"},
            )
        lesson_slugs: set[str] = set()
        keys: set[str] = set()
        stems = [
            path.name.removesuffix(".ipynb")
            for assignment in assignments
            for path in (source / assignment).glob("*.ipynb")
        ]
        for index, assignment in enumerate(assignments, start=1):
            lesson_slug = _unique(slug_of(assignment, 70), lesson_slugs, f"assignment-{index}")
            lesson = self._read_assignment(assignment, lesson_slug, stems, keys)
            unit.lessons.append(lesson)
        self.check_asset_totals(SOURCE_DIR)
        course.assets = self.assets
        return course

    def _read_assignment(
        self, assignment: str, lesson_slug: str, stems: list[str], keys: set[str]
    ) -> LessonFile:
        directory = f"{SOURCE_DIR}/{assignment}"
        base = self.root / directory
        notebooks: dict[str, Path] = {}
        twins: dict[str, Path] = {}
        files: list[tuple[str, str]] = []  # (relative path, asset name)
        for path in self.walk(base):
            inside = path.relative_to(base).as_posix()
            relative = f"{directory}/{inside}"
            if path.suffix == ".ipynb" and "/" in inside:
                self.add(
                    relative,
                    "",
                    _(
                        "a notebook in a sub-folder is not an exercise: nbgrader's source "
                        "notebooks are at the top of the assignment folder."
                    ),
                )
            elif inside.endswith(TWIN_SUFFIX):
                twins[inside.removesuffix(TWIN_SUFFIX)] = path
            elif path.suffix == ".ipynb":
                notebooks[path.stem] = path
            elif "__pycache__" not in path.parts:
                files.append((relative, f"{lesson_slug}/{inside}"))
        title = title_of(assignment)
        lesson = LessonFile(
            slug=lesson_slug, title_en=title, title_zh=title, body_en="", body_zh=""
        )
        for stem in sorted(twins.keys() - notebooks.keys()):
            self.add(
                f"{directory}/{stem}{TWIN_SUFFIX}",
                "",
                _("a Chinese twin without its English notebook %(name)s.")
                % {"name": f"{stem}.ipynb"},
            )
        if not notebooks:
            self.add(directory, "", _("the assignment has no notebooks (.ipynb)."))
        for stem in sorted(notebooks, key=natural_key):
            exercise = self._read_exercise_notebook(
                directory, stem, twins.get(stem), lesson_slug, stems, keys
            )
            if exercise is not None:
                lesson.exercises.append(exercise)
        asset_names = []
        for relative, asset_name in files:
            before = len(self.assets)
            self.add_asset(relative, asset_name)
            if len(self.assets) > before:
                asset_names.append(asset_name)
        lesson.body_en, lesson.body_zh = _bodies(assignment, asset_names)
        return lesson

    def _read_exercise_notebook(
        self, directory, stem, twin_path, lesson_slug, stems, keys
    ) -> ExerciseFile | None:
        loaded = self.read_notebook(f"{directory}/{stem}.ipynb")
        twin = None
        if twin_path is not None:
            twin = self.read_notebook(f"{directory}/{stem}{TWIN_SUFFIX}")
        if loaded is None:
            return None
        content, source = loaded
        if twin is not None:
            self.check_twin(f"{directory}/{stem}{TWIN_SUFFIX}", source, twin[1])
        # The notebook's own name when no other assignment has one like it, else prefixed.
        base = slug_of(stem, 100)
        if not base or stems.count(stem) > 1:
            base = slug_of(f"{lesson_slug}-{stem}", 100)
        key = _unique(base, keys, f"{lesson_slug}-notebook")
        title = first_heading(source) or title_of(stem)
        title_zh = (first_heading(twin[1]) if twin is not None else "") or title
        return ExerciseFile(
            name=f"{key}.yaml",
            kind=Exercise.Kind.NOTEBOOK,
            title=title,
            title_zh=title_zh,
            notebook=content,
            notebook_zh=twin[0] if twin is not None else None,
        )


def _bodies(assignment: str, asset_names: list[str]) -> tuple[str, str]:
    """The lesson's text: which assignment it came from, and links to its files."""
    en = f"The notebooks of the nbgrader assignment “{assignment}”.\n"
    zh = f"nbgrader 作业“{assignment}”的笔记本。\n"
    if asset_names:
        links = "".join(f"- [{name.split('/', 1)[1]}]({name})\n" for name in asset_names)
        en += f"\nFiles:\n\n{links}"
        zh += f"\n文件：\n\n{links}"
    return en, zh
