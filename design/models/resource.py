"""Resource: the design-time definition of something a service holds or consumes."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.labels import RESOURCE_KIND_LABELS, labelled
from core.models import MetaModel
from design.specs.model import RESOURCE_KINDS


class Resource(MetaModel):
    tenant = models.ForeignKey(
        "core.Tenant",
        on_delete=models.CASCADE,
        related_name="design_resources",
        verbose_name=_("tenant"),
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=labelled(RESOURCE_KINDS, RESOURCE_KIND_LABELS)
    )
    unit = models.CharField(_("unit"), max_length=32, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    minimum = models.DecimalField(
        _("minimum"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    keepers = models.JSONField(_("stock keepers"), default=list, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["tenant", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="design_resource_tenant_name")
        ]
