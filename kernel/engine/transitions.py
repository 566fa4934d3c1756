"""The one place a process changes state: lock, apply the pure transition, save, fire the event."""

from __future__ import annotations

from django.utils import timezone

from kernel import live, observe
from kernel.engine.run import Run
from kernel.fsm import ACTIVE_STATES, EVENT_FOR_STATE, Action, State, transition
from kernel.models import Process

_BASE_FIELDS = ("state", "seq", "updated_time")
# Fields whose change moves a task from one board to another (see kernel.live).
_OWNER_FIELDS = {"operator", "operator_id", "assigned_role"}
# A member in one of these states keeps its program alive (ERROR waits for a retry or cancel).
LIVE_STATES = tuple(state.value for state in (*ACTIVE_STATES, State.ERROR))


def change(
    run: Run, process: Process, *actions: Action | str, fire: bool = True, **fields
) -> Process:
    """Apply ``actions`` in order to ``process`` as one state change; raise IllegalTransition if any is illegal.

    Precondition: inside the run's transaction. The row is locked first; nothing is written when
    a transition is illegal. ``fields`` are other columns to set in the same UPDATE. Afterwards
    the event of the state entered fires (``completed`` only for ``complete``, never for
    ``cancel``) and termination releases resources and advances fan-out joins.
    """
    process = run.lock(process)
    old = State(process.state)
    new = old
    for action in actions:
        new = transition(new, action)
    now = timezone.now()
    names = set(_BASE_FIELDS)
    if Action.SUSPEND in actions:
        process.suspended_from = old.value
        names.add("suspended_from")
    if new == State.RUNNING and process.start_time is None:
        process.start_time = now
        names.add("start_time")
    if new == State.TERMINATED:
        process.end_time = now
        names.add("end_time")
    if fields.keys() & _OWNER_FIELDS:
        live.note(process)  # a shift/unclaim/escalation also tells whoever had the task
    for name, value in fields.items():
        setattr(process, name, value)
        names.add(name)
    process.state = new.value
    process.seq += 1
    run.save(process, names)
    observe.changed(process, old.value, "+".join(actions))
    if fire:
        _after(run, process, old, new, actions)
    return process


def _after(run: Run, process: Process, old: State, new: State, actions: tuple) -> None:
    """Side effects of entering ``new``: resources, the built-in event, expression events, joins."""
    from kernel.engine import joins, rules

    if new == State.TERMINATED:
        completed = Action.COMPLETE in actions
        if process.service is not None and process.service.requires:
            joins.resources_release(run, process, consume=completed)
        if completed:
            rules.fire(
                run, process, EVENT_FOR_STATE[State.TERMINATED].value, f"completed:{process.seq}"
            )
            rules.fire_expression_events(run, process)
        if process.fanout_id is not None:
            joins.fanout_child_done(run, process)
        program_end_if_idle(run, process)
        return
    event = EVENT_FOR_STATE.get(new)
    if event is not None and new != old:
        rules.fire(run, process, event.value, f"{event.value}:{process.seq}")
    rules.fire_expression_events(run, process)


def start(run: Run, process: Process, *, countdown: float | None = None, **fields) -> bool:
    """READY -> RUNNING holding the service's resources; short -> WAITING and False.

    A process that finds a resource short gets ``waiting_since`` (its place in line, kept when
    it is woken and finds it short again); holding its resources clears it.

    When a resource it took fell below its ``minimum``, the built-in event ``low_stock`` of
    this process fires once it runs (and the ``low_stock`` signal is sent)."""
    process = run.lock(process)
    low: list = []
    if process.service is not None and process.service.requires:
        from kernel.resources import allocate, requirements_of

        if not allocate(process=process, requirements=requirements_of(process), low_stock=low):
            if process.waiting_since is None:  # its place in line: kept across wakes
                fields["waiting_since"] = timezone.now()
            change(run, process, Action.WAIT, **fields)
            return False
        if process.waiting_since is not None:
            fields["waiting_since"] = None
    change(run, process, Action.START, **fields)
    if low:
        from kernel.engine.joins import low_stock_fire

        low_stock_fire(run, process, low)
    if process.service is not None and process.service.kind == "system":
        from kernel.engine.system import action_enqueue

        action_enqueue(process, countdown=countdown)
    return True


def wake(run: Run, process: Process) -> None:
    """WAITING -> READY, then back to RUNNING if it is a program or a task someone holds."""
    process = run.lock(process)
    if process.state != State.WAITING:
        return
    change(run, process, Action.WAKE)
    if process.service is not None and (
        process.service.is_program or process.service.kind == "system"
    ):
        start(run, process)
    elif process.operator_id is not None:
        start(run, process)


def program_end_if_idle(run: Run, member: Process) -> None:
    """Complete ``member``'s program when its last live step has ended and nothing else will run.

    Called after a member terminated and its rules ran: a RUNNING program with no live member,
    no queued instruction and no open decision completes (``completed`` fires, not a cancel).
    A called sub-program that ends this way returns to its waiting caller (nothing returned).
    A WAITING program (it called a sub-program) or a suspended one is left alone.
    """
    if member.program_id is None or member.program_id == member.pk:
        return
    program = run.processes.get(member.program_id) or run.get(member.program_id)
    if program.state != State.RUNNING or program.service is None:
        return
    members = run.live_members(program)
    if members is None:
        run.flush()
        if (
            Process.objects.filter(program_id=program.pk, state__in=LIVE_STATES)
            .exclude(pk=program.pk)
            .exists()
        ):
            return
    elif members:
        return
    if run.compiled(program).may_defer(program.service.name) and _work_pending(program):
        return
    if program.caller_id is not None:  # return first, as calling_return does
        caller = run.get(program.caller_id)
        if caller.state == State.WAITING:
            wake(run, caller)
    change(run, program, Action.COMPLETE)


def _work_pending(program: Process) -> bool:
    """An instruction of the program is queued, or one of its decisions is open."""
    from kernel.models import Decision, PendingInstruction

    return (
        PendingInstruction.objects.filter(kwargs__program_pid=program.pk).exists()
        or Decision.objects.filter(program_id=program.pk, state="OPEN").exists()
    )
