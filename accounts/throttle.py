"""Limits on failed sign-ins, shared by every web host through the database.

Class accounts have simple passwords (accounts/words.py), so guessing must be slow: each failed
attempt is counted against several keys (the client's IP address, the class code, one name in one
class, a username, ...) and once any key has reached its limit within its window, further attempts
are refused before any password is checked. Counts live in the database (SignInFailure), not in
Django's cache: the default cache is per process, and a per-process count multiplies the limit by
the number of web processes. Only HMACs of the keys are stored.

Limits can be changed with the setting ACCOUNTS_SIGN_IN_LIMITS = {scope: (failures, seconds)}.
Behind a reverse proxy set ACCOUNTS_CLIENT_IP_HEADER (e.g. "HTTP_X_REAL_IP") to the header the
proxy sets, or every client shares the proxy's address and its limit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext

from accounts.models import SignInFailure

# scope: (failures allowed, window in seconds). The per-learner limit stops guessing one child's
# password; the per-class limit stops spreading guesses over a class's names and many addresses;
# the per-address limit is generous because a whole school can share one address.
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "learner": (10, 15 * 60),
    "class": (50, 15 * 60),
    "ip": (100, 15 * 60),
    "username": (10, 15 * 60),
    "join": (20, 15 * 60),
}


@dataclass(frozen=True)
class Limit:
    failures: int
    window: timedelta


def limit_for(scope: str) -> Limit:
    failures, seconds = {**DEFAULT_LIMITS, **getattr(settings, "ACCOUNTS_SIGN_IN_LIMITS", {})}[
        scope
    ]
    return Limit(failures=failures, window=timedelta(seconds=seconds))


@dataclass(frozen=True)
class Key:
    """What a failure is counted against: a scope from DEFAULT_LIMITS and a value in it."""

    scope: str
    value: str

    @property
    def digest(self) -> str:
        return salted_hmac(
            "qiming.accounts.throttle", f"{self.scope}\0{self.value}", algorithm="sha256"
        ).hexdigest()


def client_ip(request) -> str:
    """The address to count against. A proxy's header is trusted only when configured; for a
    list ("client, proxy1, proxy2") the last entry is the one our own proxy added."""
    header = getattr(settings, "ACCOUNTS_CLIENT_IP_HEADER", "")
    value = request.META.get(header, "") if header else ""
    if value:
        return value.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def retry_after(keys: Iterable[Key]) -> int | None:
    """Seconds until every key is below its limit again, or None when none has reached it."""
    now = timezone.now()
    wait = 0.0
    for key in keys:
        limit = limit_for(key.scope)
        times = list(
            SignInFailure.objects.filter(key=key.digest, created_at__gt=now - limit.window)
            .order_by("created_at")
            .values_list("created_at", flat=True)
        )
        if len(times) >= limit.failures:
            # Allowed again once enough of the oldest failures have left the window.
            freed_at = times[len(times) - limit.failures] + limit.window
            wait = max(wait, (freed_at - now).total_seconds())
    return max(1, math.ceil(wait)) if wait > 0 else None


def failure_record(keys: Iterable[Key]) -> None:
    """Count one failed attempt against each key, and forget failures no window still needs."""
    now = timezone.now()
    SignInFailure.objects.bulk_create(
        SignInFailure(scope=key.scope, key=key.digest, created_at=now) for key in keys
    )
    longest = max(limit_for(scope).window for scope in DEFAULT_LIMITS)
    SignInFailure.objects.filter(created_at__lt=now - longest).delete()


def failures_clear(keys: Iterable[Key]) -> None:
    """Forget a key's failures, e.g. a learner's own after they signed in."""
    SignInFailure.objects.filter(key__in=[key.digest for key in keys]).delete()


def wait_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many tries that did not work. Please wait %(minutes)d minute and try again, "
        "or ask your teacher for help.",
        "Too many tries that did not work. Please wait %(minutes)d minutes and try again, "
        "or ask your teacher for help.",
        minutes,
    ) % {"minutes": minutes}
