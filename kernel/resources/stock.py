"""Stock adjustments by an operator: receiving, counting and writing off, through the ledger."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.dispatch import Signal

from kernel.errors import KernelError, KernelErrorCode
from kernel.models import LedgerEntry, Operator, Resource, ResourceKind
from kernel.models.resource import LedgerReason
from kernel.resources import ledger

ADJUST_REASONS = (LedgerReason.RECEIVE, LedgerReason.COUNT, LedgerReason.WRITE_OFF)
_STOCKED = (ResourceKind.MATERIAL, ResourceKind.CAPITAL)
_MAX = Decimal("999999999999.99")  # what the quantity column (14 digits, 2 places) holds

# Sent (inside the transaction) when a resource's balance falls below its ``minimum``:
# kwargs resource, balance, process (or None), operator (or None). Rules on the built-in
# event ``low_stock`` run too when a process caused it (see kernel.engine.joins).
low_stock = Signal()


def may_adjust(*, operator: Operator, resource: Resource) -> bool:
    """Whether ``operator`` may adjust ``resource``: an active operator of its tenant holding
    one of the resource's ``keepers`` roles (or a superuser's operator)."""
    if not operator.is_active or operator.tenant_id != resource.tenant_id:
        return False
    user = getattr(operator, "user", None)
    if user is not None and user.is_superuser:
        return True
    keepers = set(resource.keepers or [])
    return bool(keepers) and operator.roles.filter(name__in=keepers).exists()


def _amount(value, what: str) -> Decimal:
    """A non-negative decimal with at most 2 places that fits the column, else a coded error."""
    if isinstance(value, bool):
        value = None
    try:
        amount = Decimal(str(value)) if value is not None else None
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise KernelError(KernelErrorCode.INVALID_PARAMS, f"{what} must be a number, got {value!r}")
    if amount < 0 or amount > _MAX:
        raise KernelError(
            KernelErrorCode.INVALID_PARAMS, f"{what} must be between 0 and {_MAX}, got {value}"
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise KernelError(
            KernelErrorCode.INVALID_PARAMS, f"{what} has more than 2 decimal places: {value}"
        )
    return amount


def stock_adjust(
    *,
    resource: Resource | int,
    operator: Operator,
    reason: str,
    quantity=None,
    counted=None,
    note: str = "",
) -> LedgerEntry:
    """Receive (``quantity`` more), write off (``quantity`` less) or count (stock is ``counted``).

    Only material and capital have stock. The operator must be allowed (``may_adjust``:
    a ``keepers`` role), else ``not_permitted``. Writing off more than is free, or counting less
    than running processes hold, is ``resource_short``. Bad numbers are ``invalid_params``.
    On any error nothing is written. Returns the ledger entry (``count`` may write a 0 entry:
    the count confirmed the stock). ``low_stock`` is sent when the balance falls below the
    resource's ``minimum``.
    """
    if reason not in ADJUST_REASONS:
        raise KernelError(
            KernelErrorCode.INVALID_PARAMS,
            f"reason must be one of {', '.join(ADJUST_REASONS)}, got {reason!r}",
        )
    pk = resource.pk if isinstance(resource, Resource) else resource
    with transaction.atomic():
        locked = list(
            Resource.objects.non_polymorphic().select_for_update().filter(pk=pk).values("pk")
        )
        current = Resource.objects.filter(pk=pk).first() if locked else None
        if current is None:
            raise KernelError(KernelErrorCode.NOT_FOUND, f"no resource {pk}")
        if current.tenant_id != operator.tenant_id:
            raise KernelError(KernelErrorCode.TENANT_MISMATCH, "the resource is another tenant's")
        if current.kind not in _STOCKED:
            raise KernelError(
                KernelErrorCode.RESOURCE_INVALID,
                f"resource {current.name!r} is {current.kind}: only material and capital have stock",
            )
        if not may_adjust(operator=operator, resource=current):
            raise KernelError(
                KernelErrorCode.NOT_PERMITTED,
                f"operator {operator.name!r} is not a stock keeper of {current.name!r}",
            )
        held = ledger.held_totals([current.pk]).get(current.pk, Decimal(0))
        before = ledger.balance_of(current, held)
        if reason == LedgerReason.COUNT:
            target = _amount(counted, "counted")
            if target < held:
                raise KernelError(
                    KernelErrorCode.RESOURCE_SHORT,
                    f"counted {target} but running processes hold {held} of {current.name!r}",
                )
            change = target - current.quantity
        else:
            amount = _amount(quantity, "quantity")
            if amount == 0:
                raise KernelError(KernelErrorCode.INVALID_PARAMS, "quantity must be positive")
            change = amount if reason == LedgerReason.RECEIVE else -amount
            if before + change < 0:
                raise KernelError(
                    KernelErrorCode.RESOURCE_SHORT,
                    f"only {before} of {current.name!r} is free to write off",
                )
            if current.quantity + change > _MAX:
                raise KernelError(KernelErrorCode.INVALID_PARAMS, "the stock would be too large")
        current.quantity += change
        type(current).objects.filter(pk=current.pk).update(quantity=current.quantity)
        after = before + change
        row = ledger.entry(
            current,
            quantity=change,
            balance=after,
            reason=reason,
            operator_id=operator.pk,
            note=str(note or ""),
        )
        row.save()
        if ledger.low_crossed(current, before, after):
            low_stock.send(
                sender=Resource, resource=current, balance=after, process=None, operator=operator
            )
        return row
