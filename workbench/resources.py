"""What the resource pages show: capacity, stock, free balance, holders, waiters and the ledger.

Every read is scoped to one tenant and costs a constant number of queries whatever the number
of resources, holders or waiters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F

from core.labels import RESOURCE_KIND_LABELS
from kernel.models import Allocation, AllocationState, LedgerEntry, Operator, Process, Resource
from kernel.models.process import ProcessState
from kernel.resources import may_adjust
from kernel.resources.ledger import balance_of, has_ledger
from kernel.selectors import waiting_overdue

LEDGER_PAGE = 50  # ledger entries per page


def may_view(operator: Operator) -> bool:
    """Resource pages are for operators who hold at least one role of the tenant, or whose user
    may view resources (the ``kernel.view_resource`` permission; superusers have it)."""
    user = getattr(operator, "user", None)
    if user is not None and user.has_perm("kernel.view_resource"):
        return True
    return operator.roles.exists()


@dataclass
class Holding:
    process: Process
    quantity: Decimal


@dataclass
class ResourceRow:
    resource: Resource
    kind_label: Any
    total: Decimal | None  # stock on hand or capacity; None for knowledge
    balance: Decimal | None  # free units; None for knowledge
    minimum: Decimal | None
    low: bool
    holders: list[Holding] = field(default_factory=list)
    waiters: list[Process] = field(default_factory=list)
    can_adjust: bool = False

    @property
    def stocked(self) -> bool:
        return self.resource.kind in ("material", "capital")


def _holders(tenant_id: int, resource_ids: list[int]) -> dict[int, list[Holding]]:
    found: dict[int, list[Holding]] = {}
    for allocation in (
        Allocation.objects.filter(
            resource_id__in=resource_ids,
            resource__tenant_id=tenant_id,
            state=AllocationState.HELD,
        )
        .select_related("process__service", "process__operator")
        .order_by("created", "pk")
    ):
        found.setdefault(allocation.resource_id, []).append(
            Holding(allocation.process, allocation.quantity)
        )
    return found


def _waiters(tenant_id: int, names: set[str]) -> dict[str, list[Process]]:
    """resource name -> the processes waiting for it (in wake order), from one query."""
    waiting = (
        Process.objects.filter(
            tenant_id=tenant_id, state=ProcessState.WAITING, waiting_since__isnull=False
        )
        .select_related("service", "operator")
        .order_by("-priority", F("waiting_since").asc(nulls_last=True), "created_time", "pid")
    )
    found: dict[str, list[Process]] = {}
    for process in waiting:
        for item in getattr(process.service, "requires", None) or []:
            if item.get("resource") in names:
                found.setdefault(item["resource"], []).append(process)
    return found


def _row(resource: Resource, held: list[Holding], operator: Operator) -> ResourceRow:
    ledgered = has_ledger(resource)
    total = (
        Decimal(
            resource.quantity if resource.kind in ("material", "capital") else resource.capacity
        )
        if ledgered
        else None
    )
    balance = (
        balance_of(resource, sum((h.quantity for h in held), Decimal(0))) if ledgered else None
    )
    minimum = getattr(resource, "minimum", None)
    return ResourceRow(
        resource=resource,
        kind_label=RESOURCE_KIND_LABELS.get(resource.kind, resource.kind),
        total=total,
        balance=balance,
        minimum=minimum,
        low=minimum is not None and balance is not None and balance < minimum,
        holders=held,
        can_adjust=ledgered
        and resource.kind in ("material", "capital")
        and may_adjust(operator=operator, resource=resource),
    )


def resource_rows(*, operator: Operator) -> list[ResourceRow]:
    """Every resource of the operator's tenant with its holders and waiters, by label."""
    tenant_id = operator.tenant_id
    resources = list(Resource.objects.filter(tenant_id=tenant_id).order_by("label", "pk"))
    holders = _holders(tenant_id, [r.pk for r in resources])
    waiters = _waiters(tenant_id, {r.name for r in resources})
    rows = []
    for resource in resources:
        row = _row(resource, holders.get(resource.pk, []), operator)
        row.waiters = waiters.get(resource.name, [])
        rows.append(row)
    return rows


def resource_detail(*, operator: Operator, pk: int) -> ResourceRow | None:
    """One resource of the operator's tenant (None when it is not the tenant's)."""
    resource = Resource.objects.filter(tenant_id=operator.tenant_id, pk=pk).first()
    if resource is None:
        return None
    row = _row(resource, _holders(operator.tenant_id, [resource.pk]).get(resource.pk, []), operator)
    row.waiters = _waiters(operator.tenant_id, {resource.name}).get(resource.name, [])
    return row


def ledger_entries(resource: Resource):
    """The resource's ledger, newest first (a queryset to paginate)."""
    return (
        LedgerEntry.objects.filter(resource=resource, tenant_id=resource.tenant_id)
        .select_related("process__service", "operator")
        .order_by("-pk")
    )


@dataclass
class ProcessResources:
    """What a process holds now, and what it waits for (with what is free of each)."""

    held: list[tuple[Resource, Decimal]]
    waits_for: list[dict[str, Any]]
    waiting_since: Any
    overdue: bool


def process_resources(process: Process) -> ProcessResources:
    held = [
        (a.resource, a.quantity)
        for a in Allocation.objects.filter(process=process, state=AllocationState.HELD)
        .select_related("resource")
        .order_by("resource__label")
    ]
    waits_for: list[dict[str, Any]] = []
    if process.state == ProcessState.WAITING and process.waiting_since is not None:
        requires = getattr(process.service, "requires", None) or []
        held_ids = {r.pk for r, _ in held}
        by_name = {
            r.name: r
            for r in Resource.objects.filter(
                tenant_id=process.tenant_id, name__in=[i.get("resource") for i in requires]
            )
        }
        for item in requires:
            resource = by_name.get(item.get("resource"))
            if resource is None or resource.pk in held_ids:
                continue
            free = balance_of(resource) if has_ledger(resource) else None
            quantity = Decimal(str(item.get("quantity", 1)))
            waits_for.append(
                {
                    "resource": resource,
                    "quantity": quantity,
                    "free": free,
                    "short": free is not None and free < quantity,
                }
            )
    return ProcessResources(
        held=held,
        waits_for=waits_for,
        waiting_since=process.waiting_since,
        overdue=waiting_overdue(process),
    )
