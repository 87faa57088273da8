# Chinese text uses full-width punctuation on purpose.
# ruff: noqa: RUF001
"""Numeric answers within a tolerance."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from django.utils.translation import gettext as _

from courses.quiz.base import AnswerError, Checker, Mark, is_number, marked

# Plain decimal notation, optionally with an exponent. Not Python's float(): that also takes
# "nan", "inf" and "1_000", which no learner means.
_DECIMAL = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
# Floats cannot represent most decimals exactly: 0.1 + 0.2 must still equal 0.3.
_FLOAT_SLACK = 1e-9


def validate_spec(checker: Checker, spec: dict) -> None:
    allowed = {"correct", "tolerance", "relative_tolerance", "unit_en", "unit_zh", "points"}
    checker.keys(spec, "", allowed, {"correct"})
    if "correct" in spec and not is_number(spec["correct"]):
        checker.add("correct", _("must be a number."))
    for key in ("tolerance", "relative_tolerance"):
        if key in spec and not (is_number(spec[key]) and spec[key] >= 0):
            checker.add(key, _("must be a number that is 0 or more."))
    checker.text(spec, "", "unit", required=False)


def parse(answer: Any) -> float:
    """A number from JSON, or from what a learner typed (full-width digits allowed)."""
    if is_number(answer):
        return float(answer)
    if isinstance(answer, str) and len(answer) <= 100:
        text = unicodedata.normalize("NFKC", answer).strip()
        if _DECIMAL.match(text):
            value = float(text)
            if math.isfinite(value):
                return value
    raise AnswerError("Enter a number, such as 3.5.", "请输入一个数字，例如 3.5。")


def validate_answer(spec: dict, answer: Any) -> None:
    parse(answer)


def mark(spec: dict, answer: Any) -> Mark:
    """All or nothing: right when |answer - correct| <= the larger of `tolerance` and
    `relative_tolerance` * |correct| (both default to 0, apart from float rounding)."""
    value, correct = parse(answer), float(spec["correct"])
    allowed = max(
        float(spec.get("tolerance", 0)),
        float(spec.get("relative_tolerance", 0)) * abs(correct),
        _FLOAT_SLACK * max(abs(correct), 1.0),
    )
    return marked(spec, float(abs(value - correct) <= allowed))
