"""A submission records the course version it was graded against (graders.services)."""

import pytest

from courses.models import Lesson
from courses.publishing import course_draft_for
from graders import services
from graders.models import Submission
from tests import factories
from tests.publishing.conftest import publish

pytestmark = pytest.mark.django_db


def graded(learner, exercise):
    return factories.finish_submission(factories.make_submission(learner, exercise))


def test_a_grading_records_the_latest_version_of_the_exercises_course(built):
    learner = factories.make_student()
    before = graded(learner, built.notebook)
    assert before.course_version is None  # not published yet: no version to record

    v1 = publish(built.course)
    first = graded(learner, built.notebook)
    assert first.course_version == v1

    draft = course_draft_for(course=built.course, user=built.owner)
    Lesson.objects.filter(unit__course=draft).update(body_en="Version two.")
    v2 = publish(built.course)
    second = graded(learner, built.notebook)
    assert second.course_version == v2
    # Earlier results keep the version they were graded against.
    assert Submission.objects.get(pk=first.pk).course_version == v1


def test_the_version_is_read_when_grading_starts(built):
    """The worker reads the exercise and the version together: a publication that lands while
    the notebook runs does not relabel a grading done against the older content."""
    learner = factories.make_student()
    v1 = publish(built.course)
    submission = factories.make_submission(learner, built.notebook)
    claimed = factories.start_grading(submission)
    draft = course_draft_for(course=built.course, user=built.owner)
    Lesson.objects.filter(unit__course=draft).update(body_en="Version two.")
    publish(built.course)
    assert services.grading_finish(submission=claimed, result=factories.grade_result())
    assert Submission.objects.get(pk=submission.pk).course_version == v1


def test_exercises_outside_courses_record_no_version(db):
    teacher = factories.make_teacher()
    exercise = factories.make_exercise(teacher)
    assert graded(factories.make_student(), exercise).course_version is None
