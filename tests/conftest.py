"""Shared fixtures for the whole suite."""

import pytest
from django.utils import translation


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
