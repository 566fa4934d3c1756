"""Semantic pass over roles, operators and resources."""

from __future__ import annotations

from design.specs.errors import SpecErrorCode
from design.specs.model import OperatorSpec, ResourceSpec, RoleSpec
from design.specs.names import Checker
from design.specs.programs import Programs, is_positive_int, resolve_list


def check_people(checker: Checker, programs: Programs) -> tuple[list[RoleSpec], list[OperatorSpec]]:
    """Roles (their services) and operators (their roles)."""
    roles = [
        RoleSpec(
            n.name,
            n.label,
            resolve_list(
                checker, programs.services_ns, n.data.get("services", []), (*n.path, "services")
            ),
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


def check_resources(checker: Checker, programs: Programs) -> list[ResourceSpec]:
    """Resources: capacity for equipment/device (positive), quantity for material/capital."""
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
        if "quantity" in data and kind not in ("material", "capital"):
            checker.error(
                (*path, "quantity"),
                f"quantity is for material and capital, not {kind}",
                SpecErrorCode.INVALID_VALUE,
                key=True,
            )
        out.append(
            ResourceSpec(
                named.name,
                named.label,
                kind,
                data.get("unit"),
                data.get("quantity"),
                data.get("capacity"),
            )
        )
    return out
