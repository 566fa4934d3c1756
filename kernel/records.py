"""Which record a task fills: its own, the one an earlier step carried forward, or a fresh one.

A document flows through the steps of a program: when an earlier step of the same program tree
(the same root process, sub-programs included) on the same entity produced a record of the same
entity type, a later step's form opens and updates that record instead of starting a blank one.
A service published with ``new_record`` (spec key ``new_record: true``) always starts a fresh
record. The task form (workbench) and the REST ``complete`` both go through ``task_record``.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, Subquery
from django.db.models.functions import Coalesce

from kernel.models import Process, in_tree


def record_model(process: Process) -> type[models.Model] | None:
    """The model of the record the process's service fills, or None (no record, not installed)."""
    label = process.service.record if process.service_id and process.service else None
    if not label:
        return None
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


# Set by ``Run.lock_tree(process, carry=...)`` on the locked task: the id of the record an earlier
# step carries to it (None: none), read in the lock's own statement.
CARRIED = "_carried_record_id"


def carry_type_id(process: Process) -> int | None:
    """The content type of the record an earlier step could carry to ``process``; None when no
    record can be carried (no record, ``new_record``, no entity, not part of a program)."""
    service = process.service if process.service_id else None
    model = record_model(process)
    if model is None or getattr(service, "new_record", False):
        return None
    if process.root_id is None or process.entity_type_id is None or process.entity_id is None:
        return None
    return ContentType.objects.get_for_model(model).pk


def earlier_record_ids(process: Process, record_type_id: int) -> models.QuerySet:
    """The record id of the latest earlier step of ``process``'s program tree on the same entity
    whose record is of type ``record_type_id``, outside the other fan-out branches (at most one).

    One shape for every process (a missing fan-out or parent is the id 0, which no row has), so
    the engine can compile it once into the statement that locks the task (``Run.lock_tree``).
    """
    root_id = process.root_id
    fanout_id = process.fanout_id or 0
    parent_id = process.parent_id or 0
    # The parallel threads and iteration items of the fan-out ``process`` (or its parent)
    # belongs to each fill their own record, never a sibling's. The parent's fan-out is one
    # value (0 when it has none): a scalar sub-select, computed once per statement.
    parent_fanout = Coalesce(
        Subquery(
            Process.objects.filter(pk=parent_id, fanout_id__isnull=False).values("fanout_id")[:1]
        ),
        0,
    )
    siblings = (
        (Q(fanout_id=fanout_id) & ~Q(pk=process.pk))
        | (Q(parent__fanout_id=parent_fanout) & ~Q(parent_id=parent_id))
        | (Q(fanout_id=parent_fanout) & ~Q(pk=parent_id))
    )
    # The tree is the statement's one indexed condition (``kernel_proc_tree_state``): the plan
    # PostgreSQL keeps for the prepared lock was once made without statistics, and it then chose
    # the tenant's index and read every process of the tenant. So the entity is compared as an
    # expression no index covers, and the tenant (one per tree) is not compared at all.
    return (
        in_tree(Process.objects, root_id)
        .alias(
            served_type=Coalesce("entity_type_id", 0),
            served_id=Coalesce("entity_id", 0),
        )
        .filter(
            served_type=process.entity_type_id,
            served_id=process.entity_id,
            record_type_id=record_type_id,
            record_id__isnull=False,
            pk__lt=process.pk,
        )
        .exclude(siblings)
        .order_by("-pk")
        .values("record_id")[:1]
    )


def carried_record(process: Process) -> models.Model | None:
    """The record of the latest earlier step of the same program tree on the same entity whose
    record is of the type ``process``'s service fills; None for a fresh record.

    None when the service fills no record or asks for a fresh one (``new_record``), when the
    process serves no entity or is not part of a program, or when no earlier step saved one.
    One statement; none when the lock that took the task already answered (``CARRIED``).
    """
    record_type_id = carry_type_id(process)
    if record_type_id is None:
        return None
    model = record_model(process)
    if hasattr(process, CARRIED):
        record_id = getattr(process, CARRIED)
        if record_id is None:
            return None
        return model._default_manager.filter(pk=record_id).first()
    return model._default_manager.filter(pk__in=earlier_record_ids(process, record_type_id)).first()


def task_record(process: Process) -> models.Model | None:
    """The record the task's form edits: the one linked to the process, else the one carried
    forward from an earlier step (``carried_record``), else None (a new record)."""
    model = record_model(process)
    if model is None:
        return None
    if process.record_id is not None and process.record_type_id is not None:
        own = model._default_manager.filter(pk=process.record_id).first()
        if own is not None:
            return own
    return carried_record(process)
