from django.urls import path
from django.views.generic import TemplateView

app_name = "learn"

# Placeholder routes so the base layout can link to them; the learner pages replace them.
urlpatterns = [
    path("courses/", TemplateView.as_view(template_name="home.html"), name="catalogue"),
    path("dashboard/", TemplateView.as_view(template_name="home.html"), name="dashboard"),
]
