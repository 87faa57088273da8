# Existing lessons and exercises get the slugs and keys publishing matches drafts by.
# Self-contained on purpose: a migration must not depend on application code that may change.
# The rule is courses.publishing.keys.course_keys_ensure's: a slug of the title, unique in the
# course ("-2", "-3" … added), "lesson-<id>" / "exercise-<id>" when the title has no Latin text.

from django.db import migrations
from django.utils.text import slugify


def _key(title, fallback, taken, max_length):
    base = (slugify(title or "")[:max_length].strip("-_") or fallback)[:max_length]
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        suffix = f"-{number}"
        candidate = base[: max_length - len(suffix)] + suffix
    return candidate


def fill(apps, schema_editor):
    Course = apps.get_model("courses", "Course")
    Lesson = apps.get_model("courses", "Lesson")
    Exercise = apps.get_model("courses", "Exercise")
    for course in Course.objects.all():
        taken = set()
        lessons = Lesson.objects.filter(unit__course=course).order_by(
            "unit__position", "position", "pk"
        )
        for lesson in lessons:
            if lesson.slug and lesson.slug not in taken:
                taken.add(lesson.slug)
                continue
            lesson.slug = _key(lesson.slug or lesson.title_en, f"lesson-{lesson.pk}", taken, 80)
            taken.add(lesson.slug)
            lesson.save(update_fields=["slug"])
        taken = set()
        exercises = Exercise.objects.filter(lesson__unit__course=course).order_by(
            "lesson__unit__position", "lesson__position", "position", "pk"
        )
        for exercise in exercises:
            if exercise.key and exercise.key not in taken:
                taken.add(exercise.key)
                continue
            exercise.key = _key(
                exercise.key or exercise.title, f"exercise-{exercise.pk}", taken, 120
            )
            taken.add(exercise.key)
            exercise.save(update_fields=["key"])


class Migration(migrations.Migration):
    dependencies = [("courses", "0007_validation_runs")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
