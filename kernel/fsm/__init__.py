"""The process state machine: pure states, actions, transitions and built-in events."""

from kernel.fsm.events import BUILTIN_EVENTS, EVENT_FOR_STATE, Event, event_for
from kernel.fsm.states import ACTIVE_STATES, FINAL_STATES, State
from kernel.fsm.transitions import (
    TRANSITIONS,
    Action,
    IllegalTransition,
    allowed_actions,
    can,
    transition,
)

__all__ = [
    "ACTIVE_STATES",
    "BUILTIN_EVENTS",
    "EVENT_FOR_STATE",
    "FINAL_STATES",
    "TRANSITIONS",
    "Action",
    "Event",
    "IllegalTransition",
    "State",
    "allowed_actions",
    "can",
    "event_for",
    "transition",
]
