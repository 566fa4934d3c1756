"""Kernel reads: task lists (public / mine / entity) in a constant number of queries, and process reads."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, router
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from applications.tenancy import tenant_app_config
from core.labels import BUILTIN_EVENT_LABELS
from kernel.engine.prepared import Prepared
from kernel.errors import KernelError, KernelErrorCode
from kernel.fsm import State
from kernel.models import Decision, EventDef, Operator, Process, Revision, ServiceDef, in_tree

LIVE_STATES = (State.NEW, State.READY, State.RUNNING, State.WAITING, State.SUSPENDED, State.ERROR)


def _role_names(operator: Operator) -> frozenset[str]:
    from kernel.services import operator_roles

    return operator_roles(operator)


def _service_ids_for_roles(*, tenant_id: int, roles: frozenset[str]) -> list[int]:
    """Published services (of every revision) one of ``roles`` may do; one query."""
    rows = ServiceDef.objects.filter(revision__tenant_id=tenant_id, is_program=False).values_list(
        "pk", "roles"
    )
    return [pk for pk, service_roles in rows if set(service_roles or ()) & roles]


def waiting_overdue(process: Process, now=None) -> bool:
    """The process has waited for resources longer than its service's ``duration``.

    Waiting starts when it first found a resource short (``waiting_since``) and ends when it
    holds its resources; a live process only. Reads no row (``service`` should be loaded).
    """
    if process.waiting_since is None or process.state not in LIVE_STATES:
        return False
    service = process.service if process.service_id else None
    duration = getattr(service, "duration", None)
    if not duration:
        return False
    from django.utils import timezone

    return process.waiting_since + duration < (now or timezone.now())


def _base(tenant_id: int):
    return (
        Process.objects.filter(tenant_id=tenant_id)
        .select_related("service", "operator", "entity_type")
        .prefetch_related("entity")
        .order_by("-priority", "scheduled_time", "pid")
    )


# "Mine" shows running work first, then what waits or was put aside, then what is scheduled later.
MINE_RANK = Case(
    When(state=State.RUNNING, then=Value(0)),
    When(state__in=(State.WAITING, State.SUSPENDED, State.ERROR), then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def task_queryset(*, operator: Operator, scope: str) -> QuerySet:
    """The ``public``, ``mine`` or ``team`` task list as a queryset (count and slice it cheaply).

    ``public``: unclaimed READY tasks of the operator's roles (or assigned to one of them), by
    priority then scheduled time; it also holds RUNNING tasks escalated to one of the roles
    (nobody holds them) and processes in ERROR with an open incident the roles may resolve.
    ``mine``: the operator's live tasks, running first, then waiting/suspended/failed, then the
    rest; by priority and scheduled time within each.
    ``team``: live tasks of the roles the operator supervises, whoever holds them, ordered as
    ``mine``; empty for an operator who supervises nobody.
    """
    if scope == "public":
        roles = _role_names(operator)
        services = _service_ids_for_roles(tenant_id=operator.tenant_id, roles=roles)
        ready = (Q(service_id__in=services) | Q(assigned_role__in=list(roles))) & Q(
            state=State.READY
        )
        tasks = (ready | escalated_running(roles)) & Q(
            operator__isnull=True, service__is_program=False
        )
        incidents = incidents_for(tenant_id=operator.tenant_id, roles=roles)
        return _base(operator.tenant_id).filter(tasks | incidents)
    if scope == "mine":
        return (
            _base(operator.tenant_id)
            .filter(operator=operator, state__in=LIVE_STATES)
            .alias(rank=MINE_RANK)
            .order_by("rank", "-priority", "scheduled_time", "pid")
        )
    if scope == "team":
        return (
            _base(operator.tenant_id)
            .filter(team_tasks(operator), state__in=LIVE_STATES, service__is_program=False)
            .alias(rank=MINE_RANK)
            .order_by("rank", "-priority", "scheduled_time", "pid")
        )
    raise ValueError(f"unknown scope {scope!r}: public, mine or team")


def team_tasks(operator: Operator) -> Q:
    """Tasks of the roles the operator's roles supervise (``kernel.Role.supervises``): their
    services, or assigned (escalated) to one of them. Matches nothing for a non-supervisor."""
    from kernel.services import operator_supervises

    supervised = operator_supervises(operator)
    if not supervised:
        return Q(pk__in=[])
    services = _service_ids_for_roles(tenant_id=operator.tenant_id, roles=supervised)
    return Q(service_id__in=services) | Q(assigned_role__in=sorted(supervised))


def task_list(
    *, operator: Operator, scope: str, entity: models.Model | None = None
) -> list[Process]:
    """The operator's task list: ``public`` (unclaimed READY tasks of their roles), ``mine``,
    ``team`` (live tasks of the roles they supervise, whoever holds them), ``entity``.

    A constant number of queries whatever the length: roles (once per operator instance),
    services, the processes with their service/operator, and one per entity type shown.
    """
    if scope in ("public", "mine", "team"):
        return list(task_queryset(operator=operator, scope=scope))
    if scope == "entity":
        if entity is None:
            raise ValueError("scope 'entity' needs an entity")
        content_type = ContentType.objects.get_for_model(entity)
        query = _base(operator.tenant_id).filter(entity_type=content_type, entity_id=entity.pk)
        return sorted(query, key=lambda p: (p.state, -p.priority, p.pid))
    raise ValueError(f"unknown scope {scope!r}: public, mine, team or entity")


def escalated_running(roles: frozenset[str]) -> Q:
    """RUNNING tasks escalated to one of ``roles``: nobody holds them, they keep their resources."""
    return Q(state=State.RUNNING, assigned_role__in=list(roles))


def incidents_for(*, tenant_id: int, roles: frozenset[str]) -> Q:
    """Processes in ERROR with an open incident that ``roles`` may resolve (one query)."""
    from kernel.models import Incident, IncidentState

    rows = Incident.objects.filter(tenant_id=tenant_id, state=IncidentState.OPEN).values_list(
        "process_id", "roles"
    )
    pids = [
        pid for pid, incident_roles in rows if not incident_roles or set(incident_roles) & roles
    ]
    return Q(pk__in=pids, state=State.ERROR)


def incident_list(*, operator: Operator):
    """Open incidents the operator's roles may resolve (roles empty = any operator), newest first.

    An incident whose process was cancelled since it failed is moot and left out.
    """
    from kernel.models import Incident, IncidentState

    roles = _role_names(operator)
    rows = (
        Incident.objects.filter(tenant_id=operator.tenant_id, state=IncidentState.OPEN)
        .exclude(Q(process__state=State.TERMINATED) & ~Q(failed_from=State.TERMINATED))
        .select_related("process__service", "rule")
        .order_by("-created", "-pk")
    )
    return [i for i in rows if not i.roles or set(i.roles) & roles]


# A program tree: the root and every process whose root it is (compiled once per database).
_PROCESS_TREE = Prepared(
    Process,
    lambda root_id: in_tree(Process.objects, root_id),
    lambda root_id: (root_id,),
)


def process_tree(*, process: Process) -> list[Process]:
    """Every process of ``process``'s program tree (the root first), one query.

    Each process's ``service`` comes from the compiled revision (published services never
    change), so the query reads only the process table.
    """
    from kernel.engine.compiled import attach_compiled

    root_id = process.root_id or process.pk
    rows = sorted(_PROCESS_TREE.run(router.db_for_read(Process), root_id), key=_pid)
    for row in rows:
        attach_compiled(row)
    return rows


def _pid(process: Process) -> int:
    return process.pk


def decision_list(*, operator: Operator) -> list[Decision]:
    """Open decisions the operator's roles may answer (decided_by empty = any role of the tenant)."""
    roles = _role_names(operator)
    rows = Decision.objects.filter(tenant_id=operator.tenant_id, state="OPEN").select_related(
        "process"
    )
    return [d for d in rows if not d.decided_by or set(d.decided_by) & roles]


