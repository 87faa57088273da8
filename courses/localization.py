"""Picking the English or Simplified Chinese version of a piece of content.

Content is stored in pairs of fields (`title_en` / `title_zh`), not in .po files: teachers write
both versions, and a learner may switch language at any time. Missing Chinese text falls back to
English so a half-translated course still shows something.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import translation

# Variants a browser may send for Simplified Chinese; LocaleMiddleware maps them to zh-hans, but
# callers outside a request (course files, management commands) may pass them through as written.
_SIMPLIFIED_CHINESE = {"zh-hans", "zh-cn", "zh-sg", "zh"}


def is_chinese(language: str | None = None) -> bool:
    """Whether `language` (default: the active one) asks for Simplified Chinese."""
    code = (language or translation.get_language() or "").lower().replace("_", "-")
    return code in _SIMPLIFIED_CHINESE or code.startswith("zh-hans")


def _get(source: Any, name: str) -> Any:
    if isinstance(source, Mapping):
        return source.get(name)
    return getattr(source, name, None)


def localized(source: Any, field: str, language: str | None = None) -> str:
    """`field_zh` when the language is Simplified Chinese and that text is not blank, else
    `field_en` — or plain `field` for models that keep one untranslated column (Exercise.title).

    Works on model instances and on dicts (quiz options in an exercise's spec).
    """
    if is_chinese(language):
        chinese = _get(source, f"{field}_zh")
        if isinstance(chinese, str) and chinese.strip():
            return chinese
    english = _get(source, f"{field}_en")
    if english is None:
        english = _get(source, field)
    return english or ""


class Localized:
    """Mixin for models with `_en` / `_zh` field pairs."""

    def localized(self, field: str, language: str | None = None) -> str:
        return localized(self, field, language)
