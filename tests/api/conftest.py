"""Fixtures for the API suite: a small school (two classes), a published and a draft exercise."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def api():
    """An anonymous DRF test client; `as_token(user)` / `as_session(user)` log it in."""
    return factories.ApiClient()


@pytest.fixture
def other_student(db):
    return factories.make_student("grace")


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
