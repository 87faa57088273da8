"""Class and account services: codes, class accounts in one transaction, resets, sign-up, joining."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts import services
from accounts.models import JOIN_CODE_ALPHABET, Classroom, User
from accounts.names import code_key, distinct_names, name_key
from accounts.selectors import classroom_by_code, sign_in_candidates
from accounts.words import WORDS
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD_SHAPE = re.compile(r"^[a-z]{6,12}\d{2}$")


def two_words(password: str) -> tuple[str, str] | None:
    """The two different list words a password starts with, or None."""
    letters = password[:-2]
    for first in WORDS:
        second = letters.removeprefix(first)
        if second != letters and second in WORDS and second != first:
            return first, second
    return None


# --- Class codes --------------------------------------------------------------------------------


def test_new_classes_get_distinct_codes_from_the_unambiguous_alphabet(teacher):
    classrooms = [services.classroom_create(teacher=teacher, name=f"C{i}") for i in range(30)]
    codes = [classroom.join_code for classroom in classrooms]
    assert len(set(codes)) == 30
    assert all(len(code) == 6 and set(code) <= set(JOIN_CODE_ALPHABET) for code in codes)
    assert not set("".join(codes)) & set("0O1IL")


def test_a_code_clash_is_retried_until_a_free_code_is_found(teacher, classroom, monkeypatch):
    """The database's unique constraint decides; the service tries again with a new code."""
    codes = iter([classroom.join_code, classroom.join_code, "ZZZZZZ"])
    monkeypatch.setattr(services, "new_join_code", lambda: next(codes))
    created = services.classroom_create(teacher=teacher, name="Second")
    assert created.join_code == "ZZZZZZ"
    assert Classroom.objects.count() == 2


def test_endless_clashes_end_in_a_clear_error_and_no_class(teacher, classroom, monkeypatch):
    monkeypatch.setattr(services, "new_join_code", lambda: classroom.join_code)
    with pytest.raises(ValidationError, match="free class code"):
        services.classroom_create(teacher=teacher, name="Doomed")
    assert Classroom.objects.count() == 1


def test_a_new_code_replaces_the_old_one(classroom):
    old = classroom.join_code
    new = services.classroom_code_regenerate(classroom=classroom)
    assert new != old
    assert Classroom.objects.get(pk=classroom.pk).join_code == new
    assert classroom_by_code(old) is None
    assert classroom_by_code(new.lower()) == classroom


def test_codes_are_found_whatever_the_case_spaces_or_dashes(classroom):
    code = classroom.join_code
    typed = f" {code[:3].lower()}-{code[3:]} "
    assert code_key(typed) == code
    assert classroom_by_code(typed) == classroom
    assert classroom_by_code("") is None


def test_only_teachers_and_admins_create_classes(student):
    with pytest.raises(ValidationError):
        services.classroom_create(teacher=student, name="Mine")
    assert not Classroom.objects.exists()


def test_class_names_are_trimmed_and_must_not_be_blank(teacher):
    assert services.classroom_create(teacher=teacher, name="  Year   3  ").name == "Year 3"
    with pytest.raises(ValidationError):
        services.classroom_create(teacher=teacher, name="   ")


# --- Class accounts -----------------------------------------------------------------------------


def test_class_accounts_are_students_in_the_class_with_simple_hashed_passwords(classroom):
    accounts = services.class_accounts_create(
        classroom=classroom, names=["Li Wei", "  Zoë   Adams ", "", "王小明"]
    )
    assert [account.name for account in accounts] == ["Li Wei", "Zoë Adams", "王小明"]
    assert classroom.learners.count() == 3
    for account in accounts:
        user = User.objects.get(pk=account.user.pk)
        assert user.role == User.Role.STUDENT and user.is_class_account
        assert user.first_name == account.name and user.email == ""
        assert user.username == account.username
        # Stored only as a hash, and the hash matches what the card shows.
        assert account.password not in user.password
        assert check_password(account.password, user.password)
        assert PASSWORD_SHAPE.match(account.password)
        assert two_words(account.password)


