"""The function whitelist: behaviour, None tolerance and refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from kernel.rules import FUNCTIONS, ExpressionError, ExpressionErrorCode, compile_expression

NOW = datetime(2025, 3, 10, 23, 0, tzinfo=UTC)


def ev(source: str, **namespace: Any) -> Any:
    return compile_expression(source).evaluate(namespace, now=NOW)


def code_of(source: str, **namespace: Any) -> str:
    with pytest.raises(ExpressionError) as info:
        ev(source, **namespace)
    return info.value.code


def test_whitelist_contains_the_documented_functions() -> None:
    documented = {
        "len",
        "min",
        "max",
        "abs",
        "round",
        "sum",
        "any",
        "all",
        "sorted",
        "int",
        "float",
        "str",
        "bool",
        "now",
        "today",
        "days",
        "hours",
        "minutes",
    }
    assert documented <= set(FUNCTIONS)
    for banned in [
        "eval",
        "exec",
        "open",
        "getattr",
        "type",
        "vars",
        "globals",
        "compile",
        "__import__",
    ]:
        assert banned not in FUNCTIONS


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("len('abc')", 3),
        ("len(None)", 0),
        ("len({'a': 1})", 1),
        ("min(3, 1, 2)", 1),
        ("max([3, None, 5])", 5),
        ("min([])", None),
        ("max(None, None)", None),
        ("min([decimal('1.5'), 1.2])", Decimal("1.2")),
        ("abs(-2)", 2),
        ("abs(None)", None),
        ("round(2.675, 2)", 2.67),
        ("round(decimal('2.675'), 2)", Decimal("2.68")),
        ("round(2.5)", 2),
        ("sum([1, 2, None])", 3),
        ("sum([])", 0),
        ("sum(1, 2.5)", 3.5),
        ("sum([decimal('0.1'), 0.2])", Decimal("0.3")),
        ("any([0, None, 3])", True),
        ("all([1, 'x'])", True),
        ("all(None)", True),
        ("any(None)", False),
        ("sorted([3, 1, 2])", [1, 2, 3]),
        ("sorted(None)", []),
        ("int('42')", 42),
        ("int(3.9)", 3),
        ("float('1.5')", 1.5),
        ("decimal(0.1)", Decimal("0.1")),
        ("decimal('12.30')", Decimal("12.30")),
        ("str(12)", "12"),
        ("str(None)", ""),
        ("bool([])", False),
        ("today()", date(2025, 3, 10)),
        ("days(1.5)", timedelta(days=1.5)),
        ("hours(None)", None),
        ("date(2025, 1, 31)", date(2025, 1, 31)),
        ("date(now())", date(2025, 3, 10)),
        ("days_between(date(2025, 1, 1), date(2025, 3, 1))", 59),
        ("coalesce(None, 0, 5)", 0),
        ("lower('ABC') + upper('d')", "abcD"),
        ("day(date('2025-02-03'))", 3),
    ],
)
def test_function_results(source: str, expected: Any) -> None:
    result = ev(source)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("source", "code"),
    [
        ("int('x')", ExpressionErrorCode.VALUE_ERROR),
        ("int(float('inf'))", ExpressionErrorCode.ARITHMETIC_ERROR),
        ("int(float('nan'))", ExpressionErrorCode.VALUE_ERROR),
        ("float([1])", ExpressionErrorCode.TYPE_ERROR),
        ("decimal('abc')", ExpressionErrorCode.VALUE_ERROR),
        ("str([1, 2])", ExpressionErrorCode.TYPE_ERROR),
        ("len(5)", ExpressionErrorCode.TYPE_ERROR),
        ("min(1, 'a')", ExpressionErrorCode.TYPE_ERROR),
        ("sorted([1, 'a'])", ExpressionErrorCode.TYPE_ERROR),
        ("sum(['a', 'b'])", ExpressionErrorCode.TYPE_ERROR),
        ("round(1.5, 1000)", ExpressionErrorCode.VALUE_ERROR),
        ("round('1')", ExpressionErrorCode.TYPE_ERROR),
        ("days('3')", ExpressionErrorCode.TYPE_ERROR),
        ("days(10**30)", ExpressionErrorCode.ARITHMETIC_ERROR),
        ("date(2025, 2, 30)", ExpressionErrorCode.VALUE_ERROR),
        ("date('03/10/2025')", ExpressionErrorCode.VALUE_ERROR),
        ("lower(1)", ExpressionErrorCode.TYPE_ERROR),
        ("int('9' * 2000)", ExpressionErrorCode.VALUE_ERROR),
        ("len()", ExpressionErrorCode.TYPE_ERROR),
        ("now(1)", ExpressionErrorCode.TYPE_ERROR),
        ("days_between(1, 2)", ExpressionErrorCode.TYPE_ERROR),
    ],
)
def test_function_refusals(source: str, code: ExpressionErrorCode) -> None:
    assert code_of(source) == code


def test_arity_is_checked_at_compile_time() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression("round(1, 2, 3)")
    assert info.value.code == ExpressionErrorCode.TYPE_ERROR
    assert info.value.column == 1


def test_unknown_function_is_reported_with_its_code() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression("1 + avg([1])")
    assert info.value.code == ExpressionErrorCode.UNKNOWN_FUNCTION
    assert info.value.column == 5


def test_a_field_may_share_a_function_name_when_not_called() -> None:
    compiled = compile_expression("date + days(1)")
    assert compiled.root_names == {"date"}
    assert compiled.evaluate({"date": date(2025, 1, 1)}) == date(2025, 1, 2)
