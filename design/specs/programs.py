"""Semantic pass over services, program rules, events, roles, operators and resources."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.durations import parse_duration
from design.specs.entities import Domain
from design.specs.errors import SpecErrorCode
from design.specs.expressions import PROCESS_NAMES, check_expression
from design.specs.loader import PathKey
from design.specs.model import (
    BUILTIN_EVENTS,
    RequirementSpec,
    RuleSpec,
    ServiceSpec,
)
from design.specs.names import Checker, Named, Namespace, name_elements
from design.specs.shape import did_you_mean
from kernel.instructions import INSTRUCTIONS

NEEDS_OPERAND = frozenset(
    {"start_service", "call_sub_service", "start_iteration_service", "start_parallel_service"}
)
PARAMS = {
    "start_service": ("operator",),
    "call_sub_service": (),
    "calling_return": ("returns",),
    "start_iteration_service": ("iterations", "over"),
    "start_parallel_service": ("threads", "operators", "roles"),
    "retry_process": ("max_retries", "backoff"),
    "terminate_process": ("scope",),
    "escalate_process": ("to", "priority"),
    "rollback_process": ("to",),
}
SECTIONS = ("services", "events", "roles", "operators", "resources")


@dataclass
class Programs:
    """Namespaces of the process side of a spec and the specs built from it."""

    services_ns: Namespace = field(default_factory=lambda: Namespace("service"))
    events_ns: Namespace = field(
        default_factory=lambda: Namespace("event", builtins=BUILTIN_EVENTS)
    )
    roles_ns: Namespace = field(default_factory=lambda: Namespace("role"))
    operators_ns: Namespace = field(default_factory=lambda: Namespace("operator"))
    resources_ns: Namespace = field(default_factory=lambda: Namespace("resource"))
    named: dict[str, list[Named]] = field(default_factory=dict)
    services: dict[str, ServiceSpec] = field(default_factory=dict)

    def namespace(self, section: str) -> Namespace:
        return getattr(self, f"{section}_ns")


def is_positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def name_programs(checker: Checker, data: dict[str, Any]) -> Programs:
    """Name every service, event, role, operator and resource (so references can resolve both ways)."""
    programs = Programs()
    for section in SECTIONS:
        forbidden = BUILTIN_EVENTS if section == "events" else ()
        named = name_elements(
            checker,
            data.get(section, []),
            (section,),
            programs.namespace(section),
            forbidden=forbidden,
        )
        programs.named[section] = [n for n in named if n is not None]
    return programs


def check_duration(checker: Checker, value: Any, path: PathKey) -> None:
    try:
        parse_duration(value)
    except ValueError as exc:
        checker.error(path, str(exc), SpecErrorCode.INVALID_DURATION)


def resolve_list(checker: Checker, namespace: Namespace, refs: Any, path: PathKey) -> list[str]:
    if not isinstance(refs, list):
        checker.error(path, "expected a list", SpecErrorCode.SCHEMA)
        return []
    resolved = [namespace.resolve(checker, ref, (*path, i)) for i, ref in enumerate(refs)]
    return [name for name in resolved if name is not None]


def check_services(checker: Checker, programs: Programs, domain: Domain) -> list[ServiceSpec]:
    """Build every ServiceSpec (then its rules, once all services and records are known)."""
    entities = domain.entities_ns
    for named in programs.named["services"]:
        data, path = named.data, named.path
        service = ServiceSpec(
            name=named.name,
            label=named.label,
            kind=data.get("kind", "manual"),
            price=data.get("price"),
            duration=data.get("duration"),
            manual_start=bool(data.get("manual_start", False)),
            new_record=bool(data.get("new_record", False)),
            action=data.get("action"),
        )
        for key in ("record", "serves"):
            if key in data:
                setattr(
                    service, key, entities.resolve(checker, data[key], (*path, key), builtins=False)
                )
        if service.record and domain.entities[service.record].kind != "record":
            kind = domain.entities[service.record].kind
            checker.error(
                (*path, "record"),
                f"{service.record!r} is a {kind} entity, not a record",
                SpecErrorCode.INVALID_VALUE,
            )
        if "form" in data:
            service.form = domain.forms_ns.resolve(checker, data["form"], (*path, "form"))
            form = domain.forms.get(service.form or "")
            if (
                form is not None
                and service.record
                and form.entity
                and form.entity != service.record
            ):
                message = f"form {form.name!r} is for {form.entity!r}, but the service's record is {service.record!r}"
                checker.error((*path, "form"), message, SpecErrorCode.INVALID_VALUE)
        service.roles = resolve_list(
            checker, programs.roles_ns, data.get("roles", []), (*path, "roles")
        )
        if "duration" in data:
            check_duration(checker, data["duration"], (*path, "duration"))
        for index, item in enumerate(data.get("requires", [])):
            resource = programs.resources_ns.resolve(
                checker, item["resource"], (*path, "requires", index, "resource")
            )
            if resource is not None:
                service.requires.append(
                    RequirementSpec(resource=resource, quantity=item.get("quantity", 1))
                )
        if data.get("new_record") and not service.record:
            checker.error(
                (*path, "new_record"),
                "new_record needs a `record` (the service fills no record)",
                SpecErrorCode.INVALID_VALUE,
                key=True,
            )
        if "action" in data and service.kind != "system":
            checker.error(
                (*path, "action"),
                "only system services have an action",
                SpecErrorCode.INVALID_VALUE,
                key=True,
            )
        programs.services[named.name] = service
    for named in programs.named["services"]:
        if named.data.get("rules"):
            _check_rules(checker, programs, domain, named)
    return list(programs.services.values())


def _check_rules(checker: Checker, programs: Programs, domain: Domain, named: Named) -> None:
    program = programs.services[named.name]
    rules = named.data["rules"]
    base = (*named.path, "rules")
    operands: list[str | None] = []
    for index, rule in enumerate(rules):
        operand = None
        if "operand" in rule:
            operand = programs.services_ns.resolve(
                checker, rule["operand"], (*base, index, "operand")
            )
        operands.append(operand)
    reachable = {program.name, *(o for o in operands if o)}
    for index, rule in enumerate(rules):
        path = (*base, index)
        service = programs.services_ns.resolve(checker, rule["service"], (*path, "service"))
        if service is not None and service not in reachable:
            message = f"rule service {service!r} is neither the program {program.name!r} nor a service its rules start"
            checker.error((*path, "service"), message, SpecErrorCode.INVALID_VALUE)
        event = programs.events_ns.resolve(checker, rule["event"], (*path, "event"))
        instruction = rule["instruction"]
        if instruction not in INSTRUCTIONS:
            hint = did_you_mean(instruction, INSTRUCTIONS)
            checker.error(
                (*path, "instruction"),
                f"unknown instruction {instruction!r}{hint}",
                SpecErrorCode.INVALID_INSTRUCTION,
            )
        elif instruction in NEEDS_OPERAND and "operand" not in rule:
            checker.error(
                path,
                f"{instruction} needs an `operand` (the service it starts)",
                SpecErrorCode.MISSING,
            )
        elif instruction not in NEEDS_OPERAND and "operand" in rule:
            checker.error(
                (*path, "operand"),
                f"{instruction} takes no operand",
                SpecErrorCode.INVALID_PARAMS,
                key=True,
            )
        mode = rule.get("mode", "deterministic")
        params = _check_params(checker, programs, domain, rule, path, instruction, mode, service)
        if None in (service, event) or instruction not in INSTRUCTIONS:
            continue
        program.rules.append(
            RuleSpec(
                service=service,
                event=event,
                instruction=instruction,
                operand=operands[index],
                params=params,
                order=rule.get("order"),
                mode=mode,
            )
        )


def _check_params(
    checker: Checker,
    programs: Programs,
    domain: Domain,
    rule: dict[str, Any],
    path: PathKey,
    instruction: str,
    mode: str,
    service: str | None,
) -> dict[str, Any]:
    """Check ``rule.params`` against the instruction's table; return them with references resolved."""
    params = dict(rule.get("params") or {})
    ppath = (*path, "params")
    allowed = (*PARAMS.get(instruction, ()), *(("decided_by",) if mode == "decision" else ()))
    for key in list(params):
        if key not in allowed and instruction in PARAMS:
            hint = did_you_mean(key, allowed) or (
                f" (allowed: {', '.join(allowed)})" if allowed else " (it takes none)"
            )
            checker.error(
                (*ppath, key),
                f"{instruction} has no parameter {key!r}{hint}",
                SpecErrorCode.INVALID_PARAMS,
                key=True,
            )
            del params[key]
    if mode == "decision":
        if not params.get("decided_by"):
            checker.error(
                path, "mode: decision needs params.decided_by (roles)", SpecErrorCode.MISSING
            )
        else:
            params["decided_by"] = resolve_list(
                checker, programs.roles_ns, params["decided_by"], (*ppath, "decided_by")
            )
    if "operator" in params and params["operator"] not in ("same", "any"):
        params["operator"] = programs.roles_ns.resolve(
            checker, params["operator"], (*ppath, "operator")
        )
    if instruction == "start_iteration_service":
        if ("iterations" in params) == ("over" in params):
            checker.error(
                ppath if "params" in rule else path,
                "give exactly one of `iterations` and `over`",
                SpecErrorCode.INVALID_PARAMS,
            )
        if "iterations" in params and not is_positive_int(params["iterations"]):
            checker.error(
                (*ppath, "iterations"),
                "iterations must be a positive integer",
                SpecErrorCode.INVALID_PARAMS,
            )
        if isinstance(params.get("over"), str):
            check_expression(checker, params["over"], (*ppath, "over"), PROCESS_NAMES, "expression")
    if "threads" in params and not is_positive_int(params["threads"]):
        checker.error(
            (*ppath, "threads"), "threads must be a positive integer", SpecErrorCode.INVALID_PARAMS
        )
    if instruction == "start_parallel_service":
        for key, namespace in (("operators", programs.operators_ns), ("roles", programs.roles_ns)):
            if key in params:
                params[key] = resolve_list(checker, namespace, params[key], (*ppath, key))
    if "max_retries" in params and not (
        is_int(params["max_retries"]) and params["max_retries"] >= 0
    ):
        checker.error(
            (*ppath, "max_retries"),
            "max_retries must be a non-negative integer",
            SpecErrorCode.INVALID_PARAMS,
        )
    if "backoff" in params:
        check_duration(checker, params["backoff"], (*ppath, "backoff"))
    if "scope" in params and params["scope"] not in ("self", "tree"):
        checker.error(
            (*ppath, "scope"),
            f"scope must be self or tree, not {params['scope']!r}",
            SpecErrorCode.INVALID_PARAMS,
        )
    if "priority" in params and not is_int(params["priority"]):
        checker.error(
            (*ppath, "priority"), "priority must be an integer", SpecErrorCode.INVALID_PARAMS
        )
    if "to" in params and instruction == "escalate_process":
        params["to"] = _role_or_operator(checker, programs, params["to"], (*ppath, "to"))
    if "to" in params and instruction == "rollback_process" and params["to"] != "previous":
        checker.error(
            (*ppath, "to"),
            "rollback_process can only go `to: previous`",
            SpecErrorCode.INVALID_PARAMS,
        )
    if "returns" in params:
        params["returns"] = _returns(
            checker, programs, domain, params["returns"], (*ppath, "returns"), service
        )
    return params


