"""Spec entities and forms -> the contexts of admin.py, api.py and forms.py (decisions live here)."""

from __future__ import annotations

from typing import Any

from core.naming import pascal_case
from design.codegen.errors import CodegenError, CodegenErrorCode
from design.codegen.literals import identifier, py_literal
from design.codegen.writer_models import class_name, ordered_entities
from design.specs.model import EntitySpec, FieldSpec, Spec

DEFAULT_LIST_LENGTH = 5
BASE_SEARCH = ["label", "name", "pym"]
TEXT_TYPES = ("char", "text")
UNFILTERABLE = ("json", "file")
WIDGETS = {"select": "Select", "radio": "RadioSelect", "multiselect": "SelectMultiple"}


def _fields_by_name(spec: Spec, entity: EntitySpec) -> dict[str, FieldSpec]:
    return {f.name: f for f in spec.all_fields(entity)}


def _is_m2m(f: FieldSpec | None) -> bool:
    return f is not None and f.type == "ref" and f.multiple


def children(spec: Spec, entity: EntitySpec) -> list[EntitySpec]:
    """Entities that are ``part_of`` this one, in spec order."""
    return [e for e in spec.entities if e.part_of == entity.name]


def base_columns(spec: Spec, entity: EntitySpec) -> list[str]:
    """Platform columns this entity's model has, in a fixed order."""
    names = ["id", "erpsys_id", "label", "name", "pym"]
    chain, current = [entity], entity
    while current.is_a:
        current = spec.entity(current.is_a)
        chain.append(current)
    if any(e.naming for e in chain):
        names.append("number")
    if chain[-1].kind == "record":
        names.append("pid")
    if any(e.part_of for e in chain):
        names.append("master")
    return [*names, "created_time", "updated_time"]


def _list_display(spec: Spec, entity: EntitySpec) -> list[str]:
    fields = _fields_by_name(spec, entity)
    if entity.list_display is not None:
        names = [n for n in entity.list_display if not _is_m2m(fields.get(n))]
    else:
        names = [f.name for f in spec.all_fields(entity) if not _is_m2m(f)][:DEFAULT_LIST_LENGTH]
    return names or ["label", "name"]


def _search_fields(spec: Spec, entity: EntitySpec) -> list[str]:
    fields = _fields_by_name(spec, entity)
    out = list(BASE_SEARCH)
    for name in entity.search or []:
        f = fields.get(name)
        if f is None:
            lookup = name if name == "number" else None
        elif f.type in TEXT_TYPES:
            lookup = name
        elif f.type in ("ref", "user"):
            lookup = f"{name}__username" if f.type == "user" or f.to == "user" else f"{name}__label"
        else:
            lookup = None
        if lookup and lookup not in out:
            out.append(lookup)
    return out


def _inlines_of(spec: Spec, entity: EntitySpec) -> list[str]:
    out: list[str] = []
    for form in spec.forms:
        if form.entity == entity.name:
            out.extend(name for name in form.inlines if name not in out)
    return [n for n in out if spec.entity(n).part_of == entity.name]


def admin_context(spec: Spec) -> dict[str, Any]:
    """Inline and ModelAdmin classes of admin.py."""
    inline_names = sorted(
        {n for e in spec.entities for n in _inlines_of(spec, e)},
        key=[e.name for e in spec.entities].index,
    )
    inlines = [{"name": f"{pascal_case(n)}Inline", "model": pascal_case(n)} for n in inline_names]
    admins = []
    for entity in spec.entities:
        fields = _fields_by_name(spec, entity)
        filters = [
            f.name for f in fields.values() if f.choices or f.type in ("ref", "user", "boolean")
        ]
        lines = [
            f"list_display = {py_literal(_list_display(spec, entity))}",
            f"search_fields = {py_literal(_search_fields(spec, entity))}",
        ]
        if filters:
            lines.append(f"list_filter = {py_literal(filters)}")
        own_inlines = _inlines_of(spec, entity)
        if own_inlines:
            lines.append(f"inlines = [{', '.join(f'{pascal_case(n)}Inline' for n in own_inlines)}]")
        admins.append(
            {"name": f"{class_name(entity)}Admin", "model": class_name(entity), "lines": lines}
        )
    return {"inlines": inlines, "admins": admins}


def _serializer_order(spec: Spec) -> list[EntitySpec]:
    """Children before their masters, so nested serializers are defined before use."""
    done: list[EntitySpec] = []
    seen: set[str] = set()

    def visit(entity: EntitySpec) -> None:
        if entity.name in seen:
            return
        seen.add(entity.name)
        for child in children(spec, entity):
            visit(child)
        done.append(entity)

    for entity in ordered_entities(spec):
        visit(entity)
    return done


