"""People and classes for the export and API tests (import the fixtures into a test module).

North school: classes '=HYPERLINK("http://evil.example")' (3 learners), "7B" (2) and "Tiny"
(1, below the minimum group size of 2 these tests use). South school: "S1" (4). "Loose", of no
school: 2 learners. north_admin administers North; south_admin South; root_admin the platform.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts.models import Classroom, School, User
from tests import factories
from tests.reports import sample_report

EVIL = '=HYPERLINK("http://evil.example")'
MIN_GROUP = 2


@dataclass
class Sample:
    north: School
    south: School
    north_admin: User
    south_admin: User
    classes: dict[str, Classroom]


def make_school_admin(username: str, school: School) -> User:
    return factories.make_user(User.Role.SCHOOL_ADMIN, username, school=school)


# Named fixtures: test modules import the functions, and their parameters take these names.
@pytest.fixture(name="small_groups")
def small_groups_fixture(settings):
    settings.REPORTS_MIN_GROUP_SIZE = MIN_GROUP


@pytest.fixture(name="sample_reports")
def sample_reports_fixture():
    sample_report.register_all()
    yield
    sample_report.unregister_all()


@pytest.fixture(name="sample")
def sample_fixture(db, small_groups, sample_reports, teacher) -> Sample:
    north = School.objects.create(name="North")
    south = School.objects.create(name="South")
    sizes = {EVIL: (north, 3), "7B": (north, 2), "Tiny": (north, 1), "S1": (south, 4)}
    sizes["Loose"] = (None, 2)
    classes = {}
    for name, (school, size) in sizes.items():
        learners = [factories.make_student() for _ in range(size)]
        classroom = factories.make_classroom(teacher, learners, name=name)
        classroom.school = school
        classroom.save(update_fields=["school"])
        classes[name] = classroom
    return Sample(
        north=north,
        south=south,
        north_admin=make_school_admin("north_admin", north),
        south_admin=make_school_admin("south_admin", south),
        classes=classes,
    )
