"""Reading a course folder (format in courses/coursefiles/__init__.py) into plain objects.

Nothing here touches the database. `read_course` checks everything an import would need and
reports every problem at once, each with the file and the field it is in, because a teacher
fixing a course wants the whole list, not one error per try. Files are read with size caps,
symbolic links are refused (a course from someone else's repository must not pull in files
from outside it), and YAML is parsed without aliases or duplicate keys.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

from courses import asset_services, quiz
from courses.coursefiles import yaml_loader
from courses.markdown import resolve_asset
from courses.models import AgeBand, Exercise, validate_big_ideas
from graders import notebook, sandbox

FORMAT_VERSION = 1
COURSE_FILE = "course.yaml"
LESSONS_DIR = "lessons"
EXERCISES_DIR = "exercises"
ASSETS_DIR = "assets"
LANGUAGES = ("en", "zh")
MAX_TEXT_FILE_BYTES = 256 * 1024
MAX_TITLE_LENGTH = 200  # the models' CharField length

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_EXERCISE_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*\.yaml$")
_SPEC_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])?(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")

COURSE_KEYS = {
    "format",
    "slug",
    "title_en",
    "title_zh",
    "summary_en",
    "summary_zh",
    "age_band",
    "big_ideas",
    "public",
    "published",
    "units",
}
UNIT_KEYS = {"title_en", "title_zh", "lessons"}
LESSON_KEYS = {"slug", "title_en", "title_zh", "exercises"}
EXERCISE_KEYS = {
    "kind",
    "title",
    "title_zh",
    "prompt_en",
    "prompt_zh",
    "explanation_en",
    "explanation_zh",
    "max_attempts",
    "published",
}
QUIZ_KEYS = EXERCISE_KEYS | {"spec"}
NOTEBOOK_KEYS = EXERCISE_KEYS | {"limits"}
LIMIT_NAMES = {limit.name for limit in dataclasses.fields(sandbox.Limits)}


# --- what a course folder holds -----------------------------------------------------------------


@dataclass
class AssetFile:
    name: str  # path inside assets/, as content refers to it
    content: bytes

    @property
    def content_type(self) -> str | None:
        return asset_services.content_type_for(self.name)


@dataclass
class ExerciseFile:
    name: str  # the file name listed in course.yaml, e.g. "which-one-hears.yaml"
    kind: str
    title: str
    title_zh: str
    prompt_en: str = ""
    prompt_zh: str = ""
    explanation_en: str = ""
    explanation_zh: str = ""
    max_attempts: int | None = None
    published: bool = True
    spec: dict = field(default_factory=dict)  # quizzes
    limits: dict = field(default_factory=dict)  # notebooks
    notebook: bytes | None = None  # notebooks: <stem>.ipynb, the nbgrader source
    notebook_zh: bytes | None = None  # notebooks: <stem>.zh.ipynb, optional

    @property
    def is_notebook(self) -> bool:
        return self.kind == Exercise.Kind.NOTEBOOK

    @property
    def stem(self) -> str:
        return self.name.removesuffix(".yaml")


@dataclass
class LessonFile:
    slug: str  # the stem of lessons/<slug>.en.md and lessons/<slug>.zh.md
    title_en: str
    title_zh: str
    body_en: str
    body_zh: str
    exercises: list[ExerciseFile] = field(default_factory=list)


@dataclass
class UnitFile:
    title_en: str
    title_zh: str
    lessons: list[LessonFile] = field(default_factory=list)


@dataclass
class CourseFolder:
    slug: str
    title_en: str
    title_zh: str
    age_band: str
    summary_en: str = ""
    summary_zh: str = ""
    big_ideas: list[str] = field(default_factory=list)
    public: bool = False
    published: bool = False
    units: list[UnitFile] = field(default_factory=list)
    assets: list[AssetFile] = field(default_factory=list)

    def lessons(self) -> Iterator[LessonFile]:
        for unit in self.units:
            yield from unit.lessons

    def exercises(self) -> Iterator[ExerciseFile]:
        for lesson in self.lessons():
            yield from lesson.exercises


@dataclass(frozen=True)
class Problem:
    """One thing wrong: in which file (relative to the course folder), which field, and what."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        where = ": ".join(part for part in (self.file, self.field) if part)
        return f"{where}: {self.message}" if where else self.message