def _role_or_operator(checker: Checker, programs: Programs, ref: Any, path: PathKey) -> str | None:
    for namespace in (programs.roles_ns, programs.operators_ns):
        name, _ = namespace.lookup(str(ref))
        if name is not None:
            return name
    candidates = programs.roles_ns.candidates() + programs.operators_ns.candidates()
    checker.error(
        path,
        f"unknown role or operator {ref!r}{did_you_mean(str(ref), candidates)}",
        SpecErrorCode.UNKNOWN_REFERENCE,
    )
    return None


def _returns(
    checker: Checker,
    programs: Programs,
    domain: Domain,
    refs: Any,
    path: PathKey,
    service: str | None,
) -> list[str]:
    spec = programs.services.get(service or "")
    if spec is None:
        return []
    if not spec.record:
        if any(n.name == spec.name and "record" in n.data for n in programs.named["services"]):
            return []  # the record reference itself is already reported
        checker.error(
            path,
            f"service {spec.name!r} has no record to return fields from",
            SpecErrorCode.INVALID_PARAMS,
        )
        return []
    if not isinstance(refs, list):
        checker.error(path, "returns must be a list of field names", SpecErrorCode.INVALID_PARAMS)
        return []
    resolved = [
        domain.resolve_column(checker, spec.record, ref, (*path, i)) for i, ref in enumerate(refs)
    ]
    return [name for name in resolved if name is not None]
