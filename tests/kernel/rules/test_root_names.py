"""root_names lists the free top-level names; compile_expression(names=...) checks them."""

from __future__ import annotations

import pytest

from kernel.rules import RULE_NAMES, ExpressionError, ExpressionErrorCode, compile_expression


@pytest.mark.parametrize(
    ("source", "names"),
    [
        ("form.amount > 5000", {"form"}),
        ("labour_hours * hourly_rate + parts_cost", {"labour_hours", "hourly_rate", "parts_cost"}),
        ("len(entity.device) > 0", {"entity"}),
        ("now() - days(3)", set()),
        ("[l.amount for l in entity.lines if l.amount > limit]", {"entity", "limit"}),
        ("[x for x in x]", {"x"}),
        ("sum(a for a in [b]) + a", {"a", "b"}),
        ("{'form': 1}['form']", set()),
        ("process_state == 'READY' and parent.total", {"process_state", "parent"}),
    ],
)
def test_root_names(source: str, names: set[str]) -> None:
    compiled = compile_expression(source)
    assert compiled.root_names == frozenset(names)


def test_function_names_are_reported_separately() -> None:
    compiled = compile_expression("len(form.items) + max(1, 2)")
    assert compiled.function_names == {"len", "max"}
    assert "len" not in compiled.root_names


def test_rule_names_are_the_documented_ones() -> None:
    assert RULE_NAMES == {
        "process_state",
        "process_service",
        "process_priority",
        "process_operator",
        "form",
        "entity",
        "params",
        "parent",
    }


def test_names_argument_reports_the_first_unknown_name_with_its_column() -> None:
    assert compile_expression("form.amount > 1", names=RULE_NAMES).root_names == {"form"}
    with pytest.raises(ExpressionError) as info:
        compile_expression("form.amount > limit + other", names=RULE_NAMES)
    error = info.value
    assert error.code == ExpressionErrorCode.UNKNOWN_NAME
    assert "'limit'" in error.message
    assert error.column == 15
