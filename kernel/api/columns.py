"""Task-list columns: a published view's dotted ``value`` paths, evaluated safely over processes.

A path is walked over an allowlist only: the process columns, ``service``/``operator``
``label``/``name``, and ``entity.<field>...`` / ``record.<field>...`` over the model's own
fields (references and multiple references may be followed). A name starting with ``_`` is
never looked up. Relations the paths follow are prefetched for the whole list at once, so a
list costs a constant number of queries whatever its length.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext_lazy as _

from kernel.models import Process, ViewDef

PROCESS_COLUMNS = frozenset(
    ("pid", "state", "priority", "scheduled_time", "start_time", "end_time")
)
PROCESS_RELATIONS = {
    "service": frozenset(("label", "name")),
    "operator": frozenset(("label", "name")),
}
ROWS = ("entity", "record")
# The team list (tasks of the supervised roles) uses the ``my_tasks`` view plus who holds each task.
SCOPE_VIEWS = {
    "public": "public_tasks",
    "mine": "my_tasks",
    "team": "my_tasks",
    "entity": "entity_tasks",
}
OPERATOR_COLUMN = {"label": _("Operator"), "value": "operator.label", "visible": True}
# Used when the tenant published no view for a scope.
DEFAULT_COLUMNS = [
    {"label": "Process", "value": "pid", "visible": False},
    {"label": "Task", "value": "service.label", "visible": True},
    {"label": "State", "value": "state", "visible": True},
    {"label": "Operator", "value": "operator.label", "visible": True},
    {"label": "Scheduled", "value": "scheduled_time", "visible": True},
]


def view_for(*, tenant_id: int, scope: str) -> tuple[str, list[dict[str, Any]]]:
    """(view name, columns) of the tenant's newest published view for ``scope`` (one query)."""
    kind = SCOPE_VIEWS[scope]
    view = (
        ViewDef.objects.filter(revision__tenant_id=tenant_id, for_kind=kind)
        .order_by("-revision__number", "pk")
        .only("name", "columns")
        .first()
    )
    if view is None:
        return "", [dict(column) for column in DEFAULT_COLUMNS]
    columns = _view_columns(view)
    if scope == "team" and not any(c["value"].startswith("operator.") for c in columns):
        column = {**OPERATOR_COLUMN, "label": str(OPERATOR_COLUMN["label"])}
        columns.insert(_after_service(columns), column)
    return view.name, columns


def _after_service(columns: list[dict[str, Any]]) -> int:
    """Where the operator column goes: right after the task's name, else first."""
    for index, column in enumerate(columns):
        if column["value"].startswith("service."):
            return index + 1
    return 0


def _view_columns(view: ViewDef) -> list[dict[str, Any]]:
    return [
        {
            "label": str(column.get("label", "")),
            "value": str(column.get("value", "")),
            "visible": bool(column.get("visible", True)),
        }
        for column in view.columns or []
    ]


def _field(model: type[models.Model], name: str) -> models.Field | None:
    """A forward field of ``model`` by name (concrete or many-to-many); never a private name."""
    if not name or name.startswith("_"):
        return None
    for field in (*model._meta.concrete_fields, *model._meta.many_to_many):
        if field.name == name:
            return field
    return None


def _lookups(model: type[models.Model], segments: list[str]) -> str | None:
    """The prefetch lookup (``a__b``) of the relations ``segments`` walk through on ``model``."""
    parts: list[str] = []
    for segment in segments:
        field = _field(model, segment)
        if field is None or not field.is_relation or field.related_model is None:
            break
        parts.append(segment)
        model = field.related_model
    return "__".join(parts) or None


def _rows(tasks: Iterable[Process], head: str) -> list[models.Model]:
    seen: dict[int, models.Model] = {}
    for process in tasks:
        row = getattr(process, head)
        if isinstance(row, models.Model):
            seen.setdefault(id(row), row)
    return list(seen.values())


def prefetch(tasks: list[Process], columns: list[dict[str, Any]]) -> None:
    """Load the rows and relations the columns need for every task at once."""
    heads: dict[str, list[list[str]]] = defaultdict(list)
    for column in columns:
        head, *rest = column["value"].split(".")
        if head in ROWS and rest:
            heads[head].append(rest)
    if "record" in heads:
        prefetch_related_objects(tasks, "record")
    for head, paths in heads.items():
        by_model: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        for row in _rows(tasks, head):
            by_model[type(row)].append(row)
        for model, rows in by_model.items():
            lookups = sorted({lookup for path in paths if (lookup := _lookups(model, path))})
            if lookups:
                prefetch_related_objects(rows, *lookups)


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _walk(value: Any, segments: list[str]) -> Any:
    for position, segment in enumerate(segments):
        if value is None:
            return None
        if isinstance(value, list):
            return [_walk(item, segments[position:]) for item in value]
        if segment.startswith("_"):
            return None
        if isinstance(value, Mapping):
            value = value.get(segment)
        elif isinstance(value, models.Model):
            field = _field(type(value), segment)
            if field is None:
                return None
            value = (
                list(getattr(value, segment).all())
                if field.many_to_many
                else getattr(value, segment)
            )
        else:
            return None
    return _plain(value)


def column_value(process: Process, path: str) -> Any:
    """The value of one dotted column path for ``process`` (None when it does not apply)."""
    head, *rest = path.split(".")
    if head in PROCESS_COLUMNS and not rest:
        return getattr(process, head)
    if head in PROCESS_RELATIONS:
        if len(rest) != 1 or rest[0] not in PROCESS_RELATIONS[head]:
            return None
        related = getattr(process, head)
        return getattr(related, rest[0]) if related is not None else None
    if head in ROWS and rest:
        return _walk(getattr(process, head), rest)
    return None


def task_rows(tasks: list[Process], columns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per task: pid, state, service name, ``waiting_since`` / ``waiting_overdue`` (it
    has waited for resources longer than its service's duration) and ``values`` by column path."""
    from django.utils import timezone

    from kernel.selectors import waiting_overdue

    prefetch(tasks, columns)
    paths = [column["value"] for column in columns]
    now = timezone.now()
    return [
        {
            "pid": process.pid,
            "state": process.state,
            "service": process.service.name if process.service_id else None,
            "waiting_since": process.waiting_since,
            "waiting_overdue": waiting_overdue(process, now),
            "values": {path: column_value(process, path) for path in paths},
        }
        for process in tasks
    ]
