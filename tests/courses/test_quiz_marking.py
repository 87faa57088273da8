# Full-width characters are what these tests are about.
# ruff: noqa: RUF001
"""Quiz marking on the server (courses/quiz): every kind right, wrong, partly right and malformed;
spec validation finds every problem; short text is normalised for English and Chinese.

Pure functions: no database. SPECS and the answer tables are reused by test_quiz_api.py.
"""

import re

import pytest

from courses import quiz
from courses.quiz.text import normalise

HAN = re.compile(r"[\u4e00-\u9fff]")


def item(item_id, en, zh, **extra):
    return {"id": item_id, "text_en": en, "text_zh": zh, **extra}


def picture(item_id, en, zh, **extra):
    """A picture option for the young: no text, alt text in both languages."""
    return {
        "id": item_id,
        "image": f"courses/img/{item_id}.png",
        "alt_en": en,
        "alt_zh": zh,
        **extra,
    }


SPECS = {
    "single_choice": {
        "options": [
            item(
                "sensor",
                "A sensor",
                "传感器",
                feedback_en="Yes: it senses.",
                feedback_zh="对，它能感知。",
            ),
            item(
                "battery",
                "A battery",
                "电池",
                feedback_en="A battery stores power.",
                feedback_zh="电池储存电能。",
            ),
            picture("screen", "A screen", "屏幕"),
        ],
        "correct": "sensor",
    },
    "multiple_choice": {
        "options": [
            item("camera", "Camera", "摄像头"),
            item("microphone", "Microphone", "麦克风"),
            item("speaker", "Speaker", "扬声器"),
            item("keyboard", "Keyboard", "键盘"),
        ],
        "correct": ["camera", "microphone"],
    },
    "true_false": {"correct": False},
    # 37B of 671B parameters active per token (DeepSeek-V3): about 5.5 %.
    "numeric": {"correct": 5.5, "tolerance": 0.1, "unit_en": "%", "unit_zh": "%"},
    "short_text": {"accepted_en": ["overfitting", "over-fitting"], "accepted_zh": ["过拟合"]},
    "ordering": {
        "items": [
            item("collect", "Collect data", "收集数据"),
            item("label", "Label it", "标注数据"),
            item("train", "Train", "训练"),
            item("test", "Test", "测试"),
        ]
    },
    "categorise": {
        "categories": [item("fruit", "Fruit", "水果"), item("other", "Not fruit", "不是水果")],
        "items": [
            picture("apple", "An apple", "一个苹果", category="fruit"),
            picture("banana", "A banana", "一根香蕉", category="fruit"),
            picture("car", "A car", "一辆汽车", category="other"),
            picture("shoe", "A shoe", "一只鞋", category="other"),
        ],
    },
    "match": {
        "left": [
            item("eye", "Eye", "眼睛"),
            item("ear", "Ear", "耳朵"),
            item("mouth", "Mouth", "嘴"),
        ],
        "right": [
            item("camera", "Camera", "摄像头"),
            item("microphone", "Microphone", "麦克风"),
            item("speaker", "Speaker", "扬声器"),
            item("keyboard", "Keyboard", "键盘"),  # a distractor
        ],
        "pairs": {"eye": "camera", "ear": "microphone", "mouth": "speaker"},
    },
}

ALL_RIGHT = {"apple": "fruit", "banana": "fruit", "car": "other", "shoe": "other"}
MATCHED = {"eye": "camera", "ear": "microphone", "mouth": "speaker"}

