from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CourseVersion(models.Model):
    """What a course was when it was published: an immutable snapshot, numbered 1, 2, 3 …

    The snapshot holds everything learners saw and were graded against (texts, quiz specs,
    source notebooks, asset checksums), in the shape of the course folder format. Services only
    ever create versions; nothing updates or deletes one while learners' work refers to it.
    """

    course = models.ForeignKey(
        "courses.Course",
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name=_("course"),
    )
    number = models.PositiveIntegerField(_("number"))
    snapshot = models.JSONField(_("snapshot"))
    sha256 = models.CharField(_("SHA-256 of the snapshot"), max_length=64)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("course version")
        verbose_name_plural = _("course versions")
        ordering = ["course_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="course_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.course} v{self.number}"