def test_usernames_come_from_the_name_and_the_class_code(classroom):
    code = classroom.join_code.lower()
    accounts = services.class_accounts_create(
        classroom=classroom, names=["Li Wei", "Li-Wei", "Zoë", "王小明", "王小红"]
    )
    assert [account.username for account in accounts] == [
        f"liwei-{code}",
        f"liwei2-{code}",
        f"zoe-{code}",
        f"learner-{code}",
        f"learner2-{code}",
    ]


def test_usernames_stay_unique_across_the_platform(classroom):
    code = classroom.join_code.lower()
    # Someone signed up with the name the first account would get (in other case).
    factories.make_student(f"LiWei-{code.upper()}")
    first = services.class_accounts_create(classroom=classroom, names=["Li Wei"])
    second = services.class_accounts_create(classroom=classroom, names=["Li Wei"])
    usernames = {first[0].username, second[0].username}
    # The second is "Li Wei (2)" in the class; its username gets a separator before the number.
    assert usernames == {f"liwei2-{code}", f"liwei2_2-{code}"}
    assert User.objects.filter(username__iendswith=f"-{code}").count() == 3


def test_names_repeated_in_the_list_or_the_class_get_a_number(classroom):
    services.class_accounts_create(classroom=classroom, names=["Li Wei"])
    accounts = services.class_accounts_create(
        classroom=classroom, names=["li  wei", "Li Wei", "Li Wei (2)", "Sam"]
    )
    assert [account.name for account in accounts] == [
        "li wei (2)",
        "Li Wei (3)",
        "Li Wei (2) (2)",
        "Sam",
    ]
    keys = [name_key(user.first_name) for user in classroom.learners.all()]
    assert len(keys) == len(set(keys)) == 5


def test_distinct_names_keeps_the_first_and_numbers_the_rest():
    assert distinct_names(["A", "a", "B", "A"], {"b"}) == ["A", "a (2)", "B (2)", "A (3)"]


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ([], "at least one name"),
        (["", "   "], "at least one name"),
        ([f"Learner {i}" for i in range(101)], "At most 100 names"),
        (["Ann", "x" * 61], "longer than 60"),
        (["Ann", "Bo\u200bb"], "invisible characters"),
    ],
)
def test_bad_name_lists_are_refused_whole(classroom, names, message):
    with pytest.raises(ValidationError, match=message):
        services.class_accounts_create(classroom=classroom, names=names)
    assert not User.objects.filter(role=User.Role.STUDENT).exists()
    assert classroom.learners.count() == 0


def test_a_hundred_names_is_allowed(classroom):
    accounts = services.class_accounts_create(
        classroom=classroom, names=[f"Learner {i}" for i in range(100)]
    )
    assert len(accounts) == 100 == classroom.learners.count()
    assert len({account.username for account in accounts}) == 100


def test_a_failure_while_writing_leaves_no_account_behind(classroom, monkeypatch):
    """The third insert fails (as when someone took the username a moment earlier): the two
    accounts already written are rolled back with it, and the teacher gets a clear message."""
    real_save = User.save
    saved = []

    def failing_save(self, *args, **kwargs):
        if len(saved) == 2:
            raise IntegrityError("UNIQUE constraint failed: accounts_user.username")
        real_save(self, *args, **kwargs)
        saved.append(self.username)

    monkeypatch.setattr(User, "save", failing_save)
    with pytest.raises(ValidationError, match="nothing was saved"):
        services.class_accounts_create(classroom=classroom, names=["Ann", "Bob", "Cy", "Di"])
    monkeypatch.undo()
    assert len(saved) == 2
    assert not User.objects.filter(username__in=saved).exists()
    assert classroom.learners.count() == 0


def test_a_class_deleted_meanwhile_gets_no_accounts(classroom):
    Classroom.objects.filter(pk=classroom.pk).delete()
    with pytest.raises(ValidationError, match="no longer exists"):
        services.class_accounts_create(classroom=classroom, names=["Ann"])
    assert not User.objects.filter(first_name="Ann").exists()


def test_simple_passwords_vary():
    passwords = {services.simple_password() for _ in range(200)}
    assert len(passwords) > 190
    assert all(PASSWORD_SHAPE.match(password) and two_words(password) for password in passwords)


