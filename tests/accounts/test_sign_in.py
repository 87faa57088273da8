"""Signing in with a class code, and the ordinary sign-in page, with their failure limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from accounts import services
from accounts.models import SignInFailure
from accounts.views.learners import ThrottledLoginView
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/accounts/class-sign-in/"
GENERIC = "The class code, name or password is not right."


@pytest.fixture
def learners(classroom):
    """Two class accounts: (account, password) for Li Wei and Ann."""
    return services.class_accounts_create(classroom=classroom, names=["Li Wei", "Ann"])


def _sign_in(client, code, name, password, next=None, **meta):
    """POST the class sign-in form; `meta` are request headers such as REMOTE_ADDR."""
    data = {"code": code, "name": name, "password": password}
    if next is not None:
        data["next"] = next
    return client.post(URL, data, **meta)


def _signed_in_as(client):
    return client.get(reverse("home")).wsgi_request.user


def test_the_page_is_big_and_labelled(client):
    response = client.get(URL + "?code=ABC234")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="band-6-8"' in page
    for field in ("code", "name", "password"):
        assert f'for="id_{field}"' in page and f'id="id_{field}"' in page
    assert 'value="ABC234"' in page


def test_a_learner_signs_in_with_code_name_and_password(client, classroom, learners):
    li_wei = learners[0]
    response = _sign_in(client, classroom.join_code, "Li Wei", li_wei.password)
    assert response.status_code == 302
    assert response["Location"] == reverse("learn:catalogue")
    assert _signed_in_as(client) == li_wei.user


def test_code_and_name_ignore_case_and_spaces(client, classroom, learners):
    code = classroom.join_code
    typed_code = f" {code[:3].lower()} {code[3:].lower()} "
    response = _sign_in(client, typed_code, "  li   WEI ", learners[0].password)
    assert response.status_code == 302
    assert _signed_in_as(client) == learners[0].user


def test_the_password_is_case_sensitive_like_any_password(client, classroom, learners):
    response = _sign_in(client, classroom.join_code, "Li Wei", learners[0].password.upper())
    assert response.status_code == 400


@pytest.mark.parametrize("wrong", ["code", "name", "password", "other_learners_password"])
def test_any_wrong_part_gets_the_same_message(client, classroom, learners, wrong):
    code, name, password = classroom.join_code, "Li Wei", learners[0].password
    if wrong == "code":
        code = "ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY"
    elif wrong == "name":
        name = "Li Wen"
    elif wrong == "password":
        password = "tigermango42"
    else:
        password = learners[1].password
    response = _sign_in(client, code, name, password)
    assert response.status_code == 400
    assert GENERIC in response.content.decode()
    assert not _signed_in_as(client).is_authenticated


def test_missing_fields_are_a_bad_request(client):
    response = client.post(URL, {"code": "", "name": "", "password": ""})
    assert response.status_code == 400
    assert response.content.decode().count('class="errorlist"') >= 3
    assert not SignInFailure.objects.exists()


def test_only_learners_in_that_class_can_sign_in_with_its_code(client, teacher, classroom):
    other = factories.make_classroom(teacher, name="Other")
    (account,) = services.class_accounts_create(classroom=other, names=["Li Wei"])
    response = _sign_in(client, classroom.join_code, "Li Wei", account.password)
    assert response.status_code == 400
    assert _sign_in(client, other.join_code, "Li Wei", account.password).status_code == 302


def test_a_removed_or_deactivated_learner_cannot_sign_in(client, classroom, learners):
    li_wei, ann = learners
    services.classroom_learner_remove(classroom=classroom, learner=li_wei.user)
    assert _sign_in(client, classroom.join_code, "Li Wei", li_wei.password).status_code == 400
    ann.user.is_active = False
    ann.user.save()
    assert _sign_in(client, classroom.join_code, "Ann", ann.password).status_code == 400


def test_a_teacher_in_the_learner_list_does_not_sign_in_by_name(client, classroom, other_teacher):
    other_teacher.first_name = "Ann"
    other_teacher.save()
    classroom.learners.add(other_teacher)
    response = _sign_in(client, classroom.join_code, "Ann", factories.PASSWORD)
    assert response.status_code == 400


def test_learners_sharing_a_name_each_sign_in_with_their_own_password(client, classroom, learners):
    """A self-registered learner named like a class account joined the class."""
    namesake = factories.make_student("liwei_adult")
    namesake.first_name = "Li Wei"
    namesake.save()
    classroom.learners.add(namesake)
    response = _sign_in(client, classroom.join_code, "li wei", factories.PASSWORD)
    assert response.status_code == 302
    assert _signed_in_as(client) == namesake
    other = Client()
    assert _sign_in(other, classroom.join_code, "li wei", learners[0].password).status_code == 302
    assert _signed_in_as(other) == learners[0].user


def test_next_is_followed_only_inside_the_site(client, classroom, learners):
    password = learners[0].password
    response = _sign_in(client, classroom.join_code, "Li Wei", password, next="/dashboard/")
    assert response["Location"] == "/dashboard/"
    client.logout()
    evil = _sign_in(client, classroom.join_code, "Li Wei", password, next="https://evil.example/")
    assert evil["Location"] == reverse("learn:catalogue")


def test_a_new_password_ends_the_learners_sessions(client, classroom, learners):
    li_wei = learners[0]
    _sign_in(client, classroom.join_code, "Li Wei", li_wei.password)
    assert _signed_in_as(client).is_authenticated
    services.learner_password_reset(classroom=classroom, learner=li_wei.user)
    assert not _signed_in_as(client).is_authenticated


# --- Failure limits -----------------------------------------------------------------------------


def test_failures_are_stored_only_as_hashes(client, classroom, learners):
    _sign_in(client, classroom.join_code, "Li Wei", "wrong", REMOTE_ADDR="203.0.113.7")
    rows = list(SignInFailure.objects.values_list("scope", "key"))
    assert sorted(scope for scope, _key in rows) == ["class", "ip", "learner"]
    for _scope, key in rows:
        assert len(key) == 64
        assert "203.0.113.7" not in key and classroom.join_code not in key


def test_one_learner_is_locked_after_repeated_failures(
    client, classroom, learners, tight_limits, failures
):
    li_wei, ann = learners
    for _ in range(3):
        assert _sign_in(client, classroom.join_code, "Li Wei", "wrong").status_code == 400
    recorded = failures()
    # Now even the right password is refused, without being checked or counted.
    response = _sign_in(client, classroom.join_code, "li wei", li_wei.password)
    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()
    assert "wait 15 minutes" in response.content.decode()
    assert failures() == recorded
    assert not _signed_in_as(client).is_authenticated
    # Another learner of the class is not locked out by Li Wei's failures.
    assert _sign_in(client, classroom.join_code, "Ann", ann.password).status_code == 302


def test_a_class_code_is_locked_after_failures_spread_over_names_and_addresses(
    client, classroom, learners, tight_limits
):
    for number in range(5):
        response = _sign_in(
            client, classroom.join_code, f"Name {number}", "x", REMOTE_ADDR=f"198.51.100.{number}"
        )
        assert response.status_code == 400
    response = _sign_in(
        client, classroom.join_code, "Ann", learners[1].password, REMOTE_ADDR="192.0.2.99"
    )
    assert response.status_code == 429


def test_an_address_is_locked_after_failures_across_classes(client, teacher, tight_limits):
    classes = [factories.make_classroom(teacher, name=f"C{i}") for i in range(3)]
    accounts = [services.class_accounts_create(classroom=c, names=["Ann"])[0] for c in classes]
    for attempt in range(8):
        classroom = classes[attempt % 3]
        response = _sign_in(client, classroom.join_code, f"N{attempt}", "x", REMOTE_ADDR="1.2.3.4")
        assert response.status_code == 400
    blocked = _sign_in(
        client, classes[0].join_code, "Ann", accounts[0].password, REMOTE_ADDR="1.2.3.4"
    )
    assert blocked.status_code == 429
    elsewhere = _sign_in(
        client, classes[0].join_code, "Ann", accounts[0].password, REMOTE_ADDR="5.6.7.8"
    )
    assert elsewhere.status_code == 302


def test_the_proxy_header_counts_only_when_configured(client, classroom, tight_limits, settings):
    # Unconfigured: a client cannot dodge the limit by sending its own X-Forwarded-For.
    for number in range(8):
        response = _sign_in(
            client,
            f"AAAAA{'BCDEFGHJ'[number]}",
            "x",
            "x",
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"9.9.9.{number}",
        )
        assert response.status_code == 400
    assert _sign_in(client, "BBBBBB", "x", "x", REMOTE_ADDR="10.0.0.1").status_code == 429
    # Configured: the address our proxy appended (the last one) is the client's.
    settings.ACCOUNTS_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    response = _sign_in(
        client, "CCCCCC", "x", "x", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 7.7.7.7"
    )
    assert response.status_code == 400


def test_the_lock_ends_when_the_window_has_passed(client, classroom, learners, tight_limits):
    for _ in range(3):
        _sign_in(client, classroom.join_code, "Li Wei", "wrong")
    assert _sign_in(client, classroom.join_code, "Li Wei", learners[0].password).status_code == 429
    SignInFailure.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    response = _sign_in(client, classroom.join_code, "Li Wei", learners[0].password)
    assert response.status_code == 302


def test_old_failures_are_cleaned_up(client, classroom, tight_limits):
    _sign_in(client, classroom.join_code, "A", "x")
    SignInFailure.objects.update(created_at=timezone.now() - timedelta(hours=1))
    _sign_in(client, classroom.join_code, "B", "x")
    assert SignInFailure.objects.count() == 3  # only the new attempt's three keys


def test_signing_in_clears_the_learners_own_failures(client, classroom, learners, tight_limits):
    for _ in range(2):
        _sign_in(client, classroom.join_code, "Li Wei", "wrong")
    assert _sign_in(client, classroom.join_code, "Li Wei", learners[0].password).status_code == 302
    client.logout()
    for _ in range(2):
        assert _sign_in(client, classroom.join_code, "Li Wei", "wrong").status_code == 400
    assert _sign_in(client, classroom.join_code, "Li Wei", learners[0].password).status_code == 302


# --- The ordinary sign-in page ------------------------------------------------------------------


def test_the_sign_in_page_links_to_the_other_ways_in(client):
    page = client.get(reverse("login")).content.decode()
    assert reverse("accounts:class_sign_in") in page
    assert reverse("accounts:signup") in page
    assert resolve(reverse("login")).func.view_class is ThrottledLoginView


def test_the_sign_in_page_signs_in(client, student):
    response = client.post(reverse("login"), {"username": "ada", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert _signed_in_as(client) == student


def test_the_sign_in_page_refuses_wrong_passwords_with_400(client, student):
    response = client.post(reverse("login"), {"username": "ada", "password": "nope"})
    assert response.status_code == 400
    assert "Please enter a correct username and password" in response.content.decode()


def test_a_class_accounts_password_cannot_be_guessed_on_the_sign_in_page(
    client, classroom, learners, tight_limits
):
    """Its username is printed on the card; the per-username limit applies here too."""
    li_wei = learners[0]
    for _ in range(3):
        response = client.post(
            reverse("login"), {"username": li_wei.username.upper(), "password": "wrong"}
        )
        assert response.status_code == 400
    response = client.post(
        reverse("login"), {"username": li_wei.username, "password": li_wei.password}
    )
    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()
    assert not _signed_in_as(client).is_authenticated