# (kind, answer, correct, fraction of the points)
RIGHT = [
    ("single_choice", "sensor", True, 1),
    ("multiple_choice", ["microphone", "camera"], True, 1),
    ("true_false", False, True, 1),
    ("numeric", 5.5, True, 1),
    ("short_text", "Overfitting.", True, 1),
    ("ordering", ["collect", "label", "train", "test"], True, 1),
    ("categorise", ALL_RIGHT, True, 1),
    ("match", MATCHED, True, 1),
]
WRONG = [
    ("single_choice", "battery", False, 0),
    ("single_choice", "screen", False, 0),
    ("multiple_choice", ["speaker", "keyboard"], False, 0),
    ("multiple_choice", [], False, 0),
    ("true_false", True, False, 0),
    ("numeric", 5.7, False, 0),
    ("numeric", -5.5, False, 0),
    ("short_text", "underfitting", False, 0),
    ("ordering", ["test", "train", "label", "collect"], False, 0),
    (
        "categorise",
        {"apple": "other", "banana": "other", "car": "fruit", "shoe": "fruit"},
        False,
        0,
    ),
    ("match", {"eye": "microphone", "ear": "speaker", "mouth": "camera"}, False, 0),
]
PARTLY = [
    ("multiple_choice", ["camera"], False, 0.5),
    ("multiple_choice", ["camera", "microphone", "speaker"], False, 0.5),
    # Right minus wrong, floored at 0: everything chosen is worth nothing.
    ("multiple_choice", ["camera", "speaker"], False, 0),
    ("multiple_choice", ["camera", "microphone", "speaker", "keyboard"], False, 0),
    # Pairwise: one swap of neighbours breaks 1 of 6 pairs; the first item moved last breaks 3.
    ("ordering", ["label", "collect", "train", "test"], False, 5 / 6),
    ("ordering", ["label", "train", "test", "collect"], False, 3 / 6),
    ("categorise", {**ALL_RIGHT, "shoe": "fruit"}, False, 0.75),
    ("categorise", {**ALL_RIGHT, "apple": "other", "car": "fruit"}, False, 0.5),
    ("match", {"eye": "camera", "ear": "speaker", "mouth": "microphone"}, False, 1 / 3),
    ("match", {"eye": "camera", "ear": "microphone", "mouth": "keyboard"}, False, 2 / 3),
]


def test_every_example_spec_is_valid():
    assert set(SPECS) == set(quiz.KINDS)
    for kind, spec in SPECS.items():
        assert quiz.validate_spec(kind, spec) == [], kind


@pytest.mark.parametrize("kind,answer,correct,fraction", RIGHT + WRONG + PARTLY)
def test_marking(kind, answer, correct, fraction):
    mark = quiz.mark(kind, SPECS[kind], answer)
    assert mark.correct is correct
    assert mark.score == pytest.approx(fraction)
    assert mark.max_score == 1
    assert mark.feedback_en and HAN.search(mark.feedback_zh)


@pytest.mark.parametrize("kind,answer,correct,fraction", RIGHT)
def test_a_right_answer_says_so_in_both_languages(kind, answer, correct, fraction):
    mark = quiz.mark(kind, SPECS[kind], answer)
    assert mark.feedback_en.startswith("Correct!")
    assert mark.feedback_zh.startswith("正确！")


def test_partial_credit_explains_itself():
    mark = quiz.mark("categorise", SPECS["categorise"], {**ALL_RIGHT, "shoe": "fruit"})
    assert mark.feedback_en == "Partly right: 3 of 4 items in the right group."
    assert mark.feedback_zh == "部分正确：4 个项目中有 3 个分对了组。"


def test_the_authors_feedback_on_the_chosen_option_follows_the_verdict():
    mark = quiz.mark("single_choice", SPECS["single_choice"], "battery")
    assert mark.feedback_en == "Not quite. A battery stores power."
    assert mark.feedback_zh == "不太对。电池储存电能。"


def test_points_scale_the_score():
    spec = {**SPECS["ordering"], "points": 3}
    mark = quiz.mark("ordering", spec, ["label", "collect", "train", "test"])
    assert (mark.score, mark.max_score) == (pytest.approx(2.5), 3)
    assert quiz.max_score(spec) == 3
    assert quiz.max_score(SPECS["ordering"]) == 1


