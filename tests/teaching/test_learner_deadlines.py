"""Learners see their deadlines: the selector (class date, extension, several classes, none),
the lesson page's exercise cards, the notebook page, the dashboard's "Due soon", late results
with the score after the penalty, bounded queries, and dates in the site's time zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from graders import services as grader_services
from graders.models import Submission
from teaching import services
from teaching.deadlines import due_soon, learner_deadline, learner_deadlines
from teaching.models import LatePolicy
from tests import factories
from tests.teaching.conftest import DUE, answered, attach_notebook, graded, hours, make_quiz

pytestmark = pytest.mark.django_db


def _tuesday() -> datetime:
    """A Tuesday at 17:00 UTC, a month or more from now."""
    day = timezone.now().astimezone(UTC).replace(hour=17, minute=0, second=0, microsecond=0)
    day += timedelta(days=30)
    return day + timedelta(days=(1 - day.weekday()) % 7)


TUESDAY = _tuesday()


def shown(when: datetime, zone: str = "UTC") -> str:
    """How the pages write a time in English: "Tue 3 Dec, 17:00"."""
    local = when.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def set_deadline(school, exercise, due_at, policy=LatePolicy.NONE, percent=10, classroom=None):
    return services.classroom_exercise_save(
        classroom=classroom or school.classroom,
        exercise=exercise,
        due_at=due_at,
        late_policy=policy,
        late_percent=percent,
    )


def extend(school, exercise, learner, due_at, classroom=None):
    return services.extension_grant(
        classroom=classroom or school.classroom,
        exercise=exercise,
        learner=learner,
        due_at=due_at,
        granted_by=school.teacher,
    )


def lesson_url(school):
    return reverse(
        "learn:lesson", kwargs={"slug": school.course.slug, "lesson_id": school.lesson.pk}
    )


def notebook_url(exercise):
    return reverse("notebook:exercise", args=[exercise.pk])


def page(client_for, user, url) -> str:
    response = client_for(user).get(url)
    assert response.status_code == 200
    return response.content.decode()


def card(html: str, exercise) -> str:
    """One exercise card of the lesson page."""
    start = html.index(f'id="exercise-{exercise.pk}"')
    return html[start : html.index("</section>", start)]


def text(html: str) -> str:
    """The words of some HTML, spaces squeezed, as a reader gets them."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


# --- the selector --------------------------------------------------------------------------------


def test_no_deadline_without_class_settings_or_a_date(school):
    assert learner_deadlines(learner=school.ann, exercises=[school.quiz, school.notebook]) == {}
    services.classroom_exercise_save(
        classroom=school.classroom, exercise=school.quiz, due_at=None, max_attempts=5
    )
    assert learner_deadline(learner=school.ann, exercise=school.quiz) is None


def test_the_class_deadline_and_policy(school):
    set_deadline(school, school.quiz, DUE, LatePolicy.PERCENT_PER_DAY, 15)
    deadline = learner_deadline(learner=school.ann, exercise=school.quiz)
    assert deadline.due_at == DUE
    assert deadline.policy == LatePolicy.PERCENT_PER_DAY and deadline.percent == 15
    assert not deadline.extended and deadline.class_due_at is None
    assert not deadline.handed_in and not deadline.late
    # Only for the class's learners: the other class has the course without a date.
    assert learner_deadline(learner=school.outsider, exercise=school.quiz) is None
    assert learner_deadline(learner=factories.make_student(), exercise=school.quiz) is None


def test_an_extension_moves_one_learners_deadline(school):
    set_deadline(school, school.notebook, DUE, LatePolicy.ZERO)
    extend(school, school.notebook, school.bo, DUE + timedelta(days=3))
    bo = learner_deadline(learner=school.bo, exercise=school.notebook)
    assert bo.due_at == DUE + timedelta(days=3)
    assert bo.extended and bo.class_due_at == DUE and bo.policy == LatePolicy.ZERO
    assert learner_deadline(learner=school.ann, exercise=school.notebook).due_at == DUE


def test_an_extension_without_class_settings_accepts_late_work(school):
    extend(school, school.quiz, school.cy, DUE)
    deadline = learner_deadline(learner=school.cy, exercise=school.quiz)
    assert deadline.due_at == DUE and deadline.extended
    assert deadline.policy == LatePolicy.NONE and deadline.class_due_at is None


