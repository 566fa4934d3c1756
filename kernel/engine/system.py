"""System services: queue the registered action after commit, run it exactly once, complete or fail."""

from __future__ import annotations

import logging

from django.db import transaction

from kernel.models import Process

log = logging.getLogger(__name__)


def action_key(process: Process) -> str:
    """The idempotency key of one attempt of a system service's action."""
    return f"action:proc:{process.pk}:try:{process.retry_count}"


def action_enqueue(process: Process, *, countdown: float | None = None) -> None:
    """Queue the action of a RUNNING system process after the current transaction commits."""
    from kernel.tasks import action_run

    pid, key = process.pk, action_key(process)
    options = {"countdown": countdown} if countdown else {}
    transaction.on_commit(
        lambda: action_run.apply_async(kwargs={"pid": pid, "key": key}, **options)
    )


def action_perform(*, pid: int, key: str) -> str:
    """Run one attempt: claim ``key``, run the action, complete (or fail) the process, in ONE transaction."""
    from kernel.actions import action_get
    from kernel.effects import effect_once
    from kernel.engine.run import Run, engine_saving
    from kernel.engine.transitions import change
    from kernel.errors import KernelError
    from kernel.fsm import Action, State

    with transaction.atomic():
        if not effect_once(key=key):
            return "duplicate"
        run = Run()
        process = run.get(pid)
        if process.state != State.RUNNING:
            return "skipped"
        try:
            action = action_get(process.service.action or "")
            with transaction.atomic(), engine_saving():
                action(process)
        except KernelError as exc:
            log.warning("system action of process %s: %s", pid, exc)
            change(run, process, Action.FAIL)
            return "failed"
        except Exception as exc:  # the action is platform code; its failure fails the process
            log.warning("system action of process %s raised: %r", pid, exc)
            change(run, process, Action.FAIL)
            return "failed"
        change(run, process, Action.COMPLETE)
        return "completed"