# --- numeric ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec,answer,correct",
    [
        ({"correct": 5.5, "tolerance": 0.1}, 5.59, True),
        ({"correct": 5.5, "tolerance": 0.1}, 5.41, True),
        ({"correct": 5.5, "tolerance": 0.1}, 5.61, False),
        ({"correct": 5.5}, 5.5000001, False),  # no tolerance: exact, bar float rounding
        ({"correct": 0.3}, 0.1 + 0.2, True),
        ({"correct": 5_600_000, "relative_tolerance": 0.05}, 5_800_000, True),
        ({"correct": 5_600_000, "relative_tolerance": 0.05}, 5_900_000, False),
        # Either tolerance suffices: the larger one applies.
        ({"correct": 100, "tolerance": 1, "relative_tolerance": 0.05}, 104, True),
        ({"correct": 100, "tolerance": 10, "relative_tolerance": 0.01}, 109, True),
        ({"correct": 0, "relative_tolerance": 0.5}, 0.001, False),
        ({"correct": 5.5, "tolerance": 0.1}, "5.45", True),
        ({"correct": 5.5, "tolerance": 0.1}, " +5.5 ", True),
        ({"correct": 5.5, "tolerance": 0.1}, "５.５", True),  # full-width digits from a Chinese IME
        ({"correct": 5.5, "tolerance": 0.1}, "5.5e0", True),
        ({"correct": 2, "tolerance": 0}, 2, True),
    ],
)
def test_numeric_tolerance(spec, answer, correct):
    assert quiz.validate_spec("numeric", spec) == []
    assert quiz.mark("numeric", spec, answer).correct is correct


# --- short text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed,normalised",
    [
        ("Overfitting", "overfitting"),
        ("  over \t  fitting \n", "over fitting"),
        ("Ｏｖｅｒｆｉｔｔｉｎｇ", "overfitting"),  # full-width Latin letters (NFKC)
        ("ﬁne", "fine"),  # a ligature (NFKC)
        ("Straße", "strasse"),  # case-folding, not just lower()
        ("overfitting!!!", "overfitting"),
        ("overfitting ...", "overfitting"),
        ("overfitting…", "overfitting"),
        ("过拟合。", "过拟合"),
        ("过拟合！", "过拟合"),
        ("过拟合？", "过拟合"),
        ("过拟合，", "过拟合"),
        ("过拟合、", "过拟合"),
        ("过拟合；：", "过拟合"),
        ("过拟合\u3000", "过拟合"),  # ideographic space
        ("过 拟 合", "过拟合"),  # spaces an IME slipped in between characters
        ("AI 伦理", "ai 伦理"),  # a space between Latin and Chinese stays
        ("C#", "c#"),  # only sentence punctuation goes
        ("k-NN", "k-nn"),
    ],
)
def test_short_text_normalisation(typed, normalised):
    assert normalise(typed) == normalised


@pytest.mark.parametrize(
    "typed",
    [
        "overfitting",
        "OVERFITTING!",
        "Over-fitting.",
        "过拟合。",
        "过 拟 合！",
        "Ｏｖｅｒｆｉｔｔｉｎｇ",
    ],
)
def test_short_text_accepts_either_language_however_typed(typed):
    assert quiz.mark("short_text", SPECS["short_text"], typed).correct


@pytest.mark.parametrize("typed", ["over fitting", "overfit", "拟合", "overfitting?x"])
def test_short_text_is_not_fuzzy(typed):
    assert not quiz.mark("short_text", SPECS["short_text"], typed).correct


# --- malformed answers --------------------------------------------------------------------------

