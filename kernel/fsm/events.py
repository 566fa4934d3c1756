"""Built-in events fired when a process enters a state (spec-format.md "events")."""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

from kernel.fsm.states import State


class Event(StrEnum):
    """Built-in event names; specs never define these."""

    STARTED = "started"
    COMPLETED = "completed"
    SUSPENDED = "suspended"
    FAILED = "failed"
    CHILDREN_COMPLETED = "children_completed"
    LOW_STOCK = "low_stock"  # a resource the process took fell below its minimum


# The event fired on entering a state; states not listed fire no built-in event.
EVENT_FOR_STATE: MappingProxyType[State, Event] = MappingProxyType(
    {
        State.NEW: Event.STARTED,
        State.TERMINATED: Event.COMPLETED,
        State.SUSPENDED: Event.SUSPENDED,
        State.ERROR: Event.FAILED,
    }
)

BUILTIN_EVENTS: frozenset[str] = frozenset(event.value for event in Event)


def event_for(state: State | str) -> Event | None:
    """Return the built-in event fired on entering ``state``, or None."""
    return EVENT_FOR_STATE.get(State(state))
