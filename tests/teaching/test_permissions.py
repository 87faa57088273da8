"""Who may open each teaching page: the class's teacher and admins; another teacher gets a 404
(ids reveal nothing), a learner a 403, a visitor the sign-in page. Refused requests change
nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from graders.models import Submission
from teaching import regrades, services
from teaching.models import ClassroomExercise, Extension, Mark, RegradeBatch
from tests import factories
from tests.teaching.conftest import graded, result

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(school):
    submission = graded(school.ann, school.notebook, grade=result(manual=5.0))
    services.extension_grant(
        classroom=school.classroom,
        exercise=school.notebook,
        learner=school.bo,
        due_at=submission.received_at,
        granted_by=school.teacher,
    )
    batch = RegradeBatch.objects.create(
        exercise=school.notebook, classroom=school.classroom, requested_by=school.teacher
    )
    return school, submission, batch


def pages(school, submission, batch):
    """Every teaching page as (method, url, data)."""
    pk, exercise = school.classroom.pk, school.notebook.pk
    return [
        ("get", reverse("teaching:gradebook", args=[pk]), None),
        ("get", reverse("teaching:gradebook_csv", args=[pk]) + "?format=moodle", None),
        ("get", reverse("teaching:learner_history", args=[pk, school.ann.pk]), None),
        ("get", reverse("teaching:class_exercise", args=[pk, exercise]), None),
        (
            "post",
            reverse("teaching:class_exercise_settings", args=[pk, exercise]),
            {"due_at": "2026-03-02T17:00", "late_policy": "zero", "max_attempts": "4"},
        ),
        (
            "post",
            reverse("teaching:extension_grant", args=[pk, exercise]),
            {"learner": school.cy.pk, "due_at": "2026-03-09T17:00"},
        ),
        ("post", reverse("teaching:extension_remove", args=[pk, exercise, school.bo.pk]), {}),
        ("get", reverse("teaching:submission", args=[pk, submission.pk]), None),
        (
            "post",
            reverse("teaching:mark", args=[pk, submission.pk]),
            {"grade_id": "essay", "score": "4", "comment": "Good reasoning."},
        ),
        ("post", reverse("teaching:mark_clear", args=[pk, submission.pk]), {"grade_id": "essay"}),
        ("post", reverse("teaching:regrade_class", args=[pk, exercise]), {}),
        ("post", reverse("teaching:regrade_all", args=[exercise]), {}),
        ("get", reverse("teaching:regrade", args=[batch.pk]), None),
        ("get", reverse("teaching:regrade_progress", args=[batch.pk]), None),
    ]


def request(client, method, url, data):
    return client.get(url) if method == "get" else client.post(url, data)


def nothing_changed(school, submission):
    assert not ClassroomExercise.objects.exists()
    assert list(Extension.objects.values_list("learner", flat=True)) == [school.bo.pk]
    assert not Mark.objects.exists()
    assert RegradeBatch.objects.count() == 1
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.NEEDS_REVIEW


def test_visitors_are_sent_to_sign_in(world, client_for):
    school, submission, batch = world
    client = client_for(None)
    for method, url, data in pages(school, submission, batch):
        response = request(client, method, url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    nothing_changed(school, submission)


def test_learners_are_forbidden_everywhere_even_their_own_work(world, client_for):
    school, submission, batch = world
    client = client_for(school.ann)  # the submission is hers
    for method, url, data in pages(school, submission, batch):
        assert request(client, method, url, data).status_code == 403, url
    nothing_changed(school, submission)


def test_another_teacher_finds_nothing(world, client_for):
    school, submission, batch = world
    client = client_for(school.other_teacher)
    for method, url, data in pages(school, submission, batch):
        assert request(client, method, url, data).status_code == 404, url
    nothing_changed(school, submission)


def test_the_classes_teacher_uses_every_page(world, client_for):
    school, submission, batch = world
    client = client_for(school.teacher)
    for method, url, data in pages(school, submission, batch):
        response = request(client, method, url, data)
        assert response.status_code in (200, 302), (url, response.status_code)
    assert ClassroomExercise.objects.get().max_attempts == 4
    assert Extension.objects.get().learner == school.cy
    assert RegradeBatch.objects.count() == 2  # the class's; "everyone" waits for it to finish


def test_admins_use_every_page_of_every_class(world, client_for):
    school, submission, batch = world
    client = client_for(school.admin)
    for method, url, data in pages(school, submission, batch):
        response = request(client, method, url, data)
        assert response.status_code in (200, 302), (url, response.status_code)
    assert Extension.objects.get().learner == school.cy


def test_a_class_teacher_cannot_reach_other_work_through_their_class(school, client_for):
    client = client_for(school.teacher)
    pk = school.classroom.pk
    theirs = graded(school.outsider, school.notebook)  # another class's learner
    check = factories.make_submission(school.ann, school.notebook)
    Submission.objects.filter(pk=check.pk).update(purpose=Submission.Purpose.CHECK, attempt=0)
    elsewhere = factories.make_exercise(school.teacher)  # in no course of the class
    mine_elsewhere = graded(school.ann, elsewhere)
    for submission in (theirs, check, mine_elsewhere):
        assert (
            client.get(reverse("teaching:submission", args=[pk, submission.pk])).status_code == 404
        )
        response = client.post(
            reverse("teaching:mark", args=[pk, submission.pk]), {"grade_id": "", "score": "1"}
        )
        assert response.status_code == 404
    assert (
        client.get(reverse("teaching:learner_history", args=[pk, school.outsider.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("teaching:class_exercise", args=[pk, elsewhere.pk])).status_code == 404
    )
    assert not Mark.objects.exists()


def test_regrading_everyone_is_for_the_author_or_an_admin(school, client_for):
    graded(school.outsider, school.notebook)
    url = reverse("teaching:regrade_all", args=[school.notebook.pk])
    # Teaching the exercise's course is not enough: it would change another class's results.
    assert client_for(school.other_teacher).post(url).status_code == 404
    assert not RegradeBatch.objects.exists()
    response = client_for(school.teacher).post(url)  # the exercise's author
    batch = RegradeBatch.objects.get()
    assert response["Location"] == reverse("teaching:regrade", args=[batch.pk])
    assert batch.classroom is None and batch.total == 1
    # The other teacher cannot follow it either: it is not of their class.
    assert (
        client_for(school.other_teacher)
        .get(reverse("teaching:regrade", args=[batch.pk]))
        .status_code
        == 404
    )
    assert regrades.regradable_submissions(exercise=school.notebook).count() == 0
