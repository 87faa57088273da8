"""Markdown and HTML from teachers and from notebooks, made safe to put in a page.

Lessons, prompts, explanations and notebook Markdown cells are Markdown written by teachers;
notebook outputs may carry HTML (pandas tables) produced by learners' code. Neither is trusted:
Markdown is rendered with raw HTML passed through (nbgrader notebooks use it) and then everything
goes through nh3, an allow-list sanitiser — no scripts, no event handlers, no styles, no
javascript: links, no iframes. Relative image paths point at the course's own assets.
"""

from __future__ import annotations

import posixpath
import re

import nh3
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# What lessons and notebook outputs may use: text structure, tables, images, code, maths as text.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl",
    "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
    "abbr": {"title"},
}
# data: only for images, and only raster formats (an SVG data URL could carry script).
URL_SCHEMES = {"http", "https", "mailto"}
_IMAGE_DATA_PREFIXES = (
    "data:image/png;base64,",
    "data:image/jpeg;base64,",
    "data:image/gif;base64,",
)

_markdown = (
    MarkdownIt("commonmark", {"html": True, "linkify": False})
    .enable("table")
    .enable("strikethrough")
)


def asset_base(course_slug: str) -> str | None:
    """The URL under which a course's images and data files are served (ends with "/")."""
    try:
        return reverse("assets:asset", kwargs={"slug": course_slug, "name": "_"})[:-1]
    except NoReverseMatch:
        return None


def resolve_asset(path: str, base: str | None) -> str:
    """A relative path in course content (`images/robot.svg`) as a URL under `base`.

    Absolute URLs and site paths are returned unchanged; ".." cannot climb out of the course.
    """
    if not path or base is None or path.startswith(("/", "#", "data:")) or "://" in path:
        return path
    if path.split(":", 1)[0].isalpha() and ":" in path:  # mailto:, javascript: … left to nh3
        return path
    normalised = posixpath.normpath(path).lstrip("/")
    if normalised.startswith(".."):
        return ""
    return base + normalised


def _filter_attribute(base: str | None):
    def keep(element: str, attribute: str, value: str) -> str | None:
        if element == "img" and attribute == "src":
            if value.startswith("data:"):
                return value if value.startswith(_IMAGE_DATA_PREFIXES) else None
            return resolve_asset(value, base) or None
        if element == "a" and attribute == "href":
            return resolve_asset(value, base) or None
        return value

    return keep


def sanitize_html(html: str, *, base: str | None = None) -> SafeString:
    """Untrusted HTML reduced to the allow-list above; safe to insert into any page."""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={
            "script",
            "style",
            "template",
            "iframe",
            "object",
            "embed",
            "svg",
            "math",
        },
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute(base),
        url_schemes=URL_SCHEMES | {"data"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 — nh3 output is the sanitised fragment


_HEADING = re.compile(r"<(/?)h([1-6])([^>]*)>")


def render_markdown(text: str, *, base: str | None = None, below_h1: bool = False) -> SafeString:
    """Markdown (CommonMark + tables + strikethrough, raw HTML allowed) as sanitised HTML.

    `base`: where relative links and images point, usually `asset_base(course.slug)`.
    `below_h1`: the text sits under the page's own <h1>; if it uses level-1 headings, every
    heading goes one level down so the page keeps a single <h1> (screen readers rely on it).
    """
    html = sanitize_html(_markdown.render(text or ""), base=base)
    if not below_h1 or "<h1" not in html:
        return html
    # Only heading tags change, and only their level: the sanitised markup is otherwise kept.
    lowered = _HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + 1, 6)}{m[3]}>", html)
    return mark_safe(lowered)  # noqa: S308 — sanitised above
