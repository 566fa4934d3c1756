"""The kernel's write API: start programs and work tasks (keyword-only, typed, one transaction each)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction

from kernel.engine.cancel import cancel_with_descendants
from kernel.engine.compiled import compiled_revision, newest_revision
from kernel.engine.rules import decision_apply, fire_expression_events
from kernel.engine.run import Run, batched_run, engine_saving
from kernel.engine.spawn import spawn
from kernel.engine.transitions import change, start
from kernel.errors import KernelError, KernelErrorCode
from kernel.fsm import Action, State, transition
from kernel.models import Decision, Incident, Operator, Process, RuleDef
from kernel.records import carry_type_id, task_record
from kernel.resources.stock import stock_adjust  # noqa: F401 - part of the write API
from kernel.revisions import revision_latest


def _tenant_row(tenant):
    from core.models import Tenant

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


def operator_supervises(operator: Operator) -> frozenset[str]:
    """Names of the roles the operator's roles supervise (read once per Operator instance)."""
    cached = getattr(operator, "_erpsys_supervises", None)
    if cached is None:
        from kernel.models import Role

        cached = frozenset(
            Role.objects.filter(supervised_by__operators=operator).values_list("name", flat=True)
        )
        operator._erpsys_supervises = cached
    return cached


def supervises(*, process: Process, operator: Operator) -> bool:
    """Whether one of the operator's roles supervises a role of the task (same tenant only)."""
    if operator.tenant_id != process.tenant_id:
        raise KernelError(KernelErrorCode.TENANT_MISMATCH, "the operator belongs to another tenant")
    allowed = set(process.service.roles if process.service is not None else [])
    if process.assigned_role:
        allowed.add(process.assigned_role)
    return bool(allowed & operator_supervises(operator))


def check_may_manage(*, process: Process, operator: Operator) -> None:
    """Suspend, resume, cancel, shift: the task's roles apply, and a task another operator has
    claimed is his alone, unless ``operator`` supervises one of the task's roles."""
    if process.operator_id == operator.pk:  # his own task: no need to ask about supervision
        check_permitted(process=process, operator=operator)
        return
    if supervises(process=process, operator=operator):
        return
    check_permitted(process=process, operator=operator)
    if process.operator_id is not None:
        raise KernelError(
            KernelErrorCode.NOT_PERMITTED,
            f"another operator has claimed this task; only a supervisor of its roles may"
            f" reassign, suspend, resume or cancel it (operator {operator.name})",
        )


def check_entity_type(*, service: Any, entity: models.Model | None) -> None:
    """The entity must be of the model the service serves (or a kind of it): invalid_params."""
    if entity is None or not getattr(service, "serves", None):
        return
    try:
        model = apps.get_model(service.serves)
    except LookupError:  # a model that is no longer installed: nothing to compare with
        return
    if not isinstance(entity, model):
        raise KernelError(
            KernelErrorCode.INVALID_PARAMS,
            f"{service.name} serves {model._meta.model_name}, not {entity._meta.model_name}",
            errors={"entity": [f"must be a {model._meta.model_name}"]},
        )


def check_startable(*, tenant, program: str) -> None:
    """Only programs and services with ``manual_start`` may be started by a person."""
    service = compiled_revision(revision_latest(tenant=tenant).pk).services.get(program)
    if service is None:
        raise KernelError(
            KernelErrorCode.UNKNOWN_SERVICE, f"{program!r} is not a published service"
        )
    if not service.manual_start:
        raise KernelError(KernelErrorCode.NOT_STARTABLE, f"{program!r} cannot be started by hand")


