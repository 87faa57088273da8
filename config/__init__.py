"""Qiming's Django project package (settings, urls, wsgi/asgi, Celery app)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
