"""Spec -> YAML text, byte-stable and analyst-readable, and ``export_tenant`` (DB -> folder, atomic).

Layout: ``tenant.yaml`` (spec_version, tenant), ``entities.yaml`` (fields, entities, forms),
``services.yaml`` (services, events), ``organization.yaml`` (roles, operators, resources),
``views.yaml`` (views, menu); empty sections and files are left out. Every element writes
``name`` first, then ``label``, then its other keys in spec-format order; keys equal to
their default are omitted. Entities, forms, services and views are block mappings; fields,
rules, events, roles, operators, resources, columns and leaf menu items are one-line flow
mappings. Element order is spec order; nested mappings without a given order are sorted.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from design.codec import FIELD_KEYS
from design.specs.model import (
    EntitySpec,
    FieldSpec,
    FormSpec,
    MenuItemSpec,
    RuleSpec,
    ServiceSpec,
    Spec,
    ViewSpec,
)
from design.specs.yaml_text import Block, Pairs, flow, mapping_lines, scalar, sequence_lines

__all__ = ["export_tenant", "flow", "scalar", "spec_to_files", "write_files"]

FILE_SECTIONS: dict[str, tuple[str, ...]] = {
    "tenant.yaml": ("spec_version", "tenant"),
    "entities.yaml": ("fields", "entities", "forms"),
    "services.yaml": ("services", "events"),
    "organization.yaml": ("roles", "operators", "resources"),
    "views.yaml": ("views", "menu"),
}
# Sections whose elements are block mappings, set apart by blank lines.
BLOCK_SECTIONS = ("entities", "forms", "services", "views")
# Instruction parameters in the order spec-format's instruction table gives them.
PARAM_ORDER = (
    "operator",
    "returns",
    "iterations",
    "over",
    "threads",
    "operators",
    "roles",
    "max_retries",
    "backoff",
    "scope",
    "to",
    "priority",
    "decided_by",
)
_FIELD_DEFAULTS = {
    "required": False,
    "unique": False,
    "index": False,
    "multiple": False,
    "readonly": False,
}


def _sorted_json(value: Any) -> Any:
    """Nested mappings whose key order carries no meaning, sorted (stable whatever the DB did)."""
    if isinstance(value, dict):
        return {k: _sorted_json(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted_json(v) for v in value]
    return value


def _compact(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Drop keys whose value is None (not given)."""
    return {k: v for k, v in pairs if v is not None}


def _choices(field: FieldSpec) -> Any:
    if field.choices is None:
        return None
    if all(c.value == c.label for c in field.choices):
        return [c.value for c in field.choices]
    return [{"value": c.value, "label": c.label} for c in field.choices]


def _field_value(field: FieldSpec, key: str, *, keep_default: bool = False) -> Any:
    if key == "choices":
        return _choices(field)
    value = getattr(field, key)
    if not keep_default and key in _FIELD_DEFAULTS and value == _FIELD_DEFAULTS[key]:
        return None
    return _sorted_json(value)


def field_node(field: FieldSpec) -> Any:
    """A field as an entity (or the ``fields`` section) writes it."""
    if field.source is not None:
        if not field.overrides:
            return field.source
        keys = [k for k in FIELD_KEYS if k in field.overrides]
        # An override is written even when it sets a key back to its default.
        return {
            "field": field.source,
            **{k: _field_value(field, k, keep_default=True) for k in keys},
        }
    return _compact([(k, _field_value(field, k)) for k in FIELD_KEYS])


def _row(row: dict[str, Any]) -> dict[str, Any]:
    head = [k for k in ("name", "label") if k in row]
    return {k: _sorted_json(row[k]) for k in (*head, *sorted(set(row) - set(head)))}


def entity_node(entity: EntitySpec) -> Pairs:
    """An entity as a block mapping."""
    out = Pairs([("name", entity.name), ("label", entity.label)])
    if entity.kind != "model":
        out.append(("kind", entity.kind))
    for key in ("is_a", "part_of", "naming"):
        if getattr(entity, key) is not None:
            out.append((key, getattr(entity, key)))
    if entity.fields:
        out.append(("fields", Block(field_node(f) for f in entity.fields)))
    if entity.list_display is not None:
        out.append(("list", list(entity.list_display)))
    if entity.search is not None:
        out.append(("search", list(entity.search)))
    if entity.rows:
        if entity.rows_as_strings:
            out.append(("rows", [r["label"] for r in entity.rows]))
        else:
            out.append(("rows", Block(_row(r) for r in entity.rows)))
    return out


def form_node(form: FormSpec) -> Pairs:
    """A form as a block mapping; a form field without overrides is just its name."""
    out = Pairs([("name", form.name), ("label", form.label), ("entity", form.entity)])
    if form.fields:
        items = []
        for ff in form.fields:
            extra = _compact(
                [("required", ff.required), ("readonly", ff.readonly), ("widget", ff.widget)]
            )
            items.append({"field": ff.field, **extra} if extra else ff.field)
        out.append(("fields", Block(items)))
    if form.inlines:
        out.append(("inlines", list(form.inlines)))
    return out


def rule_node(rule: RuleSpec) -> dict[str, Any]:
    """A rule as a one-line mapping; params in the instruction table's order."""
    params = None
    if rule.params:
        known = [k for k in PARAM_ORDER if k in rule.params]
        keys = [*known, *sorted(set(rule.params) - set(known))]
        params = {k: _sorted_json(rule.params[k]) for k in keys}
    return _compact(
        [
            ("service", rule.service),
            ("event", rule.event),
            ("instruction", rule.instruction),
            ("operand", rule.operand),
            ("params", params),
            ("order", rule.order),
            ("mode", None if rule.mode == "deterministic" else rule.mode),
        ]
    )


