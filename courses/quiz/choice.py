# Chinese text uses full-width punctuation on purpose.
# ruff: noqa: RUF001
"""Single choice, multiple choice and true/false."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from courses.quiz.base import AnswerError, Checker, Mark, expect_id, expect_id_list, marked

_OPTION_EXTRA = {"feedback_en", "feedback_zh"}


def _options(checker: Checker, spec: dict) -> list[str]:
    ids = checker.items(spec, "options", minimum=2, extra=_OPTION_EXTRA)
    for index, option in enumerate(spec.get("options") or []):
        if isinstance(option, dict):
            checker.text(option, f"options[{index}]", "feedback", required=False)
    return ids


def _option_ids(spec: dict) -> list[str]:
    return [option["id"] for option in spec["options"]]


def _feedback_for(spec: dict, chosen: list[str]) -> tuple[str, str]:
    """The author's feedback on the chosen options, in both languages."""
    options = {option["id"]: option for option in spec["options"]}
    en = [options[i]["feedback_en"] for i in chosen if options[i].get("feedback_en")]
    zh = [options[i]["feedback_zh"] for i in chosen if options[i].get("feedback_zh")]
    return " ".join(en), "".join(zh)


# --- single choice ------------------------------------------------------------------------------


def single_validate_spec(checker: Checker, spec: dict) -> None:
    checker.keys(spec, "", {"options", "correct", "points"}, {"options", "correct"})
    ids = _options(checker, spec)
    correct = spec.get("correct")
    if "correct" in spec and not isinstance(correct, str):
        checker.add("correct", _("must be the id of the one right option."))
    elif "correct" in spec and correct not in ids:
        checker.add("correct", _("“%(id)s” is not an option.") % {"id": correct})


def single_validate_answer(spec: dict, answer: Any) -> None:
    expect_id(answer, _option_ids(spec), "option", "选项")


def single_mark(spec: dict, answer: str) -> Mark:
    """All or nothing."""
    return marked(spec, float(answer == spec["correct"]), extra=_feedback_for(spec, [answer]))


# --- multiple choice ----------------------------------------------------------------------------


def multiple_validate_spec(checker: Checker, spec: dict) -> None:
    checker.keys(spec, "", {"options", "correct", "points"}, {"options", "correct"})
    ids = _options(checker, spec)
    correct = spec.get("correct")
    if "correct" not in spec:
        return
    if not isinstance(correct, list) or not correct:
        checker.add("correct", _("must list the ids of the right options (at least one)."))
        return
    for option_id in correct:
        if option_id not in ids:
            checker.add("correct", _("“%(id)s” is not an option.") % {"id": option_id})
    if len({str(option_id) for option_id in correct}) != len(correct):
        checker.add("correct", _("an option is listed twice."))


def multiple_validate_answer(spec: dict, answer: Any) -> None:
    expect_id_list(answer, _option_ids(spec), "option", "选项")


def multiple_mark(spec: dict, answer: list[str]) -> Mark:
    """Right minus wrong, floored at 0.

    Each right option chosen earns 1/(number of right options); each wrong option chosen costs
    1/(number of wrong options). Choosing everything therefore scores 0, and leaving out one of
    three right options scores 2/3. Correct only when exactly the right options are chosen.
    """
    right = set(spec["correct"])
    wrong = set(_option_ids(spec)) - right
    chosen = set(answer)
    hits, misses = len(chosen & right), len(chosen & wrong)
    fraction = hits / len(right) - (misses / len(wrong) if wrong else 0)
    partly = (
        f"Partly right: right options chosen: {hits} of {len(right)}; wrong options chosen: "
        f"{misses}.",
        f"部分正确：{len(right)} 个正确选项中选对了 {hits} 个，选错了 {misses} 个。",
    )
    return marked(spec, fraction, partly, extra=_feedback_for(spec, answer))


# --- true or false ------------------------------------------------------------------------------


def true_false_validate_spec(checker: Checker, spec: dict) -> None:
    checker.keys(spec, "", {"correct", "points"}, {"correct"})
    if "correct" in spec and not isinstance(spec["correct"], bool):
        checker.add("correct", _("must be true or false."))


def true_false_validate_answer(spec: dict, answer: Any) -> None:
    if answer is None:
        raise AnswerError("Choose true or false first.", "请先选择“对”或“错”。")
    if not isinstance(answer, bool):
        raise AnswerError(
            "Answer true or false (a JSON boolean).", "请回答 true 或 false（JSON 布尔值）。"
        )


def true_false_mark(spec: dict, answer: bool) -> Mark:
    """All or nothing."""
    return marked(spec, float(answer is spec["correct"]))
