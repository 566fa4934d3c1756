"""Roles and operators: the people (and agents) of a tenant who do its services."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import PinyinFollowsLabel


class Role(PinyinFollowsLabel):
    tenant = models.ForeignKey(
        "core.Tenant", on_delete=models.CASCADE, related_name="roles", verbose_name=_("tenant")
    )
    name = models.CharField(_("name"), max_length=40)
    label = models.CharField(_("label"), max_length=255)
    pym = models.CharField(_("pinyin initials"), max_length=255, blank=True, editable=False)
    erpsys_id = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, verbose_name=_("erpsys id")
    )
    # The roles whose tasks this role's operators may reassign, suspend, resume and cancel even
    # when another operator has claimed them (the spec's ``supervises``; published).
    supervises = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="supervised_by",
        blank=True,
        verbose_name=_("supervises"),
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="kernel_role_tenant_name")
        ]


class Operator(PinyinFollowsLabel):
    """A person of one tenant; logs in as ``user`` and may do the services of ``roles``."""

    tenant = models.ForeignKey(
        "core.Tenant", on_delete=models.CASCADE, related_name="operators", verbose_name=_("tenant")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="operator",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=40)
    label = models.CharField(_("label"), max_length=255)
    pym = models.CharField(_("pinyin initials"), max_length=255, blank=True, editable=False)
    erpsys_id = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, verbose_name=_("erpsys id")
    )
    roles = models.ManyToManyField(
        Role, blank=True, related_name="operators", verbose_name=_("roles")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="kernel_operator_tenant_name")
        ]
