"""The whitelist of functions an expression may call by bare name; all None-tolerant."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any
from uuid import UUID

from kernel.rules import operators as ops
from kernel.rules.context import EvalContext
from kernel.rules.errors import ExpressionError, ExpressionErrorCode
from kernel.rules.limits import MAX_ROUND_DIGITS

_MAX_TEXT_NUMBER = 1_000  # characters accepted by int()/float()/decimal() on text
_SCALARS = (str, int, float, Decimal, bool, date, datetime, time, timedelta, UUID)
_ITERABLES = (list, tuple, set, frozenset)


@dataclass(frozen=True)
class Function:
    """One callable: ``impl(ctx, *args)``, accepting ``min_args`` to ``max_args`` positionals."""

    name: str
    impl: Callable[..., Any]
    min_args: int
    max_args: int | None
    doc: str


def _value_error(message: str) -> ExpressionError:
    return ExpressionError(ExpressionErrorCode.VALUE_ERROR, message)


def _items(ctx: EvalContext, args: tuple[Any, ...], name: str) -> list[Any]:
    """One list/tuple/set argument or several arguments -> the non-None items (charged)."""
    if len(args) == 1:
        (only,) = args
        if only is None:
            return []
        if not isinstance(only, _ITERABLES):
            raise ops.type_error(
                f"{name}() needs a list or several values, not {ops.type_name(only)}"
            )
        ctx.charge(3 * len(only))  # several Python-level passes follow
        return [item for item in only if item is not None]
    return [item for item in args if item is not None]


def _aligned(items: list[Any]) -> list[Any]:
    if any(isinstance(item, Decimal) for item in items):
        return [Decimal(str(item)) if isinstance(item, float) else item for item in items]
    return items


def _extreme(ctx: EvalContext, args: tuple[Any, ...], name: str, pick: Callable[..., Any]) -> Any:
    items = _aligned(_items(ctx, args, name))
    if not items:
        return None
    if any(not isinstance(item, ops.SCALARS) for item in items):
        ctx.check_size(items)
        ctx.charge(ctx.size(items))
    try:
        return pick(items)
    except (TypeError, ArithmeticError):
        raise ops.type_error(f"{name}() got values that cannot be compared") from None


def _len(ctx: EvalContext, value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, (str, *_ITERABLES, Mapping)):
        return len(value)
    raise ops.type_error(f"len() needs text, a list or a mapping, not {ops.type_name(value)}")


def _abs(ctx: EvalContext, value: Any) -> Any:
    if value is None:
        return None
    if ops.is_number(value) or isinstance(value, timedelta):
        return abs(value)
    raise ops.type_error(f"abs() needs a number, not {ops.type_name(value)}")


def _round(ctx: EvalContext, value: Any, digits: Any = None) -> Any:
    if value is None:
        return None
    if not ops.is_number(value):
        raise ops.type_error(f"round() needs a number, not {ops.type_name(value)}")
    if digits is not None:
        if isinstance(digits, bool) or not isinstance(digits, int):
            raise ops.type_error("round() digits must be an integer")
        if abs(digits) > MAX_ROUND_DIGITS:
            raise _value_error(f"round() digits must be within ±{MAX_ROUND_DIGITS}")
    try:
        return ops.check_int(round(value) if digits is None else round(value, digits))
    except (ArithmeticError, ValueError) as exc:
        raise ops.arithmetic_error(exc) from None


def _sum(ctx: EvalContext, *args: Any) -> Any:
    items = _aligned(_items(ctx, args, "sum"))
    if all(isinstance(item, timedelta) for item in items) and items:
        start: Any = timedelta()
    elif all(ops.is_number(item) for item in items):
        start = 0
    else:
        raise ops.type_error("sum() adds numbers or durations only")
    try:
        return ops.check_int(sum(items, start))
    except ArithmeticError as exc:
        raise ops.arithmetic_error(exc) from None


def _any(ctx: EvalContext, value: Any) -> bool:
    return any(ops.truthy(item) for item in _items(ctx, (value,), "any"))


def _all(ctx: EvalContext, value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, _ITERABLES):
        raise ops.type_error(f"all() needs a list, not {ops.type_name(value)}")
    ctx.charge(len(value))
    return all(ops.truthy(item) for item in value)


def _sorted(ctx: EvalContext, value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, _ITERABLES):
        raise ops.type_error(f"sorted() needs a list, not {ops.type_name(value)}")
    ctx.check_size(value)
    ctx.charge(ctx.size(value) * max(1, math.ceil(math.log2(len(value) + 1))))
    try:
        return sorted(_aligned(list(value)))
    except (TypeError, ArithmeticError):
        raise ops.type_error("sorted() got values that cannot be compared") from None


def _text_number(value: str, name: str) -> str:
    if len(value) > _MAX_TEXT_NUMBER:
        raise _value_error(f"{name}() text longer than {_MAX_TEXT_NUMBER} characters")
    return value.strip()


def _int(ctx: EvalContext, value: Any) -> Any:
    if value is None:
        return None
    try:
        if isinstance(value, Decimal) and value.is_finite() and value.adjusted() > 330:
            raise ops.type_error("number too large for int()")
        if isinstance(value, str):
            value = _text_number(value, "int")
        if not isinstance(value, (str, *ops.NUMBERS)):
            raise ops.type_error(f"int() needs a number or text, not {ops.type_name(value)}")
        return ops.check_int(int(value))
    except (ValueError, InvalidOperation):
        raise _value_error(f"int() cannot convert {value!r}") from None
    except (OverflowError, ArithmeticError) as exc:
        raise ops.arithmetic_error(exc) from None


def _float(ctx: EvalContext, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        value = _text_number(value, "float")
    elif not ops.is_number(value):
        raise ops.type_error(f"float() needs a number or text, not {ops.type_name(value)}")
    try:
        return float(value)
    except ValueError:
        raise _value_error(f"float() cannot convert {value!r}") from None
    except ArithmeticError as exc:
        raise ops.arithmetic_error(exc) from None


def _decimal(ctx: EvalContext, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        value = _text_number(value, "decimal")
    elif isinstance(value, float):
        value = str(value)
    elif not ops.is_number(value):
        raise ops.type_error(f"decimal() needs a number or text, not {ops.type_name(value)}")
    try:
        return Decimal(value)
    except (InvalidOperation, ValueError):
        raise _value_error(f"decimal() cannot convert {value!r}") from None


def _str(ctx: EvalContext, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, _SCALARS):
        raise ops.type_error(f"str() needs a single value, not {ops.type_name(value)}")
    return str(value)


def _bool(ctx: EvalContext, value: Any) -> bool:
    return ops.truthy(value)


def _duration(unit: str) -> Callable[[EvalContext, Any], Any]:
    def make(ctx: EvalContext, amount: Any) -> Any:
        if amount is None:
            return None
        if isinstance(amount, Decimal):
            amount = float(amount)
        if isinstance(amount, bool) or not isinstance(amount, (int, float)):
            raise ops.type_error(f"{unit}() needs a number, not {ops.type_name(amount)}")
        if isinstance(amount, int) and amount.bit_length() > 64:
            raise ops.arithmetic_error(OverflowError(f"{unit}() amount too large"))
        try:
            return timedelta(**{unit: amount})
        except (OverflowError, ValueError) as exc:
            raise ops.arithmetic_error(exc) from None

    return make


def _now(ctx: EvalContext) -> datetime:
    return ctx.now()


def _today(ctx: EvalContext) -> date:
    return ctx.now().date()


def _date(ctx: EvalContext, *args: Any) -> Any:
    if len(args) == 1:
        (value,) = args
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(_text_number(value, "date"))
            except ValueError:
                raise _value_error(f"date() cannot read {value!r} (use YYYY-MM-DD)") from None
        raise ops.type_error(f"date() needs a date, datetime or text, not {ops.type_name(value)}")
    if len(args) != 3:
        raise ops.type_error("date() takes one value or year, month, day")
    if any(isinstance(part, bool) or not isinstance(part, int) for part in args):
        raise ops.type_error("date(year, month, day) needs integers")
    try:
        return date(*args)
    except (ValueError, OverflowError) as exc:
        raise _value_error(f"date(): {exc}") from None


def _as_date(value: Any, name: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise ops.type_error(f"{name}() needs a date or datetime, not {ops.type_name(value)}")


def _days_between(ctx: EvalContext, start: Any, end: Any) -> Any:
    if start is None or end is None:
        return None
    return (_as_date(end, "days_between") - _as_date(start, "days_between")).days


def _part(attribute: str) -> Callable[[EvalContext, Any], Any]:
    def read(ctx: EvalContext, value: Any) -> Any:
        if value is None:
            return None
        return getattr(_as_date(value, attribute), attribute)

    return read


def _coalesce(ctx: EvalContext, *args: Any) -> Any:
    return next((value for value in args if value is not None), None)


def _text(name: str, convert: Callable[[str], str]) -> Callable[[EvalContext, Any], Any]:
    def apply(ctx: EvalContext, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise ops.type_error(f"{name}() needs text, not {ops.type_name(value)}")
        ctx.charge(len(value))
        return convert(value)

    return apply


_DEFINITIONS: list[Function] = [
    Function("len", _len, 1, 1, "number of items or characters; len(None) is 0"),
    Function(
        "min", lambda ctx, *a: _extreme(ctx, a, "min", min), 1, None, "smallest non-None value"
    ),
    Function(
        "max", lambda ctx, *a: _extreme(ctx, a, "max", max), 1, None, "largest non-None value"
    ),
    Function("abs", _abs, 1, 1, "absolute value"),
    Function("round", _round, 1, 2, "round(x) or round(x, digits)"),
    Function("sum", _sum, 1, None, "sum of a list (or of the arguments), None items skipped"),
    Function("any", _any, 1, 1, "True if any item is true"),
    Function("all", _all, 1, 1, "True if every item is true"),
    Function("sorted", _sorted, 1, 1, "a sorted copy of a list"),
    Function("int", _int, 1, 1, "integer from a number or text"),
    Function("float", _float, 1, 1, "float from a number or text"),
    Function("decimal", _decimal, 1, 1, "exact decimal from a number or text"),
    Function("str", _str, 1, 1, "text of a single value; str(None) is ''"),
    Function("bool", _bool, 1, 1, "truth value"),
    Function("now", _now, 0, 0, "the current date and time (time-zone aware)"),
    Function("today", _today, 0, 0, "the current date"),
    Function("weeks", _duration("weeks"), 1, 1, "a duration of n weeks"),
    Function("days", _duration("days"), 1, 1, "a duration of n days"),
    Function("hours", _duration("hours"), 1, 1, "a duration of n hours"),
    Function("minutes", _duration("minutes"), 1, 1, "a duration of n minutes"),
    Function("date", _date, 1, 3, "date(datetime), date('YYYY-MM-DD') or date(y, m, d)"),
    Function("days_between", _days_between, 2, 2, "whole days from the first date to the second"),
    Function("year", _part("year"), 1, 1, "year of a date"),
    Function("month", _part("month"), 1, 1, "month of a date"),
    Function("day", _part("day"), 1, 1, "day of the month of a date"),
    Function("coalesce", _coalesce, 1, None, "the first argument that is not None"),
    Function("lower", _text("lower", str.lower), 1, 1, "text in lower case"),
    Function("upper", _text("upper", str.upper), 1, 1, "text in upper case"),
]

FUNCTIONS: MappingProxyType[str, Function] = MappingProxyType({f.name: f for f in _DEFINITIONS})
