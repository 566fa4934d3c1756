"""TimerFiring: one row per timer-event occurrence already fired for a process."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimerFiring(models.Model):
    """A fired occurrence of a timer event; the unique constraint makes each fire exactly once."""

    tenant = models.ForeignKey(
        "core.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    event_name = models.CharField(_("event"), max_length=40)
    process = models.ForeignKey(
        "kernel.Process",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="timer_firings",
        verbose_name=_("process"),
    )
    due_at = models.DateTimeField(_("due at"))
    fired_at = models.DateTimeField(_("fired at"), auto_now_add=True)

    class Meta:
        verbose_name = _("timer firing")
        verbose_name_plural = _("timer firings")
        constraints = [
            models.UniqueConstraint(
                fields=["event_name", "process", "due_at"], name="kernel_timerfiring_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_name} {self.process_id} {self.due_at.isoformat()}"
