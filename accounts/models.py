import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Every person on Qiming. The role decides what they may see and do."""

    class Role(models.TextChoices):
        STUDENT = "student", _("Student")
        TEACHER = "teacher", _("Teacher")
        ADMIN = "admin", _("Administrator")
        # Sees the reports of one school (User.school), with its learners' names.
        SCHOOL_ADMIN = "school_admin", _("School administrator")

    role = models.CharField(
        _("role"), max_length=16, choices=Role.choices, default=Role.STUDENT, db_index=True
    )
    # Accounts a teacher made for a class (young learners, no e-mail). Their teacher may reset the
    # password; a self-registered learner's password is theirs alone, or a teacher could take over
    # an adult's account by joining them to a class.
    is_class_account = models.BooleanField(
        _("class account"),
        default=False,
        help_text=_("Created by a teacher for a class; the teacher can reset its password."),
    )
    # The school a school administrator reports on (and, optionally, a teacher's or learner's
    # school). Learners are counted in a school through their classes (Classroom.school).
    school = models.ForeignKey(
        "accounts.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("school"),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_student(self) -> bool:
        return self.role == self.Role.STUDENT

    @property
    def is_teacher(self) -> bool:
        return self.role == self.Role.TEACHER

    @property
    def is_platform_admin(self) -> bool:
        return self.role == self.Role.ADMIN or self.is_superuser

    @property
    def is_school_admin(self) -> bool:
        return self.role == self.Role.SCHOOL_ADMIN and self.school_id is not None


class School(models.Model):
    """A school, college or other organisation whose classes learn on Qiming."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# No 0/O or 1/I/L: young learners copy the code from a board or a printed sheet.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    """A random class code (31^6 ≈ 887 million codes: unguessable enough with rate limits)."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


class Classroom(models.Model):
    """A teacher's class. Teachers see the work of the learners in their classes; learners see
    the courses assigned to their classes (besides the public catalogue)."""

    name = models.CharField(_("name"), max_length=120)
    # Learners join with it and young learners sign in with it; unique across the platform.
    join_code = models.CharField(
        _("join code"), max_length=12, unique=True, default=new_join_code, editable=False
    )
    courses = models.ManyToManyField(
        "courses.Course", related_name="classrooms", blank=True, verbose_name=_("courses")
    )
    teacher = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="classrooms_taught", verbose_name=_("teacher")
    )
    # Reports group classes by school; a class of no school counts only in platform-wide totals.
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="classrooms",
        verbose_name=_("school"),
    )
    learners = models.ManyToManyField(
        User, related_name="classrooms", blank=True, verbose_name=_("learners")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class SignInFailure(models.Model):
    """One failed sign-in (or join-code) attempt, counted against each key it concerns.

    In the database rather than a per-process cache so that every web host sees the same counts.
    The key is an HMAC of scope and value (accounts/throttle.py): no IP address or learner's name is
    stored in clear. Rows older than the longest window are deleted as new ones arrive.
    """

    scope = models.CharField(_("scope"), max_length=16)
    key = models.CharField(_("key"), max_length=64)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        indexes = [models.Index(fields=["key", "created_at"], name="signinfailure_key_time")]

    def __str__(self) -> str:
        return f"{self.scope} {self.created_at:%Y-%m-%d %H:%M:%S}"
