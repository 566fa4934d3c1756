"""The tenant's catalogue of services: the rows a spec's ``to: service`` links point at."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import PinyinFollowsLabel


class Service(PinyinFollowsLabel):
    """One service a tenant offers, by name: stable across publishes (unlike ``ServiceDef``).

    Publish (``kernel.catalogue.services_sync``) upserts these rows by name; a service that
    leaves the spec keeps its row, marked inactive, because generated records may still link to
    it. Generated models link here for the built-in entity ``service``.
    """

    tenant = models.ForeignKey(
        "core.Tenant",
        on_delete=models.CASCADE,
        related_name="kernel_services",
        verbose_name=_("tenant"),
    )
    name = models.CharField(_("name"), max_length=40)
    label = models.CharField(_("label"), max_length=255)
    pym = models.CharField(_("pinyin initials"), max_length=255, blank=True, editable=False)
    erpsys_id = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, verbose_name=_("erpsys id")
    )
    price = models.DecimalField(_("price"), max_digits=20, decimal_places=6, null=True, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["tenant", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="kernel_service_tenant_name")
        ]
