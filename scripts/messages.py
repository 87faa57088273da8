"""Translation catalogues without GNU gettext: extract, compile and check with Babel alone.

    python scripts/messages.py extract         # code, templates -> locale/<lang>/LC_MESSAGES/*.po
    python scripts/messages.py compile [PO..]  # .po -> .mo beside it (refuses bad placeholders)
    python scripts/messages.py check           # exit 1 listing what the catalogues lack

A fresh machine has only Python and make, so this replaces `makemessages`/`compilemessages`, which
need xgettext and msgfmt. It finds what `makemessages` finds: Python files through Babel's Python
extractor with Django's keywords, and templates turned into Python-like source by Django's own
`templatize()` (exactly what `makemessages` feeds xgettext), so `{% blocktranslate %}` variables
become `%(name)s` just as Django looks them up at run time. JavaScript under static/ that calls
`gettext()` goes to the `djangojs` domain (Django's JavaScriptCatalog), if there is any.

The .po files are written sorted by msgid, with file names but no line numbers and the header dates
kept, so re-running `extract` on unchanged code changes nothing and diffs stay small.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import string
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from babel.messages import extract as babel_extract
from babel.messages.catalog import PYTHON_FORMAT, Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"
# Every language in settings.LANGUAGES except English, as Django's to_locale() spells it
# (tests/i18n checks the two lists agree).
LOCALES = ("zh_Hans",)

# Django's keywords (what makemessages passes to xgettext on top of xgettext's defaults).
PYTHON_KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
JS_KEYWORDS = {
    "gettext": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
COMMENT_TAGS = ("Translators",)

# Directories that hold no project strings: virtualenvs, data, tests and benchmarks (not shown to
# users), migrations (their verbose names repeat the models'), vendored or built front-end code.
SKIP_DIR_NAMES = {"node_modules", "__pycache__", "migrations", "build", "vendor"}
SKIP_TOP_DIRS = {"var", "tests", "bench", "frontend", "docs", "locale"}
TEMPLATE_SUFFIXES = {".html", ".txt"}

HEADER_COMMENT = """\
# Simplified Chinese catalogue for Qiming (启明).
# Updated by `scripts/messages.py extract` after strings change in code:
# translate the empty msgstr lines and those marked fuzzy (then remove
# the fuzzy flag), and run `scripts/messages.py check`.
# Edit translations only; msgids come from the code."""


class Found(NamedTuple):
    """One message found in a source file."""

    domain: str
    path: str
    id: str | tuple[str, str]
    context: str | None
    comments: tuple[str, ...]


# --- Finding the source files ------------------------------------------------------------------


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        relative = here.relative_to(root).parts
        dirnames[:] = sorted(
            name
            for name in dirnames
            if not name.startswith(".")
            and name not in SKIP_DIR_NAMES
            and not (not relative and name in SKIP_TOP_DIRS)
        )
        for name in sorted(filenames):
            yield here / name


def source_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(kind, path) for every file to extract from: kind is python, template or javascript."""
    for path in _walk(root):
        parts = path.relative_to(root).parts
        if path.suffix == ".py":
            yield "python", path
        elif path.suffix in TEMPLATE_SUFFIXES and "templates" in parts[:-1]:
            yield "template", path
        elif path.suffix == ".js" and "static" in parts[:-1] and not path.name.endswith(".min.js"):
            yield "javascript", path


# --- Extraction --------------------------------------------------------------------------------


def _extract_source(method: str, source: bytes, keywords: dict) -> Iterator[tuple]:
    yield from babel_extract.extract(
        method,
        io.BytesIO(source),
        keywords=keywords,
        comment_tags=COMMENT_TAGS,
        options={"encoding": "utf-8"},
        strip_comment_tags=False,
    )


def templatize(text: str, origin: str) -> str:
    """Django's template -> Python-like source, as `makemessages` gives xgettext."""
    from django.utils.translation.template import templatize as django_templatize

    return django_templatize(text, origin=origin)


