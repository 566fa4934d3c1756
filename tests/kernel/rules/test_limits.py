"""Compile-time and evaluation-time limits of the sandbox."""

from __future__ import annotations

import pytest

from kernel.rules import ExpressionError, ExpressionErrorCode, compile_expression
from kernel.rules.limits import (
    MAX_DEPTH,
    MAX_NODES,
    MAX_SIZE,
    MAX_SOURCE_LENGTH,
    MAX_STEPS,
)


def compile_code(source: str) -> str:
    with pytest.raises(ExpressionError) as info:
        compile_expression(source)
    return info.value.code


def eval_code(source: str, **namespace: object) -> str:
    with pytest.raises(ExpressionError) as info:
        compile_expression(source).evaluate(namespace)
    return info.value.code


def test_source_length_limit() -> None:
    just_fits = "1" + " " * (MAX_SOURCE_LENGTH - 1)
    assert compile_expression(just_fits).evaluate({}) == 1
    assert compile_code("1" + " " * MAX_SOURCE_LENGTH) == ExpressionErrorCode.TOO_COMPLEX


def test_node_count_limit() -> None:
    fits = "+".join(["a"] * (MAX_NODES // 2))
    assert compile_expression(f"sum([{fits.replace('+', ',')}])")
    assert compile_code("[" + ",".join(["1"] * MAX_NODES) + "]") == ExpressionErrorCode.TOO_COMPLEX


def test_depth_limit() -> None:
    ok = "-" * (MAX_DEPTH - 2) + "1"
    assert compile_expression(ok).evaluate({}) in (1, -1)
    assert compile_code("-" * (MAX_DEPTH + 1) + "1") == ExpressionErrorCode.TOO_COMPLEX


def test_step_budget() -> None:
    expression = compile_expression("[x for x in items]")
    assert len(expression.evaluate({"items": list(range(MAX_STEPS // 4))})) == MAX_STEPS // 4
    assert (
        eval_code("[x for x in items]", items=list(range(MAX_STEPS)))
        == ExpressionErrorCode.COST_EXCEEDED
    )
    with pytest.raises(ExpressionError) as info:
        compile_expression("1 + 1 + 1").evaluate({}, max_steps=3)
    assert info.value.code == ExpressionErrorCode.COST_EXCEEDED


def test_size_limits() -> None:
    assert len(compile_expression(f"'a' * {MAX_SIZE}").evaluate({})) == MAX_SIZE
    assert eval_code(f"'a' * {MAX_SIZE + 1}") == ExpressionErrorCode.COST_EXCEEDED
    assert len(compile_expression("[0] * 1000").evaluate({})) == 1000
    assert eval_code(f"[0] * {MAX_SIZE + 1}") == ExpressionErrorCode.COST_EXCEEDED
    assert eval_code("[[0] * 1000] * 1000") == ExpressionErrorCode.COST_EXCEEDED


def test_integer_size() -> None:
    assert compile_expression("2 ** 1000").evaluate({}) == 2**1000
    assert eval_code("2 ** 1100") == ExpressionErrorCode.COST_EXCEEDED
    assert eval_code("a * a", a=2**1000) == ExpressionErrorCode.COST_EXCEEDED


def test_work_budget_bounds_comparisons_of_shared_structures() -> None:
    big = [[0] * 1000 for _ in range(90)]
    other = [[0] * 1000 for _ in range(90)]
    code = eval_code(
        "[a == b for i in [1] * 20]",
        a=big,
        b=other,
    )
    assert code == ExpressionErrorCode.COST_EXCEEDED


def test_compile_errors_carry_columns() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression("form.amount >")
    assert info.value.code == ExpressionErrorCode.SYNTAX and info.value.column is not None
    with pytest.raises(ExpressionError) as info:
        compile_expression("  form._x")
    assert info.value.code == ExpressionErrorCode.FORBIDDEN and info.value.column == 8


@pytest.mark.parametrize("source", ["", "   ", "\n"])
def test_empty_is_syntax_error(source: str) -> None:
    assert compile_code(source) == ExpressionErrorCode.SYNTAX


def test_multi_line_expression_in_parentheses() -> None:
    assert compile_expression("(1 +\n 2)").evaluate({}) == 3


def test_not_text_is_refused() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression(42)  # type: ignore[arg-type]
    assert info.value.code == ExpressionErrorCode.SYNTAX


ADVERSARIAL = [
    "[s == t for x in L]",
    "[t in s for x in L]",
    "[A == B for x in L]",
    "[x in A for x in L]",
    "[max(L) for x in L]",
    "[sum(L) for x in L]",
    "[sorted(L) for x in L]",
    "[min(A) for x in L]",
    "[len([y for y in L]) for x in L]",
    "[D == D for x in L]",
    "[any(L) for x in L]",
    "[L + L for x in L]",
    "[L[::-1] for x in L]",
    "[lower(s) for x in L]",
    "[(L, L, L) for x in L]",
]


@pytest.fixture(scope="module")
def heavy_namespace() -> dict[str, object]:
    return {
        "s": "x" * 100_000,
        "t": "x" * 99_999 + "y",
        "L": list(range(3_000)),
        "A": [[0] * 1_000 for _ in range(99)],
        "B": [[0] * 1_000 for _ in range(99)],
        "D": [{"a": i, "b": str(i)} for i in range(20_000)],
    }


@pytest.mark.parametrize("source", ADVERSARIAL)
def test_adversarial_loops_hit_a_budget(source: str, heavy_namespace: dict[str, object]) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression(source).evaluate(heavy_namespace)
    assert info.value.code == ExpressionErrorCode.COST_EXCEEDED
