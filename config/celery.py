"""The Celery application. Every process sets DJANGO_SETTINGS_MODULE explicitly."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("qiming")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
