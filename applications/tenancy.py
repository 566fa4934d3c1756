"""Who belongs to which tenant: the operator of a user, the generated app of a tenant."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig, apps
from django.db import models

from design.specs.naming import pascal_case


def operator_of(user: Any, tenant: str) -> Any | None:
    """The user's active operator if it belongs to ``tenant`` (by name), else None."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        operator = user.operator
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist: the user is no operator at all
        return None
    if not operator.is_active or operator.tenant.name != tenant:
        return None
    return operator


def is_tenant_operator(user: Any, tenant: str) -> bool:
    """Whether ``user`` may enter ``tenant`` (an active operator of it; superusers get no pass)."""
    return operator_of(user, tenant) is not None


def tenant_app_config(tenant: str) -> AppConfig | None:
    """The installed generated app ``generated.<tenant>``, or None."""
    for config in apps.get_app_configs():
        if config.name == f"generated.{tenant}":
            return config
    return None


def entity_model(tenant: str, entity: str) -> type[models.Model] | None:
    """The generated model of ``entity`` (a spec name) in ``tenant``'s app, or None."""
    config = tenant_app_config(tenant)
    if config is None:
        return None
    try:
        return config.get_model(pascal_case(entity))
    except LookupError:
        return None


def entity_name_of(model: type[models.Model]) -> str:
    """The spec name of a model, exactly: generated tables are ``<tenant>_<name>``."""
    return model._meta.db_table.removeprefix(f"{model._meta.app_label}_")


def installed_tenants() -> list[str]:
    """Names of the tenants whose generated app is installed, sorted."""
    prefix = "generated."
    return sorted(
        config.name[len(prefix) :]
        for config in apps.get_app_configs()
        if config.name.startswith(prefix)
    )
