"""Published, immutable kernel definitions: a Revision and its services, rules, events and views."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.labels import (
    INSTRUCTION_LABELS,
    RULE_MODE_LABELS,
    SERVICE_KIND_LABELS,
    VIEW_KIND_LABELS,
    labelled,
)
from core.vocabulary import RULE_MODES, SERVICE_KINDS, VIEW_KINDS
from kernel.instructions import INSTRUCTIONS


class Revision(models.Model):
    """One publish of a tenant's spec; numbered 1, 2, 3 ... per tenant and never changed afterwards."""

    tenant = models.ForeignKey(
        "core.Tenant", on_delete=models.CASCADE, related_name="revisions", verbose_name=_("tenant")
    )
    number = models.PositiveIntegerField(_("number"))
    spec_hash = models.CharField(_("spec hash"), max_length=64)
    # The spec's menu as published: [{label, name, entity, view, children: [...]}].
    menu = models.JSONField(_("menu"), default=list, blank=True)
    created = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "number"], name="kernel_revision_tenant_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id} r{self.number}"


class ServiceDef(models.Model):
    """A service as published: what the engine needs to run it, without reading the design DB."""

    revision = models.ForeignKey(
        Revision, on_delete=models.CASCADE, related_name="services", verbose_name=_("revision")
    )
    name = models.CharField(_("name"), max_length=40)
    label = models.CharField(_("label"), max_length=255)
    kind = models.CharField(
        _("kind"),
        max_length=10,
        default="manual",
        choices=labelled(SERVICE_KINDS, SERVICE_KIND_LABELS),
    )
    record = models.CharField(_("record model"), max_length=100, null=True, blank=True)
    serves = models.CharField(_("serves model"), max_length=100, null=True, blank=True)
    form = models.CharField(_("form"), max_length=40, null=True, blank=True)
    roles = models.JSONField(_("roles"), default=list)
    duration = models.DurationField(_("duration"), null=True, blank=True)
    requires = models.JSONField(_("requires"), default=list)
    manual_start = models.BooleanField(_("manual start"), default=False)
    new_record = models.BooleanField(_("fresh record"), default=False)
    action = models.CharField(_("action"), max_length=100, null=True, blank=True)
    is_program = models.BooleanField(_("is program"), default=False)
    schedule_field = models.CharField(
        _("scheduled-time field"), max_length=40, null=True, blank=True
    )

    class Meta:
        verbose_name = _("service definition")
        verbose_name_plural = _("service definitions")
        constraints = [
            models.UniqueConstraint(fields=["revision", "name"], name="kernel_servicedef_rev_name")
        ]

    def __str__(self) -> str:
        return self.label


class RuleDef(models.Model):
    """A rule of a program: when ``service``'s process sees ``event``, run ``instruction``."""

    revision = models.ForeignKey(
        Revision, on_delete=models.CASCADE, related_name="rules", verbose_name=_("revision")
    )
    program = models.CharField(_("program"), max_length=40)
    service = models.CharField(_("service"), max_length=40)
    event = models.CharField(_("event"), max_length=40)
    instruction = models.CharField(
        _("instruction"), max_length=40, choices=labelled(INSTRUCTIONS, INSTRUCTION_LABELS)
    )
    operand = models.CharField(_("operand"), max_length=40, null=True, blank=True)
    params = models.JSONField(_("params"), default=dict)
    order = models.IntegerField(_("order"), default=0)
    mode = models.CharField(
        _("mode"),
        max_length=16,
        default="deterministic",
        choices=labelled(RULE_MODES, RULE_MODE_LABELS),
    )

    class Meta:
        verbose_name = _("rule definition")
        verbose_name_plural = _("rule definitions")
        ordering = ["program", "order", "pk"]

    def __str__(self) -> str:
        target = f" {self.operand}" if self.operand else ""
        return f"{self.program}: {self.service}.{self.event} -> {self.instruction}{target}"


class EventDef(models.Model):
    """A spec-defined event: an expression over the process, or a timer."""

    revision = models.ForeignKey(
        Revision, on_delete=models.CASCADE, related_name="events", verbose_name=_("revision")
    )
    name = models.CharField(_("name"), max_length=40)
    label = models.CharField(_("label"), max_length=255)
    expression = models.TextField(_("expression"), null=True, blank=True)
    timer = models.JSONField(_("timer"), null=True, blank=True)

    class Meta:
        verbose_name = _("event definition")
        verbose_name_plural = _("event definitions")
        constraints = [
            models.UniqueConstraint(fields=["revision", "name"], name="kernel_eventdef_rev_name")
        ]

    def __str__(self) -> str:
        return self.name


class ViewDef(models.Model):
    """A task-list / search / profile view: its kind and its columns (label, value path, visible)."""

    revision = models.ForeignKey(
        Revision, on_delete=models.CASCADE, related_name="views", verbose_name=_("revision")
    )
    name = models.CharField(_("name"), max_length=40)
    label = models.CharField(_("label"), max_length=255)
    for_kind = models.CharField(
        _("for"), max_length=20, choices=labelled(VIEW_KINDS, VIEW_KIND_LABELS)
    )
    columns = models.JSONField(_("columns"), default=list)

    class Meta:
        verbose_name = _("view definition")
        verbose_name_plural = _("view definitions")
        constraints = [
            models.UniqueConstraint(fields=["revision", "name"], name="kernel_viewdef_rev_name")
        ]

    def __str__(self) -> str:
        return self.name
