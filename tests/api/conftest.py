"""Fixtures for the API suite: a small school (two classes), a published and a draft exercise."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Users are created in every test: a cheap hasher keeps the suite fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api():
    """An anonymous DRF test client; `as_token(user)` / `as_session(user)` log it in."""
    return factories.ApiClient()


@pytest.fixture
def teacher(db):
    return factories.make_teacher("ms_lin")


@pytest.fixture
def other_teacher(db):
    return factories.make_teacher("mr_okafor")


@pytest.fixture
def student(db):
    return factories.make_student("ada")


@pytest.fixture
def other_student(db):
    return factories.make_student("grace")


@pytest.fixture
def platform_admin(db):
    return factories.make_admin("root_admin")


@pytest.fixture
def classroom(teacher, student):
    return factories.make_classroom(teacher, [student], name="7B")


@pytest.fixture
def other_classroom(other_teacher, other_student):
    return factories.make_classroom(other_teacher, [other_student], name="7C")


@pytest.fixture
def exercise(teacher):
    return factories.make_exercise(teacher, published=True, title="How good is a guess?")


@pytest.fixture
def draft_exercise(teacher):
    return factories.make_exercise(teacher, published=False, title="Draft")


@pytest.fixture
def school(classroom, other_classroom):
    """Both classes exist: ms_lin teaches ada (7B), mr_okafor teaches grace (7C)."""
    return classroom, other_classroom
