"""The kernel's write API: start programs and work tasks (keyword-only, typed, one transaction each)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction

from kernel.engine.compiled import compiled_revision
from kernel.engine.rules import decision_apply, fire_expression_events
from kernel.engine.run import Run, engine_saving
from kernel.engine.spawn import spawn
from kernel.engine.transitions import change, start
from kernel.errors import KernelError, KernelErrorCode
from kernel.fsm import Action, State, transition
from kernel.models import Decision, Operator, Process, RuleDef
from kernel.publish import revision_latest


def _tenant_row(tenant):
    from design.models import Tenant

    if isinstance(tenant, Tenant):
        return tenant
    row = Tenant.objects.filter(name=tenant).first()
    if row is None:
        raise KernelError(KernelErrorCode.NOT_FOUND, f"unknown tenant {tenant!r}")
    return row


def operator_roles(operator: Operator) -> frozenset[str]:
    """The operator's role names (read once per Operator instance)."""
    cached = getattr(operator, "_erpsys_roles", None)
    if cached is None:
        cached = frozenset(operator.roles.values_list("name", flat=True))
        operator._erpsys_roles = cached
    return cached


def check_permitted(*, process: Process, operator: Operator) -> None:
    """Raise not_permitted unless ``operator`` (same tenant) holds a role of the process's service."""
    if operator.tenant_id != process.tenant_id:
        raise KernelError(KernelErrorCode.TENANT_MISMATCH, "the operator belongs to another tenant")
    service = process.service
    allowed = set(service.roles if service is not None else [])
    if process.assigned_role:
        allowed.add(process.assigned_role)
    if allowed and not (allowed & operator_roles(operator)):
        raise KernelError(
            KernelErrorCode.NOT_PERMITTED,
            f"operator {operator.name} may not do {service.name if service else 'this task'}",
        )


@transaction.atomic
def process_start(
    *, tenant, program: str, entity: models.Model | None, operator: Operator | None = None
) -> Process:
    """Start ``program`` (any published service) on ``entity`` under the tenant's newest revision."""
    tenant_row = _tenant_row(tenant)
    revision = revision_latest(tenant=tenant_row)
    compiled = compiled_revision(revision.pk)
    service = compiled.services.get(program)
    if service is None:
        raise KernelError(
            KernelErrorCode.UNKNOWN_SERVICE, f"{program!r} is not a published service"
        )
    if operator is not None:
        if operator.tenant_id != tenant_row.pk:
            raise KernelError(
                KernelErrorCode.TENANT_MISMATCH, "the operator belongs to another tenant"
            )
        if service.roles and not set(service.roles) & operator_roles(operator):
            raise KernelError(
                KernelErrorCode.NOT_PERMITTED, f"operator {operator.name} may not start {program}"
            )
    entity_type_id = ContentType.objects.get_for_model(entity).pk if entity is not None else None
    return spawn(
        Run(),
        compiled=compiled,
        service=service,
        tenant_id=tenant_row.pk,
        entity_type_id=entity_type_id,
        entity_id=entity.pk if entity is not None else None,
        creator_id=operator.pk if operator is not None else None,
    )


def _working(run: Run, process: Process, operator: Operator) -> Process:
    """Lock the task, check the operator, and have it RUNNING in the operator's hands."""
    process = run.lock(process)
    check_permitted(process=process, operator=operator)
    if process.operator_id not in (None, operator.pk) and process.state == State.RUNNING:
        raise KernelError(KernelErrorCode.NOT_PERMITTED, "another operator is working on this task")
    if process.state in (State.NEW, State.READY):
        if not process.service.requires and process.service.kind != "system":
            change(run, process, Action.CLAIM, Action.START, operator=operator)
            return process
        change(run, process, Action.CLAIM, operator=operator, fire=False)
        if not start(run, process):
            raise KernelError(
                KernelErrorCode.RESOURCE_SHORT, "a required resource is not available"
            )
    return process


@transaction.atomic
def task_claim(*, process: Process, operator: Operator) -> Process:
    """The operator takes the task and starts it (READY -> RUNNING, or WAITING when a resource is short)."""
    run = Run()
    process = run.lock(process)
    check_permitted(process=process, operator=operator)
    if process.operator_id not in (None, operator.pk):
        raise KernelError(KernelErrorCode.NOT_PERMITTED, "the task is already claimed")
    change(run, process, Action.CLAIM, operator=operator, fire=False)
    start(run, process)
    return process


def _record_save(process: Process, data: dict[str, Any] | None) -> models.Model | None:
    """Create or update the task's record from ``data``; full_clean first (invalid_record on error)."""
    label = process.service.record
    if not label:
        return None
    model = apps.get_model(label)
    record = None
    if process.record_id is not None:
        record = model._default_manager.filter(pk=process.record_id).first()
    if record is None:
        record = model()
    names = {f.name: f for f in model._meta.get_fields() if getattr(f, "concrete", False)}
    if "pid" in names:
        record.pid_id = process.pk
    if (
        "master" in names
        and process.entity_id is not None
        and getattr(record, "master_id", None) is None
    ):
        record.master_id = process.entity_id
    many: dict[str, Any] = {}
    for key, value in (data or {}).items():
        field = names.get(key)
        if field is None:
            raise KernelError(
                KernelErrorCode.INVALID_RECORD, f"{model.__name__} has no field {key!r}", field=key
            )
        if field.many_to_many:
            many[key] = value
        elif field.is_relation and not isinstance(value, models.Model):
            setattr(record, field.attname, value)
        else:
            setattr(record, key, value)
    try:
        record.full_clean(exclude=["pid", "master", "number", "label", "name", "pym"])
    except ValidationError as exc:
        raise KernelError(
            KernelErrorCode.INVALID_RECORD, str(exc.message_dict), errors=exc.message_dict
        ) from exc
    with engine_saving():
        record.save()
        for key, value in many.items():
            getattr(record, key).set(value)
    return record


