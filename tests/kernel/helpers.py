"""Small spec builders and shortcuts for the engine tests (no generated app needed)."""

from __future__ import annotations

from design.specs.model import OperatorSpec, RoleSpec, RuleSpec, ServiceSpec, Spec, TenantSpec
from kernel.models import Operator, Process


def rule(
    service: str, event: str, instruction: str, operand: str | None = None, **kwargs
) -> RuleSpec:
    """A RuleSpec in one line."""
    return RuleSpec(
        service=service, event=event, instruction=instruction, operand=operand, **kwargs
    )


def tiny_spec(
    tenant: str, *, programs: dict[str, list[RuleSpec]], tasks: list[str], system=None, events=None
) -> Spec:
    """A tenant with record-less manual ``tasks`` (role ``worker``), ``programs`` and ``system`` services."""
    services = [ServiceSpec(name=t, label=t.title(), roles=["worker"]) for t in tasks]
    for name, action in (system or {}).items():
        services.append(ServiceSpec(name=name, label=name, kind="system", action=action))
    services += [ServiceSpec(name=n, label=n.title(), rules=r) for n, r in programs.items()]
    return Spec(
        tenant=TenantSpec(name=tenant, label=tenant.title()),
        services=services,
        events=list(events or []),
        roles=[RoleSpec(name="worker", label="Worker"), RoleSpec(name="boss", label="Boss")],
        operators=[
            OperatorSpec(name="wanda", label="Wanda", roles=["worker"]),
            OperatorSpec(name="otto", label="Otto", roles=[]),
            OperatorSpec(name="bea", label="Bea", roles=["boss"]),
        ],
    )


def publish(spec: Spec):
    """Publish ``spec`` and return its revision."""
    from design.publish import revision_publish

    revision, _ = revision_publish(tenant=spec.tenant.name, spec=spec)
    return revision


def operator(tenant: str, name: str) -> Operator:
    """The published operator ``name`` of ``tenant``."""
    return Operator.objects.get(tenant__name=tenant, name=name)


def tree(process: Process) -> dict[str, list[str]]:
    """service name -> states of the processes of the program tree (pid order)."""
    from kernel.selectors import process_tree

    found: dict[str, list[str]] = {}
    for p in process_tree(process=process):
        found.setdefault(p.service.name, []).append(p.state)
    return found


def live(process: Process, service: str) -> Process:
    """The one non-terminated process of ``service`` in ``process``'s tree."""
    root = process.root_id or process.pk
    from django.db.models import Q

    return (
        Process.objects.filter(Q(root_id=root) | Q(pk=root), service__name=service)
        .exclude(state="TERMINATED")
        .get()
    )


def complete(process: Process, who: str = "wanda", tenant: str | None = None, **kwargs) -> Process:
    """Complete a task as ``who`` (on_commit callbacks must be captured by the caller if needed)."""
    from kernel import services

    tenant = tenant or process.tenant.name
    return services.task_complete(
        process=Process.objects.get(pk=process.pk), operator=operator(tenant, who), **kwargs
    )


def start(tenant: str, program: str) -> Process:
    """Start ``program`` without an entity."""
    from kernel import services

    return services.process_start(tenant=tenant, program=program, entity=None)


def states(root: Process, service: str) -> list[str]:
    """States of ``service``'s processes in ``root``'s tree, in pid order."""
    from django.db.models import Q

    rid = root.root_id or root.pk
    return list(
        Process.objects.filter(Q(root_id=rid) | Q(pk=rid), service__name=service)
        .order_by("pid")
        .values_list("state", flat=True)
    )
