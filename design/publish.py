"""Publish: compile a tenant's spec into an immutable kernel Revision (services, rules, events, views)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from core.durations import parse_duration
from core.models import Tenant
from core.naming import pascal_case
from design.selectors import spec_get
from design.services import spec_load
from design.specs.model import Spec
from kernel.catalogue import services_sync
from kernel.engine.compiled import cache_forget
from kernel.errors import KernelError, KernelErrorCode
from kernel.models import EventDef, Operator, Revision, Role, RuleDef, ServiceDef, ViewDef

log = logging.getLogger(__name__)


def spec_hash(spec: Spec) -> str:
    """sha256 of the normalized spec (sorted JSON of its dataclasses); equal specs hash equally."""
    text = json.dumps(dataclasses.asdict(spec), sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def model_label(tenant: str, entity: str | None) -> str | None:
    """The generated model label of a spec entity, e.g. ``repair_shop.quoteline``; built-ins map too."""
    if entity is None:
        return None
    try:
        from applications.builtins import BUILTIN_TARGETS
    except ImportError:  # pragma: no cover - applications helper not there yet
        BUILTIN_TARGETS = {}
    if entity in BUILTIN_TARGETS:
        return str(BUILTIN_TARGETS[entity]).lower()
    return f"{tenant}.{pascal_case(entity).lower()}"


def spec_for(tenant: str) -> Spec:
    """The tenant's spec from the design DB, loading ``META_SPECS_DIR/<tenant>`` first if it is absent."""
    if not Tenant.objects.filter(name=tenant).exists():
        folder = Path(settings.META_SPECS_DIR) / tenant
        if not (folder / "tenant.yaml").is_file():
            raise KernelError(
                KernelErrorCode.SPEC_MISSING,
                f"tenant {tenant!r} is not in the design DB and {folder} has no tenant.yaml; run `spec load` first",
            )
        spec_load(folder=folder)
    return spec_get(tenant=tenant)


def _tenant_row(spec: Spec):
    row, _ = Tenant.objects.get_or_create(
        name=spec.tenant.name, defaults={"label": spec.tenant.label}
    )
    return row


def _duration(text: str | None):
    if not text:
        return None
    return parse_duration(text)


def _services(spec: Spec, revision: Revision) -> list[ServiceDef]:
    tenant = spec.tenant.name
    rows = []
    for service in spec.services:
        roles = list(service.roles)
        for role in spec.roles:
            if service.name in role.services and role.name not in roles:
                roles.append(role.name)
        schedule_field = None
        if service.record:
            entity = spec.entity(service.record)
            schedule_field = next(
                (f.name for f in spec.all_fields(entity) if f.role == "scheduled_time"), None
            )
        rows.append(
            ServiceDef(
                revision=revision,
                name=service.name,
                label=service.label,
                kind=service.kind,
                record=model_label(tenant, service.record),
                serves=model_label(tenant, service.serves),
                form=service.form,
                roles=roles,
                duration=_duration(service.duration),
                requires=[
                    {"resource": r.resource, "quantity": _number(r.quantity)}
                    for r in service.requires
                ],
                manual_start=service.manual_start,
                new_record=service.new_record,
                action=service.action,
                is_program=service.is_program,
                schedule_field=schedule_field,
            )
        )
    return rows


def _number(value):
    return float(value) if not isinstance(value, (int, float)) else value


def _people(spec: Spec, tenant_row) -> None:
    """Upsert roles (and whom they supervise) and operators by name (not versioned); operators
    get a user without a password."""
    roles = {}
    for role in spec.roles:
        row, _ = Role.objects.update_or_create(
            tenant=tenant_row, name=role.name, defaults={"label": role.label}
        )
        roles[role.name] = row
    for role in spec.roles:
        roles[role.name].supervises.set([roles[r] for r in role.supervises if r in roles])
    user_model = get_user_model()
    for operator in spec.operators:
        row = Operator.objects.filter(tenant=tenant_row, name=operator.name).first()
        if row is None:
            user, created = user_model.objects.get_or_create(
                username=f"{tenant_row.name}.{operator.name}"
            )
            if created:
                user.set_unusable_password()
                user.save()
            row = Operator(tenant=tenant_row, name=operator.name, user=user)
        row.label = operator.label
        row.save()
        row.roles.set([roles[r] for r in operator.roles if r in roles])


def _log_rule_warnings(spec: Spec) -> None:
    """Publish refuses nothing new for them, but says which rules can never work as written."""
    from design.specs.warnings import rule_warnings

    for warning in rule_warnings(spec):
        log.warning("%s: %s", spec.tenant.name, warning)


@transaction.atomic
def revision_publish(*, tenant: str, spec: Spec | None = None, user=None) -> tuple[Revision, bool]:
    """Compile ``tenant``'s spec into a new Revision; (latest revision, False) when the spec is unchanged.

    ``spec`` defaults to the design DB's (see ``spec_for``). Roles, operators, resources and the
    service catalogue (``kernel.Service``, what generated records link to) are upserted in the
    same transaction; running processes keep the revision they started with.
    A new revision keeps its spec as exported YAML and who published it (``PublishRecord``).
    """
    spec = spec if spec is not None else spec_for(tenant)
    if spec.tenant.name != tenant:
        raise KernelError(
            KernelErrorCode.TENANT_MISMATCH, f"spec is for {spec.tenant.name!r}, not {tenant!r}"
        )
    tenant_row = _tenant_row(spec)
    digest = spec_hash(spec)
    latest = (
        Revision.objects.select_for_update().filter(tenant=tenant_row).order_by("-number").first()
    )
    _people(spec, tenant_row)
    from kernel.resources import resources_sync

    resources_sync(tenant=tenant_row, resources=spec.resources)
    services_sync(tenant=tenant_row, services=spec.services)
    try:
        from applications.permissions import role_permissions_sync
    except ImportError:  # pragma: no cover - applications helper not there yet
        role_permissions_sync = None
    if role_permissions_sync is not None:
        role_permissions_sync(tenant=tenant, spec=spec)
    if latest is not None and latest.spec_hash == digest:
        return latest, False
    _log_rule_warnings(spec)
    revision = Revision.objects.create(
        tenant=tenant_row,
        number=(latest.number + 1) if latest else 1,
        spec_hash=digest,
        menu=[dataclasses.asdict(item) for item in spec.menu],
    )
    cache_forget(revision.pk)
    from design.models import PublishRecord
    from design.specs.export import spec_to_files

    PublishRecord.objects.create(revision=revision, user=user, files=spec_to_files(spec))
    ServiceDef.objects.bulk_create(_services(spec, revision))
    rules = []
    for service in spec.services:
        for position, rule in enumerate(service.rules):
            rules.append(
                RuleDef(
                    revision=revision,
                    program=service.name,
                    service=rule.service,
                    event=rule.event,
                    instruction=rule.instruction,
                    operand=rule.operand,
                    params=rule.params or {},
                    order=rule.order if rule.order is not None else position,
                    mode=rule.mode or "deterministic",
                )
            )
    RuleDef.objects.bulk_create(rules)
    EventDef.objects.bulk_create(
        EventDef(
            revision=revision,
            name=e.name,
            label=e.label,
            expression=e.expression,
            timer=dataclasses.asdict(e.timer) if e.timer else None,
        )
        for e in spec.events
    )
    ViewDef.objects.bulk_create(
        ViewDef(
            revision=revision,
            name=v.name,
            label=v.label,
            for_kind=v.for_,
            columns=[dataclasses.asdict(c) for c in v.columns],
        )
        for v in spec.views
    )
    return revision, True