class CourseFolderInvalid(ValueError):
    """A course folder that cannot be imported; `problems` lists every reason."""

    def __init__(self, path: Path | str, problems: list[Problem]):
        self.path = str(path)
        self.problems = problems
        super().__init__(
            _("The course folder %(path)s has %(count)d problem(s): %(problems)s")
            % {
                "path": self.path,
                "count": len(problems),
                "problems": "; ".join(str(p) for p in problems),
            }
        )


# --- reading ------------------------------------------------------------------------------------


def read_course(path: Path | str) -> CourseFolder:
    """The course in folder `path`, checked; CourseFolderInvalid lists every problem."""
    reader = _Reader(Path(path))
    course = reader.read()
    if reader.problems or course is None:
        # Grouped by file (stable: within a file, in the order they were found).
        raise CourseFolderInvalid(path, sorted(reader.problems, key=lambda p: p.file))
    return course


def course_problems(path: Path | str) -> list[Problem]:
    """Every problem with the course folder at `path`; [] if it can be imported."""
    try:
        read_course(path)
    except CourseFolderInvalid as invalid:
        return invalid.problems
    return []


class _Reader:
    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        self.asset_types: dict[str, str | None] = {}
        self.used_files: set[str] = set()  # files in lessons/ and exercises/ that the course uses

    def add(self, file: str, where: str, message: str) -> None:
        self.problems.append(Problem(file, where, message))

    # files

    def _read_bytes(self, relative: str, limit: int, *, required: bool = True) -> bytes | None:
        path = self.root / relative
        if path.is_symlink():
            self.add(relative, "", _("symbolic links are not allowed in a course folder."))
            return None
        if not path.is_file():
            if required:
                self.add(relative, "", _("the file is missing."))
            return None
        size = path.stat().st_size
        if size > limit:
            self.add(
                relative,
                "",
                _("the file is %(size)d bytes; the limit is %(limit)d.")
                % {"size": size, "limit": limit},
            )
            return None
        return path.read_bytes()

    def _read_text(self, relative: str, *, required: bool = True) -> str | None:
        data = self._read_bytes(relative, MAX_TEXT_FILE_BYTES, required=required)
        if data is None:
            return None
        try:
            return data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            self.add(relative, "", _("the file is not UTF-8 text."))
            return None

    def _read_yaml(self, relative: str) -> dict | None:
        text = self._read_text(relative)
        if text is None:
            return None
        try:
            data = yaml_loader.load(text)
        except yaml.YAMLError as error:
            self.add(
                relative,
                "",
                _("not valid YAML: %(error)s.") % {"error": yaml_loader.describe_error(error)},
            )
            return None
        if not isinstance(data, dict):
            self.add(relative, "", _("the file must hold a mapping of fields (key: value)."))
            return None
        return data

    def _listing(self, directory: str) -> list[str]:
        """Visible entries of a directory (hidden ones such as .ipynb_checkpoints are skipped)."""
        path = self.root / directory
        if path.is_symlink():
            self.add(directory, "", _("symbolic links are not allowed in a course folder."))
            return []
        if not path.is_dir():
            return []
        return sorted(name for name in os.listdir(path) if not name.startswith("."))

    # fields

    def keys(self, file: str, where: str, data: dict, allowed: set, required: set) -> None:
        """Unknown fields, and missing ones in `required` (text fields: see text())."""
        for key in sorted(required - data.keys()):
            self.add(file, _join(where, key), _("this field is missing."))
        for key in sorted(data.keys() - allowed, key=str):
            self.add(file, _join(where, str(key)), _("not a known field."))

    def text(
        self, file: str, where: str, data: dict, name: str, *, required: bool, limit: int = 0
    ) -> str:
        """data[name] as text, or "" (a missing required field or blank text is a problem)."""
        if name not in data:
            if required:
                self.add(file, _join(where, name), _("this field is missing."))
            return ""
        value = data[name]
        if not isinstance(value, str) or not value.strip():
            self.add(file, _join(where, name), _("needs text."))
            return ""
        if limit and len(value) > limit:
            self.add(
                file,
                _join(where, name),
                _("longer than %(limit)d characters.") % {"limit": limit},
            )
        return value

    def pair(
        self, file: str, where: str, data: dict, name: str, *, required: bool, limit: int = 0
    ) -> tuple[str, str]:
        """`name_en` and `name_zh`: both, or (when not required) neither."""
        present = any(f"{name}_{lang}" in data for lang in LANGUAGES)
        texts = [
            self.text(
                file, where, data, f"{name}_{lang}", required=required or present, limit=limit
            )
            for lang in LANGUAGES
        ]
        return texts[0], texts[1]

    def flag(self, file: str, where: str, data: dict, name: str, default: bool) -> bool:
        value = data.get(name, default)
        if not isinstance(value, bool):
            self.add(file, _join(where, name), _("must be true or false."))
            return default
        return value

    # the course

    def read(self) -> CourseFolder | None:
        if self.root.is_symlink() or not self.root.is_dir():
            self.add(str(self.root), "", _("not a folder."))
            return None
        data = self._read_yaml(COURSE_FILE)
        self._read_assets()
        if data is None:
            return None
        file = COURSE_FILE
        self.keys(file, "", data, COURSE_KEYS, {"slug", "age_band"})
        if data.get("format", FORMAT_VERSION) != FORMAT_VERSION:
            self.add(
                file,
                "format",
                _("this platform reads format %(version)d.") % {"version": FORMAT_VERSION},
            )
        slug = data.get("slug")
        if "slug" in data and not (isinstance(slug, str) and _SLUG.match(slug) and len(slug) <= 80):
            self.add(
                file,
                "slug",
                _("must be lower-case letters, digits, “-” and “_”, at most 80 characters."),
            )
        title_en, title_zh = self.pair(file, "", data, "title", required=True, limit=200)
        summary_en, summary_zh = self.pair(file, "", data, "summary", required=False)
        age_band = data.get("age_band")
        if "age_band" in data and age_band not in AgeBand.values:
            self.add(
                file,
                "age_band",
                _("must be one of %(bands)s.") % {"bands": ", ".join(AgeBand.values)},
            )
        big_ideas = data.get("big_ideas", [])
        try:
            validate_big_ideas(big_ideas)
        except ValidationError as error:
            self.add(file, "big_ideas", " ".join(error.messages))
        course = CourseFolder(
            slug=slug if isinstance(slug, str) else "",
            title_en=title_en,
            title_zh=title_zh,
            summary_en=summary_en,
            summary_zh=summary_zh,
            age_band=age_band if isinstance(age_band, str) else "",
            big_ideas=big_ideas if isinstance(big_ideas, list) else [],
            public=self.flag(file, "", data, "public", False),
            published=self.flag(file, "", data, "published", False),
            assets=self.assets,
        )
        units = data.get("units", [])
        if not isinstance(units, list):
            self.add(file, "units", _("must be a list."))
            units = []
        lesson_slugs: set[str] = set()
        exercise_names: set[str] = set()
        for index, unit_data in enumerate(units):
            unit = self._read_unit(f"units[{index}]", unit_data, lesson_slugs, exercise_names)
            if unit is not None:
                course.units.append(unit)
        self._check_unused(LESSONS_DIR)
        self._check_unused(EXERCISES_DIR)
        return course

    def _read_unit(self, where, data, lesson_slugs, exercise_names) -> UnitFile | None:
        file = COURSE_FILE
        if not isinstance(data, dict):
            self.add(file, where, _("must be a mapping (title_en, title_zh, lessons)."))
            return None
        self.keys(file, where, data, UNIT_KEYS, set())
        title_en, title_zh = self.pair(file, where, data, "title", required=True, limit=200)
        unit = UnitFile(title_en=title_en, title_zh=title_zh)
        lessons = data.get("lessons", [])
        if not isinstance(lessons, list):
            self.add(file, _join(where, "lessons"), _("must be a list."))
            return unit
        for index, lesson_data in enumerate(lessons):
            lesson = self._read_lesson(
                f"{where}.lessons[{index}]", lesson_data, lesson_slugs, exercise_names
            )
            if lesson is not None:
                unit.lessons.append(lesson)
        return unit

    def _read_lesson(self, where, data, lesson_slugs, exercise_names) -> LessonFile | None:
        file = COURSE_FILE
        if not isinstance(data, dict):
            self.add(file, where, _("must be a mapping (slug, title_en, title_zh, exercises)."))
            return None
        self.keys(file, where, data, LESSON_KEYS, {"slug"})
        title_en, title_zh = self.pair(file, where, data, "title", required=True, limit=200)
        slug = data.get("slug")
        if not (isinstance(slug, str) and _SLUG.match(slug) and len(slug) <= 80):
            if "slug" in data:
                self.add(
                    file,
                    _join(where, "slug"),
                    _("must be lower-case letters, digits, “-” and “_”: the lesson's file name."),
                )
            return None
        if slug in lesson_slugs:
            self.add(file, _join(where, "slug"), _("another lesson has this slug."))
            return None
        lesson_slugs.add(slug)
        bodies = {}
        for lang in LANGUAGES:
            relative = f"{LESSONS_DIR}/{slug}.{lang}.md"
            self.used_files.add(relative)
            bodies[lang] = self._read_text(relative)
            if bodies[lang] is not None:
                if not bodies[lang].strip():
                    self.add(relative, "", _("the lesson is empty."))
                self._check_markdown(relative, "", bodies[lang])
        lesson = LessonFile(
            slug=slug,
            title_en=title_en,
            title_zh=title_zh,
            body_en=bodies["en"] or "",
            body_zh=bodies["zh"] or "",
        )
        names = data.get("exercises", [])
        if not isinstance(names, list):
            self.add(file, _join(where, "exercises"), _("must be a list of file names."))
            return lesson
        for index, name in enumerate(names):
            item = f"{where}.exercises[{index}]"
            if not isinstance(name, str) or not _EXERCISE_FILE.match(name):
                self.add(
                    file,
                    item,
                    _("must name a .yaml file in exercises/ (letters, digits, “-”, “_”)."),
                )
                continue
            if name in exercise_names:
                self.add(file, item, _("“%(name)s” is listed twice.") % {"name": name})
                continue
            exercise_names.add(name)
            exercise = self._read_exercise(name)
            if exercise is not None:
                lesson.exercises.append(exercise)
        return lesson

    # exercises

    def _read_exercise(self, name: str) -> ExerciseFile | None:
        file = f"{EXERCISES_DIR}/{name}"
        self.used_files.add(file)
        data = self._read_yaml(file)
        if data is None:
            return None
        kind = data.get("kind")
        if kind not in Exercise.Kind.values:
            self.add(
                file,
                "kind",
                _("must be one of %(kinds)s.") % {"kinds": ", ".join(Exercise.Kind.values)},
            )
            return None
        is_notebook = kind == Exercise.Kind.NOTEBOOK
        required = {"kind"} if is_notebook else {"kind", "spec"}
        self.keys(file, "", data, NOTEBOOK_KEYS if is_notebook else QUIZ_KEYS, required)
        exercise = ExerciseFile(
            name=name,
            kind=kind,
            title=self.text(file, "", data, "title", required=True, limit=MAX_TITLE_LENGTH),
            title_zh=self.text(file, "", data, "title_zh", required=True, limit=MAX_TITLE_LENGTH),
            published=self.flag(file, "", data, "published", True),
        )
        exercise.prompt_en, exercise.prompt_zh = self.pair(
            file, "", data, "prompt", required=not is_notebook
        )
        exercise.explanation_en, exercise.explanation_zh = self.pair(
            file, "", data, "explanation", required=False
        )
        for text in (exercise.prompt_en, exercise.prompt_zh):
            self._check_markdown(file, "prompt", text)
        for text in (exercise.explanation_en, exercise.explanation_zh):
            self._check_markdown(file, "explanation", text)
        max_attempts = data.get("max_attempts")
        if max_attempts is not None and not (
            isinstance(max_attempts, int)
            and not isinstance(max_attempts, bool)
            and max_attempts > 0
        ):
            self.add(file, "max_attempts", _("must be a whole number of at least 1, or empty."))
        else:
            exercise.max_attempts = max_attempts
        if is_notebook:
            self._read_notebooks(file, exercise, data)
        else:
            self._read_spec(file, exercise, data)
        return exercise

    def _read_spec(self, file: str, exercise: ExerciseFile, data: dict) -> None:
        spec = data.get("spec")
        if "spec" not in data:
            return
        problems = quiz.validate_spec(exercise.kind, spec)
        for problem in problems:
            # The quiz checker says "options[1]: …"; here that is the field spec.options[1].
            where, _colon, message = problem.partition(": ")
            if _colon and _SPEC_PATH.match(where):
                self.add(file, f"spec.{where}", message)
            else:
                self.add(file, "spec", problem)
        if problems:
            return
        exercise.spec = spec
        for key in ("options", "items", "categories", "left", "right"):
            for index, item in enumerate(spec.get(key, [])):
                if "image" in item:
                    self._check_asset(file, f"spec.{key}[{index}].image", item["image"], image=True)

    def _read_notebooks(self, file: str, exercise: ExerciseFile, data: dict) -> None:
        limits = data.get("limits", {})
        if not isinstance(limits, dict):
            self.add(file, "limits", _("must be a mapping of limit names to numbers."))
        else:
            for key, value in limits.items():
                if key not in LIMIT_NAMES:
                    self.add(
                        file,
                        f"limits.{key}",
                        _("not a sandbox limit; known: %(names)s.")
                        % {"names": ", ".join(sorted(LIMIT_NAMES))},
                    )
                elif isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                    self.add(file, f"limits.{key}", _("must be a number greater than 0."))
            exercise.limits = limits
        sources = {}
        for suffix in ("", ".zh"):
            relative = f"{EXERCISES_DIR}/{exercise.stem}{suffix}.ipynb"
            self.used_files.add(relative)
            loaded = self.read_notebook(relative, required=not suffix)
            if loaded is None:
                continue
            content, sources[suffix] = loaded
            if suffix:
                exercise.notebook_zh = content
            else:
                exercise.notebook = content
        if "" in sources and ".zh" in sources:
            self.check_twin(
                f"{EXERCISES_DIR}/{exercise.stem}.zh.ipynb", sources[""], sources[".zh"]
            )

    def read_notebook(self, relative: str, *, required: bool = True):
        """(bytes, parsed notebook) of a valid nbgrader source notebook with graded cells, or
        None (the problems are recorded)."""
        content = self._read_bytes(relative, settings.GRADER_MAX_NOTEBOOK_BYTES, required=required)
        if content is None:
            return None
        try:
            source = notebook.load_source(content, max_bytes=settings.GRADER_MAX_NOTEBOOK_BYTES)
        except notebook.NotebookError as error:
            for problem in error.problems or [str(error)]:
                self.add(relative, "", str(problem))
            return None
        if not notebook.grading_outline(source):
            self.add(relative, "", _("the notebook has no graded cells."))
        return content, source

    def check_twin(self, twin_file: str, source, twin) -> None:
        # The same check exercise_create_notebook makes when the twin is stored.
        for problem in notebook.twin_problems(source, twin):
            self.add(twin_file, "", str(problem))

    # assets and references

    def _read_assets(self) -> None:
        self.assets: list[AssetFile] = []
        base = self.root / ASSETS_DIR
        if base.is_symlink():
            self.add(ASSETS_DIR, "", _("symbolic links are not allowed in a course folder."))
            return
        if not base.is_dir():
            return
        for path in self.walk(base):
            self.add_asset(
                path.relative_to(self.root).as_posix(), path.relative_to(base).as_posix()
            )
        self.check_asset_totals(ASSETS_DIR)

    def walk(self, base: Path) -> Iterator[Path]:
        """The visible files under `base`, sorted; symbolic links are problems, not followed."""
        for directory, subdirectories, files in os.walk(base):
            subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("."))
            for name in sorted([*subdirectories, *files]):
                path = Path(directory) / name
                relative = path.relative_to(self.root).as_posix()
                if path.is_symlink():
                    self.add(relative, "", _("symbolic links are not allowed in a course folder."))
                    if name in subdirectories:
                        subdirectories.remove(name)
            for name in sorted(files):
                path = Path(directory) / name
                if not (name.startswith(".") or path.is_symlink()):
                    yield path

    def add_asset(self, relative: str, asset_name: str) -> None:
        """The file at `relative` as the asset `asset_name`, if it may be one."""
        content = self._read_bytes(relative, asset_services.MAX_ASSET_BYTES)
        if content is None:
            return
        problems = asset_services.asset_problems(asset_name, content)
        for problem in problems:
            self.add(relative, "", problem)
        if not problems:
            self.assets.append(AssetFile(asset_name, content))
            self.asset_types[asset_name] = asset_services.content_type_for(asset_name)

    def check_asset_totals(self, where: str) -> None:
        total = sum(len(asset.content) for asset in self.assets)
        if total > asset_services.MAX_COURSE_ASSET_BYTES:
            self.add(
                where,
                "",
                _("the assets take %(size)d bytes; a course may have at most %(limit)d.")
                % {"size": total, "limit": asset_services.MAX_COURSE_ASSET_BYTES},
            )
        if len(self.assets) > asset_services.MAX_ASSETS_PER_COURSE:
            self.add(
                where,
                "",
                _("a course may have at most %(limit)d assets.")
                % {"limit": asset_services.MAX_ASSETS_PER_COURSE},
            )

    def _check_asset(self, file: str, where: str, reference: str, *, image: bool) -> None:
        name = asset_reference(reference)
        if name is None:
            return
        if name == "":
            self.add(file, where, _("“%(ref)s” points outside the course.") % {"ref": reference})
        elif name not in self.asset_types:
            hint = ""
            if name.startswith(f"{ASSETS_DIR}/"):
                hint = " " + _("Paths are relative to assets/: write “%(name)s”.") % {
                    "name": name.removeprefix(f"{ASSETS_DIR}/")
                }
            self.add(
                file,
                where,
                _("“%(name)s” is not in the course's assets/ folder.") % {"name": name} + hint,
            )
        elif image and not (self.asset_types[name] or "").startswith("image/"):
            self.add(file, where, _("“%(name)s” is not an image.") % {"name": name})

    def _check_markdown(self, file: str, where: str, text: str) -> None:
        for kind, reference in markdown_references(text):
            self._check_asset(
                file, where or f"{kind} {reference[:60]}", reference, image=kind == "image"
            )

    def _check_unused(self, directory: str) -> None:
        path = self.root / directory
        if path.is_symlink() or not path.is_dir():
            return
        for name in self._listing(directory):
            relative = f"{directory}/{name}"
            if relative not in self.used_files:
                self.add(
                    relative,
                    "",
                    _("not used by course.yaml (a lesson or exercise not listed, or a typo?)."),
                )


