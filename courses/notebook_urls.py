from django.urls import path
from django.views.generic import TemplateView

app_name = "notebook"

# Placeholder route; the notebook exercise page replaces it.
urlpatterns = [
    path(
        "exercises/<int:exercise_id>/notebook/",
        TemplateView.as_view(template_name="home.html"),
        name="exercise",
    ),
]
