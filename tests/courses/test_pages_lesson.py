"""The lesson page: Markdown made safe, every quiz kind drawn as labelled controls, pictures with
alt text, notebooks as cards with the learner's best mark, the learner's language, and a fixed
number of queries however many exercises a lesson has."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses import services as quiz_services
from courses.models import Exercise
from graders import services as grader_services
from graders.results import FAILED, NEEDS_REVIEW
from tests import factories
from tests.courses.conftest import make_quiz, read_form

pytestmark = pytest.mark.django_db


def test_the_lesson_page_for_anonymous_student_and_teacher(client, school):
    for user in (None, school.student, school.teacher):
        if user:
            client.force_login(user)
        response = client.get(school.lesson_url())
        assert response.status_code == 200
        html = response.content.decode()
        assert "Find the sensors" in html and 'id="lesson-body"' in html
        for exercise in [*school.quizzes.values(), school.notebook]:
            assert f'id="exercise-{exercise.pk}"' in html


def test_markdown_is_rendered_and_sanitised(client, school):
    html = client.get(school.lesson_url()).content.decode()
    body = html[html.index('id="lesson-body"') : html.index("</article>")]
    assert "<strong>sensor</strong>" in body
    # Relative images resolve to the course's assets.
    assert 'src="/courses/seeing-machines/assets/img/robot.png" alt="A robot with a camera"' in body
    assert "<script" not in body and "alert(&quot;owned&quot;)" not in body
    assert "onerror" not in body and 'href="javascript:' not in html
    # The only scripts on the page are the site's own files and the strings for quiz.js.
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == [
        '<script src="/static/qiming/site.js" defer>',
        '<script id="learn-strings" type="application/json">',
        '<script src="/static/learn/quiz.js" defer>',
    ]


def test_the_page_has_one_h1_and_a_body_opening_with_the_title_does_not_repeat_it(client, school):
    html = client.get(school.lesson_url()).content.decode()
    assert html.count("<h1") == 1 and "<h2>Sensors</h2>" in html  # the body's own h1, lowered
    school.lesson.body_en = "# Find the sensors\n\nText.\n\n## More"
    school.lesson.save()
    html = client.get(school.lesson_url()).content.decode()
    assert html.count("Find the sensors</h") == 1 and "<h2>More</h2>" in html


def test_a_prompt_is_sanitised_too(client, school):
    exercise = school.quizzes["true_false"]
    exercise.prompt_en = 'Is it true?<script>alert(1)</script><a href="javascript:x()">x</a>'
    exercise.save()
    html = client.get(school.lesson_url()).content.decode()
    assert "alert(1)" not in html and "javascript:x()" not in html and "Is it true?" in html


def test_every_control_has_a_label(client, school):
    client.force_login(school.student)
    html = client.get(school.lesson_url()).content.decode()
    ids = re.findall(r'<(?:input|select)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', html)
    assert len(ids) > 20
    for control in ids:
        if control == "language":
            continue
        assert f'for="{control}"' in html, control
    # Radio and checkbox groups are fieldsets with a legend.
    assert html.count("<legend>") >= len(Exercise.Kind) - 1 - 2  # not numeric, short text


def test_picture_options_are_big_images_with_alt_text(client, school):
    html = client.get(school.lesson_url()).content.decode()
    single = school.quizzes["single_choice"]
    assert (
        '<img src="/courses/seeing-machines/assets/courses/img/screen.png" alt="A screen" '
        'class="quiz-picture">'
    ) in html
    assert f'id="exercise-{single.pk}-option-2"' in html
    for alt in ("An apple", "A banana", "A car", "A shoe"):  # categorise, pictures only
        assert f'alt="{alt}" class="quiz-picture"' in html


def test_an_https_picture_is_used_as_it_is(client, school):
    exercise = school.quizzes["single_choice"]
    exercise.spec["options"][2]["image"] = "https://example.org/screen.png"
    exercise.save()
    assert (
        'src="https://example.org/screen.png"' in client.get(school.lesson_url()).content.decode()
    )


def test_the_form_controls_match_every_kind(client, school):
    client.force_login(school.student)
    html = client.get(school.lesson_url()).content.decode()
    fields = {kind: read_form(html, exercise).fields for kind, exercise in school.quizzes.items()}
    assert fields["single_choice"] == {"answer": ["sensor", "battery", "screen"]}
    assert fields["multiple_choice"] == {"answer": ["camera", "microphone", "speaker", "keyboard"]}
    assert fields["true_false"] == {"answer": ["true", "false"]}
    assert fields["numeric"] == {"answer": None} and fields["short_text"] == {"answer": None}
    assert {name: sorted(places) for name, places in fields["ordering"].items()} == {
        f"item-{i}": ["1", "2", "3", "4"] for i in range(4)
    }
    assert {name: sorted(groups) for name, groups in fields["categorise"].items()} == {
        f"item-{i}": ["", "fruit", "other"] for i in range(4)
    }
    assert {name: sorted(right) for name, right in fields["match"].items()} == {
        f"left-{i}": ["", "camera", "keyboard", "microphone", "speaker"] for i in range(3)
    }
    assert "%" in html  # the numeric quiz's unit


def test_the_lesson_in_chinese(client, school):
    html = client.get(school.lesson_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<h2>传感器</h2>" in html and "Find the sensors 中文" in html
    assert "传感器" in html and "摄像头" in html and "一个苹果" in html  # options and alt text
    assert "A robot with a camera" not in html


def test_switching_language_with_the_menu_changes_the_content(client, school):
    client.force_login(school.student)
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": school.lesson_url()})
    assert response.status_code == 302
    html = client.get(school.lesson_url()).content.decode()
    assert '<html lang="zh-hans">' in html and "<h2>传感器</h2>" in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "<h2>Sensors</h2>" in client.get(school.lesson_url()).content.decode()


def test_missing_chinese_falls_back_to_english(client, school):
    school.lesson.body_zh = ""
    school.lesson.save()
    html = client.get(school.lesson_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<h2>Sensors</h2>" in html


def test_the_youngest_get_large_type_on_lessons(client, school):
    assert '<body class="band-6-8">' in client.get(school.lesson_url()).content.decode()


def test_previous_and_next_lessons(client, school):
    first = client.get(school.lesson_url()).content.decode()
    assert 'id="lesson-previous"' not in first
    assert f'href="{school.lesson_url(school.second_lesson)}"' in first
    second = client.get(school.lesson_url(school.second_lesson)).content.decode()
    assert f'id="lesson-previous" rel="prev" href="{school.lesson_url()}"' in second
    assert 'id="lesson-next"' not in second


def test_a_teacher_sees_their_draft_exercises_marked_as_drafts(client, school):
    draft = make_quiz(school.teacher, school.lesson, "true_false", published=False)
    client.force_login(school.teacher)
    html = client.get(school.lesson_url()).content.decode()
    assert f'id="exercise-{draft.pk}"' in html and "Draft: learners do not see it" in html


def test_a_broken_definition_is_shown_as_unavailable_not_as_an_error(student_client, school):
    exercise = school.quizzes["match"]
    Exercise.objects.filter(pk=exercise.pk).update(spec={"left": "oops"})  # behind the services
    response = student_client.get(school.lesson_url())
    assert response.status_code == 200
    assert "This exercise cannot be answered right now" in response.content.decode()
    answered = student_client.post(school.answer_url(exercise), {"left-0": "camera"})
    assert answered.status_code == 409
    assert "Please tell your teacher" in answered.content.decode()


# --- notebooks ----------------------------------------------------------------------------------


def notebook_card(client, school) -> str:
    html = client.get(school.lesson_url()).content.decode()
    start = html.index(f'id="exercise-{school.notebook.pk}"')
    return html[start : html.index("</section>", start)]


def test_a_notebook_is_a_card_linking_to_its_page(student_client, school):
    card = notebook_card(student_client, school)
    assert f'href="/exercises/{school.notebook.pk}/notebook/"' in card
    assert "Not handed in yet." in card


def test_the_notebook_card_shows_the_best_marked_submission(student_client, school):
    learner, exercise = school.student, school.notebook
    factories.finish_submission(factories.make_submission(learner, exercise))  # 4.5 of 10
    review = factories.grade_result(status=NEEDS_REVIEW)
    review.score = 8.0
    factories.finish_submission(factories.make_submission(learner, exercise), review)
    failed = factories.grade_result(status=FAILED)
    failed.score = 10.0
    factories.finish_submission(factories.make_submission(learner, exercise), failed)
    factories.make_submission(learner, exercise)  # still queued: not marked yet
    card = notebook_card(student_client, school)
    assert "Your best score: 8 of 10" in card and "(Needs review)" in card
    assert "badge-done" in card


def test_a_submission_under_review_without_points_says_it_was_handed_in(student_client, school):
    review = factories.grade_result(status=NEEDS_REVIEW)
    review.score = None
    factories.finish_submission(factories.make_submission(school.student, school.notebook), review)
    card = notebook_card(student_client, school)
    assert "Handed in." in card and "(Needs review)" in card and " of 10" not in card
    dashboard = student_client.get("/dashboard/").content.decode()
    assert "a teacher will check it" in dashboard and "None" not in dashboard


def test_a_check_never_counts_as_handed_in(student_client, school):
    check = grader_services.submission_create(
        learner=school.student,
        exercise=school.notebook,
        content=factories.submitted_notebook(),
        purpose="check",
    )
    factories.finish_submission(check)
    card = notebook_card(student_client, school)
    assert "Not handed in yet." in card and "badge-done" not in card


def test_another_learners_submission_is_not_shown(client, school):
    classmate = factories.make_student("lin")
    factories.finish_submission(factories.make_submission(classmate, school.notebook))
    client.force_login(school.student)
    assert "Your best score" not in notebook_card(client, school)


# --- cost ---------------------------------------------------------------------------------------


def test_the_number_of_queries_does_not_grow_with_the_exercises(student_client, school):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert student_client.get(school.lesson_url()).status_code == 200
        return len(captured)

    def answer(exercise, value):
        quiz_services.quiz_answer_submit(learner=school.student, exercise=exercise, answer=value)

    factories.finish_submission(factories.make_submission(school.student, school.notebook))
    answer(school.quizzes["true_false"], True)
    before = queries()
    for _ in range(3):
        answer(make_quiz(school.teacher, school.lesson, "true_false"), False)
    make_quiz(school.teacher, school.lesson, "ordering")
    answer(school.quizzes["true_false"], False)
    assert queries() == before
