"""Roles -> groups and permissions, and operators kept in their roles' groups."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from applications.permissions import (
    group_name,
    operator_sync_groups,
    role_permission_plan,
    role_permissions_sync,
)
from design.specs.model import EntitySpec, RoleSpec, ServiceSpec, Spec, TenantSpec


def _spec(tenant: str = "alpha") -> Spec:
    return Spec(
        tenant=TenantSpec(name=tenant, label=tenant),
        entities=[
            EntitySpec(name="status", label="Status", kind="dict"),
            EntitySpec(name="customer", label="Customer"),
            EntitySpec(name="quote", label="Quote", kind="record", part_of="customer"),
            EntitySpec(name="quote_line", label="Line", kind="record", part_of="quote"),
            EntitySpec(name="repair", label="Repair", kind="record", part_of="customer"),
        ],
        services=[
            ServiceSpec(name="write_quote", label="Q", record="quote", serves="customer"),
            ServiceSpec(name="repair_device", label="R", record="repair", serves="customer"),
            ServiceSpec(name="notify", label="N", kind="system"),
        ],
        roles=[
            RoleSpec(name="technician", label="T", services=["write_quote", "repair_device"]),
            RoleSpec(name="front", label="F", services=["notify"]),
        ],
    )


def test_plan_gives_records_children_served_entities_and_dicts():
    plan = role_permission_plan(tenant="alpha", spec=_spec())
    assert plan["front"] == {("status", "view")}
    technician = plan["technician"]
    assert {("quote", a) for a in ("view", "add", "change")} <= technician
    assert ("quote", "delete") not in technician
    assert {("quote_line", a) for a in ("view", "add", "change", "delete")} <= technician
    assert ("customer", "view") in technician and ("customer", "change") not in technician
    assert ("repair", "add") in technician and ("status", "view") in technician


@pytest.fixture
def alpha_roles(make_tenant):
    from kernel.models import Role

    tenant = make_tenant("alpha")
    return {
        name: Role.objects.create(tenant=tenant, name=name, label=name)
        for name in ("technician", "front")
    }


def _groups(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_roles_changes_keep_groups_in_sync_from_both_sides(make_operator, alpha_roles):
    operator = make_operator("alpha", "ann")
    other = Group.objects.create(name="newsletter")
    operator.user.groups.add(other)
    operator.roles.add(alpha_roles["technician"])
    assert _groups(operator.user) == {"newsletter", "alpha:technician"}
    alpha_roles["front"].operators.add(operator)
    assert _groups(operator.user) == {"newsletter", "alpha:technician", "alpha:front"}
    operator.roles.remove(alpha_roles["technician"])
    assert _groups(operator.user) == {"newsletter", "alpha:front"}
    alpha_roles["front"].operators.clear()
    assert _groups(operator.user) == {"newsletter"}
    operator.roles.set([alpha_roles["front"]])
    operator.roles.clear()
    assert _groups(operator.user) == {"newsletter"}


def test_operator_sync_without_user_is_a_no_op(make_tenant):
    from kernel.models import Operator

    operator = Operator.objects.create(tenant=make_tenant("alpha"), name="bot", label="bot")
    operator_sync_groups(operator)
    assert not Group.objects.filter(name__startswith="alpha:").exists()


def test_sync_creates_groups_drops_stale_ones_and_syncs_members(make_operator, alpha_roles):
    operator = make_operator("alpha", "ann")
    operator.roles.add(alpha_roles["technician"])
    Group.objects.create(name=group_name("alpha", "retired"))
    Group.objects.create(name=group_name("beta", "retired"))
    role_permissions_sync(tenant="alpha", spec=_spec())
    names = set(Group.objects.values_list("name", flat=True))
    assert {"alpha:technician", "alpha:front", "beta:retired"} <= names
    assert "alpha:retired" not in names
    assert "alpha:technician" in _groups(operator.user)
    # No generated app "alpha": entities without a model get no permission rows.
    assert not Group.objects.get(name="alpha:technician").permissions.exists()
