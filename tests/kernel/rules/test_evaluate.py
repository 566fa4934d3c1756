"""Semantics of the expression language: the tenants' expressions, None, numbers, dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from kernel.rules import ExpressionError, ExpressionErrorCode, compile_expression

NOW = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)


def ev(source: str, **namespace: Any) -> Any:
    return compile_expression(source).evaluate(namespace, now=NOW)


def code_of(source: str, **namespace: Any) -> str:
    with pytest.raises(ExpressionError) as info:
        ev(source, **namespace)
    return info.value.code


# --- the tenants' own expressions -------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"), [(Decimal("1000.01"), True), (Decimal("1000"), False), (None, False)]
)
def test_repair_shop_large_invoice(amount: Decimal | None, expected: bool) -> None:
    assert ev("form.amount > 1000", form={"amount": amount}) is expected


def test_clinic_large_payment_on_an_empty_form_is_false() -> None:
    assert ev("form.actual_amount > 5000", form={}) is False
    assert ev("form.actual_amount > 5000", form={"actual_amount": Decimal("5000.50")}) is True


def test_repair_shop_computed_total_mixes_decimal_and_float() -> None:
    result = ev(
        "labour_hours * hourly_rate + parts_cost",
        labour_hours=Decimal("1.5"),
        hourly_rate=Decimal("80.00"),
        parts_cost=0.1,
    )
    assert result == Decimal("120.100") and isinstance(result, Decimal)


def test_computed_line_total_with_a_missing_price_is_none() -> None:
    assert ev("quantity * unit_price", quantity=3, unit_price=None) is None
    assert ev("quantity * unit_price", quantity=3, unit_price=Decimal("2.50")) == Decimal("7.50")


def test_last_diagnosis_plan_services() -> None:
    entity = {
        "diagnosis_plan": [{"recommended_services": ["a"]}, {"recommended_services": ["b", "c"]}]
    }
    assert ev("entity.diagnosis_plan[-1].recommended_services", entity=entity) == ["b", "c"]
    assert (
        ev("entity.diagnosis_plan[-1].recommended_services", entity={"diagnosis_plan": []}) is None
    )


def test_len_of_a_reference_list() -> None:
    assert ev("len(entity.device) > 0", entity={"device": [{"name": "x"}]}) is True
    assert ev("len(entity.device) > 0", entity={"device": None}) is False


def test_iteration_over_param() -> None:
    lines = [{"amount": 1}, {"amount": 2}]
    assert ev("entity.order_line", entity={"order_line": lines}) is lines


# --- names and lookups -------------------------------------------------------------------------


def test_attribute_is_mapping_lookup_and_nests() -> None:
    assert ev("form.customer.name", form={"customer": {"name": "Li", "label": "李"}}) == "Li"
    assert ev("form.customer.name", form={"customer": None}) is None
    assert ev("form['amount']", form={"amount": 3}) == 3
    assert ev("form[key]", form={"a": 1}, key="a") == 1


def test_index_and_slice() -> None:
    assert ev("items[0]", items=[5, 6]) == 5
    assert ev("items[5]", items=[5, 6]) is None
    assert ev("items[1:]", items=[5, 6, 7]) == [6, 7]
    assert ev("name[:2]", name="abcdef") == "ab"
    assert ev("items[::-1]", items=(1, 2)) == (2, 1)
    assert code_of("items['x']", items=[1]) == ExpressionErrorCode.TYPE_ERROR
    assert code_of("items[::0]", items=[1]) == ExpressionErrorCode.VALUE_ERROR


def test_unknown_root_name_at_evaluation() -> None:
    assert code_of("missing + 1") == ExpressionErrorCode.UNKNOWN_NAME


def test_process_variables() -> None:
    assert ev(
        "process_state == 'RUNNING' and process_priority >= 2",
        process_state="RUNNING",
        process_priority=3,
    )
    assert ev("parent.total if parent else 0", parent=None) == 0


# --- None semantics --------------------------------------------------------------------------


@pytest.mark.parametrize("op", ["<", "<=", ">", ">="])
def test_ordering_with_none_is_false_both_ways(op: str) -> None:
    assert ev(f"a {op} 1", a=None) is False
    assert ev(f"1 {op} a", a=None) is False


def test_equality_and_membership_with_none() -> None:
    assert ev("a == None", a=None) is True
    assert ev("a is None", a=None) is True
    assert ev("a is not None", a=1) is True
    assert ev("a != 1", a=None) is True
    assert ev("1 in a", a=None) is False
    assert ev("1 not in a", a=None) is False


def test_arithmetic_with_none_propagates_none() -> None:
    for source in ["a + 1", "1 - a", "a * 2", "a / 2", "a // 2", "a % 2", "a ** 2", "-a", "+a"]:
        assert ev(source, a=None) is None, source


# --- operators ------------------------------------------------------------------------------


def test_chained_comparisons_and_boolean_ops() -> None:
    assert ev("1 < a <= 3", a=3) is True
    assert ev("1 < a <= 3", a=4) is False
    assert ev("a or 'default'", a="") == "default"
    assert ev("a and b", a=1, b=2) == 2
    assert ev("not a", a=[]) is True
    assert ev("'x' if a > 1 else 'y'", a=2) == "x"


def test_membership() -> None:
    assert ev("'vip' in tags", tags=["vip"]) is True
    assert ev("'ip' in name", name="vip") is True
    assert ev("'k' in m", m={"k": 1}) is True
    assert ev("3 not in (1, 2)") is True
    assert code_of("1 in 'abc'") == ExpressionErrorCode.TYPE_ERROR


def test_numbers() -> None:
    assert ev("7 // 2 + 7 % 2 + 2 ** 3") == 12
    assert ev("1 / 4") == 0.25
    assert ev("a == 0.1", a=Decimal("0.1")) is True
    assert ev("a < 0.2", a=Decimal("0.1")) is True
    assert ev("a / 3", a=Decimal("1")) == Decimal(1) / Decimal(3)
    assert code_of("1 / 0") == ExpressionErrorCode.ARITHMETIC_ERROR
    assert code_of("a / 0", a=Decimal(1)) == ExpressionErrorCode.ARITHMETIC_ERROR
    assert code_of("(-8) ** 0.5") == ExpressionErrorCode.ARITHMETIC_ERROR


def test_text_and_list_operators() -> None:
    assert ev("'ab' + 'cd'") == "abcd"
    assert ev("[1] + [2]") == [1, 2]
    assert ev("'ab' * 2") == "abab"
    assert ev("2 * [0]") == [0, 0]
    assert code_of("'a' + 1") == ExpressionErrorCode.TYPE_ERROR
    assert code_of("[1] + (2,)") == ExpressionErrorCode.TYPE_ERROR
    assert code_of("'%s' % 1") == ExpressionErrorCode.TYPE_ERROR


def test_literals() -> None:
    assert ev("{'a': [1, (2, 3)], 'b': None}") == {"a": [1, (2, 3)], "b": None}
    assert ev("{1, 2} == {2, 1}") is True
    assert ev("True and not False") is True


def test_comprehensions_have_their_own_scope() -> None:
    lines = [{"amount": 3, "ok": True}, {"amount": 4, "ok": False}]
    assert ev("[l.amount for l in lines if l.ok]", lines=lines) == [3]
    assert ev("sum(l.amount for l in lines)", lines=lines) == 7
    assert ev("[x for x in x]", x=[1, 2]) == [1, 2]
    assert ev("[(a, b) for a in [1, 2] for b in [a]]") == [(1, 1), (2, 2)]
    assert ev("[x for x in items]", items=None) == []
    assert code_of("[x for x in 5]") == ExpressionErrorCode.TYPE_ERROR


# --- dates ----------------------------------------------------------------------------------


def test_date_arithmetic() -> None:
    created = NOW - timedelta(days=4)
    assert ev("form.created < now() - days(3)", form={"created": created}) is True
    assert ev("form.created < now() - days(5)", form={"created": created}) is False
    assert ev("today() + days(1)") == date(2025, 3, 11)
    assert ev("now() - hours(2) - minutes(30)") == datetime(2025, 3, 10, 7, 0, tzinfo=UTC)
    assert ev("days_between(date('2025-03-01'), today())") == 9
    assert ev("now() - scheduled > weeks(1)", scheduled=NOW - timedelta(days=8)) is True
    assert ev("year(today()) * 100 + month(today())") == 202503
    assert code_of("now() > days(3)") == ExpressionErrorCode.TYPE_ERROR
    assert code_of("now() > today()") == ExpressionErrorCode.TYPE_ERROR


def test_now_is_aware_utc_by_default_and_fixed_per_evaluation() -> None:
    first, second = compile_expression("[now(), now()]").evaluate({})
    assert first is second and first.tzinfo is not None


def test_naive_and_aware_datetimes_do_not_compare() -> None:
    assert code_of("a < now()", a=datetime(2025, 1, 1)) == ExpressionErrorCode.TYPE_ERROR


def test_errors_carry_the_column_of_the_failing_part() -> None:
    with pytest.raises(ExpressionError) as info:
        ev("1 + form.customer.name", form={"customer": 5})
    assert info.value.code == ExpressionErrorCode.TYPE_ERROR
    assert info.value.column == 19


def test_namespace_must_be_a_mapping() -> None:
    with pytest.raises(ExpressionError):
        compile_expression("1").evaluate([("a", 1)])  # type: ignore[arg-type]
