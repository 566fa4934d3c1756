"""Cancelling a process together with everything it started: children, called sub-programs, branches."""

from __future__ import annotations

from django.db.models import F, Q
from django.utils import timezone

from kernel import live, observe
from kernel.engine.run import Run
from kernel.fsm import Action, State, transition
from kernel.models import Process


def descendant_ids(process: Process) -> list[int]:
    """The pids below ``process``: its members and children, theirs, and so on (one query a level).

    A program's members (``program``) and children (``parent``: steps it started, callees of a
    call, fan-out items) are below it. A root program's whole tree is one query (``root``).
    """
    if process.root_id is None and process.service is not None and process.service.is_program:
        return list(Process.objects.filter(root_id=process.pk).values_list("pk", flat=True))
    found: list[int] = []
    seen = {process.pk}
    frontier = [process.pk]
    while frontier:
        below = (
            Process.objects.filter(Q(parent_id__in=frontier) | Q(program_id__in=frontier))
            .exclude(pk__in=seen)
            .values_list("pk", flat=True)
        )
        frontier = [pk for pk in below if pk not in seen]
        seen.update(frontier)
        found += frontier
    return found


def descendants_cancel(run: Run, process: Process) -> list[int]:
    """Cancel every live process below ``process`` in one UPDATE and release what they held.

    Precondition: inside the run's transaction. The live rows are locked first. Like
    ``terminate_process scope: tree``, no rule fires and no join advances: the subtree is being
    torn down, so nothing new may start in it. Returns the cancelled pids.
    """
    from kernel.engine.joins import resources_release

    run.flush()  # the tree is read from the table: it must show this run's changes
    below = descendant_ids(process)
    if not below:
        return []
    rows = list(
        Process.objects.select_for_update()
        .filter(pk__in=below)
        .exclude(state=State.TERMINATED)
        .values_list("pk", "state", *live.ROW_FIELDS)
    )
    for _pk, state, *_rest in rows:
        transition(state, Action.CANCEL)  # every live state and ERROR may be cancelled
    pids = [row[0] for row in rows]
    now = timezone.now()
    Process.objects.filter(pk__in=pids).update(
        state=State.TERMINATED, seq=F("seq") + 1, end_time=now, updated_time=now
    )
    live.note_rows([(row[0], *row[2:]) for row in rows])
    observe.cancelled(rows)
    for pk, _state, tenant_id, _op, _et, _eid, revision_id, service_id, _role in rows:
        known = run.processes.get(pk)
        if known is None:
            known = run.attach(
                Process(pk=pk, tenant_id=tenant_id, service_id=service_id, revision_id=revision_id)
            )
        else:
            known.state = State.TERMINATED.value
            known.seq += 1
            known.end_time = now
        if known.service is not None and known.service.requires:
            resources_release(run, known, consume=False)
    return pids


def cancel_with_descendants(run: Run, process: Process) -> Process:
    """Cancel ``process`` (firing no ``completed``) after everything below it; release all resources."""
    from kernel.engine.transitions import change

    process = run.lock(process)
    transition(process.state, Action.CANCEL)  # illegal -> IllegalTransition before any write
    descendants_cancel(run, process)
    return change(run, process, Action.CANCEL)
