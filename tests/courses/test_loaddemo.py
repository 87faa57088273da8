"""`manage.py loaddemo`, run by `make run`: demo accounts, a class and an exercise, repeatable."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.models import Classroom, User
from courses.models import Exercise

pytestmark = pytest.mark.django_db


def test_loaddemo_creates_working_logins_a_class_and_a_published_exercise(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("loaddemo", stdout=out)
    for username, password in [("student", "learn-with-qiming"), ("teacher", "teach-with-qiming")]:
        assert authenticate(username=username, password=password) is not None
        assert f"{username} / {password}" in out.getvalue()
    assert (tmp_path / "demo_logins.txt").read_text() == out.getvalue()
    assert User.objects.get(username="admin").is_superuser
    classroom = Classroom.objects.get()
    assert list(classroom.learners.values_list("username", flat=True)) == ["student"]
    exercise = Exercise.objects.get()
    assert exercise.is_published and exercise.max_score == 10.0
    assert "BEGIN HIDDEN TESTS" not in str(exercise.released_notebook)


def test_loaddemo_twice_changes_nothing(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("loaddemo", stdout=StringIO())
    counts = (User.objects.count(), Classroom.objects.count(), Exercise.objects.count())
    call_command("loaddemo", stdout=StringIO())
    assert (User.objects.count(), Classroom.objects.count(), Exercise.objects.count()) == counts