MALFORMED = [
    ("single_choice", 3, "send its id as a string"),
    ("single_choice", None, "Choose one option first"),
    ("single_choice", "", "Choose one option first"),
    ("single_choice", ["sensor"], "send its id as a string"),
    ("single_choice", "ghost", "“ghost” is not one of the options"),
    ("multiple_choice", "camera", "as a list of their ids"),
    ("multiple_choice", ["camera", "camera"], "may appear only once"),
    ("multiple_choice", ["camera", "ghost"], "“ghost” is not one of the options"),
    ("multiple_choice", [1], "send its id as a string"),
    ("multiple_choice", ["camera"] * 5, "as a list of their ids"),
    ("true_false", "true", "true or false"),
    ("true_false", 1, "true or false"),
    ("true_false", None, "true or false"),
    ("numeric", "five", "Enter a number"),
    ("numeric", "", "Enter a number"),
    ("numeric", "nan", "Enter a number"),
    ("numeric", "inf", "Enter a number"),
    ("numeric", "1_000", "Enter a number"),
    ("numeric", "5,5", "Enter a number"),
    ("numeric", True, "Enter a number"),
    ("numeric", [5.5], "Enter a number"),
    ("numeric", float("nan"), "Enter a number"),
    ("numeric", 10**400, "Enter a number"),
    ("numeric", "9" * 101, "Enter a number"),
    ("short_text", 42, "as text"),
    ("short_text", None, "as text"),
    ("short_text", "   ", "Type an answer first"),
    ("short_text", "。！", "Type an answer first"),
    ("short_text", "x" * 501, "under 500 characters"),
    ("ordering", ["collect", "label", "train"], "each exactly once"),
    ("ordering", ["collect", "label", "train", "train"], "only once"),
    ("ordering", ["collect", "label", "train", "ghost"], "“ghost” is not one of the items"),
    ("ordering", {"collect": 1}, "as a list of their ids"),
    ("categorise", ["apple"], "Send an object"),
    ("categorise", {"apple": "fruit"}, "“banana” has no group yet"),
    ("categorise", {**ALL_RIGHT, "ghost": "fruit"}, "“ghost” is not one of the items"),
    ("categorise", {**ALL_RIGHT, "apple": "vegetable"}, "“vegetable” is not one of the groups"),
    ("categorise", {**ALL_RIGHT, "apple": 1}, "send its id as a string"),
    ("match", [["eye", "camera"]], "Send an object"),
    ("match", {"eye": "camera"}, "“ear” has no partner yet"),
    ("match", {**MATCHED, "nose": "camera"}, "not one of the items on the left"),
    ("match", {**MATCHED, "eye": "printer"}, "“printer” is not one of the partners"),
    ("match", {"eye": "camera", "ear": "camera", "mouth": "speaker"}, "matched only once"),
]


@pytest.mark.parametrize("kind,answer,fragment", MALFORMED)
def test_a_malformed_answer_is_refused_with_one_clear_sentence_in_both_languages(
    kind, answer, fragment
):
    with pytest.raises(quiz.AnswerError) as raised:
        quiz.validate_answer(kind, SPECS[kind], answer)
    error = raised.value
    assert fragment in error.message_en
    assert error.message_en.count(". ") == 0 and error.message_en.endswith(".")
    assert HAN.search(error.message_zh)
    with pytest.raises(quiz.AnswerError):
        quiz.mark(kind, SPECS[kind], answer)  # mark checks too: never marks garbage


def test_a_long_value_is_cut_short_in_the_message():
    with pytest.raises(quiz.AnswerError) as raised:
        quiz.validate_answer("single_choice", SPECS["single_choice"], "x" * 10_000)
    assert len(raised.value.message_en) < 120


def test_a_kind_that_is_not_a_quiz_takes_no_answers():
    with pytest.raises(quiz.AnswerError, match="does not take quiz answers"):
        quiz.validate_answer("notebook", {}, "a")


# --- spec validation ----------------------------------------------------------------------------


def changed(kind, **changes):
    spec = {**SPECS[kind], **changes}
    return {key: value for key, value in spec.items() if value is not None}


def option_changed(kind, key, index, **changes):
    entries = [dict(entry) for entry in SPECS[kind][key]]
    entries[index].update(changes)
    for name in [name for name, value in changes.items() if value is None]:
        del entries[index][name]
    return {**SPECS[kind], key: entries}


