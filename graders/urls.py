from django.urls import path

from graders import api

app_name = "graders"

urlpatterns = [
    path(
        "exercises/<int:exercise_id>/submissions/",
        api.ExerciseSubmissionsView.as_view(),
        name="exercise-submissions",
    ),
    path("submissions/<int:pk>/", api.SubmissionDetailView.as_view(), name="submission-detail"),
]
