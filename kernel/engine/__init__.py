"""The engine: process creation, transitions, the context stack, rule evaluation and dispatch.

``fire_event`` is the entry point of the timers (kernel/timers.py); everything else goes through
``kernel.services``.
"""

from __future__ import annotations

from django.db import transaction


def fire_event(*, process, event: str, occurrence: str) -> int:
    """Fire ``event`` (e.g. a timer event) for ``process``; return the number of rules run or queued.

    Opens its own transaction (a savepoint inside the caller's) and locks the process row.
    A TERMINATED process fires nothing.
    """
    from kernel.engine.rules import fire
    from kernel.engine.run import Run

    with transaction.atomic():
        run = Run()
        locked = run.lock(process)
        if locked.state == "TERMINATED":
            return 0
        return fire(run, locked, event, f"{event}:{occurrence}")
