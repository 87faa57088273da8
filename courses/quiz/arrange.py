# Chinese text uses full-width punctuation on purpose.
# ruff: noqa: RUF001
"""Ordering, categorise (sort items into groups) and match pairs."""

from __future__ import annotations

from itertools import combinations
from typing import Any

from django.utils.translation import gettext as _

from courses.quiz.base import AnswerError, Checker, Mark, expect_id_list, expect_mapping, marked


def _ids(spec: dict, key: str) -> list[str]:
    return [entry["id"] for entry in spec[key]]


# --- ordering -----------------------------------------------------------------------------------


def ordering_validate_spec(checker: Checker, spec: dict) -> None:
    checker.keys(spec, "", {"items", "points"}, {"items"})
    checker.items(spec, "items", minimum=2)


def ordering_validate_answer(spec: dict, answer: Any) -> None:
    items = _ids(spec, "items")
    expect_id_list(answer, items, "item", "项目")
    if len(answer) != len(items):
        raise AnswerError(
            "Put every item in the order, each exactly once.",
            "请把每一项都排进顺序里，每项恰好一次。",
        )


def ordering_mark(spec: dict, answer: list[str]) -> Mark:
    """Pairwise: the fraction of pairs of items whose relative order is right (Kendall's tau
    rescaled to 0..1). Moving one item to the wrong end still earns most of the credit, unlike
    counting items in their exact place; a reversed order earns nothing."""
    rank = {item_id: index for index, item_id in enumerate(_ids(spec, "items"))}
    pairs = list(combinations(answer, 2))
    right = sum(rank[first] < rank[second] for first, second in pairs)
    partly = (
        f"Partly right: {right} of {len(pairs)} pairs of items are in the right order.",
        f"部分正确：{len(pairs)} 对项目中有 {right} 对顺序正确。",
    )
    return marked(spec, right / len(pairs), partly)


# --- categorise ---------------------------------------------------------------------------------


def categorise_validate_spec(checker: Checker, spec: dict) -> None:
    checker.keys(spec, "", {"categories", "items", "points"}, {"categories", "items"})
    categories = checker.items(spec, "categories", minimum=2)
    checker.items(spec, "items", minimum=1, extra={"category"})
    for index, item in enumerate(spec.get("items") or []):
        if not isinstance(item, dict):
            continue
        if "category" not in item:
            checker.add(f"items[{index}]", _("“category” is missing."))
        elif item["category"] not in categories:
            checker.add(
                f"items[{index}]",
                _("“%(category)s” is not one of the categories.") % {"category": item["category"]},
            )


_CATEGORISE_WORDS = {
    "shape_en": "Send an object giving each item's id the id of its group.",
    "shape_zh": "请发送一个对象：每个项目的 id 对应它所属组的 id。",
    "key_en": "item",
    "keys_en": "items",
    "key_zh": "项目",
    "value_en": "group",
    "value_zh": "组",
}


def categorise_validate_answer(spec: dict, answer: Any) -> None:
    expect_mapping(answer, _ids(spec, "items"), _ids(spec, "categories"), _CATEGORISE_WORDS)


def categorise_mark(spec: dict, answer: dict[str, str]) -> Mark:
    """The fraction of items put in their right group."""
    items = spec["items"]
    right = sum(answer[item["id"]] == item["category"] for item in items)
    partly = (
        f"Partly right: {right} of {len(items)} items in the right group.",
        f"部分正确：{len(items)} 个项目中有 {right} 个分对了组。",
    )
    return marked(spec, right / len(items), partly)


# --- match pairs --------------------------------------------------------------------------------


def match_validate_spec(checker: Checker, spec: dict) -> None:
    checker.keys(spec, "", {"left", "right", "pairs", "points"}, {"left", "right", "pairs"})
    left = checker.items(spec, "left", minimum=2)
    right = checker.items(spec, "right", minimum=2)
    pairs = spec.get("pairs")
    if "pairs" not in spec:
        return
    if not isinstance(pairs, dict):
        checker.add("pairs", _("must be an object giving each left id its right id."))
        return
    for left_id, right_id in pairs.items():
        if left_id not in left:
            checker.add("pairs", _("“%(id)s” is not on the left.") % {"id": left_id})
        if right_id not in right:
            checker.add("pairs", _("“%(id)s” is not on the right.") % {"id": right_id})
    for left_id in left:
        if left_id not in pairs:
            checker.add("pairs", _("“%(id)s” has no partner.") % {"id": left_id})
    partners = [str(right_id) for right_id in pairs.values()]
    if len(set(partners)) != len(partners):
        checker.add("pairs", _("an item on the right is the partner of two on the left."))


_MATCH_WORDS = {
    "shape_en": "Send an object giving each left item's id the id of its partner on the right.",
    "shape_zh": "请发送一个对象：左边每一项的 id 对应右边与它配对的 id。",
    "key_en": "item on the left",
    "keys_en": "items on the left",
    "key_zh": "左边的项目",
    "value_en": "partner",
    "value_zh": "配对",
}


def match_validate_answer(spec: dict, answer: Any) -> None:
    expect_mapping(answer, _ids(spec, "left"), _ids(spec, "right"), _MATCH_WORDS)
    if len(set(answer.values())) != len(answer):
        raise AnswerError(
            "Each item on the right can be matched only once.",
            "右边的每一项只能配对一次。",
        )


def match_mark(spec: dict, answer: dict[str, str]) -> Mark:
    """The fraction of left items matched with their right partner."""
    pairs = spec["pairs"]
    right = sum(answer[left_id] == right_id for left_id, right_id in pairs.items())
    partly = (
        f"Partly right: {right} of {len(pairs)} pairs matched.",
        f"部分正确：{len(pairs)} 对中有 {right} 对配对正确。",
    )
    return marked(spec, right / len(pairs), partly)