def test_several_classes_give_the_latest_deadline_with_its_policy(school):
    school.other_class.learners.add(school.ann)
    set_deadline(school, school.quiz, DUE, LatePolicy.ZERO)
    # The other class has the course but no date: the class's date still stands.
    assert learner_deadline(learner=school.ann, exercise=school.quiz).due_at == DUE
    later = DUE + timedelta(days=2)
    set_deadline(
        school, school.quiz, later, LatePolicy.PERCENT_PER_DAY, 20, classroom=school.other_class
    )
    deadline = learner_deadline(learner=school.ann, exercise=school.quiz)
    assert deadline.due_at == later
    assert deadline.policy == LatePolicy.PERCENT_PER_DAY and deadline.percent == 20
    # An extension in the first class that goes further wins, with that class's policy.
    extend(school, school.quiz, school.ann, DUE + timedelta(days=5))
    deadline = learner_deadline(learner=school.ann, exercise=school.quiz)
    assert deadline.due_at == DUE + timedelta(days=5)
    assert deadline.extended and deadline.policy == LatePolicy.ZERO
    # Equal dates: the milder policy.
    set_deadline(school, school.notebook, DUE, LatePolicy.ZERO)
    set_deadline(school, school.notebook, DUE, LatePolicy.NONE, classroom=school.other_class)
    assert learner_deadline(learner=school.ann, exercise=school.notebook).policy == "none"


def test_another_class_or_a_course_taken_away_gives_no_deadline(school):
    # A class the learner is not in, with a later date, changes nothing for her.
    set_deadline(school, school.quiz, DUE)
    set_deadline(school, school.quiz, DUE + timedelta(days=9), classroom=school.other_class)
    assert learner_deadline(learner=school.ann, exercise=school.quiz).due_at == DUE
    # Settings left behind when the course leaves the class no longer apply.
    school.classroom.courses.remove(school.course)
    assert learner_deadline(learner=school.ann, exercise=school.quiz) is None


def test_whether_the_latest_counted_work_is_late(school):
    set_deadline(school, school.quiz, DUE)
    set_deadline(school, school.notebook, DUE)
    answered(school.ann, school.quiz, False, at=DUE - hours(1))
    graded(school.ann, school.notebook, at=DUE - hours(2))
    deadlines = learner_deadlines(learner=school.ann, exercises=[school.quiz, school.notebook])
    assert deadlines[school.quiz.pk].handed_in and not deadlines[school.quiz.pk].late
    assert not deadlines[school.notebook.pk].late
    answered(school.ann, school.quiz, True, at=DUE + hours(25))
    graded(school.ann, school.notebook, at=DUE + hours(1))
    # A check after the deadline is not handed in: it does not count.
    check = grader_services.submission_create(
        learner=school.ann,
        exercise=school.notebook,
        content=factories.submitted_notebook(),
        purpose=Submission.Purpose.CHECK,
    )
    Submission.objects.filter(pk=check.pk).update(received_at=DUE + hours(100))
    deadlines = learner_deadlines(learner=school.ann, exercises=[school.quiz, school.notebook])
    assert deadlines[school.quiz.pk].late and deadlines[school.quiz.pk].days_late == 2
    assert deadlines[school.notebook.pk].days_late == 1
    # Bo's work is his own.
    assert not learner_deadline(learner=school.bo, exercise=school.quiz).handed_in


def test_the_selector_costs_one_query_whatever_the_number_of_exercises(
    school, django_assert_num_queries
):
    school.other_class.learners.add(school.ann)
    exercises = [school.quiz, school.notebook] + [
        make_quiz(school.teacher, school.lesson, title=f"Quiz {n}") for n in range(4)
    ]
    for exercise in exercises:
        set_deadline(school, exercise, DUE)
    for quiz in exercises[2:]:
        answered(school.ann, quiz, at=DUE)
    graded(school.ann, school.notebook, at=DUE)
    extend(school, exercises[2], school.ann, DUE + hours(3))
    with django_assert_num_queries(1):
        deadlines = learner_deadlines(learner=school.ann, exercises=exercises)
    assert len(deadlines) == len(exercises)
    with django_assert_num_queries(0):
        assert learner_deadlines(learner=school.ann, exercises=[]) == {}


# --- due soon ------------------------------------------------------------------------------------


