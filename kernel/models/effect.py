"""Effect: one row per side effect already done, keyed for exactly-once execution."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Effect(models.Model):
    """An idempotency key such as ``rule:<rule_id>:proc:<pid>:occ:<occurrence>``; unique."""

    key = models.CharField(_("key"), max_length=255, unique=True)
    created = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        verbose_name = _("effect")
        verbose_name_plural = _("effects")

    def __str__(self) -> str:
        return self.key


class PendingInstruction(models.Model):
    """An asynchronous instruction queued but not yet performed (the transactional outbox).

    Written in the transaction that queues the Celery task and deleted in the transaction that
    performs it, so a message lost between commit and broker is still on record and the
    periodic sweep can send it again; the Effect key keeps the extra delivery harmless.
    """

    key = models.CharField(_("key"), max_length=255, unique=True)
    kwargs = models.JSONField(_("task arguments"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    created = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created"))

    class Meta:
        verbose_name = _("pending instruction")
        verbose_name_plural = _("pending instructions")

    def __str__(self) -> str:
        return self.key
