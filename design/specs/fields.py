"""Semantic checks of one field definition (type-specific keys, literals, patterns) and its FieldSpec."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from design.specs.errors import SpecErrorCode
from design.specs.loader import PathKey
from design.specs.model import Choice, FieldSpec
from design.specs.names import Checker, Namespace

NUMBER_TYPES = ("integer", "decimal")
DATE_TYPES = ("date", "datetime", "time")
# Keys that mean something only for some field types.
TYPED_KEYS = {
    "max_length": ("char",),
    "max_digits": ("decimal",),
    "decimal_places": ("decimal",),
    "choices": ("char", "text", "integer"),
    "min": NUMBER_TYPES + DATE_TYPES,
    "max": NUMBER_TYPES + DATE_TYPES,
    "pattern": ("char", "text"),
    "to": ("ref",),
    "multiple": ("ref",),
    "on_delete": ("ref",),
    "expression": ("computed",),
    "role": ("datetime",),
}
NO_DEFAULT_TYPES = ("file", "ref", "user", "computed", "process")
_PARSERS = {
    "date": date.fromisoformat,
    "datetime": datetime.fromisoformat,
    "time": time.fromisoformat,
}


def literal_problem(field_type: str, value: Any) -> str | None:
    """Why ``value`` is not a literal of ``field_type``, or None."""
    if field_type in ("char", "text"):
        return None if isinstance(value, str) else "must be a string"
    if field_type == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else "must be an integer"
    if field_type == "decimal":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else "must be a number"
    if field_type == "boolean":
        return None if isinstance(value, bool) else "must be true or false"
    if field_type in _PARSERS:
        example = {"date": "2024-05-01", "datetime": "2024-05-01T09:30:00", "time": "09:30"}[
            field_type
        ]
        if not isinstance(value, str):
            return f"must be an ISO {field_type} string such as '{example}'"
        try:
            _PARSERS[field_type](value)
        except ValueError:
            return f"must be an ISO {field_type} string such as '{example}'"
        return None
    return None


def _comparable(field_type: str, value: Any) -> Any:
    return _PARSERS[field_type](value) if field_type in _PARSERS else value


def _choices(checker: Checker, raw_choices: list[Any], path: PathKey) -> list[Choice]:
    out: list[Choice] = []
    seen: set[str] = set()
    for index, item in enumerate(raw_choices):
        value, label = (
            (item.get("value"), item.get("label")) if isinstance(item, dict) else (item, item)
        )
        choice = Choice(value=str(value), label=str(label))
        if choice.value in seen:
            checker.error(
                (*path, index), f"duplicate choice {choice.value!r}", SpecErrorCode.DUPLICATE
            )
        seen.add(choice.value)
        out.append(choice)
    return out


def build_field(
    checker: Checker,
    data: dict[str, Any],
    where: Callable[[str], PathKey],
    base: PathKey,
    entities: Namespace,
    *,
    name: str,
    label: str,
    source: str | None = None,
    overrides: tuple[str, ...] = (),
) -> FieldSpec:
    """Check one (merged) field definition and return its FieldSpec; ``where(key)`` locates a key."""
    field_type = data.get("type", "char")
    for key, types in TYPED_KEYS.items():
        if key in data and field_type not in types:
            only = ", ".join(types)
            checker.error(
                where(key),
                f"`{key}` is only meaningful for {only} fields, not {field_type}",
                SpecErrorCode.INVALID_VALUE,
                key=True,
            )
    to = None
    if field_type == "ref":
        if "to" not in data:
            checker.error(
                base, "a ref field needs `to` (an entity or built-in entity)", SpecErrorCode.MISSING
            )
        else:
            to = entities.resolve(checker, data["to"], where("to"))
    if field_type == "computed" and "expression" not in data:
        checker.error(base, "a computed field needs an `expression`", SpecErrorCode.MISSING)
    if field_type == "decimal" and data.get("decimal_places", 2) > data.get("max_digits", 12):
        checker.error(
            where("decimal_places"),
            "decimal_places must not exceed max_digits",
            SpecErrorCode.INVALID_VALUE,
        )
    if data.get("on_delete") == "set_null" and data.get("required"):
        checker.error(
            where("on_delete"),
            "set_null needs a field that is not required",
            SpecErrorCode.INVALID_VALUE,
        )
    pattern = data.get("pattern")
    compiled = None
    if isinstance(pattern, str):
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            checker.error(
                where("pattern"), f"invalid regular expression: {exc}", SpecErrorCode.INVALID_VALUE
            )
    choices = _choices(checker, data["choices"], where("choices")) if "choices" in data else None
    bounds: dict[str, Any] = {}
    for key in ("min", "max"):
        if key in data and field_type in TYPED_KEYS[key]:
            problem = literal_problem(
                "decimal" if field_type in NUMBER_TYPES else field_type, data[key]
            )
            if problem:
                checker.error(where(key), f"{key} {problem}", SpecErrorCode.INVALID_VALUE)
            else:
                bounds[key] = _comparable(field_type, data[key])
    if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
        checker.error(where("max"), "max is smaller than min", SpecErrorCode.INVALID_VALUE)
    if "default" in data:
        _check_default(checker, data["default"], field_type, choices, bounds, where("default"))
        default = data["default"]
        if (
            compiled is not None
            and isinstance(default, str)
            and default
            and not compiled.search(default)
        ):
            checker.error(
                where("default"),
                f"default {default!r} does not match the field's pattern {pattern!r}:"
                " every new row would fail validation",
                SpecErrorCode.INVALID_VALUE,
            )
    return FieldSpec(
        name=name,
        label=label,
        type=field_type,
        required=bool(data.get("required", False)),
        default=data.get("default"),
        unique=bool(data.get("unique", False)),
        index=bool(data.get("index", False)),
        max_length=data.get("max_length"),
        max_digits=data.get("max_digits"),
        decimal_places=data.get("decimal_places"),
        choices=choices,
        min=data.get("min"),
        max=data.get("max"),
        pattern=pattern,
        to=to,
        multiple=bool(data.get("multiple", False)),
        on_delete=data.get("on_delete"),
        expression=data.get("expression"),
        help=data.get("help"),
        readonly=bool(data.get("readonly", False)),
        role=data.get("role"),
        source=source,
        overrides=overrides,
    )


def _check_default(
    checker: Checker,
    value: Any,
    field_type: str,
    choices: list[Choice] | None,
    bounds: dict[str, Any],
    path: PathKey,
) -> None:
    if field_type in NO_DEFAULT_TYPES:
        checker.error(path, f"{field_type} fields take no default", SpecErrorCode.INVALID_VALUE)
        return
    problem = literal_problem(field_type, value)
    if problem:
        checker.error(
            path, f"default {problem} (the field is {field_type})", SpecErrorCode.INVALID_VALUE
        )
        return
    if choices is not None and str(value) not in {c.value for c in choices}:
        options = ", ".join(c.value for c in choices)
        checker.error(
            path,
            f"default {value!r} is not one of the choices ({options})",
            SpecErrorCode.INVALID_VALUE,
        )
    comparable = _comparable(field_type, value)
    if (
        "min" in bounds
        and comparable < bounds["min"]
        or "max" in bounds
        and comparable > bounds["max"]
    ):
        checker.error(path, f"default {value!r} is outside min/max", SpecErrorCode.INVALID_VALUE)
