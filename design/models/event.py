"""Event: a spec-defined event, fired by an expression or a timer."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import MetaModel


class Event(MetaModel):
    tenant = models.ForeignKey(
        "core.Tenant",
        on_delete=models.CASCADE,
        related_name="design_events",
        verbose_name=_("tenant"),
    )
    expression = models.TextField(_("expression"), blank=True)
    timer_after = models.CharField(_("timer after"), max_length=40, blank=True)
    timer_of = models.CharField(_("timer of"), max_length=40, blank=True)
    timer_cron = models.CharField(_("timer cron"), max_length=100, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["tenant", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="design_event_tenant_name")
        ]
