"""Celery tasks of the designer (eager in the embedded default: they run at once)."""

from celery import shared_task


@shared_task(name="design.job_run")
def design_job_run(*, job_id: int, language: str | None = None) -> str:
    from design.ui.jobs import job_run

    return job_run(job_id, language)
