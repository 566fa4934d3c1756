"""Semantic pass over reusable fields, entities (is_a, part_of, fields, rows) and forms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from design.specs.errors import SpecErrorCode
from design.specs.expressions import check_expression
from design.specs.fields import build_field
from design.specs.loader import PathKey
from design.specs.model import (
    BUILTIN_ENTITIES,
    RESERVED_NAMES,
    EntitySpec,
    FieldSpec,
    FormFieldSpec,
    FormSpec,
)
from design.specs.names import Checker, Named, Namespace, name_elements
from design.specs.shape import did_you_mean

_NAMING_TOKEN = re.compile(r"\{([^{}]*)\}")
_NAMING_PARTS = re.compile(r"^(YYYY|YY|MM|DD|#+)$")


@dataclass
class Domain:
    """What the entity pass learned, for the later passes (services, views)."""

    fields_ns: Namespace
    entities_ns: Namespace
    forms_ns: Namespace = field(default_factory=lambda: Namespace("form"))
    reusable: dict[str, FieldSpec] = field(default_factory=dict)
    entities: dict[str, EntitySpec] = field(default_factory=dict)
    all_fields: dict[str, list[FieldSpec]] = field(
        default_factory=dict
    )  # incl. inherited, ancestors first
    forms: dict[str, FormSpec] = field(default_factory=dict)

    def columns(self, entity: str) -> list[str]:
        """Names usable in list/search/paths of ``entity``: its fields and base columns."""
        spec = self.entities[entity]
        names = [f.name for f in self.all_fields.get(entity, [])]
        base = ["label", "name", "pym", "erpsys_id", "created_time", "updated_time"]
        if self.has_naming(entity):
            base.append("number")
        if spec.kind == "record":
            base.append("pid")
        if spec.part_of:
            base.append("master")
        return names + base

    def has_naming(self, entity: str) -> bool:
        spec = self.entities.get(entity)
        while spec is not None:
            if spec.naming:
                return True
            spec = self.entities.get(spec.is_a) if spec.is_a else None
        return False

    def resolve_column(self, checker: Checker, entity: str, ref: Any, path: PathKey) -> str | None:
        """A field of ``entity`` (name first, then label) or a base column; error at ``path`` if unknown."""
        columns = self.columns(entity)
        if ref in columns:
            return ref
        by_label = [f.name for f in self.all_fields.get(entity, []) if f.label == ref]
        if len(by_label) == 1:
            return by_label[0]
        labels = [f.label for f in self.all_fields.get(entity, [])]
        if by_label:
            checker.error(
                path,
                f"ambiguous field {ref!r} of {entity!r}; use the name",
                SpecErrorCode.AMBIGUOUS_REFERENCE,
            )
        else:
            hint = did_you_mean(str(ref), columns + labels)
            checker.error(
                path, f"unknown field {ref!r} of {entity!r}{hint}", SpecErrorCode.UNKNOWN_REFERENCE
            )
        return None


def _cycles(order: list[str], edge: dict[str, str | None]) -> list[list[str]]:
    """Every cycle of a functional graph (each node has at most one outgoing edge), in linear time."""
    done: set[str] = set()
    cycles: list[list[str]] = []
    for start in order:
        chain: list[str] = []
        position: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in done:
            if node in position:
                cycles.append(chain[position[node] :])
                break
            position[node] = len(chain)
            chain.append(node)
            node = edge.get(node)
        done.update(chain)
    return cycles


def _report_cycles(
    checker: Checker, key: str, named: dict[str, Named], edge: dict[str, str | None]
) -> None:
    rank = {name: index for index, name in enumerate(named)}
    for cycle in _cycles(list(named), edge):
        first = min(cycle, key=rank.__getitem__)
        closing = max(cycle, key=rank.__getitem__)
        start = cycle.index(first)
        ordered = cycle[start:] + cycle[:start] + [first]
        checker.error(
            (*named[closing].path, key), f"{key} cycle: {' -> '.join(ordered)}", SpecErrorCode.CYCLE
        )
        for member in cycle:
            edge[member] = None  # break it so later passes terminate


def _key_path(path: PathKey):  # noqa: ANN202 - a small closure factory
    """``key -> (*path, key)``."""
    return lambda key: (*path, key)


def check_entities(checker: Checker, data: dict[str, Any]) -> Domain:
    """Name and check reusable fields and entities; build their specs into a Domain."""
    domain = Domain(
        fields_ns=Namespace("field"), entities_ns=Namespace("entity", builtins=BUILTIN_ENTITIES)
    )
    reusable = name_elements(
        checker, data.get("fields", []), ("fields",), domain.fields_ns, reserved=RESERVED_NAMES
    )
    items = data.get("entities", [])
    named_entities = {
        n.name: n
        for n in name_elements(
            checker,
            items,
            ("entities",),
            domain.entities_ns,
            reserved=RESERVED_NAMES,
            forbidden=BUILTIN_ENTITIES,
        )
        if n is not None
    }
    for named in reusable:  # after the entities are named, so `to` resolves
        if named is not None:
            domain.reusable[named.name] = build_field(
                checker,
                named.data,
                _key_path(named.path),
                named.path,
                domain.entities_ns,
                name=named.name,
                label=named.label,
            )
    edges: dict[str, dict[str, str | None]] = {"is_a": {}, "part_of": {}}
    for name, named in named_entities.items():
        for key, edge in edges.items():
            if key in named.data:
                edge[name] = domain.entities_ns.resolve(
                    checker, named.data[key], (*named.path, key), builtins=False
                )
    for key, edge in edges.items():
        _report_cycles(checker, key, named_entities, edge)
    for name, named in named_entities.items():
        domain.entities[name] = EntitySpec(
            name=name,
            label=named.label,
            kind=named.data.get("kind", "model"),
            is_a=edges["is_a"].get(name),
            part_of=edges["part_of"].get(name),
            naming=named.data.get("naming"),
        )
    for name in named_entities:
        _entity_fields(checker, domain, named_entities, name)
    for named in named_entities.values():
        _entity_details(checker, domain, named)
    return domain


def _entity_fields(
    checker: Checker, domain: Domain, named_entities: dict[str, Named], name: str
) -> list[FieldSpec]:
    """Own fields of ``name`` (parents first, memoized) and its all-fields list."""
    if name in domain.all_fields:
        return domain.all_fields[name]
    domain.all_fields[name] = []  # guards against re-entry; cycles were already broken
    spec = domain.entities[name]
    inherited = _entity_fields(checker, domain, named_entities, spec.is_a) if spec.is_a else []
    named = named_entities[name]
    namespace = Namespace(f"field of {name!r}")
    for parent_field in inherited:
        namespace.add(Named(parent_field.name, parent_field.label, True, named.path, {}))
    items, paths, builds = [], [], []
    for index, item in enumerate(named.data.get("fields", [])):
        path = (*named.path, "fields", index)
        built = _field_item(checker, domain, item, path)
        if built is not None:
            label, field_name, build = built
            items.append(
                {"label": label, "name": field_name} if field_name is not None else {"label": label}
            )
            paths.append(path)
            builds.append(build)
    own: list[tuple[FieldSpec, PathKey]] = []
    results = name_elements(
        checker, items, (), namespace, reserved=RESERVED_NAMES, paths=paths, owner=name
    )
    for result, build in zip(results, builds, strict=True):
        if result is not None:
            own.append(build(result.name, result.label))
    spec.fields = [f for f, _ in own]
    domain.all_fields[name] = [*inherited, *spec.fields]
    allowed = [f.name for f in domain.all_fields[name]]
    for spec_field, expression_path in own:
        if spec_field.type == "computed" and spec_field.expression:
            check_expression(
                checker,
                spec_field.expression,
                expression_path,
                allowed,
                "computed field expression",
            )
    return domain.all_fields[name]


def _field_item(checker: Checker, domain: Domain, item: Any, path: PathKey):  # noqa: ANN202
    """(label, explicit name or None, build(name, label) -> (FieldSpec, expression path)) for one entry."""
    if isinstance(item, str) or "field" in item:
        ref, overrides = (item, {}) if isinstance(item, str) else (item["field"], item)
        ref_path = path if isinstance(item, str) else (*path, "field")
        source = domain.fields_ns.resolve(checker, ref, ref_path)
        if source is None:
            return None
        definition = domain.fields_ns.by_name[source]
        keys = tuple(k for k in overrides if k != "field")
        merged = {**definition.data, **{k: overrides[k] for k in keys}}

        def where(key: str) -> PathKey:
            return (*path, key) if key in keys else (*definition.path, key)

        def build_use(name: str, label: str) -> tuple[FieldSpec, PathKey]:
            spec = build_field(
                checker,
                merged,
                where,
                path,
                domain.entities_ns,
                name=name,
                label=label,
                source=source,
                overrides=keys,
            )
            return spec, where("expression")

        return overrides.get("label", definition.label), overrides.get("name", source), build_use

    def build_inline(name: str, label: str) -> tuple[FieldSpec, PathKey]:
        spec = build_field(
            checker,
            item,
            lambda key: (*path, key),
            path,
            domain.entities_ns,
            name=name,
            label=label,
        )
        return spec, (*path, "expression")

    return item.get("label", ""), item.get("name"), build_inline


def _entity_details(checker: Checker, domain: Domain, named: Named) -> None:
    """list/search, naming, rows and kind rules of one entity."""
    spec, data, path = domain.entities[named.name], named.data, named.path
    for key in ("list", "search"):
        if key in data:
            resolved = [
                domain.resolve_column(checker, spec.name, ref, (*path, key, i))
                for i, ref in enumerate(data[key])
            ]
            setattr(
                spec,
                "list_display" if key == "list" else key,
                [r for r in resolved if r is not None],
            )
    if spec.naming is not None:
        tokens = _NAMING_TOKEN.findall(spec.naming)
        bad = [t for t in tokens if not _NAMING_PARTS.match(t)]
        if bad or not any(t.startswith("#") for t in tokens):
            checker.error(
                (*path, "naming"),
                f"naming {spec.naming!r} needs one {{#…}} counter and only {{YYYY}}, {{YY}}, {{MM}}, {{DD}} besides",
                SpecErrorCode.INVALID_VALUE,
            )
    if spec.kind != "dict":
        if "rows" in data:
            checker.error(
                (*path, "rows"),
                f"only dict entities have rows (this one is {spec.kind})",
                SpecErrorCode.INVALID_VALUE,
                key=True,
            )
        return
    rows = data.get("rows") or []
    if not rows:
        checker.error(path, "a dict entity needs `rows`", SpecErrorCode.MISSING)
    allowed = {"label", "name", *(f.name for f in domain.all_fields[spec.name])}
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        row_path = (*path, "rows", index)
        value = {"label": row} if isinstance(row, str) else dict(row)
        for key in value:
            if key not in allowed:
                hint = did_you_mean(key, sorted(allowed))
                checker.error(
                    (*row_path, key),
                    f"unknown field {key!r} of {spec.name!r} in a row{hint}",
                    SpecErrorCode.UNKNOWN_REFERENCE,
                    key=True,
                )
        label = str(value.get("label"))
        if label in seen:
            checker.error(
                row_path,
                f"duplicate row {label!r} (also row {seen[label]})",
                SpecErrorCode.DUPLICATE,
            )
        seen.setdefault(label, index)
        spec.rows.append(value)
    spec.rows_as_strings = bool(rows) and all(isinstance(row, str) for row in rows)


def check_forms(checker: Checker, data: dict[str, Any], domain: Domain) -> None:
    """Name and check forms (entity, fields of that entity, inlines part_of it)."""
    for named in name_elements(checker, data.get("forms", []), ("forms",), domain.forms_ns):
        if named is None:
            continue
        path = named.path
        entity = domain.entities_ns.resolve(
            checker, named.data["entity"], (*path, "entity"), builtins=False
        )
        form = FormSpec(name=named.name, label=named.label, entity=entity or "")
        domain.forms[named.name] = form
        if entity is None:
            continue
        seen: set[str] = set()
        for index, item in enumerate(named.data.get("fields", [])):
            item_path = (*path, "fields", index)
            ref = item if isinstance(item, str) else item["field"]
            ref_path = item_path if isinstance(item, str) else (*item_path, "field")
            field_name = domain.resolve_column(checker, entity, ref, ref_path)
            if field_name is None:
                continue
            if field_name in seen:
                checker.error(
                    ref_path,
                    f"field {field_name!r} appears twice in the form",
                    SpecErrorCode.DUPLICATE,
                )
            seen.add(field_name)
            extra = {} if isinstance(item, str) else item
            form.fields.append(
                FormFieldSpec(
                    field=field_name,
                    required=extra.get("required"),
                    readonly=extra.get("readonly"),
                    widget=extra.get("widget"),
                )
            )
        for index, ref in enumerate(named.data.get("inlines", [])):
            inline = domain.entities_ns.resolve(
                checker, ref, (*path, "inlines", index), builtins=False
            )
            if inline is None:
                continue
            if domain.entities[inline].part_of != entity:
                checker.error(
                    (*path, "inlines", index),
                    f"inline {inline!r} is not part_of {entity!r}",
                    SpecErrorCode.INVALID_VALUE,
                )
                continue
            form.inlines.append(inline)