def api_context(spec: Spec) -> dict[str, Any]:
    """Serializers, filter sets, viewsets and router registrations of api.py."""
    tenant = spec.tenant.name
    serializers, filtersets, viewsets, registrations = [], [], [], []
    for entity in _serializer_order(spec):
        cls = class_name(entity)
        kids = children(spec, entity)
        own = [f.name for f in spec.all_fields(entity)]
        clash = set(own) & {k.name for k in kids}
        if clash:
            raise CodegenError(
                CodegenErrorCode.NAME_COLLISION,
                f"field(s) {sorted(clash)} clash with part_of children of the same name",
                path=f"entities.{entity.name}",
            )
        declared = [
            f"{k.name} = {class_name(k)}Serializer(many=True, read_only=True)" for k in kids
        ]
        fields = [*base_columns(spec, entity), *own, *(k.name for k in kids)]
        serializers.append(
            {
                "name": f"{cls}Serializer",
                "model": cls,
                "declared": declared,
                "fields": py_literal(fields),
            }
        )
    for entity in spec.entities:
        cls = class_name(entity)
        by_name = _fields_by_name(spec, entity)
        wanted = [*(entity.list_display or []), *(entity.search or [])]
        if entity.list_display is None:
            wanted = [*_list_display(spec, entity), *wanted]
        names: list[str] = []
        for name in wanted:
            f = by_name.get(name)
            ok = (
                name == "number"
                and "number" in base_columns(spec, entity)
                or (f is not None and f.type not in UNFILTERABLE)
            )
            if ok and name not in names:
                names.append(name)
        filtersets.append({"name": f"{cls}FilterSet", "model": cls, "fields": py_literal(names)})
        prefetch = [k.name for k in children(spec, entity)]
        queryset = f"models.{cls}.objects.all()"
        if prefetch:
            queryset = (
                f"models.{cls}.objects.prefetch_related({', '.join(map(py_literal, prefetch))})"
            )
        orderable = ["id", "label", "name", "created_time", "updated_time"] + [
            n
            for n in _list_display(spec, entity)
            if n not in ("label", "name") and not _is_m2m(by_name.get(n))
        ]
        viewsets.append(
            {
                "name": f"{cls}ViewSet",
                "lines": [
                    f"tenant = {py_literal(tenant)}",
                    f"queryset = {queryset}",
                    f"serializer_class = {cls}Serializer",
                    f"filterset_class = {cls}FilterSet",
                    f"search_fields = {py_literal(_search_fields(spec, entity))}",
                    f"ordering_fields = {py_literal(orderable)}",
                ],
            }
        )
        registrations.append({"prefix": py_literal(entity.name), "viewset": f"{cls}ViewSet"})
    return {
        "serializers": serializers,
        "filtersets": filtersets,
        "viewsets": viewsets,
        "registrations": registrations,
    }


def _form_class(
    *,
    name: str,
    entity: EntitySpec,
    spec: Spec,
    items: list[tuple[str, bool | None, bool | None, str | None]],
) -> dict[str, Any]:
    by_name = _fields_by_name(spec, entity)
    fields, required, disabled, widgets = [], [], [], []
    for field_name, req, readonly, widget in items:
        f = by_name.get(field_name)
        if f is None or f.type == "computed":
            continue  # computed columns are not editable: the base model fills them on save
        fields.append(field_name)
        if req:
            required.append(field_name)
        if readonly or (readonly is None and f.readonly):
            disabled.append(field_name)
        if widget == "checkbox":
            widgets.append(
                (
                    field_name,
                    "forms.CheckboxSelectMultiple" if _is_m2m(f) else "forms.CheckboxInput",
                )
            )
        elif widget in WIDGETS:
            widgets.append((field_name, f"forms.{WIDGETS[widget]}"))
    widget_src = "{" + ", ".join(f"{n!r}: {w}" for n, w in widgets) + "}" if widgets else ""
    return {
        "name": name,
        "model": class_name(entity),
        "fields": py_literal(fields),
        "required": py_literal(required) if required else "",
        "disabled": py_literal(disabled) if disabled else "",
        "widgets": widget_src,
    }


def forms_context(spec: Spec) -> dict[str, Any]:
    """ModelForms per spec form and a default form per record entity."""
    forms, by_name, defaults = [], [], []
    for form in spec.forms:
        entity = spec.entity(form.entity)
        name = pascal_case(identifier(form.name, path=f"forms.{form.name}"))
        items = [(i.field, i.required, i.readonly, i.widget) for i in form.fields]
        if not items:
            items = [(f.name, None, None, None) for f in spec.all_fields(entity)]
        forms.append(_form_class(name=name, entity=entity, spec=spec, items=items))
        by_name.append(f"{form.name!r}: {name}")
    for entity in spec.entities:
        if entity.kind != "record":
            continue
        name = f"{class_name(entity)}DefaultForm"
        items = [(f.name, None, None, None) for f in spec.all_fields(entity)]
        forms.append(_form_class(name=name, entity=entity, spec=spec, items=items))
        defaults.append(f"{entity.name!r}: {name}")
    return {
        "forms": forms,
        "uses_widgets": any(cls["widgets"] for cls in forms),
        "forms_by_name": "{" + ", ".join(by_name) + "}",
        "default_forms": "{" + ", ".join(defaults) + "}",
    }


def check_class_names(spec: Spec) -> None:
    """Every class a generated module defines is distinct within it; raises CodegenError otherwise."""
    entity_classes = [(e, class_name(e)) for e in spec.entities]
    modules = {
        "models.py": [(cls, f"entities.{e.name}") for e, cls in entity_classes],
        "admin.py": [
            (f"{cls}{s}", f"entities.{e.name}")
            for e, cls in entity_classes
            for s in ("Admin", "Inline")
        ],
        "api.py": [
            (f"{cls}{s}", f"entities.{e.name}")
            for e, cls in entity_classes
            for s in ("Serializer", "FilterSet", "ViewSet")
        ],
        "forms.py": [(pascal_case(f.name), f"forms.{f.name}") for f in spec.forms]
        + [
            (f"{cls}DefaultForm", f"entities.{e.name}")
            for e, cls in entity_classes
            if e.kind == "record"
        ]
        + [("FORMS", "<generator>"), ("DEFAULT_FORMS", "<generator>")],
    }
    for module, owners in modules.items():
        seen: dict[str, str] = {}
        for name, owner in owners:
            if name in seen and seen[name] != owner:
                raise CodegenError(
                    CodegenErrorCode.NAME_COLLISION,
                    f"{module} would define class {name} for both {seen[name]} and {owner}",
                    path=owner,
                )
            seen[name] = owner
