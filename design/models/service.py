"""Service: a business task (or, with rules, a program), its roles and its resource requirements."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.labels import BUILTIN_ENTITY_LABELS, SERVICE_KIND_LABELS, labelled
from core.models import Identified, MetaModel
from design.specs.model import BUILTIN_ENTITIES, SERVICE_KINDS


class Service(MetaModel):
    tenant = models.ForeignKey(
        "core.Tenant",
        on_delete=models.CASCADE,
        related_name="design_services",
        verbose_name=_("tenant"),
    )
    kind = models.CharField(
        _("kind"),
        max_length=8,
        choices=labelled(SERVICE_KINDS, SERVICE_KIND_LABELS),
        default="manual",
    )
    record = models.ForeignKey(
        "design.DataItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recorded_by_services",
        verbose_name=_("record"),
    )
    serves = models.ForeignKey(
        "design.DataItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="served_by_services",
        verbose_name=_("serves"),
    )
    serves_builtin = models.CharField(
        _("serves built-in"),
        max_length=16,
        blank=True,
        choices=labelled(BUILTIN_ENTITIES, BUILTIN_ENTITY_LABELS),
    )
    form = models.ForeignKey(
        "design.Form",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("form"),
    )
    roles = models.ManyToManyField(
        "design.Role",
        through="design.ServiceRole",
        related_name="allowed_services",
        blank=True,
        verbose_name=_("roles"),
    )
    price = models.DecimalField(_("price"), max_digits=20, decimal_places=6, null=True, blank=True)
    duration = models.CharField(_("duration"), max_length=40, blank=True)
    manual_start = models.BooleanField(_("manual start"), default=False)
    new_record = models.BooleanField(
        _("fresh record"),
        default=False,
        help_text=_("Each run fills a new record instead of the one an earlier step produced."),
    )
    action = models.CharField(_("action"), max_length=100, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["tenant", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="design_service_tenant_name")
        ]


class ServiceRole(models.Model):
    """A role allowed to do a service, in the order the service listed it."""

    tenant = models.ForeignKey(
        "core.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="service_roles", verbose_name=_("service")
    )
    role = models.ForeignKey(
        "design.Role", on_delete=models.CASCADE, related_name="+", verbose_name=_("role")
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("service role")
        verbose_name_plural = _("service roles")
        ordering = ["service", "order", "id"]

    def __str__(self) -> str:
        return f"{self.service} · {self.role}"


class ServiceRequirement(Identified):
    """A resource a service holds (or consumes) while its process runs."""

    tenant = models.ForeignKey(
        "core.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="requirements", verbose_name=_("service")
    )
    resource = models.ForeignKey(
        "design.Resource",
        on_delete=models.CASCADE,
        related_name="required_by",
        verbose_name=_("resource"),
    )
    quantity = models.DecimalField(_("quantity"), max_digits=20, decimal_places=6, default=1)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("service requirement")
        verbose_name_plural = _("service requirements")
        ordering = ["service", "order", "id"]

    def __str__(self) -> str:
        return f"{self.resource} x {self.quantity}"
