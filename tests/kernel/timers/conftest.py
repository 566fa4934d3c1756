"""Factories for timer tests: a published revision with timer events, and a recording fire_event."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from core.models import Tenant
from kernel.models import EventDef, Process, ProcessState, Revision, RuleDef, ServiceDef

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """An aware datetime in the clinic's zone, e.g. at("2026-01-01 08:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


class Recorder:
    """Stands in for kernel.engine.fire_event; thread-safe, can be told to fail."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, str, str]] = []
        self.fail = False
        self._lock = threading.Lock()

    def __call__(self, *, process, event: str, occurrence: str) -> None:
        if self.fail:
            raise RuntimeError("engine failed")
        with self._lock:
            self.calls.append((process.pk, event, occurrence))


@pytest.fixture
def fired(monkeypatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr("kernel.engine.fire_event", recorder, raising=False)
    return recorder


@pytest.fixture
def published(db):
    """Revision 1 of a clinic-like tenant: a program whose follow-up listens to three timers."""
    tenant = Tenant.objects.create(name="timer_clinic", label="诊所", timezone="Asia/Shanghai")
    revision = Revision.objects.create(tenant=tenant, number=1, spec_hash="a" * 64)
    services = {
        name: ServiceDef.objects.create(revision=revision, name=name, label=name)
        for name in ("follow_up", "appointment", "reception")
    }
    events = {
        "overdue": {"after": "PT30M", "of": "scheduled_time"},
        "stale": {"after": "PT2H", "of": "started"},
        "daily": {"cron": "0 9 * * *"},
        "every_minute": {"cron": "* * * * *"},
        "unheard": {"after": "PT1M", "of": "started"},  # no rule listens to it
    }
    for name, timer in events.items():
        EventDef.objects.create(revision=revision, name=name, label=name, timer=timer)
    EventDef.objects.create(revision=revision, name="big", label="big", expression="form.x > 1")
    rules = [
        ("appointment", "overdue"),
        ("appointment", "stale"),
        ("follow_up", "daily"),
        ("reception", "every_minute"),
    ]
    for order, (service, event) in enumerate(rules):
        RuleDef.objects.create(
            revision=revision,
            program="clinic_program",
            service=service,
            event=event,
            instruction="escalate_process",
            order=order,
        )

    def start(service: str, *, started: datetime, state=ProcessState.RUNNING, **extra) -> Process:
        return Process.objects.create(
            tenant=tenant,
            revision=revision,
            service=services[service],
            state=state,
            start_time=started,
            **extra,
        )

    return start
