"""kernel.tasks_timers in a real Celery worker subprocess, on the PostgreSQL test database."""

from __future__ import annotations

import os
import uuid

import pytest

from kernel.models import Effect
from kernel.tasks_timers import tick, worker_probe
from tests.kernel.conftest import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def test_task_enqueued_here_runs_in_the_worker_and_writes_a_row(
    celery_worker_process, transactional_db
):
    from django.conf import settings

    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    key = f"probe:{uuid.uuid4()}"
    result = worker_probe.delay(key)
    assert result.id
    assert wait_for(lambda: Effect.objects.filter(key=key).exists()), (
        celery_worker_process.log_tail()
    )
    # Delivered once: a second probe with the same key is refused by the unique key.
    worker_probe.delay(key)
    marker = f"probe:{uuid.uuid4()}"
    worker_probe.delay(marker)
    assert wait_for(lambda: Effect.objects.filter(key=marker).exists())
    assert Effect.objects.filter(key=key).count() == 1
    assert celery_worker_process.alive()
    assert celery_worker_process.process.pid != os.getpid()


def test_beat_tick_task_is_registered_in_the_worker(celery_worker_process, transactional_db):
    from erpsys.celery import app

    registered = app.control.inspect(destination=[celery_worker_process.hostname]).registered()
    names = set(registered[celery_worker_process.hostname])
    assert {tick.name, worker_probe.name} <= names
