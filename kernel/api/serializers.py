"""Input and output shapes of the kernel REST API (also what the OpenAPI schema shows)."""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers

from applications.tenancy import entity_name_of
from kernel import selectors
from kernel.models import Process

# --- input ------------------------------------------------------------------------------------


class EntityRefSerializer(serializers.Serializer):
    type = serializers.CharField(max_length=100, help_text="an entity name of the tenant's app")
    id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class ProcessStartSerializer(serializers.Serializer):
    program = serializers.CharField(max_length=40)
    entity = EntityRefSerializer(required=False, allow_null=True)


class TaskShiftSerializer(serializers.Serializer):
    operator = serializers.CharField(max_length=40, help_text="the operator's name")


class TaskDecideSerializer(serializers.Serializer):
    rule = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        help_text="the id of one of the decision's choices (`decision.choices[].rule`)",
    )


class TaskListQuerySerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=["public", "mine", "team", "entity"], default="public")
    entity = serializers.UUIDField(
        required=False, help_text="the entity's erpsys_id (scope=entity)"
    )
    page = serializers.IntegerField(required=False, min_value=1, max_value=2**31)


# --- output -----------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(required=False)


class NamedSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()


class ChildSerializer(serializers.Serializer):
    pid = serializers.IntegerField()
    service = NamedSerializer(allow_null=True)
    state = serializers.CharField()


class RowRefSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField()


class RecordSerializer(RowRefSerializer):
    fields = serializers.DictField()


class ChoiceSerializer(serializers.Serializer):
    rule = serializers.IntegerField(help_text="POST it to tasks/<pid>/decide/ as `rule`")
    instruction = serializers.CharField()
    operand = serializers.CharField(allow_null=True)
    label = serializers.CharField()


class DecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event = serializers.CharField()
    decided_by = serializers.ListField(child=serializers.CharField())
    choices = ChoiceSerializer(many=True)


class ProcessSerializer(serializers.Serializer):
    """The process detail every endpoint returns (children/record/context read from the DB)."""

    pid = serializers.IntegerField()
    erpsys_id = serializers.UUIDField()
    state = serializers.CharField()
    priority = serializers.IntegerField()
    scheduled_time = serializers.DateTimeField(allow_null=True)
    start_time = serializers.DateTimeField(allow_null=True)
    end_time = serializers.DateTimeField(allow_null=True)
    service = NamedSerializer(allow_null=True)
    operator = NamedSerializer(allow_null=True)
    assigned_role = serializers.CharField()
    parent = serializers.IntegerField(allow_null=True)
    children = ChildSerializer(many=True)
    entity = RowRefSerializer(allow_null=True)
    record = RecordSerializer(allow_null=True)
    context = serializers.DictField()
    decision = DecisionSerializer(
        allow_null=True, help_text="the open decision waiting on this process, if any"
    )


class ColumnSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField(help_text="the dotted path evaluated over the process")
    visible = serializers.BooleanField()


class TaskRowSerializer(serializers.Serializer):
    pid = serializers.IntegerField()
    state = serializers.CharField()
    service = serializers.CharField(allow_null=True)
    waiting_since = serializers.DateTimeField(
        allow_null=True, help_text="when it first found a required resource short"
    )
    waiting_overdue = serializers.BooleanField(
        help_text="it has waited for resources longer than its service's duration"
    )
    values = serializers.DictField(help_text="column value path -> value")
    incident = serializers.DictField(
        required=False,
        allow_null=True,
        help_text="rows in ERROR only: the open incident {id, code, reason}",
    )


class TaskListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    view = serializers.CharField(help_text="the published view's name ('' = default columns)")
    columns = ColumnSerializer(many=True)
    results = TaskRowSerializer(many=True)


# --- rendering --------------------------------------------------------------------------------


def _named(row: Any) -> dict[str, str] | None:
    return None if row is None else {"name": row.name, "label": row.label}


def row_fields(row: models.Model) -> dict[str, Any]:
    """A row's own fields, simply: references as ids, multiple references as lists of ids."""
    data: dict[str, Any] = {}
    for field in row._meta.concrete_fields:
        if field.name.startswith("_") or (field.primary_key and field.name != "id"):
            continue
        data[field.name] = getattr(row, field.attname)
    for field in row._meta.many_to_many:
        data[field.name] = list(getattr(row, field.name).values_list("pk", flat=True))
    return data


def process_data(process: Process) -> dict[str, Any]:
    """Render a process (its service, operator and type rows already loaded or loadable)."""
    children = (
        Process.objects.filter(parent_id=process.pk).select_related("service").order_by("pid")
    )
    entity = None
    if process.entity_type_id is not None and process.entity_id is not None:
        model = process.entity_type.model_class()
        entity = {
            "type": entity_name_of(model) if model else process.entity_type.model,
            "id": process.entity_id,
        }
    record = None
    row = process.record if process.record_type_id is not None else None
    if row is not None:
        record = {"type": entity_name_of(type(row)), "id": row.pk, "fields": row_fields(row)}
    return {
        "pid": process.pk,
        "erpsys_id": process.erpsys_id,
        "state": process.state,
        "priority": process.priority,
        "scheduled_time": process.scheduled_time,
        "start_time": process.start_time,
        "end_time": process.end_time,
        "service": _named(process.service),
        "operator": _named(process.operator),
        "assigned_role": process.assigned_role,
        "parent": process.parent_id,
        "children": [
            {"pid": child.pk, "service": _named(child.service), "state": child.state}
            for child in children
        ],
        "entity": entity,
        "record": record,
        "context": process.context or {},
        "decision": _decision(process),
    }


def _decision(process: Process) -> dict[str, Any] | None:
    decision = selectors.decision_open(process=process)
    if decision is None:
        return None
    return {
        "id": decision.pk,
        "event": decision.event,
        "decided_by": list(decision.decided_by or []),
        "choices": selectors.decision_choices(decision=decision),
    }
