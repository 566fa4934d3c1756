"""Process creation: insert a process, fire ``started``, and settle it into its first runnable state."""

from __future__ import annotations

from typing import Any

from django.db.models.base import ModelState
from django.utils import timezone

from kernel.engine import snapshots
from kernel.engine.compiled import CompiledRevision
from kernel.engine.prepared import init_receivers
from kernel.engine.run import Run
from kernel.engine.transitions import change, start
from kernel.fsm import Action, State, transition
from kernel.models import Process, ServiceDef


def _has_started_rules(
    compiled: CompiledRevision, service: ServiceDef, program: Process | None
) -> bool:
    if service.name in compiled.watched_services:
        return True  # an expression event may hold already while the process is NEW
    if service.is_program and compiled.rules_for(service.name, service.name, "started"):
        return True
    if program is not None and program.service is not None:
        return bool(compiled.rules_for(program.service.name, service.name, "started"))
    return False


def spawn(
    run: Run,
    *,
    compiled: CompiledRevision,
    service: ServiceDef,
    tenant_id: int,
    parent: Process | None = None,
    program: Process | None = None,
    caller: Process | None = None,
    previous: Process | None = None,
    entity_type_id: int | None = None,
    entity_id: int | None = None,
    operator_id: int | None = None,
    creator_id: int | None = None,
    fanout_id: int | None = None,
    context: dict[str, Any] | None = None,
    priority: int = 0,
    assigned_role: str = "",
    scheduled_time=None,
) -> Process:
    """Create a process of ``service`` and settle it (program -> RUNNING, task -> READY, system -> runs).

    Precondition: inside the run's transaction. When no ``started`` rule, resource or action
    needs the NEW row to exist, the NEW -> READY (-> RUNNING) transitions are applied before the
    single INSERT (nothing can observe the intermediate state); otherwise the row is inserted as
    NEW, ``started`` fires, then the process settles.
    """
    root_id = None
    if program is not None:
        root_id = program.root_id or program.pk
    process = _new_process(
        tenant_id=tenant_id,
        service=service,
        revision=compiled.revision,
        parent=parent,
        program=program,
        root_id=root_id,
        caller=caller,
        previous=previous,
        entity_type_id=entity_type_id,
        entity_id=entity_id,
        operator_id=operator_id,
        creator_id=creator_id,
        fanout_id=fanout_id,
        context=context or {},
        context_version=1 if context else 0,
        priority=priority,
        assigned_role=assigned_role,
        scheduled_time=scheduled_time,
    )
    eager = (
        _has_started_rules(compiled, service, program)
        or service.kind == "system"
        or bool(service.requires)
    )
    if eager:
        process.state = State.NEW.value
        if (
            service.is_program
            and service.kind != "system"
            and not service.requires
            and service.name not in compiled.watched_services
        ):
            # Nothing can observe this program as NEW (no expression event may test
            # ``process_state``), so it is settled before its INSERT and its ``started`` rules
            # run on the RUNNING row: one write instead of two.
            _settled(process, service)
        if service.requires or service.kind == "system":
            # resources are allocated and actions queued against the row: it must exist
            process.save(force_insert=True)
            run.adopt(process)
        else:
            run.insert(process)
        snapshots.snapshot_initial(process)
        from kernel.engine import rules

        rules.fire(run, process, "started", "started:0")
        rules.fire_expression_events(run, process)
        settle(run, process)
        return process
    _settled(process, service)
    run.insert(process)
    snapshots.snapshot_initial(process)
    return process


def _new_process(**values: Any) -> Process:
    """``Process(**values)``, built the way ``Model.__init__`` builds it from keywords, without
    its generic pass over every field (an operator's action creates several processes).

    Each column gets its value or its default; a related object given by name is cached on the
    instance and its key stored, as the foreign key's descriptor does. Where ``__init__`` would
    do more (``pre_init``/``post_init`` receivers), it is ``__init__`` that runs.
    """
    if init_receivers(Process):
        return Process(**values)
    process = Process.__new__(Process)
    process._state = ModelState()
    data = process.__dict__
    for field in _PROCESS_FIELDS:
        if field.attname in values:
            data[field.attname] = values.pop(field.attname)
        elif field.name in values:
            related = values.pop(field.name)
            if field.is_relation:
                data[field.attname] = (
                    None if related is None else getattr(related, field.target_field.attname)
                )
                field.set_cached_value(process, related)
            else:
                data[field.attname] = related
        else:
            data[field.attname] = field.get_default()
    if values:
        raise TypeError(f"Process has no fields {sorted(values)}")
    return process


_PROCESS_FIELDS = tuple(Process._meta.concrete_fields)


def _settled(process: Process, service: ServiceDef) -> None:
    """Apply NEW -> READY (-> RUNNING for a program) to a process not yet inserted."""
    state = transition(State.NEW, Action.SCHEDULE)
    seq = 1
    if service.is_program:
        state = transition(state, Action.START)
        seq = 2
        process.start_time = timezone.now()
    process.state = state.value
    process.seq = seq


def settle(run: Run, process: Process) -> None:
    """Move a NEW process on: schedule it, and start programs and system services."""
    if process.state != State.NEW:
        return
    change(run, process, Action.SCHEDULE)
    if process.service.is_program or process.service.kind == "system":
        start(run, process)
