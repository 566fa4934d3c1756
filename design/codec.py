"""Conversions between spec values and design-DB columns (JSON literals, decimals, field keys)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from design.specs.model import Choice, FieldSpec

# Field keys in canonical order (spec-format's table); also the order of overrides.
FIELD_KEYS = (
    "name",
    "label",
    "type",
    "required",
    "default",
    "unique",
    "index",
    "max_length",
    "max_digits",
    "decimal_places",
    "choices",
    "min",
    "max",
    "pattern",
    "to",
    "multiple",
    "on_delete",
    "expression",
    "help",
    "readonly",
    "role",
)
_TAGS = {
    "$decimal": Decimal,
    "$datetime": dt.datetime.fromisoformat,
    "$date": dt.date.fromisoformat,
    "$time": dt.time.fromisoformat,
}


def to_json(value: Any) -> Any:
    """A spec literal as JSON data; decimals and dates are tagged so they come back as they went in."""
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$time": value.isoformat()}
    if isinstance(value, Choice):
        return {"value": value.value, "label": value.label}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


def from_json(value: Any) -> Any:
    """The inverse of ``to_json``."""
    if isinstance(value, list):
        return [from_json(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1:
            ((tag, raw),) = value.items()
            if tag in _TAGS and isinstance(raw, str):
                return _TAGS[tag](raw)
        return {k: from_json(v) for k, v in value.items()}
    return value


def number_in(value: Any) -> Decimal | None:
    """A spec number (int, float, Decimal or numeric string) as an exact Decimal for a DecimalField."""
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def number_out(value: Decimal | None) -> int | Decimal | None:
    """A stored Decimal as the spec would write it: an int when integral, else a plain Decimal."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return Decimal(format(value.normalize(), "f"))


def choices_in(choices: list[Choice] | None) -> list[dict[str, str]] | None:
    """Choices as JSON."""
    return None if choices is None else [{"value": c.value, "label": c.label} for c in choices]


def choices_out(raw: Any) -> list[Choice] | None:
    """Stored choices back as ``Choice`` objects."""
    if raw is None:
        return None
    return [Choice(value=c["value"], label=c["label"]) for c in raw]


def override_values(field: FieldSpec) -> dict[str, Any]:
    """The JSON of the keys a usage overrode on its reusable field, in canonical key order."""
    keys = set(field.overrides)
    out: dict[str, Any] = {}
    for key in FIELD_KEYS:
        if key in keys:
            value = getattr(field, key)
            out[key] = choices_in(value) if key == "choices" else to_json(value)
    return out


def override_decode(key: str, raw: Any) -> Any:
    """One stored override value back as the FieldSpec attribute value."""
    return choices_out(raw) if key == "choices" else from_json(raw)
