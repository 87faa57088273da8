"""Celery tasks of the courses app: thin, idempotent, each loads by id and calls a service."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import translation
from django.utils.translation import gettext as _

from courses.models import ValidationRun
from courses.publishing import runs


# On the grading queue (runs.validation_step_enqueue names it): it runs notebooks in the sandbox,
# so only the workers that grade may take it. One notebook grading per task, so the workers'
# time limits fit it as they fit a submission.
@shared_task(name="courses.validation_step", ignore_result=True)
def validation_step(run_id: int) -> None:
    try:
        runs.validation_step(run_id=run_id)
    except SoftTimeLimitExceeded:
        run = ValidationRun.objects.filter(pk=run_id).first()
        with translation.override(run.language if run else "en"):
            runs.validation_run_fail(
                run_id=run_id, reason=_("Checking a notebook took too long and was stopped.")
            )
