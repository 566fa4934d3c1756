"""Publish-time upsert of a tenant's service catalogue (``kernel.Service``) from the spec."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from django.db import transaction

from kernel.errors import KernelError, KernelErrorCode
from kernel.models import Service

_FIELDS = ("label", "price", "order", "is_active")


class ServiceSpec(Protocol):
    """What the catalogue reads of a service definition (the design layer's spec dataclass fits)."""

    name: str
    label: str
    price: Any


def _price(spec: ServiceSpec) -> Decimal | None:
    if spec.price is None or spec.price == "":
        return None
    try:
        return Decimal(str(spec.price))
    except InvalidOperation:
        raise KernelError(
            KernelErrorCode.SERVICE_INVALID,
            f"service {spec.name!r}: price {spec.price!r} is not a number",
        ) from None


@transaction.atomic
def services_sync(*, tenant, services: list[ServiceSpec]) -> dict[str, Service]:
    """Upsert ``tenant``'s catalogue by name from the spec (called by publish, in its transaction).

    New services get a row; existing rows keep their id (links of generated records stay valid)
    and take the spec's label, price and position. A row whose service left the spec is kept
    and marked inactive; it becomes active again when the service comes back. Returns the rows
    of the spec's services by name.
    """
    wanted = {}
    for position, spec in enumerate(services):
        wanted[spec.name] = {
            "label": spec.label or spec.name,
            "price": _price(spec),
            "order": position,
            "is_active": True,
        }
    rows = {}
    for row in Service.objects.select_for_update().filter(tenant=tenant):
        values = wanted.get(row.name, {"is_active": False})
        changed = [f for f, v in values.items() if getattr(row, f) != v]
        if changed:
            for field in changed:
                setattr(row, field, values[field])
            row.save(update_fields=changed)
        if row.name in wanted:
            rows[row.name] = row
    for name, values in wanted.items():
        if name not in rows:
            rows[name] = Service.objects.create(tenant=tenant, name=name, **values)
    return rows
