"""The dashboard: signed-in only; a learner's courses with completion, recent results, what to do
next and their classes — never anyone else's."""

import pytest

from courses import services
from tests import factories

pytestmark = pytest.mark.django_db


def answer(learner, exercise, value):
    return services.quiz_answer_submit(learner=learner, exercise=exercise, answer=value)


def part(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response.url == "/accounts/login/?next=/dashboard/"


def test_a_new_learner_sees_their_class_course_and_what_to_start(student_client, school):
    html = student_client.get("/dashboard/").content.decode()
    courses = part(html, "courses-title")
    assert 'id="my-course-class-only"' in courses  # assigned to their class
    assert 'id="my-course-seeing-machines"' not in courses  # public, not started
    first = school.assigned_lesson.exercises.get()
    assert f'href="{school.lesson_url(school.assigned_lesson)}#exercise-{first.pk}"' in part(
        html, "next-title"
    )
    assert "No results yet" in part(html, "results-title")
    classes = part(html, "classes-title")
    assert "Class 3A" in classes and "Teacher: ms_lin" in classes
    assert 'href="/courses/class-only/"' in classes


def test_started_courses_show_completion_and_the_next_exercise(student_client, school):
    quizzes = school.quizzes
    answer(school.student, quizzes["single_choice"], "sensor")
    answer(school.student, quizzes["multiple_choice"], ["camera"])
    html = student_client.get("/dashboard/").content.decode()
    card = part(html, "courses-title")
    card = card[card.index('id="my-course-seeing-machines"') :]
    assert '<progress id="my-progress-seeing-machines" value="1" max="9"' in card
    next_up = part(html, "next-title")
    url = f"{school.lesson_url()}#exercise-{quizzes['multiple_choice'].pk}"
    assert f'href="{url}" id="next-seeing-machines"' in next_up
    assert "multiple_choice quiz" in next_up


def test_a_finished_course_leaves_whats_next(student_client, school):
    answer(school.student, school.assigned_lesson.exercises.get(), False)
    html = student_client.get("/dashboard/").content.decode()
    assert 'id="next-class-only"' not in html
    card = part(html, "courses-title")
    assert "Finished" in card[card.index('id="my-course-class-only"') :]


def test_recent_results_list_quizzes_and_notebooks_with_scores(student_client, school):
    answer(school.student, school.quizzes["true_false"], True)
    answer(
        school.student,
        school.quizzes["categorise"],
        {"apple": "fruit", "banana": "fruit", "car": "other", "shoe": "fruit"},
    )
    factories.finish_submission(factories.make_submission(school.student, school.notebook))
    results = part(student_client.get("/dashboard/").content.decode(), "results-title")
    rows = results.split("<tr>")[2:]
    assert len(rows) == 3
    assert "Guess quality" in rows[0] and "4.5 of 10" in rows[0]
    assert f'href="/exercises/{school.notebook.pk}/notebook/"' in rows[0]
    assert "categorise quiz" in rows[1] and "0.75 of 1" in rows[1]
    assert "true_false quiz" in rows[2] and "0 of 1" in rows[2] and 'class="bad"' in rows[2]
    assert f'href="{school.lesson_url()}#exercise-{school.quizzes["true_false"].pk}"' in rows[2]


def test_results_of_a_course_no_longer_offered_have_no_link(student_client, school):
    exercise = school.assigned_lesson.exercises.get()
    answer(school.student, exercise, False)
    school.classroom.courses.remove(school.assigned)
    results = part(student_client.get("/dashboard/").content.decode(), "results-title")
    assert "true_false quiz" in results and "/courses/class-only/" not in results


def test_another_learners_work_never_shows(client, school):
    answer(school.outsider, school.quizzes["true_false"], False)
    factories.finish_submission(factories.make_submission(school.outsider, school.notebook))
    client.force_login(school.student)
    html = client.get("/dashboard/").content.decode()
    assert "No results yet" in html and 'id="my-course-seeing-machines"' not in html


def test_a_learner_in_no_class_is_told_how_to_join(client, school):
    client.force_login(school.outsider)
    html = client.get("/dashboard/").content.decode()
    assert "You are not in a class" in html and 'href="/join/"' in html
    assert "You have not started a course yet." in html


def test_a_teacher_has_a_dashboard_too(client, school):
    client.force_login(school.teacher)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert "You are not in a class" in response.content.decode()


def test_the_dashboard_in_chinese(student_client, school):
    answer(school.student, school.quizzes["true_false"], False)
    html = student_client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "课程 seeing-machines" in html and "true_false 测验" in html