def test_due_soon_lists_undone_work_of_the_next_week_soonest_first(school):
    now = timezone.now()
    second = make_quiz(school.teacher, school.lesson, title="Second quiz")
    far = make_quiz(school.teacher, school.lesson, title="Far away")
    past = make_quiz(school.teacher, school.lesson, title="Past")
    set_deadline(school, school.quiz, now + timedelta(days=3))
    set_deadline(school, second, now + timedelta(days=1))
    set_deadline(school, school.notebook, now + timedelta(days=2))
    set_deadline(school, far, now + timedelta(days=8))
    set_deadline(school, past, now - timedelta(hours=1))
    assert [item.exercise for item in due_soon(learner=school.ann)] == [
        second,
        school.notebook,
        school.quiz,
    ]
    # Done: a quiz answered right, a notebook handed in (even while it waits for its grade).
    answered(school.ann, school.quiz, True)
    factories.make_submission(school.ann, school.notebook)
    # A quiz answered wrong with attempts left is still to do.
    answered(school.ann, second, False)
    assert [item.exercise for item in due_soon(learner=school.ann)] == [second]
    # Bo's extension moves his date out of the week; an extension can bring one into it.
    extend(school, second, school.bo, now + timedelta(days=10))
    extend(school, far, school.bo, now + timedelta(days=6))
    assert [item.exercise for item in due_soon(learner=school.bo)] == [
        school.notebook,
        school.quiz,
        far,
    ]
    assert due_soon(learner=factories.make_student()) == []


def test_due_soon_leaves_out_courses_the_learner_cannot_open(school):
    set_deadline(school, school.quiz, timezone.now() + timedelta(days=1))
    school.course.is_published = False
    school.course.save(update_fields=["is_published"])
    assert due_soon(learner=school.ann) == []


# --- the lesson page -----------------------------------------------------------------------------


def test_the_lesson_card_shows_the_date_countdown_and_policy(school, client_for):
    set_deadline(school, school.quiz, TUESDAY, LatePolicy.PERCENT_PER_DAY, 10)
    set_deadline(school, school.notebook, TUESDAY, LatePolicy.ZERO)
    html = page(client_for, school.ann, lesson_url(school))
    quiz = text(card(html, school.quiz))
    assert f"Due {shown(TUESDAY)}" in quiz and shown(TUESDAY).startswith("Tue ")
    assert "Late work loses 10% per day" in quiz
    assert f'<time datetime="{TUESDAY.isoformat()}">' in card(html, school.quiz)
    assert re.search(r"Due in \d+ (weeks|months?)", quiz)
    assert "Late work scores 0" in text(card(html, school.notebook))


def test_the_countdown_overdue_and_late_work_accepted(school, client_for):
    now = timezone.now()
    set_deadline(school, school.quiz, now + timedelta(days=2, hours=1))
    set_deadline(school, school.notebook, now - timedelta(hours=1))
    html = page(client_for, school.ann, lesson_url(school))
    quiz, notebook = text(card(html, school.quiz)), text(card(html, school.notebook))
    assert "Due in 2 days" in quiz and "Overdue" not in quiz
    assert "Late work is accepted" in quiz
    assert "Overdue" in notebook and "Due in" not in notebook
    # Done work is not overdue, and has no countdown.
    answered(school.ann, school.quiz, True)
    graded(school.ann, school.notebook)
    html = page(client_for, school.ann, lesson_url(school))
    assert "Due in" not in text(card(html, school.quiz))
    assert "Overdue" not in text(card(html, school.notebook))


def test_an_extension_shows_the_new_date_and_the_classs(school, client_for):
    set_deadline(school, school.quiz, TUESDAY)
    later = TUESDAY + timedelta(days=1, hours=2)
    extend(school, school.quiz, school.bo, later)
    bo = text(card(page(client_for, school.bo, lesson_url(school)), school.quiz))
    assert f"Extended to {shown(later)}" in bo and shown(later).startswith("Wed ")
    assert f"The class's date was {shown(TUESDAY)}" in bo
    ann = text(card(page(client_for, school.ann, lesson_url(school)), school.quiz))
    assert f"Due {shown(TUESDAY)}" in ann and "Extended" not in ann


def test_no_deadline_for_a_learner_in_no_class_a_teacher_or_a_visitor(school, client_for):
    set_deadline(school, school.quiz, TUESDAY)
    school.course.is_public = True
    school.course.save(update_fields=["is_public"])
    for user in (factories.make_student(), school.teacher, None):
        html = page(client_for, user, lesson_url(school))
        assert "Exercise 1" in html
        assert 'class="deadline"' not in html and "Due " not in text(html)


