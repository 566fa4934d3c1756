"""Reads from the design DB: ``spec_get`` rebuilds a tenant's normalized Spec (one query per table)."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any

from core.models import Tenant
from design.codec import FIELD_KEYS, choices_out, from_json, number_out, override_decode
from design.models import (
    DataItem,
    DataItemConsists,
    DataItemKind,
    Event,
    Form,
    FormField,
    MenuItem,
    Operator,
    OperatorRole,
    Resource,
    Role,
    RoleService,
    Service,
    ServiceRequirement,
    ServiceRole,
    ServiceRule,
    View,
    ViewColumn,
)
from design.specs.model import (
    ColumnSpec,
    EntitySpec,
    EventSpec,
    FieldSpec,
    FormFieldSpec,
    FormSpec,
    MenuItemSpec,
    OperatorSpec,
    RequirementSpec,
    ResourceSpec,
    RoleSpec,
    RuleSpec,
    ServiceSpec,
    Spec,
    TenantSpec,
    TimerSpec,
    ViewSpec,
)


def _grouped(rows: Any, attr: str) -> dict[int, list[Any]]:
    """Rows grouped by a parent id, each group in ``order``/``position``."""
    groups: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        groups[getattr(row, attr)].append(row)
    return groups


def _field_spec(item: DataItem, names: dict[int, str]) -> FieldSpec:
    return FieldSpec(
        name=item.name,
        label=item.label,
        type=item.type,
        required=item.required,
        default=from_json(item.default),
        unique=item.unique,
        index=item.index,
        max_length=item.max_length,
        max_digits=item.max_digits,
        decimal_places=item.decimal_places,
        choices=choices_out(item.choices),
        min=from_json(item.min_value),
        max=from_json(item.max_value),
        pattern=item.pattern or None,
        to=names[item.to_id] if item.to_id else (item.to_builtin or None),
        multiple=item.multiple,
        on_delete=item.on_delete or None,
        expression=item.expression or None,
        help=item.help or None,
        readonly=item.readonly,
        role=item.role or None,
    )


def _usage(reusable: FieldSpec, overrides: dict[str, Any]) -> FieldSpec:
    """A reusable field as one entity uses it: its overrides applied, ``source`` set."""
    keys = tuple(k for k in FIELD_KEYS if k in overrides)
    values = {k: override_decode(k, overrides[k]) for k in keys}
    return dataclasses.replace(reusable, **values, source=reusable.name, overrides=keys)


def _entities(tenant: Tenant) -> tuple[list[FieldSpec], list[EntitySpec], dict[int, str]]:
    """Reusable fields, entities (with their fields) and the id -> name map of entities."""
    items = list(DataItem.objects.filter(tenant=tenant).order_by("order", "id"))
    entity_rows = [i for i in items if i.kind != DataItemKind.FIELD]
    names = {i.pk: i.name for i in entity_rows}
    field_rows = {i.pk: i for i in items if i.kind == DataItemKind.FIELD}
    fields = {pk: _field_spec(i, names) for pk, i in field_rows.items()}
    reusable = [fields[pk] for pk, i in field_rows.items() if i.owner_id is None]
    consists = _grouped(
        DataItemConsists.objects.filter(tenant=tenant).order_by("order", "id"), "entity_id"
    )
    entities = []
    for row in entity_rows:
        own = []
        for link in consists.get(row.pk, []):
            if field_rows[link.field_id].owner_id is None:
                own.append(_usage(fields[link.field_id], link.overrides or {}))
            else:
                own.append(fields[link.field_id])
        entities.append(
            EntitySpec(
                name=row.name,
                label=row.label,
                kind=row.kind,
                fields=own,
                list_display=row.list_display,
                search=row.search,
                naming=row.naming or None,
                part_of=names.get(row.part_of_id),
                is_a=names.get(row.is_a_id),
                rows=from_json(row.rows) or [],
                rows_as_strings=row.rows_as_strings,
            )
        )
    return reusable, entities, names


def _by_order(model: Any, tenant: Tenant, *order: str) -> list[Any]:
    return list(model.objects.filter(tenant=tenant).order_by(*(order or ("order", "id"))))


def _menu(tenant: Tenant, entities: dict[int, str], views: dict[int, str]) -> list[MenuItemSpec]:
    children = _grouped(_by_order(MenuItem, tenant), "parent_id")

    def build(parent: int | None) -> list[MenuItemSpec]:
        return [
            MenuItemSpec(
                label=row.label,
                name=row.name or None,
                entity=entities.get(row.entity_id),
                view=views.get(row.view_id),
                children=build(row.pk),
            )
            for row in children.get(parent, [])
        ]

    return build(None)


def spec_get(*, tenant: str) -> Spec:
    """The normalized Spec of ``tenant`` as the design DB holds it; a constant number of queries.

    Raises ``Tenant.DoesNotExist`` for an unknown tenant.
    """
    row = Tenant.objects.get(name=tenant)
    reusable, entities, entity_names = _entities(row)
    forms = _by_order(Form, row)
    form_names = {f.pk: f.name for f in forms}
    form_fields = _grouped(_by_order(FormField, row), "form_id")
    services = _by_order(Service, row)
    service_names = {s.pk: s.name for s in services}
    roles = _by_order(Role, row)
    role_names = {r.pk: r.name for r in roles}
    resources = _by_order(Resource, row)
    resource_names = {r.pk: r.name for r in resources}
    events = _by_order(Event, row)
    event_names = {e.pk: e.name for e in events}
    views = _by_order(View, row)
    view_names = {v.pk: v.name for v in views}
    service_roles = _grouped(_by_order(ServiceRole, row), "service_id")
    requirements = _grouped(_by_order(ServiceRequirement, row), "service_id")
    rules = _grouped(_by_order(ServiceRule, row, "position", "id"), "program_id")
    role_services = _grouped(_by_order(RoleService, row), "role_id")
    operator_roles = _grouped(_by_order(OperatorRole, row), "operator_id")
    columns = _grouped(_by_order(ViewColumn, row), "view_id")
    return Spec(
        tenant=TenantSpec(
            name=row.name,
            label=row.label,
            language=row.language or None,
            timezone=row.timezone or None,
        ),
        spec_version=row.spec_version,
        fields=reusable,
        entities=entities,
        forms=[
            FormSpec(
                name=f.name,
                label=f.label,
                entity=entity_names[f.entity_id],
                fields=[
                    FormFieldSpec(
                        field=ff.field,
                        required=ff.required,
                        readonly=ff.readonly,
                        widget=ff.widget or None,
                    )
                    for ff in form_fields.get(f.pk, [])
                ],
                inlines=list(f.inlines or []),
            )
            for f in forms
        ],
        services=[
            ServiceSpec(
                name=s.name,
                label=s.label,
                kind=s.kind,
                record=entity_names.get(s.record_id),
                serves=entity_names.get(s.serves_id) or s.serves_builtin or None,
                form=form_names.get(s.form_id),
                roles=[role_names[r.role_id] for r in service_roles.get(s.pk, [])],
                price=number_out(s.price),
                duration=s.duration or None,
                requires=[
                    RequirementSpec(
                        resource=resource_names[q.resource_id], quantity=number_out(q.quantity)
                    )
                    for q in requirements.get(s.pk, [])
                ],
                manual_start=s.manual_start,
                new_record=s.new_record,
                action=s.action or None,
                rules=[
                    RuleSpec(
                        service=service_names[r.service_id],
                        event=event_names.get(r.event_id) or r.builtin_event,
                        instruction=r.instruction,
                        operand=service_names.get(r.operand_id),
                        params=from_json(r.params) or {},
                        order=r.order,
                        mode=r.mode,
                    )
                    for r in rules.get(s.pk, [])
                ],
            )
            for s in services
        ],
        events=[
            EventSpec(
                name=e.name,
                label=e.label,
                expression=e.expression or None,
                timer=TimerSpec(
                    after=e.timer_after or None, of=e.timer_of or None, cron=e.timer_cron or None
                )
                if (e.timer_after or e.timer_of or e.timer_cron)
                else None,
            )
            for e in events
        ],
        roles=[
            RoleSpec(
                name=r.name,
                label=r.label,
                services=[service_names[x.service_id] for x in role_services.get(r.pk, [])],
                supervises=list(r.supervises or []),
                entities={e: list(a) for e, a in r.entities or []},
            )
            for r in roles
        ],
        operators=[
            OperatorSpec(
                name=o.name,
                label=o.label,
                roles=[role_names[x.role_id] for x in operator_roles.get(o.pk, [])],
            )
            for o in _by_order(Operator, row)
        ],
        resources=[
            ResourceSpec(
                name=r.name,
                label=r.label,
                kind=r.kind,
                unit=r.unit or None,
                quantity=number_out(r.quantity),
                capacity=r.capacity,
                minimum=number_out(r.minimum),
                keepers=list(r.keepers or []),
            )
            for r in resources
        ],
        views=[
            ViewSpec(
                name=v.name,
                label=v.label,
                for_=v.for_kind,
                entity=entity_names.get(v.entity_id),
                columns=[
                    ColumnSpec(label=c.label, value=c.value, visible=c.visible)
                    for c in columns.get(v.pk, [])
                ],
            )
            for v in views
        ],
        menu=_menu(row, entity_names, view_names),
    )
