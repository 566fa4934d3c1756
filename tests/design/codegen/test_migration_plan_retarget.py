"""A link that moves to another table (design.Service -> kernel.Service) is safe only when every
stored id exists in the new table; the plan says so, and refuses when ids would dangle."""

from __future__ import annotations

import pytest
from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader

from core.models import Tenant
from design.codegen.migration_plan import DATA_COPY, DESTRUCTIVE, SAFE, classify
from kernel.models import Service
from tests.applications.filler import fill_row

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def retarget():
    """(the clinic migration that moves its service links to kernel, the state before it)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for key, migration in loader.disk_migrations.items():
        if key[0] != "clinic":
            continue
        moves = [
            op
            for op in migration.operations
            if isinstance(op, migrations.AlterField)
            and str(op.field.remote_field.model if op.field.remote_field else "").lower()
            == "kernel.service"
        ]
        if moves:
            return migration, loader.project_state(key, at_end=False)
    raise AssertionError("no clinic migration retargets its service links")


def _plan(retarget, op) -> tuple[str, str]:
    migration, state = retarget
    planned = classify(op, app_label="clinic", old_state=state)
    return planned.safety, planned.reason


def _op(retarget, model_name: str, name: str):
    migration, _state = retarget
    return next(
        op
        for op in migration.operations
        if isinstance(op, migrations.AlterField)
        and (op.model_name_lower, op.name) == (model_name, name)
    )


def test_every_service_link_of_the_clinic_moves_and_is_safe_without_rows(retarget):
    migration, _state = retarget
    moved = {(op.model_name_lower, op.name) for op in migration.operations}
    assert ("appointment", "service_item") in moved
    assert ("charge", "charge_items") in moved  # a many-to-many link too
    assert ("kernel", "0011_service_catalogue") in migration.dependencies
    assert not any(app == "design" for app, _name in migration.dependencies)
    for op in migration.operations:
        safety, reason = _plan(retarget, op)
        assert safety == SAFE, (op.describe(), reason)
        assert (
            reason
            == "links move from design.service to kernel.service; every stored id exists there"
        )


def test_stored_ids_the_new_table_has_are_safe_and_dangling_ones_are_refused(retarget):
    from django.apps import apps

    tenant, _ = Tenant.objects.get_or_create(name="clinic", defaults={"label": "诊所"})
    service = Service.objects.create(tenant=tenant, name="botox", label="肉毒素")
    appointment = fill_row(apps.get_model("clinic", "Appointment"), tenant=tenant)
    charge = fill_row(apps.get_model("clinic", "Charge"), tenant=tenant)
    op, m2m = _op(retarget, "appointment", "service_item"), _op(retarget, "charge", "charge_items")
    type(appointment).objects.filter(pk=appointment.pk).update(service_item_id=service.pk)
    charge.charge_items.add(service)
    assert _plan(retarget, op)[0] == SAFE
    assert _plan(retarget, m2m)[0] == SAFE
    missing = service.pk + 10_000
    # A deferred constraint lets the test store an id no service has (rolled back after it).
    type(appointment).objects.filter(pk=appointment.pk).update(service_item_id=missing)
    dangling = charge.charge_items.through.objects.create(charge_id=charge.pk, service_id=missing)
    try:
        assert _plan(retarget, op) == (
            DESTRUCTIVE,
            "links move from design.service to kernel.service, which lacks 1 of the stored ids",
        )
        assert _plan(retarget, m2m)[0] == DESTRUCTIVE
    finally:  # the test database checks its constraints when the test ends
        type(appointment).objects.filter(pk=appointment.pk).update(service_item_id=None)
        dangling.delete()


def test_a_target_that_is_not_installed_needs_a_data_copy(retarget):
    op = migrations.AlterField(
        model_name="appointment",
        name="service_item",
        field=models.ForeignKey("kernel.nowhere", null=True, on_delete=models.SET_NULL),
    )
    safety, reason = _plan(retarget, op)
    assert safety == DATA_COPY and "stored ids must exist there" in reason
