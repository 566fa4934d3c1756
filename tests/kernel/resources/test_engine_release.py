"""Through the engine: what a task holds is released on completion, cancel, terminate and rollback,
kept across an escalation, and material is consumed only on completion; the ledger adds up."""

from __future__ import annotations

from decimal import Decimal

import pytest

from design.specs.model import EventSpec, RequirementSpec, ResourceSpec, TimerSpec
from kernel import services
from kernel.engine import fire_event
from kernel.models import Allocation, LedgerEntry, MaterialResource, Process
from kernel.resources import ledger_mismatches
from tests.kernel.helpers import complete, live, operator, publish, rule, start, tiny_spec

pytestmark = pytest.mark.django_db

T = "t_rel"
EVENTS = [
    EventSpec(name=name, label=name.title(), timer=TimerSpec(after="P1D", of="started"))
    for name in ("kill", "undo", "late")
]


@pytest.fixture
def shop():
    spec = tiny_spec(
        T,
        programs={
            "job": [
                rule("job", "started", "start_service", "a"),
                rule("a", "kill", "terminate_process", params={"scope": "self"}),
                rule("a", "undo", "rollback_process"),
                rule("a", "late", "escalate_process", params={"to": "boss"}),
            ]
        },
        tasks=["a"],
        events=EVENTS,
    )
    spec.resources = [
        ResourceSpec(name="room", label="Room", kind="equipment", capacity=1),
        ResourceSpec(name="botox", label="Botox", kind="material", unit="vial", quantity=5),
    ]
    spec.services[0].requires = [
        RequirementSpec(resource="room"),
        RequirementSpec(resource="botox", quantity=2),
    ]
    publish(spec)


def claimed() -> Process:
    """A new job whose step ``a`` Wanda claimed: RUNNING, holding the room and 2 botox."""
    a = live(start(T, "job"), "a")
    a = services.task_claim(process=a, operator=operator(T, "wanda"))
    assert a.state == "RUNNING"
    return a


def held(process: Process) -> dict[str, str]:
    return {
        a.resource.name: a.state
        for a in Allocation.objects.filter(process=process).select_related("resource")
    }


def stock() -> Decimal:
    return MaterialResource.objects.get(tenant__name=T, name="botox").quantity


def reasons(process: Process) -> list[tuple[str, str]]:
    return [
        (e.resource.name, e.reason)
        for e in LedgerEntry.objects.filter(process=process).select_related("resource")
    ]


def test_completion_releases_the_room_and_consumes_the_botox(shop):
    a = claimed()
    assert held(a) == {"room": "HELD", "botox": "HELD"}
    waiting = services.task_claim(process=live(start(T, "job"), "a"), operator=operator(T, "wanda"))
    assert waiting.state == "WAITING"  # the room is taken
    complete(a)
    assert held(a) == {"room": "RELEASED", "botox": "CONSUMED"}
    assert stock() == Decimal(3)
    assert sorted(reasons(a)) == [
        ("botox", "allocate"),
        ("botox", "consume"),
        ("botox", "release"),
        ("room", "allocate"),
        ("room", "release"),
    ]
    waiting.refresh_from_db()
    assert waiting.state == "RUNNING" and held(waiting) == {"room": "HELD", "botox": "HELD"}
    assert ledger_mismatches() == []


def test_cancel_releases_without_consuming(shop):
    a = claimed()
    services.task_cancel(process=a, operator=operator(T, "wanda"))
    assert held(a) == {"room": "RELEASED", "botox": "RELEASED"}
    assert stock() == Decimal(5)
    assert ("botox", "consume") not in reasons(a)
    assert ledger_mismatches() == []


def test_terminate_process_releases_without_consuming(shop):
    a = claimed()
    assert fire_event(process=a, event="kill", occurrence="k1") == 1
    a.refresh_from_db()
    assert a.state == "TERMINATED"
    assert held(a) == {"room": "RELEASED", "botox": "RELEASED"}
    assert stock() == Decimal(5)
    assert ledger_mismatches() == []


def test_rollback_releases_and_the_step_starts_again_holding_nothing(shop):
    a = claimed()
    fire_event(process=a, event="undo", occurrence="u1")
    a.refresh_from_db()
    assert a.state == "TERMINATED"
    assert held(a) == {"room": "RELEASED", "botox": "RELEASED"}
    again = Process.objects.filter(tenant__name=T, service__name="a", state="READY").get()
    assert held(again) == {}
    assert stock() == Decimal(5)
    again = services.task_claim(process=again, operator=operator(T, "wanda"))
    assert again.state == "RUNNING"  # the room came back: the new step gets it
    assert ledger_mismatches() == []


def test_escalation_keeps_the_resources_and_the_new_owner_consumes_them(shop):
    a = claimed()
    fire_event(process=a, event="late", occurrence="l1")
    a.refresh_from_db()
    assert (a.state, a.operator_id, a.assigned_role) == ("RUNNING", None, "boss")
    assert held(a) == {"room": "HELD", "botox": "HELD"}
    bea = operator(T, "bea")
    services.task_claim(process=a, operator=bea)
    complete(a, who="bea")
    assert held(a) == {"room": "RELEASED", "botox": "CONSUMED"}
    assert stock() == Decimal(3)
    releases = LedgerEntry.objects.filter(process=a, reason__in=["release", "consume"])
    assert {e.operator_id for e in releases} == {bea.pk}
    assert ledger_mismatches() == []


def test_material_is_consumed_only_on_completion(shop):
    a = claimed()
    assert stock() == Decimal(5)  # held, not used up
    services.task_suspend(process=a, operator=operator(T, "wanda"))
    assert stock() == Decimal(5) and held(a) == {"room": "HELD", "botox": "HELD"}
    services.task_resume(process=a, operator=operator(T, "wanda"))
    assert stock() == Decimal(5)
    complete(a)
    assert stock() == Decimal(3)
