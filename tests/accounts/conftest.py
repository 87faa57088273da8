"""Fixtures for the account pages: two teachers, an admin, a learner, and a class of the first."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import SignInFailure
from tests import factories


@pytest.fixture
def classroom(teacher):
    return factories.make_classroom(teacher, name="Year 2 Pandas")


@pytest.fixture
def client_for():
    """A test client signed in as the given user (None: anonymous)."""

    def make(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def tight_limits(settings):
    """Small failure limits so throttling tests need only a few requests."""
    settings.ACCOUNTS_SIGN_IN_LIMITS = {
        "learner": (3, 900),
        "class": (5, 900),
        "ip": (8, 900),
        "username": (3, 900),
        "join": (3, 900),
    }
    return settings.ACCOUNTS_SIGN_IN_LIMITS


@pytest.fixture
def failures():
    """How many failed attempts are on record (any key)."""
    return SignInFailure.objects.count
