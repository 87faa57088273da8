"""The content model: age bands and the stage each serves, big ideas, Course → Unit → Lesson →
Exercise in order, both languages, and the notebook exercises that came before courses."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError
from django.utils import translation
from django.utils.functional import Promise

from courses import quiz, services
from courses.localization import is_chinese, localized
from courses.models import (
    AgeBand,
    BigIdea,
    Course,
    Exercise,
    Lesson,
    QuizAttempt,
    SchoolStage,
    Unit,
    stage_for,
)
from tests import factories
from tests.courses.test_quiz_marking import SPECS

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher():
    return factories.make_teacher()


@pytest.fixture
def course(teacher):
    return services.course_create(
        owner=teacher,
        slug="seeing-machines",
        title_en="Seeing machines",
        title_zh="会看的机器",
        age_band=AgeBand.AGES_6_8,
        big_ideas=[BigIdea.PERCEPTION, BigIdea.SOCIETAL_IMPACT],
    )


@pytest.fixture
def lesson(course):
    unit = services.unit_create(course=course, title_en="Sensors", title_zh="传感器")
    return services.lesson_create(
        unit=unit,
        title_en="Find the sensors",
        title_zh="找一找传感器",
        body_en="Your phone has a **camera**.",
        body_zh="你的手机有一个**摄像头**。",
    )


def make_quiz(teacher, lesson=None, kind="single_choice", **fields):
    return services.exercise_create_quiz(
        owner=teacher, kind=kind, title=f"A {kind} quiz", spec=SPECS[kind], lesson=lesson, **fields
    )


# --- age bands and big ideas --------------------------------------------------------------------


def test_the_five_age_bands_map_to_the_school_stages():
    assert {band.value: band.stage for band in AgeBand} == {
        "6-8": SchoolStage.LOWER_PRIMARY,
        "9-11": SchoolStage.UPPER_PRIMARY,
        "12-14": SchoolStage.JUNIOR_SECONDARY,
        "15-17": SchoolStage.SENIOR_SECONDARY,
        "adult": SchoolStage.HIGHER_EDUCATION,
    }
    assert stage_for("12-14") == SchoolStage.JUNIOR_SECONDARY
    with pytest.raises(ValueError):
        stage_for("18-21")


def test_a_course_knows_its_stage(course):
    assert course.stage == SchoolStage.LOWER_PRIMARY
    course.age_band = AgeBand.ADULT
    assert course.stage == SchoolStage.HIGHER_EDUCATION


def test_the_big_ideas_are_ai4k12s_five_with_societal_impact_the_fifth():
    assert BigIdea.values == [
        "perception",
        "representation_reasoning",
        "learning",
        "natural_interaction",
        "societal_impact",
    ]


def test_big_ideas_are_stored_as_a_list(course):
    course.refresh_from_db()
    assert course.big_ideas == ["perception", "societal_impact"]


@pytest.mark.parametrize(
    "big_ideas,message",
    [
        (["perception", "telepathy"], "Unknown big ideas: telepathy."),
        (["learning", "learning"], "A big idea is listed twice."),
        ("learning", "Big ideas must be a list."),
    ],
)
def test_only_known_big_ideas_are_accepted(teacher, big_ideas, message):
    with pytest.raises(ValidationError, match=message):
        services.course_create(
            owner=teacher,
            slug="x",
            title_en="X",
            title_zh="X",
            age_band="9-11",
            big_ideas=big_ideas,
        )
    assert not Course.objects.exists()


def test_an_unknown_age_band_is_refused_by_validation_and_by_the_database(teacher):
    with pytest.raises(ValidationError):
        services.course_create(
            owner=teacher, slug="x", title_en="X", title_zh="X", age_band="18-21"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Course.objects.create(owner=teacher, slug="y", title_en="Y", title_zh="Y", age_band="18-21")


# --- order --------------------------------------------------------------------------------------


def test_units_lessons_and_exercises_come_in_position_order(course, teacher):
    late = Unit.objects.create(course=course, position=5, title_en="Late", title_zh="后")
    early = Unit.objects.create(course=course, position=2, title_en="Early", title_zh="前")
    assert list(course.units.all()) == [early, late]
    second = Lesson.objects.create(unit=early, position=2, title_en="B", title_zh="乙")
    first = Lesson.objects.create(unit=early, position=1, title_en="A", title_zh="甲")
    assert list(early.lessons.all()) == [first, second]
    third = make_quiz(teacher, first, position=3)
    one = make_quiz(teacher, first, kind="true_false", position=1)
    assert list(first.exercises.all()) == [one, third]


def test_new_units_lessons_and_exercises_go_after_the_last(course, lesson, teacher):
    unit = services.unit_create(course=course, title_en="Two", title_zh="二")
    assert [u.position for u in course.units.all()] == [1, 2]
    assert unit.position == 2
    again = services.lesson_create(unit=lesson.unit, title_en="Again", title_zh="再来")
    assert (lesson.position, again.position) == (1, 2)
    exercises = [make_quiz(teacher, lesson, kind=kind) for kind in ("numeric", "match")]
    assert [exercise.position for exercise in exercises] == [1, 2]


@pytest.mark.parametrize("level", ["unit", "lesson", "exercise"])
def test_two_siblings_cannot_share_a_position(course, lesson, teacher, level):
    make = {
        "unit": lambda: Unit.objects.create(
            course=course, position=1, title_en="Dup", title_zh="重"
        ),
        "lesson": lambda: Lesson.objects.create(
            unit=lesson.unit, position=1, title_en="Dup", title_zh="重"
        ),
        "exercise": lambda: make_quiz(teacher, lesson, position=1),
    }[level]
    if level == "exercise":
        make()
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_the_same_position_is_fine_under_different_parents(course, lesson, teacher):
    other = services.course_create(
        owner=teacher, slug="other", title_en="Other", title_zh="别的", age_band="adult"
    )
    Unit.objects.create(course=other, position=1, title_en="One", title_zh="一")
    other_lesson = Lesson.objects.create(
        unit=other.units.get(), position=1, title_en="One", title_zh="一"
    )
    make_quiz(teacher, lesson, position=1)
    make_quiz(teacher, other_lesson, position=1)


def test_exercises_outside_any_lesson_need_no_position(teacher):
    """The notebook exercises that predate courses all sit at position 0, lesson-less."""
    first = factories.make_exercise(teacher)
    second = factories.make_exercise(teacher)
    assert (first.lesson, first.position, second.position) == (None, 0, 0)
    assert list(Exercise.objects.all()) == [first, second]


def test_a_lesson_with_exercises_cannot_be_deleted_with_them(lesson, teacher):
    """Deleting content must never silently delete learners' attempts."""
    make_quiz(teacher, lesson)
    with pytest.raises(ProtectedError):
        lesson.delete()


