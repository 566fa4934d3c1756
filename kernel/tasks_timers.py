"""Celery tasks of the kernel's infrastructure: the periodic timer tick and a worker probe."""

from __future__ import annotations

from celery import shared_task

from kernel.effects import effect_once
from kernel.timers import timers_tick


@shared_task(name="kernel.tasks_timers.tick", ignore_result=True)
def tick() -> int:
    """Fire due timer events and re-send lost system actions (every minute by django-celery-beat)."""
    from django.db import transaction

    from kernel.engine.recovery import actions_resend, instructions_resend

    fired = timers_tick()
    with transaction.atomic():  # the re-sent work is queued when this commits
        actions_resend()
        instructions_resend()
    return fired


@shared_task(name="kernel.tasks_timers.worker_probe", acks_late=True)
def worker_probe(key: str) -> bool:
    """Claim the Effect ``key``: proves a worker runs tasks against the database (tests, health)."""
    return effect_once(key=key)
