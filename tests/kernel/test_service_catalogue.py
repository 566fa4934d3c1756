"""The service catalogue (``kernel.Service``): what ``to: service`` links point at, filled by publish."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from applications.builtins import BUILTIN_TARGETS
from applications.tenancy import tenant_choices
from design.publish import revision_publish, spec_for
from kernel.errors import KernelError, KernelErrorCode
from kernel.models import Revision, Service

pytestmark = pytest.mark.django_db


def _catalogue(tenant: str) -> dict[str, Service]:
    return {row.name: row for row in Service.objects.filter(tenant__name=tenant)}


def test_publish_fills_the_catalogue_from_the_spec():
    spec = spec_for("clinic")
    revision_publish(tenant="clinic", spec=spec)
    rows = _catalogue("clinic")
    assert list(rows) == [s.name for s in spec.services]  # in the spec's order
    for position, service in enumerate(spec.services):
        row = rows[service.name]
        assert (row.label, row.order, row.is_active) == (service.label, position, True)
        expected = None if service.price is None else Decimal(str(service.price))
        assert row.price == expected
        assert row.pym  # the pinyin initials of the Chinese label
    assert rows["new_appointment"].price == 0


def test_a_republish_keeps_the_ids_and_a_removed_service_stays_inactive():
    spec = spec_for("clinic")
    revision_publish(tenant="clinic", spec=spec)
    ids = {name: row.pk for name, row in _catalogue("clinic").items()}
    kept, dropped = spec.services[0], spec.services[1]
    renamed = dataclasses.replace(kept, label="改名的服务", price=12)
    smaller = dataclasses.replace(spec, services=[renamed, *spec.services[2:]])
    revision_publish(tenant="clinic", spec=smaller)
    rows = _catalogue("clinic")
    assert {name: row.pk for name, row in rows.items()} == ids
    assert not rows[dropped.name].is_active
    assert rows[kept.name].label == "改名的服务" and rows[kept.name].price == 12
    assert rows[kept.name].pym == "gmdfw"
    assert all(row.is_active for name, row in rows.items() if name != dropped.name)
    revision_publish(tenant="clinic", spec=spec)  # it comes back: same row, active again
    back = Service.objects.get(tenant__name="clinic", name=dropped.name)
    assert back.pk == ids[dropped.name] and back.is_active


def test_each_tenant_has_its_own_catalogue_and_links_see_only_their_own():
    clinic = spec_for("clinic")
    twin = dataclasses.replace(
        clinic, tenant=dataclasses.replace(clinic.tenant, name="clinic_two", label="二号诊所")
    )
    revision_publish(tenant="clinic", spec=clinic)
    revision_publish(tenant="clinic_two", spec=twin)
    one, two = _catalogue("clinic"), _catalogue("clinic_two")
    assert set(one) == set(two) and not {r.pk for r in one.values()} & {r.pk for r in two.values()}
    offered = set(tenant_choices(Service.objects.all(), "clinic"))
    assert offered == set(one.values())


def test_a_bad_price_is_refused_and_changes_nothing():
    spec = spec_for("clinic")
    broken = dataclasses.replace(spec.services[0], price="twelve")
    bad = dataclasses.replace(spec, services=[broken, *spec.services[1:]])
    with pytest.raises(KernelError) as err:
        revision_publish(tenant="clinic", spec=bad)
    assert err.value.code == KernelErrorCode.SERVICE_INVALID
    assert spec.services[0].name in str(err.value)
    assert not Service.objects.filter(tenant__name="clinic").exists()
    assert not Revision.objects.filter(tenant__name="clinic").exists()


def test_generated_links_to_service_point_at_the_catalogue():
    from django.apps import apps

    field = apps.get_model("clinic", "TreatmentWriteOff")._meta.get_field("treatment_item")
    assert field.related_model is Service
    assert apps.get_model(BUILTIN_TARGETS["service"]) is Service
