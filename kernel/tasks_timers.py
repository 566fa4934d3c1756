"""Celery tasks of the kernel's infrastructure: the periodic timer tick and a worker probe."""

from __future__ import annotations

from celery import shared_task

from kernel.effects import effect_once
from kernel.timers import timers_tick


@shared_task(name="kernel.tasks_timers.tick", ignore_result=True)
def tick() -> int:
    """Fire due timer events (scheduled every minute by django-celery-beat; safe to overlap)."""
    return timers_tick()


@shared_task(name="kernel.tasks_timers.worker_probe", acks_late=True)
def worker_probe(key: str) -> bool:
    """Claim the Effect ``key``: proves a worker runs tasks against the database (tests, health)."""
    return effect_once(key=key)
