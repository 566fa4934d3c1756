"""Every known sandbox escape in the corpus is refused with ExpressionError and does nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kernel.rules import ExpressionError, ExpressionErrorCode, compile_expression
from tests.kernel.rules.escape_corpus import ESCAPES


class HostObject:
    """A non-mapping host value: its attributes must stay unreachable."""

    secret = "s3cr3t"


def _namespace() -> dict[str, Any]:
    return {
        "form": {"amount": 1, "x": 1},
        "entity": {"lines": [{"amount": 2}]},
        "params": {},
        "parent": None,
        "obj": HostObject(),
        "x": 1,
        "y": [1],
    }


def test_the_corpus_is_big_and_unique() -> None:
    assert len(ESCAPES) >= 40
    assert len({name for name, _, _ in ESCAPES}) == len(ESCAPES)


@pytest.mark.parametrize(("name", "source", "stage"), ESCAPES, ids=[e[0] for e in ESCAPES])
def test_escape_is_rejected(name: str, source: str, stage: str, tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    source = source.replace("CANARY", str(canary))
    with pytest.raises(ExpressionError) as info:
        compiled = compile_expression(source)
        assert stage == "evaluate", f"{name} compiled but should have been refused at compile time"
        compiled.evaluate(_namespace())
    error = info.value
    assert isinstance(error.code, ExpressionErrorCode)
    assert not error.message.startswith("internal error"), error.message
    if stage == "evaluate":
        assert error.code != ExpressionErrorCode.SYNTAX
    assert not canary.exists()


def test_host_object_attribute_is_not_read_by_getattr() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression("obj.secret").evaluate(_namespace())
    assert info.value.code == ExpressionErrorCode.TYPE_ERROR
    assert "s3cr3t" not in str(info.value)
