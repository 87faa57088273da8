"""Who may open each authoring page: the course's owner and admins; another teacher gets a 404
(ids reveal nothing), a learner a 403, someone signed out the sign-in page. Every URL of the
authoring namespace is listed here, so a new page without a test fails below."""

import pytest
from django.urls import get_resolver

from courses.models import CourseAsset, Exercise
from tests.authoring.conftest import PNG

pytestmark = pytest.mark.django_db


def routes(world):
    """(method, URL name, kwargs) for every authoring URL, on the owner's course."""
    course, lesson, quiz = world.course, world.lesson, world.quiz
    unit = lesson.unit
    asset = CourseAsset.objects.create(
        course=course,
        name="dot.png",
        content=PNG,
        content_type="image/png",
        size=len(PNG),
        sha256="0" * 64,
    )
    pk = {"pk": course.pk}
    return [
        ("get", "courses", {}),
        ("get", "course_create", {}),
        ("get", "course", pk),
        ("get", "course_settings", pk),
        ("post", "course_edit", pk),
        ("post", "course_discard", pk),
        ("post", "course_validate", pk),
        ("get", "validation_status", pk),
        ("post", "course_publish", pk),
        ("post", "markdown_preview", pk),
        ("post", "unit_add", pk),
        ("post", "unit_rename", {**pk, "unit_id": unit.pk}),
        ("post", "unit_move", {**pk, "unit_id": unit.pk}),
        ("post", "unit_delete", {**pk, "unit_id": unit.pk}),
        ("get", "lesson_add", {**pk, "unit_id": unit.pk}),
        ("get", "lesson", {**pk, "lesson_id": lesson.pk}),
        ("post", "lesson_move", {**pk, "lesson_id": lesson.pk}),
        ("post", "lesson_delete", {**pk, "lesson_id": lesson.pk}),
        ("get", "exercise_add_choose", {**pk, "lesson_id": lesson.pk}),
        ("get", "exercise_add", {**pk, "lesson_id": lesson.pk, "kind": "numeric"}),
        ("get", "exercise", {**pk, "exercise_id": quiz.pk}),
        ("get", "exercise_yaml", {**pk, "exercise_id": quiz.pk}),
        ("get", "notebook_download", {**pk, "exercise_id": quiz.pk, "language": "en"}),
        ("post", "exercise_move", {**pk, "exercise_id": quiz.pk}),
        ("post", "exercise_delete", {**pk, "exercise_id": quiz.pk}),
        ("get", "preview_lesson", {**pk, "lesson_id": lesson.pk}),
        ("post", "preview_answer", {**pk, "lesson_id": lesson.pk, "exercise_id": quiz.pk}),
        ("get", "preview_notebook", {**pk, "exercise_id": quiz.pk}),
        ("get", "asset", {"course_id": course.pk, "name": "dot.png"}),
        ("post", "asset_upload", pk),
        ("post", "asset_delete", {**pk, "asset_id": asset.pk}),
    ]


def test_every_authoring_url_is_covered(world):
    names = {name for _method, name, _kwargs in routes(world)}
    resolver = get_resolver()
    registered = {
        name
        for name in resolver.namespace_dict["authoring"][1].reverse_dict
        if isinstance(name, str)
    }
    assert registered == names


@pytest.mark.parametrize("who", ["student", "anonymous", "other_teacher"])
def test_no_one_else_gets_in_and_nothing_changes(client, world, who):
    all_routes = routes(world)
    before = (
        list(world.course.units.values_list("pk", "position", "title_en")),
        list(Exercise.objects.values_list("pk", "position", "title")),
        list(CourseAsset.objects.values_list("pk", "name")),
    )
    if who != "anonymous":
        client.force_login(getattr(world, who))
    for method, name, kwargs in all_routes:
        url = world.url(name, **kwargs)
        data = {"direction": "down", "title_en": "Hacked", "title_zh": "黑", "text": "x"}
        response = getattr(client, method)(url, data if method == "post" else None)
        if who == "anonymous":
            assert response.status_code == 302, (name, response.status_code)
            assert response["Location"].startswith("/accounts/login/"), name
        elif who == "student":
            assert response.status_code == 403, (name, response.status_code)
        elif name in ("courses", "course_create"):
            assert response.status_code == 200, name  # their own (empty) list and a new course
        else:
            assert response.status_code == 404, (name, response.status_code)
    after = (
        list(world.course.units.values_list("pk", "position", "title_en")),
        list(Exercise.objects.values_list("pk", "position", "title")),
        list(CourseAsset.objects.values_list("pk", "name")),
    )
    assert before == after


@pytest.mark.parametrize("who", ["teacher", "admin"])
def test_the_owner_and_admins_open_every_page(client, world, who):
    client.force_login(getattr(world, who))
    for method, name, kwargs in routes(world):
        if method != "get":
            continue
        response = client.get(world.url(name, **kwargs))
        if name in ("notebook_download", "preview_notebook"):
            assert response.status_code == 404, name  # the exercise is a quiz
        elif name == "exercise_add_choose":
            assert response.status_code == 404  # no kind chosen
        else:
            assert response.status_code == 200, (name, response.status_code)


def test_my_courses_lists_only_mine_and_admins_see_all(client, world):
    client.force_login(world.other_teacher)
    page = client.get(world.url("courses")).content.decode()
    assert "robots-at-home" not in page
    client.force_login(world.teacher)
    page = client.get(world.url("courses")).content.decode()
    assert "robots-at-home" in page and "seeing-machines" in page
    client.force_login(world.admin)
    page = client.get(world.url("courses")).content.decode()
    assert "robots-at-home" in page and "ms_lin" in page


def test_teach_link_in_the_menu_for_teachers_only(client, world):
    client.force_login(world.teacher)
    assert 'href="/teach/"' in client.get("/").content.decode()
    client.force_login(world.student)
    assert 'href="/teach/"' not in client.get("/").content.decode()


def test_posts_need_the_csrf_token(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.teacher)
    response = client.post(
        world.url("unit_add", pk=world.course.pk),
        {"new-unit-title_en": "Two", "new-unit-title_zh": "二"},
    )
    assert response.status_code == 403
    assert world.course.units.count() == 1


def test_a_draft_id_is_not_a_course_url(teacher_client, world):
    """Drafts are reached through their live course's URL only."""
    from courses.publishing import course_draft_for

    draft = course_draft_for(course=world.published, user=world.teacher)
    assert teacher_client.get(world.url("course", pk=draft.pk)).status_code == 404
    assert teacher_client.get(world.url("course", pk=world.published.pk)).status_code == 200
