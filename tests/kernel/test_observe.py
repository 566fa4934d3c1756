"""Kernel events for operations: each committed state change is a log line with its pid and
states, and an increment of ``kernel_transitions_total``; a rolled-back change is neither."""

from __future__ import annotations

import logging

import pytest
from django.apps import apps
from django.db import transaction
from prometheus_client import REGISTRY

from design.publish import revision_publish
from design.services import spec_load
from kernel import observe, services
from kernel.models import Process
from tests.kernel.helpers import live, operator

pytestmark = pytest.mark.django_db


def counted(action: str, state: str) -> float:
    assert observe.flush()  # the writer thread has counted everything committed so far
    labels = {"tenant": "clinic", "action": action, "state": state}
    return REGISTRY.get_sample_value("kernel_transitions_total", labels) or 0.0


@pytest.fixture
def clinic(clinic_spec_dir, django_capture_on_commit_callbacks):
    spec_load(folder=clinic_spec_dir)
    revision_publish(tenant="clinic")
    customer = apps.get_model("clinic", "Customer").objects.create(
        full_name="李女士", phone="13800000000"
    )

    def act(call, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(**kwargs)

    return customer, act


def start(customer, act) -> Process:
    """customer_service for ``customer``, started by 小林 (committed)."""
    return act(
        services.process_start,
        tenant="clinic",
        program="customer_service",
        entity=customer,
        operator=operator("clinic", "xiaolin"),
    )


def events(caplog) -> list[logging.LogRecord]:
    assert observe.flush()  # the writer thread has logged everything committed so far
    return [record for record in caplog.records if record.name == "kernel.events"]


def test_a_started_program_and_a_claimed_task_are_logged_with_pid_and_states(clinic, caplog):
    customer, act = clinic
    xiaolin = operator("clinic", "xiaolin")
    starts_before = counted("start", "RUNNING")
    with caplog.at_level(logging.INFO, logger="kernel.events"):
        program = start(customer, act)
        task = live(program, "new_appointment")
        started = {(r.pid, r.service, r.action) for r in events(caplog)}
        # written by the writer thread: the committing thread only handed them over
        assert {r.threadName for r in events(caplog)} == {"kernel-events"}
        assert (program.pk, "customer_service", "create") in started
        assert any(pid == task.pk and service == "new_appointment" for pid, service, _ in started)
        caplog.clear()

        act(services.task_claim, process=task, operator=xiaolin)
    changes = [(r.tenant, r.pid, r.from_state, r.to_state, r.action) for r in events(caplog)]
    # Claiming takes the task (it stays READY), then starts it: two changes, in order.
    assert changes == [
        ("clinic", task.pk, "READY", "READY", "claim"),
        ("clinic", task.pk, "READY", "RUNNING", "start"),
    ]
    assert Process.objects.get(pk=task.pk).state == "RUNNING"
    assert counted("start", "RUNNING") == starts_before + 1


def test_a_rolled_back_change_is_neither_logged_nor_counted(
    clinic, caplog, django_capture_on_commit_callbacks
):
    customer, act = clinic
    xiaolin = operator("clinic", "xiaolin")
    program = start(customer, act)
    task = live(program, "new_appointment")
    assert observe.flush()
    totals = {
        (sample.labels["action"], sample.labels["state"]): sample.value
        for metric in REGISTRY.collect()
        if metric.name == "kernel_transitions"
        for sample in metric.samples
        if sample.name == "kernel_transitions_total" and sample.labels["tenant"] == "clinic"
    }
    assert totals  # counted per tenant, action and state

    class Undo(Exception):
        pass

    caplog.clear()
    with (
        caplog.at_level(logging.INFO, logger="kernel.events"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        with pytest.raises(Undo), transaction.atomic():
            services.task_claim(process=task, operator=xiaolin)
            raise Undo
    assert callbacks == [] and events(caplog) == []
    for (action, state), value in totals.items():
        assert counted(action, state) == value
    assert Process.objects.get(pk=task.pk).operator_id is None


def test_metrics_show_the_kernel_transitions(clinic, admin_client):
    customer, act = clinic
    start(customer, act)
    assert observe.flush()
    body = admin_client.get("/metrics").content.decode()
    assert 'kernel_transitions_total{action="create",state="RUNNING",tenant="clinic"}' in body


def test_the_writer_outlives_a_batch_that_fails_and_keeps_the_order(monkeypatch, caplog):
    real_count = observe._count

    def count(tenant, action, state):
        if tenant == "boom":
            raise RuntimeError("counter broken")
        real_count(tenant, action, state)

    monkeypatch.setattr(observe, "_count", count)
    with caplog.at_level(logging.INFO, logger="kernel.events"):
        observe._writer.put([("boom", 1, "s", "", "READY", "create")])
        observe._writer.put(
            [("clinic", pid, "s", "READY", "RUNNING", "start") for pid in range(2, 6)]
        )
        assert observe.flush()
    lines = [r for r in caplog.records if r.name == "kernel.events"]
    assert [r.pid for r in lines if r.msg == "kernel transition"] == [2, 3, 4, 5]
    assert any("writing 1 events failed" in r.getMessage() for r in lines)
