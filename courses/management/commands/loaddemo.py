"""`manage.py loaddemo`: demo accounts, a class and a notebook exercise. Safe to run again."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Classroom, User
from courses import services
from courses.models import Exercise

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
# Demo logins for a local trial; printed by `make run`. Never used outside loaddemo.
DEMO_USERS = [
    ("student", "learn-with-qiming", User.Role.STUDENT),
    ("teacher", "teach-with-qiming", User.Role.TEACHER),
    ("admin", "admin-with-qiming", User.Role.ADMIN),
]
DEMO_EXERCISES = [("Problem set 1: how good is a guess?", "how_good_is_a_guess.ipynb")]


class Command(BaseCommand):
    help = "Create the demo accounts, class and exercises (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        users = {}
        for username, password, role in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username, defaults={"role": role})
            if created:
                user.set_password(password)
                user.is_staff = user.is_superuser = role == User.Role.ADMIN
                user.save()
            users[username] = user
        classroom, _ = Classroom.objects.get_or_create(name="Demo class", teacher=users["teacher"])
        classroom.learners.add(users["student"])
        for title, filename in DEMO_EXERCISES:
            if not Exercise.objects.filter(title=title, owner=users["teacher"]).exists():
                services.exercise_create_notebook(
                    owner=users["teacher"],
                    title=title,
                    source=(DEMO_DIR / filename).read_bytes(),
                    is_published=True,
                )
        logins = "Demo logins (username / password):\n" + "".join(
            f"  {role.label:<14} {username} / {password}\n"
            for username, password, role in DEMO_USERS
        )
        (Path(settings.VAR_DIR) / "demo_logins.txt").write_text(logins)
        self.stdout.write(logins)
