"""Concrete tables of the applications layer: the naming-series counters."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NamingSeries(models.Model):
    """One counter per (model, period): ``key`` is ``<app_label>.<model>:<period>``."""

    key = models.CharField(_("key"), max_length=255, unique=True)
    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("naming series")
        verbose_name_plural = _("naming series")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
