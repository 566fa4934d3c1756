"""Design jobs: a row per generate / migrate / publish, run by a Celery task that writes its log as it goes."""

from __future__ import annotations

import logging
import traceback

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.models import Tenant
from design.models import DesignJob
from design.specs.errors import SpecInvalid
from design.ui import steps

log = logging.getLogger(__name__)


def job_start(*, tenant: Tenant, kind: str, user, allow_destructive: bool = False) -> DesignJob:
    """Create the job row and enqueue its task once the row is committed (eager: it runs now)."""
    from design.ui.tasks import design_job_run

    job = DesignJob.objects.create(
        tenant=tenant, kind=kind, user=user, allow_destructive=allow_destructive
    )
    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: design_job_run.delay(job_id=job.pk, language=language))
    return job


def _append(job: DesignJob, line: str) -> None:
    job.log = f"{job.log}{line}\n"
    DesignJob.objects.filter(pk=job.pk).update(log=job.log)


def job_run(job_id: int, language: str | None = None) -> str:
    """Run a queued job once, its log in ``language`` (the starter's); state and log tell the page."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return _job_run(job_id)


def _job_run(job_id: int) -> str:
    updated = DesignJob.objects.filter(pk=job_id, state=DesignJob.State.QUEUED).update(
        state=DesignJob.State.RUNNING
    )
    if not updated:
        return "not queued"
    job = DesignJob.objects.select_related("tenant", "user").get(pk=job_id)
    tenant = job.tenant.name
    say = lambda line: _append(job, str(line))  # noqa: E731 - a one-line logger
    state = DesignJob.State.DONE
    try:
        if job.kind == DesignJob.Kind.GENERATE:
            steps.generate(tenant, allow_destructive=job.allow_destructive, log=say)
        elif job.kind == DesignJob.Kind.MIGRATE:
            steps.migrate(tenant, log=say)
        else:
            steps.publish(tenant, user=job.user, log=say)
    except steps.StepRefused as exc:
        say(exc)
        state = DesignJob.State.FAILED
    except SpecInvalid as exc:
        for error in exc.errors:
            say(error)
        state = DesignJob.State.FAILED
    except Exception as exc:  # noqa: BLE001 - every failure ends up in the job's log
        log.exception("design job %s failed", job_id)
        say(_("Failed: %(error)s") % {"error": exc})
        say(traceback.format_exc(limit=3))
        state = DesignJob.State.FAILED
    DesignJob.objects.filter(pk=job.pk).update(state=state, finished=timezone.now())
    return state
