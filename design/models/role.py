"""Role (design-time definition) and its ordered services; runtime roles are kernel.Role."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import MetaModel


class Role(MetaModel):
    tenant = models.ForeignKey(
        "core.Tenant",
        on_delete=models.CASCADE,
        related_name="design_roles",
        verbose_name=_("tenant"),
    )
    services = models.ManyToManyField(
        "design.Service",
        through="design.RoleService",
        related_name="granted_by_roles",
        blank=True,
        verbose_name=_("services"),
    )
    # The spec's role names this role supervises, in spec order.
    supervises = models.JSONField(_("supervises"), default=list, blank=True)
    # The spec's ``entities`` key as ``[[entity, [action, ...]], ...]`` (a list keeps its order
    # on every backend; a JSON object's keys do not on PostgreSQL).
    entities = models.JSONField(_("entity rights"), default=list, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("role definition")
        verbose_name_plural = _("role definitions")
        ordering = ["tenant", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="design_role_tenant_name")
        ]


class RoleService(models.Model):
    """A service a role may do, in the order the spec listed it."""

    tenant = models.ForeignKey(
        "core.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    role = models.ForeignKey(
        Role, on_delete=models.CASCADE, related_name="role_services", verbose_name=_("role")
    )
    service = models.ForeignKey(
        "design.Service", on_delete=models.CASCADE, related_name="+", verbose_name=_("service")
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("role service")
        verbose_name_plural = _("role services")
        ordering = ["role", "order", "id"]

    def __str__(self) -> str:
        return f"{self.role} · {self.service}"
