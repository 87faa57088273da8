# Chinese text uses full-width punctuation on purpose.
# ruff: noqa: RUF001
"""The canonical YAML layout: readable, stable, and always loading back to the same data."""

import json

import pytest

from courses.coursefiles import yaml_dumper, yaml_loader
from courses.coursefiles.yaml_dumper import WIDTH, dump, width_of

LONG_EN = (
    "A screening test catches 90% of people who have a disease and wrongly flags 5% of people "
    "who do not. 1% of the people tested have the disease. What is the probability?"
)
LONG_ZH = (
    "某项筛查能查出 90% 的患者，同时会把 5% 的健康人误判为阳性。接受检测的人中有 1% 患病。" * 2
)


def test_fields_keep_their_order_and_lists_indent_under_their_key():
    data = {
        "slug": "robots",
        "age_band": "6-8",
        "big_ideas": ["perception", "learning"],
        "units": [{"title_en": "One", "lessons": [{"slug": "a", "exercises": ["x.yaml"]}]}],
    }
    assert dump(data) == (
        "slug: robots\n"
        "age_band: 6-8\n"
        "big_ideas: [perception, learning]\n"
        "units:\n"
        "  - title_en: One\n"
        "    lessons:\n"
        "      - slug: a\n"
        "        exercises: [x.yaml]\n"
    )


def test_long_text_is_folded_within_the_width_and_chinese_stays_on_one_line():
    text = dump({"prompt_en": LONG_EN, "prompt_zh": LONG_ZH})
    lines = text.splitlines()
    assert lines[0] == "prompt_en: >-"
    english = [line for line in lines[1:] if line.startswith("  ")]
    assert len(english) == 2 and all(len(line) <= WIDTH for line in english)
    assert f"prompt_zh: {LONG_ZH}" in lines  # a break between Chinese characters reads as a space
    assert yaml_loader.load(text) == {"prompt_en": LONG_EN, "prompt_zh": LONG_ZH}


def test_a_list_that_does_not_fit_on_a_line_gets_one_item_per_line():
    accepted = [f"answer number {n}" for n in range(8)]
    text = dump({"spec": {"accepted_en": accepted, "accepted_zh": ["先验", "先验概率"]}})
    assert "  accepted_en:\n    - answer number 0\n    - answer number 1\n" in text
    assert "  accepted_zh: [先验, 先验概率]\n" in text


def test_markdown_is_a_literal_block_and_text_that_needs_quotes_gets_double_quotes():
    data = {
        "prompt_en": "| a | b |\n|---|---|\n\nWhich one?\n",
        "title": "Problem set: a guess?",
        "feedback_en": "It's 'quoted'",
        "answer": "yes",
    }
    text = dump(data)
    assert "prompt_en: |\n  | a | b |\n  |---|---|\n\n  Which one?\n" in text
    assert 'title: "Problem set: a guess?"\n' in text
    assert "feedback_en: It's 'quoted'\n" in text
    assert 'answer: "yes"\n' in text  # a plain yes would read as true
    assert yaml_loader.load(text) == data


@pytest.mark.parametrize(
    "value",
    [
        "",
        " leading space",
        "trailing space ",
        "two  spaces  inside " * 8,
        "true",
        "null",
        "1.0",
        "0x1F",
        "- looks like a list",
        "# looks like a comment",
        "key: value",
        "a: b # c " * 12,
        "tab\there",
        "windows\r\nline ends\r\n",
        "several\n\n\ntrailing newlines\n\n\n",
        "\n starts with a break",
        "  indented first line\nthen not\n",
        "emoji 🤖 and \u200b zero-width space",
        'quote " and backslash \\',
        "x" * 250,
        "word " * 40
        + "averyveryveryveryveryveryveryveryveryveryveryveryveryveryveryverylongword" * 2,
        "中文 English 混合 " * 10,
        "’curly’ “quotes” — dashes …",
        "@at the start",
        "%percent first",
        "`backtick first`",
        "!tag-like",
        "*star and &amp",
        "{not: a mapping}",
        "[not, a list]",
    ],
)
def test_any_text_loads_back_exactly(value):
    data = {"text": value, "in_a_list": [value, "plain"], "nested": {"deeper": [{"x": value}]}}
    text = dump(data)
    assert json.dumps(yaml_loader.load(text)) == json.dumps(data)


@pytest.mark.parametrize("value", [True, False, 0, 1, -3, 0.12, 1e-05, 5.0, 1e21, None])
def test_numbers_and_flags_keep_their_type(value):
    data = {"correct": value, "options": [value]}
    loaded = yaml_loader.load(dump(data))
    assert json.dumps(loaded) == json.dumps(data)


def test_the_same_data_always_gives_the_same_text_and_never_an_alias():
    shared = {"id": "cat", "text_en": "Cat", "text_zh": "猫"}
    data = {"left": [shared], "right": [shared]}
    first, second = dump(data), dump(data)
    assert first == second
    assert "&" not in first and "*" not in first


def test_width_counts_chinese_characters_as_two_columns():
    assert width_of("ab") == 2 and width_of("中文") == 4 and width_of("，") == 2


def test_a_dump_that_would_not_load_back_is_refused(monkeypatch):
    monkeypatch.setattr(yaml_dumper, "_yaml", lambda data, width=WIDTH: "other: text\n")
    with pytest.raises(ValueError, match="does not read back"):
        dump({"title": "x"})
