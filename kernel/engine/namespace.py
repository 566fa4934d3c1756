"""The names an event expression sees, built lazily: only the root names it uses are computed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.db import models

from applications.tenancy import is_builtin
from kernel.engine.run import Run
from kernel.models import Operator, Process


def row_mapping(
    instance: models.Model | None, *, depth: int = 1, children: bool = True
) -> dict[str, Any] | None:
    """A row as a mapping of its concrete fields; references one level deep (with label and name).

    Multiple references become lists of mappings; every ``part_of`` child (a reverse ``master``
    link) appears as a list under its related name. At ``depth`` 0 only plain columns are given.
    A built-in row (a record's ``pid``, an operator) shows only ``BUILTIN_NAMES``.
    """
    if instance is None:
        return None
    if is_builtin(type(instance)):
        return builtin_mapping(instance)
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.is_relation:
            if depth <= 0:
                data[field.name] = getattr(instance, field.attname)
            else:
                data[field.name] = row_mapping(getattr(instance, field.name), depth=0)
        else:
            data[field.name] = getattr(instance, field.attname)
    if depth <= 0 or instance.pk is None:
        return data
    for field in instance._meta.many_to_many:
        data[field.name] = [row_mapping(o, depth=0) for o in getattr(instance, field.name).all()]
    if not children:
        return data
    for relation in instance._meta.related_objects:
        if relation.field.name == "master" and not relation.many_to_many:
            accessor = relation.get_accessor_name()
            rows = getattr(instance, accessor).order_by("pk")
            data[accessor] = [row_mapping(o, depth=1, children=False) for o in rows]
    return data


# The names a reference to a built-in table (operator, role, process, user, service, resource)
# shows an expression: never the whole kernel row (a process's context, a user's password).
BUILTIN_NAMES = ("id", "name", "label")


def builtin_mapping(instance: models.Model) -> dict[str, Any]:
    """A built-in row as ``{id, name, label}`` (a user's ``name`` is its username)."""
    name = getattr(instance, "name", None) or getattr(instance, "username", None)
    return {"id": instance.pk, "name": name, "label": getattr(instance, "label", None) or name}


class Lazy(Mapping):
    """A mapping whose content is computed on first use (a record or entity read costs queries)."""

    def __init__(self, build) -> None:
        self._build = build
        self._data: Mapping | None = None

    def _get(self) -> Mapping:
        if self._data is None:
            self._data = self._build() or {}
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._get()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._get().get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


def record_of(process: Process) -> models.Model | None:
    """The record the process produced (by its record link), or None."""
    if process.record_type_id is None or process.record_id is None:
        return None
    from django.contrib.contenttypes.models import ContentType

    model = ContentType.objects.get_for_id(process.record_type_id).model_class()
    return model._default_manager.filter(pk=process.record_id).first() if model else None


def entity_of(process: Process) -> models.Model | None:
    """The served entity row, or None."""
    if process.entity_type_id is None or process.entity_id is None:
        return None
    from django.contrib.contenttypes.models import ContentType

    model = ContentType.objects.get_for_id(process.entity_type_id).model_class()
    return model._default_manager.filter(pk=process.entity_id).first() if model else None


def namespace(run: Run, process: Process, names: Iterable[str]) -> dict[str, Any]:
    """The expression namespace for ``process`` restricted to ``names`` (spec-format.md "events")."""
    ns: dict[str, Any] = {}
    for name in names:
        if name == "process_state":
            ns[name] = process.state
        elif name == "process_service":
            ns[name] = process.service.name if process.service else None
        elif name == "process_priority":
            ns[name] = process.priority
        elif name == "process_operator":
            ns[name] = (
                Operator.objects.filter(pk=process.operator_id)
                .values_list("name", flat=True)
                .first()
                if process.operator_id
                else None
            )
        elif name == "form":
            ns[name] = Lazy(lambda: row_mapping(record_of(process)))
        elif name == "entity":
            ns[name] = Lazy(lambda: row_mapping(entity_of(process)))
        elif name == "params":
            ns[name] = dict(process.context or {})
        elif name == "parent":
            ns[name] = Lazy(lambda: _parent_variables(run, process))
    return ns


def _parent_variables(run: Run, process: Process) -> dict[str, Any]:
    pid = process.caller_id or process.parent_id
    if pid is None:
        return {}
    known = run.processes.get(pid)
    if known is not None:
        return dict(known.context or {})
    return Process.objects.filter(pk=pid).values_list("context", flat=True).first() or {}
