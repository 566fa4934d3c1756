"""The one way user text reaches generated Python: escaped literals, never raw interpolation."""

from __future__ import annotations

import datetime
import decimal
import keyword
import math
import re
from typing import Any

from design.codegen.errors import CodegenError, CodegenErrorCode

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


def py_literal(value: Any, *, decimal_mod: str = "decimal", datetime_mod: str = "datetime") -> str:
    """Python source for ``value``: ``repr`` for scalars, ``decimal.Decimal('…')`` for decimals."""
    if value is None or isinstance(value, bool | int | str):
        return repr(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CodegenError(CodegenErrorCode.UNSUPPORTED_VALUE, f"non-finite number {value!r}")
        return repr(value)
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise CodegenError(CodegenErrorCode.UNSUPPORTED_VALUE, f"non-finite number {value!r}")
        return f"{decimal_mod}.Decimal({str(value)!r})"
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            raise CodegenError(
                CodegenErrorCode.UNSUPPORTED_VALUE, "aware datetimes are not literals"
            )
        parts = [value.year, value.month, value.day, value.hour, value.minute, value.second]
        if value.microsecond:
            parts.append(value.microsecond)
        return f"{datetime_mod}.datetime({', '.join(map(str, parts))})"
    if isinstance(value, datetime.date):
        return f"{datetime_mod}.date({value.year}, {value.month}, {value.day})"
    if isinstance(value, datetime.time):
        parts = [value.hour, value.minute, value.second] + (
            [value.microsecond] if value.microsecond else []
        )
        return f"{datetime_mod}.time({', '.join(map(str, parts))})"
    if isinstance(value, list | tuple):
        inner = ", ".join(
            py_literal(v, decimal_mod=decimal_mod, datetime_mod=datetime_mod) for v in value
        )
        if isinstance(value, tuple):
            return f"({inner},)" if len(value) == 1 else f"({inner})"
        return f"[{inner}]"
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise CodegenError(
                    CodegenErrorCode.UNSUPPORTED_VALUE, f"mapping key {key!r} is not text"
                )
            literal = py_literal(item, decimal_mod=decimal_mod, datetime_mod=datetime_mod)
            items.append(f"{key!r}: {literal}")
        return "{" + ", ".join(items) + "}"
    raise CodegenError(
        CodegenErrorCode.UNSUPPORTED_VALUE, f"cannot write a {type(value).__name__} literal"
    )


def identifier(name: str, *, path: str = "") -> str:
    """``name`` itself if it is a safe generated identifier; else a CodegenError (never sanitized)."""
    if not isinstance(name, str) or not _IDENTIFIER.match(name) or keyword.iskeyword(name):
        raise CodegenError(
            CodegenErrorCode.INVALID_IDENTIFIER, f"{name!r} is not a valid name", path=path
        )
    if keyword.issoftkeyword(name) and name == "_":
        raise CodegenError(
            CodegenErrorCode.INVALID_IDENTIFIER, f"{name!r} is not a valid name", path=path
        )
    return name
