"""Atomic allocation of resources to processes: all or nothing, under row locks taken in pk order."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import F, QuerySet, Sum

from kernel.errors import KernelError, KernelErrorCode
from kernel.models import (
    Allocation,
    AllocationState,
    LedgerEntry,
    Process,
    ProcessState,
    Resource,
    ResourceKind,
)
from kernel.models.resource import LedgerReason
from kernel.resources import ledger

# Kinds whose allocations are used up on completion (their stock goes down).
CONSUMABLE_KINDS = frozenset({ResourceKind.MATERIAL, ResourceKind.CAPITAL})
# Kinds limited by how many units are held at once.
CAPACITY_KINDS = frozenset({ResourceKind.EQUIPMENT, ResourceKind.DEVICE})

Requirement = tuple[str, Decimal | int]


def requirements_of(process: Process) -> list[Requirement]:
    """The (resource name, quantity) pairs the process's service requires; [] without a service."""
    service = getattr(process, "service", None)
    requires = getattr(service, "requires", None) or []
    return [(item["resource"], item.get("quantity", 1)) for item in requires]


def _merge(requirements: Iterable[Requirement]) -> dict[str, Decimal]:
    """Sum the quantities asked for each resource name (a name may appear twice)."""
    needed: dict[str, Decimal] = {}
    for name, quantity in requirements:
        amount = Decimal(str(quantity))
        if amount <= 0:
            raise KernelError(
                KernelErrorCode.RESOURCE_INVALID,
                f"resource {name!r}: quantity must be positive, got {quantity}",
            )
        needed[name] = needed.get(name, Decimal(0)) + amount
    return needed


