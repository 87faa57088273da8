from django.urls import path

from teaching.views import exercise, gradebook, regrades, submission

app_name = "teaching"

# Under a class the teacher manages; accounts.web_urls has the class's own pages.
_CLASS = "classes/<int:pk>/gradebook/"

urlpatterns = [
    path(_CLASS, gradebook.gradebook, name="gradebook"),
    path(f"{_CLASS}export.csv", gradebook.gradebook_csv, name="gradebook_csv"),
    path(f"{_CLASS}learners/<int:learner_pk>/", gradebook.learner_history, name="learner_history"),
    path(f"{_CLASS}exercises/<int:exercise_id>/", exercise.class_exercise, name="class_exercise"),
    path(
        f"{_CLASS}exercises/<int:exercise_id>/settings/",
        exercise.settings_save,
        name="class_exercise_settings",
    ),
    path(
        f"{_CLASS}exercises/<int:exercise_id>/extensions/",
        exercise.extension_grant,
        name="extension_grant",
    ),
    path(
        f"{_CLASS}exercises/<int:exercise_id>/extensions/<int:learner_pk>/remove/",
        exercise.extension_remove,
        name="extension_remove",
    ),
    path(
        f"{_CLASS}exercises/<int:exercise_id>/regrade/",
        exercise.regrade_class,
        name="regrade_class",
    ),
    path(
        f"{_CLASS}submissions/<int:submission_id>/",
        submission.submission_page,
        name="submission",
    ),
    path(f"{_CLASS}submissions/<int:submission_id>/mark/", submission.mark, name="mark"),
    path(
        f"{_CLASS}submissions/<int:submission_id>/unmark/",
        submission.mark_clear,
        name="mark_clear",
    ),
    path("exercises/<int:exercise_id>/regrade/", exercise.regrade_everyone, name="regrade_all"),
    path("regrades/<int:pk>/", regrades.regrade_page, name="regrade"),
    path("regrades/<int:pk>/progress/", regrades.regrade_progress, name="regrade_progress"),
]
