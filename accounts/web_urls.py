from django.urls import path
from django.views.generic import TemplateView

app_name = "accounts"

# Placeholder routes so the base layout can link to them; the account pages replace them.
urlpatterns = [
    path("accounts/signup/", TemplateView.as_view(template_name="home.html"), name="signup"),
    path(
        "accounts/class-sign-in/",
        TemplateView.as_view(template_name="home.html"),
        name="class_sign_in",
    ),
    path("join/", TemplateView.as_view(template_name="home.html"), name="join"),
    path("classes/", TemplateView.as_view(template_name="home.html"), name="classes"),
]
