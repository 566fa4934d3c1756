"""Publish-time upsert of a tenant's resources from the spec, keeping current stock."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from design.specs.model import ResourceSpec
from kernel.errors import KernelError, KernelErrorCode
from kernel.models.resource import RESOURCE_CLASSES, Allocation, Resource, ResourceKind

# Fields a republish may change on an existing resource; stock (`quantity`) is never reset.
_CONFIG_FIELDS = {
    ResourceKind.MATERIAL: ("unit",),
    ResourceKind.CAPITAL: (),
    ResourceKind.EQUIPMENT: ("capacity",),
    ResourceKind.DEVICE: ("capacity",),
    ResourceKind.KNOWLEDGE: (),
}


def _values(spec: ResourceSpec) -> dict[str, object]:
    """Model field values a spec gives a resource of its kind (quantity = initial stock)."""
    values: dict[str, object] = {"label": spec.label or spec.name}
    if spec.kind == ResourceKind.MATERIAL:
        values["unit"] = spec.unit or ""
    if spec.kind in (ResourceKind.MATERIAL, ResourceKind.CAPITAL):
        values["quantity"] = Decimal(str(spec.quantity if spec.quantity is not None else 0))
    if spec.kind in (ResourceKind.EQUIPMENT, ResourceKind.DEVICE):
        values["capacity"] = spec.capacity if spec.capacity is not None else 1
    return values


@transaction.atomic
def resources_sync(*, tenant, resources: list[ResourceSpec]) -> None:
    """Upsert ``tenant``'s resources by name from the spec (called by publish, in its transaction).

    New resources start with the spec's quantity as stock; existing ones keep their stock and
    get the spec's label, unit and capacity. A resource whose kind changed is replaced when it
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
            for field in changed:
                setattr(current, field, values[field])
            current.save(update_fields=[*changed, "pym"] if "label" in changed else changed)
