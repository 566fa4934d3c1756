"""rollback_process on a first step (no ``previous``): back through its program, else start it again.

1. The step's program was started by a step (a called sub-program: its ``previous`` is the step
   whose completion called it). The program is cancelled with everything in it and that step
   is reopened with the context it had then; the caller keeps waiting, and completing the
   reopened step calls the sub-program afresh.
2. Otherwise (the first step of a top-level program) the step starts again: it is cancelled
   and a fresh process of the same service takes its place (same parent, program, caller,
   fan-out and entity, its variables, e.g. a fan-out ``item``). The fan-out join waits for the new one.
"""

from __future__ import annotations

from django.db.models import F

from kernel.engine import snapshots
from kernel.engine.run import Run
from kernel.errors import KernelError, KernelErrorCode
from kernel.fsm import Action, State
from kernel.models import ContextSnapshot, FanOut, Process
from kernel.syscalls.base import SyscallResult


def rollback_first_step(run: Run, current: Process) -> SyscallResult:
    """Roll back ``current``, which has no previous step (see the module docs)."""
    program = run.get(current.program_id)
    if program is not None and program.previous_id is not None:
        return _through_program(run, program)
    return _restart(run, current)


def _through_program(run: Run, program: Process) -> SyscallResult:
    from kernel.engine.cancel import cancel_with_descendants
    from kernel.engine.transitions import change

    previous = run.get(program.previous_id)
    if previous.state != State.TERMINATED:
        raise KernelError(
            KernelErrorCode.ILLEGAL_TRANSITION, "the step before the program is not terminated"
        )
    if program.state != State.TERMINATED:
        cancel_with_descendants(run, program)
    snapshot = (
        ContextSnapshot.objects.filter(process=previous, created__lte=program.created_time)
        .order_by("-version")
        .first()
    )
    if snapshot is not None:
        snapshots.context_set(previous, dict(snapshot.data["variables"]), run=run)
    change(run, previous, Action.ROLLBACK)
    return SyscallResult(changed=[program, previous], note="rolled back through the program")


def _restart(run: Run, current: Process) -> SyscallResult:
    from kernel.engine.joins import resources_release
    from kernel.engine.spawn import spawn
    from kernel.engine.transitions import change

    if current.state != State.TERMINATED:
        change(run, current, Action.CANCEL, fire=False)  # replaced, not ended: no join
        if current.service.requires:
            resources_release(run, current, consume=False)
    elif current.fanout_id is not None:  # it was counted as done: its replacement is not yet
        FanOut.objects.filter(pk=current.fanout_id).update(done=F("done") - 1)
    again = spawn(
        run,
        compiled=run.compiled(current),
        service=current.service,
        tenant_id=current.tenant_id,
        parent=run.processes.get(current.parent_id) or _ref(current.parent_id),
        program=run.get(current.program_id),
        caller=_ref(current.caller_id),
        entity_type_id=current.entity_type_id,
        entity_id=current.entity_id,
        fanout_id=current.fanout_id,
        context=dict(current.context or {}),
        priority=current.priority,
        assigned_role=current.assigned_role,
        scheduled_time=current.scheduled_time,
    )
    return SyscallResult(started=[again], changed=[current], note="started the step again")


def _ref(pk: int | None) -> Process | None:
    return Process(pk=pk) if pk is not None else None
