"""Expression error codes and ExpressionError, raised for every compile or evaluation failure."""

from __future__ import annotations

from enum import StrEnum

from kernel.errors import KernelError, KernelErrorCode


class ExpressionErrorCode(StrEnum):
    """Why an expression was rejected; clients branch on these, never on message text."""

    SYNTAX = "syntax"  # not a Python expression at all
    TOO_COMPLEX = "too_complex"  # source too long, too many nodes, nested too deep
    FORBIDDEN = "forbidden"  # syntax or a name outside the allowlist (e.g. ``_x``, lambda)
    UNKNOWN_NAME = "unknown_name"  # a root name that is not available
    UNKNOWN_FUNCTION = "unknown_function"  # a call to a function outside FUNCTIONS
    COST_EXCEEDED = "cost_exceeded"  # step, work, size or integer-size budget exhausted
    TYPE_ERROR = "type_error"  # an operation on values of the wrong type
    VALUE_ERROR = "value_error"  # a conversion that cannot be done (``int('x')``)
    ARITHMETIC_ERROR = "arithmetic_error"  # division by zero, overflow, invalid decimal


class ExpressionError(KernelError):
    """An expression failed; ``code`` is an ExpressionErrorCode, ``column`` 1-based where known.

    A KernelError whose kernel-level meaning is ``KernelErrorCode.EXPRESSION_ERROR``.
    """

    kernel_code = KernelErrorCode.EXPRESSION_ERROR

    def __init__(self, code: str, message: str, column: int | None = None) -> None:
        self.column = column
        super().__init__(ExpressionErrorCode(code), message, column=column)

    def __str__(self) -> str:
        where = f" (column {self.column})" if self.column is not None else ""
        return f"{self.code}: {self.message}{where}"
