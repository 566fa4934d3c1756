"""Tenant access for the API, and roles -> Django groups and model permissions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission, DjangoModelPermissions

from applications.tenancy import entity_model, is_tenant_operator

GROUP_SEPARATOR = ":"


class TenantOperatorPermission(BasePermission):
    """The user is an active operator of ``view.tenant`` (anonymous: 401, anyone else: 403)."""

    message = _("You are not an operator of this tenant.")

    def has_permission(self, request: Any, view: Any) -> bool:
        tenant = getattr(view, "tenant", "")
        return bool(tenant) and is_tenant_operator(request.user, tenant)


class TenantModelPermissions(DjangoModelPermissions):
    """Django model permissions, with ``view`` required for reads."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


def group_name(tenant: str, role: str) -> str:
    """``<tenant>:<role>``: the Django group of a role."""
    return f"{tenant}{GROUP_SEPARATOR}{role}"


def _model(tenant: str, entity: str | None) -> type[models.Model] | None:
    return entity_model(tenant, entity) if entity else None


def _permissions(model: type[models.Model], actions: tuple[str, ...]) -> list[Permission]:
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    codenames = [f"{action}_{model._meta.model_name}" for action in actions]
    found = list(Permission.objects.filter(content_type=content_type, codename__in=codenames))
    if len(found) < len(codenames):
        from django.contrib.auth.management import create_permissions

        create_permissions(model._meta.app_config, verbosity=0)
        found = list(Permission.objects.filter(content_type=content_type, codename__in=codenames))
    return found


def _permissions_not_loaded(tenant: str, entity: str, actions: tuple[str, ...]) -> list[Permission]:
    """The permissions of a generated model this process does not run (a tenant generated and
    migrated after it started: the designer's worker), found by its content type; none when the
    model was never migrated (or the entity is built-in)."""
    model_name = entity.replace("_", "")  # the model's class name is the PascalCase of the name
    content_type = ContentType.objects.filter(app_label=tenant, model=model_name).first()
    if content_type is None:
        return []
    codenames = [f"{action}_{model_name}" for action in actions]
    return list(Permission.objects.filter(content_type=content_type, codename__in=codenames))


def role_permission_plan(*, tenant: str, spec: Any) -> dict[str, set[tuple[str, str]]]:
    """Per role name, the (entity, action) pairs it gets from a tenant's spec; pure, no database.

    ``spec`` is the design layer's ``Spec``, read for its entities, services and roles only
    (the runtime does not import the design layer).

    A role that may do service S: view/add/change on S's record, view/add/change/delete on
    the record's ``part_of`` children (its inlines), view on S's ``serves`` entity. Every
    role: view on the dict entities, and what its ``entities`` key grants (master data, e.g.
    ``{customer: [view, add, change]}``). No role name is special.
    """
    dicts = {entity.name for entity in spec.entities if entity.kind == "dict"}
    children: dict[str, list[str]] = {}
    for entity in spec.entities:
        if entity.part_of:
            children.setdefault(entity.part_of, []).append(entity.name)
    services = {service.name: service for service in spec.services}
    plan: dict[str, set[tuple[str, str]]] = {}
    for role in spec.roles:
        pairs = {(name, "view") for name in dicts}
        for service_name in role.services:
            service = services.get(service_name)
            if service is None:
                continue
            if service.record:
                pairs |= {(service.record, action) for action in ("view", "add", "change")}
                for child in children.get(service.record, []):
                    pairs |= {(child, a) for a in ("view", "add", "change", "delete")}
            if service.serves:
                pairs.add((service.serves, "view"))
        pairs |= {
            (entity, action) for entity, actions in role.entities.items() for action in actions
        }
        plan[role.name] = pairs
    return plan


@transaction.atomic
def role_permissions_sync(*, tenant: str, spec: Any) -> None:
    """Make one group ``<tenant>:<role>`` per role holding exactly its planned permissions.

    Groups of roles no longer in the spec are deleted; members of every group are re-synced.
    Entities without an installed model are found by their content type (migrated by another
    process); not migrated yet, or built-in: skipped.
    """
    plan = role_permission_plan(tenant=tenant, spec=spec)
    for role_name, pairs in plan.items():
        group, _created = Group.objects.get_or_create(name=group_name(tenant, role_name))
        permissions: list[Permission] = []
        by_entity: dict[str, list[str]] = {}
        for entity, action in sorted(pairs):
            by_entity.setdefault(entity, []).append(action)
        for entity, actions in by_entity.items():
            model = _model(tenant, entity)
            if model is not None:
                permissions += _permissions(model, tuple(actions))
            else:
                permissions += _permissions_not_loaded(tenant, entity, tuple(actions))
        group.permissions.set(permissions)
    prefix = group_name(tenant, "")
    Group.objects.filter(name__startswith=prefix).exclude(
        name__in=[group_name(tenant, role) for role in plan]
    ).delete()
    from kernel.models import Operator

    for operator in Operator.objects.filter(tenant__name=tenant).select_related("user", "tenant"):
        operator_sync_groups(operator)


def operator_sync_groups(operator: Any) -> None:
    """Put the operator's user in exactly the ``<tenant>:<role>`` groups of its roles."""
    user = operator.user
    if user is None:
        return
    tenant = operator.tenant.name
    prefix = group_name(tenant, "")
    wanted = [
        Group.objects.get_or_create(name=group_name(tenant, role.name))[0]
        for role in operator.roles.all()
    ]
    keep = [group for group in user.groups.all() if not group.name.startswith(prefix)]
    user.groups.set([*keep, *wanted])
