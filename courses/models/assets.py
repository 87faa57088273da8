from django.db import models
from django.utils.translation import gettext_lazy as _


class CourseAsset(models.Model):
    """An image or small data file that belongs to a course, kept in the database.

    In the database, not on disk: web hosts share nothing but the database, so every host can
    serve every course's pictures. Lessons and quiz options refer to an asset by `name`, its path
    inside the course folder's assets/ directory (`robot.svg`, `data/fruit.csv`). The content is
    checked by courses.asset_services before it is stored (allowed types, size cap, and that the
    bytes really are what the name says).
    """

    course = models.ForeignKey(
        "courses.Course",
        on_delete=models.CASCADE,
        related_name="assets",
        verbose_name=_("course"),
    )
    name = models.CharField(_("name"), max_length=200)
    content = models.BinaryField(_("content"))
    # The media type without parameters ("text/csv"); the view adds the charset for text.
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    # Hex SHA-256 of `content`: the ETag, and how an import tells an unchanged file.
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("course asset")
        verbose_name_plural = _("course assets")
        ordering = ["course_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["course", "name"], name="course_asset_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.course.slug}/{self.name}"
