"""start_iteration_service: run the operand once per item, in sequence; then children_completed."""

from __future__ import annotations

from typing import Any

from kernel.engine.context import child_variables
from kernel.engine.snapshots import jsonable
from kernel.errors import KernelError, KernelErrorCode
from kernel.models import FanOut, Process
from kernel.syscalls.base import Syscall, SyscallContext, SyscallResult
from kernel.syscalls.registry import register

MAX_ITEMS = 1000


def items_of(call: SyscallContext) -> list[Any]:
    """``iterations`` N -> [0..N-1]; ``over`` -> the expression's list, evaluated for the event's process."""
    params = call.params
    if "over" in params:
        from kernel.engine.namespace import namespace
        from kernel.rules import compile_expression

        expression = compile_expression(str(params["over"]))
        value = expression.evaluate(namespace(call.run, call.process, expression.root_names))
        if value is None:
            return []
        if not isinstance(value, (list, tuple)):
            value = [value]
        items = [jsonable(v) for v in value]
    else:
        count = params.get("iterations", params.get("threads"))
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise KernelError(
                KernelErrorCode.INVALID_PARAMS, "iterations must be a non-negative integer"
            )
        items = list(range(count))
    if len(items) > MAX_ITEMS:
        raise KernelError(KernelErrorCode.INVALID_PARAMS, f"more than {MAX_ITEMS} items")
    return items


def fanout_create(call: SyscallContext, *, mode: str, items: list[Any]) -> FanOut:
    """The FanOut row that counts the children of this start."""
    parent = call.sibling_parent()
    return FanOut.objects.create(
        parent_id=parent.pk if parent is not None else call.program.pk,
        program=call.program,
        rule=call.rule,
        mode=mode,
        operand=call.rule.operand or "",
        items=items,
        total=len(items),
    )


def iteration_next(run, *, fanout: FanOut, previous: Process) -> Process:
    """Start the next item of an iteration fan-out (precondition: the FanOut row is locked)."""
    from kernel.engine.compiled import compiled_revision
    from kernel.engine.spawn import spawn

    index = fanout.started
    compiled = compiled_revision(previous.revision_id)
    parent = run.processes.get(fanout.parent_id) or Process(pk=fanout.parent_id)
    caller_context = parent.context if parent.context else {}
    child = spawn(
        run,
        compiled=compiled,
        service=compiled.services[fanout.operand],
        tenant_id=previous.tenant_id,
        parent=parent,
        program=run.get(fanout.program_id),
        previous=previous,
        entity_type_id=previous.entity_type_id,
        entity_id=previous.entity_id,
        fanout_id=fanout.pk,
        context=child_variables(
            caller_context or {}, {"item": fanout.items[index], "index": index}
        ),
    )
    FanOut.objects.filter(pk=fanout.pk).update(started=index + 1)
    fanout.started = index + 1
    return child


@register
class StartIterationService(Syscall):
    """Start the operand N times in sequence (``iterations`` or ``over``), each with params.item/index."""

    name = "start_iteration_service"
    asynchronous = True

    def check(self, call: SyscallContext) -> None:
        call.operand()
        if "over" not in call.params and "iterations" not in call.params:
            raise KernelError(
                KernelErrorCode.INVALID_PARAMS, "start_iteration_service needs iterations or over"
            )

    def perform(self, call: SyscallContext) -> SyscallResult:
        items = items_of(call)
        fanout = fanout_create(call, mode=FanOut.Mode.ITERATION, items=items)
        if not items:
            from kernel.engine import rules

            parent = call.run.get(fanout.parent_id)
            rules.fire(
                call.run, parent, "children_completed", f"children_completed:fanout:{fanout.pk}"
            )
            return SyscallResult(note="no items")
        child = iteration_next(call.run, fanout=fanout, previous=call.process)
        return SyscallResult(started=[child])
