"""Celery tasks of the reports: thin and idempotent, each loads by id and calls a service."""

from celery import shared_task

from reports import export_jobs


@shared_task(name="reports.run_export", ignore_result=True, soft_time_limit=600, time_limit=660)
def run_export(job_id: int) -> None:
    """Write one export job's file. Delivered twice, the second finds it claimed: a no-op."""
    export_jobs.export_job_run(job_id=job_id)


@shared_task(name="reports.cleanup_exports", ignore_result=True)
def cleanup_exports() -> None:
    """Delete old export jobs (for a beat schedule; every run of an export also does this)."""
    export_jobs.exports_cleanup()