def test_a_late_quiz_answer_shows_the_score_after_the_penalty(school, client_for):
    set_deadline(school, school.quiz, DUE, LatePolicy.PERCENT_PER_DAY, 10)
    answered(school.ann, school.quiz, True, at=DUE + hours(25))
    quiz = text(card(page(client_for, school.ann, lesson_url(school)), school.quiz))
    # 2 points, 2 started days late at 10% of 2 points each: 1.6.
    assert "Score: 2 of 2 — late 2 days: 1.6 counts" in quiz
    # On time: no note.
    answered(school.bo, school.quiz, True, at=DUE - hours(1))
    assert "late" not in text(card(page(client_for, school.bo, lesson_url(school)), school.quiz))


def test_late_work_under_zero_and_no_penalty(school, client_for):
    set_deadline(school, school.quiz, DUE, LatePolicy.ZERO)
    set_deadline(school, school.notebook, DUE, LatePolicy.NONE)
    answered(school.ann, school.quiz, True, at=DUE + hours(1))
    graded(school.ann, school.notebook, at=DUE + hours(1))
    html = page(client_for, school.ann, lesson_url(school))
    assert "Score: 2 of 2 — late 1 day: 0 counts" in text(card(html, school.quiz))
    # The best notebook submission: the demo result is 4.5 of 10.
    assert "Your best score: 4.5 of 10 — late 1 day: 4.5 counts" in text(
        card(html, school.notebook)
    )


def test_the_lesson_page_costs_the_same_queries_with_more_deadlines(school, client_for):
    client = client_for(school.ann)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(lesson_url(school)).status_code == 200
        return len(captured)

    set_deadline(school, school.quiz, DUE, LatePolicy.PERCENT_PER_DAY)
    set_deadline(school, school.notebook, DUE, LatePolicy.PERCENT_PER_DAY)
    answered(school.ann, school.quiz, True, at=DUE + hours(1))
    graded(school.ann, school.notebook, at=DUE + hours(1))
    before = queries()
    for n in range(3):
        quiz = make_quiz(school.teacher, school.lesson, title=f"More {n}")
        set_deadline(school, quiz, DUE, LatePolicy.PERCENT_PER_DAY)
        answered(school.ann, quiz, True, at=DUE + hours(30))
    for n in range(3):
        notebook = attach_notebook(school.teacher, school.lesson, title=f"Nb {n}", position=900 + n)
        set_deadline(school, notebook, DUE, LatePolicy.PERCENT_PER_DAY)
        graded(school.ann, notebook, at=DUE + hours(30))
    html = client.get(lesson_url(school)).content.decode()
    assert text(html).count("counts") == 8
    assert queries() == before


# --- the notebook page ---------------------------------------------------------------------------


def test_the_notebook_page_shows_the_deadline_near_submit(school, client_for):
    set_deadline(school, school.notebook, TUESDAY, LatePolicy.PERCENT_PER_DAY, 25)
    html = page(client_for, school.ann, notebook_url(school.notebook))
    deadline = html.index('id="deadline-')
    assert html.index('class="nb-cells"') < deadline < html.index('data-action="submit"')
    words = text(html)
    assert f"Due {shown(TUESDAY)}" in words and "Late work loses 25% per day" in words
    # Nobody else's deadline shows: Cy has none, as the other class sets none.
    assert 'id="deadline-' not in page(client_for, school.outsider, notebook_url(school.notebook))


def test_a_late_submission_on_the_notebook_page(school, client_for):
    set_deadline(school, school.notebook, DUE, LatePolicy.PERCENT_PER_DAY, 10)
    graded(school.ann, school.notebook, at=DUE + hours(30))
    words = text(page(client_for, school.ann, notebook_url(school.notebook)))
    # 4.5 of 10, two started days late at 1 point a day.
    assert "Score: 4.5 of 10 — late 2 days: 2.5 counts" in words
    # Handed in after the date: not overdue any more.
    assert "Overdue" not in words


def test_a_teachers_mark_counts_before_the_penalty(school, client_for):
    set_deadline(school, school.notebook, DUE, LatePolicy.PERCENT_PER_DAY, 10)
    submission = graded(school.ann, school.notebook, at=DUE + hours(2))
    services.mark_set(
        submission=submission, grade_id="", score=9, comment="", marked_by=school.teacher
    )
    words = text(page(client_for, school.ann, notebook_url(school.notebook)))
    assert "Score: 4.5 of 10 — late 1 day: 8 counts (your teacher's mark: 9)" in words


def test_a_check_after_the_deadline_is_not_late_work(school, client_for):
    set_deadline(school, school.notebook, DUE)
    check = grader_services.submission_create(
        learner=school.ann,
        exercise=school.notebook,
        content=factories.submitted_notebook(),
        purpose="check",
    )
    factories.finish_submission(check)
    words = text(page(client_for, school.ann, notebook_url(school.notebook)))
    assert "counts" not in words
    assert "Overdue" in words  # a check is not handed in


