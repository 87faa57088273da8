"""Drafts: a published course is edited in a full copy that learners never see."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied

from courses import services
from courses.models import Course, CourseAsset, CourseVersion, Exercise, Lesson, Unit
from courses.publishing import (
    course_draft_discard,
    course_draft_for,
    course_keys_ensure,
    course_snapshot,
)
from courses.selectors import courses_visible_to, exercises_visible_to
from tests import factories
from tests.publishing.conftest import build_course

pytestmark = pytest.mark.django_db


def content(course):
    snapshot = course_snapshot(course)
    snapshot["course"].pop("published")
    return snapshot


def test_a_draft_of_a_published_course_copies_everything(db):
    built = build_course(published=True)
    live = built.course
    draft = course_draft_for(course=live, user=built.owner)

    assert draft.pk != live.pk
    assert draft.draft_of == live
    assert draft.slug == live.slug
    assert not draft.is_published
    assert content(draft) == content(live)  # texts, specs, notebooks, keys, slugs, assets
    # Copies, not shared rows.
    assert not set(Unit.objects.filter(course=draft)) & set(Unit.objects.filter(course=live))
    draft_exercises = Exercise.objects.filter(lesson__unit__course=draft)
    assert draft_exercises.count() == 2
    assert not set(draft_exercises) & {built.quiz, built.notebook}
    copied = draft_exercises.get(key=built.notebook.key)
    for name in ("released_notebook", "released_notebook_zh", "max_score", "limits", "owner"):
        assert getattr(copied, name) == getattr(built.notebook, name)
    assets = {a.name: bytes(a.content) for a in CourseAsset.objects.filter(course=draft)}
    assert assets == {a.name: bytes(a.content) for a in CourseAsset.objects.filter(course=live)}


def test_learners_and_other_teachers_never_see_a_draft(db):
    built = build_course(published=True)
    draft = course_draft_for(course=built.course, user=built.owner)
    learner = factories.make_student()
    factories.make_classroom(built.owner, [learner]).courses.add(built.course)
    other = factories.make_teacher()
    draft_exercises = set(Exercise.objects.filter(lesson__unit__course=draft))
    for user in (learner, other):
        assert list(courses_visible_to(user)) == [built.course]
        visible = set(exercises_visible_to(user))
        assert {built.quiz, built.notebook} <= visible
        assert not visible & draft_exercises
    # Not even through the slug it shares with its live course.
    assert courses_visible_to(learner).get(slug=built.course.slug) == built.course


def test_the_same_draft_is_returned_until_it_is_published_or_discarded(db):
    built = build_course(published=True)
    draft = course_draft_for(course=built.course, user=built.owner)
    assert course_draft_for(course=built.course, user=built.owner) == draft
    assert course_draft_for(course=draft, user=built.owner) == draft
    assert Course.objects.filter(draft_of=built.course).count() == 1


def test_a_course_never_published_is_its_own_draft(built):
    assert course_draft_for(course=built.course, user=built.owner) == built.course
    assert not Course.objects.filter(draft_of=built.course).exists()


def test_a_course_published_before_gets_a_draft_even_when_unpublished_now(built):
    CourseVersion.objects.create(
        course=built.course, number=1, snapshot={}, sha256="0" * 64, published_by=built.owner
    )
    draft = course_draft_for(course=built.course, user=built.owner)
    assert draft.draft_of == built.course


def test_discarding_a_draft_keeps_the_live_course(db):
    built = build_course(published=True)
    before = content(built.course)
    draft = course_draft_for(course=built.course, user=built.owner)
    Lesson.objects.filter(unit__course=draft).update(body_en="Changed.")
    # A teacher's preview answer on the draft goes with it.
    student = factories.make_student()
    draft_quiz = Exercise.objects.get(lesson__unit__course=draft, key=built.quiz.key)
    services.quiz_answer_submit(learner=student, exercise=draft_quiz, answer="ear")

    assert course_draft_discard(course=draft, user=built.owner) is True
    assert not Course.objects.filter(pk=draft.pk).exists()
    assert not Exercise.objects.filter(pk=draft_quiz.pk).exists()
    assert content(built.course) == before
    assert course_draft_discard(course=built.course, user=built.owner) is False
    # The next edit starts again from the live course.
    fresh = course_draft_for(course=built.course, user=built.owner)
    assert content(fresh) == before


@pytest.mark.parametrize("who", ["other teacher", "student"])
def test_only_the_owner_or_an_admin_may_draft(db, who):
    built = build_course(published=True)
    intruder = factories.make_teacher() if who == "other teacher" else factories.make_student()
    with pytest.raises(PermissionDenied):
        course_draft_for(course=built.course, user=intruder)
    assert not Course.objects.filter(draft_of=built.course).exists()
    draft = course_draft_for(course=built.course, user=factories.make_admin())
    with pytest.raises(PermissionDenied):
        course_draft_for(course=draft, user=intruder)
    with pytest.raises(PermissionDenied):
        course_draft_discard(course=built.course, user=intruder)
    assert Course.objects.filter(pk=draft.pk).exists()


def test_lessons_and_exercises_get_slugs_and_keys_from_their_titles(built):
    lesson = built.quiz.lesson
    Lesson.objects.filter(pk=lesson.pk).update(slug="")
    Exercise.objects.filter(pk=built.notebook.pk).update(key="")
    # A Chinese-only title and a title that is taken already.
    unit = services.unit_create(course=built.course, title_en="More", title_zh="更多")
    chinese = services.lesson_create(unit=unit, title_en="", title_zh="只有中文")
    twin = services.lesson_create(unit=unit, title_en="Ears", title_zh="又是耳朵")
    kept = built.quiz.key

    course_keys_ensure(course=built.course)

    assert Lesson.objects.get(pk=lesson.pk).slug == "ears"
    assert Lesson.objects.get(pk=chinese.pk).slug == f"lesson-{chinese.pk}"
    assert Lesson.objects.get(pk=twin.pk).slug == "ears-2"
    assert Exercise.objects.get(pk=built.notebook.pk).key == "how-good-is-a-guess"
    assert Exercise.objects.get(pk=built.quiz.pk).key == kept


def test_the_data_migration_fills_slugs_and_keys_of_existing_rows(built):
    Lesson.objects.filter(unit__course=built.course).update(slug="")
    Exercise.objects.filter(lesson__unit__course=built.course).update(key="")
    migration = importlib.import_module("courses.migrations.0008_lesson_slugs_exercise_keys")
    migration.fill(django_apps, None)
    assert list(
        Lesson.objects.filter(unit__course=built.course).values_list("slug", flat=True)
    ) == ["ears"]
    keys = Exercise.objects.filter(lesson__unit__course=built.course).values_list("key", flat=True)
    assert sorted(keys) == ["how-good-is-a-guess", "which-part-hears"]
