"""Factories for the applications tests: tenants, operators with roles and permissions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

PASSWORD = "s3cret-pass-word"


@pytest.fixture
def make_tenant(db) -> Callable[..., Any]:
    from core.models import Tenant

    def make(name: str, label: str | None = None) -> Tenant:
        tenant, _ = Tenant.objects.get_or_create(name=name, defaults={"label": label or name})
        return tenant

    return make


@pytest.fixture
def make_operator(db, make_tenant) -> Callable[..., Any]:
    """``make_operator("alpha", "ann", perms=["kernel.view_role"])`` -> an Operator with a user."""
    from kernel.models import Operator

    def make(
        tenant: str,
        name: str,
        *,
        perms: tuple[str, ...] | list[str] = (),
        active: bool = True,
        superuser: bool = False,
    ) -> Operator:
        user_model = get_user_model()
        user = user_model.objects.create_user(
            username=f"{tenant}_{name}", password=PASSWORD, is_superuser=superuser
        )
        for perm in perms:
            app_label, codename = perm.split(".")
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        return Operator.objects.create(
            tenant=make_tenant(tenant), user=user, name=name, label=name, is_active=active
        )

    return make
