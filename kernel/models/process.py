"""Process: the process control block of one task, one row per running service."""

import uuid

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class ProcessState(models.TextChoices):
    NEW = "NEW", _("new")
    READY = "READY", _("ready")
    RUNNING = "RUNNING", _("running")
    WAITING = "WAITING", _("waiting")
    SUSPENDED = "SUSPENDED", _("suspended")
    TERMINATED = "TERMINATED", _("terminated")
    ERROR = "ERROR", _("error")


# The pid of the program tree a process belongs to: its root's, or its own for a root.
TREE = Coalesce("root", "pid")


def in_tree(queryset: models.QuerySet, root_id: int) -> models.QuerySet:
    """``queryset`` narrowed to the program tree rooted at ``root_id`` (the root included),
    through the ``kernel_proc_tree_state`` index."""
    return queryset.alias(tree_pid=TREE).filter(tree_pid=root_id)


class Process(models.Model):
    # The database allocates pid (an identity column): unique under any concurrency, no read-then-write.
    pid = models.BigAutoField(primary_key=True, verbose_name=_("pid"))
    # tenant, entity_type and root need no index of their own: each leads a composite index
    # (Meta.indexes), and every index is one more write for each state change.
    tenant = models.ForeignKey(
        "core.Tenant",
        on_delete=models.PROTECT,
        related_name="processes",
        db_index=False,
        verbose_name=_("tenant"),
    )
    erpsys_id = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, verbose_name=_("erpsys id")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_processes",
        verbose_name=_("previous"),
    )
    state = models.CharField(
        _("state"), max_length=12, choices=ProcessState.choices, default=ProcessState.NEW
    )
    priority = models.IntegerField(_("priority"), default=0)
    scheduled_time = models.DateTimeField(_("scheduled time"), null=True, blank=True)
    window_start = models.DateTimeField(_("window start"), null=True, blank=True)
    window_end = models.DateTimeField(_("window end"), null=True, blank=True)
    operator = models.ForeignKey(
        "kernel.Operator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_processes",
        verbose_name=_("operator"),
    )
    creator = models.ForeignKey(
        "kernel.Operator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_processes",
        db_index=False,  # never looked up by creator; one write less per state change
        verbose_name=_("creator"),
    )
    entity_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("entity type"),
    )
    entity_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("entity id"))
    entity = GenericForeignKey("entity_type", "entity_id")
    record_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        # No index: nothing looks processes up by record type, and one would tempt the planner
        # away from the tree index in the carried-record look-up (kernel.records).
        db_index=False,
        verbose_name=_("record type"),
    )
    record_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("record id"))
    record = GenericForeignKey("record_type", "record_id")
    start_time = models.DateTimeField(_("start time"), null=True, blank=True)
    end_time = models.DateTimeField(_("end time"), null=True, blank=True)
    retry_count = models.PositiveIntegerField(_("retries"), default=0)
    # Engine links (see docs/kernel.md): what runs, under which published rules, in which program.
    service = models.ForeignKey(
        "kernel.ServiceDef",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
    )
    revision = models.ForeignKey(
        "kernel.Revision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revision"),
    )
    program = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("program"),
    )
    root = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tree",
        db_index=False,
        verbose_name=_("root"),
    )
    caller = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="callees",
        verbose_name=_("caller"),
    )
    fanout = models.ForeignKey(
        "kernel.FanOut",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("fanout"),
    )
    assigned_role = models.CharField(_("assigned role"), max_length=40, blank=True, default="")
    suspended_from = models.CharField(_("suspended from"), max_length=12, blank=True, default="")
    seq = models.PositiveIntegerField(_("state changes"), default=0)
    # When it first found a required resource short; cleared once it holds its resources.
    # Waiters wake by priority, then by this time (first come, first served).
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    context = models.JSONField(_("context"), default=dict, blank=True)
    context_version = models.PositiveIntegerField(_("context version"), default=0)
    created_time = models.DateTimeField(auto_now_add=True, verbose_name=_("created time"))
    updated_time = models.DateTimeField(auto_now=True, verbose_name=_("updated time"))

    class Meta:
        verbose_name = _("process")
        verbose_name_plural = _("processes")
        indexes = [
            models.Index(fields=["tenant", "state"], name="kernel_proc_tenant_state"),
            models.Index(fields=["entity_type", "entity_id"], name="kernel_proc_entity"),
            models.Index(fields=["root", "state"], name="kernel_proc_root_state"),
            # A program tree (its root and every process under it) as one indexed value: the
            # engine's hot reads filter on it alone (``in_tree``), so the plan PostgreSQL
            # keeps for a prepared statement is an index scan even when it was made while the
            # table was still small (an OR of pid and root_id was planned as a sequential scan
            # there, and kept that plan as the table grew).
            models.Index(TREE, "state", name="kernel_proc_tree_state"),
        ]

    def __str__(self) -> str:
        return f"{self.pid} {self.state}"