SPEC_PROBLEMS = [
    ("essay", {}, "“essay” is not a quiz kind"),
    ("single_choice", [], "must be an object"),
    (
        "single_choice",
        changed("single_choice", points=0),
        "points: must be a number greater than 0",
    ),
    (
        "single_choice",
        changed("single_choice", points=-1),
        "points: must be a number greater than 0",
    ),
    ("single_choice", changed("single_choice", points=True), "points: must be a number greater"),
    ("single_choice", changed("single_choice", corect="sensor"), "“corect” is not a known field"),
    ("single_choice", changed("single_choice", correct=None), "“correct” is missing"),
    (
        "single_choice",
        changed("single_choice", correct="ghost"),
        "correct: “ghost” is not an option",
    ),
    ("single_choice", changed("single_choice", correct=["sensor"]), "the one right option"),
    ("single_choice", changed("single_choice", options="abc"), "options: must be a list"),
    ("single_choice", changed("single_choice", options=[item("a", "A", "甲")]), "at least 2"),
    (
        "single_choice",
        changed("single_choice", options=["a", "b"]),
        "options[0]: must be an object",
    ),
    (
        "single_choice",
        option_changed("single_choice", "options", 1, id="sensor"),
        "options[1]: the id “sensor” is used twice",
    ),
    (
        "single_choice",
        option_changed("single_choice", "options", 1, id=None),
        "options[1]: “id” is missing",
    ),
    (
        "single_choice",
        option_changed("single_choice", "options", 1, id=""),
        "options[1]: “id” must be a non-empty",
    ),
    ("single_choice", option_changed("single_choice", "options", 1, id="x" * 65), "at most 64"),
    (
        "single_choice",
        option_changed("single_choice", "options", 0, text_zh=None),
        "options[0]: “text_zh” needs text",
    ),
    (
        "single_choice",
        option_changed("single_choice", "options", 0, text_zh="  "),
        "options[0]: “text_zh” needs text",
    ),
    (
        "single_choice",
        option_changed("single_choice", "options", 0, text_en="x" * 2001),
        "longer than 2000",
    ),
    (
        "single_choice",
        option_changed("single_choice", "options", 0, feedback_zh=None),
        "options[0]: “feedback_zh” needs text",
    ),
    (
        "single_choice",
        option_changed("single_choice", "options", 0, colour="red"),
        "options[0]: “colour” is not a known field",
    ),
    (
        "single_choice",
        option_changed("single_choice", "options", 2, alt_zh=None),
        "options[2]: “alt_zh” needs text",
    ),
    (
        "single_choice",
        option_changed("single_choice", "options", 2, alt_en=None, alt_zh=None),
        "alt text in both languages",
    ),
    (
        "single_choice",
        option_changed("single_choice", "options", 2, image="javascript:alert(1)"),
        "options[2]: “image” must be",
    ),
    (
        "single_choice",
        option_changed("single_choice", "options", 2, image="data:image/png;base64,AAAA"),
        "“image” must be",
    ),
    (
        "single_choice",
        option_changed("single_choice", "options", 2, image="http://example.com/a.png"),
        "“image” must be",
    ),
    (
        "single_choice",
        option_changed("single_choice", "options", 2, image="../../etc/passwd"),
        "“image” must be",
    ),
    (
        "single_choice",
        option_changed("single_choice", "options", 2, image="//evil.example/a.png"),
        "“image” must be",
    ),
    (
        "single_choice",
        option_changed("single_choice", "options", 0, alt_en="A", alt_zh="甲"),
        "alt text belongs with an “image”",
    ),
    (
        "single_choice",
        option_changed("single_choice", "options", 2, text_en="Screen"),
        "options[2]: “text_zh” needs text",
    ),
    ("multiple_choice", changed("multiple_choice", correct=[]), "at least one"),
    ("multiple_choice", changed("multiple_choice", correct="camera"), "at least one"),
    (
        "multiple_choice",
        changed("multiple_choice", correct=["camera", "ghost"]),
        "correct: “ghost” is not an option",
    ),
    ("multiple_choice", changed("multiple_choice", correct=["camera", "camera"]), "listed twice"),
    ("true_false", {"correct": "yes"}, "correct: must be true or false"),
    ("true_false", {}, "“correct” is missing"),
    ("numeric", {"correct": "5.5"}, "correct: must be a number"),
    ("numeric", {"correct": float("nan")}, "correct: must be a number"),
    (
        "numeric",
        {"correct": 5.5, "tolerance": -0.1},
        "tolerance: must be a number that is 0 or more",
    ),
    (
        "numeric",
        {"correct": 5.5, "relative_tolerance": -1},
        "relative_tolerance: must be a number that is 0 or more",
    ),
    ("numeric", {"correct": 5.5, "tolerance": "0.1"}, "tolerance: must be a number"),
    ("numeric", {"correct": 5.5, "unit_en": "%"}, "“unit_zh” needs text"),
    ("short_text", {"accepted_en": ["overfitting"]}, "“accepted_zh” is missing"),
    (
        "short_text",
        {"accepted_en": [], "accepted_zh": ["过拟合"]},
        "accepted_en: must list at least one",
    ),
    (
        "short_text",
        {"accepted_en": "overfitting", "accepted_zh": ["过拟合"]},
        "accepted_en: must list at least one",
    ),
    (
        "short_text",
        {"accepted_en": ["..."], "accepted_zh": ["过拟合"]},
        "accepted_en[0]: must be text that is not only punctuation",
    ),
    ("short_text", {"accepted_en": [3], "accepted_zh": ["过拟合"]}, "accepted_en[0]"),
    ("ordering", {"items": [item("a", "A", "甲")]}, "items: needs at least 2"),
    ("ordering", {"items": [item(str(n), "A", "甲") for n in range(51)]}, "more than 50"),
    ("categorise", changed("categorise", categories=[]), "categories: needs at least 2"),
    ("categorise", changed("categorise", items=[]), "items: needs at least 1"),
    (
        "categorise",
        option_changed("categorise", "items", 0, category="vegetable"),
        "items[0]: “vegetable” is not one of the categories",
    ),
    (
        "categorise",
        option_changed("categorise", "items", 0, category=None),
        "items[0]: “category” is missing",
    ),
    (
        "match",
        changed("match", pairs={"eye": "camera", "ear": "microphone"}),
        "pairs: “mouth” has no partner",
    ),
    (
        "match",
        changed("match", pairs={**SPECS["match"]["pairs"], "nose": "keyboard"}),
        "pairs: “nose” is not on the left",
    ),
    (
        "match",
        changed("match", pairs={**SPECS["match"]["pairs"], "eye": "printer"}),
        "pairs: “printer” is not on the right",
    ),
    (
        "match",
        changed("match", pairs={"eye": "camera", "ear": "camera", "mouth": "speaker"}),
        "partner of two",
    ),
    ("match", changed("match", pairs=[["eye", "camera"]]), "pairs: must be an object"),
    (
        "match",
        changed("match", right=[item("camera", "Camera", "摄像头")]),
        "right: needs at least 2",
    ),
]


