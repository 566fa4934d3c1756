"""The first validation pass: the merged document against schema.json, errors mapped to YAML marks."""

from __future__ import annotations

import difflib
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

from design.specs.errors import SpecError, SpecErrorCode
from design.specs.loader import RawSpec, format_path

SCHEMA_PATH = Path(__file__).with_name("schema.json")
_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
}


def _inline(node: Any, defs: dict[str, Any], stack: tuple[str, ...] = ()) -> Any:
    """Replace local ``$ref``s by their definitions (recursive ones stay refs): about twice as fast."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and len(node) == 1:
            name = ref.removeprefix("#/$defs/")
            return node if name in stack else _inline(defs[name], defs, (*stack, name))
        return {k: v if k == "$defs" else _inline(v, defs, stack) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(item, defs, stack) for item in node]
    return node


@lru_cache(maxsize=1)
def spec_validator() -> Draft202012Validator:
    """The compiled Draft 2020-12 validator of schema.json (built once per process)."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(_inline(schema, schema.get("$defs", {})))


def did_you_mean(
    value: str, candidates: list[str] | tuple[str, ...] | set[str], *, n: int = 1
) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or an empty string."""
    close = difflib.get_close_matches(str(value), [str(c) for c in candidates], n=n, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(repr(c) for c in close) + "?)"


def _describe(instance: Any) -> str:
    if isinstance(instance, bool):
        return "true" if instance else "false"
    if isinstance(instance, dict):
        return "a mapping"
    if isinstance(instance, list):
        return "a list"
    if instance is None:
        return "nothing (null)"
    return repr(instance)


def _expected(types: Any) -> str:
    types = [types] if isinstance(types, str) else list(types)
    return " or ".join(_TYPE_WORDS.get(t, t) for t in types)


def _convert(raw: RawSpec, error: ValidationError) -> list[SpecError]:
    path = tuple(error.absolute_path)
    keyword = error.validator
    if keyword == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        out = []
        for key in sorted(set(error.instance) - set(allowed), key=str):
            hint = did_you_mean(key, allowed) or f" (allowed: {', '.join(allowed)})"
            out.append(
                raw.error(
                    (*path, key), f"unknown key {key!r}{hint}", SpecErrorCode.SCHEMA, key=True
                )
            )
        return out
    if keyword == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return [raw.error(path, f"missing required key {missing!r}", SpecErrorCode.MISSING)]
    if keyword == "type":
        message = f"expected {_expected(error.validator_value)}, got {_describe(error.instance)}"
        return [raw.error(path, message, SpecErrorCode.SCHEMA)]
    if keyword == "enum":
        options = [str(v) for v in error.validator_value]
        hint = did_you_mean(error.instance, options) if isinstance(error.instance, str) else ""
        message = f"{_describe(error.instance)} is not one of {', '.join(options)}{hint}"
        return [raw.error(path, message, SpecErrorCode.INVALID_VALUE)]
    if keyword == "const":
        message = f"must be {error.validator_value!r}, got {_describe(error.instance)}"
        return [raw.error(path, message, SpecErrorCode.INVALID_VALUE)]
    if keyword == "minLength":
        return [raw.error(path, "must not be empty", SpecErrorCode.SCHEMA)]
    if keyword == "pattern" and isinstance(error.instance, str) and path and path[-1] == "label":
        bad = next(ch for ch in error.instance if not re.match(error.validator_value, ch))
        where = error.instance.index(bad) + 1
        message = (
            f"a label must not contain control characters; character {where} is {bad!r}"
            " (a NUL or similar byte, often pasted from another program)"
        )
        return [raw.error(path, message, SpecErrorCode.INVALID_VALUE)]
    return [raw.error(path, error.message, SpecErrorCode.SCHEMA)]


def check_shape(raw: RawSpec) -> list[SpecError]:
    """Every schema violation of ``raw.data``, located and worded for analysts."""
    errors: list[SpecError] = []
    for error in spec_validator().iter_errors(raw.data):
        errors.extend(_convert(raw, error))
    if not errors:
        return []
    # if/then branches can report one problem twice; keep each (path, message) once.
    unique = {(str(e.location), e.path, e.message): e for e in errors}
    return list(unique.values())


__all__ = ["check_shape", "did_you_mean", "format_path", "spec_validator"]
