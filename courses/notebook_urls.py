from django.urls import path

from courses.views.notebook import actions, page, status

app_name = "notebook"

# The notebook exercise page and what its script (or its plain forms) send.
urlpatterns = [
    path("exercises/<int:exercise_id>/notebook/", page.exercise_page, name="exercise"),
    path("exercises/<int:exercise_id>/notebook/draft/", actions.draft_save, name="draft"),
    path("exercises/<int:exercise_id>/notebook/runs/", actions.run_create, name="runs"),
    path("exercises/<int:exercise_id>/notebook/runs/<int:run_id>/", status.run_status, name="run"),
    path("exercises/<int:exercise_id>/notebook/upload/", actions.upload, name="upload"),
    path("exercises/<int:exercise_id>/notebook/download/", actions.download, name="download"),
]