@pytest.mark.parametrize("kind,spec,fragment", SPEC_PROBLEMS)
def test_spec_validation_names_the_problem_and_where_it_is(kind, spec, fragment):
    problems = quiz.validate_spec(kind, spec)
    assert any(fragment in problem for problem in problems), problems


def test_spec_validation_lists_every_problem_at_once():
    spec = {
        "options": [item("a", "A", ""), item("a", "B", "乙"), picture("c", "C", "")],
        "correct": "ghost",
        "points": -2,
    }
    problems = quiz.validate_spec("single_choice", spec)
    assert len(problems) == 5, problems
    assert problems == [
        "points: must be a number greater than 0.",
        "options[0]: “text_zh” needs text.",
        "options[1]: the id “a” is used twice.",
        "options[2]: “alt_zh” needs text.",
        "correct: “ghost” is not an option.",
    ]


def test_picture_options_with_text_alongside_are_fine():
    spec = {
        "options": [
            picture("cat", "A cat", "一只猫", text_en="Cat", text_zh="猫"),
            {
                "id": "dog",
                "image": "https://example.org/dog.png",
                "alt_en": "A dog",
                "alt_zh": "一只狗",
            },
        ],
        "correct": "cat",
    }
    assert quiz.validate_spec("single_choice", spec) == []
