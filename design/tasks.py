"""Celery discovers the app's tasks here; the designer's live in ``design.ui.tasks``."""

from design.ui.tasks import design_job_run

__all__ = ["design_job_run"]
