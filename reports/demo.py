"""Demo data for the report dashboard (`manage.py loaddemo`, run by `make run`).

A demo school holding the Demo class and two more classes of generated learners (with a
generated teacher who cannot sign in), a school
administrator login, and a couple of months of plausible history on the demo courses, so every
report has something to show. Idempotent: the generated learners are created once; a second run
changes nothing. The history ends when it is first generated and stays as it was.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Classroom, School, User
from courses.models import QuizAttempt
from graders.models import Submission
from reports import seed, stats

SCHOOL = "Qiming Demo School"
PREFIX = "demo-learner-"
TEACHER = "demo-teacher"
LEARNERS = 60  # in two generated classes of 30
ANSWERS = 1500
DAYS = 60
GENERATED_CLASSES = ("Demo class 2", "Demo class 3")


@transaction.atomic
def remove_demo_history() -> None:
    """Delete the generated learners, their classes and work (`loaddemo --replace`): generated
    work must not keep the demo courses from being re-imported; it is generated again."""
    learners = User.objects.filter(username__startswith=PREFIX)
    QuizAttempt.objects.filter(learner__in=learners).delete()
    Submission.objects.filter(learner__in=learners).delete()
    Classroom.objects.filter(teacher__username=TEACHER).delete()
    learners.delete()
    User.objects.filter(username=TEACHER).delete()
    stats.stats_rebuild()


def _released(exercise) -> bytes:
    """A learner's copy of the notebook as handed in: what the teacher's pages can open."""
    return json.dumps(exercise.released_notebook or {"cells": []}).encode()


@transaction.atomic
def demo_school(*, classroom: Classroom, school_admin: User, courses) -> School:
    """The demo school with the Demo class, its administrator, and generated history."""
    school, _ = School.objects.get_or_create(name=SCHOOL)
    if classroom.school_id is None:
        classroom.school = school
        classroom.save(update_fields=["school"])
    if school_admin.school_id != school.pk:
        school_admin.school = school
        school_admin.save(update_fields=["school"])
    if User.objects.filter(username__startswith=PREFIX).exists():
        return school
    exercises = {course.pk: seed.course_exercises(course) for course in courses}
    courses = sorted((course for course in courses if exercises[course.pk]), key=lambda c: c.slug)
    if not courses:
        return school
    rng = random.Random(7)  # noqa: S311 (plausible data, not secrets)
    learners = []
    for number in range(LEARNERS):
        learner = User.objects.create(
            username=f"{PREFIX}{number + 1:02d}",
            first_name=rng.choice(["Li", "Wang", "Zhang", "Chen", "Ada", "Sam", "Noor", "Kai"]),
            last_name=f"Demo {number + 1}",
            role=User.Role.STUDENT,
            password=seed.UNUSABLE_PASSWORD,
            is_class_account=True,
        )
        learners.append(learner)
    now = timezone.now()
    User.objects.filter(pk__in=[learner.pk for learner in learners]).update(
        date_joined=now - timedelta(days=DAYS + 5)
    )
    # Their classes have a teacher of their own, so the demo teacher's pages stay as they were.
    their_teacher, _ = User.objects.get_or_create(
        username=TEACHER,
        defaults={"role": User.Role.TEACHER, "password": seed.UNUSABLE_PASSWORD},
    )
    course_of = {}
    for index, name in enumerate(GENERATED_CLASSES):
        extra = Classroom.objects.create(name=name, teacher=their_teacher, school=school)
        members = learners[index * LEARNERS // 2 : (index + 1) * LEARNERS // 2]
        extra.learners.add(*members)
        extra.courses.add(*courses)
        for learner in members:
            course_of[learner.pk] = courses[rng.randrange(len(courses))]
    writer = seed._Writer()
    with seed.generated_times():
        seed.history(
            rng=rng,
            learners=learners,
            course_of=lambda learner_id: (
                course_of[learner_id],
                exercises[course_of[learner_id].pk],
            ),
            answers=ANSWERS,
            start=now - timedelta(days=DAYS),
            end=now,
            on_quiz=writer.add_quiz,
            on_submission=writer.add_submission,
            content=_released,
        )
        writer.flush()
    stats.stats_rebuild()
    return school