@transaction.atomic
def process_start(
    *, tenant, program: str, entity: models.Model | None, operator: Operator | None = None
) -> Process:
    """Start ``program`` (any published service) on ``entity`` under the tenant's newest revision."""
    tenant_row = _tenant_row(tenant)
    compiled = newest_revision(tenant_row.pk)
    if compiled is None:
        raise KernelError(
            KernelErrorCode.NOT_PUBLISHED, f"tenant {tenant_row.name} has no published revision"
        )
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
    check_entity_type(service=service, entity=entity)
    entity_type_id = ContentType.objects.get_for_model(entity).pk if entity is not None else None
    with batched_run() as run:
        return spawn(
            run,
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
    with batched_run() as run:
        process = run.lock_tree(process)
        check_permitted(process=process, operator=operator)
        if process.operator_id not in (None, operator.pk):
            raise KernelError(KernelErrorCode.NOT_PERMITTED, "the task is already claimed")
        if process.state == State.RUNNING and process.operator_id is None:
            # escalated to a role while running: take it over with the resources it holds
            return change(run, process, Action.SHIFT, operator=operator)
        change(run, process, Action.CLAIM, operator=operator, fire=False)
        start(run, process)
        return process


# Record columns the kernel fills (the producing process, the entity served): never from a form.
KERNEL_OWNED = frozenset({"pid", "master"})

# Saves rows that hang off a just-saved record (e.g. a form's inline lines), inside the kernel's save.
RelatedSave = Callable[[models.Model], None]


@functools.cache
def _concrete_fields(model: type[models.Model]) -> dict[str, models.Field]:
    """A model's concrete fields (and many-to-many ones) by name."""
    return {f.name: f for f in model._meta.get_fields() if getattr(f, "concrete", False)}


def _record_save(
    process: Process,
    data: dict[str, Any] | None,
    related: RelatedSave | None = None,
    *,
    serialized: bool = False,
) -> models.Model | None:
    """Create or update the task's record from ``data``; full_clean first (invalid_record on error).

    ``serialized``: ``data`` is a request body (JSON types): it is validated first with the
    serializer of the record's own REST endpoint (types, choices, lengths, patterns, storable
    datetimes, ids of the tenant's rows), exactly as that endpoint would, and nothing is
    written when it fails.

    The record is the process's own, else the record of the same type an earlier step of the
    same program produced on the same entity (``kernel.records.task_record``), else a new one.

    ``related(record)`` runs right after the record is saved, still marked as the engine's save.
    """
    label = process.service.record
    if not label:
        return None
    model = apps.get_model(label)
    # Its own record, else the one an earlier step of the program carried forward (kernel.records).
    record = task_record(process)
    if record is None:
        record = model()
    names = _concrete_fields(model)
    data = dict(data or {})
    for key in data:
        field = names.get(key)
        if field is None:
            raise KernelError(
                KernelErrorCode.INVALID_RECORD,
                f"{model.__name__} has no field {key!r}",
                field=key,
                errors={key: ["no such field"]},
            )
        if key in KERNEL_OWNED or not field.editable:
            raise KernelError(
                KernelErrorCode.INVALID_RECORD,
                f"{model.__name__}.{key} is set by the platform, not by the task's form",
                field=key,
                errors={key: ["read-only: set by the platform"]},
            )
    if serialized and data:
        data = _serialized_record_data(model, record, data)
    if "pid" in names:
        record.pid_id = process.pk
    if (
        "master" in names
        and process.entity_id is not None
        and getattr(record, "master_id", None) is None
    ):
        record.master_id = process.entity_id
    many: dict[str, Any] = {}
    for key, value in data.items():
        field = names[key]
        if field.many_to_many:
            many[key] = value
        elif field.is_relation and not isinstance(value, models.Model):
            setattr(record, field.attname, value)
        else:
            setattr(record, key, value)
    try:
        # erpsys_id is a fresh uuid4 its unique index guards: no uniqueness SELECT for it.
        record.full_clean(exclude=["pid", "master", "number", "label", "name", "pym", "erpsys_id"])
    except ValidationError as exc:
        raise KernelError(
            KernelErrorCode.INVALID_RECORD, str(exc.message_dict), errors=exc.message_dict
        ) from exc
    for key, value in many.items():
        many[key] = _linked_rows(names[key], value)
    with engine_saving():
        record.save()
        for key, value in many.items():
            getattr(record, key).set(value)
        if related is not None:
            related(record)
    return record


def _serialized_record_data(
    model: type[models.Model], record: models.Model, data: dict[str, Any]
) -> dict[str, Any]:
    """``data`` validated by the record's own REST serializer: Python values, links as ids.

    Partial: fields left out keep their values (a new record's required ones are then refused
    by ``full_clean``). A field the serializer only shows (read-only) is refused as read-only.
    """
    from applications.api import serializer_for

    serializer_class = serializer_for(model)
    if serializer_class is None:
        return data
    serializer = serializer_class(
        instance=record if record.pk is not None else None, data=data, partial=True
    )
    fields = serializer.fields
    for name in KERNEL_OWNED:
        fields.pop(name, None)
    for key in data:
        if key not in fields or fields[key].read_only:
            raise KernelError(
                KernelErrorCode.INVALID_RECORD,
                f"{model.__name__}.{key} is set by the platform, not by the task's form",
                field=key,
                errors={key: ["read-only: set by the platform"]},
            )
    if not serializer.is_valid():
        errors = {
            key: [str(message) for message in messages]
            if isinstance(messages, list)
            else [str(messages)]
            for key, messages in serializer.errors.items()
        }
        raise KernelError(
            KernelErrorCode.INVALID_RECORD,
            f"invalid {model._meta.verbose_name}: {errors}",
            field=next(iter(errors), None),
            errors=errors,
        )
    clean: dict[str, Any] = {}
    for key, value in serializer.validated_data.items():
        if isinstance(value, models.Model):
            value = value.pk
        elif isinstance(value, list | tuple) and model._meta.get_field(key).many_to_many:
            value = [item.pk if isinstance(item, models.Model) else item for item in value]
        clean[key] = value
    return clean


def _linked_rows(field: models.ManyToManyField, ids: Any) -> list[models.Model]:
    """The rows a many link names by id; one the tenant may not link to counts as missing."""
    from applications.tenancy import tenant_choices, tenant_of

    wanted = list(ids) if isinstance(ids, list | tuple) else [ids]
    queryset = tenant_choices(field.related_model._default_manager.all(), tenant_of(field.model))
    try:
        rows = list(queryset.filter(pk__in=wanted))
    except (TypeError, ValueError, ValidationError):
        rows = []
    missing = set(map(str, wanted)) - {str(row.pk) for row in rows}
    if missing:
        raise KernelError(
            KernelErrorCode.INVALID_RECORD,
            f"{field.name}: no such {field.related_model._meta.verbose_name}: {sorted(missing)}",
            field=field.name,
            errors={field.name: [f"does not exist: {sorted(missing)}"]},
        )
    return rows


@transaction.atomic
def task_complete(
    *,
    process: Process,
    operator: Operator,
    data: dict[str, Any] | None = None,
    related: RelatedSave | None = None,
    serialized: bool = False,
) -> Process:
    """Save the task's record from ``data`` and complete the task (claiming and starting it if needed).

    ``serialized=True`` for a request body: ``data`` is checked with the record's own REST
    serializer inside the transaction, before anything is written (see ``_record_save``).
    """
    with batched_run() as run:
        return _task_complete(run, process, operator, data, related, serialized=serialized)


def _task_complete(
    run: Run,
    process: Process,
    operator: Operator,
    data: dict[str, Any] | None,
    related: RelatedSave | None = None,
    *,
    serialized: bool = False,
) -> Process:
    process = run.lock_tree(process, carry=carry_type_id(run.attach(process)))
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
    record = _record_save(process, data, related, serialized=serialized)
    fields: dict[str, Any] = {}
    if record is not None:
        fields = record_link_fields(process, record)
        for name, value in fields.items():
            setattr(process, name, value)
        fire_expression_events(run, process)
    change(run, process, Action.COMPLETE, **fields)
    return process


@transaction.atomic
def task_save(
    *,
    process: Process,
    operator: Operator,
    data: dict[str, Any] | None = None,
    related: RelatedSave | None = None,
) -> Process:
    """Save the task's record from ``data`` and keep working: claims and starts it, never completes.

    The record is linked to the process (and its scheduled time taken over), and expression
    events are checked, as when a record is saved; the task stays RUNNING in the operator's hands.
    """
    run = Run()
    process = _working(run, process, operator)
    if process.state != State.RUNNING:
        raise KernelError(
            KernelErrorCode.ILLEGAL_TRANSITION, f"a {process.state} task cannot be worked on"
        )
    record = _record_save(process, data, related)
    if record is not None:
        fields = record_link_fields(process, record)
        for name, value in fields.items():
            setattr(process, name, value)
        process.save(update_fields=[*fields])
        fire_expression_events(run, process)
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
    with batched_run() as run:
        process = run.lock_tree(process)
        check_may_manage(process=process, operator=operator)
        return change(run, process, Action.SUSPEND)


@transaction.atomic
def task_resume(*, process: Process, operator: Operator) -> Process:
    """Take a suspended task up again (-> READY; back to RUNNING if it was running)."""
    with batched_run() as run:
        process = run.lock_tree(process)
        check_may_manage(process=process, operator=operator)
        was = process.suspended_from
        change(run, process, Action.RESUME)
        if was == State.RUNNING:
            start(run, process)
        return process


@transaction.atomic
def task_cancel(*, process: Process, operator: Operator) -> Process:
    """Cancel the task and everything it started (-> TERMINATED); releases all their resources.

    Fires no ``completed`` rules. A program's members, called sub-programs and fan-out items
    are cancelled with it (``kernel.engine.cancel``).
    """
    run = Run()
    process = run.lock(process)
    check_may_manage(process=process, operator=operator)
    return cancel_with_descendants(run, process)


@transaction.atomic
def task_shift(*, process: Process, operator: Operator, to_operator: Operator) -> Process:
    """Hand the task to ``to_operator`` (who must hold one of its roles, or supervise one); the
    state stays. Someone else's claimed task may be handed on only by a supervisor."""
    with batched_run() as run:
        process = run.lock_tree(process)
        check_may_manage(process=process, operator=operator)
        if not supervises(process=process, operator=to_operator):  # a supervisor may take it
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
    with batched_run() as run:
        decision_apply(run, decision=decision, rule=rule, operator=operator)
    return decision


def decision_answer_for(*, process: Process, rule_id: int, operator: Operator) -> Decision:
    """Answer the open decision on ``process`` with its candidate rule ``rule_id``."""
    decision = Decision.objects.filter(process=process, state="OPEN").order_by("pk").first()
    if decision is None:
        raise KernelError(
            KernelErrorCode.DECISION_CLOSED, f"process {process.pk} awaits no decision"
        )
    rule = RuleDef.objects.filter(pk=rule_id).first()
    if rule is None:
        raise KernelError(KernelErrorCode.NOT_A_CANDIDATE, f"rule {rule_id} is not a candidate")
    return decision_answer(decision=decision, rule=rule, operator=operator)


@transaction.atomic
def record_saved(*, record: models.Model) -> Process | None:
    """A RUNNING task's record was saved outside the kernel: link it and complete the task."""
    pid = getattr(record, "pid_id", None)
    if pid is None:
        return None
    with batched_run() as run:
        return _record_saved(run, run.get(pid), record)


def _record_saved(run: Run, process: Process, record: models.Model) -> Process | None:
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


@transaction.atomic
def incident_retry(*, incident: Incident, operator: Operator) -> Incident:
    """Run the incident's failed rule again (as the newest revision has it).

    RETRIED when it works; still OPEN, with ``attempts + 1`` and the new reason, when it fails
    again (the process stays in ERROR, nothing else changes). ``incident_closed`` when it is
    resolved already, ``not_permitted`` outside the incident's roles.
    """
    from kernel.engine.incidents import rule_retry

    return rule_retry(incident=incident, operator=operator)


@transaction.atomic
def incident_skip(*, incident: Incident, operator: Operator) -> Incident:
    """Mark the incident SKIPPED: its process leaves ERROR as if the rule had not fired."""
    from kernel.engine.incidents import rule_skip

    return rule_skip(incident=incident, operator=operator)
