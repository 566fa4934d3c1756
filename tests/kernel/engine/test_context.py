"""The pure context stack: inheritance, shadowing, pop with returns, stable hashes, the schema."""

import jsonschema
import pytest

from kernel.engine.context import (
    ContextStack,
    ProcessExecutionContext,
    child_variables,
    context_hash,
)
from kernel.engine.snapshots import jsonable, validate


def test_child_frame_sees_caller_variables_and_shadows_them():
    stack = ContextStack()
    stack.push(1, {"customer": "Li", "tier": "gold"})
    stack.push(2, {"tier": "silver"})
    view = stack.variables()
    assert (view["customer"], view["tier"]) == ("Li", "silver")
    popped = stack.pop(returns={"total": 220})
    assert popped.pid == 2 and len(stack) == 1
    assert stack.top.variables == {"customer": "Li", "tier": "gold", "total": 220}


def test_process_context_document_and_child_variables():
    ctx = ProcessExecutionContext(pid=5, variables={"item": "x"}, caller={"a": 1, "item": "old"})
    assert ctx.document() == {"variables": {"a": 1, "item": "x"}}
    assert child_variables({"a": 1}, {"index": 0}) == {"a": 1, "index": 0}


def test_hash_is_order_independent_and_sensitive_to_values():
    assert context_hash({"a": 1, "b": 2}) == context_hash({"b": 2, "a": 1})
    assert context_hash({"a": 1}) != context_hash({"a": 2})


def test_schema_rejects_bad_documents_and_jsonable_converts():
    from decimal import Decimal

    validate({"variables": {"total": 1}})
    with pytest.raises(jsonschema.ValidationError):
        validate({"variables": {"_private": 1}})
    with pytest.raises(jsonschema.ValidationError):
        validate({"vars": {}})
    assert jsonable({"t": Decimal("220.00"), "r": Decimal("1.5"), "l": (1, 2)}) == {
        "t": 220,
        "r": 1.5,
        "l": [1, 2],
    }
