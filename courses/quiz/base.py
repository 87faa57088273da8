# Chinese text uses full-width punctuation on purpose.
# ruff: noqa: RUF001
"""What every quiz kind shares: the result of marking, answer errors, and spec checks.

Learner-facing text (feedback, answer errors) is produced in English and Chinese at once: it is
stored with the attempt and shown in whichever language the learner switches to later. Spec
problems are for course authors and go through gettext like the rest of the UI.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

MAX_ID_LENGTH = 64
MAX_TEXT_LENGTH = 2000
MAX_ITEMS = 50
# A relative static path or an https URL; no "..", no other schemes (javascript:, data:, file:).
_IMAGE = re.compile(r"^(?:https://[^\s\"'<>]+|/?[A-Za-z0-9_][A-Za-z0-9_./-]*)$")


class AnswerError(ValueError):
    """An answer that cannot be marked. Nothing about it is stored."""

    def __init__(self, message_en: str, message_zh: str):
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh


@dataclass(frozen=True)
class Mark:
    correct: bool
    score: float
    max_score: float
    feedback_en: str
    feedback_zh: str


def points_of(spec: dict) -> float:
    return float(spec.get("points", 1))


def marked(spec: dict, fraction: float, partly: tuple[str, str] | None = None, extra=("", "")):
    """A Mark worth `fraction` of the exercise's points.

    `partly` is the (en, zh) sentence for partial credit; `extra` is feedback the author wrote
    for the options chosen, appended in both languages.
    """
    fraction = min(1.0, max(0.0, fraction))
    points = points_of(spec)
    if fraction == 1:
        en, zh = "Correct!", "正确！"
    elif fraction > 0 and partly:
        en, zh = partly
    else:
        en, zh = "Not quite.", "不太对。"
    extra_en, extra_zh = extra
    return Mark(
        correct=fraction == 1,
        score=round(points * fraction, 6),
        max_score=points,
        feedback_en=f"{en} {extra_en}".strip(),
        feedback_zh=f"{zh}{extra_zh}".strip(),
    )


def shown(value: Any) -> str:
    """A learner's value quoted in a message, cut short: never echo a megabyte back."""
    text = str(value)
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


