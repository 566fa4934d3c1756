"""Resources a process holds while it runs (a polymorphic hierarchy) and its allocations."""

import uuid
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from polymorphic.models import PolymorphicModel

from design.specs.naming import pinyin_initials


class ResourceKind(models.TextChoices):
    MATERIAL = "material", _("material")
    EQUIPMENT = "equipment", _("equipment")
    DEVICE = "device", _("device")
    CAPITAL = "capital", _("capital")
    KNOWLEDGE = "knowledge", _("knowledge")


class Resource(PolymorphicModel):
    """A tenant's resource; the concrete subclass fixes ``kind`` and how it is allocated."""

    KIND: str = ""

    tenant = models.ForeignKey(
        "design.Tenant", on_delete=models.CASCADE, related_name="kernel_resources"
    )
    name = models.CharField(_("name"), max_length=40)
    label = models.CharField(_("label"), max_length=255)
    pym = models.CharField(_("pinyin initials"), max_length=255, blank=True, editable=False)
    erpsys_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=ResourceKind.choices, editable=False)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="kernel_resource_tenant_name")
        ]

    def save(self, *args, **kwargs):
        self.pym = pinyin_initials(self.label)
        if self.KIND:
            self.kind = self.KIND
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.label or self.name


class MaterialResource(Resource):
    """Consumed on completion: ``quantity`` is the stock on hand."""

    KIND = ResourceKind.MATERIAL

    unit = models.CharField(_("unit"), max_length=20, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=2, default=Decimal(0)
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
        "kernel.Process", on_delete=models.CASCADE, related_name="allocations"
    )
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="allocations")
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2)
    state = models.CharField(
        _("state"), max_length=10, choices=AllocationState.choices, default=AllocationState.HELD
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        indexes = [
            models.Index(fields=["resource", "state"], name="kernel_alloc_resource_state"),
            models.Index(fields=["process", "state"], name="kernel_alloc_process_state"),
        ]

    def __str__(self) -> str:
        return f"{self.process_id} {self.resource_id} {self.quantity} {self.state}"
