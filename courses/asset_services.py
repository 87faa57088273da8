"""Writes for course assets: images and small data files stored with a course.

Only a few types are accepted, each checked against its content, not only its name: a picture
learners see must really be a picture, and an SVG must not carry script. Assets are served from
the site's own origin (courses/views/assets.py), so what is stored here is what a browser gets.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ElementTree
from pathlib import PurePosixPath

from django.db import transaction
from django.utils.translation import gettext as _

from courses.models import Course, CourseAsset

MAX_ASSET_BYTES = 2 * 1024 * 1024
MAX_COURSE_ASSET_BYTES = 20 * 1024 * 1024
MAX_ASSETS_PER_COURSE = 200
MAX_NAME_LENGTH = 200

# Extension → media type. Nothing that a browser would run (HTML, JS, PDF with forms) is here.
CONTENT_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".json": "application/json",
}
TEXT_TYPES = {"image/svg+xml", "text/csv", "text/plain", "application/json"}

# Path segments of letters, digits, "_", "-" and "." that never start with "." (no "..", no
# hidden files), separated by "/": safe in a URL and in a file name on every system.
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")
_SVG_NS = "{http://www.w3.org/2000/svg}"
_SVG_FORBIDDEN_ELEMENTS = {"script", "foreignObject", "iframe", "embed", "object", "handler"}
_MAGIC = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
}


class AssetInvalid(ValueError):
    """An asset that cannot be stored; `problems` lists every reason."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def content_type_for(name: str) -> str | None:
    """The media type an asset name stands for, or None for a type that is not allowed."""
    return CONTENT_TYPES.get(PurePosixPath(name).suffix.lower())


def name_problems(name: str) -> list[str]:
    if not isinstance(name, str) or not _NAME.match(name) or len(name) > MAX_NAME_LENGTH:
        return [
            _(
                "The name must be a relative path of letters, digits, “_”, “-” and “.”, "
                "no part starting with “.”, at most %(limit)d characters."
            )
            % {"limit": MAX_NAME_LENGTH}
        ]
    if content_type_for(name) is None:
        return [
            _("Only these file types are allowed: %(types)s.")
            % {"types": ", ".join(sorted(CONTENT_TYPES))}
        ]
    return []


def _svg_problems(text: str) -> list[str]:
    # Entities can expand without bound, and a DOCTYPE is never needed in an SVG for the web.
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        return [_("An SVG must not contain a DOCTYPE or entities.")]
    try:
        root = ElementTree.fromstring(text)  # noqa: S314 — no DOCTYPE, so no entity expansion
    except ElementTree.ParseError as error:
        return [_("The SVG is not well-formed XML: %(error)s.") % {"error": error}]
    if root.tag != f"{_SVG_NS}svg":
        return [_("The file is not an SVG image (its root element is not <svg>).")]
    problems = []
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if local in _SVG_FORBIDDEN_ELEMENTS:
            problems.append(_("An SVG must not contain <%(element)s>.") % {"element": local})
        for attribute, value in element.attrib.items():
            attribute_name = attribute.rsplit("}", 1)[-1].lower()
            if attribute_name.startswith("on"):
                problems.append(
                    _("An SVG must not contain event handlers (%(attribute)s).")
                    % {"attribute": attribute_name}
                )
            elif attribute_name == "href" and not value.startswith("#"):
                problems.append(_('An SVG may only link to its own parts (href="#…").'))
            elif attribute_name == "attributename" and "href" in value.lower():
                # <set attributeName="href" to="javascript:…"> rewrites a link after the check.
                problems.append(_("An SVG must not animate links."))
    return sorted(set(problems))


def content_problems(content_type: str, content: bytes) -> list[str]:
    """Whether `content` really is of `content_type` (and, for SVG, free of script)."""
    if content_type in _MAGIC:
        if not content.startswith(_MAGIC[content_type]):
            return [_("The content is not a %(type)s file.") % {"type": content_type}]
        return []
    if content_type == "image/webp":
        if not (content[:4] == b"RIFF" and content[8:12] == b"WEBP"):
            return [_("The content is not a %(type)s file.") % {"type": content_type}]
        return []
    if content_type in TEXT_TYPES:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            return [_("A text file must be UTF-8.")]
        if "\x00" in text:
            return [_("A text file must not contain NUL characters.")]
        if content_type == "application/json":
            try:
                json.loads(text)
            except ValueError as error:
                return [_("The JSON is not valid: %(error)s.") % {"error": error}]
        if content_type == "image/svg+xml":
            return _svg_problems(text)
    return []


def asset_problems(name: str, content: bytes) -> list[str]:
    """Every reason `content` cannot be stored as an asset called `name`; [] if it can."""
    problems = name_problems(name)
    if len(content) > MAX_ASSET_BYTES:
        problems.append(
            _("The file is %(size)d bytes; an asset may be at most %(limit)d bytes.")
            % {"size": len(content), "limit": MAX_ASSET_BYTES}
        )
    if not problems:
        problems += content_problems(content_type_for(name), content)
    return problems


@transaction.atomic
def course_asset_create(*, course: Course, name: str, content: bytes) -> CourseAsset:
    """Store a new asset with `course`. Raises AssetInvalid listing every problem.

    Also refused: a name the course already uses, and going over the course's total size or
    number of assets.
    """
    problems = asset_problems(name, content)
    existing = CourseAsset.objects.filter(course=course)
    if existing.filter(name=name).exists():
        problems.append(_("The course already has an asset called “%(name)s”.") % {"name": name})
    if existing.count() >= MAX_ASSETS_PER_COURSE:
        problems.append(
            _("A course may have at most %(limit)d assets.") % {"limit": MAX_ASSETS_PER_COURSE}
        )
    used = sum(existing.values_list("size", flat=True))
    if used + len(content) > MAX_COURSE_ASSET_BYTES:
        problems.append(
            _("The course's assets would take more than %(limit)d bytes.")
            % {"limit": MAX_COURSE_ASSET_BYTES}
        )
    if problems:
        raise AssetInvalid(problems)
    return CourseAsset.objects.create(
        course=course,
        name=name,
        content=content,
        content_type=content_type_for(name),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
