"""End to end: the repair_shop ``repair_job`` program from intake to the tree's termination."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from design.publish import revision_publish
from design.specs.validate import validate_folder
from kernel import services
from kernel.actions import notify_customer
from kernel.models import Decision, Process, Resource
from tests.kernel.helpers import live, operator

pytestmark = pytest.mark.django_db

ATTEMPTS: list[int] = []


def flaky_notify(process) -> None:
    """Fails on the first two attempts, then notifies for real."""
    ATTEMPTS.append(process.pk)
    if len(ATTEMPTS) <= 2:
        raise ConnectionError("SMS gateway down")
    notify_customer(process)


@pytest.fixture
def shop(repair_shop_spec_dir, settings):
    settings.ERPSYS = {
        **settings.ERPSYS,
        "ACTIONS": {"notify_customer": f"{__name__}.flaky_notify"},
    }
    ATTEMPTS.clear()
    revision, created = revision_publish(
        tenant="repair_shop", spec=validate_folder(repair_shop_spec_dir)
    )
    assert created
    customer = apps.get_model("repair_shop", "Customer").objects.create(
        full_name="Max Muster", phone="0301234567"
    )
    phone = apps.get_model("repair_shop", "DeviceType").objects.create(label="Phone")
    device = apps.get_model("repair_shop", "Device").objects.create(
        master=customer, device_type=phone, model_name="X1"
    )
    return customer, device


def test_repair_job_runs_every_instruction_to_termination(shop, django_capture_on_commit_callbacks):
    customer, device = shop
    ana, ben, chen, dora = (operator("repair_shop", n) for n in ("ana", "ben", "chen", "dora"))

    def act(call, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(**kwargs)

    job = act(
        services.process_start,
        tenant="repair_shop",
        program="repair_job",
        entity=customer,
        operator=ana,
    )
    intake = live(job, "intake_service")
    act(
        services.task_complete,
        process=intake,
        operator=ana,
        data={"device": device.pk, "notes": "cracked"},
    )
    intake.refresh_from_db()
    assert intake.record.device_id == device.pk and intake.record.master_id == customer.pk

    job.refresh_from_db()
    assert job.state == "WAITING"  # the caller waits for the diagnosis sub-program
    diagnosis = live(job, "diagnosis")
    assert diagnosis.caller_id == job.pk
    inspections = list(
        Process.objects.filter(parent=diagnosis, service__name="inspect").order_by("pid")
    )
    assert [p.state for p in inspections] == ["READY", "READY"]

    act(
        services.task_complete,
        process=inspections[0],
        operator=ben,
        data={"findings": "screen broken"},
    )
    assert not Process.objects.filter(service__name="write_quote").exists()  # join not reached yet
    act(
        services.task_complete,
        process=inspections[1],
        operator=chen,
        data={"findings": "battery ok"},
    )
    quote_task = live(job, "write_quote")
    assert quote_task.parent_id == diagnosis.pk

    act(
        services.task_complete,
        process=quote_task,
        operator=ben,
        data={
            "labour_hours": Decimal("2"),
            "hourly_rate": Decimal("60"),
            "parts_cost": Decimal("100"),
        },
    )
    job.refresh_from_db()
    diagnosis.refresh_from_db()
    assert diagnosis.state == "TERMINATED"
    assert job.state == "RUNNING" and job.context == {
        "total": 220
    }  # calling_return handed back total

    approve = live(job, "approve_quote")
    assert approve.parent_id == job.pk and approve.previous_id == diagnosis.pk
    from kernel.timers import timers_tick

    assert timers_tick(now=timezone.now() + timedelta(hours=3)) >= 1  # quote_overdue -> escalate
    approve.refresh_from_db()
    assert (approve.priority, approve.assigned_role) == (5, "manager")

    act(services.task_complete, process=approve, operator=ana, data={"labour_hours": Decimal("2")})
    decision = Decision.objects.get(process=approve)
    assert decision.state == "OPEN" and decision.decided_by == ["front_desk"]
    assert sorted(r.operand for r in decision.candidates.all()) == [
        "repair_device",
        "return_device",
    ]
    assert not Process.objects.filter(service__name="repair_device").exists()
    chosen = decision.candidates.get(operand="repair_device")
    act(services.decision_answer, decision=decision, rule=chosen, operator=ana)

    repair = live(job, "repair_device")

    def panels() -> Decimal:
        return Resource.objects.get(tenant__name="repair_shop", name="screen_panel").quantity

    before = panels()
    act(services.task_complete, process=repair, operator=ben, data={"work_done": "new screen"})
    assert panels() == before - 1

    invoice = live(job, "invoice_service")
    act(services.task_complete, process=invoice, operator=ana, data={"amount": Decimal("1500")})
    invoice.refresh_from_db()
    assert (invoice.priority, invoice.assigned_role) == (1, "manager")  # large_invoice escalation

    notify = Process.objects.get(root=job, service__name="notify_customer")
    assert len(ATTEMPTS) == 3 and notify.retry_count == 2 and notify.state == "TERMINATED"
    notification = apps.get_model("repair_shop", "Notification").objects.get(pid=notify)
    assert notification.sent is True

    back = live(job, "return_device")
    act(services.task_complete, process=back, operator=ana)
    states = set(Process.objects.filter(root=job).values_list("state", flat=True))
    job.refresh_from_db()
    assert states == {"TERMINATED"} and job.state == "TERMINATED"
    assert Process.objects.filter(root=job).count() == 10  # intake .. return_device
    assert dora.pk  # the manager is seeded by publish
