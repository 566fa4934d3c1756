"""The process state machine: the full state x action table, events and random walks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernel.errors import KernelError, KernelErrorCode
from kernel.fsm import (
    ACTIVE_STATES,
    BUILTIN_EVENTS,
    EVENT_FOR_STATE,
    FINAL_STATES,
    TRANSITIONS,
    Action,
    Event,
    IllegalTransition,
    State,
    allowed_actions,
    can,
    event_for,
    transition,
)
from kernel.models.process import ProcessState

S, A = State, Action

# The documented table, written out independently of kernel/fsm/transitions.py.
EXPECTED: dict[tuple[State | None, Action], State] = {
    (None, A.CREATE): S.NEW,
    (S.NEW, A.SCHEDULE): S.READY,
    (S.NEW, A.CLAIM): S.READY,
    (S.READY, A.CLAIM): S.READY,
    (S.NEW, A.SHIFT): S.NEW,
    (S.READY, A.SHIFT): S.READY,
    (S.RUNNING, A.SHIFT): S.RUNNING,
    (S.WAITING, A.SHIFT): S.WAITING,
    (S.SUSPENDED, A.SHIFT): S.SUSPENDED,
    (S.READY, A.START): S.RUNNING,
    (S.READY, A.WAIT): S.WAITING,
    (S.RUNNING, A.WAIT): S.WAITING,
    (S.WAITING, A.WAKE): S.READY,
    (S.READY, A.SUSPEND): S.SUSPENDED,
    (S.RUNNING, A.SUSPEND): S.SUSPENDED,
    (S.WAITING, A.SUSPEND): S.SUSPENDED,
    (S.SUSPENDED, A.RESUME): S.READY,
    (S.RUNNING, A.COMPLETE): S.TERMINATED,
    (S.NEW, A.FAIL): S.ERROR,
    (S.READY, A.FAIL): S.ERROR,
    (S.RUNNING, A.FAIL): S.ERROR,
    (S.WAITING, A.FAIL): S.ERROR,
    (S.NEW, A.CANCEL): S.TERMINATED,
    (S.READY, A.CANCEL): S.TERMINATED,
    (S.RUNNING, A.CANCEL): S.TERMINATED,
    (S.WAITING, A.CANCEL): S.TERMINATED,
    (S.SUSPENDED, A.CANCEL): S.TERMINATED,
    (S.ERROR, A.CANCEL): S.TERMINATED,
    (S.ERROR, A.RETRY): S.READY,
    (S.TERMINATED, A.ROLLBACK): S.READY,
}
ALL_SOURCES: list[State | None] = [None, *State]
PAIRS = [(state, action) for state in ALL_SOURCES for action in Action]


def test_state_values_match_the_orm_choices() -> None:
    assert [s.value for s in State] == list(ProcessState.values)


def test_action_names_cover_the_architecture_list() -> None:
    documented = (
        "create schedule claim start wait wake suspend resume complete fail cancel retry rollback"
    )
    assert set(documented.split()) <= {a.value for a in Action}


def test_public_table_is_the_documented_table() -> None:
    assert dict(TRANSITIONS) == EXPECTED


@pytest.mark.parametrize(("state", "action"), PAIRS, ids=[f"{s}-{a}" for s, a in PAIRS])
def test_every_state_action_pair(state: State | None, action: Action) -> None:
    if (state, action) in EXPECTED:
        assert transition(state, action) is EXPECTED[(state, action)]
        assert transition(state.value if state else None, action.value) is EXPECTED[(state, action)]
        assert can(state, action)
        assert action in allowed_actions(state)
    else:
        with pytest.raises(IllegalTransition) as info:
            transition(state, action)
        error = info.value
        assert error.code == KernelErrorCode.ILLEGAL_TRANSITION
        assert error.state == state and error.action == action
        assert isinstance(error, KernelError)
        assert not can(state, action)
        assert action not in allowed_actions(state)


def test_unknown_action_and_state_are_illegal_with_their_own_codes() -> None:
    with pytest.raises(IllegalTransition) as info:
        transition(State.READY, "launch")
    assert info.value.code == KernelErrorCode.UNKNOWN_ACTION
    with pytest.raises(IllegalTransition) as info:
        transition("DONE", Action.START)
    assert info.value.code == KernelErrorCode.UNKNOWN_STATE
    assert can("READY", "launch") is False


def test_final_and_active_states() -> None:
    assert FINAL_STATES == {S.TERMINATED}
    assert allowed_actions(S.TERMINATED) == {A.ROLLBACK}
    assert ACTIVE_STATES | FINAL_STATES | {S.ERROR} == set(State)
    assert allowed_actions(S.ERROR) == {A.RETRY, A.CANCEL}
    for state in ACTIVE_STATES:
        assert transition(state, A.CANCEL) is S.TERMINATED


def test_only_create_starts_a_process() -> None:
    assert allowed_actions(None) == {A.CREATE}
    assert transition(None, "create") is S.NEW


def test_events_for_states() -> None:
    assert dict(EVENT_FOR_STATE) == {
        S.NEW: Event.STARTED,
        S.TERMINATED: Event.COMPLETED,
        S.SUSPENDED: Event.SUSPENDED,
        S.ERROR: Event.FAILED,
    }
    assert event_for("RUNNING") is None
    assert event_for(S.ERROR) == "failed"
    assert BUILTIN_EVENTS == {
        "started",
        "completed",
        "suspended",
        "failed",
        "children_completed",
        "low_stock",
    }


def test_illegal_transition_message_names_state_and_action() -> None:
    with pytest.raises(IllegalTransition, match="cannot start a process in state TERMINATED"):
        transition(S.TERMINATED, A.START)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list(Action)), max_size=40))
def test_random_action_sequences_stay_in_defined_states(actions: list[Action]) -> None:
    state: State | None = None
    for action in actions:
        try:
            new = transition(state, action)
        except IllegalTransition as error:
            assert (state, action) not in EXPECTED
            assert error.code == KernelErrorCode.ILLEGAL_TRANSITION
            continue
        assert isinstance(new, State)
        assert new is EXPECTED[(state, action)]
        if new in FINAL_STATES:
            assert allowed_actions(new) == {A.ROLLBACK}
        state = new


def test_orm_state_values_are_accepted() -> None:
    assert transition(ProcessState.READY, "start") is State.RUNNING
    assert allowed_actions(ProcessState.ERROR) == {Action.RETRY, Action.CANCEL}