def is_number(value: Any) -> bool:
    """A finite JSON number (not a boolean, which Python counts as an int)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float, such as 10**400
        return False


# --- spec checks: each appends every problem it finds to `problems` ----------------------------


class Checker:
    """Collects every problem in a spec, each prefixed with where it is (`options[2].alt_zh`)."""

    def __init__(self):
        self.problems: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}" if where else message)

    def keys(self, obj: dict, where: str, allowed: set[str], required: set[str]) -> None:
        for key in sorted(required - obj.keys()):
            self.add(where, _("“%(key)s” is missing.") % {"key": key})
        for key in sorted(obj.keys() - allowed, key=str):
            self.add(where, _("“%(key)s” is not a known field.") % {"key": key})

    def text(self, obj: dict, where: str, field: str, *, required: bool = True) -> bool:
        """Both `field_en` and `field_zh` as non-blank strings (or neither, if not required)."""
        present = [f"{field}_{lang}" for lang in ("en", "zh") if f"{field}_{lang}" in obj]
        if not required and not present:
            return False
        for lang in ("en", "zh"):
            key = f"{field}_{lang}"
            value = obj.get(key)
            if not isinstance(value, str) or not value.strip():
                self.add(where, _("“%(key)s” needs text.") % {"key": key})
            elif len(value) > MAX_TEXT_LENGTH:
                self.add(
                    where,
                    _("“%(key)s” is longer than %(limit)d characters.")
                    % {"key": key, "limit": MAX_TEXT_LENGTH},
                )
        return True

    def points(self, spec: dict) -> None:
        if "points" in spec and not (is_number(spec["points"]) and spec["points"] > 0):
            self.add("points", _("must be a number greater than 0."))

    def object_list(self, spec: dict, key: str, minimum: int) -> list[dict]:
        """spec[key] as a list of objects; the objects only (problems recorded for the rest)."""
        value = spec.get(key)
        if key not in spec:
            return []  # reported by keys()
        if not isinstance(value, list):
            self.add(key, _("must be a list."))
            return []
        if len(value) < minimum:
            self.add(key, _("needs at least %(count)d entries.") % {"count": minimum})
        if len(value) > MAX_ITEMS:
            self.add(key, _("has more than %(count)d entries.") % {"count": MAX_ITEMS})
        objects = []
        for index, entry in enumerate(value):
            if isinstance(entry, dict):
                objects.append(entry)
            else:
                self.add(f"{key}[{index}]", _("must be an object."))
        return objects

    def items(self, spec: dict, key: str, minimum: int, extra: set[str] = frozenset()) -> list:
        """A list of choosable things: options, items to order or sort, categories, sides.

        Each has a unique `id` and shows text in both languages, a picture with alt text in both
        languages (pictures as options for the young), or both. Returns the valid ids in order.
        """
        allowed = {"id", "text_en", "text_zh", "image", "alt_en", "alt_zh", *extra}
        ids: list[str] = []
        for index, item in enumerate(self.object_list(spec, key, minimum)):
            where = f"{key}[{index}]"
            self.keys(item, where, allowed, {"id"})
            item_id = item.get("id")
            if "id" in item and not _is_id(item_id):
                self.add(
                    where,
                    _("“id” must be a non-empty string of at most %(limit)d characters.")
                    % {"limit": MAX_ID_LENGTH},
                )
            elif item_id in ids:
                self.add(where, _("the id “%(id)s” is used twice.") % {"id": item_id})
            elif "id" in item:
                ids.append(item_id)
            if "image" in item:
                image = item["image"]
                if not isinstance(image, str) or ".." in image or not _IMAGE.match(image):
                    self.add(
                        where,
                        _("“image” must be a relative path or an https:// address."),
                    )
                if not self.text(item, where, "alt", required=False):
                    self.add(
                        where,
                        _("a picture needs alt text in both languages (alt_en, alt_zh)."),
                    )
                self.text(item, where, "text", required=False)
            else:
                if "alt_en" in item or "alt_zh" in item:
                    self.add(where, _("alt text belongs with an “image”."))
                self.text(item, where, "text")
        return ids


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value) <= MAX_ID_LENGTH


# --- answer checks ------------------------------------------------------------------------------


def expect_id(answer: Any, known: list[str], what_en: str, what_zh: str) -> str:
    # Nothing chosen is what a learner on the page does; the wording for clients follows.
    if answer is None or answer == "":
        raise AnswerError(f"Choose one {what_en} first.", f"请先选择一个{what_zh}。")
    if not isinstance(answer, str):
        raise AnswerError(
            f"Choose one {what_en}: send its id as a string.",
            f"请选择一个{what_zh}：以字符串发送它的 id。",
        )
    if answer not in known:
        raise AnswerError(
            f"{shown(answer)} is not one of the {what_en}s.",
            f"{shown(answer)} 不是这道题的{what_zh}。",
        )
    return answer


def expect_id_list(answer: Any, known: list[str], what_en: str, what_zh: str) -> list[str]:
    if not isinstance(answer, list) or len(answer) > len(known):
        raise AnswerError(
            f"Send the chosen {what_en}s as a list of their ids.",
            f"请把选择的{what_zh}以 id 列表的形式发送。",
        )
    for value in answer:
        expect_id(value, known, what_en, what_zh)
    if len(set(answer)) != len(answer):
        raise AnswerError(
            f"Each {what_en} may appear only once in the answer.",
            f"答案中每个{what_zh}只能出现一次。",
        )
    return answer


def expect_mapping(answer: Any, keys: list[str], values: list[str], words: dict) -> dict:
    """An object giving every key (item, left side) one value (group, right side)."""
    if not isinstance(answer, dict):
        raise AnswerError(words["shape_en"], words["shape_zh"])
    for key, value in answer.items():
        if key not in keys:
            raise AnswerError(
                f"{shown(key)} is not one of the {words['keys_en']}.",
                f"{shown(key)} 不是这道题的{words['key_zh']}。",
            )
        expect_id(value, values, words["value_en"], words["value_zh"])
    missing = [key for key in keys if key not in answer]
    if missing:
        raise AnswerError(
            f"{shown(missing[0])} has no {words['value_en']} yet: place every {words['key_en']}.",
            f"{shown(missing[0])} 还没有{words['value_zh']}：请把每个{words['key_zh']}都放好。",
        )
    return answer
