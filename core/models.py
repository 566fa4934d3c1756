"""The ground floor's rows: the tenant, and the base every design-layer row carries.

Every layer may use this module; it imports nothing of the project but ``core``.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.naming import pinyin_initials


class Identified(models.Model):
    """A stable UUID that survives renames and re-loads (parts of a meta-model carry one too)."""

    erpsys_id = models.UUIDField(_("erpsys id"), default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class PinyinFollowsLabel(models.Model):
    """Abstract: a row with ``label``, ``name`` and ``pym``, whose ``pym`` (pinyin initials, for
    search) follows ``label`` on every save, ``update_fields`` saves included."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.pym = pinyin_initials(self.label)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "label" in update_fields:
            kwargs["update_fields"] = {*update_fields, "pym"}
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.label or self.name


class MetaModel(PinyinFollowsLabel, Identified):
    """Abstract base of the design layer's tables; ``pym`` follows ``label`` on every save."""

    label = models.CharField(_("label"), max_length=255)
    name = models.CharField(_("name"), max_length=40)
    pym = models.CharField(_("pinyin initials"), max_length=255, blank=True, editable=False)
    created_time = models.DateTimeField(_("created"), auto_now_add=True)
    updated_time = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Tenant(MetaModel):
    """A tenant: one spec folder, one generated app, one URL prefix."""

    name = models.SlugField(_("name"), max_length=40, unique=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)
    spec_version = models.PositiveSmallIntegerField(_("spec version"), default=1)

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        ordering = ["name"]
        # The table was created by the design app before the tenant moved here; keeping its
        # name means no database change.
        db_table = "design_tenant"
