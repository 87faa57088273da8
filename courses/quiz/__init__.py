# Chinese text uses full-width punctuation on purpose.
# ruff: noqa: RUF002
"""Quiz exercises, marked on the server: spec checks, answer checks and marking. No database.

A quiz exercise stores its definition, the *spec*, as a JSON object in `Exercise.spec`; the same
shapes are the quiz part of a course file (YAML) later. The prompt and the explanation live on the
exercise (`prompt_en`/`prompt_zh`, `explanation_en`/`explanation_zh`), not in the spec.

Conventions for every kind
    points      optional number > 0 (default 1): the exercise's maximum score.
    text        always a pair `…_en` / `…_zh`, both required and non-blank.
    ids         non-empty strings of at most 64 characters, unique within their list; answers
                refer to options and items by id, so the page may shuffle them.
    item        {"id": "cat", "text_en": "Cat", "text_zh": "猫"}
                or, pictures as options for the young, with alt text required for screen readers:
                {"id": "cat", "image": "courses/img/cat.png", "alt_en": "A cat", "alt_zh": "一只猫"}
                (text may accompany the picture; `image` is a relative path or an https:// URL).
    Unknown fields are errors, so a typo in a course file ("corect") is caught, not ignored.

Kinds, spec → answer (the JSON value a client sends)
    single_choice    {"options": [item + optional feedback_en/zh, ≥2], "correct": "b"}
                     → "b"
    multiple_choice  {"options": [same, ≥2], "correct": ["a", "c"]}
                     → ["a", "c"]   (any subset, each id at most once; [] is allowed)
    true_false       {"correct": true}
                     → true | false
    numeric          {"correct": 0.055, "tolerance": 0.001, "relative_tolerance": 0.01,
                      "unit_en": "%", "unit_zh": "%"}   (tolerances and unit optional)
                     → 0.055 | "0.055" | "０.０５５"   (a JSON number or the typed text)
    short_text       {"accepted_en": ["overfitting"], "accepted_zh": ["过拟合", "过度拟合"]}
                     → "Overfitting."   (compared after text.normalise; either language counts)
    ordering         {"items": [item, ≥2 — listed in the right order]}
                     → ["b", "a", "c"]   (every item id exactly once)
    categorise       {"categories": [item, ≥2],
                      "items": [item + "category": "<category id>", ≥1]}
                     → {"<item id>": "<category id>", …}   (every item placed)
    match            {"left": [item, ≥2], "right": [item, ≥2 — extra ones are distractors],
                      "pairs": {"<left id>": "<right id>", …}}   (every left once, one-to-one)
                     → {"<left id>": "<right id>", …}   (every left matched, no right twice)

Partial credit (documented on each kind's mark function)
    multiple_choice  right minus wrong, floored at 0
    ordering         fraction of pairs of items in the right relative order
    categorise       fraction of items in the right group
    match            fraction of left items with the right partner
    the rest         all or nothing
A Mark is `correct` only with full marks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from courses.quiz import arrange, choice, numeric, text
from courses.quiz.base import AnswerError, Checker, Mark, points_of

__all__ = ["KINDS", "AnswerError", "Mark", "mark", "max_score", "validate_answer", "validate_spec"]


@dataclass(frozen=True)
class _Kind:
    validate_spec: Callable[[Checker, dict], None]
    validate_answer: Callable[[dict, Any], None]
    mark: Callable[[dict, Any], Mark]


KINDS: dict[str, _Kind] = {
    "single_choice": _Kind(
        choice.single_validate_spec, choice.single_validate_answer, choice.single_mark
    ),
    "multiple_choice": _Kind(
        choice.multiple_validate_spec, choice.multiple_validate_answer, choice.multiple_mark
    ),
    "true_false": _Kind(
        choice.true_false_validate_spec,
        choice.true_false_validate_answer,
        choice.true_false_mark,
    ),
    "numeric": _Kind(numeric.validate_spec, numeric.validate_answer, numeric.mark),
    "short_text": _Kind(text.validate_spec, text.validate_answer, text.mark),
    "ordering": _Kind(
        arrange.ordering_validate_spec, arrange.ordering_validate_answer, arrange.ordering_mark
    ),
    "categorise": _Kind(
        arrange.categorise_validate_spec,
        arrange.categorise_validate_answer,
        arrange.categorise_mark,
    ),
    "match": _Kind(arrange.match_validate_spec, arrange.match_validate_answer, arrange.match_mark),
}


def validate_spec(kind: str, spec: Any) -> list[str]:
    """Every problem with a quiz definition, each a sentence naming where it is; [] if none."""
    if kind not in KINDS:
        return [_("“%(kind)s” is not a quiz kind.") % {"kind": kind}]
    if not isinstance(spec, dict):
        return [_("The quiz definition must be an object.")]
    checker = Checker()
    checker.points(spec)
    KINDS[kind].validate_spec(checker, spec)
    return checker.problems


def validate_answer(kind: str, spec: dict, answer: Any) -> None:
    """Raise AnswerError (one sentence, in English and Chinese) if `answer` cannot be marked.

    `spec` must already be valid (validate_spec returned no problems).
    """
    if kind not in KINDS:
        raise AnswerError("This exercise does not take quiz answers.", "这道题不接受测验答案。")
    KINDS[kind].validate_answer(spec, answer)


def mark(kind: str, spec: dict, answer: Any) -> Mark:
    """Mark a valid answer against a valid spec. Raises AnswerError for a malformed answer."""
    validate_answer(kind, spec, answer)
    return KINDS[kind].mark(spec, answer)


def max_score(spec: dict) -> float:
    """The points a fully right answer earns."""
    return points_of(spec)
