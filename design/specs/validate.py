"""The validation pipeline: read a folder, check its shape, run the semantic pass, build the Spec."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from design.specs.actors import check_people, check_resources
from design.specs.entities import check_entities, check_forms
from design.specs.errors import SpecError, SpecErrorCode, SpecInvalid
from design.specs.events import check_events
from design.specs.loader import RawSpec, read_spec_folder
from design.specs.model import RESERVED_TENANT_NAMES, Spec, TenantSpec
from design.specs.names import Checker, name_problem
from design.specs.programs import check_services, name_programs
from design.specs.shape import check_shape
from design.specs.views import check_menu, check_views


def _tenant(checker: Checker, data: dict[str, Any]) -> TenantSpec:
    tenant = data["tenant"]
    problem = name_problem(tenant["name"], reserved=RESERVED_TENANT_NAMES)
    if problem is not None:
        message, code = problem
        if tenant["name"] in RESERVED_TENANT_NAMES:
            message = f"{tenant['name']!r} is reserved for the platform's own URLs; choose another tenant name"
        checker.error(("tenant", "name"), message, code)
    if "timezone" in tenant:
        try:
            ZoneInfo(tenant["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            checker.error(
                ("tenant", "timezone"),
                f"unknown time zone {tenant['timezone']!r}",
                SpecErrorCode.INVALID_VALUE,
            )
    return TenantSpec(
        name=tenant["name"],
        label=tenant["label"],
        language=tenant.get("language"),
        timezone=tenant.get("timezone"),
    )


def _sorted(errors: list[SpecError]) -> list[SpecError]:
    """Errors once each, in file/line/column order (unlocated ones first)."""
    unique = {(str(e.location), e.path, e.message): e for e in errors}

    def key(error: SpecError) -> tuple[str, int, int, str]:
        loc = error.location
        return (loc.file, loc.line, loc.column, error.path) if loc else ("", 0, 0, error.path)

    return sorted(unique.values(), key=key)


def semantic_pass(raw: RawSpec) -> tuple[Spec, list[SpecError]]:
    """Resolve names and references of a shape-valid document; return the Spec and every problem found."""
    checker = Checker(raw)
    data = raw.data
    tenant = _tenant(checker, data)
    domain = check_entities(checker, data)
    check_forms(checker, data, domain)
    programs = name_programs(checker, data)
    services = check_services(checker, programs, domain)
    events = check_events(checker, programs)
    roles, operators = check_people(checker, programs, domain)
    resources = check_resources(checker, programs)
    views, views_ns = check_views(checker, data, domain, programs)
    menu = check_menu(checker, data.get("menu", []), ("menu",), domain, views_ns)
    spec = Spec(
        tenant=tenant,
        spec_version=data["spec_version"],
        fields=list(domain.reusable.values()),
        entities=list(domain.entities.values()),
        forms=list(domain.forms.values()),
        services=services,
        events=events,
        roles=roles,
        operators=operators,
        resources=resources,
        views=views,
        menu=menu,
    )
    return spec, checker.errors


def validate_raw(raw: RawSpec) -> tuple[Spec | None, list[SpecError]]:
    """Validate a read folder: (Spec, []) when clean, else (None, every error found, sorted).

    The semantic pass runs only on a document whose shape is valid; shape errors
    (and unreadable files) are reported on their own, all of them.
    """
    errors = list(raw.errors)
    if raw.fatal:
        return None, _sorted(errors)
    errors.extend(check_shape(raw))
    if errors and any(e.code != SpecErrorCode.DUPLICATE for e in errors) or not raw.data:
        return None, _sorted(errors)
    spec, semantic = semantic_pass(raw)
    errors.extend(semantic)
    if errors:
        return None, _sorted(errors)
    return spec, []


def validate_folder(folder: Path) -> Spec:
    """The Spec of ``folder``; raises SpecInvalid with every located error."""
    spec, errors = validate_raw(read_spec_folder(Path(folder)))
    if errors or spec is None:
        raise SpecInvalid(errors)
    return spec


def tenant_folders() -> list[Path]:
    """Every sub-folder of settings.META_SPECS_DIR that holds a tenant.yaml, sorted by name."""
    from django.conf import settings

    root = Path(settings.META_SPECS_DIR)
    if not root.is_dir():
        return []
    return sorted(child for child in root.iterdir() if (child / "tenant.yaml").is_file())
