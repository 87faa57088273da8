# Chinese text uses full-width punctuation on purpose.
# ruff: noqa: RUF002, RUF003
"""Short text answers, compared with accepted answers after normalising both."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.utils.translation import gettext as _

from courses.quiz.base import AnswerError, Checker, Mark, marked

MAX_ANSWER_LENGTH = 500
_SPACES = re.compile(r"\s+")
# Sentence punctuation only, not every Unicode "P" character: "C#" must not become "C". After
# NFKC the full-width ！？，．；： are already ASCII; 。、 have no ASCII form.
_TRAILING = " .,;:!?…。、"
# CJK unified ideographs (and extension A): Chinese has no spaces between words, but IMEs and
# phones sometimes insert them.
_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff]"
_SPACE_BETWEEN_HAN = re.compile(rf"(?<={_HAN}) (?={_HAN})")


def normalise(text: str) -> str:
    """What two answers must share to count as the same.

    NFKC first (full-width letters, digits and ！？，become their ASCII forms), then case-fold,
    trim and collapse whitespace, drop trailing sentence punctuation (. , ; : ! ? … and the
    Chinese 。！？，、；：), and drop spaces between Chinese characters.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _SPACES.sub(" ", text).strip()
    text = text.rstrip(_TRAILING)
    return _SPACE_BETWEEN_HAN.sub("", text)


def validate_spec(checker: Checker, spec: dict) -> None:
    keys = {"accepted_en", "accepted_zh"}
    checker.keys(spec, "", {*keys, "points"}, keys)
    for key in sorted(keys & spec.keys()):
        accepted = spec[key]
        if not isinstance(accepted, list) or not accepted:
            checker.add(key, _("must list at least one accepted answer."))
            continue
        for index, value in enumerate(accepted):
            if not isinstance(value, str) or not normalise(value):
                checker.add(f"{key}[{index}]", _("must be text that is not only punctuation."))
            elif len(value) > MAX_ANSWER_LENGTH:
                checker.add(
                    f"{key}[{index}]",
                    _("is longer than %(limit)d characters.") % {"limit": MAX_ANSWER_LENGTH},
                )


def validate_answer(spec: dict, answer: Any) -> None:
    if not isinstance(answer, str):
        raise AnswerError("Type your answer as text.", "请用文字输入你的答案。")
    if len(answer) > MAX_ANSWER_LENGTH:
        raise AnswerError(
            f"Keep the answer under {MAX_ANSWER_LENGTH} characters.",
            f"答案请不要超过 {MAX_ANSWER_LENGTH} 个字符。",
        )
    if not normalise(answer):
        raise AnswerError("Type an answer first.", "请先输入答案。")


def mark(spec: dict, answer: str) -> Mark:
    """All or nothing. An answer in either language counts, whatever language the page is in:
    a learner in the Chinese interface may well know the English term."""
    accepted = {normalise(value) for value in [*spec["accepted_en"], *spec["accepted_zh"]]}
    return marked(spec, float(normalise(answer) in accepted))
