"""terminate_process: cancel the event's process (``scope: self``) or its whole program tree (``tree``)."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from kernel import live, observe
from kernel.engine.cancel import cancel_with_descendants
from kernel.engine.joins import resources_release
from kernel.errors import KernelError, KernelErrorCode
from kernel.fsm import Action, State, transition
from kernel.models import Process, in_tree
from kernel.syscalls.base import Syscall, SyscallContext, SyscallResult
from kernel.syscalls.registry import register


def tree_terminate(run, root_id: int) -> list[int]:
    """Cancel every non-final process of the tree rooted at ``root_id`` in one UPDATE; no rules fire.

    Precondition: inside the run's transaction; the tree's live rows are locked first.
    """
    run.flush()  # the live rows are read from the table: it must show this run's changes
    rows = list(
        in_tree(Process.objects.select_for_update(), root_id)
        .exclude(state=State.TERMINATED)
        .values_list("pk", "state", *live.ROW_FIELDS)
    )
    if not rows:
        return []
    for _pk, state, *_rest in rows:
        transition(state, Action.CANCEL)  # validates; every live state may be cancelled
    now = timezone.now()
    pids = [row[0] for row in rows]
    Process.objects.filter(pk__in=pids).update(
        state=State.TERMINATED, seq=F("seq") + 1, end_time=now, updated_time=now
    )
    live.note_rows([(row[0], *row[2:]) for row in rows])
    observe.cancelled(rows)
    for pk in pids:
        known = run.processes.get(pk)
        if known is not None:
            known.state = State.TERMINATED.value
            known.seq += 1
            known.end_time = now
    for pk, _state, tenant_id, _op, _et, _eid, revision_id, service_id, _role in rows:
        process = run.processes.get(pk)
        if process is None:
            process = run.attach(
                Process(pk=pk, tenant_id=tenant_id, service_id=service_id, revision_id=revision_id)
            )
        if process.service_id and process.service.requires:
            resources_release(run, process, consume=False)
    return pids


@register
class TerminateProcess(Syscall):
    """Terminate a process (``scope: self``, default) or every live process of its program tree."""

    name = "terminate_process"

    def check(self, call: SyscallContext) -> None:
        if call.params.get("scope", "self") not in ("self", "tree"):
            raise KernelError(
                KernelErrorCode.INVALID_PARAMS, "terminate_process: scope is self or tree"
            )

    def perform(self, call: SyscallContext) -> SyscallResult:
        subject = call.process
        if call.params.get("scope", "self") == "tree":
            root_id = subject.root_id or subject.pk
            pids = tree_terminate(call.run, root_id)
            return SyscallResult(note=f"terminated {len(pids)}")
        if subject.state == State.TERMINATED:
            return SyscallResult(note="already terminated")
        cancel_with_descendants(call.run, subject)  # a program takes what it started with it
        return SyscallResult(changed=[subject])