def entity_by_erpsys_id(*, tenant: str, erpsys_id: Any) -> models.Model:
    """The tenant's row with ``erpsys_id``, whatever its entity (two queries: a UNION, then the row)."""
    config = tenant_app_config(tenant)
    candidates = [
        model
        for model in (config.get_models() if config else [])
        if any(field.name == "erpsys_id" for field in model._meta.concrete_fields)
    ]
    if candidates:
        queries = [
            model._default_manager.filter(erpsys_id=erpsys_id)
            .order_by()
            .values_list(Value(index, output_field=IntegerField()), "pk")
            for index, model in enumerate(candidates)
        ]
        hits = (
            list(queries[0].union(*queries[1:], all=True)) if len(queries) > 1 else list(queries[0])
        )
        if hits:
            # An is_a child matches through its parent's table too: take the most derived model.
            index, pk = max(hits, key=lambda hit: len(candidates[hit[0]]._meta.get_parent_list()))
            return candidates[index]._default_manager.get(pk=pk)
    raise KernelError(KernelErrorCode.UNKNOWN_ENTITY, f"no entity with erpsys_id {erpsys_id}")


def decision_open(*, process: Process) -> Decision | None:
    """The open decision waiting on ``process`` (with its candidate rules), or None."""
    return (
        Decision.objects.filter(process=process, state="OPEN")
        .prefetch_related("candidates")
        .order_by("pk")
        .first()
    )


