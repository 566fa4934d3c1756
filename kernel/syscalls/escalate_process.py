"""escalate_process: raise the priority and hand the task to a higher role or a named operator."""

from __future__ import annotations

from kernel.engine.transitions import change
from kernel.errors import KernelError, KernelErrorCode
from kernel.fsm import Action, State
from kernel.models import Operator, Role
from kernel.syscalls.base import Syscall, SyscallContext, SyscallResult
from kernel.syscalls.registry import register


@register
class EscalateProcess(Syscall):
    """Raise ``priority`` (by params.priority, default 1) and reassign to ``to`` (a role or an operator)."""

    name = "escalate_process"

    def check(self, call: SyscallContext) -> None:
        raise_by = call.params.get("priority", 1)
        if not isinstance(raise_by, int) or isinstance(raise_by, bool):
            raise KernelError(
                KernelErrorCode.INVALID_PARAMS, "escalate_process: priority must be an integer"
            )
        if not call.params.get("to"):
            raise KernelError(KernelErrorCode.INVALID_PARAMS, "escalate_process needs to")

    def perform(self, call: SyscallContext) -> SyscallResult:
        process = call.run.lock(call.process)
        if process.state in (State.TERMINATED, State.ERROR):
            return SyscallResult(note="nothing to escalate")
        target = call.params["to"]
        tenant_id = process.tenant_id
        fields = {"priority": process.priority + call.params.get("priority", 1)}
        operator = Operator.objects.filter(tenant_id=tenant_id, name=target).first()
        if operator is not None:
            fields["operator"] = operator
        elif Role.objects.filter(tenant_id=tenant_id, name=target).exists():
            fields["assigned_role"] = target
            fields["operator"] = None
        else:
            raise KernelError(
                KernelErrorCode.NOT_FOUND, f"escalate_process: no role or operator {target!r}"
            )
        change(call.run, process, Action.SHIFT, **fields)
        return SyscallResult(changed=[process], note=f"escalated to {target}")
