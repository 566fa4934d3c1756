"""Bounded semantics of arithmetic, comparison and lookup on plain values (None-tolerant)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from kernel.rules.context import EvalContext, cost_exceeded
from kernel.rules.errors import ExpressionError, ExpressionErrorCode
from kernel.rules.limits import MAX_INT_BITS, MAX_SIZE

NUMBERS = (int, float, Decimal)
TEMPORAL = (date, datetime, time, timedelta)
SEQUENCES = (list, tuple)
CONTAINERS = (list, tuple, set, frozenset, Mapping)
SCALARS = (int, float, Decimal, str, date, time, timedelta, type(None))


def type_error(message: str) -> ExpressionError:
    """Return a type_error ExpressionError."""
    return ExpressionError(ExpressionErrorCode.TYPE_ERROR, message)


def arithmetic_error(exc: BaseException) -> ExpressionError:
    """Return an arithmetic_error ExpressionError describing ``exc``."""
    text = str(exc) or type(exc).__name__
    return ExpressionError(ExpressionErrorCode.ARITHMETIC_ERROR, f"arithmetic error: {text}")


def type_name(value: Any) -> str:
    """Name a value's type for messages, in analysts' words."""
    if value is None:
        return "None"
    if isinstance(value, Mapping):
        return "mapping"
    return type(value).__name__


def check_int(value: Any) -> Any:
    """Return ``value``; raise cost_exceeded for an int beyond MAX_INT_BITS."""
    if type(value) is int and value.bit_length() > MAX_INT_BITS:
        raise cost_exceeded(f"integer larger than {MAX_INT_BITS} bits")
    if isinstance(value, complex):
        raise ExpressionError(ExpressionErrorCode.ARITHMETIC_ERROR, "result is a complex number")
    return value


def is_number(value: Any) -> bool:
    """True for int, float, Decimal and bool."""
    return isinstance(value, NUMBERS)


def align(a: Any, b: Any) -> tuple[Any, Any]:
    """Make a Decimal/float pair both Decimal (the float through its text)."""
    if isinstance(a, Decimal) and isinstance(b, float):
        return a, Decimal(str(b))
    if isinstance(a, float) and isinstance(b, Decimal):
        return Decimal(str(a)), b
    return a, b


def _native(fn: Any, a: Any, b: Any, symbol: str) -> Any:
    try:
        return check_int(fn(a, b))
    except ArithmeticError as exc:
        raise arithmetic_error(exc) from None
    except (TypeError, ValueError):
        raise type_error(f"cannot apply {symbol} to {type_name(a)} and {type_name(b)}") from None


def _repeat(ctx: EvalContext, seq: Any, count: Any) -> Any:
    if isinstance(count, bool) or not isinstance(count, int):
        raise type_error(f"cannot repeat {type_name(seq)} by {type_name(count)}")
    if count <= 0:
        return seq[:0]
    unit = len(seq) if isinstance(seq, str) else ctx.size(seq)
    if unit * count > MAX_SIZE:
        raise cost_exceeded(f"repetition would build more than {MAX_SIZE} elements/characters")
    ctx.charge(len(seq) * count)
    return seq * count


def _concat(ctx: EvalContext, a: Any, b: Any) -> Any:
    if isinstance(a, str):
        total = len(a) + len(b)
    else:
        total = ctx.size(a) + ctx.size(b)
    if total > MAX_SIZE:
        raise cost_exceeded(f"concatenation would build more than {MAX_SIZE} elements/characters")
    ctx.charge(len(a) + len(b))
    return a + b


def add(ctx: EvalContext, a: Any, b: Any) -> Any:
    """a + b: numbers, text, lists/tuples of the same kind, dates with durations."""
    if a is None or b is None:
        return None
    if is_number(a) and is_number(b):
        a, b = align(a, b)
        return _native(lambda x, y: x + y, a, b, "+")
    if type(a) is type(b) and isinstance(a, (str, *SEQUENCES)):
        return _concat(ctx, a, b)
    if isinstance(a, TEMPORAL) and isinstance(b, TEMPORAL):
        return _native(lambda x, y: x + y, a, b, "+")
    raise type_error(f"cannot add {type_name(a)} and {type_name(b)}")


def sub(ctx: EvalContext, a: Any, b: Any) -> Any:
    """a - b: numbers, dates and durations."""
    if a is None or b is None:
        return None
    if is_number(a) and is_number(b):
        a, b = align(a, b)
        return _native(lambda x, y: x - y, a, b, "-")
    if isinstance(a, TEMPORAL) and isinstance(b, TEMPORAL):
        return _native(lambda x, y: x - y, a, b, "-")
    raise type_error(f"cannot subtract {type_name(b)} from {type_name(a)}")


def mul(ctx: EvalContext, a: Any, b: Any) -> Any:
    """a * b: numbers, text/list repetition (bounded), duration times a number."""
    if a is None or b is None:
        return None
    if is_number(a) and is_number(b):
        a, b = align(a, b)
        return _native(lambda x, y: x * y, a, b, "*")
    if isinstance(a, (str, *SEQUENCES)):
        return _repeat(ctx, a, b)
    if isinstance(b, (str, *SEQUENCES)):
        return _repeat(ctx, b, a)
    if isinstance(a, timedelta) and isinstance(b, (int, float)):
        return _native(lambda x, y: x * y, a, b, "*")
    if isinstance(b, timedelta) and isinstance(a, (int, float)):
        return _native(lambda x, y: x * y, a, b, "*")
    raise type_error(f"cannot multiply {type_name(a)} and {type_name(b)}")


def _divide(symbol: str, fn: Any, a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    if is_number(a) and is_number(b):
        a, b = align(a, b)
        return _native(fn, a, b, symbol)
    if isinstance(a, timedelta) and isinstance(b, (int, float, timedelta)):
        return _native(fn, a, b, symbol)
    raise type_error(f"cannot apply {symbol} to {type_name(a)} and {type_name(b)}")


def div(ctx: EvalContext, a: Any, b: Any) -> Any:
    """a / b (true division); dividing by zero is an arithmetic_error."""
    return _divide("/", lambda x, y: x / y, a, b)


def floordiv(ctx: EvalContext, a: Any, b: Any) -> Any:
    """a // b."""
    return _divide("//", lambda x, y: x // y, a, b)


def mod(ctx: EvalContext, a: Any, b: Any) -> Any:
    """a % b on numbers only (never text formatting)."""
    if isinstance(a, str):
        raise type_error("text formatting with % is not available")
    return _divide("%", lambda x, y: x % y, a, b)


def power(ctx: EvalContext, a: Any, b: Any) -> Any:
    """a ** b on numbers; an integer result beyond MAX_INT_BITS is refused before computing."""
    if a is None or b is None:
        return None
    if not (is_number(a) and is_number(b)):
        raise type_error(f"cannot raise {type_name(a)} to {type_name(b)}")
    if isinstance(a, int) and isinstance(b, int) and b > 0:
        if (abs(a).bit_length() - 1) * b > MAX_INT_BITS:
            raise cost_exceeded(f"power result larger than {MAX_INT_BITS} bits")
    elif isinstance(b, int) and abs(b) > 100_000:
        raise cost_exceeded("exponent too large")
    a, b = align(a, b)
    return _native(lambda x, y: x**y, a, b, "**")


def negate(ctx: EvalContext, a: Any) -> Any:
    """-a on numbers and durations."""
    if a is None:
        return None
    if is_number(a) or isinstance(a, timedelta):
        return _native(lambda x, _y: -x, a, None, "-")
    raise type_error(f"cannot negate {type_name(a)}")


def positive(ctx: EvalContext, a: Any) -> Any:
    """+a on numbers and durations."""
    if a is None:
        return None
    if is_number(a) or isinstance(a, timedelta):
        return _native(lambda x, _y: +x, a, None, "+")
    raise type_error(f"cannot apply unary + to {type_name(a)}")


def _charge_compare(ctx: EvalContext, a: Any, b: Any) -> None:
    for value in (a, b):
        if not isinstance(value, SCALARS):
            ctx.check_size(value, "a compared value")
            ctx.charge(ctx.size(value))


def equal(ctx: EvalContext, a: Any, b: Any) -> bool:
    """a == b, Decimal and float compared as Decimal."""
    _charge_compare(ctx, a, b)
    a, b = align(a, b)
    try:
        return bool(a == b)
    except (TypeError, ValueError, ArithmeticError):
        raise type_error(f"cannot compare {type_name(a)} and {type_name(b)}") from None


def order(ctx: EvalContext, symbol: str, a: Any, b: Any) -> bool:
    """a < b and friends; False whenever either side is None."""
    if a is None or b is None:
        return False
    _charge_compare(ctx, a, b)
    a, b = align(a, b)
    try:
        if symbol == "<":
            return bool(a < b)
        if symbol == "<=":
            return bool(a <= b)
        if symbol == ">":
            return bool(a > b)
        return bool(a >= b)
    except (TypeError, ValueError, ArithmeticError):
        raise type_error(f"cannot order {type_name(a)} and {type_name(b)}") from None


def contains(ctx: EvalContext, container: Any, item: Any) -> bool:
    """item in container; False when the container is None."""
    if container is None:
        return False
    if isinstance(container, str):
        if not isinstance(item, str):
            raise type_error(f"'in <text>' needs text on the left, not {type_name(item)}")
        ctx.charge(len(container) // 16 + 1)
        return item in container
    if not isinstance(container, CONTAINERS):
        raise type_error(f"'in' needs a list, tuple, set or mapping, not {type_name(container)}")
    _charge_compare(ctx, container, item)
    try:
        return item in container
    except (TypeError, ValueError, ArithmeticError):
        raise type_error(f"cannot look for {type_name(item)} in {type_name(container)}") from None


def check_key(key: Any) -> None:
    """Refuse a mapping key that starts with an underscore."""
    if isinstance(key, str) and key.startswith("_"):
        raise ExpressionError(
            ExpressionErrorCode.FORBIDDEN, f"names starting with '_' are not allowed: {key!r}"
        )


def get_field(container: Any, name: str) -> Any:
    """``container.name``: a mapping lookup (never getattr); None when missing or on None."""
    if container is None:
        return None
    if isinstance(container, Mapping):
        return container.get(name)
    raise type_error(f".{name} works on mappings only, not on {type_name(container)}")


def get_item(container: Any, key: Any) -> Any:
    """``container[key]``: mapping lookup or list/text index; None when missing or out of range."""
    check_key(key)
    if container is None or key is None:
        return None
    if isinstance(container, Mapping):
        try:
            return container.get(key)
        except TypeError:
            raise type_error(f"{type_name(key)} cannot be a mapping key") from None
    if isinstance(container, (str, *SEQUENCES)):
        if isinstance(key, bool) or not isinstance(key, int):
            raise type_error(f"an index must be an integer, not {type_name(key)}")
        if -len(container) <= key < len(container):
            return container[key]
        return None
    raise type_error(f"cannot index {type_name(container)}")


def get_slice(ctx: EvalContext, container: Any, lower: Any, upper: Any, step: Any) -> Any:
    """``container[lower:upper:step]`` on lists, tuples and text; None on None."""
    if container is None:
        return None
    if not isinstance(container, (str, *SEQUENCES)):
        raise type_error(f"cannot slice {type_name(container)}")
    for bound in (lower, upper, step):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, int)):
            raise type_error(f"a slice bound must be an integer, not {type_name(bound)}")
    if step == 0:
        raise ExpressionError(ExpressionErrorCode.VALUE_ERROR, "slice step cannot be zero")
    result = container[lower:upper:step]
    ctx.charge(len(result))
    return result


def truthy(value: Any) -> bool:
    """Python truthiness for plain values (None, 0, empty text and containers are false)."""
    try:
        return bool(value)
    except Exception:  # noqa: BLE001 - a host object with a broken __bool__
        raise type_error(f"{type_name(value)} has no truth value") from None