def test_max_attempts_is_empty_or_at_least_one(teacher):
    assert make_quiz(teacher).max_attempts is None
    with pytest.raises(IntegrityError), transaction.atomic():
        make_quiz(teacher, max_attempts=0)


# --- quiz exercises ------------------------------------------------------------------------------


def test_every_quiz_kind_is_an_exercise_kind():
    assert set(Exercise.Kind.values) == {"notebook", *quiz.KINDS}


def test_a_quiz_exercise_takes_its_maximum_score_from_the_spec(teacher, lesson):
    exercise = services.exercise_create_quiz(
        owner=teacher,
        kind="ordering",
        title="Steps of machine learning",
        title_zh="机器学习的步骤",
        spec={**SPECS["ordering"], "points": 4},
        lesson=lesson,
        prompt_en="Put the steps in order.",
        prompt_zh="把步骤排好顺序。",
        explanation_en="Data comes first.",
        explanation_zh="先有数据。",
        max_attempts=3,
        is_published=True,
    )
    exercise.refresh_from_db()
    assert (exercise.max_score, exercise.max_attempts, exercise.spec["points"]) == (4, 3, 4)
    assert exercise.source_notebook == {} and exercise.released_notebook == {}
    assert not exercise.is_notebook


def test_a_quiz_with_a_broken_spec_is_not_stored_and_every_problem_is_named(teacher):
    spec = {"options": [{"id": "a", "text_en": "A"}], "correct": "b"}
    with pytest.raises(services.QuizSpecInvalid) as raised:
        services.exercise_create_quiz(owner=teacher, kind="single_choice", title="X", spec=spec)
    assert raised.value.problems == [
        "options: needs at least 2 entries.",
        "options[0]: “text_zh” needs text.",
        "correct: “b” is not an option.",
    ]
    assert not Exercise.objects.exists()


