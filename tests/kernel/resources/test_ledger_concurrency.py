"""On PostgreSQL, 8 OS processes drive tasks through the engine at once over an equipment of
capacity 2 and a material of 40 units: never more than 2 holders, stock never below 0, and the
ledger adds up (each entry's balance follows from the previous one, the sum is the balance)."""

from __future__ import annotations

import multiprocessing
import traceback
from decimal import Decimal

import pytest
from django.db import connections

from design.specs.model import RequirementSpec, ResourceSpec
from kernel.models import Allocation, LedgerEntry, MaterialResource, Process
from kernel.resources import ledger_mismatches
from tests.kernel.helpers import publish, rule, tiny_spec

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

T = "t_conc"
WORKERS = 8
JOBS_EACH = 6  # 48 jobs for 40 units of material: 8 must be left waiting


def worker(index: int, results) -> None:
    """One OS process: start and claim its jobs, and complete every running step it finds
    (a completion elsewhere may have woken a waiter into RUNNING); record what it saw."""
    try:
        from kernel import services
        from kernel.errors import KernelError
        from kernel.models import Allocation, MaterialResource, Operator, Process

        wanda = Operator.objects.get(tenant__name=T, name="wanda")
        seen = {"holders": 0, "stock": Decimal(999)}

        def look() -> None:
            seen["holders"] = max(
                seen["holders"],
                Allocation.objects.filter(
                    resource__tenant__name=T, resource__name="room", state="HELD"
                ).count(),
            )
            seen["stock"] = min(
                seen["stock"],
                MaterialResource.objects.get(tenant__name=T, name="botox").quantity,
            )

        def drain() -> None:
            while True:
                running = list(
                    Process.objects.filter(tenant__name=T, service__name="a", state="RUNNING")
                )
                if not running:
                    return
                for step in running:
                    try:
                        services.task_complete(process=step, operator=wanda)
                    except KernelError:  # another worker completed it first
                        pass
                    look()

        for _ in range(JOBS_EACH):
            job = services.process_start(tenant=T, program="job", entity=None)
            step = Process.objects.get(parent=job, service__name="a")
            services.task_claim(process=step, operator=wanda)
            look()
            drain()
        results.put((index, "ok", seen["holders"], str(seen["stock"])))
    except BaseException:  # noqa: BLE001 - reported to the parent
        results.put((index, "error", traceback.format_exc(), ""))
    finally:
        connections.close_all()


@pytest.fixture
def shop():
    spec = tiny_spec(
        T, programs={"job": [rule("job", "started", "start_service", "a")]}, tasks=["a"]
    )
    spec.resources = [
        ResourceSpec(name="room", label="Room", kind="equipment", capacity=2),
        ResourceSpec(name="botox", label="Botox", kind="material", quantity=40, minimum=5),
    ]
    spec.services[0].requires = [
        RequirementSpec(resource="room"),
        RequirementSpec(resource="botox", quantity=1),
    ]
    publish(spec)


def test_eight_processes_never_overbook_and_the_ledger_adds_up(shop):
    connections.close_all()  # the children must not share the parent's connection
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    children = [context.Process(target=worker, args=(i, results)) for i in range(WORKERS)]
    for child in children:
        child.start()
    reports = [results.get(timeout=600) for _ in children]
    for child in children:
        child.join(timeout=60)
    errors = [r[2] for r in reports if r[1] != "ok"]
    assert not errors, errors[0]
    assert all(child.exitcode == 0 for child in children)

    assert max(r[2] for r in reports) <= 2  # holders seen by anyone
    assert min(Decimal(r[3]) for r in reports) >= 0
    botox = MaterialResource.objects.get(tenant__name=T, name="botox")
    assert botox.quantity == 0  # all 40 were used, never more
    completed = Process.objects.filter(tenant__name=T, service__name="a", state="TERMINATED")
    assert completed.count() == 40
    assert Process.objects.filter(tenant__name=T, service__name="a", state="WAITING").count() == 8
    assert Allocation.objects.filter(resource__name="botox", state="CONSUMED").count() == 40
    assert Allocation.objects.filter(resource__name="room", state="HELD").count() == 0
    assert ledger_mismatches() == []
    for name, low, high in (("room", 0, 2), ("botox", 0, 40)):
        balance = None
        for entry in LedgerEntry.objects.filter(resource__name=name).order_by("pk"):
            expected = entry.quantity if balance is None else balance + entry.quantity
            assert entry.balance == expected, (name, entry.pk)
            assert low <= entry.balance <= high, (name, entry.pk, entry.balance)
            balance = entry.balance
        assert balance == (2 if name == "room" else 0)