def shift_candidates(*, processes: list[Process]) -> dict[int, list[Operator]]:
    """pid -> the active operators of its tenant who hold one of its roles (not its operator).

    Two queries for any number of processes (the operators with their roles).
    """
    tenants = {process.tenant_id for process in processes}
    if not tenants:
        return {}
    operators = list(
        Operator.objects.filter(tenant_id__in=tenants, is_active=True)
        .prefetch_related("roles")
        .order_by("name")
    )
    roles_of = {operator.pk: {role.name for role in operator.roles.all()} for operator in operators}
    found = {}
    for process in processes:
        allowed = set(process.service.roles if process.service_id else [])
        if process.assigned_role:
            allowed.add(process.assigned_role)
        found[process.pk] = [
            operator
            for operator in operators
            if operator.tenant_id == process.tenant_id
            and operator.pk != process.operator_id
            and (not allowed or allowed & roles_of[operator.pk])
        ]
    return found


def startable_services(*, operator: Operator, serves: str | None = None) -> list[ServiceDef]:
    """The newest revision's ``manual_start`` programs and services the operator may start.

    ``serves`` (a model label such as ``clinic.customer``) keeps those that serve it.
    """
    revision = Revision.objects.filter(tenant_id=operator.tenant_id).order_by("-number").first()
    if revision is None:
        return []
    roles = _role_names(operator)
    query = ServiceDef.objects.filter(revision=revision, manual_start=True)
    if serves is not None:
        query = query.filter(serves=serves)
    return [
        service
        for service in query.order_by("pk")
        if not service.roles or set(service.roles) & roles
    ]


# How a person reads a rule's instruction when it is offered as a choice.
CHOICE_VERBS = {
    "start_service": _("Start"),
    "call_sub_service": _("Call"),
    "calling_return": _("Return"),
    "start_iteration_service": _("Start for each item"),
    "start_parallel_service": _("Start in parallel"),
    "retry_process": _("Retry"),
    "terminate_process": _("Terminate"),
    "escalate_process": _("Escalate"),
    "rollback_process": _("Roll back"),
}


def decision_choices(*, decision: Decision) -> list[dict[str, Any]]:
    """The decision's candidate rules as ``{rule, instruction, operand, label}`` (two queries)."""
    rules = sorted(decision.candidates.all(), key=lambda rule: (rule.order, rule.pk))
    labels = dict(
        ServiceDef.objects.filter(
            revision_id__in={rule.revision_id for rule in rules},
            name__in={rule.operand for rule in rules if rule.operand},
        ).values_list("name", "label")
    )
    choices = []
    for rule in rules:
        verb = str(CHOICE_VERBS.get(rule.instruction, rule.instruction))
        target = labels.get(rule.operand, rule.operand or "")
        choices.append(
            {
                "rule": rule.pk,
                "instruction": rule.instruction,
                "operand": rule.operand,
                "label": f"{verb} {target}".strip(),
            }
        )
    return choices


def event_labels(*, revision_id: int) -> dict[str, str]:
    """Event name -> label: the revision's spec events, then the kernel's own (one query)."""
    labels = {name: str(label) for name, label in BUILTIN_EVENT_LABELS.items()}
    labels.update(EventDef.objects.filter(revision_id=revision_id).values_list("name", "label"))
    return labels