# --- the dashboard -------------------------------------------------------------------------------


def test_the_dashboard_lists_what_is_due_soon(school, client_for):
    now = timezone.now()
    set_deadline(school, school.quiz, now + timedelta(days=2, hours=1))
    set_deadline(school, school.notebook, now + timedelta(days=5, hours=1))
    extend(school, school.notebook, school.ann, now + timedelta(days=6, hours=1))
    html = page(client_for, school.ann, reverse("learn:dashboard"))
    section = html[html.index('id="due-soon"') : html.index("</section>", html.index("due-soon"))]
    words = text(section)
    assert "Due soon" in words
    assert words.index("Robots sense") < words.index("Guess quality")
    assert "Due in 2 days" in words and "Extended to" in words and "Due in 6 days" in words
    assert f'href="{lesson_url(school)}#exercise-{school.quiz.pk}"' in section
    assert f'href="{notebook_url(school.notebook)}"' in section
    assert "in Course ml-class" in words
    # Done: gone from the list, and the section goes once nothing is left.
    answered(school.ann, school.quiz, True)
    graded(school.ann, school.notebook)
    assert 'id="due-soon"' not in page(client_for, school.ann, reverse("learn:dashboard"))


def test_a_learner_in_no_class_sees_no_due_soon(school, client_for):
    set_deadline(school, school.quiz, timezone.now() + timedelta(days=1))
    school.course.is_public = True
    school.course.save(update_fields=["is_public"])
    loner = factories.make_student()
    answered(loner, school.quiz, False)
    html = page(client_for, loner, reverse("learn:dashboard"))
    assert "Due soon" not in html
    assert "Due soon" in page(client_for, school.ann, reverse("learn:dashboard"))


def test_the_dashboard_costs_the_same_queries_with_more_work_due(school, client_for):
    client = client_for(school.ann)
    now = timezone.now()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("learn:dashboard")).status_code == 200
        return len(captured)

    set_deadline(school, school.quiz, now + timedelta(days=1))
    answered(school.ann, school.quiz, False)
    before = queries()
    for n in range(4):
        quiz = make_quiz(school.teacher, school.lesson, title=f"More {n}")
        set_deadline(school, quiz, now + timedelta(days=2))
        extend(school, quiz, school.ann, now + timedelta(days=3))
        answered(school.ann, quiz, False)
    assert queries() == before


# --- time zones and languages --------------------------------------------------------------------


def test_dates_are_shown_in_the_sites_time_zone(school, client_for, settings):
    set_deadline(school, school.quiz, TUESDAY)
    settings.TIME_ZONE = "Asia/Shanghai"  # UTC+8: 17:00 UTC is 01:00 the next day
    quiz = text(card(page(client_for, school.ann, lesson_url(school)), school.quiz))
    assert f"Due {shown(TUESDAY, 'Asia/Shanghai')}" in quiz
    assert shown(TUESDAY, "Asia/Shanghai").startswith("Wed ") and "01:00" in quiz
    settings.TIME_ZONE = "America/New_York"  # 12:00 or 13:00, by daylight saving time
    quiz = text(card(page(client_for, school.ann, lesson_url(school)), school.quiz))
    assert f"Due {shown(TUESDAY, 'America/New_York')}" in quiz and "17:00" not in quiz


def test_dates_follow_the_learners_language(school, client_for):
    set_deadline(school, school.quiz, TUESDAY)
    client = client_for(school.ann)
    html = client.get(lesson_url(school), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    words = text(card(html, school.quiz))
    # Django's own names of days and months in Chinese.
    assert "星期二" in words and f"{shown(TUESDAY)[:3]} " not in words
    assert "17:00" in words


def test_the_late_note_never_reads_another_learners_run(school, rf):
    """The notebook page's run is looked up as the signed-in learner's own, whatever its id."""
    set_deadline(school, school.notebook, DUE)
    theirs = graded(school.bo, school.notebook, at=DUE + hours(5))
    request = rf.get("/")
    request.user = school.ann
    run = {"id": theirs.pk, "purpose": "submit", "final": True, "score": 4.5}
    template = Template("{% load deadlines %}{% late_score exercise run %}")
    assert "late" not in template.render(
        Context({"request": request, "exercise": school.notebook, "run": run})
    )
    request.user = school.bo
    assert "late 1 day: 4.5 counts" in text(
        template.render(Context({"request": request, "exercise": school.notebook, "run": run}))
    )
