"""compile_expression parses each text once and shares the immutable result."""

from __future__ import annotations

import pytest

from kernel.rules import (
    CompiledExpression,
    ExpressionError,
    cache_info,
    clear_cache,
    compile_expression,
)


def test_same_text_gives_the_same_object() -> None:
    clear_cache()
    first = compile_expression("form.amount > 5000")
    second = compile_expression("form.amount > 5000")
    assert first is second
    assert isinstance(first, CompiledExpression)
    assert first.source == "form.amount > 5000"
    info = cache_info()
    assert info.hits == 1 and info.misses == 1


def test_different_text_gives_different_objects() -> None:
    assert compile_expression("1 + 1") is not compile_expression("1+1")


def test_clear_cache_forgets() -> None:
    first = compile_expression("2 + 2")
    clear_cache()
    assert compile_expression("2 + 2") is not first


def test_failures_are_not_cached_as_successes() -> None:
    for _ in range(2):
        with pytest.raises(ExpressionError):
            compile_expression("form.__class__")


def test_one_compiled_expression_serves_many_namespaces() -> None:
    expression = compile_expression("form.a * 2")
    assert [expression.evaluate({"form": {"a": n}}) for n in (1, 2, 3)] == [2, 4, 6]


def test_compiled_expression_is_immutable() -> None:
    expression = compile_expression("1")
    with pytest.raises(AttributeError):
        expression.source = "2"  # type: ignore[misc]
