"""start_service: start the operand as a sibling of the event's process (a child on the program's own event)."""

from __future__ import annotations

from kernel.errors import KernelError, KernelErrorCode
from kernel.models import Process
from kernel.syscalls.base import Syscall, SyscallContext, SyscallResult
from kernel.syscalls.registry import register


@register
class StartService(Syscall):
    """Start the operand as a sibling process (same parent); on the program's own event, as its child."""

    name = "start_service"

    def check(self, call: SyscallContext) -> None:
        call.operand()
        operator = call.params.get("operator")
        if operator is not None and not isinstance(operator, str):
            raise KernelError(
                KernelErrorCode.INVALID_PARAMS, "start_service: operator must be a string"
            )

    def perform(self, call: SyscallContext) -> SyscallResult:
        subject = call.process
        own_event = subject is call.program
        operator = call.params.get("operator")
        kwargs = {}
        if operator == "same":
            kwargs["operator_id"] = subject.operator_id
        elif operator and operator != "any":
            kwargs["assigned_role"] = operator
        caller_id = None if own_event else subject.caller_id
        child = call.spawn(
            call.operand(),
            parent=call.sibling_parent(),
            previous=None if own_event else subject,
            caller=Process(pk=caller_id) if caller_id else None,
            context=dict(subject.context or {}) if not own_event else None,
            **kwargs,
        )
        return SyscallResult(started=[child])
