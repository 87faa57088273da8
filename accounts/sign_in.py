"""Checking class codes, names and passwords, with the limits of accounts/throttle.py.

Each function counts a failure against every key it concerns and refuses, without checking any
password, once a key has reached its limit. Passwords are always checked through
django.contrib.auth.authenticate(), so the configured backends and hashers apply.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import selectors, throttle
from accounts.models import Classroom, User
from accounts.names import code_key, name_key
from accounts.throttle import Key

# Learners sharing a name in one class are tried in turn; a bound keeps one attempt cheap.
MAX_CANDIDATES = 5

CLASS_SIGN_IN_FAILED = _("The class code, name or password is not right.")
UNKNOWN_CODE = _("No class has this code. Check it with your teacher.")


class Throttled(ValidationError):
    """Too many failures: refused without checking. `retry_after` is in seconds."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(throttle.wait_message(retry_after), code="throttled")


def class_sign_in_authenticate(*, request, code: str, name: str, password: str) -> User:
    """The learner of the class with this code whose name (any case, any spaces) and password
    match. Raises Throttled, or ValidationError with one message whatever was wrong."""
    code, name = code_key(code), name_key(name)
    learner_key = Key("learner", f"{code}\0{name}")
    keys = [Key("ip", throttle.client_ip(request)), Key("class", code), learner_key]
    wait = throttle.retry_after(keys)
    if wait is not None:
        raise Throttled(wait)
    classroom = selectors.classroom_by_code(code)
    candidates = selectors.sign_in_candidates(classroom, name) if classroom else []
    for candidate in candidates[:MAX_CANDIDATES]:
        user = authenticate(request, username=candidate.username, password=password)
        if user is not None and user.pk == candidate.pk:
            throttle.failures_clear([learner_key])
            return user
    if not candidates:
        # Hash anyway, so the answer takes as long whether or not the class has that name.
        make_password(password)
    throttle.failure_record(keys)
    raise ValidationError(CLASS_SIGN_IN_FAILED, code="invalid_login")


def username_sign_in_keys(request, username: str) -> list[Key]:
    """What a failure on the ordinary sign-in page counts against."""
    return [Key("ip", throttle.client_ip(request)), Key("username", username.casefold())]


def join_code_classroom(*, request, code: str) -> Classroom:
    """The class with this join code; ValidationError (counted, see throttle.py) when none has
    it, so codes cannot be found by trying them one after another."""
    keys = [Key("join", f"ip:{throttle.client_ip(request)}")]
    if getattr(request.user, "is_authenticated", False):
        keys.append(Key("join", f"user:{request.user.pk}"))
    wait = throttle.retry_after(keys)
    if wait is not None:
        raise Throttled(wait)
    classroom = selectors.classroom_by_code(code)
    if classroom is None:
        throttle.failure_record(keys)
        raise ValidationError(UNKNOWN_CODE, code="unknown_code")
    return classroom
