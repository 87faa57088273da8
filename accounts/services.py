"""Writes for classes and accounts: keyword-only, each in one transaction, validating first.

Invalid requests raise django.core.exceptions.ValidationError with a message fit for the user and
change nothing.
"""

from __future__ import annotations

import os
import re
import secrets
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Classroom, User, new_join_code
from accounts.names import MAX_NAME_LENGTH, clean_name, distinct_names, has_control_characters
from accounts.selectors import name_keys_in
from accounts.words import WORDS

MAX_CLASS_ACCOUNTS = (
    100  # per request: hashing each password takes a noticeable fraction of a second
)
CODE_ATTEMPTS = (
    8  # a clash among ~887 million codes is rare; eight in a row means something is wrong
)


# --- Classes ------------------------------------------------------------------------------------


def _with_fresh_code(save) -> None:
    """Run `save(code)` with new codes until one is not taken (the database has the last word)."""
    for _attempt in range(CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                save(new_join_code())
            return
        except IntegrityError:
            continue
    raise ValidationError(_("Could not find a free class code. Please try again."))


def _clean_class_name(name: str) -> str:
    name = clean_name(name)
    if not name:
        raise ValidationError(_("Give the class a name."))
    if len(name) > 120:
        raise ValidationError(_("A class name can be at most 120 characters long."))
    return name


def classroom_create(*, teacher: User, name: str) -> Classroom:
    """A new class taught by `teacher`, with a code no other class has."""
    if not (teacher.is_teacher or teacher.is_platform_admin):
        raise ValidationError(_("Only teachers and administrators can create classes."))
    classroom = Classroom(teacher=teacher, name=_clean_class_name(name))

    def save(code: str) -> None:
        classroom.join_code = code
        classroom.save(force_insert=True)

    _with_fresh_code(save)
    return classroom


def classroom_rename(*, classroom: Classroom, name: str) -> Classroom:
    classroom.name = _clean_class_name(name)
    classroom.save(update_fields=["name"])
    return classroom


def classroom_code_regenerate(*, classroom: Classroom) -> str:
    """A new join code; the old one stops working at once (for joining and for signing in)."""

    def save(code: str) -> None:
        Classroom.objects.filter(pk=classroom.pk).update(join_code=code)
        classroom.join_code = code

    _with_fresh_code(save)
    return classroom.join_code


@transaction.atomic
def classroom_courses_set(*, classroom: Classroom, offered, chosen) -> None:
    """Assign exactly `chosen` among the `offered` courses; assignments outside `offered` (a
    course since unpublished, another teacher's draft an admin assigned) are left alone."""
    offered_ids = {course.pk for course in offered}
    chosen_ids = {course.pk for course in chosen}
    if not chosen_ids <= offered_ids:
        raise ValidationError(_("A chosen course cannot be assigned to this class."))
    classroom.courses.remove(*(offered_ids - chosen_ids))
    classroom.courses.add(*chosen_ids)


def classroom_learner_remove(*, classroom: Classroom, learner: User) -> None:
    """Take a learner out of the class. The account and its work stay; only membership ends."""
    classroom.learners.remove(learner)


def classroom_join(*, learner: User, classroom: Classroom) -> bool:
    """Add a learner to a class; False when they were in it already."""
    if not learner.is_student:
        raise ValidationError(_("Teachers and administrators cannot join a class as learners."))
    with transaction.atomic():
        if classroom.learners.filter(pk=learner.pk).exists():
            return False
        classroom.learners.add(learner)
    return True


# --- Class accounts -----------------------------------------------------------------------------


def simple_password() -> str:
    """Two different short words and two digits, e.g. "tigermango42" (see accounts/words.py)."""
    first = secrets.choice(WORDS)
    second = secrets.choice(WORDS)
    while second == first:
        second = secrets.choice(WORDS)
    return f"{first}{second}{secrets.randbelow(100):02d}"


def _hash_all(passwords: list[str]) -> list[str]:
    """Hash in a few threads: the hashers release the GIL, and a class of 30 would otherwise take
    30 times the deliberately slow hash in one request."""
    if len(passwords) < 2:
        return [make_password(password) for password in passwords]
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        return list(pool.map(make_password, passwords))


def _username_base(name: str) -> str:
    """The ASCII letters and digits of a name ("Zoë Li" → "zoeli"), or "learner" if none."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_name.lower())[:12] or "learner"


def _usernames_for(names: list[str], code: str) -> list[str]:
    """Usernames free across the platform: the name's letters and the class code, then a number
    when taken ("liwei-k7m2qp", "liwei2-k7m2qp"). Compared without case, as sign-up does."""
    suffix = f"-{code.lower()}"
    taken = {
        username.lower()
        for username in User.objects.filter(username__iendswith=suffix).values_list(
            "username", flat=True
        )
    }
    usernames = []
    for name in names:
        base = _username_base(name)
        # "liwei2" for a second Li Wei, but "liwei2_2" for a second "Li Wei (2)", not "liwei22".
        separator = "_" if base[-1].isdigit() else ""
        candidate, number = f"{base}{suffix}", 2
        while candidate in taken:
            candidate = f"{base}{separator}{number}{suffix}"
            number += 1
        taken.add(candidate)
        usernames.append(candidate)
    return usernames


def class_account_names_clean(raw_names: list[str]) -> list[str]:
    """The names as they will be stored; ValidationError naming every line that is not right."""
    names = [clean_name(name) for name in raw_names]
    names = [name for name in names if name]
    if not names:
        raise ValidationError(_("Write at least one name, one per line."))
    if len(names) > MAX_CLASS_ACCOUNTS:
        raise ValidationError(
            ngettext(
                "At most %(limit)d name at a time, please (you gave %(count)d).",
                "At most %(limit)d names at a time, please (you gave %(count)d).",
                MAX_CLASS_ACCOUNTS,
            )
            % {"limit": MAX_CLASS_ACCOUNTS, "count": len(names)}
        )
    errors = []
    for name in names:
        if len(name) > MAX_NAME_LENGTH:
            errors.append(
                _("“%(name)s…” is longer than %(limit)d characters.")
                % {"name": name[:20], "limit": MAX_NAME_LENGTH}
            )
        elif has_control_characters(name):
            errors.append(_("“%(name)s” contains invisible characters.") % {"name": name})
    if errors:
        raise ValidationError(errors)
    return names


@dataclass(frozen=True)
class NewAccount:
    """A learner's account as the teacher prints it. `password` exists only in memory."""

    user: User
    name: str
    username: str
    password: str


def class_accounts_create(*, classroom: Classroom, names: list[str]) -> list[NewAccount]:
    """Student accounts for `names`, all added to `classroom`, in one transaction: either every
    account exists afterwards or none does.

    Names already in the class, or repeated in the list, get a number ("Li Wei (2)") so that each
    learner can sign in with the class code and their name. No e-mail; the password is simple
    (simple_password()) and is returned, never stored in clear. Password validators are not
    applied: these passwords are short on purpose and protected by the sign-in limits.
    """
    names = class_account_names_clean(names)
    passwords = [simple_password() for _name in names]
    # The slow part, outside the transaction so no lock is held while hashing.
    hashes = _hash_all(passwords)
    try:
        with transaction.atomic():
            # Locks the class (on PostgreSQL) so two batches at once cannot both take "Li Wei".
            locked = Classroom.objects.select_for_update().filter(pk=classroom.pk).first()
            if locked is None:
                raise ValidationError(_("This class no longer exists."))
            names = distinct_names(names, name_keys_in(locked))
            usernames = _usernames_for(names, locked.join_code)
            accounts = []
            for name, username, password, encoded in zip(
                names, usernames, passwords, hashes, strict=True
            ):
                user = User(
                    username=username,
                    first_name=name,
                    role=User.Role.STUDENT,
                    is_class_account=True,
                    password=encoded,
                )
                user.save(force_insert=True)
                accounts.append(NewAccount(user, name, username, password))
            locked.learners.add(*(account.user for account in accounts))
    except IntegrityError as error:
        # Someone took one of the usernames between our check and the insert.
        raise ValidationError(
            _("The accounts could not be created just now; nothing was saved. Please try again.")
        ) from error
    return accounts


def learner_password_reset(*, classroom: Classroom, learner: User) -> NewAccount:
    """A new simple password for a class account in `classroom` (returned, stored only hashed).
    The learner's other sessions end, since Django ties sessions to the password hash."""
    if not learner.is_class_account:
        raise ValidationError(
            _("%(name)s made this account themselves; only they can change its password.")
            % {"name": learner.get_full_name() or learner.username}
        )
    if not classroom.learners.filter(pk=learner.pk).exists():
        raise ValidationError(_("This learner is not in the class."))
    password = simple_password()
    learner.set_password(password)
    learner.save(update_fields=["password"])
    return NewAccount(learner, learner.first_name, learner.username, password)


# --- Self sign-up -------------------------------------------------------------------------------


@transaction.atomic
def learner_sign_up(
    *, username: str, name: str, email: str, password: str, classroom: Classroom | None = None
) -> User:
    """A student account for someone aged 13 or more (the form checks the confirmation and the
    password validators), added to `classroom` when they gave its code."""
    user = User(
        username=username,
        first_name=clean_name(name),
        email=User.objects.normalize_email(email),
        role=User.Role.STUDENT,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    if classroom is not None:
        classroom.learners.add(user)
    return user
