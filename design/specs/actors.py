"""Semantic pass over roles, operators and resources."""

from __future__ import annotations

from typing import Any

from design.specs.entities import Domain
from design.specs.errors import SpecErrorCode
from design.specs.model import ENTITY_ACTIONS, OperatorSpec, ResourceSpec, RoleSpec
from design.specs.names import Checker, PathKey
from design.specs.programs import Programs, is_positive_int, resolve_list


def check_people(
    checker: Checker, programs: Programs, domain: Domain
) -> tuple[list[RoleSpec], list[OperatorSpec]]:
    """Roles (their services, the roles they supervise, their entity rights) and operators."""
    roles = [
        RoleSpec(
            n.name,
            n.label,
            resolve_list(
                checker, programs.services_ns, n.data.get("services", []), (*n.path, "services")
            ),
            resolve_list(
                checker, programs.roles_ns, n.data.get("supervises", []), (*n.path, "supervises")
            ),
            _entity_rights(checker, domain, n.data.get("entities", {}), (*n.path, "entities")),
        )
        for n in programs.named["roles"]
    ]
    operators = [
        OperatorSpec(
            n.name,
            n.label,
            resolve_list(checker, programs.roles_ns, n.data.get("roles", []), (*n.path, "roles")),
        )
        for n in programs.named["operators"]
    ]
    return roles, operators


def _entity_rights(
    checker: Checker, domain: Domain, data: Any, path: PathKey
) -> dict[str, list[str]]:
    """``{entity: [view, add, change]}``: entities of the tenant (by name or label), known actions."""
    rights: dict[str, list[str]] = {}
    if not isinstance(data, dict):
        return rights
    for ref, actions in data.items():
        name = domain.entities_ns.resolve(checker, ref, (*path, ref), builtins=False)
        if name is None or not isinstance(actions, list):
            continue
        if name in rights:
            checker.error((*path, ref), f"entity {name!r} is listed twice", SpecErrorCode.DUPLICATE)
            continue
        unknown = [a for a in actions if a not in ENTITY_ACTIONS]
        if unknown:
            checker.error(
                (*path, ref),
                f"unknown action(s) {unknown}: use {', '.join(ENTITY_ACTIONS)}",
                SpecErrorCode.INVALID_VALUE,
            )
            continue
        rights[name] = list(actions)
    return rights


def check_resources(checker: Checker, programs: Programs) -> list[ResourceSpec]:
    """Resources: capacity for equipment/device (positive); quantity, minimum and keepers (roles)
    for material/capital."""
    out: list[ResourceSpec] = []
    for named in programs.named["resources"]:
        data, path, kind = named.data, named.path, named.data["kind"]
        if "capacity" in data:
            if kind not in ("equipment", "device"):
                checker.error(
                    (*path, "capacity"),
                    f"capacity is for equipment and device, not {kind}",
                    SpecErrorCode.INVALID_VALUE,
                    key=True,
                )
            elif not is_positive_int(data["capacity"]):
                checker.error(
                    (*path, "capacity"),
                    "capacity must be a positive integer",
                    SpecErrorCode.INVALID_VALUE,
                )
        for key in ("quantity", "minimum"):
            if key in data and kind not in ("material", "capital"):
                checker.error(
                    (*path, key),
                    f"{key} is for material and capital, not {kind}",
                    SpecErrorCode.INVALID_VALUE,
                    key=True,
                )
        if "keepers" in data and kind not in ("material", "capital"):
            checker.error(
                (*path, "keepers"),
                f"keepers adjust stock: they are for material and capital, not {kind}",
                SpecErrorCode.INVALID_VALUE,
                key=True,
            )
        keepers = resolve_list(
            checker, programs.roles_ns, data.get("keepers", []), (*path, "keepers")
        )
        out.append(
            ResourceSpec(
                named.name,
                named.label,
                kind,
                data.get("unit"),
                data.get("quantity"),
                data.get("capacity"),
                data.get("minimum"),
                list(dict.fromkeys(keepers)),
            )
        )
    return out
