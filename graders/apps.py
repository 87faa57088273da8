from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GradersConfig(AppConfig):
    name = "graders"
    verbose_name = _("Grading")
