"""A late quiz answer sent by the page's script shows its late note at once, in the same words
as the page has after a reload (the answers API's `late`, shown by static/learn/quiz.js)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from courses import services
from courses.models import AgeBand
from teaching import services as teaching_services
from teaching.models import LatePolicy
from tests.factories import make_classroom, make_student, make_teacher
from tests.support.browser import mark_page, same_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_late_answer_shows_its_late_note_without_a_reload(page, login):
    teacher = make_teacher("ms_lin")
    ada = make_student("ada")
    course = services.course_create(
        owner=teacher,
        slug="late-work",
        title_en="Late work",
        title_zh="迟交",
        age_band=AgeBand.AGES_12_14,
        is_published=True,
    )
    unit = services.unit_create(course=course, title_en="Unit", title_zh="单元")
    lesson = services.lesson_create(unit=unit, title_en="Sensors", title_zh="传感器")
    quiz = services.exercise_create_quiz(
        owner=teacher,
        kind="true_false",
        title="Robots sense",
        spec={"correct": True, "points": 2},
        lesson=lesson,
        is_published=True,
    )
    classroom = make_classroom(teacher, [ada])
    classroom.courses.add(course)
    # Due 25 hours ago, 10% of the points off per started day: 2 days late, 1.6 counts.
    teaching_services.classroom_exercise_save(
        classroom=classroom,
        exercise=quiz,
        due_at=timezone.now() - timedelta(hours=25),
        late_policy=LatePolicy.PERCENT_PER_DAY,
        late_percent=10,
    )
    login(page, ada)
    page.goto(f"/courses/{course.slug}/lessons/{lesson.pk}/")
    mark_page(page)
    section = page.locator(f"#exercise-{quiz.pk}")
    section.get_by_role("radio", name="True").check()
    section.get_by_role("button", name="Check my answer").click()
    result = page.locator(f"#exercise-{quiz.pk}-result")
    result.get_by_text("Right!").wait_for()
    assert same_page(page)
    shown = " ".join(result.locator(".verdict").inner_text().split())
    assert "Score: 2 of 2 — late 2 days: 1.6 counts (Attempt 1)" in shown
    page.reload()
    again = " ".join(result.locator(".verdict").inner_text().split())
    assert again == shown
