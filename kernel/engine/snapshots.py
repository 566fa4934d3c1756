"""Context persistence: save a process's frame variables; snapshot only when the hash changes."""

from __future__ import annotations

import datetime
import decimal
import uuid
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import jsonschema

from kernel.engine.context import context_hash
from kernel.models import ContextSnapshot, Process

if TYPE_CHECKING:
    from kernel.engine.run import Run

CONTEXT_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["variables"],
    "properties": {
        "variables": {
            "type": "object",
            "propertyNames": {"pattern": "^[A-Za-z][A-Za-z0-9_]*$"},
        }
    },
    "additionalProperties": False,
}


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.validator_for(CONTEXT_SCHEMA)
    cls.check_schema(CONTEXT_SCHEMA)
    return cls(CONTEXT_SCHEMA)


def jsonable(value: Any) -> Any:
    """A JSON value for a context variable (Decimal -> int or float, dates -> ISO text, rows -> pk)."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, float, str)):
        return value
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


def validate(document: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError when ``document`` is not a context document."""
    _validator().validate(document)


def _write(process: Process, variables: dict[str, Any]) -> ContextSnapshot:
    document = {"variables": variables}
    validate(document)
    return ContextSnapshot.objects.create(
        process=process,
        version=process.context_version,
        hash=context_hash(variables),
        data=document,
    )


def snapshot_initial(process: Process) -> None:
    """Snapshot a new process's context when it starts with variables (spawn sets version 1)."""
    if process.context:
        _write(process, process.context)


def context_set(process: Process, variables: dict[str, Any], *, run: Run | None = None) -> bool:
    """Replace the process's variables; save and snapshot only if the hash changed. True if changed.

    Inside an engine run the row is written by ``run`` (with its other changes when it defers
    writes, or inserted whole when the run has not inserted it yet).
    """
    variables = jsonable(variables)
    if context_hash(variables) == context_hash(process.context or {}):
        return False
    process.context = variables
    process.context_version += 1
    if run is None:
        process.save(update_fields=["context", "context_version", "updated_time"])
    else:
        run.save(process, {"context", "context_version", "updated_time"})
    _write(process, variables)
    return True


def restore(process: Process, version: int) -> dict[str, Any]:
    """The variables of ``process`` at snapshot ``version`` (KeyError-free: {} when version 0)."""
    if version <= 0:
        return {}
    snapshot = ContextSnapshot.objects.get(process=process, version=version)
    return dict(snapshot.data["variables"])
