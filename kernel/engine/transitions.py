"""The one place a process changes state: lock, apply the pure transition, save, fire the event."""

from __future__ import annotations

from django.utils import timezone

from kernel.engine.run import Run
from kernel.fsm import EVENT_FOR_STATE, Action, State, transition
from kernel.models import Process

_BASE_FIELDS = ("state", "seq", "updated_time")


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
    for name, value in fields.items():
        setattr(process, name, value)
        names.add(name)
    process.state = new.value
    process.seq += 1
    process.save(update_fields=sorted(names))
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
        return
    event = EVENT_FOR_STATE.get(new)
    if event is not None and new != old:
        rules.fire(run, process, event.value, f"{event.value}:{process.seq}")
    rules.fire_expression_events(run, process)


def start(run: Run, process: Process, *, countdown: float | None = None, **fields) -> bool:
    """READY -> RUNNING holding the service's resources; short -> WAITING and False."""
    process = run.lock(process)
    if process.service is not None and process.service.requires:
        from kernel.resources import allocate, requirements_of

        if not allocate(process=process, requirements=requirements_of(process)):
            change(run, process, Action.WAIT, **fields)
            return False
    change(run, process, Action.START, **fields)
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