@transaction.atomic
def task_complete(
    *, process: Process, operator: Operator, data: dict[str, Any] | None = None
) -> Process:
    """Save the task's record from ``data`` and complete the task (claiming and starting it if needed)."""
    run = Run()
    process = run.lock(process)
    check_permitted(process=process, operator=operator)
    service = process.service
    # Fast path: an unclaimed task without resources or record goes READY -> TERMINATED in one UPDATE.
    quick = (
        process.state in (State.NEW, State.READY)
        and not service.requires
        and not service.record
        and service.kind != "system"
        and process.operator_id in (None, operator.pk)
    )
    if quick:
        return change(run, process, Action.CLAIM, Action.START, Action.COMPLETE, operator=operator)
    process = _working(run, process, operator)
    transition(process.state, Action.COMPLETE)  # illegal -> IllegalTransition before any write
    record = _record_save(process, data)
    fields: dict[str, Any] = {}
    if record is not None:
        fields = record_link_fields(process, record)
        for name, value in fields.items():
            setattr(process, name, value)
        fire_expression_events(run, process)
    change(run, process, Action.COMPLETE, **fields)
    return process


def record_link_fields(process: Process, record: models.Model) -> dict[str, Any]:
    """Columns linking the process to its record (and its scheduled time, if the record has one)."""
    fields: dict[str, Any] = {
        "record_type_id": ContentType.objects.get_for_model(type(record)).pk,
        "record_id": record.pk,
    }
    schedule = process.service.schedule_field if process.service else None
    if schedule and getattr(record, schedule, None) is not None:
        fields["scheduled_time"] = getattr(record, schedule)
    return fields


@transaction.atomic
def task_suspend(*, process: Process, operator: Operator) -> Process:
    """Put the task aside (READY/RUNNING/WAITING -> SUSPENDED); fires ``suspended``."""
    run = Run()
    process = run.lock(process)
    check_permitted(process=process, operator=operator)
    return change(run, process, Action.SUSPEND)


@transaction.atomic
def task_resume(*, process: Process, operator: Operator) -> Process:
    """Take a suspended task up again (-> READY; back to RUNNING if it was running)."""
    run = Run()
    process = run.lock(process)
    check_permitted(process=process, operator=operator)
    was = process.suspended_from
    change(run, process, Action.RESUME)
    if was == State.RUNNING:
        start(run, process)
    return process


@transaction.atomic
def task_cancel(*, process: Process, operator: Operator) -> Process:
    """Cancel the task (-> TERMINATED); releases its resources; fires no ``completed`` rules."""
    run = Run()
    process = run.lock(process)
    check_permitted(process=process, operator=operator)
    return change(run, process, Action.CANCEL)


@transaction.atomic
def task_shift(*, process: Process, operator: Operator, to_operator: Operator) -> Process:
    """Hand the task to ``to_operator`` (who must hold one of its roles); the state stays."""
    run = Run()
    process = run.lock(process)
    check_permitted(process=process, operator=operator)
    check_permitted(process=process, operator=to_operator)
    return change(run, process, Action.SHIFT, operator=to_operator)


@transaction.atomic
def decision_answer(*, decision: Decision, rule: RuleDef, operator: Operator | None) -> Decision:
    """Answer an open decision with one of its candidate rules, then run that rule."""
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.state != "OPEN":
        raise KernelError(
            KernelErrorCode.DECISION_CLOSED, f"decision {decision.pk} is already answered"
        )
    if not decision.candidates.filter(pk=rule.pk).exists():
        raise KernelError(KernelErrorCode.NOT_A_CANDIDATE, f"rule {rule.pk} is not a candidate")
    if operator is not None:
        if operator.tenant_id != decision.tenant_id:
            raise KernelError(
                KernelErrorCode.TENANT_MISMATCH, "the operator belongs to another tenant"
            )
        if decision.decided_by and not set(decision.decided_by) & operator_roles(operator):
            raise KernelError(
                KernelErrorCode.NOT_PERMITTED, f"operator {operator.name} may not decide this"
            )
    decision_apply(Run(), decision=decision, rule=rule, operator=operator)
    return decision


@transaction.atomic
def record_saved(*, record: models.Model) -> Process | None:
    """A RUNNING task's record was saved outside the kernel: link it and complete the task."""
    pid = getattr(record, "pid_id", None)
    if pid is None:
        return None
    run = Run()
    process = run.get(pid)
    service = process.service
    if (
        process.state != State.RUNNING
        or service is None
        or service.record != record._meta.label_lower
    ):
        return None
    fields = record_link_fields(process, record)
    for name, value in fields.items():
        setattr(process, name, value)
    fire_expression_events(run, process)
    return change(run, process, Action.COMPLETE, **fields)
