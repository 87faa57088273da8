from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0002_courses_units_lessons_quizzes"),
    ]

    operations = [
        migrations.AddField(
            model_name="course",
            name="is_public",
            field=models.BooleanField(
                default=False,
                help_text="Listed in every learner's catalogue, not only for assigned classes.",
                verbose_name="public",
            ),
        ),
    ]
