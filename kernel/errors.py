"""Kernel error codes and the base error every kernel failure raises."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class KernelErrorCode(StrEnum):
    """Stable codes clients branch on; add members, never rename or remove them."""

    ILLEGAL_TRANSITION = "illegal_transition"
    UNKNOWN_ACTION = "unknown_action"
    UNKNOWN_STATE = "unknown_state"
    EXPRESSION_ERROR = "expression_error"
    NOT_PERMITTED = "not_permitted"
    NOT_FOUND = "not_found"
    RESOURCE_SHORT = "resource_short"
    RESOURCE_INVALID = "resource_invalid"
    RESOURCE_KIND_CHANGE = "resource_kind_change"
    UNKNOWN_RESOURCE = "unknown_resource"
    SERVICE_INVALID = "service_invalid"
    # engine (kernel/engine, kernel/syscalls, kernel/services, kernel/publish)
    NOT_PUBLISHED = "not_published"
    UNKNOWN_SERVICE = "unknown_service"
    UNKNOWN_INSTRUCTION = "unknown_instruction"
    ACTION_NOT_REGISTERED = "action_not_registered"
    ACTION_FAILED = "action_failed"
    INVALID_PARAMS = "invalid_params"
    INVALID_RECORD = "invalid_record"
    TENANT_MISMATCH = "tenant_mismatch"
    DECISION_CLOSED = "decision_closed"
    NOT_A_CANDIDATE = "not_a_candidate"
    NO_CALLER = "no_caller"
    NO_PREVIOUS = "no_previous"
    RUNAWAY = "runaway"
    SPEC_MISSING = "spec_missing"
    # incidents (kernel/engine/incidents.py)
    RULE_FAILED = "rule_failed"
    INCIDENT_CLOSED = "incident_closed"
    # REST API (kernel/api)
    NOT_STARTABLE = "not_startable"
    UNKNOWN_ENTITY = "unknown_entity"
    UNKNOWN_OPERATOR = "unknown_operator"


class KernelError(Exception):
    """A kernel failure with a machine-readable ``code``, a message and optional details."""

    def __init__(self, code: str, message: str = "", **details: Any) -> None:
        self.code = code
        self.message = message or str(code)
        self.details = details
        super().__init__(self.message)

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses have their own __init__ signatures; rebuild from state, not from args.
        return (_restore, (type(self), self.args, self.__dict__))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={str(self.code)!r}, message={self.message!r})"


def _restore(cls: type[KernelError], args: tuple[Any, ...], state: dict[str, Any]) -> KernelError:
    """Unpickle a KernelError (or subclass) without calling its __init__."""
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error
