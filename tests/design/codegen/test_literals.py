"""py_literal: every value comes back unchanged through the parser, never as code."""

from __future__ import annotations

import ast
import datetime
import decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from design.codegen.errors import CodegenError, CodegenErrorCode
from design.codegen.literals import identifier, py_literal

HOSTILE = [
    "it's",
    'say "hi"',
    '"""',
    "'''",
    "back\\slash\\",
    "line\nbreak\r\n",
    "{{ x }}",
    "{% if %}",
    "__import__('os').system('touch CANARY')",
    "\u202eevil",
    "x" * 500,
    "\x00nul",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_a_literal(text: str) -> None:
    source = py_literal(text)
    assert ast.literal_eval(source) == text
    assert "\u202e" not in source  # direction marks are escaped, never shown raw


@given(st.text())
def test_any_text_round_trips(text: str) -> None:
    assert ast.literal_eval(py_literal(text)) == text


def test_decimal_date_and_containers() -> None:
    assert py_literal(decimal.Decimal("1.50")) == "decimal.Decimal('1.50')"
    assert py_literal(datetime.date(2024, 2, 29)) == "datetime.date(2024, 2, 29)"
    assert py_literal(datetime.time(9, 30)) == "datetime.time(9, 30, 0)"
    assert py_literal([("a", "B")]) == "[('a', 'B')]"
    assert py_literal({"k": [1, None, True]}) == "{'k': [1, None, True]}"
    assert py_literal(decimal.Decimal("2"), decimal_mod="decimal_module").startswith(
        "decimal_module."
    )


def test_unsupported_values_raise() -> None:
    with pytest.raises(CodegenError) as info:
        py_literal(object())
    assert info.value.code == CodegenErrorCode.UNSUPPORTED_VALUE
    with pytest.raises(CodegenError):
        py_literal(float("nan"))


@pytest.mark.parametrize("name", ["class", "import", "Customer", "_x", "a-b", "a b", "", "x;y"])
def test_identifier_rejects_unsafe_names(name: str) -> None:
    with pytest.raises(CodegenError) as info:
        identifier(name)
    assert info.value.code == CodegenErrorCode.INVALID_IDENTIFIER


def test_identifier_accepts_valid_names() -> None:
    assert identifier("work_order2") == "work_order2"
