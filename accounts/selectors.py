"""Reads for classes and learners, scoped to who is asking.

A teacher manages only their own classes; a platform admin manages every class. Anyone else
manages none. A class that is not the asker's is "not found" rather than "forbidden", so class ids
reveal nothing.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Classroom, User
from accounts.names import code_key, name_key
from courses.models import Course
from courses.selectors import courses_visible_to


def can_manage_classes(user) -> bool:
    return bool(getattr(user, "is_teacher", False) or getattr(user, "is_platform_admin", False))


def classrooms_managed_by(user) -> QuerySet[Classroom]:
    """The classes `user` may see and change, with `learner_count`."""
    classrooms = Classroom.objects.select_related("teacher").annotate(
        learner_count=Count("learners", distinct=True)
    )
    if getattr(user, "is_platform_admin", False):
        return classrooms
    if getattr(user, "is_teacher", False):
        return classrooms.filter(teacher=user)
    return classrooms.none()


def classroom_managed_by(user, pk: int) -> Classroom:
    """One class `user` manages; Http404 for any other."""
    return get_object_or_404(classrooms_managed_by(user), pk=pk)


def learners_of(classroom: Classroom) -> QuerySet[User]:
    return classroom.learners.order_by("first_name", "username")


def learner_in(classroom: Classroom, pk: int) -> User:
    """A learner of this class; Http404 for anyone else, so other accounts cannot be probed."""
    return get_object_or_404(classroom.learners.all(), pk=pk)


def classroom_by_code(code: str) -> Classroom | None:
    """The class with this join code, however it was typed; None when there is none."""
    key = code_key(code)
    if not key:
        return None
    return Classroom.objects.filter(join_code=key).first()


def assignable_courses(user) -> QuerySet[Course]:
    """Published courses `user` may assign to a class."""
    return courses_visible_to(user).filter(is_published=True).order_by("title_en", "id")


def sign_in_candidates(classroom: Classroom, name: str) -> list[User]:
    """Active learners of the class whose name matches `name` without case or spaces.

    Compared in Python: the normalisation (NFKC, casefold) differs between databases in SQL, and
    a class is small. Usually one match; self-registered learners who joined may share a name.
    """
    key = name_key(name)
    if not key:
        return []
    learners = classroom.learners.filter(is_active=True, role=User.Role.STUDENT).order_by("pk")
    return [
        learner
        for learner in learners.only("pk", "username", "first_name", "last_name")
        if key in {name_key(learner.first_name), name_key(learner.get_full_name())}
    ]


def name_keys_in(classroom: Classroom) -> set[str]:
    """The names already used in a class, as name_key()s (for giving new learners distinct ones)."""
    names = set()
    for first, last in classroom.learners.values_list("first_name", "last_name"):
        names.add(name_key(first))
        names.add(name_key(f"{first} {last}"))
    names.discard("")
    return names
