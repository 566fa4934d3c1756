"""start_parallel_service: start the operand once per thread/operator/role at once; join on children_completed."""

from __future__ import annotations

from kernel.engine.context import child_variables
from kernel.errors import KernelError, KernelErrorCode
from kernel.models import FanOut, Operator
from kernel.syscalls.base import Syscall, SyscallContext, SyscallResult
from kernel.syscalls.registry import register
from kernel.syscalls.start_iteration_service import fanout_create


@register
class StartParallelService(Syscall):
    """Start the operand once per ``threads`` / ``operators`` / ``roles`` entry, all at once."""

    name = "start_parallel_service"
    asynchronous = True

    def check(self, call: SyscallContext) -> None:
        call.operand()
        params = call.params
        given = [k for k in ("threads", "operators", "roles") if k in params]
        if len(given) != 1:
            raise KernelError(
                KernelErrorCode.INVALID_PARAMS, "give exactly one of threads, operators, roles"
            )
        threads = params.get("threads", 1)
        if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
            raise KernelError(KernelErrorCode.INVALID_PARAMS, "threads must be a positive integer")

    def perform(self, call: SyscallContext) -> SyscallResult:
        params = call.params
        assignments: list[dict] = []
        if "operators" in params:
            names = list(params["operators"])
            found = dict(
                Operator.objects.filter(
                    tenant_id=call.process.tenant_id, name__in=names
                ).values_list("name", "pk")
            )
            missing = [n for n in names if n not in found]
            if missing:
                raise KernelError(KernelErrorCode.NOT_FOUND, f"unknown operators {missing}")
            assignments = [{"operator_id": found[n], "item": n} for n in names]
        elif "roles" in params:
            assignments = [{"assigned_role": r, "item": r} for r in params["roles"]]
        else:
            assignments = [{"item": i} for i in range(params["threads"])]
        fanout = fanout_create(
            call, mode=FanOut.Mode.PARALLEL, items=[a["item"] for a in assignments]
        )
        FanOut.objects.filter(pk=fanout.pk).update(started=len(assignments))
        parent = call.sibling_parent()
        base = dict(getattr(parent, "context", None) or {})
        started = []
        for index, assignment in enumerate(assignments):
            item = assignment.pop("item")
            started.append(
                call.spawn(
                    call.operand(),
                    parent=parent,
                    previous=None if call.process is call.program else call.process,
                    fanout_id=fanout.pk,
                    context=child_variables(base, {"item": item, "index": index}),
                    **assignment,
                )
            )
        return SyscallResult(started=started)
