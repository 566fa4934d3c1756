"""ServiceRule: one rule of a program (service, event, instruction, operand, params)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.labels import BUILTIN_EVENT_LABELS, INSTRUCTION_LABELS, RULE_MODE_LABELS, labelled
from core.models import Identified
from design.specs.model import BUILTIN_EVENTS, RULE_MODES
from kernel.instructions import INSTRUCTIONS


class ServiceRule(Identified):
    """``position`` is the rule's place in the program's list; ``order`` is the spec's optional key."""

    tenant = models.ForeignKey(
        "core.Tenant",
        on_delete=models.CASCADE,
        related_name="design_rules",
        verbose_name=_("tenant"),
    )
    program = models.ForeignKey(
        "design.Service", on_delete=models.CASCADE, related_name="rules", verbose_name=_("program")
    )
    service = models.ForeignKey(
        "design.Service",
        on_delete=models.CASCADE,
        related_name="rules_on_service",
        verbose_name=_("service"),
    )
    event = models.ForeignKey(
        "design.Event",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rules",
        verbose_name=_("event"),
    )
    builtin_event = models.CharField(
        _("built-in event"),
        max_length=24,
        blank=True,
        choices=labelled(BUILTIN_EVENTS, BUILTIN_EVENT_LABELS),
    )
    instruction = models.CharField(
        _("instruction"), max_length=32, choices=labelled(INSTRUCTIONS, INSTRUCTION_LABELS)
    )
    operand = models.ForeignKey(
        "design.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rules_as_operand",
        verbose_name=_("operand"),
    )
    params = models.JSONField(_("params"), default=dict, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    order = models.IntegerField(_("order"), null=True, blank=True)
    mode = models.CharField(
        _("mode"),
        max_length=16,
        choices=labelled(RULE_MODES, RULE_MODE_LABELS),
        default="deterministic",
    )

    class Meta:
        verbose_name = _("service rule")
        verbose_name_plural = _("service rules")
        ordering = ["program", "position", "id"]

    @property
    def event_name(self) -> str:
        return self.builtin_event or (self.event.name if self.event_id else "")

    def __str__(self) -> str:
        return f"{self.service} {self.event_name} -> {self.instruction}"
