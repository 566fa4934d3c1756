"""Completion for view column paths: the dotted paths a column of a view may show.

The same names the validator accepts (``design.specs.views.PathChecker``): for a task view the
process columns, ``service.``/``operator.`` label and name, and ``entity.``/``record.`` followed by
a column of a served entity or of a service record; for an entity view the entity's columns. A
reference field adds one more step (its target's columns, or label and name of a built-in).
"""

from __future__ import annotations

from design.specs.model import EntitySpec, Spec
from design.specs.views import ENTITY_VIEWS, PROCESS_COLUMNS, PROCESS_RELATIONS

BASE_COLUMNS = ("label", "name", "pym", "erpsys_id", "created_time", "updated_time")
REF_TYPES = ("ref", "user", "process")


def column_paths(spec: Spec, view_index: int) -> list[str]:
    """Every path a column of the ``view_index``-th view of ``spec`` may take, in a stable order."""
    if view_index >= len(spec.views):
        return []
    view = spec.views[view_index]
    entities = {entity.name: entity for entity in spec.entities}
    if view.for_ in ENTITY_VIEWS:
        targets = [view.entity] if view.entity else sorted(entities)
        return _unique(p for name in targets for p in _columns(entities, name, ""))
    paths = [*PROCESS_COLUMNS]
    paths += [f"{head}.{name}" for head, names in PROCESS_RELATIONS.items() for name in names]
    served = sorted({s.serves for s in spec.services if s.serves}) or sorted(entities)
    records = sorted({s.record for s in spec.services if s.record})
    for name in served:
        paths += _columns(entities, name, "entity.")
    for name in records:
        paths += _columns(entities, name, "record.")
    return _unique(paths)


def _fields(entities: dict[str, EntitySpec], name: str) -> list:
    """The entity's fields, its ancestors' (``is_a``) first."""
    chain: list[EntitySpec] = []
    entity = entities.get(name)
    while entity is not None and entity not in chain:
        chain.insert(0, entity)
        entity = entities.get(entity.is_a) if entity.is_a else None
    return [f for e in chain for f in e.fields]


def _columns(entities: dict[str, EntitySpec], name: str, prefix: str, depth: int = 0) -> list[str]:
    if name not in entities:
        return []
    out: list[str] = []
    for f in _fields(entities, name):
        out.append(f"{prefix}{f.name}")
        if depth == 0 and f.type in REF_TYPES and f.to and not f.multiple:
            if f.to in entities:
                out += _columns(entities, f.to, f"{prefix}{f.name}.", depth + 1)
            else:
                out += [f"{prefix}{f.name}.label", f"{prefix}{f.name}.name"]
    out += [f"{prefix}{column}" for column in BASE_COLUMNS]
    return out


def _unique(paths) -> list[str]:
    return list(dict.fromkeys(paths))
