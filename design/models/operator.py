"""Operator seed (design-time definition) and its ordered roles; runtime operators are kernel.Operator."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import MetaModel


class Operator(MetaModel):
    tenant = models.ForeignKey(
        "core.Tenant",
        on_delete=models.CASCADE,
        related_name="design_operators",
        verbose_name=_("tenant"),
    )
    roles = models.ManyToManyField(
        "design.Role",
        through="design.OperatorRole",
        related_name="seed_operators",
        blank=True,
        verbose_name=_("roles"),
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

    tenant = models.ForeignKey(
        "core.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    operator = models.ForeignKey(
        Operator,
        on_delete=models.CASCADE,
        related_name="operator_roles",
        verbose_name=_("operator"),
    )
    role = models.ForeignKey(
        "design.Role", on_delete=models.CASCADE, related_name="+", verbose_name=_("role")
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("operator role")
        verbose_name_plural = _("operator roles")
        ordering = ["operator", "order", "id"]

    def __str__(self) -> str:
        return f"{self.operator} · {self.role}"
