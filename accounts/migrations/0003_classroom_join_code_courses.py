from django.db import migrations, models

import accounts.models


def give_every_class_a_code(apps, schema_editor):
    """Existing classes get distinct codes one by one (a callable default runs only once)."""
    Classroom = apps.get_model("accounts", "Classroom")
    taken = set()
    for classroom in Classroom.objects.all():
        code = accounts.models.new_join_code()
        while code in taken:
            code = accounts.models.new_join_code()
        taken.add(code)
        classroom.join_code = code
        classroom.save(update_fields=["join_code"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_classroom"),
        ("courses", "0003_course_is_public"),
    ]

    operations = [
        migrations.AddField(
            model_name="classroom",
            name="join_code",
            field=models.CharField(editable=False, max_length=12, null=True, verbose_name="join code"),
        ),
        migrations.RunPython(give_every_class_a_code, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="classroom",
            name="join_code",
            field=models.CharField(
                default=accounts.models.new_join_code,
                editable=False,
                max_length=12,
                unique=True,
                verbose_name="join code",
            ),
        ),
        migrations.AddField(
            model_name="classroom",
            name="courses",
            field=models.ManyToManyField(
                blank=True, related_name="classrooms", to="courses.course", verbose_name="courses"
            ),
        ),
    ]