def test_the_word_list_is_short_lowercase_ascii_words_without_repeats():
    assert len(WORDS) >= 400
    assert len(set(WORDS)) == len(WORDS)
    assert all(re.fullmatch(r"[a-z]{3,6}", word) for word in WORDS)


# --- Password reset, removal --------------------------------------------------------------------


def test_a_class_account_gets_a_new_password_and_the_old_one_stops_working(classroom):
    (account,) = services.class_accounts_create(classroom=classroom, names=["Ann"])
    new = services.learner_password_reset(classroom=classroom, learner=account.user)
    user = User.objects.get(pk=account.user.pk)
    assert new.password != account.password
    assert user.check_password(new.password)
    assert not user.check_password(account.password)


def test_a_self_registered_learners_password_cannot_be_reset_by_a_teacher(classroom, student):
    classroom.learners.add(student)
    before = User.objects.get(pk=student.pk).password
    with pytest.raises(ValidationError, match="made this account themselves"):
        services.learner_password_reset(classroom=classroom, learner=student)
    assert User.objects.get(pk=student.pk).password == before


def test_a_password_is_reset_only_for_a_learner_of_the_class(classroom, teacher):
    other = factories.make_classroom(teacher, name="Other")
    (account,) = services.class_accounts_create(classroom=other, names=["Ann"])
    with pytest.raises(ValidationError, match="not in the class"):
        services.learner_password_reset(classroom=classroom, learner=account.user)


def test_removing_a_learner_keeps_the_account(classroom, student):
    classroom.learners.add(student)
    services.classroom_learner_remove(classroom=classroom, learner=student)
    assert classroom.learners.count() == 0
    assert User.objects.filter(pk=student.pk).exists()


# --- Courses ------------------------------------------------------------------------------------


def _course(owner, slug, *, published=True):
    from courses.services import course_create

    return course_create(
        owner=owner,
        slug=slug,
        title_en=slug.title(),
        title_zh=slug,
        age_band="9-11",
        is_published=published,
    )


def test_course_assignment_changes_only_the_offered_courses(classroom, teacher, other_teacher):
    mine, theirs = _course(teacher, "mine"), _course(other_teacher, "theirs")
    hidden = _course(other_teacher, "hidden-draft", published=False)
    classroom.courses.add(hidden)  # assigned earlier (e.g. by an admin): left alone
    services.classroom_courses_set(classroom=classroom, offered=[mine, theirs], chosen=[theirs])
    assert set(classroom.courses.all()) == {theirs, hidden}
    services.classroom_courses_set(classroom=classroom, offered=[mine, theirs], chosen=[])
    assert set(classroom.courses.all()) == {hidden}
    with pytest.raises(ValidationError):
        services.classroom_courses_set(classroom=classroom, offered=[mine], chosen=[theirs])


# --- Sign-up and joining ------------------------------------------------------------------------


def test_sign_up_makes_a_student_and_joins_the_class(classroom):
    user = services.learner_sign_up(
        username="mei",
        name=" Mei  Chen ",
        email="Mei@Example.COM",
        password="x",
        classroom=classroom,
    )
    assert user.role == User.Role.STUDENT and not user.is_class_account
    assert user.first_name == "Mei Chen" and user.email == "Mei@example.com"
    assert list(classroom.learners.all()) == [user]


def test_joining_twice_is_reported_and_teachers_cannot_join(classroom, student, other_teacher):
    assert services.classroom_join(learner=student, classroom=classroom) is True
    assert services.classroom_join(learner=student, classroom=classroom) is False
    with pytest.raises(ValidationError):
        services.classroom_join(learner=other_teacher, classroom=classroom)
    assert list(classroom.learners.all()) == [student]


def test_sign_in_candidates_match_without_case_or_spaces(classroom, student):
    accounts = services.class_accounts_create(classroom=classroom, names=["Li Wei", "Ann"])
    student.first_name = "LI WEI"
    student.save()
    classroom.learners.add(student)
    found = sign_in_candidates(classroom, " liwei ")
    assert {user.pk for user in found} == {accounts[0].user.pk, student.pk}
    assert sign_in_candidates(classroom, "") == []
