"""On PostgreSQL, concurrent transactions racing for the last units: exactly the limit wins."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from kernel.models import Allocation, AllocationState, MaterialResource, Process
from kernel.resources import allocate, release

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def race(processes: list[Process], requirements_for) -> list[bool]:
    """Each process allocates in its own thread and transaction, all released at once."""
    barrier = threading.Barrier(len(processes))
    results: list[bool | BaseException] = [False] * len(processes)

    def run(index: int, process: Process) -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                results[index] = allocate(process=process, requirements=requirements_for(index))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate(processes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    return results  # type: ignore[return-value]


@pytest.mark.parametrize("name, limit", [("room", 2), ("scope", 1), ("botox", 3)])
def test_exactly_limit_winners(stock, make_process, name, limit):
    processes = [make_process() for _ in range(THREADS)]
    results = race(processes, lambda i: [(name, 1)])
    assert sum(results) == limit
    assert (
        Allocation.objects.filter(resource__name=name, state=AllocationState.HELD).count() == limit
    )


def test_material_cannot_be_oversold_across_completions(stock, make_process):
    processes = [make_process() for _ in range(THREADS)]
    results = race(processes, lambda i: [("botox", 1)])
    winners = [p for p, ok in zip(processes, results, strict=True) if ok]
    for p in winners:
        release(process=p, consume=True)
    assert MaterialResource.objects.get(name="botox").quantity == Decimal(0)
    assert sum(race([make_process() for _ in range(4)], lambda i: [("botox", 1)])) == 0


def test_opposite_request_orders_never_deadlock(stock, make_process):
    """Half ask (scope, room), half (room, scope); pk-ordered locks keep them from deadlocking."""
    processes = [make_process() for _ in range(THREADS)]
    results = race(
        processes,
        lambda i: [("scope", 1), ("room", 1)] if i % 2 else [("room", 1), ("scope", 1)],
    )
    # scope has capacity 1: exactly one process gets both; nobody holds half of a request.
    assert sum(results) == 1
    assert Allocation.objects.filter(state=AllocationState.HELD).count() == 2
