"""Resources a process holds while it runs (a polymorphic hierarchy) and its allocations."""

import uuid
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from polymorphic.models import PolymorphicModel

from core.models import PinyinFollowsLabel


class ResourceKind(models.TextChoices):
    MATERIAL = "material", _("material")
    EQUIPMENT = "equipment", _("equipment")
    DEVICE = "device", _("device")
    CAPITAL = "capital", _("capital")
    KNOWLEDGE = "knowledge", _("knowledge")


class Resource(PinyinFollowsLabel, PolymorphicModel):
    """A tenant's resource; the concrete subclass fixes ``kind`` and how it is allocated."""

    KIND: str = ""

    tenant = models.ForeignKey(
        "core.Tenant",
        on_delete=models.CASCADE,
        related_name="kernel_resources",
        verbose_name=_("tenant"),
    )
    name = models.CharField(_("name"), max_length=40)
    label = models.CharField(_("label"), max_length=255)
    pym = models.CharField(_("pinyin initials"), max_length=255, blank=True, editable=False)
    erpsys_id = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, verbose_name=_("erpsys id")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ResourceKind.choices, editable=False)
    # Role names whose operators may adjust the stock (receive, count, write off); spec `keepers`.
    keepers = models.JSONField(_("stock keepers"), default=list, blank=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="kernel_resource_tenant_name")
        ]

    def save(self, *args, **kwargs):
        # pym follows label in PinyinFollowsLabel.save
        if self.KIND:
            self.kind = self.KIND
        opening = self._state.adding
        super().save(*args, **kwargs)
        if opening:
            from kernel.resources.ledger import ledger_open

            ledger_open(self)


class MaterialResource(Resource):
    """Consumed on completion: ``quantity`` is the stock on hand."""

    KIND = ResourceKind.MATERIAL

    unit = models.CharField(_("unit"), max_length=20, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=2, default=Decimal(0)
    )
    minimum = models.DecimalField(
        _("minimum"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("material resource")
        verbose_name_plural = _("material resources")


class CapitalResource(Resource):
    """Consumed like material, in money."""

    KIND = ResourceKind.CAPITAL

    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=2, default=Decimal(0)
    )
    minimum = models.DecimalField(
        _("minimum"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("capital resource")
        verbose_name_plural = _("capital resources")


class EquipmentResource(Resource):
    """Time-shared: at most ``capacity`` units are held at once; released on completion."""

    KIND = ResourceKind.EQUIPMENT

    capacity = models.PositiveIntegerField(_("capacity"), default=1)

    class Meta:
        verbose_name = _("equipment resource")
        verbose_name_plural = _("equipment resources")


class DeviceResource(Resource):
    """Lent and returned: held while running, returned on completion or cancel."""

    KIND = ResourceKind.DEVICE

    capacity = models.PositiveIntegerField(_("capacity"), default=1)

    class Meta:
        verbose_name = _("device resource")
        verbose_name_plural = _("device resources")


class KnowledgeResource(Resource):
    """Shared: never exhausted."""

    KIND = ResourceKind.KNOWLEDGE

    class Meta:
        verbose_name = _("knowledge resource")
        verbose_name_plural = _("knowledge resources")


RESOURCE_CLASSES: dict[str, type[Resource]] = {
    cls.KIND: cls
    for cls in (
        MaterialResource,
        CapitalResource,
        EquipmentResource,
        DeviceResource,
        KnowledgeResource,
    )
}


class AllocationState(models.TextChoices):
    HELD = "HELD", _("held")
    CONSUMED = "CONSUMED", _("consumed")
    RELEASED = "RELEASED", _("released")


class Allocation(models.Model):
    """A quantity of one resource held (then consumed or released) by one process."""

    process = models.ForeignKey(
        "kernel.Process",
        on_delete=models.CASCADE,
        related_name="allocations",
        verbose_name=_("process"),
    )
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("resource")
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2)
    state = models.CharField(
        _("state"), max_length=10, choices=AllocationState.choices, default=AllocationState.HELD
    )
    created = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        indexes = [
            models.Index(fields=["resource", "state"], name="kernel_alloc_resource_state"),
            models.Index(fields=["process", "state"], name="kernel_alloc_process_state"),
        ]

    def __str__(self) -> str:
        return f"{self.process_id} {self.resource_id} {self.quantity} {self.state}"


class LedgerReason(models.TextChoices):
    OPENING = "opening", _("opening balance")
    ALLOCATE = "allocate", _("held")
    RELEASE = "release", _("released")
    CONSUME = "consume", _("consumed")
    RECEIVE = "receive", _("received")
    COUNT = "count", _("stock count")
    WRITE_OFF = "write_off", _("written off")
    CAPACITY = "capacity", _("capacity changed")


class LedgerEntry(models.Model):
    """One change of a resource's balance (the units free for new processes), never edited.

    ``quantity`` is signed; ``balance`` is the balance right after this entry. Written in the
    transaction that changed the allocation or the stock, under the resource's row lock, so the
    entries of one resource are in order and their sum is its balance (kernel.E003 checks it).
    """

    tenant = models.ForeignKey(
        "core.Tenant",
        on_delete=models.CASCADE,
        related_name="kernel_ledger",
        verbose_name=_("tenant"),
    )
    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="ledger", verbose_name=_("resource")
    )
    process = models.ForeignKey(
        "kernel.Process",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("process"),
    )
    operator = models.ForeignKey(
        "kernel.Operator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("operator"),
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2)
    balance = models.DecimalField(_("balance"), max_digits=14, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=12, choices=LedgerReason.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    time = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["resource", "pk"]
        indexes = [models.Index(fields=["resource", "id"], name="kernel_ledger_resource")]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.reason} {self.quantity:+} -> {self.balance}"
