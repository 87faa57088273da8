"""The home page and the catalogue: who sees which courses, grouped by age band, with a filter
and each signed-in learner's progress."""

import pytest

from courses import services
from tests import factories
from tests.courses.conftest import make_course

pytestmark = pytest.mark.django_db


def slugs_on(response) -> set[str]:
    html = response.content.decode()
    return {
        slug
        for slug in ("seeing-machines", "class-only", "still-writing", "nobodys")
        if f'id="course-{slug}"' in html
    }


def test_home_explains_the_five_bands_and_links_to_the_catalogue(client, school):
    html = client.get("/").content.decode()
    for band in ("6-8", "9-11", "12-14", "15-17", "adult"):
        assert f'href="/courses/?band={band}"' in html
    assert 'id="home-catalogue"' in html and 'href="/accounts/login/"' in html
    assert 'id="home-dashboard"' not in html


def test_home_greets_a_signed_in_learner_with_their_dashboard(student_client):
    html = student_client.get("/").content.decode()
    assert "Welcome back, ada!" in html
    assert 'id="home-dashboard" href="/dashboard/"' in html


def test_home_for_a_teacher_links_their_dashboard_and_the_catalogue(client, school):
    client.force_login(school.teacher)
    html = client.get("/").content.decode()
    assert 'id="home-dashboard"' in html and 'id="home-catalogue"' in html


def test_anonymous_visitors_see_public_published_courses_only(client, school):
    assert slugs_on(client.get("/courses/")) == {"seeing-machines"}


def test_a_learner_also_sees_the_courses_assigned_to_their_class(student_client, school):
    assert slugs_on(student_client.get("/courses/")) == {"seeing-machines", "class-only"}


def test_a_learner_in_no_class_sees_the_public_catalogue(client, school):
    client.force_login(school.outsider)
    assert slugs_on(client.get("/courses/")) == {"seeing-machines"}


def test_a_teacher_sees_every_published_course_and_their_drafts(client, school):
    client.force_login(school.teacher)
    response = client.get("/courses/")
    assert slugs_on(response) == {"seeing-machines", "class-only", "still-writing", "nobodys"}
    assert "Draft: learners do not see it" in response.content.decode()
    client.force_login(factories.make_teacher("mr_okafor"))
    assert "still-writing" not in slugs_on(client.get("/courses/"))


def test_courses_are_grouped_by_age_band_in_band_order(client, school):
    client.force_login(school.teacher)
    html = client.get("/courses/").content.decode()
    headings = [html.index(f'id="band-{band}"') for band in ("6-8", "9-11", "12-14", "adult")]
    assert headings == sorted(headings)
    assert 'id="band-15-17"' not in html  # no course in that band: no empty heading


def test_the_band_filter_shows_one_band(client, school):
    client.force_login(school.teacher)
    response = client.get("/courses/?band=12-14")
    assert slugs_on(response) == {"class-only"}
    assert 'id="band-filter-12-14" aria-current="page"' in response.content.decode()


def test_an_unknown_band_shows_every_course(client, school):
    response = client.get("/courses/?band=<script>")
    assert response.status_code == 200
    assert slugs_on(response) == {"seeing-machines"}
    assert "&lt;script&gt;" not in response.content.decode()


def test_the_youngest_band_gets_large_type(client, school):
    assert 'class="band-6-8"' in client.get("/courses/?band=6-8").content.decode()
    assert 'class="band-6-8"' not in client.get("/courses/").content.decode()


def test_a_card_shows_summary_band_big_ideas_and_lesson_count(client, school):
    html = client.get("/courses/").content.decode()
    card = html[html.index('id="course-seeing-machines"') :]
    card = card[: card.index("</li>")]
    assert "All about seeing-machines." in card
    assert "Ages 6-8" in card and "Perception" in card
    assert "<dt>Lessons</dt><dd>2</dd>" in card
    assert "<progress" not in card  # nobody signed in: no progress


def test_a_learner_sees_their_progress_on_each_card(student_client, school):
    services.quiz_answer_submit(
        learner=school.student, exercise=school.quizzes["true_false"], answer=False
    )
    html = student_client.get("/courses/").content.decode()
    card = html[html.index('id="course-seeing-machines"') :]
    card = card[: card.index("</li>")]
    assert '<progress id="progress-seeing-machines" value="1" max="9"' in card
    assert "1 of 9 exercises done" in card


def test_lesson_counts_are_not_multiplied_by_shared_classes(client, school):
    # A learner in two classes sharing a course: the join must not count lessons twice.
    other = factories.make_classroom(school.teacher, [school.student])
    other.courses.add(school.assigned)
    school.classroom.courses.add(school.public)
    client.force_login(school.student)
    html = client.get("/courses/").content.decode()
    assert html.count('id="course-class-only"') == 1
    card = html[html.index('id="course-class-only"') :]
    assert "<dt>Lessons</dt><dd>1</dd>" in card[: card.index("</li>")]


def test_the_catalogue_in_chinese_shows_chinese_titles(client, school):
    html = client.get("/courses/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "课程 seeing-machines" in html and "关于 seeing-machines 的一切。" in html
    assert "Course seeing-machines" not in html


def test_a_draft_course_of_another_teacher_stays_out_of_a_learners_catalogue(client, school):
    make_course(school.teacher, "draft-two", published=False)
    client.force_login(school.student)
    assert "draft-two" not in client.get("/courses/").content.decode()
