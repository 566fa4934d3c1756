"""calling_return: finish the current call, hand the record's ``returns`` back and wake the caller."""

from __future__ import annotations

from typing import Any

from kernel.engine import snapshots
from kernel.engine.namespace import record_of, row_mapping
from kernel.engine.transitions import change, wake
from kernel.errors import KernelError, KernelErrorCode
from kernel.fsm import Action, State, can
from kernel.syscalls.base import Syscall, SyscallContext, SyscallResult
from kernel.syscalls.registry import register


def returns_of(call: SyscallContext) -> dict[str, Any]:
    """The ``returns`` fields of the event process's record (missing fields are None)."""
    names = call.params.get("returns") or []
    if not names:
        return {}
    record = record_of(call.process)
    values: dict[str, Any] = {}
    for name in names:
        value = getattr(record, name, None) if record is not None else None
        if hasattr(value, "all") and callable(value.all):  # a multiple reference: its rows
            value = [row_mapping(row, depth=0) for row in value.all().order_by("pk")]
        values[name] = value
    return values


def members_live(run, program) -> list:
    """The program's live member processes, locked (none or one query)."""
    from kernel.models import Process

    known = run.live_members(program)
    if known is not None:
        return known
    run.flush()
    pids = list(
        Process.objects.filter(program=program)
        .exclude(state=State.TERMINATED)
        .exclude(pk=program.pk)
        .values_list("pk", flat=True)
    )
    return [run.get(pid) for pid in pids]


@register
class CallingReturn(Syscall):
    """Terminate this call (the called process chain, or the sub-program) and resume the caller."""

    name = "calling_return"

    def check(self, call: SyscallContext) -> None:
        returns = call.params.get("returns", [])
        if not isinstance(returns, list) or not all(isinstance(n, str) for n in returns):
            raise KernelError(
                KernelErrorCode.INVALID_PARAMS, "calling_return: returns must be a list of names"
            )

    def perform(self, call: SyscallContext) -> SyscallResult:
        run = call.run
        subject = call.process
        # A called sub-program returns as a whole. In a program nobody called, a process started
        # by call_sub_service (or a sibling continuing its chain) returns to its own caller.
        program = call.program
        if program.caller_id is None and subject.caller_id is not None:
            callee = subject
        else:
            callee = program
        values = returns_of(call)
        changed = []
        caller = run.get(callee.caller_id) if callee.caller_id is not None else None
        if caller is not None:
            variables = dict(caller.context or {})
            variables.update(values)
            snapshots.context_set(caller, variables, run=run)
            wake(run, caller)
            changed.append(caller)
        if callee is program and caller is not None:
            # Whatever a returning sub-program left open (e.g. a suspended step) ends with it.
            for member in members_live(run, program):
                change(run, member, Action.CANCEL)
        if callee.state != State.TERMINATED:
            action = Action.COMPLETE if can(callee.state, Action.COMPLETE) else Action.CANCEL
            change(run, callee, action)
            changed.append(callee)
        return SyscallResult(changed=changed, note=f"returned {sorted(values)}")
