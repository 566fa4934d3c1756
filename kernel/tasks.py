"""Celery tasks of the engine: queued instructions and system actions, each exactly once."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction


@shared_task(acks_late=True, name="kernel.action_run")
def action_run(*, pid: int, key: str) -> str:
    """Run one attempt of a system service's action (idempotent under redelivery)."""
    from kernel.engine.system import action_perform

    return action_perform(pid=pid, key=key)


@shared_task(acks_late=True, name="kernel.syscall_run")
def syscall_run(*, rule_id: int, pid: int, program_pid: int, event: str, occurrence: str) -> str:
    """Perform a queued instruction once per (rule, process, event occurrence)."""
    from kernel.effects import effect_key, effect_once
    from kernel.engine.incidents import attempt, incident_open
    from kernel.engine.run import Run
    from kernel.models import PendingInstruction
    from kernel.syscalls import SyscallContext, syscall_get

    key = effect_key(rule_id=rule_id, pid=pid, occurrence=occurrence)
    with transaction.atomic():
        if not effect_once(key=key):
            return "duplicate"
        PendingInstruction.objects.filter(key=key).delete()  # performed: leaves the outbox
        run = Run()
        process = run.get(pid)
        program = run.get(program_pid)
        rule = run.compiled(process).rules_by_id[rule_id]
        call = SyscallContext(
            run=run, rule=rule, process=process, program=program, event=event, occurrence=occurrence
        )
        failure = attempt(run, lambda: syscall_get(rule.instruction).perform(call))
        if failure is not None:
            incident_open(run, call, failure)
            return "failed"
        return "done"


try:  # the timers helper's periodic tick lives in its own module; import it so autodiscovery finds it
    from kernel import tasks_timers  # noqa: F401
except ImportError:  # pragma: no cover - until that module exists
    pass
