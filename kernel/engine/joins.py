"""Joins after termination: fan-out progress (children_completed) and resources freed to waiters;
stock that fell below its minimum (low_stock)."""

from __future__ import annotations

from kernel.engine.run import Run
from kernel.models import FanOut, Process


def fanout_child_done(run: Run, process: Process) -> None:
    """Count a finished fan-out child: start the next item of an iteration, or fire the join."""
    from kernel.engine import rules

    fanout = FanOut.objects.select_for_update().get(pk=process.fanout_id)
    fanout.done += 1
    if fanout.mode == FanOut.Mode.ITERATION and fanout.started < fanout.total:
        from kernel.syscalls.start_iteration_service import iteration_next

        fanout.save(update_fields=["done"])
        iteration_next(run, fanout=fanout, previous=process)
        return
    fanout.save(update_fields=["done"])
    if fanout.done < fanout.total:
        return
    occurrence = f"children_completed:fanout:{fanout.pk}"
    rules.fire(run, process, "children_completed", occurrence)
    parent = run.get(fanout.parent_id)
    if (
        parent is not None
        and parent.service is not None
        and parent.service.name != process.service.name
    ):
        rules.fire(run, parent, "children_completed", occurrence)


def resources_release(run: Run, process: Process, *, consume: bool) -> None:
    """Release (or consume) what the process held, then start processes waiting for it."""
    from kernel.engine.transitions import wake
    from kernel.resources import release, waiting_for

    freed = release(process=process, consume=consume)
    if not freed:
        return
    run.flush()  # the waiters are read from the table: it must show this run's changes
    for waiter in waiting_for(tenant=process.tenant_id, resources=freed):
        wake(run, waiter)


def low_stock_fire(run: Run, process: Process, resources: list) -> None:
    """``process`` took the units that put each of ``resources`` below its minimum: send the
    ``low_stock`` signal and fire the built-in event ``low_stock`` of the process (once per
    resource and state change), so a rule can start a re-order service."""
    from kernel.engine import rules
    from kernel.resources.ledger import balance_of
    from kernel.resources.stock import low_stock

    for resource in resources:
        low_stock.send(
            sender=type(resource),
            resource=resource,
            balance=balance_of(resource),
            process=process,
            operator=process.operator,
        )
        rules.fire(run, process, "low_stock", f"low_stock:{resource.pk}:{process.seq}")
