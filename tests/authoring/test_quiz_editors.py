# Chinese text is what these forms are filled with.
# ruff: noqa: RUF001
"""Every quiz kind through its form: a filled-in form stores a valid definition, a broken one is
refused with each problem next to its field and nothing stored. Pictures are uploaded or picked
from the course; ids stay when an exercise is edited, so learners' answers keep their meaning."""

import pytest

from courses import quiz, services
from courses.models import CourseAsset, Exercise
from tests.authoring.conftest import EVIL_SVG, PNG, upload

pytestmark = pytest.mark.django_db

TEXTS = {
    "title": "Sensors",
    "title_zh": "传感器",
    "prompt_en": "Answer this.",
    "prompt_zh": "回答。",
    "explanation_en": "Because.",
    "explanation_zh": "因为。",
    "max_attempts": "3",
    "points": "",
}


def rows(prefix: str, entries: list[dict], initial: int = 0) -> dict:
    """A formset's POST data: management form plus each row's fields."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(entries)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "50",
    }
    for index, entry in enumerate(entries):
        for name, value in entry.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


def item(en, zh, **extra):
    return {"text_en": en, "text_zh": zh, **extra}


GOOD = {
    "single_choice": rows(
        "options",
        [
            item("A sensor", "传感器", correct="on", feedback_en="Yes.", feedback_zh="对。"),
            item("A battery", "电池", feedback_en="Stores power.", feedback_zh="储存电能。"),
            item("", ""),  # a blank row is left out
        ],
    ),
    "multiple_choice": rows(
        "options",
        [
            item("Camera", "摄像头", correct="on"),
            item("Microphone", "麦克风", correct="on"),
            item("Keyboard", "键盘"),
        ],
    ),
    "true_false": {"correct": "false"},
    "numeric": {
        "correct": "5.5",
        "tolerance": "0.1",
        "relative_tolerance": "",
        "unit_en": "%",
        "unit_zh": "%",
    },
    "short_text": {"accepted_en": "overfitting\n\n over-fitting \n", "accepted_zh": "过拟合"},
    "ordering": rows(
        "items",
        [
            item("Train", "训练", ORDER="3"),
            item("Collect data", "收集数据", ORDER="1"),
            item("Label it", "标注", ORDER="2"),
        ],
    ),
    "categorise": {
        **rows("categories", [item("Fruit", "水果"), item("Not fruit", "不是水果")]),
        **rows(
            "items",
            [
                item("Apple", "苹果", group="0"),
                item("Stone", "石头", group="1"),
                item("Pear", "梨", group="0"),
            ],
        ),
    },
    "match": {
        **rows(
            "pairs",
            [
                {
                    "left_text_en": "Cat",
                    "left_text_zh": "猫",
                    "right_text_en": "Kitten",
                    "right_text_zh": "小猫",
                },
                {
                    "left_text_en": "Dog",
                    "left_text_zh": "狗",
                    "right_text_en": "Puppy",
                    "right_text_zh": "小狗",
                },
            ],
        ),
        **rows("distractors", [item("Calf", "小牛")]),
    },
}

EXPECTED = {
    "single_choice": {
        "options": [
            {
                "id": "option1",
                "text_en": "A sensor",
                "text_zh": "传感器",
                "feedback_en": "Yes.",
                "feedback_zh": "对。",
            },
            {
                "id": "option2",
                "text_en": "A battery",
                "text_zh": "电池",
                "feedback_en": "Stores power.",
                "feedback_zh": "储存电能。",
            },
        ],
        "correct": "option1",
    },
    "multiple_choice": {
        "options": [
            {"id": "option1", "text_en": "Camera", "text_zh": "摄像头"},
            {"id": "option2", "text_en": "Microphone", "text_zh": "麦克风"},
            {"id": "option3", "text_en": "Keyboard", "text_zh": "键盘"},
        ],
        "correct": ["option1", "option2"],
    },
    "true_false": {"correct": False},
    "numeric": {"correct": 5.5, "tolerance": 0.1, "unit_en": "%", "unit_zh": "%"},
    "short_text": {"accepted_en": ["overfitting", "over-fitting"], "accepted_zh": ["过拟合"]},
    "ordering": {
        "items": [
            {"id": "item1", "text_en": "Collect data", "text_zh": "收集数据"},
            {"id": "item2", "text_en": "Label it", "text_zh": "标注"},
            {"id": "item3", "text_en": "Train", "text_zh": "训练"},
        ]
    },
    "categorise": {
        "categories": [
            {"id": "group1", "text_en": "Fruit", "text_zh": "水果"},
            {"id": "group2", "text_en": "Not fruit", "text_zh": "不是水果"},
        ],
        "items": [
            {"id": "item1", "text_en": "Apple", "text_zh": "苹果", "category": "group1"},
            {"id": "item2", "text_en": "Stone", "text_zh": "石头", "category": "group2"},
            {"id": "item3", "text_en": "Pear", "text_zh": "梨", "category": "group1"},
        ],
    },
    "match": {
        "left": [
            {"id": "left1", "text_en": "Cat", "text_zh": "猫"},
            {"id": "left2", "text_en": "Dog", "text_zh": "狗"},
        ],
        "right": [
            {"id": "right1", "text_en": "Kitten", "text_zh": "小猫"},
            {"id": "right2", "text_en": "Puppy", "text_zh": "小狗"},
            {"id": "right3", "text_en": "Calf", "text_zh": "小牛"},
        ],
        "pairs": {"left1": "right1", "left2": "right2"},
    },
}

# (kind, what to change in GOOD, where the problem shows: (part, row, field) or a form field)
BROKEN = {
    "single_choice": (
        rows("options", [item("A sensor", "传感器", correct="on"), item("A battery", "")]),
        [("options", 1, "text_zh", "“Text (Chinese)” needs text.")],
    ),
    "multiple_choice": (
        rows("options", [item("Camera", "摄像头"), item("Keyboard", "键盘")]),
        [("options", None, None, "Mark at least one option as a right answer.")],
    ),
    "true_false": ({"correct": ""}, [(None, None, "correct", "This field is required.")]),
    "numeric": (
        {"correct": "lots", "unit_en": "%", "unit_zh": ""},
        [(None, None, "correct", "Enter a number.")],
    ),
    "short_text": (
        {"accepted_en": "overfitting\n...", "accepted_zh": ""},
        [
            (None, None, "accepted_en", "Line 2: must be text that is not only punctuation."),
            (None, None, "accepted_zh", "must list at least one accepted answer."),
        ],
    ),
    "ordering": (
        rows("items", [item("Only one", "只有一个", ORDER="1")]),
        [("items", None, None, "needs at least 2 entries.")],
    ),
    "categorise": (
        {
            **rows("categories", [item("Fruit", "水果"), item("Not fruit", "不是水果")]),
            **rows("items", [item("Apple", "苹果")]),
        },
        [("items", 0, "group", "Choose one of the groups for this item.")],
    ),
    "match": (
        {
            **rows(
                "pairs",
                [
                    {
                        "left_text_en": "Cat",
                        "left_text_zh": "猫",
                        "right_text_en": "Kitten",
                        "right_text_zh": "小猫",
                    },
                    {
                        "left_text_en": "Dog",
                        "left_text_zh": "狗",
                        "right_text_en": "",
                        "right_text_zh": "",
                    },
                ],
            ),
            **rows("distractors", []),
        },
        [("pairs", 1, "right_text_en", "“Right: Text (English)” needs text.")],
    ),
}


def add_url(world, kind):
    return world.url("exercise_add", pk=world.course.pk, lesson_id=world.lesson.pk, kind=kind)


@pytest.mark.parametrize("kind", list(quiz.KINDS))
def test_the_new_exercise_page_draws_the_kinds_form(teacher_client, world, kind):
    response = teacher_client.get(add_url(world, kind))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "csrfmiddlewaretoken" in page


@pytest.mark.parametrize("kind", list(quiz.KINDS))
def test_each_kinds_form_stores_a_valid_definition(teacher_client, world, kind):
    response = teacher_client.post(add_url(world, kind), {**TEXTS, **GOOD[kind]})
    assert response.status_code == 302, response.context["editor"].errors
    exercise = Exercise.objects.get(lesson=world.lesson, kind=kind, title="Sensors")
    assert exercise.spec == EXPECTED[kind]
    assert quiz.validate_spec(kind, exercise.spec) == []
    assert (exercise.title, exercise.title_zh, exercise.max_attempts) == ("Sensors", "传感器", 3)
    assert exercise.owner == world.course.owner and exercise.is_published
    assert exercise.key == "sensors" and exercise.position == 2
    assert response["Location"] == world.url(
        "exercise", pk=world.course.pk, exercise_id=exercise.pk
    )
    # The edit page shows what was stored, and saving it unchanged keeps it exactly.
    page = teacher_client.get(response["Location"])
    assert page.status_code == 200


@pytest.mark.parametrize("kind", list(quiz.KINDS))
def test_each_kinds_form_refuses_a_broken_definition_next_to_the_field(teacher_client, world, kind):
    data, expected = BROKEN[kind]
    response = teacher_client.post(add_url(world, kind), {**TEXTS, **data})
    assert response.status_code == 400
    assert not Exercise.objects.filter(lesson=world.lesson, kind=kind, title="Sensors").exists()
    editor = response.context["editor"]
    page = response.content.decode()
    assert "Nothing was saved" in page
    for part_name, row, field, message in expected:
        if part_name is None:
            errors = editor.form.errors[field]
        else:
            part = editor.list_part(part_name)
            if row is None:
                errors = part.errors + list(part.formset.non_form_errors())
            else:
                errors = part.formset.forms[row].errors[field]
        assert any(message in str(error) for error in errors), (errors, message)
        assert message.replace("“", "&ldquo;")[:20] in page or message[:20] in page


def test_points_go_into_the_definition_and_a_bad_value_is_refused(teacher_client, world):
    response = teacher_client.post(
        add_url(world, "true_false"), {**TEXTS, "points": "2.5", "correct": "true"}
    )
    exercise = Exercise.objects.get(lesson=world.lesson, title="Sensors")
    assert exercise.spec == {"correct": True, "points": 2.5} and exercise.max_score == 2.5
    response = teacher_client.post(
        add_url(world, "true_false"), {**TEXTS, "points": "-1", "correct": "true"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["points"]


def test_every_problem_is_shown_at_once(teacher_client, world):
    data = rows(
        "options",
        [item("", "传感器", correct="on"), item("A battery", "", correct="on")],
    )
    response = teacher_client.post(add_url(world, "single_choice"), {**TEXTS, "title": "", **data})
    assert response.status_code == 400
    editor = response.context["editor"]
    forms = editor.list_part("options").formset.forms
    assert response.context["form"].errors["title"]
    assert forms[0].errors["text_en"] == ["“Text (English)” needs text."]
    assert forms[1].errors["text_zh"] == ["“Text (Chinese)” needs text."]
    assert "Mark exactly one option" in " ".join(editor.list_part("options").errors)


def test_a_picture_uploaded_with_an_option_is_stored_with_the_exercise(teacher_client, world):
    data = rows(
        "options",
        [
            {
                "upload": upload("My Cat.PNG", PNG, "image/png"),
                "alt_en": "A cat",
                "alt_zh": "一只猫",
                "correct": "on",
            },
            item("A dog", "一只狗"),
        ],
    )
    response = teacher_client.post(add_url(world, "single_choice"), {**TEXTS, **data})
    assert response.status_code == 302
    exercise = Exercise.objects.get(lesson=world.lesson, kind="single_choice")
    assert exercise.spec["options"][0] == {
        "id": "option1",
        "image": "my-cat.png",
        "alt_en": "A cat",
        "alt_zh": "一只猫",
    }
    asset = CourseAsset.objects.get(course=world.course)
    assert (asset.name, asset.content_type, bytes(asset.content)) == (
        "my-cat.png",
        "image/png",
        PNG,
    )
    # The editor offers it for the next option, and the preview serves it.
    page = teacher_client.get(add_url(world, "single_choice")).content.decode()
    assert '<option value="my-cat.png">my-cat.png</option>' in page
    served = teacher_client.get(world.url("asset", course_id=world.course.pk, name="my-cat.png"))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert "sandbox" in served["Content-Security-Policy"]


def test_a_picture_needs_alt_text_and_a_script_in_an_svg_is_refused(teacher_client, world):
    data = rows(
        "options",
        [
            {
                "upload": upload("evil.svg", EVIL_SVG, "image/svg+xml"),
                "alt_en": "Evil",
                "alt_zh": "坏",
                "correct": "on",
            },
            {"upload": upload("dot.png", PNG, "image/png")},
        ],
    )
    response = teacher_client.post(add_url(world, "single_choice"), {**TEXTS, **data})
    assert response.status_code == 400
    forms = response.context["editor"].list_part("options").formset.forms
    assert "An SVG must not contain <script>." in forms[0].errors["upload"]
    page = response.content.decode()
    assert "Files you chose must be chosen again" in page
    assert not CourseAsset.objects.exists()
    assert not Exercise.objects.filter(kind="single_choice").exists()
    # A safe picture without its description: the problem is on that row's alt text.
    data = rows(
        "options",
        [{"upload": upload("dot.png", PNG, "image/png"), "correct": "on"}, item("A dog", "一只狗")],
    )
    response = teacher_client.post(add_url(world, "single_choice"), {**TEXTS, **data})
    assert response.status_code == 400
    row = response.context["editor"].list_part("options").formset.forms[0]
    assert "alt text in both languages" in str(row.errors)
    assert not CourseAsset.objects.exists()


def test_a_picture_can_be_picked_from_the_course(teacher_client, world):
    CourseAsset.objects.create(
        course=world.course,
        name="robot.png",
        content=PNG,
        content_type="image/png",
        size=len(PNG),
        sha256="1" * 64,
    )
    data = rows(
        "items",
        [
            {"image": "robot.png", "alt_en": "A robot", "alt_zh": "机器人", "ORDER": "1"},
            item("Second", "第二", ORDER="2"),
        ],
    )
    response = teacher_client.post(add_url(world, "ordering"), {**TEXTS, **data})
    assert response.status_code == 302
    exercise = Exercise.objects.get(kind="ordering")
    assert exercise.spec["items"][0]["image"] == "robot.png"
    # A name that is not one of the course's pictures is not a choice.
    data["items-0-image"] = "../../etc/passwd"
    response = teacher_client.post(add_url(world, "ordering"), {**TEXTS, **data})
    assert response.status_code == 400


def test_editing_keeps_ids_and_removes_rows(teacher_client, world):
    exercise = services.exercise_create_quiz(
        owner=world.teacher,
        kind="single_choice",
        title="Pets",
        spec={
            "options": [
                {"id": "cat", "text_en": "Cat", "text_zh": "猫"},
                {"id": "dog", "text_en": "Dog", "text_zh": "狗"},
                {"id": "cow", "text_en": "Cow", "text_zh": "牛"},
            ],
            "correct": "cat",
        },
        lesson=world.lesson,
    )
    url = world.url("exercise", pk=world.course.pk, exercise_id=exercise.pk)
    page = teacher_client.get(url).content.decode()
    assert 'name="options-0-id" value="cat"' in page
    assert 'name="options-1-text_en" value="Dog"' in page
    data = rows(
        "options",
        [
            {"id": "cat", "text_en": "Cat!", "text_zh": "猫！"},
            {"id": "dog", "text_en": "Dog", "text_zh": "狗", "correct": "on"},
            {"id": "cow", "text_en": "Cow", "text_zh": "牛", "DELETE": "on"},
            item("Hen", "母鸡"),
        ],
        initial=3,
    )
    response = teacher_client.post(url, {**TEXTS, "title": "Pets", **data})
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.spec == {
        "options": [
            {"id": "cat", "text_en": "Cat!", "text_zh": "猫！"},
            {"id": "dog", "text_en": "Dog", "text_zh": "狗"},
            {"id": "option1", "text_en": "Hen", "text_zh": "母鸡"},
        ],
        "correct": "dog",
    }


@pytest.mark.parametrize("kind", list(quiz.KINDS))
def test_the_edit_form_shows_a_stored_definition_and_saves_it_unchanged(
    teacher_client, world, kind
):
    """Round trip: the form drawn from a stored spec, posted back as drawn, stores the same."""
    teacher_client.post(add_url(world, kind), {**TEXTS, **GOOD[kind]})
    exercise = Exercise.objects.get(lesson=world.lesson, kind=kind, title="Sensors")
    url = world.url("exercise", pk=world.course.pk, exercise_id=exercise.pk)
    response = teacher_client.get(url)
    editor = response.context["editor"]
    data = dict(TEXTS)
    for part in [*(p.formset for p in editor.lists), *([editor.form] if editor.form else [])]:
        forms = part.forms if hasattr(part, "forms") else [part]
        if hasattr(part, "management_form"):
            for name in part.management_form.fields:
                data[part.management_form.add_prefix(name)] = part.management_form[name].value()
        for form in forms:
            for name in form.fields:
                value = form[name].value()
                if value in (None, False, ""):
                    continue
                data[form.add_prefix(name)] = "on" if value is True else value
    response = teacher_client.post(url, data)
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.spec == EXPECTED[kind]


def test_the_yaml_editor_saves_a_valid_definition_and_lists_every_problem(teacher_client, world):
    url = world.url("exercise_yaml", pk=world.course.pk, exercise_id=world.quiz.pk)
    assert "correct: true" in teacher_client.get(url).content.decode()
    response = teacher_client.post(url, {"spec": "correct: false\npoints: 2\n"})
    assert response.status_code == 302
    world.quiz.refresh_from_db()
    assert world.quiz.spec == {"correct": False, "points": 2} and world.quiz.max_score == 2
    response = teacher_client.post(url, {"spec": "correct: maybe\ncorect: true\n"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "must be true or false" in page and "“corect” is not a known field" in page
    response = teacher_client.post(url, {"spec": "correct: [unclosed\n"})
    assert response.status_code == 400
    assert "The YAML cannot be read" in response.content.decode()
    world.quiz.refresh_from_db()
    assert world.quiz.spec == {"correct": False, "points": 2}


def test_exercises_move_and_delete_unless_learners_answered(teacher_client, world):
    from courses.services import quiz_answer_submit

    second = services.exercise_create_quiz(
        owner=world.teacher,
        kind="true_false",
        title="Second",
        spec={"correct": True},
        lesson=world.lesson,
    )
    teacher_client.post(
        world.url("exercise_move", pk=world.course.pk, exercise_id=second.pk), {"direction": "up"}
    )
    assert list(world.lesson.exercises.order_by("position").values_list("pk", "position")) == [
        (second.pk, 1),
        (world.quiz.pk, 2),
    ]
    quiz_answer_submit(learner=world.student, exercise=world.quiz, answer=True)
    response = teacher_client.post(
        world.url("exercise_delete", pk=world.course.pk, exercise_id=world.quiz.pk)
    )
    assert Exercise.objects.filter(pk=world.quiz.pk).exists()
    teacher_client.post(world.url("exercise_delete", pk=world.course.pk, exercise_id=second.pk))
    assert not Exercise.objects.filter(pk=second.pk).exists()
    assert response.status_code == 302
    assert Exercise.objects.get(pk=world.quiz.pk).position == 1


def test_a_problem_the_quiz_finds_is_put_on_the_field_it_is_about(teacher_client, world):
    """A unit in one language only passes the form's own checks; courses.quiz refuses it, and
    the problem shows on the Chinese unit's field, named by its label."""
    data = {
        "correct": "5.5",
        "tolerance": "",
        "relative_tolerance": "",
        "unit_en": "%",
        "unit_zh": "",
    }
    response = teacher_client.post(add_url(world, "numeric"), {**TEXTS, **data})
    assert response.status_code == 400
    assert response.context["editor"].form.errors["unit_zh"] == ["“Unit (Chinese)” needs text."]
    assert "“Unit (Chinese)” needs text." in response.content.decode()


@pytest.mark.parametrize("kind", list(quiz.KINDS))
def test_tampered_or_empty_posts_are_refused_with_a_message_never_a_crash(
    teacher_client, world, kind
):
    tampered = [
        {},
        dict(TEXTS),  # no management form for the lists
        {
            **TEXTS,
            "options-TOTAL_FORMS": "9999",
            "options-INITIAL_FORMS": "0",
            "items-TOTAL_FORMS": "x",
        },
        {
            **TEXTS,
            **rows("options", [item("a", "b", id="x" * 100, correct="on"), item("c", "d")]),
            **rows("items", [item("a", "b", ORDER="abc", group="77")]),
            **rows("categories", [item("a", "b")]),
            **rows("pairs", [{"left_id": "", "right_text_en": "x"}]),
            **rows("distractors", []),
        },
        {**TEXTS, "correct": "1e400", "accepted_en": "\x00"},
    ]
    for data in tampered:
        response = teacher_client.post(add_url(world, kind), data)
        assert response.status_code == 400, (kind, data)
        assert "Nothing was saved" in response.content.decode()
    assert not Exercise.objects.filter(title="Sensors").exists()
