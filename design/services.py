"""Writes to the design DB: ``spec_apply`` (Spec -> tables, in place, by name) and ``spec_load``."""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

from django.db import transaction

from core.models import Tenant
from design.apply_entities import apply_data_items, apply_menu
from design.codec import number_in, to_json
from design.models import (
    Event,
    Form,
    FormField,
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
from design.specs.model import BUILTIN_ENTITIES, BUILTIN_EVENTS, Spec
from design.sync import RowSync, named_rows, ref_id, sync_children, unknown_reference

Key = Hashable


def _tenant_upsert(spec: Spec) -> Tenant:
    values = {
        "label": spec.tenant.label,
        "language": spec.tenant.language or "",
        "timezone": spec.tenant.timezone or "",
        "spec_version": spec.spec_version,
    }
    tenant = Tenant.objects.filter(name=spec.tenant.name).first()
    if tenant is None:
        return Tenant.objects.create(name=spec.tenant.name, **values)
    if any(getattr(tenant, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(tenant, k, v)
        tenant.save()
    return tenant


@transaction.atomic
def spec_apply(*, spec: Spec) -> Tenant:
    """Upsert the tenant and every element of ``spec`` by name, in place, and remove the rest.

    Runs in one transaction: any error rolls everything back. The erpsys_id of an element
    that keeps its name never changes. ``spec`` is expected to be validated.
    """
    tenant = _tenant_upsert(spec)
    sync = RowSync(tenant)
    entities = apply_data_items(sync, spec)
    resources = sync.sync(
        Resource,
        Resource.objects.filter(tenant=tenant),
        lambda o: o.name,
        named_rows(
            spec.resources,
            lambda i, r: {
                "kind": r.kind,
                "unit": r.unit or "",
                "quantity": number_in(r.quantity),
                "capacity": r.capacity,
                "minimum": number_in(r.minimum),
                "keepers": list(r.keepers),
            },
        ),
    )
    events = sync.sync(
        Event,
        Event.objects.filter(tenant=tenant),
        lambda o: o.name,
        named_rows(
            spec.events,
            lambda i, e: {
                "expression": e.expression or "",
                "timer_after": (e.timer.after if e.timer else None) or "",
                "timer_of": (e.timer.of if e.timer else None) or "",
                "timer_cron": (e.timer.cron if e.timer else None) or "",
            },
        ),
    )
    forms = sync.sync(
        Form,
        Form.objects.filter(tenant=tenant),
        lambda o: o.name,
        named_rows(
            spec.forms,
            lambda i, f: {
                "entity_id": ref_id(entities, f.entity, f"forms[{i}].entity", "entity"),
                "inlines": list(f.inlines),
            },
        ),
    )
    sync_children(
        sync,
        FormField,
        "form_id",
        (
            (
                forms[f.name].pk,
                [
                    {
                        "field": ff.field,
                        "required": ff.required,
                        "readonly": ff.readonly,
                        "widget": ff.widget or "",
                    }
                    for ff in f.fields
                ],
            )
            for f in spec.forms
        ),
    )
    roles = sync.sync(
        Role,
        Role.objects.filter(tenant=tenant),
        lambda o: o.name,
        named_rows(
            spec.roles,
            lambda i, r: {
                "supervises": list(r.supervises),
                "entities": [[e, list(a)] for e, a in r.entities.items()],
            },
        ),
    )

    def service_values(i: int, s: Any) -> dict[str, Any]:
        serves_id, serves_builtin = None, ""
        if s.serves in BUILTIN_ENTITIES and s.serves not in entities:
            serves_builtin = s.serves
        else:
            serves_id = ref_id(entities, s.serves, f"services[{i}].serves", "entity")
        return {
            "kind": s.kind,
            "record_id": ref_id(entities, s.record, f"services[{i}].record", "entity"),
            "serves_id": serves_id,
            "serves_builtin": serves_builtin,
            "form_id": ref_id(forms, s.form, f"services[{i}].form", "form"),
            "price": number_in(s.price),
            "duration": s.duration or "",
            "manual_start": s.manual_start,
            "new_record": s.new_record,
            "action": s.action or "",
        }

    services = sync.sync(
        Service,
        Service.objects.filter(tenant=tenant),
        lambda o: o.name,
        named_rows(spec.services, service_values),
    )
    sync_children(
        sync,
        ServiceRole,
        "service_id",
        (
            (
                services[s.name].pk,
                [{"role_id": ref_id(roles, r, f"services[{i}].roles", "role")} for r in s.roles],
            )
            for i, s in enumerate(spec.services)
        ),
    )
    sync_children(
        sync,
        ServiceRequirement,
        "service_id",
        (
            (
                services[s.name].pk,
                [
                    {
                        "resource_id": ref_id(
                            resources, q.resource, f"services[{i}].requires", "resource"
                        ),
                        "quantity": number_in(q.quantity),
                    }
                    for q in s.requires
                ],
            )
            for i, s in enumerate(spec.services)
        ),
    )
    rules_desired = []
    for si, s in enumerate(spec.services):
        program = services[s.name].pk
        for ri, r in enumerate(s.rules):
            where = f"services[{si}].rules[{ri}]"
            event_id, builtin_event = None, ""
            if r.event in events:
                event_id = events[r.event].pk
            elif r.event in BUILTIN_EVENTS:
                builtin_event = r.event
            else:
                raise unknown_reference(f"{where}.event", "event", r.event)
            rules_desired.append(
                (
                    (program, ri),
                    {
                        "program_id": program,
                        "position": ri,
                        "service_id": ref_id(services, r.service, f"{where}.service", "service"),
                        "event_id": event_id,
                        "builtin_event": builtin_event,
                        "instruction": r.instruction,
                        "operand_id": ref_id(services, r.operand, f"{where}.operand", "service"),
                        "params": to_json(r.params),
                        "order": r.order,
                        "mode": r.mode,
                    },
                )
            )
    sync.sync(
        ServiceRule,
        ServiceRule.objects.filter(tenant=tenant),
        lambda o: (o.program_id, o.position),
        rules_desired,
    )
    sync_children(
        sync,
        RoleService,
        "role_id",
        (
            (
                roles[r.name].pk,
                [
                    {"service_id": ref_id(services, s, f"roles[{i}].services", "service")}
                    for s in r.services
                ],
            )
            for i, r in enumerate(spec.roles)
        ),
    )
    operators = sync.sync(
        Operator,
        Operator.objects.filter(tenant=tenant),
        lambda o: o.name,
        named_rows(spec.operators, lambda i, o: {}),
    )
    sync_children(
        sync,
        OperatorRole,
        "operator_id",
        (
            (
                operators[o.name].pk,
                [{"role_id": ref_id(roles, r, f"operators[{i}].roles", "role")} for r in o.roles],
            )
            for i, o in enumerate(spec.operators)
        ),
    )
    views = sync.sync(
        View,
        View.objects.filter(tenant=tenant),
        lambda o: o.name,
        named_rows(
            spec.views,
            lambda i, v: {
                "for_kind": v.for_,
                "entity_id": ref_id(entities, v.entity, f"views[{i}].entity", "entity"),
            },
        ),
    )
    sync_children(
        sync,
        ViewColumn,
        "view_id",
        (
            (
                views[v.name].pk,
                [{"label": c.label, "value": c.value, "visible": c.visible} for c in v.columns],
            )
            for v in spec.views
        ),
    )
    apply_menu(sync, spec, entities, views)
    sync.finish()
    return tenant


def spec_load(*, folder: Path) -> Tenant:
    """Validate the spec folder, then apply it; raises ``SpecInvalid`` and writes nothing on error."""
    from design.specs.validate import validate_folder  # the validator imports models lazily too

    spec = validate_folder(Path(folder))
    return spec_apply(spec=spec)
