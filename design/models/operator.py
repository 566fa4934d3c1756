"""Operator seed (design-time definition) and its ordered roles; runtime operators are kernel.Operator."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from design.models.base import MetaModel


class Operator(MetaModel):
    tenant = models.ForeignKey(
        "design.Tenant", on_delete=models.CASCADE, related_name="design_operators"
    )
    roles = models.ManyToManyField(
        "design.Role", through="design.OperatorRole", related_name="seed_operators", blank=True
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("operator seed")
        verbose_name_plural = _("operator seeds")
        ordering = ["tenant", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="design_operator_tenant_name")
        ]


class OperatorRole(models.Model):
    """A role of a seeded operator, in spec order."""

    tenant = models.ForeignKey("design.Tenant", on_delete=models.CASCADE, related_name="+")
    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="operator_roles")
    role = models.ForeignKey("design.Role", on_delete=models.CASCADE, related_name="+")
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("operator role")
        verbose_name_plural = _("operator roles")
        ordering = ["operator", "order", "id"]
