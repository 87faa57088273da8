"""Self sign-up for learners aged 13 and over, and joining a class with its code."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
JOIN = "/join/"
GOOD = "Quiet-lantern-73"


def _form(**changes):
    data = {
        "username": "mei",
        "first_name": "Mei Chen",
        "email": "",
        "password1": GOOD,
        "password2": GOOD,
        "old_enough": "on",
        "join_code": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _signed_in_as(client):
    return client.get(reverse("home")).wsgi_request.user


# --- Sign-up ------------------------------------------------------------------------------------


def test_the_page_says_who_it_is_for(client):
    page = client.get(SIGNUP).content.decode()
    assert "13 and over" in page
    assert "Younger learners get their account from their teacher" in page
    assert reverse("accounts:class_sign_in") in page
    for field in ("username", "first_name", "email", "password1", "password2", "old_enough"):
        assert f'for="id_{field}"' in page


def test_signing_up_makes_a_student_signs_in_and_goes_to_the_catalogue(client):
    response = client.post(SIGNUP, _form(email="mei@example.com"))
    assert response.status_code == 302
    assert response["Location"] == reverse("learn:catalogue")
    user = User.objects.get(username="mei")
    assert user.role == User.Role.STUDENT and not user.is_class_account
    assert user.first_name == "Mei Chen" and user.email == "mei@example.com"
    assert user.check_password(GOOD)
    assert _signed_in_as(client) == user


def test_the_role_cannot_be_chosen(client):
    client.post(SIGNUP, _form(role="admin", is_class_account="on", is_staff="on"))
    user = User.objects.get(username="mei")
    assert user.role == User.Role.STUDENT
    assert not user.is_staff and not user.is_superuser and not user.is_class_account


def test_without_the_age_confirmation_nothing_is_made(client):
    response = client.post(SIGNUP, _form(old_enough=None))
    assert response.status_code == 400
    assert "You must be 13 or older to sign up yourself" in response.content.decode()
    assert not User.objects.exists()
    assert not _signed_in_as(client).is_authenticated


def test_with_a_class_code_the_learner_joins_the_class(client, classroom):
    code = classroom.join_code.lower()
    response = client.post(SIGNUP, _form(join_code=f" {code} "), follow=True)
    user = User.objects.get(username="mei")
    assert list(classroom.learners.all()) == [user]
    assert "You joined the class “Year 2 Pandas”" in response.content.decode()


def test_an_unknown_class_code_makes_nothing(client, classroom):
    wrong = "ZZZZZZ" if classroom.join_code != "ZZZZZZ" else "YYYYYY"
    response = client.post(SIGNUP, _form(join_code=wrong))
    assert response.status_code == 400
    assert "No class has this code" in response.content.decode()
    assert not User.objects.filter(username="mei").exists()
    assert classroom.learners.count() == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password2": "Quiet-lantern-74"}, "two password fields didn"),
        ({"password1": "12345678", "password2": "12345678"}, "too common"),
        ({"password1": "short", "password2": "short"}, "too short"),
        ({"password1": "meichen1", "password2": "meichen1"}, "too similar"),
        ({"username": "has space"}, "Enter a valid username"),
        ({"first_name": ""}, "This field is required"),
        ({"email": "not-an-email"}, "valid email"),
    ],
)
def test_invalid_sign_ups_say_why_and_make_nothing(client, changes, message):
    response = client.post(SIGNUP, _form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_usernames_are_unique_without_regard_to_case(client, student):
    response = client.post(SIGNUP, _form(username="ADA"))
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert User.objects.count() == 1


def test_signed_in_users_are_sent_on(client, student):
    client.force_login(student)
    assert client.get(SIGNUP)["Location"] == reverse("learn:catalogue")
    client.post(SIGNUP, _form(username="another"))
    assert not User.objects.filter(username="another").exists()


def test_guessing_class_codes_while_signing_up_is_limited(client, tight_limits):
    for letter in "ABC":
        assert client.post(SIGNUP, _form(join_code=f"QQQQQ{letter}")).status_code == 400
    response = client.post(SIGNUP, _form(join_code="QQQQQD"))
    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()
    assert not User.objects.exists()


# --- Joining a class ----------------------------------------------------------------------------


def test_anonymous_visitors_sign_in_first(client):
    response = client.get(JOIN)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_learner_joins_with_a_code(client_for, student, classroom):
    client = client_for(student)
    page = client.get(JOIN + "?code=" + classroom.join_code).content.decode()
    assert f'value="{classroom.join_code}"' in page
    response = client.post(JOIN, {"code": classroom.join_code.lower()})
    assert response.status_code == 302
    assert response["Location"] == reverse("learn:catalogue")
    assert list(classroom.learners.all()) == [student]
    assert "Year 2 Pandas" in client.get(JOIN).content.decode()  # listed under "Your classes"


def test_joining_twice_says_so(client_for, student, classroom):
    classroom.learners.add(student)
    response = client_for(student).post(JOIN, {"code": classroom.join_code}, follow=True)
    assert "You are already in the class “Year 2 Pandas”" in response.content.decode()
    assert classroom.learners.count() == 1


def test_an_unknown_code_is_a_clear_400(client_for, student, classroom):
    response = client_for(student).post(JOIN, {"code": "ZZZZZ2"})
    assert response.status_code == 400
    assert "No class has this code" in response.content.decode()
    assert classroom.learners.count() == 0


def test_an_empty_code_is_a_400(client_for, student):
    assert client_for(student).post(JOIN, {"code": ""}).status_code == 400


@pytest.mark.parametrize("role", ["teacher", "platform_admin"])
def test_teachers_and_admins_cannot_join_as_learners(request, client_for, classroom, role):
    user = request.getfixturevalue(role) if role != "teacher" else classroom.teacher
    client = client_for(user)
    page = client.get(JOIN)
    assert page.status_code == 403
    assert "cannot join a class as learners" in page.content.decode()
    assert client.post(JOIN, {"code": classroom.join_code}).status_code == 403
    assert classroom.learners.count() == 0


def test_guessing_codes_is_limited_per_learner(client_for, student, classroom, tight_limits):
    client = client_for(student)
    for number, letter in enumerate("ABC"):
        response = client.post(JOIN, {"code": f"QQQQQ{letter}"}, REMOTE_ADDR=f"10.0.0.{number}")
        assert response.status_code == 400
    # Even the right code waits now, from any address.
    response = client.post(JOIN, {"code": classroom.join_code}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    assert classroom.learners.count() == 0
