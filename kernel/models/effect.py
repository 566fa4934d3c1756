"""Effect: one row per side effect already done, keyed for exactly-once execution."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Effect(models.Model):
    """An idempotency key such as ``rule:<rule_id>:proc:<pid>:occ:<occurrence>``; unique."""

    key = models.CharField(_("key"), max_length=255, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("effect")
        verbose_name_plural = _("effects")

    def __str__(self) -> str:
        return self.key
