"""call_sub_service: start the operand as a child with its own context frame; the caller waits."""

from __future__ import annotations

from kernel.engine.context import child_variables
from kernel.engine.transitions import change
from kernel.fsm import Action, State
from kernel.models import Process
from kernel.syscalls.base import Syscall, SyscallContext, SyscallResult
from kernel.syscalls.registry import register


def caller_of(call: SyscallContext) -> Process:
    """Who waits: the event's process while it is alive, else (it completed) its program."""
    subject = call.process
    if subject.state != State.TERMINATED:
        return subject
    return call.program


@register
class CallSubService(Syscall):
    """Start the operand as a child process; the caller waits for its calling_return."""

    name = "call_sub_service"

    def check(self, call: SyscallContext) -> None:
        call.operand()

    def perform(self, call: SyscallContext) -> SyscallResult:
        caller = caller_of(call)
        # Wait first: a callee that returns at once must find its caller waiting.
        if caller.state == State.NEW:
            change(call.run, caller, Action.SCHEDULE, Action.WAIT)
        elif caller.state in (State.READY, State.RUNNING):
            change(call.run, caller, Action.WAIT)
        subject = call.process
        child = call.spawn(
            call.operand(),
            parent=caller,
            caller=caller,
            previous=None if subject is caller else subject,
            context=child_variables(caller.context or {}),
        )
        return SyscallResult(started=[child], changed=[caller])
