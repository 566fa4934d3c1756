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
from django.db.models import Q

from kernel.models import Process


def record_model(process: Process) -> type[models.Model] | None:
    """The model of the record the process's service fills, or None (no record, not installed)."""
    label = process.service.record if process.service_id and process.service else None
    if not label:
        return None
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def carried_record(process: Process) -> models.Model | None:
    """The record of the latest earlier step of the same program tree on the same entity whose
    record is of the type ``process``'s service fills; None for a fresh record (one query).

    None when the service fills no record or asks for a fresh one (``new_record``), when the
    process serves no entity or is not part of a program, or when no earlier step saved one.
    """
    service = process.service if process.service_id else None
    model = record_model(process)
    if model is None or getattr(service, "new_record", False):
        return None
    root_id = process.root_id
    if root_id is None or process.entity_type_id is None or process.entity_id is None:
        return None
    content_type = ContentType.objects.get_for_model(model)
    earlier = (
        Process.objects.filter(Q(pk=root_id) | Q(root_id=root_id))
        .filter(
            tenant_id=process.tenant_id,
            entity_type_id=process.entity_type_id,
            entity_id=process.entity_id,
            record_type_id=content_type.pk,
            record_id__isnull=False,
            pk__lt=process.pk,
        )
        .exclude(_other_branches(process))
        .order_by("-pk")
        .values_list("record_id", flat=True)[:1]
    )
    return model._default_manager.filter(pk__in=earlier).first()


def _other_branches(process: Process) -> Q:
    """Processes of the other items of the fan-out ``process`` (or its parent) belongs to: the
    parallel threads and iteration items each fill their own record, never a sibling's."""
    other = Q(pk=None)  # matches nothing
    if process.fanout_id is not None:
        other |= Q(fanout_id=process.fanout_id) & ~Q(pk=process.pk)
    if process.parent_id is not None:
        fanout = Process.objects.filter(pk=process.parent_id).values_list("fanout_id", flat=True)
        parent_fanout = next(iter(fanout), None)
        if parent_fanout is not None:
            other |= Q(parent__fanout_id=parent_fanout) & ~Q(parent_id=process.parent_id)
            other |= Q(fanout_id=parent_fanout) & ~Q(pk=process.parent_id)
    return other


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
