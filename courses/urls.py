from django.urls import path

from courses import api

app_name = "courses"

urlpatterns = [
    path(
        "exercises/<int:exercise_id>/answers/",
        api.ExerciseAnswersView.as_view(),
        name="exercise-answers",
    ),
]