def _lock(resource_ids: Iterable[int]) -> list[Resource]:
    """Lock the base rows in pk order (a stable order, so two allocators never deadlock)."""
    locked = list(
        Resource.objects.non_polymorphic()
        .select_for_update()
        .filter(pk__in=list(resource_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return list(Resource.objects.filter(pk__in=locked).order_by("pk"))


def _held_totals(
    resource_ids: Sequence[int], exclude_process: Process | None
) -> dict[int, Decimal]:
    """Quantity currently HELD of each resource, optionally not counting one process."""
    held = Allocation.objects.filter(resource_id__in=resource_ids, state=AllocationState.HELD)
    if exclude_process is not None:
        held = held.exclude(process=exclude_process)
    rows = held.values("resource_id").annotate(total=Sum("quantity"))
    return {row["resource_id"]: row["total"] or Decimal(0) for row in rows}


def available(resource: Resource, held: Decimal) -> Decimal | None:
    """Units of ``resource`` free when ``held`` units are held by processes; None means unlimited."""
    if resource.kind in CONSUMABLE_KINDS:
        return resource.quantity - held
    if resource.kind in CAPACITY_KINDS:
        return Decimal(resource.capacity) - held
    return None


def allocate(
    *,
    process: Process,
    requirements: list[Requirement],
    low_stock: list[Resource] | None = None,
) -> bool:
    """Hold every required resource for ``process`` or none of them; False when any is short.

    Runs inside the caller's transaction (a savepoint when one is open) and locks the
    resource rows with ``SELECT ... FOR UPDATE`` in pk order until that transaction ends.
    Material/capital: stock minus what others hold must cover the quantity; equipment/device:
    units held by others plus the quantity must fit in ``capacity``; knowledge: always free.
    Resources the process already holds count as satisfied (calling twice holds nothing twice).
    Each hold writes an ``allocate`` ledger entry (the process's operator, the balance after).
    Resources whose balance fell below their ``minimum`` are appended to ``low_stock``.
    An unknown resource name raises KernelError ``unknown_resource``.
    """
    needed = _merge(requirements)
    if not needed:
        return True  # no query, no savepoint: the common case of a service needing nothing
    with transaction.atomic():
        return _allocate(process, needed, low_stock)


def _allocate(
    process: Process, needed: dict[str, Decimal], low_stock: list[Resource] | None
) -> bool:
    """allocate() inside its savepoint."""
    ids = dict(
        Resource.objects.non_polymorphic()
        .filter(tenant_id=process.tenant_id, name__in=needed)
        .values_list("name", "pk")
    )
    missing = sorted(set(needed) - set(ids))
    if missing:
        raise KernelError(
            KernelErrorCode.UNKNOWN_RESOURCE,
            f"unknown resource(s) {', '.join(missing)} for tenant {process.tenant_id}",
        )
    resources = _lock(ids.values())
    already = set(
        Allocation.objects.filter(
            process=process, resource_id__in=ids.values(), state=AllocationState.HELD
        ).values_list("resource_id", flat=True)
    )
    wanted = [r for r in resources if r.pk not in already]
    if not wanted:
        return True
    held = _held_totals([r.pk for r in wanted], exclude_process=process)
    free: dict[int, Decimal | None] = {}
    for resource in wanted:
        free[resource.pk] = available(resource, held.get(resource.pk, Decimal(0)))
        if free[resource.pk] is not None and free[resource.pk] < needed[resource.name]:
            return False
    Allocation.objects.bulk_create(
        Allocation(process=process, resource=resource, quantity=needed[resource.name])
        for resource in wanted
    )
    entries = []
    for resource in wanted:
        before = free[resource.pk]
        if before is None:
            continue  # knowledge: no ledger
        after = before - needed[resource.name]
        entries.append(
            ledger.entry(
                resource,
                quantity=-needed[resource.name],
                balance=after,
                reason=LedgerReason.ALLOCATE,
                process_id=process.pk,
                operator_id=process.operator_id,
            )
        )
        if low_stock is not None and ledger.low_crossed(resource, before, after):
            low_stock.append(resource)
    LedgerEntry.objects.bulk_create(entries)
    return True


def release(*, process: Process, consume: bool) -> list[Resource]:
    """End every HELD allocation of ``process``; return the resources that became freer.

    ``consume=True`` (completion): material/capital allocations become CONSUMED and their
    quantity leaves the stock; the others become RELEASED. ``consume=False`` (cancel): all are
    RELEASED. Locks the resource rows in pk order, like ``allocate``. Writes the ledger: a
    ``release`` entry per allocation, then a ``consume`` entry for what was used up. The returned list (pk
    order) holds the non-knowledge resources whose allocations were RELEASED — the ones a
    waiting process may now get; consuming never frees anything.
    """
    held = list(Allocation.objects.filter(process=process, state=AllocationState.HELD))
    if not held:
        return []
    with transaction.atomic():
        return _release(process, held, consume)


def _release(process: Process, held: list[Allocation], consume: bool) -> list[Resource]:
    """release() inside its savepoint, given the process's HELD allocations."""
    resources = {r.pk: r for r in _lock({a.resource_id for a in held})}
    process_id, operator_id = process.pk, process.operator_id
    held_now = ledger.held_totals(resources)
    balances = {
        pk: ledger.balance_of(resource, held_now.get(pk, Decimal(0)))
        for pk, resource in resources.items()
        if ledger.has_ledger(resource)
    }
    consumed: list[int] = []
    released: list[int] = []
    entries: list[LedgerEntry] = []
    for allocation in held:
        resource = resources[allocation.resource_id]
        quantity = allocation.quantity
        consuming = consume and resource.kind in CONSUMABLE_KINDS
        (consumed if consuming else released).append(allocation.pk)
        if resource.pk not in balances:
            continue  # knowledge: no ledger
        balances[resource.pk] += quantity
        entries.append(
            ledger.entry(
                resource,
                quantity=quantity,
                balance=balances[resource.pk],
                reason=LedgerReason.RELEASE,
                process_id=process_id,
                operator_id=operator_id,
            )
        )
        if consuming:
            resource.quantity -= quantity
            type(resource).objects.filter(pk=resource.pk).update(quantity=F("quantity") - quantity)
            balances[resource.pk] -= quantity
            entries.append(
                ledger.entry(
                    resource,
                    quantity=-quantity,
                    balance=balances[resource.pk],
                    reason=LedgerReason.CONSUME,
                    process_id=process_id,
                    operator_id=operator_id,
                )
            )
    if consumed:
        Allocation.objects.filter(pk__in=consumed).update(state=AllocationState.CONSUMED)
    if released:
        Allocation.objects.filter(pk__in=released).update(state=AllocationState.RELEASED)
    LedgerEntry.objects.bulk_create(entries)
    released_ids = set(released)
    freed = {
        a.resource_id
        for a in held
        if a.pk in released_ids and resources[a.resource_id].kind != ResourceKind.KNOWLEDGE
    }
    return [resources[pk] for pk in sorted(freed)]


def waiting_for(*, tenant, resources: Iterable[Resource]) -> QuerySet[Process]:
    """WAITING processes of ``tenant`` whose service requires any of ``resources``.

    Highest priority first, then first come first served: the earliest ``waiting_since`` (when
    it first found a resource short), then the oldest. Processes that already hold allocations are waiting
    for something else (a child, a decision) and are left out. Reads only; takes no locks.
    """
    names = {r.name for r in resources}
    waiting = Process.objects.filter(tenant=tenant, state=ProcessState.WAITING)
    if not names:
        return waiting.none()
    service_model = Process._meta.get_field("service").related_model
    candidates = service_model.objects.filter(pk__in=waiting.values("service_id"))
    service_ids = [
        pk
        for pk, requires in candidates.values_list("pk", "requires")
        if any(item.get("resource") in names for item in requires or [])
    ]
    return (
        waiting.filter(service_id__in=service_ids)
        .exclude(allocations__state=AllocationState.HELD)
        .order_by("-priority", F("waiting_since").asc(nulls_last=True), "created_time", "pid")
    )
