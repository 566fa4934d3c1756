"""KernelError and its subclasses: codes, messages, details and pickling."""

from __future__ import annotations

import pickle

from kernel.errors import KernelError, KernelErrorCode
from kernel.fsm import IllegalTransition, State, transition
from kernel.rules import ExpressionError, ExpressionErrorCode


def test_kernel_error_carries_code_message_and_details() -> None:
    error = KernelError(KernelErrorCode.RESOURCE_SHORT, "not enough botox", resource="botox")
    assert error.code == "resource_short"
    assert str(error) == "not enough botox"
    assert error.details == {"resource": "botox"}


def test_message_defaults_to_the_code() -> None:
    assert KernelError(KernelErrorCode.NOT_PERMITTED).message == "not_permitted"


def test_errors_survive_pickling() -> None:
    try:
        transition(State.TERMINATED, "start")
    except IllegalTransition as error:
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is IllegalTransition
        assert (copy.code, copy.state, copy.action, copy.message) == (
            error.code,
            error.state,
            error.action,
            error.message,
        )
    expression_error = ExpressionError(ExpressionErrorCode.SYNTAX, "bad", 3)
    copy = pickle.loads(pickle.dumps(expression_error))
    assert (copy.code, copy.message, copy.column) == ("syntax", "bad", 3)
    assert isinstance(copy, KernelError)
    assert copy.kernel_code == KernelErrorCode.EXPRESSION_ERROR
