"""Role (design-time definition) and its ordered services; runtime roles are kernel.Role."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from design.models.base import MetaModel


class Role(MetaModel):
    tenant = models.ForeignKey(
        "design.Tenant", on_delete=models.CASCADE, related_name="design_roles"
    )
    services = models.ManyToManyField(
        "design.Service", through="design.RoleService", related_name="granted_by_roles", blank=True
    )
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

    tenant = models.ForeignKey("design.Tenant", on_delete=models.CASCADE, related_name="+")
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="role_services")
    service = models.ForeignKey("design.Service", on_delete=models.CASCADE, related_name="+")
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("role service")
        verbose_name_plural = _("role services")
        ordering = ["role", "order", "id"]
