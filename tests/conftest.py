"""Shared fixtures for the whole suite."""

import pytest
from django.utils import translation

from tests import factories


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def language_of_the_site():
    """Each test starts in the site's default language.

    The locale middleware activates a request's language in the thread and leaves it there; a
    test that rendered a Chinese page would otherwise make the next test's templates Chinese.
    """
    translation.deactivate()
    yield
    translation.deactivate()


# The people most tests need. A folder or module that wants others defines its own, which wins.


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
def platform_admin(db):
    return factories.make_admin("root_admin")


@pytest.fixture(autouse=True)
def no_warm_kernel_outlives_its_test():
    """A task run in this process (grade_submission.apply) leaves a warm sandbox for the next
    submission, as a worker would; a test's ends with the test."""
    yield
    from graders import warm

    warm.shutdown()
