"""Incident: a rule that failed, the process it left in ERROR, and how the failure was resolved."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IncidentState(models.TextChoices):
    OPEN = "OPEN", _("unresolved")
    RETRIED = "RETRIED", _("retried")
    SKIPPED = "SKIPPED", _("skipped")


class Incident(models.Model):
    """One failed rule firing; the operator's work that fired it stays committed."""

    tenant = models.ForeignKey(
        "core.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    # The process put in ERROR (the event's process, else the rule's program).
    process = models.ForeignKey(
        "kernel.Process",
        on_delete=models.CASCADE,
        related_name="incidents",
        verbose_name=_("process"),
    )
    subject = models.ForeignKey(
        "kernel.Process", on_delete=models.CASCADE, related_name="+", verbose_name=_("subject")
    )
    program = models.ForeignKey(
        "kernel.Process", on_delete=models.CASCADE, related_name="+", verbose_name=_("program")
    )
    rule = models.ForeignKey(
        "kernel.RuleDef", on_delete=models.PROTECT, related_name="+", verbose_name=_("rule")
    )
    event = models.CharField(_("event"), max_length=40)
    occurrence = models.CharField(_("occurrence"), max_length=100)
    code = models.CharField(_("code"), max_length=40)
    reason = models.TextField(_("reason"))
    # The state the process was in before the failure (TERMINATED: nothing could be put in ERROR).
    failed_from = models.CharField(_("failed from"), max_length=12)
    # Roles that see the incident on their public task list and may resolve it.
    roles = models.JSONField(_("roles"), default=list)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    state = models.CharField(
        _("state"), max_length=10, choices=IncidentState.choices, default=IncidentState.OPEN
    )
    resolved_by = models.ForeignKey(
        "kernel.Operator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    created = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    resolved_time = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved time"))

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["tenant", "state"], name="kernel_incident_open")]

    def __str__(self) -> str:
        return f"{self.code} on process {self.process_id}"
