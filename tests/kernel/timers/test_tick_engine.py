"""timers_tick through the real engine: a published timer rule escalates a task exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from design.publish import revision_publish
from design.specs.model import (
    EventSpec,
    RoleSpec,
    RuleSpec,
    ServiceSpec,
    Spec,
    TenantSpec,
    TimerSpec,
)
from kernel.models import Process, TimerFiring
from kernel.services import process_start
from kernel.timers import timers_tick

pytestmark = pytest.mark.django_db


def spec() -> Spec:
    return Spec(
        tenant=TenantSpec(name="timer_shop", label="Timer shop", timezone="Asia/Shanghai"),
        services=[
            ServiceSpec(name="visit", label="Visit", roles=["desk"]),
            ServiceSpec(
                name="care",
                label="Care",
                rules=[
                    RuleSpec(
                        service="care",
                        event="started",
                        instruction="start_service",
                        operand="visit",
                    ),
                    RuleSpec(
                        service="visit",
                        event="overdue",
                        instruction="escalate_process",
                        params={"to": "manager", "priority": 5},
                    ),
                ],
            ),
        ],
        events=[
            EventSpec(name="overdue", label="Overdue", timer=TimerSpec(after="PT30M", of="started"))
        ],
        roles=[RoleSpec(name="desk", label="Desk"), RoleSpec(name="manager", label="Manager")],
    )


def test_timer_rule_escalates_once():
    revision_publish(tenant="timer_shop", spec=spec())
    program = process_start(tenant="timer_shop", program="care", entity=None)
    visit = Process.objects.get(program=program, service__name="visit")
    anchor = visit.start_time or visit.created_time
    assert timers_tick(now=anchor + timedelta(minutes=29)) == 0
    assert timers_tick(now=anchor + timedelta(minutes=30)) == 1
    visit.refresh_from_db()
    assert (visit.priority, visit.assigned_role) == (5, "manager")
    assert TimerFiring.objects.filter(process=visit, event_name="overdue").count() == 1
    # Later ticks (or a redelivered tick) never escalate again.
    assert timers_tick(now=anchor + timedelta(hours=5)) == 0
    visit.refresh_from_db()
    assert visit.priority == 5
