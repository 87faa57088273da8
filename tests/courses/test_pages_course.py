"""The course page (units and lessons in order, progress, "continue"), and the rule every learner
page shares: a course not offered to the user is a 404 on its course, lesson and answer URLs."""

import pytest

from courses import services
from tests import factories
from tests.courses.conftest import make_lesson

pytestmark = pytest.mark.django_db


def urls_of(school, course, lesson):
    exercise = lesson.exercises.first()
    return [
        ("get", f"/courses/{course.slug}/"),
        ("get", school.lesson_url(lesson)),
        ("post", school.answer_url(exercise)),
    ]


@pytest.mark.parametrize("which", ["hidden", "draft", "assigned"])
def test_a_course_not_offered_is_a_404_everywhere_for_a_learner_outside(client, school, which):
    """Not public and not assigned, unpublished, or assigned to someone else's class."""
    course = getattr(school, which)
    lesson = {"hidden": school.hidden_lesson, "draft": school.draft_lesson}.get(
        which, school.assigned_lesson
    )
    client.force_login(school.outsider)
    for method, url in urls_of(school, course, lesson):
        response = getattr(client, method)(url, {"answer": "true"} if method == "post" else None)
        assert response.status_code == 404, (which, url)
    assert not lesson.exercises.first().quiz_attempts.exists()


@pytest.mark.parametrize("which", ["hidden", "draft", "assigned"])
def test_anonymous_visitors_get_404_for_courses_that_are_not_public(client, school, which):
    lesson = {
        "hidden": school.hidden_lesson,
        "draft": school.draft_lesson,
        "assigned": school.assigned_lesson,
    }[which]
    for method, url in urls_of(school, getattr(school, which), lesson):
        assert getattr(client, method)(url).status_code == 404, url


def test_a_learner_opens_a_course_assigned_to_their_class(student_client, school):
    for method, url in urls_of(school, school.assigned, school.assigned_lesson)[:2]:
        assert getattr(student_client, method)(url).status_code == 200, url


def test_a_course_unpublished_after_assignment_disappears_for_its_class(student_client, school):
    school.assigned.is_published = False
    school.assigned.save()
    for method, url in urls_of(school, school.assigned, school.assigned_lesson):
        assert getattr(student_client, method)(url).status_code == 404, url


def test_a_lesson_of_another_course_is_a_404_under_this_course(student_client, school):
    url = f"/courses/{school.public.slug}/lessons/{school.assigned_lesson.pk}/"
    assert student_client.get(url).status_code == 404
    missing = f"/courses/{school.public.slug}/lessons/999999/"
    assert student_client.get(missing).status_code == 404
    assert student_client.get("/courses/no-such-course/").status_code == 404


def test_a_teacher_sees_other_published_courses_and_their_own_drafts(client, school):
    client.force_login(school.teacher)
    for course, lesson in [
        (school.hidden, school.hidden_lesson),
        (school.draft, school.draft_lesson),
    ]:
        for _method, url in urls_of(school, course, lesson)[:2]:
            assert client.get(url).status_code == 200, url
    client.force_login(factories.make_teacher("mr_okafor"))
    assert client.get(f"/courses/{school.draft.slug}/").status_code == 404


def test_units_and_lessons_in_order_for_everyone(client, school):
    later_unit = services.unit_create(course=school.public, title_en="Later", title_zh="后来")
    make_lesson(school.public, "Third", unit=later_unit)
    for user in (None, school.student, school.teacher):
        if user:
            client.force_login(user)
        response = client.get(f"/courses/{school.public.slug}/")
        assert response.status_code == 200
        html = response.content.decode()
        positions = [html.index(title) for title in ("Find the sensors", "Sort them", "Third")]
        assert positions == sorted(positions)
        assert "Unit 1: Unit" in html and "Unit 2: Later" in html


def test_progress_overall_and_per_lesson(student_client, school):
    quizzes = school.quizzes
    services.quiz_answer_submit(
        learner=school.student, exercise=quizzes["true_false"], answer=False
    )
    services.quiz_answer_submit(learner=school.student, exercise=quizzes["numeric"], answer=9)
    html = student_client.get(f"/courses/{school.public.slug}/").content.decode()
    # 9 exercises (8 quizzes and a notebook); one right, one wrong with attempts left.
    assert '<progress id="course-progress" value="1" max="9"' in html
    assert "1 of 9 exercises done · score 1 of 18" in html  # 8 quizzes + a notebook of 10
    lesson_row = html[html.index(f'id="lesson-{school.lesson.pk}"') :]
    assert "1 of 9 done" in lesson_row[: lesson_row.index("</li>")]


def test_continue_goes_to_the_first_exercise_not_done(student_client, school):
    url = f"/courses/{school.public.slug}/"
    first = school.quizzes["single_choice"]
    html = student_client.get(url).content.decode()
    assert f'href="{school.lesson_url()}#exercise-{first.pk}">Start</a>' in html
    services.quiz_answer_submit(learner=school.student, exercise=first, answer="sensor")
    second = school.quizzes["multiple_choice"]
    html = student_client.get(url).content.decode()
    assert f'href="{school.lesson_url()}#exercise-{second.pk}">Continue</a>' in html


def test_a_finished_course_says_so(student_client, school):
    services.quiz_answer_submit(
        learner=school.student, exercise=school.assigned_lesson.exercises.get(), answer=False
    )
    html = student_client.get(f"/courses/{school.assigned.slug}/").content.decode()
    assert "you have finished this course" in html
    assert 'id="course-continue"' not in html


def test_a_course_for_the_youngest_uses_large_type(client, school):
    assert 'class="band-6-8"' in client.get(f"/courses/{school.public.slug}/").content.decode()
    client.force_login(school.student)
    html = client.get(f"/courses/{school.assigned.slug}/").content.decode()
    assert '<body class="">' in html  # ages 12-14: the ordinary size


def test_anonymous_visitors_are_invited_to_sign_in(client, school):
    html = client.get(f"/courses/{school.public.slug}/").content.decode()
    assert "Sign in to keep your answers" in html
    assert '<progress id="course-progress" value="0" max="9"' in html
