"""Every legal process transition, as domain actions, in one table; pure and side-effect free."""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

from kernel.errors import KernelError, KernelErrorCode
from kernel.fsm.states import State


class Action(StrEnum):
    """Domain actions that move a process between states."""

    CREATE = "create"
    SCHEDULE = "schedule"
    CLAIM = "claim"
    SHIFT = "shift"
    START = "start"
    WAIT = "wait"
    WAKE = "wake"
    SUSPEND = "suspend"
    RESUME = "resume"
    COMPLETE = "complete"
    FAIL = "fail"
    CANCEL = "cancel"
    RETRY = "retry"
    ROLLBACK = "rollback"


class IllegalTransition(KernelError):
    """``action`` is not allowed in ``state`` (code illegal_transition), or is unknown (unknown_action)."""

    def __init__(
        self,
        *,
        state: State | str | None,
        action: Action | str,
        code: str = KernelErrorCode.ILLEGAL_TRANSITION,
        message: str = "",
    ) -> None:
        self.state = state
        self.action = action
        text = message or f"cannot {action} a process in state {state}"
        super().__init__(code, text, state=state, action=action)


_S = State
_A = Action

# (current state, action) -> new state. ``create`` is the only action from "no process yet"
# (current None). Decisions (see docs/expressions.md and the module docs of kernel.fsm):
# - claim: an operator takes the task; NEW -> READY, READY stays READY (start runs it).
# - shift: hand the task to another operator; the state does not change.
# - wait: RUNNING (waits for a child) or READY (waits for a short resource) -> WAITING.
# - wake: WAITING -> READY; the engine then starts it again (allocation must be idempotent).
# - resume: SUSPENDED -> READY, whatever state it was suspended from (no hidden history).
# - cancel: any active state or ERROR -> TERMINATED.
_TABLE: dict[tuple[State | None, Action], State] = {
    (None, _A.CREATE): _S.NEW,
    (_S.NEW, _A.SCHEDULE): _S.READY,
    (_S.NEW, _A.CLAIM): _S.READY,
    (_S.READY, _A.CLAIM): _S.READY,
    (_S.NEW, _A.SHIFT): _S.NEW,
    (_S.READY, _A.SHIFT): _S.READY,
    (_S.RUNNING, _A.SHIFT): _S.RUNNING,
    (_S.WAITING, _A.SHIFT): _S.WAITING,
    (_S.SUSPENDED, _A.SHIFT): _S.SUSPENDED,
    (_S.READY, _A.START): _S.RUNNING,
    (_S.READY, _A.WAIT): _S.WAITING,
    (_S.RUNNING, _A.WAIT): _S.WAITING,
    (_S.WAITING, _A.WAKE): _S.READY,
    (_S.READY, _A.SUSPEND): _S.SUSPENDED,
    (_S.RUNNING, _A.SUSPEND): _S.SUSPENDED,
    (_S.WAITING, _A.SUSPEND): _S.SUSPENDED,
    (_S.SUSPENDED, _A.RESUME): _S.READY,
    (_S.RUNNING, _A.COMPLETE): _S.TERMINATED,
    (_S.NEW, _A.FAIL): _S.ERROR,
    (_S.READY, _A.FAIL): _S.ERROR,
    (_S.RUNNING, _A.FAIL): _S.ERROR,
    (_S.WAITING, _A.FAIL): _S.ERROR,
    (_S.NEW, _A.CANCEL): _S.TERMINATED,
    (_S.READY, _A.CANCEL): _S.TERMINATED,
    (_S.RUNNING, _A.CANCEL): _S.TERMINATED,
    (_S.WAITING, _A.CANCEL): _S.TERMINATED,
    (_S.SUSPENDED, _A.CANCEL): _S.TERMINATED,
    (_S.ERROR, _A.CANCEL): _S.TERMINATED,
    (_S.ERROR, _A.RETRY): _S.READY,
    (_S.TERMINATED, _A.ROLLBACK): _S.READY,
}

TRANSITIONS: MappingProxyType[tuple[State | None, Action], State] = MappingProxyType(_TABLE)

_ALLOWED: dict[State | None, frozenset[Action]] = {
    state: frozenset(action for (source, action) in _TABLE if source == state)
    for state in [None, *State]
}


def _as_state(value: State | str | None, action: Action | str) -> State | None:
    if value is None:
        return None
    try:
        return State(value)
    except ValueError:
        raise IllegalTransition(
            state=value,
            action=action,
            code=KernelErrorCode.UNKNOWN_STATE,
            message=f"unknown process state {value!r}",
        ) from None


def _as_action(value: Action | str, state: State | str | None) -> Action:
    try:
        return Action(value)
    except ValueError:
        raise IllegalTransition(
            state=state,
            action=value,
            code=KernelErrorCode.UNKNOWN_ACTION,
            message=f"unknown action {value!r}",
        ) from None


def transition(current: State | str | None, action: Action | str) -> State:
    """Return the state ``action`` leads to from ``current``; raise IllegalTransition otherwise.

    Pure: nothing is changed. ``current`` is None only for ``create``. An unknown action
    or state string raises IllegalTransition with code unknown_action / unknown_state.
    """
    state = _as_state(current, action)
    act = _as_action(action, current)
    try:
        return _TABLE[(state, act)]
    except KeyError:
        raise IllegalTransition(state=state, action=act) from None


def allowed_actions(state: State | str | None) -> frozenset[Action]:
    """Return the actions legal in ``state`` (None means "no process yet": only create)."""
    return _ALLOWED[_as_state(state, "allowed_actions")]


def can(current: State | str | None, action: Action | str) -> bool:
    """Return True when ``action`` is legal in ``current`` (unknown names give False)."""
    try:
        transition(current, action)
    except IllegalTransition:
        return False
    return True
