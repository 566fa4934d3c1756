"""Publish-time upsert of a tenant's resources from the spec, keeping current stock."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from django.db import transaction

from kernel.errors import KernelError, KernelErrorCode
from kernel.models.resource import RESOURCE_CLASSES, Allocation, Resource, ResourceKind

# Fields a republish may change on an existing resource; stock (`quantity`) is never reset.
_CONFIG_FIELDS = {
    ResourceKind.MATERIAL: ("unit", "minimum", "keepers"),
    ResourceKind.CAPITAL: ("minimum", "keepers"),
    ResourceKind.EQUIPMENT: ("capacity", "keepers"),
    ResourceKind.DEVICE: ("capacity", "keepers"),
    ResourceKind.KNOWLEDGE: ("keepers",),
}


class ResourceSpec(Protocol):
    """What the kernel reads of a resource definition (the design layer's spec dataclass fits)."""

    name: str
    label: str
    kind: str
    unit: str | None
    quantity: Any
    capacity: int | None
    minimum: Any
    keepers: list[str]


def _values(spec: ResourceSpec) -> dict[str, object]:
    """Model field values a spec gives a resource of its kind (quantity = initial stock)."""
    values: dict[str, object] = {
        "label": spec.label or spec.name,
        "keepers": list(getattr(spec, "keepers", None) or []),
    }
    if spec.kind == ResourceKind.MATERIAL:
        values["unit"] = spec.unit or ""
    if spec.kind in (ResourceKind.MATERIAL, ResourceKind.CAPITAL):
        values["quantity"] = Decimal(str(spec.quantity if spec.quantity is not None else 0))
        minimum = getattr(spec, "minimum", None)
        values["minimum"] = Decimal(str(minimum)) if minimum is not None else None
    if spec.kind in (ResourceKind.EQUIPMENT, ResourceKind.DEVICE):
        values["capacity"] = spec.capacity if spec.capacity is not None else 1
    return values


def _capacity_entry(resource: Resource, old: int) -> None:
    """A ``capacity`` ledger entry for a republished capacity (the resource row is locked)."""
    from kernel.models.resource import LedgerReason
    from kernel.resources import ledger

    change = Decimal(resource.capacity) - Decimal(old)
    ledger.entry(
        resource,
        quantity=change,
        balance=ledger.balance_of(resource),
        reason=LedgerReason.CAPACITY,
        note=f"{old} -> {resource.capacity}",
    ).save()


@transaction.atomic
def resources_sync(*, tenant, resources: list[ResourceSpec]) -> None:
    """Upsert ``tenant``'s resources by name from the spec (called by publish, in its transaction).

    New resources start with the spec's quantity as stock (an ``opening`` ledger entry);
    existing ones keep their stock and get the spec's label, unit, capacity (a ``capacity``
    ledger entry), minimum and keepers. A resource whose kind changed is replaced when it
    has never been allocated, else KernelError ``resource_kind_change`` (nothing is written).
    Resources no longer in the spec are kept: past allocations still point at them.
    """
    for spec in resources:
        if spec.kind not in RESOURCE_CLASSES:
            raise KernelError(
                KernelErrorCode.RESOURCE_INVALID,
                f"resource {spec.name!r}: unknown kind {spec.kind!r}",
            )
    existing = {r.name: r for r in Resource.objects.filter(tenant=tenant)}
    allocated = set(
        Allocation.objects.filter(resource__tenant=tenant).values_list("resource__name", flat=True)
    )
    for spec in resources:
        current = existing.get(spec.name)
        if current is not None and current.kind != spec.kind and spec.name in allocated:
            raise KernelError(
                KernelErrorCode.RESOURCE_KIND_CHANGE,
                f"resource {spec.name!r} has allocations; its kind cannot change "
                f"from {current.kind} to {spec.kind}",
            )
    for spec in resources:
        values = _values(spec)
        current = existing.get(spec.name)
        if current is not None and current.kind != spec.kind:
            current.delete()
            current = None
        if current is None:
            RESOURCE_CLASSES[spec.kind].objects.create(tenant=tenant, name=spec.name, **values)
            continue
        changed = [
            field
            for field in ("label", *_CONFIG_FIELDS[spec.kind])
            if getattr(current, field) != values[field]
        ]
        if changed:
            old_capacity = getattr(current, "capacity", None)
            if "capacity" in changed:  # allocations lock the base row: so does a new capacity
                list(
                    Resource.objects.non_polymorphic()
                    .select_for_update()
                    .filter(pk=current.pk)
                    .values_list("pk", flat=True)
                )
            for field in changed:
                setattr(current, field, values[field])
            current.save(update_fields=[*changed, "pym"] if "label" in changed else changed)
            if "capacity" in changed:
                _capacity_entry(current, old_capacity)
