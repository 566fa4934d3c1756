"""The resource ledger: every change of a resource's balance is one ``LedgerEntry`` row.

A resource's *balance* is the number of units free for a new process:

- material / capital: the stock on hand minus what running processes hold;
- equipment / device: the capacity minus what running processes hold;
- knowledge: unlimited, so it has no balance and no ledger.

Allocation takes units (``allocate``, negative), release gives them back (``release``,
positive), completion consumes held material (``release`` +q then ``consume`` -q: the hold ends
and the stock drops by as much, the balance is unchanged). Operators receive, count and write
off stock through ``kernel.resources.stock_adjust``; a republish that changes a capacity writes
``capacity``. New resources start with an ``opening`` entry. Entries are written under the
resource's row lock, in the transaction that made the change, so the entries of a resource
are in order and always add up to its balance (system check ``kernel.E003``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, Q, Sum

from kernel.models import Allocation, AllocationState, LedgerEntry, Resource, ResourceKind
from kernel.models.resource import LedgerReason

# Kinds whose balance is stock minus held (the others: capacity minus held; knowledge: none).
_STOCK_KINDS = frozenset({ResourceKind.MATERIAL, ResourceKind.CAPITAL})
_CAPACITY_KINDS = frozenset({ResourceKind.EQUIPMENT, ResourceKind.DEVICE})


def has_ledger(resource: Resource) -> bool:
    """Knowledge is never exhausted: it keeps no ledger."""
    return resource.kind in _STOCK_KINDS or resource.kind in _CAPACITY_KINDS


def total(resource: Resource) -> Decimal:
    """Stock on hand (material/capital) or capacity (equipment/device): the balance when idle."""
    if resource.kind in _STOCK_KINDS:
        return Decimal(resource.quantity)
    return Decimal(resource.capacity)


def held_totals(resource_ids) -> dict[int, Decimal]:
    """Quantity held now of each resource (all processes)."""
    rows = (
        Allocation.objects.filter(resource_id__in=list(resource_ids), state=AllocationState.HELD)
        .values("resource_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["resource_id"]: row["total"] or Decimal(0) for row in rows}


def balance_of(resource: Resource, held: Decimal | None = None) -> Decimal:
    """The units of ``resource`` free now (reads the held total unless given)."""
    if held is None:
        held = held_totals([resource.pk]).get(resource.pk, Decimal(0))
    return total(resource) - held


def entry(
    resource: Resource,
    *,
    quantity: Decimal,
    balance: Decimal,
    reason: str,
    process_id: int | None = None,
    operator_id: int | None = None,
    note: str = "",
) -> LedgerEntry:
    """An unsaved entry (callers bulk-create the entries of one change together)."""
    return LedgerEntry(
        tenant_id=resource.tenant_id,
        resource_id=resource.pk,
        process_id=process_id,
        operator_id=operator_id,
        quantity=quantity,
        balance=balance,
        reason=reason,
        note=note[:255],
    )


def ledger_open(resource: Resource) -> None:
    """The opening entry of a new resource: its stock or capacity (nobody holds it yet)."""
    if not has_ledger(resource):
        return
    amount = total(resource)
    entry(resource, quantity=amount, balance=amount, reason=LedgerReason.OPENING).save()


def low_crossed(resource: Resource, before: Decimal, after: Decimal) -> bool:
    """The balance went from at or above the resource's ``minimum`` to below it."""
    minimum = getattr(resource, "minimum", None)
    return minimum is not None and before >= minimum > after


@dataclass(frozen=True)
class Mismatch:
    """A resource whose ledger does not add up to its balance."""

    tenant: str
    resource: str
    balance: Decimal
    ledger_sum: Decimal
    last_balance: Decimal | None


def ledger_mismatches(*, tenant=None) -> list[Mismatch]:
    """Resources (of ``tenant``, else all) whose ledger sum or last entry differs from the balance.

    Three queries whatever the number of resources: the resources, held totals, ledger sums
    (the last entry's balance comes from the same aggregate via the highest id per resource).
    """
    resources = Resource.objects.filter(
        Q(kind__in=list(_STOCK_KINDS)) | Q(kind__in=list(_CAPACITY_KINDS))
    ).select_related("tenant")
    if tenant is not None:
        resources = resources.filter(tenant=tenant)
    resources = list(resources)
    if not resources:
        return []
    ids = [r.pk for r in resources]
    held = held_totals(ids)
    sums: dict[int, tuple[Decimal, int | None]] = {
        row["resource_id"]: (row["total"] or Decimal(0), row["last"])
        for row in LedgerEntry.objects.filter(resource_id__in=ids)
        .values("resource_id")
        .annotate(total=Sum("quantity"), last=Max("id"))
    }
    last_ids = [last for _, last in sums.values() if last is not None]
    last_balance = dict(LedgerEntry.objects.filter(pk__in=last_ids).values_list("pk", "balance"))
    found = []
    for resource in resources:
        balance = balance_of(resource, held.get(resource.pk, Decimal(0)))
        ledger_sum, last = sums.get(resource.pk, (Decimal(0), None))
        last_value = last_balance.get(last) if last is not None else None
        if ledger_sum != balance or (last_value is not None and last_value != balance):
            found.append(
                Mismatch(resource.tenant.name, resource.name, balance, ledger_sum, last_value)
            )
    return found
