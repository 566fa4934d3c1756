"""rollback_process: terminate the current process and reopen the previous one with its earlier context."""

from __future__ import annotations

from kernel.engine import snapshots
from kernel.engine.rollback import rollback_first_step
from kernel.engine.transitions import change
from kernel.errors import KernelError, KernelErrorCode
from kernel.fsm import Action, State
from kernel.models import ContextSnapshot
from kernel.syscalls.base import Syscall, SyscallContext, SyscallResult
from kernel.syscalls.registry import register


@register
class RollbackProcess(Syscall):
    """Undo the last step: cancel the event's process, reopen ``previous`` (TERMINATED -> READY).

    A first step (no ``previous``) is handled by ``kernel.engine.rollback.rollback_first_step``.
    """

    name = "rollback_process"

    def check(self, call: SyscallContext) -> None:
        if call.params.get("to", "previous") != "previous":
            raise KernelError(
                KernelErrorCode.INVALID_PARAMS, "rollback_process: to must be previous"
            )

    def perform(self, call: SyscallContext) -> SyscallResult:
        run = call.run
        current = run.lock(call.process)
        if current.previous_id is None:
            return rollback_first_step(run, current)
        previous = run.get(current.previous_id)
        if previous.state != State.TERMINATED:
            raise KernelError(
                KernelErrorCode.ILLEGAL_TRANSITION, "the previous step is not terminated"
            )
        if current.state != State.TERMINATED:
            change(run, current, Action.CANCEL)
        # The context the previous step had when it handed over to the current one.
        snapshot = (
            ContextSnapshot.objects.filter(process=previous, created__lte=current.created_time)
            .order_by("-version")
            .first()
        )
        if snapshot is not None:
            snapshots.context_set(previous, dict(snapshot.data["variables"]), run=run)
        change(run, previous, Action.ROLLBACK)
        return SyscallResult(changed=[current, previous])
