"""Kernel reads: task lists (public / mine / entity) in a constant number of queries, and process reads."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from kernel.fsm import State
from kernel.models import Decision, Operator, Process, ServiceDef

LIVE_STATES = (State.NEW, State.READY, State.RUNNING, State.WAITING, State.SUSPENDED, State.ERROR)


def _role_names(operator: Operator) -> frozenset[str]:
    from kernel.services import operator_roles

    return operator_roles(operator)


def _service_ids_for_roles(*, tenant_id: int, roles: frozenset[str]) -> list[int]:
    """Published services (of every revision) one of ``roles`` may do; one query."""
    rows = ServiceDef.objects.filter(revision__tenant_id=tenant_id, is_program=False).values_list(
        "pk", "roles"
    )
    return [pk for pk, service_roles in rows if set(service_roles or ()) & roles]


def _base(tenant_id: int):
    return (
        Process.objects.filter(tenant_id=tenant_id)
        .select_related("service", "operator", "entity_type")
        .prefetch_related("entity")
        .order_by("-priority", "scheduled_time", "pid")
    )


def task_list(
    *, operator: Operator, scope: str, entity: models.Model | None = None
) -> list[Process]:
    """The operator's task list: ``public`` (unclaimed READY tasks of their roles), ``mine``, ``entity``.

    A constant number of queries whatever the length: roles (once per operator instance),
    services, the processes with their service/operator, and one per entity type shown.
    """
    if scope == "public":
        roles = _role_names(operator)
        services = _service_ids_for_roles(tenant_id=operator.tenant_id, roles=roles)
        query = (
            _base(operator.tenant_id)
            .filter(
                Q(service_id__in=services) | Q(assigned_role__in=list(roles)),
                state=State.READY,
                operator__isnull=True,
            )
            .exclude(service__is_program=True)
        )
        return list(query)
    if scope == "mine":
        return list(_base(operator.tenant_id).filter(operator=operator, state__in=LIVE_STATES))
    if scope == "entity":
        if entity is None:
            raise ValueError("scope 'entity' needs an entity")
        content_type = ContentType.objects.get_for_model(entity)
        query = _base(operator.tenant_id).filter(entity_type=content_type, entity_id=entity.pk)
        return sorted(query, key=lambda p: (p.state, -p.priority, p.pid))
    raise ValueError(f"unknown scope {scope!r}: public, mine or entity")


def process_tree(*, process: Process) -> list[Process]:
    """Every process of ``process``'s program tree (the root first), one query."""
    root_id = process.root_id or process.pk
    return list(
        Process.objects.filter(Q(pk=root_id) | Q(root_id=root_id))
        .select_related("service")
        .order_by("pid")
    )


def decision_list(*, operator: Operator) -> list[Decision]:
    """Open decisions the operator's roles may answer (decided_by empty = any role of the tenant)."""
    roles = _role_names(operator)
    rows = Decision.objects.filter(tenant_id=operator.tenant_id, state="OPEN").select_related(
        "process"
    )
    return [d for d in rows if not d.decided_by or set(d.decided_by) & roles]
