"""The entity half of spec_apply: entities, reusable and inline fields, their links, and the menu tree."""

from __future__ import annotations

from typing import Any

from design.codec import choices_in, override_values, to_json
from design.models import DataItem, DataItemConsists, DataItemKind, MenuItem
from design.models.data_item import ENTITY_KINDS
from design.specs.model import BUILTIN_ENTITIES, FieldSpec, MenuItemSpec, Spec
from design.sync import Key, RowSync, ref_id, unknown_reference


def field_values(fs: FieldSpec, entities: dict[Key, DataItem], path: str) -> dict[str, Any]:
    """The DataItem columns of a field definition."""
    to_id, to_builtin = None, ""
    if fs.to is not None:
        if fs.to in entities:
            to_id = entities[fs.to].pk
        elif fs.to in BUILTIN_ENTITIES:
            to_builtin = fs.to
        else:
            raise unknown_reference(f"{path}.to", "entity", fs.to)
    return {
        "label": fs.label,
        "name": fs.name,
        "kind": DataItemKind.FIELD,
        "type": fs.type,
        "required": fs.required,
        "default": to_json(fs.default),
        "unique": fs.unique,
        "index": fs.index,
        "max_length": fs.max_length,
        "max_digits": fs.max_digits,
        "decimal_places": fs.decimal_places,
        "choices": choices_in(fs.choices),
        "min_value": to_json(fs.min),
        "max_value": to_json(fs.max),
        "pattern": fs.pattern or "",
        "to_id": to_id,
        "to_builtin": to_builtin,
        "multiple": fs.multiple,
        "on_delete": fs.on_delete or "",
        "expression": fs.expression or "",
        "help": fs.help or "",
        "readonly": fs.readonly,
        "role": fs.role or "",
    }


def apply_data_items(sync: RowSync, spec: Spec) -> dict[Key, DataItem]:
    """Entities, reusable fields, inline fields and the entity -> field links; returns entities."""
    tenant = sync.tenant
    rows = list(DataItem.objects.filter(tenant=tenant))
    entity_defaults = {"type": "", "owner_id": None}
    entities = sync.sync(
        DataItem,
        [r for r in rows if r.kind in ENTITY_KINDS],
        lambda o: o.name,
        [
            (
                e.name,
                {
                    "label": e.label,
                    "name": e.name,
                    "kind": e.kind,
                    "order": i,
                    "naming": e.naming or "",
                    "rows": to_json(e.rows),
                    "rows_as_strings": e.rows_as_strings,
                    "list_display": e.list_display,
                    "search": e.search,
                    **entity_defaults,
                },
            )
            for i, e in enumerate(spec.entities)
        ],
    )
    links: list[tuple[DataItem, str | None, str | None]] = []
    for i, e in enumerate(spec.entities):
        entity = entities[e.name]
        is_a = ref_id(entities, e.is_a, f"entities[{i}].is_a", "entity")
        part_of = ref_id(entities, e.part_of, f"entities[{i}].part_of", "entity")
        if entity.is_a_id != is_a or entity.part_of_id != part_of:
            entity.is_a_id, entity.part_of_id = is_a, part_of
            links.append(entity)
    if links:
        DataItem.objects.bulk_update(links, ["is_a", "part_of"], batch_size=200)

    reusable = sync.sync(
        DataItem,
        [r for r in rows if r.kind == DataItemKind.FIELD and r.owner_id is None],
        lambda o: o.name,
        [
            (f.name, {**field_values(f, entities, f"fields[{i}]"), "order": i, "owner_id": None})
            for i, f in enumerate(spec.fields)
        ],
    )
    inline_desired = []
    for ei, e in enumerate(spec.entities):
        owner = entities[e.name].pk
        for fi, f in enumerate(e.fields):
            if f.source is None:
                values = field_values(f, entities, f"entities[{ei}].fields[{fi}]")
                inline_desired.append(((owner, f.name), {**values, "order": fi, "owner_id": owner}))
    inline = sync.sync(
        DataItem,
        [r for r in rows if r.kind == DataItemKind.FIELD and r.owner_id is not None],
        lambda o: (o.owner_id, o.name),
        inline_desired,
    )
    consists_desired = []
    for ei, e in enumerate(spec.entities):
        owner = entities[e.name].pk
        for fi, f in enumerate(e.fields):
            if f.source is None:
                target, overrides = inline[(owner, f.name)].pk, {}
            else:
                path = f"entities[{ei}].fields[{fi}].field"
                target = ref_id(reusable, f.source, path, "field")
                overrides = override_values(f)
            consists_desired.append(
                (
                    (owner, fi),
                    {"entity_id": owner, "field_id": target, "order": fi, "overrides": overrides},
                )
            )
    sync.sync(
        DataItemConsists,
        DataItemConsists.objects.filter(tenant=tenant),
        lambda o: (o.entity_id, o.order),
        consists_desired,
    )
    return entities


def apply_menu(sync: RowSync, spec: Spec, entities: dict, views: dict) -> None:
    """The menu tree, level by level (a child needs its parent's id); keyed by position path."""
    rows = list(MenuItem.objects.filter(tenant=sync.tenant))
    by_id = {r.pk: r for r in rows}

    def path_of(row: MenuItem) -> tuple[int, ...]:
        path = [row.order]
        while row.parent_id is not None and row.parent_id in by_id:
            row = by_id[row.parent_id]
            path.append(row.order)
        return tuple(reversed(path))

    existing_by_depth: dict[int, list[MenuItem]] = {}
    for row in rows:
        existing_by_depth.setdefault(len(path_of(row)), []).append(row)
    level: list[tuple[tuple[int, ...], MenuItemSpec]] = [((i,), m) for i, m in enumerate(spec.menu)]
    done: dict[Key, MenuItem] = {}
    depth = 1
    while level or existing_by_depth.get(depth):
        desired = []
        for path, item in level:
            where = "menu" + "".join(f"[{p}]" for p in path)
            desired.append(
                (
                    path,
                    {
                        "label": item.label,
                        "name": item.name or "",
                        "order": path[-1],
                        "parent_id": done[path[:-1]].pk if len(path) > 1 else None,
                        "entity_id": ref_id(entities, item.entity, f"{where}.entity", "entity"),
                        "view_id": ref_id(views, item.view, f"{where}.view", "view"),
                    },
                )
            )
        done.update(sync.sync(MenuItem, existing_by_depth.get(depth, []), path_of, desired))
        level = [((*path, i), c) for path, item in level for i, c in enumerate(item.children)]
        depth += 1