class ExtractError(Exception):
    """A source file that cannot be read for messages (its name and the reason)."""


def extract_file(kind: str, path: Path, root: Path) -> list[Found]:
    relative = path.relative_to(root).as_posix()
    if kind == "javascript":
        method, keywords, domain = "javascript", JS_KEYWORDS, "djangojs"
    else:
        method, keywords, domain = "python", PYTHON_KEYWORDS, "django"
    try:
        text = path.read_text(encoding="utf-8")
        if kind == "template":
            # xgettext ignores indentation, Python's tokenizer does not: the blanked-out markup
            # keeps the template's indentation, which need not nest like Python's.
            text = "\n".join(line.lstrip() for line in templatize(text, relative).split("\n"))
        extracted = list(_extract_source(method, text.encode("utf-8"), keywords))
    except Exception as error:  # a template syntax error, bad encoding, untokenizable source
        raise ExtractError(f"{relative}: {type(error).__name__}: {error}") from error
    found = []
    for _lineno, message, comments, context in extracted:
        if isinstance(message, (list, tuple)):
            message = tuple(message) if len(message) > 1 else message[0]
        found.append(Found(domain, relative, message, context, tuple(comments)))
    return found


def extract_all(root: Path = ROOT) -> dict[str, Catalog]:
    """Every message in the project, as one template catalogue per domain."""
    templates: dict[str, Catalog] = {}
    for kind, path in source_files(root):
        for found in extract_file(kind, path, root):
            catalog = templates.setdefault(found.domain, Catalog(domain=found.domain, fuzzy=False))
            catalog.add(
                found.id,
                None,
                locations=[(found.path, None)],
                auto_comments=found.comments,
                context=found.context,
            )
    return templates


# --- Placeholders ------------------------------------------------------------------------------

_CONVERSION_CLASS = {"i": "d", "u": "d"}


def percent_placeholders(text: str) -> tuple[frozenset[tuple[str, str]], tuple[str, ...]]:
    """Named %(name)s placeholders (with their conversion) and the positional ones in order."""
    named: set[tuple[str, str]] = set()
    positional: list[str] = []
    for match in PYTHON_FORMAT.finditer(text):
        name, _spec, conversion = match.groups()
        if conversion == "%":
            continue
        conversion = _CONVERSION_CLASS.get(conversion, conversion)
        if name is None:
            positional.append(conversion)
        else:
            named.add((name, conversion))
    return frozenset(named), tuple(positional)


def brace_placeholders(text: str) -> frozenset[str]:
    try:
        return frozenset(
            field for _literal, field, _spec, _conv in string.Formatter().parse(text) if field
        )
    except ValueError:
        return frozenset({"<not a valid format string>"})


def _describe(text: str, brace: bool) -> str:
    if brace:
        fields = sorted(brace_placeholders(text))
        return ", ".join(f"{{{field}}}" for field in fields) or "none"
    named, positional = percent_placeholders(text)
    shown = [f"%({name}){conversion}" for name, conversion in sorted(named)]
    shown += [f"%{conversion}" for conversion in positional]
    return ", ".join(shown) or "none"


def placeholder_problems(message: Message, num_plurals: int) -> list[str]:
    """Why each translation of `message` would break formatting (empty when they all fit)."""
    if not message.id or not message.string:
        return []
    ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
    strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
    problems = []
    for index, translation in enumerate(strings):
        if not translation:
            continue
        # A language with one form uses it for every count, so it must fit the plural msgid.
        if len(ids) == 1:
            expected = ids[0]
        elif num_plurals == 1:
            expected = ids[1]
        else:
            expected = ids[min(index, 1)]
        checks = []
        if message.python_format or PYTHON_FORMAT.search(translation):
            checks.append(False)
        if message.python_brace_format:
            checks.append(True)
        for brace in checks:
            if brace:
                same = brace_placeholders(expected) == brace_placeholders(translation)
            else:
                same = percent_placeholders(expected) == percent_placeholders(translation)
            if not same:
                form = f"msgstr[{index}]" if len(ids) > 1 else "msgstr"
                problems.append(
                    f"{form} has {_describe(translation, brace)}"
                    f" but the msgid has {_describe(expected, brace)}"
                )
    return problems


