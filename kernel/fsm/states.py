"""Process states as a pure enum; values match kernel.models.process.ProcessState."""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """The seven states of a process (the ORM's ProcessState uses the same values)."""

    NEW = "NEW"
    READY = "READY"
    RUNNING = "RUNNING"
    WAITING = "WAITING"
    SUSPENDED = "SUSPENDED"
    TERMINATED = "TERMINATED"
    ERROR = "ERROR"


# TERMINATED is the only final state: it accepts only ``rollback`` (reopen). ERROR is not
# final: an errored process is retried or cancelled.
FINAL_STATES: frozenset[State] = frozenset({State.TERMINATED})
# States in which a process is alive (appears on task lists, may be cancelled or suspended).
ACTIVE_STATES: frozenset[State] = frozenset(
    {State.NEW, State.READY, State.RUNNING, State.WAITING, State.SUSPENDED}
)
