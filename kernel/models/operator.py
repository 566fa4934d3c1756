"""Roles and operators: the people (and agents) of a tenant who do its services."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from design.specs.naming import pinyin_initials


class Role(models.Model):
    tenant = models.ForeignKey("design.Tenant", on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(_("name"), max_length=40)
    label = models.CharField(_("label"), max_length=255)
    pym = models.CharField(_("pinyin initials"), max_length=255, blank=True, editable=False)
    erpsys_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="kernel_role_tenant_name")
        ]

    def save(self, *args, **kwargs):
        self.pym = pinyin_initials(self.label)
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.label


class Operator(models.Model):
    """A person of one tenant; logs in as ``user`` and may do the services of ``roles``."""

    tenant = models.ForeignKey("design.Tenant", on_delete=models.CASCADE, related_name="operators")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="operator",
    )
    name = models.CharField(_("name"), max_length=40)
    label = models.CharField(_("label"), max_length=255)
    pym = models.CharField(_("pinyin initials"), max_length=255, blank=True, editable=False)
    erpsys_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    roles = models.ManyToManyField(Role, blank=True, related_name="operators")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="kernel_operator_tenant_name")
        ]

    def save(self, *args, **kwargs):
        self.pym = pinyin_initials(self.label)
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.label