# --- helpers ------------------------------------------------------------------------------------


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


_ASSET_BASE = "\x00/"  # a base no real path starts with: what resolves under it is an asset
_HTML_REFERENCE = re.compile(r"""\b(src|href)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
_markdown = (
    MarkdownIt("commonmark", {"html": True, "linkify": False})
    .enable("table")
    .enable("strikethrough")
)


def asset_reference(reference: str) -> str | None:
    """The asset name a link or image path in course content refers to.

    None: not an asset (an https:// address, a site path, a #fragment, a data: URL). "": a
    path that climbs out of the course with "..". Resolution is courses.markdown's, so what the
    reader checks is what the lesson page will link to.
    """
    resolved = resolve_asset(reference.split("#", 1)[0].split("?", 1)[0], _ASSET_BASE)
    if not reference or reference.startswith("#"):
        return None
    if resolved == "":
        return ""
    if not resolved.startswith(_ASSET_BASE):
        return None
    return resolved.removeprefix(_ASSET_BASE)


def markdown_references(text: str) -> Iterator[tuple[str, str]]:
    """("image" | "link", path) for every image and link in Markdown, raw HTML included."""
    for token in _markdown.parse(text or ""):
        for child in [token, *(token.children or [])]:
            if child.type == "image":
                yield "image", str(child.attrGet("src") or "")
            elif child.type == "link_open":
                yield "link", str(child.attrGet("href") or "")
            elif child.type in ("html_block", "html_inline"):
                for attribute, value in _HTML_REFERENCE.findall(child.content):
                    yield ("image" if attribute.lower() == "src" else "link"), value
