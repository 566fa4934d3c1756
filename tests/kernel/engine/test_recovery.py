"""A system action whose queued task was lost is sent again by the periodic sweep, exactly once."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from design.specs.model import ServiceSpec
from kernel.engine.recovery import actions_resend
from kernel.models import Effect, Process
from kernel.services import process_start
from tests.kernel.helpers import publish, rule, tiny_spec

pytestmark = pytest.mark.django_db(transaction=True)


def lost_action_spec():
    spec = tiny_spec(
        "t_recover",
        programs={"job": [rule("job", "started", "start_service", "ping")]},
        tasks=[],
    )
    spec.services.insert(
        0, ServiceSpec(name="ping", label="Ping", kind="system", action="remind_follow_up")
    )
    return spec


def test_lost_action_is_resent_once_after_the_grace_period(monkeypatch):
    publish(lost_action_spec())
    # The enqueue after commit is lost: on_commit callbacks of this start are dropped.
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: None)
    process_start(tenant="t_recover", program="job", entity=None)
    monkeypatch.undo()
    ping = Process.objects.get(tenant__name="t_recover", service__name="ping")
    assert ping.state == "RUNNING" and not Effect.objects.exists()

    assert actions_resend() == 0  # inside the grace period nothing is touched

    later = timezone.now() + timedelta(minutes=10)
    with transaction.atomic():
        assert actions_resend(now=later) == 1
    ping.refresh_from_db()
    assert ping.state == "TERMINATED"
    assert Effect.objects.filter(key__startswith=f"action:proc:{ping.pk}:").count() == 1

    with transaction.atomic():
        assert actions_resend(now=later + timedelta(minutes=10)) == 0  # nothing left to recover


def test_lost_fan_out_instruction_is_resent_from_the_outbox(monkeypatch):
    from kernel.engine.recovery import instructions_resend
    from kernel.models import PendingInstruction

    spec = tiny_spec(
        "t_outbox",
        programs={
            "job": [rule("job", "started", "start_parallel_service", "step", params={"threads": 2})]
        },
        tasks=["step"],
    )
    publish(spec)
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: None)
    job = process_start(tenant="t_outbox", program="job", entity=None)
    monkeypatch.undo()
    assert not Process.objects.filter(root_id=job.pk, service__name="step").exists()
    assert PendingInstruction.objects.count() == 1  # the lost message is on record

    later = timezone.now() + timedelta(minutes=10)
    with transaction.atomic():
        assert instructions_resend(now=later) == 1
    assert Process.objects.filter(root_id=job.pk, service__name="step").count() == 2
    assert not PendingInstruction.objects.exists()  # performed: out of the outbox

    with transaction.atomic():
        assert instructions_resend(now=later) == 0


def test_performed_instruction_leaves_no_outbox_row():
    from kernel.models import PendingInstruction

    spec = tiny_spec(
        "t_outbox2",
        programs={
            "job": [rule("job", "started", "start_parallel_service", "step", params={"threads": 2})]
        },
        tasks=["step"],
    )
    publish(spec)
    job = process_start(tenant="t_outbox2", program="job", entity=None)
    assert Process.objects.filter(root_id=job.pk, service__name="step").count() == 2
    assert not PendingInstruction.objects.exists()
