"""A tenant: one spec folder, one generated app, one URL prefix."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from design.models.base import MetaModel


class Tenant(MetaModel):
    name = models.SlugField(_("name"), max_length=40, unique=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)
    spec_version = models.PositiveSmallIntegerField(_("spec version"), default=1)

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        ordering = ["name"]
