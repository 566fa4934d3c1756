"""Upgrading a database whose generated records link to design.Service: the kernel's catalogue
migration copies the services under the same ids, so the generated app's retargeting migration
keeps every stored link (foreign keys and many-to-many) and publish keeps those ids after."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, migrations
from django.db.migrations.executor import MigrationExecutor

KERNEL_BEFORE = ("kernel", "0010_translated_choices")
# design as it was then: design.Service had no new_record yet
DESIGN_BEFORE = ("design", "0008_resource_minimum_keepers")


def _retarget_key(loader) -> tuple[str, str]:
    for key, migration in loader.disk_migrations.items():
        if key[0] == "clinic" and any(
            isinstance(op, migrations.AlterField)
            and op.field.remote_field is not None
            and str(op.field.remote_field.model).lower() == "kernel.service"
            for op in migration.operations
        ):
            return key
    raise AssertionError("no clinic migration retargets its service links")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_links_stored_against_design_services_survive_the_move():
    executor = MigrationExecutor(connection)
    move = _retarget_key(executor.loader)
    (clinic_before,) = [
        d for d in executor.loader.get_migration(*move).dependencies if d[0] == "clinic"
    ]
    targets = [KERNEL_BEFORE, DESIGN_BEFORE, clinic_before]
    executor.migrate(targets)
    try:
        old = executor.loader.project_state(targets, at_end=True).apps
        tenant = old.get_model("core", "Tenant").objects.create(name="clinic", label="诊所")
        design_service = old.get_model("design", "Service")
        design_service.objects.create(tenant_id=tenant.pk, name="spacer", label="占位")  # ids != 1
        botox = design_service.objects.create(
            tenant_id=tenant.pk, name="botox", label="肉毒素", price=3800, order=1
        )
        laser = design_service.objects.create(
            tenant_id=tenant.pk, name="laser", label="光子嫩肤", order=2
        )
        customer = old.get_model("clinic", "Customer").objects.create(
            full_name="张女士", phone="13800000000"
        )
        notice = old.get_model("clinic", "CareNotice").objects.create(
            master=customer, service_item=botox
        )
        charge_type = old.get_model("clinic", "ChargeType").objects.create(label="现金")
        charge = old.get_model("clinic", "Charge").objects.create(
            master=customer, receivable=5000, charge_type=charge_type
        )
        charge.charge_items.set([botox, laser])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    from django.apps import apps

    from design.publish import revision_publish, spec_for
    from design.services import spec_load
    from kernel.models import Service

    copied = {row.name: row for row in Service.objects.filter(tenant__name="clinic")}
    assert {name: row.pk for name, row in copied.items()} == {
        "spacer": botox.pk - 1,
        "botox": botox.pk,
        "laser": laser.pk,
    }
    assert copied["botox"].label == "肉毒素" and copied["botox"].price == 3800
    assert copied["botox"].erpsys_id == botox.erpsys_id
    notice = apps.get_model("clinic", "CareNotice").objects.get(pk=notice.pk)
    assert notice.service_item == copied["botox"]
    charge = apps.get_model("clinic", "Charge").objects.get(pk=charge.pk)
    assert set(charge.charge_items.all()) == {copied["botox"], copied["laser"]}
    fresh = Service.objects.create(tenant=copied["botox"].tenant, name="fresh", label="新服务")
    assert fresh.pk > laser.pk  # the id sequence moved past the copied rows
    # The analyst's real spec replaces the design rows; publish upserts the catalogue by name.
    spec_load(folder=Path(settings.META_SPECS_DIR) / "clinic")
    spec = spec_for("clinic")
    revision_publish(tenant="clinic", spec=spec)
    rows = {row.name: row for row in Service.objects.filter(tenant__name="clinic")}
    assert {n for n, row in rows.items() if row.is_active} == {s.name for s in spec.services}
    assert (
        rows["botox"].pk == botox.pk and not rows["botox"].is_active
    )  # kept, inactive: old links stay valid
    notice.refresh_from_db()
    assert notice.service_item_id == botox.pk
