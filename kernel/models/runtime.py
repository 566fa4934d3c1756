"""Runtime rows around processes: fan-out groups, decision tasks and context snapshots."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FanOut(models.Model):
    """A parallel or iteration start: its items, how many children finished, which item runs next."""

    class Mode(models.TextChoices):
        PARALLEL = "parallel", _("parallel")
        ITERATION = "iteration", _("iteration")

    parent = models.ForeignKey(
        "kernel.Process", on_delete=models.CASCADE, related_name="fanouts", verbose_name=_("parent")
    )
    program = models.ForeignKey(
        "kernel.Process", on_delete=models.CASCADE, related_name="+", verbose_name=_("program")
    )
    rule = models.ForeignKey(
        "kernel.RuleDef", on_delete=models.PROTECT, related_name="+", verbose_name=_("rule")
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    operand = models.CharField(_("operand"), max_length=40)
    items = models.JSONField(_("items"), default=list)
    total = models.PositiveIntegerField(_("total"))
    done = models.PositiveIntegerField(_("done"), default=0)
    started = models.PositiveIntegerField(_("started"), default=0)
    created = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        verbose_name = _("fan-out")
        verbose_name_plural = _("fan-outs")

    def __str__(self) -> str:
        return f"{self.mode} {self.operand} {self.done}/{self.total}"


class DecisionState(models.TextChoices):
    OPEN = "OPEN", _("open")
    ANSWERED = "ANSWERED", _("answered")


class Decision(models.Model):
    """A decision task: a person (or a registered decider) chooses one of the candidate rules."""

    tenant = models.ForeignKey(
        "core.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    process = models.ForeignKey(
        "kernel.Process",
        on_delete=models.CASCADE,
        related_name="decisions",
        verbose_name=_("process"),
    )
    program = models.ForeignKey(
        "kernel.Process", on_delete=models.CASCADE, related_name="+", verbose_name=_("program")
    )
    event = models.CharField(_("event"), max_length=40)
    occurrence = models.CharField(_("occurrence"), max_length=100)
    candidates = models.ManyToManyField(
        "kernel.RuleDef", related_name="+", verbose_name=_("candidates")
    )
    decided_by = models.JSONField(_("decided by"), default=list)
    state = models.CharField(
        _("state"), max_length=10, choices=DecisionState.choices, default=DecisionState.OPEN
    )
    chosen = models.ForeignKey(
        "kernel.RuleDef",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chosen"),
    )
    answered_by = models.ForeignKey(
        "kernel.Operator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    created = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    answered_time = models.DateTimeField(null=True, blank=True, verbose_name=_("answered time"))

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["process", "event", "occurrence"], name="kernel_decision_once"
            )
        ]

    def __str__(self) -> str:
        return f"decision {self.pk} on {self.process_id}.{self.event} {self.state}"


class ContextSnapshot(models.Model):
    """A process's context document at one version; written only when its hash changes."""

    process = models.ForeignKey(
        "kernel.Process",
        on_delete=models.CASCADE,
        related_name="snapshots",
        verbose_name=_("process"),
    )
    version = models.PositiveIntegerField(_("version"))
    hash = models.CharField(_("hash"), max_length=64)
    data = models.JSONField(_("data"))
    created = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        verbose_name = _("context snapshot")
        verbose_name_plural = _("context snapshots")
        constraints = [
            models.UniqueConstraint(fields=["process", "version"], name="kernel_snapshot_version")
        ]

    def __str__(self) -> str:
        return f"{self.process_id} v{self.version}"