# --- Catalogue files ---------------------------------------------------------------------------


def po_path(locale: str, domain: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / locale / "LC_MESSAGES" / f"{domain}.po"


# A keyword line or a continuation line, with a properly closed string. Babel's reader accepts an
# unclosed quote and silently drops the last character, so lines are checked before it reads them.
_PO_LINE = re.compile(
    r'^(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"(?:[^"\\]|\\.)*"$'
)


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    """A .po file, or ValueError naming the first line that is not valid PO syntax."""
    content = path.read_bytes()
    for number, line in enumerate(content.decode("utf-8").splitlines(), start=1):
        line = line.strip()
        if line and not line.startswith("#") and not _PO_LINE.match(line):
            raise ValueError(f"line {number} is not valid PO syntax: {line[:60]}")
    catalog = read_po(io.BytesIO(content), locale=locale, abort_invalid=True)
    # "#|" lines (the previous msgid, written by some editors) would come back as user comments
    # and stay forever; they are only a hint for the translator, so they are dropped.
    for message in catalog:
        message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
    return catalog


def render_catalog(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(
        buffer,
        catalog,
        width=76,
        sort_output=True,
        ignore_obsolete=True,
        include_previous=False,
        include_lineno=False,
    )
    return buffer.getvalue()


def _quote(message_id: str | tuple | list, context: str | None = None) -> str:
    text = message_id[0] if isinstance(message_id, (list, tuple)) else message_id
    shown = '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if context:
        shown += f" (context {context!r})"
    return shown


def update_catalog(
    template: Catalog, locale: str, domain: str, locale_dir: Path = LOCALE_DIR
) -> tuple[Path, bool]:
    """Merge `template` into the locale's .po: keep translations, add new msgids, drop gone ones."""
    path = po_path(locale, domain, locale_dir)
    if path.exists():
        catalog = read_catalog(path, locale)
    else:
        catalog = Catalog(
            locale=locale,
            domain=domain,
            project="Qiming",
            version="1.0",
            header_comment=HEADER_COMMENT,
            msgid_bugs_address="the Qiming project",
            last_translator="the Qiming project",
            language_team="Qiming",
            fuzzy=False,
        )
        catalog.revision_date = catalog.creation_date
    catalog.update(template, update_creation_date=False)
    catalog.fuzzy = False
    content = render_catalog(catalog)
    changed = not path.exists() or path.read_bytes() != content
    if changed:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, content)
    return path, changed


def _write_atomically(path: Path, content: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(content)
    os.replace(partial, path)


def catalogue_files(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def compile_catalogs(paths: Iterable[Path]) -> list[str]:
    """Write each .po's .mo beside it; return errors instead, writing nothing, if any is bad.

    Untranslated and fuzzy entries are left out of the .mo (Django then shows English), which is
    what `check` is for; a translation whose placeholders differ from its msgid would raise or
    show the wrong value at run time, so it stops the build here.
    """
    compiled: list[tuple[Path, bytes]] = []
    errors: list[str] = []
    for path in paths:
        shown = _shown(path)
        try:
            catalog = read_catalog(path)
        except (PoFileError, OSError, ValueError) as error:
            errors.append(f"{shown}: cannot read: {error}")
            continue
        for message in catalog:
            if message.fuzzy and message.id:
                continue
            for problem in placeholder_problems(message, catalog.num_plurals):
                errors.append(
                    f"{shown}: placeholders differ for {_quote(message.id, message.context)}:"
                    f" {problem}"
                )
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        compiled.append((path.with_suffix(".mo"), buffer.getvalue()))
    if not errors:
        for target, content in compiled:
            _write_atomically(target, content)
    return errors


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def _ids(message_id: str | tuple | list) -> tuple[str, ...]:
    return tuple(message_id) if isinstance(message_id, (list, tuple)) else (message_id,)


def check_catalogs(root: Path = ROOT, locale_dir: Path = LOCALE_DIR) -> tuple[list[str], list[str]]:
    """(problems, notes): every msgid in code must be in each catalogue, translated, not fuzzy,
    with matching placeholders. Notes are entries no longer in code (harmless; `extract` drops
    them)."""
    templates = extract_all(root)
    problems: list[str] = []
    notes: list[str] = []
    for locale in LOCALES:
        for domain, template in sorted(templates.items()):
            path = po_path(locale, domain, locale_dir)
            shown = _shown(path)
            if not path.exists():
                problems.append(f"{shown}: missing file ({len(template)} messages in code)")
                continue
            try:
                catalog = read_catalog(path, locale)
            except (PoFileError, ValueError) as error:
                problems.append(f"{shown}: cannot read: {error}")
                continue
            for wanted in sorted(template, key=lambda m: (_quote(m.id), m.context or "")):
                if not wanted.id:
                    continue
                where = ", ".join(sorted({loc for loc, _line in wanted.locations}))
                label = f"{_quote(wanted.id, wanted.context)}  [{where}]"
                have = catalog.get(wanted.id, wanted.context)
                if have is None or _ids(have.id) != _ids(wanted.id):
                    problems.append(f"{shown}: missing {label}")
                    continue
                strings = have.string if isinstance(have.string, (list, tuple)) else (have.string,)
                if not all(strings):
                    problems.append(f"{shown}: untranslated {label}")
                elif have.fuzzy:
                    problems.append(f"{shown}: fuzzy {label}")
                else:
                    for problem in placeholder_problems(have, catalog.num_plurals):
                        problems.append(f"{shown}: placeholders differ {label}: {problem}")
            for stale in catalog:
                if stale.id and template.get(stale.id, stale.context) is None:
                    notes.append(f"{shown}: no longer in code {_quote(stale.id, stale.context)}")
    return problems, notes


# --- Command line ------------------------------------------------------------------------------


def _command_extract(args: argparse.Namespace) -> int:
    templates = extract_all(args.root)
    for locale in LOCALES:
        for domain, template in sorted(templates.items()):
            path, changed = update_catalog(template, locale, domain, args.locale_dir)
            catalog = read_catalog(path, locale)
            todo = sum(
                1
                for m in catalog
                if m.id
                and (
                    m.fuzzy
                    or not all(m.string if isinstance(m.string, (list, tuple)) else (m.string,))
                )
            )
            state = "updated" if changed else "unchanged"
            print(f"{_shown(path)}: {state}, {len(catalog)} messages, {todo} to translate")
    return 0


def _command_compile(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.po] or catalogue_files(args.locale_dir)
    errors = compile_catalogs(paths)
    for error in errors:
        print(f"messages.py compile: {error}", file=sys.stderr)
    return 1 if errors else 0


def _command_check(args: argparse.Namespace) -> int:
    problems, notes = check_catalogs(args.root, args.locale_dir)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    if problems:
        for problem in problems:
            print(problem)
        print(
            f"{len(problems)} problem(s). Run `.venv/bin/python scripts/messages.py extract`,"
            " translate the empty or fuzzy entries in locale/, then run `check` again."
        )
        return 1
    print("Catalogues complete.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="project to scan")
    parser.add_argument("--locale-dir", type=Path, default=LOCALE_DIR)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("extract", help="update the .po files from code and templates")
    compile_parser = commands.add_parser("compile", help="write .mo files (all, or those given)")
    compile_parser.add_argument("po", nargs="*", help=".po files (default: every one in locale/)")
    commands.add_parser("check", help="exit 1 listing missing, untranslated or bad entries")
    args = parser.parse_args(argv)
    handler = {
        "extract": _command_extract,
        "compile": _command_compile,
        "check": _command_check,
    }[args.command]
    try:
        return handler(args)
    except (ExtractError, PoFileError, ValueError) as error:
        print(f"messages.py {args.command}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