def service_node(service: ServiceSpec) -> Pairs:
    """A service (or program) as a block mapping."""
    out = Pairs([("name", service.name), ("label", service.label)])
    optional = [
        ("kind", None if service.kind == "manual" else service.kind),
        ("record", service.record),
        ("serves", service.serves),
        ("form", service.form),
        ("roles", list(service.roles) or None),
        ("price", service.price),
        ("duration", service.duration),
    ]
    out.extend(_compact(optional).items())
    if service.requires:
        reqs = [
            _compact(
                [("resource", q.resource), ("quantity", None if q.quantity == 1 else q.quantity)]
            )
            for q in service.requires
        ]
        out.append(("requires", Block(reqs)))
    if service.manual_start:
        out.append(("manual_start", True))
    if service.new_record:
        out.append(("new_record", True))
    if service.action is not None:
        out.append(("action", service.action))
    if service.rules:
        out.append(("rules", Block(rule_node(r) for r in service.rules)))
    return out


def view_node(view: ViewSpec) -> Pairs:
    """A view as a block mapping with one-line columns."""
    out = Pairs([("name", view.name), ("label", view.label), ("for", view.for_)])
    if view.entity is not None:
        out.append(("entity", view.entity))
    if view.columns:
        cols = [
            _compact(
                [("label", c.label), ("value", c.value), ("visible", None if c.visible else False)]
            )
            for c in view.columns
        ]
        out.append(("columns", Block(cols)))
    return out


def menu_node(item: MenuItemSpec) -> Any:
    """A leaf menu item on one line; an item with children as a block mapping."""
    head = [
        ("name", item.name),
        ("label", item.label),
        ("entity", item.entity),
        ("view", item.view),
    ]
    if not item.children:
        return _compact(head)
    return Pairs(
        [*_compact(head).items(), ("children", Block(menu_node(c) for c in item.children))]
    )


def _sections(spec: Spec) -> dict[str, Any]:
    t = spec.tenant
    tenant = _compact(
        [("name", t.name), ("label", t.label), ("language", t.language), ("timezone", t.timezone)]
    )
    return {
        "spec_version": spec.spec_version,
        "tenant": Pairs(tenant.items()),
        "fields": Block(field_node(f) for f in spec.fields),
        "entities": Block(entity_node(e) for e in spec.entities),
        "forms": Block(form_node(f) for f in spec.forms),
        "services": Block(service_node(s) for s in spec.services),
        "events": Block(
            _compact(
                [
                    ("name", e.name),
                    ("label", e.label),
                    ("expression", e.expression),
                    (
                        "timer",
                        _compact(
                            [("after", e.timer.after), ("of", e.timer.of), ("cron", e.timer.cron)]
                        )
                        if e.timer
                        else None,
                    ),
                ]
            )
            for e in spec.events
        ),
        "roles": Block(
            _compact(
                [
                    ("name", r.name),
                    ("label", r.label),
                    ("services", list(r.services) or None),
                    ("supervises", list(r.supervises) or None),
                    ("entities", {e: list(a) for e, a in r.entities.items()} or None),
                ]
            )
            for r in spec.roles
        ),
        "operators": Block(
            _compact([("name", o.name), ("label", o.label), ("roles", list(o.roles) or None)])
            for o in spec.operators
        ),
        "resources": Block(
            _compact(
                [
                    ("name", r.name),
                    ("label", r.label),
                    ("kind", r.kind),
                    ("unit", r.unit),
                    ("quantity", r.quantity),
                    ("capacity", r.capacity),
                    ("minimum", r.minimum),
                    ("keepers", list(r.keepers) or None),
                ]
            )
            for r in spec.resources
        ),
        "views": Block(view_node(v) for v in spec.views),
        "menu": Block(menu_node(m) for m in spec.menu),
    }


def spec_to_files(spec: Spec) -> dict[str, str]:
    """The YAML files of ``spec``: file name -> text. Pure; same spec, same bytes."""
    sections = _sections(spec)
    files: dict[str, str] = {}
    for file_name, keys in FILE_SECTIONS.items():
        chunks: list[list[str]] = []
        for key in keys:
            value = sections[key]
            if isinstance(value, Block):
                if value:
                    spaced = key in BLOCK_SECTIONS
                    chunks.append([f"{key}:", *sequence_lines(value, 2, spaced=spaced)])
            elif isinstance(value, Pairs):
                chunks.append([f"{key}:", *mapping_lines(value, 2, "")])
            else:
                chunks.append([f"{key}: {flow(value)}"])
        if chunks:
            # spec_version and tenant belong together; other sections are set apart by a blank line.
            joined: list[str] = []
            for chunk in chunks:
                if joined and not joined[-1].startswith("spec_version"):
                    joined.append("")
                joined.extend(chunk)
            files[file_name] = "\n".join(joined) + "\n"
    return files


def write_files(*, files: dict[str, str], folder: Path) -> list[Path]:
    """Write ``files`` into ``folder`` atomically (temp file + ``os.replace`` each) and drop stale ``*.yaml``."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for file_name, text in files.items():
        target = folder / file_name
        data = text.encode("utf-8")
        if not (target.is_file() and target.read_bytes() == data):
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{file_name}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        written.append(target)
    for stale in sorted(folder.glob("*.yaml")):
        if stale.name not in files:
            stale.unlink()
    return written


def export_tenant(*, tenant: str, folder: Path) -> list[Path]:
    """Write the tenant's spec from the design DB into ``folder``; returns the files of the export."""
    from design.selectors import spec_get  # the pure half of this module needs no ORM

    files = spec_to_files(spec_get(tenant=tenant))
    return write_files(files=files, folder=Path(folder))
