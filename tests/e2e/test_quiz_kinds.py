"""Every quiz kind on one lesson page, answered in a real browser with the page's script: choices
clicked, numbers and words typed, an order made with the move buttons, groups and partners chosen
in the menus. Each is marked in place. The marking itself is tested in tests/courses; this is
about the controls and the script working on the page, phone and desktop.
"""

import copy

import pytest

from courses import quiz, services
from courses.asset_services import course_asset_create
from courses.models import AgeBand
from tests.courses.test_quiz_marking import SPECS
from tests.e2e.conftest import DEMO_COURSES
from tests.factories import make_student, make_teacher
from tests.support.a11y import assert_accessible
from tests.support.browser import mark_page, same_page

pytestmark = pytest.mark.django_db(transaction=True)

# One picture for all: the demo cat, a real SVG the asset checks accept.
PICTURE = (DEMO_COURSES / "robot-senses" / "assets" / "cat.svg").read_bytes()
ORDER = ["Collect data", "Label it", "Train", "Test"]


@pytest.fixture
def every_kind(transactional_db):
    """A lesson with one quiz of each kind (the marking tests' specs, pictures made real)."""
    teacher = make_teacher("ms_lin")
    course = services.course_create(
        owner=teacher,
        slug="all-kinds",
        title_en="All kinds",
        title_zh="各种题型",
        age_band=AgeBand.AGES_9_11,
        is_published=True,
        is_public=True,
    )
    unit = services.unit_create(course=course, title_en="Unit", title_zh="单元")
    lesson = services.lesson_create(unit=unit, title_en="Quizzes", title_zh="测验")
    quizzes = {}
    for kind in quiz.KINDS:
        spec = copy.deepcopy(SPECS[kind])
        for entries in spec.values():
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, dict) and entry.get("image"):
                    entry["image"] = f"{entry['id']}.svg"
                    course_asset_create(course=course, name=entry["image"], content=PICTURE)
        quizzes[kind] = services.exercise_create_quiz(
            owner=teacher,
            kind=kind,
            title=f"The {kind} quiz",
            spec=spec,
            lesson=lesson,
            prompt_en=f"Answer the {kind} question.",
            is_published=True,
        )
    return f"/courses/{course.slug}/lessons/{lesson.pk}/", quizzes


def order_shown(section) -> list[str]:
    return [
        text.strip()
        for text in section.locator(".quiz-order-item .quiz-order-text").all_inner_texts()
    ]


def put_in_order(page, section) -> None:
    """With the move-up buttons only: bring each item up to its place, first to last."""
    assert order_shown(section) != ORDER, "shown shuffled, never in the right order"
    for place, wanted in enumerate(ORDER):
        while order_shown(section).index(wanted) > place:
            section.get_by_role("button", name=f"Move up: {wanted}").click()
        assert order_shown(section)[: place + 1] == ORDER[: place + 1]
    # Each move is announced to screen readers.
    assert "is now in place" in section.locator("[role=status].visually-hidden").inner_text()
    # The place menus follow the list, so the form would post the same order without the script.
    values = section.locator("select").evaluate_all("(all) => all.map((s) => s.value)")
    assert values == ["1", "2", "3", "4"]


def answer_rightly(page, kind: str, section) -> None:
    if kind == "single_choice":
        section.get_by_role("radio", name="A sensor").check()
    elif kind == "multiple_choice":
        section.get_by_role("checkbox", name="Camera").check()
        section.get_by_role("checkbox", name="Microphone").check()
    elif kind == "true_false":
        section.get_by_role("radio", name="False").check()
    elif kind == "numeric":
        section.get_by_label("Your answer (a number)").fill("5.5")
    elif kind == "short_text":
        section.get_by_label("Your answer").fill("Overfitting.")
    elif kind == "ordering":
        put_in_order(page, section)
    elif kind == "categorise":
        for name, group in [("An apple", "Fruit"), ("A banana", "Fruit"), ("A car", "Not fruit")]:
            section.get_by_role("combobox", name=name).select_option(label=group)
        section.get_by_role("combobox", name="A shoe").select_option(label="Not fruit")
    elif kind == "match":
        pairs = [("Eye", "Camera"), ("Ear", "Microphone"), ("Mouth", "Speaker")]
        for left, right in pairs:
            section.get_by_role("combobox", name=left).select_option(label=right)
    else:
        raise AssertionError(f"no way to answer {kind} here yet")


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_every_quiz_kind_is_answered_on_the_page_and_marked_in_place(page, login, every_kind):
    url, quizzes = every_kind
    login(page, make_student("ada"))
    page.goto(url)
    assert_accessible(page)
    mark_page(page)

    # One partly right answer first: the mark says so, with the score.
    section = page.locator(f"#exercise-{quizzes['multiple_choice'].pk}")
    section.get_by_role("checkbox", name="Camera").check()
    section.get_by_role("button", name="Check my answer").click()
    result = page.locator(f"#exercise-{quizzes['multiple_choice'].pk}-result")
    result.get_by_text("Partly right.").wait_for()
    assert "Score: 0.5 of 1" in result.inner_text()

    for kind, exercise in quizzes.items():
        section = page.locator(f"#exercise-{exercise.pk}")
        answer_rightly(page, kind, section)
        section.locator("button[type=submit]").click()
        result = page.locator(f"#exercise-{exercise.pk}-result")
        result.get_by_text("Right!").wait_for()
        assert "Score: 1 of 1" in result.inner_text(), (kind, result.inner_text())
        assert section.locator(".badge-done").count() == 1, kind

    assert same_page(page)
    assert_accessible(page)
    # Reloaded, the page draws every learner's answer and mark itself.
    page.reload()
    for kind, exercise in quizzes.items():
        result = page.locator(f"#exercise-{exercise.pk}-result")
        assert "Right!" in result.inner_text(), kind
    assert order_shown(page.locator(f"#exercise-{quizzes['ordering'].pk}")) == ORDER