def test_notebook_exercises_still_work_as_before(teacher):
    exercise = factories.make_exercise(teacher)
    assert exercise.kind == Exercise.Kind.NOTEBOOK and exercise.is_notebook
    assert exercise.max_score == factories.DEMO_MAX_SCORE
    assert exercise.spec == {} and exercise.max_attempts is None
    assert "BEGIN HIDDEN TESTS" not in str(exercise.released_notebook)


# --- languages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "language,title",
    [
        ("zh-hans", "会看的机器"),
        ("zh-cn", "会看的机器"),
        ("zh-Hans-CN", "会看的机器"),
        ("en", "Seeing machines"),
        ("fr", "Seeing machines"),
    ],
)
def test_localized_picks_chinese_for_simplified_chinese_and_english_otherwise(
    course, language, title
):
    assert localized(course, "title", language) == title
    assert course.localized("title", language) == title


def test_localized_follows_the_active_language(course):
    with translation.override("zh-hans"):
        assert is_chinese()
        assert course.localized("title") == "会看的机器"
    with translation.override("en"):
        assert course.localized("title") == "Seeing machines"


def test_missing_chinese_falls_back_to_english(course, lesson):
    course.summary_en, course.summary_zh = "Machines that see.", " "
    assert course.localized("summary", "zh-hans") == "Machines that see."
    assert lesson.localized("body", "zh-hans") == "你的手机有一个**摄像头**。"


def test_localized_reads_quiz_options_and_the_exercise_title(teacher):
    option = SPECS["single_choice"]["options"][0]
    assert localized(option, "text", "zh-hans") == "传感器"
    assert localized(option, "text", "en") == "A sensor"
    exercise = make_quiz(teacher, title_zh="选择题")
    assert exercise.localized("title", "zh-hans") == "选择题"
    assert exercise.localized("title", "en") == "A single_choice quiz"
    exercise.title_zh = ""
    assert exercise.localized("title", "zh-hans") == "A single_choice quiz"


@pytest.mark.parametrize("model", [Course, Unit, Lesson, Exercise, QuizAttempt])
def test_every_verbose_name_is_translatable(model):
    assert isinstance(model._meta.verbose_name, Promise)
    assert isinstance(model._meta.verbose_name_plural, Promise)
    for field in model._meta.get_fields():
        if hasattr(field, "verbose_name") and field.name != "id" and not field.auto_created:
            assert isinstance(field.verbose_name, Promise), f"{model.__name__}.{field.name}"
    for choices in (AgeBand, SchoolStage, BigIdea, Exercise.Kind):
        assert all(isinstance(label, Promise) for _value, label in choices.choices)


# --- admin --------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["course", "unit", "lesson", "exercise", "quizattempt"])
def test_the_admin_pages_open(client, lesson, teacher, model):
    make_quiz(teacher, lesson)
    admin = factories.make_admin()
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    assert client.get(f"/admin/courses/{model}/").status_code == 200
    if model != "quizattempt":  # attempts are made by the service, never typed in
        assert client.get(f"/admin/courses/{model}/add/").status_code == 200


def test_the_admin_checks_a_quiz_spec_and_scores_it(client, teacher):
    admin = factories.make_admin()
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    form = {
        "title": "Sensors",
        "kind": "true_false",
        "owner": teacher.pk,
        "position": 0,
        "spec": '{"correct": "yes"}',
        "limits": "{}",
        "is_published": "on",
    }
    response = client.post("/admin/courses/exercise/add/", form)
    assert response.status_code == 200
    assert "correct: must be true or false." in response.content.decode()
    assert not Exercise.objects.exists()
    response = client.post(
        "/admin/courses/exercise/add/", {**form, "spec": '{"correct": true, "points": 2}'}
    )
    assert response.status_code == 302
    assert Exercise.objects.get().max_score == 2
