"""Who belongs to which tenant: the operator of a user, the generated app of a tenant."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet

from core.naming import pascal_case


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


def builtin_scope(model: type[models.Model], tenant: str) -> Q | None:
    """The rows of a built-in table (operator, role, process, user, service, resource) that
    belong to ``tenant``, as a filter; None when ``model`` is no built-in table.

    A user belongs to the tenant of its operator; every other built-in has a ``tenant`` column.
    """
    if not is_builtin(model):
        return None
    if model._meta.label_lower == settings.AUTH_USER_MODEL.lower():
        return Q(operator__tenant__name=tenant)
    return Q(tenant__name=tenant)


def is_builtin(model: type[models.Model]) -> bool:
    """Whether ``model`` is a built-in table a spec field may link to (shared by all tenants)."""
    from applications.builtins import BUILTIN_TARGETS

    return model._meta.label_lower in {target.lower() for target in BUILTIN_TARGETS.values()}


def tenant_of(model: type[models.Model]) -> str:
    """The tenant of a generated model: its app label (``generated.<tenant>``)."""
    return model._meta.app_label


def tenant_choices(queryset: QuerySet, tenant: str) -> QuerySet:
    """``queryset`` narrowed to ``tenant``'s rows when it is a built-in table's; else unchanged.

    Every choice list, lookup and write validation of a generated model's link goes through
    this: another tenant's row is then exactly as absent as a row that does not exist.
    """
    scope = builtin_scope(queryset.model, tenant)
    return queryset if scope is None else queryset.filter(scope)


def scope_choices(items: Iterable[Any], tenant: str) -> None:
    """Narrow the ``queryset`` of each form field, serializer field or filter to ``tenant``."""
    for item in items:
        item = getattr(item, "child_relation", item)  # a DRF many-relation: its child field
        queryset = getattr(item, "queryset", None)
        if isinstance(queryset, models.Manager):  # DRF keeps the related model's manager
            queryset = queryset.all()
        if isinstance(queryset, QuerySet):
            item.queryset = tenant_choices(queryset, tenant)
