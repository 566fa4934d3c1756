"""resources_sync: upsert by name, stock kept on republish, kind changes guarded by allocations."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.naming import pinyin_initials
from design.specs.model import ResourceSpec
from kernel.errors import KernelError
from kernel.models import MaterialResource, Resource
from kernel.resources import allocate, release, resources_sync

pytestmark = pytest.mark.django_db

SPEC = [
    ResourceSpec(name="botox", label="肉毒素", kind="material", unit="支", quantity=100),
    ResourceSpec(name="treatment_room", label="治疗室", kind="equipment", capacity=2),
    ResourceSpec(name="dermatoscope", label="皮肤镜", kind="device", capacity=1),
    ResourceSpec(name="petty_cash", label="周转金", kind="capital", quantity=50000),
    ResourceSpec(name="aftercare_guide", label="术后护理指南", kind="knowledge"),
]


def snapshot(tenant) -> dict[str, tuple]:
    out = {}
    for r in Resource.objects.filter(tenant=tenant).order_by("name"):
        out[r.name] = (
            r.kind,
            r.label,
            getattr(r, "unit", None),
            getattr(r, "quantity", None),
            getattr(r, "capacity", None),
        )
    return out


def test_first_sync_creates_every_kind(tenant):
    resources_sync(tenant=tenant, resources=SPEC)
    assert snapshot(tenant) == {
        "aftercare_guide": ("knowledge", "术后护理指南", None, None, None),
        "botox": ("material", "肉毒素", "支", Decimal("100"), None),
        "dermatoscope": ("device", "皮肤镜", None, None, 1),
        "petty_cash": ("capital", "周转金", None, Decimal("50000"), None),
        "treatment_room": ("equipment", "治疗室", None, None, 2),
    }


def test_republish_keeps_stock_but_updates_configuration(tenant, make_process):
    resources_sync(tenant=tenant, resources=SPEC)
    p = make_process()
    assert allocate(process=p, requirements=[("botox", 10)])
    release(process=p, consume=True)
    changed = [
        ResourceSpec(name="botox", label="肉毒素 A 型", kind="material", unit="瓶", quantity=500),
        ResourceSpec(name="treatment_room", label="治疗室", kind="equipment", capacity=3),
        *SPEC[2:],
    ]
    resources_sync(tenant=tenant, resources=changed)
    botox = MaterialResource.objects.get(tenant=tenant, name="botox")
    assert (botox.label, botox.unit, botox.quantity) == ("肉毒素 A 型", "瓶", Decimal("90"))
    assert botox.pym == pinyin_initials("肉毒素 A 型")  # pym follows the new label
    assert Resource.objects.get(name="treatment_room").capacity == 3


def test_unchanged_republish_writes_nothing(tenant, django_assert_num_queries):
    resources_sync(tenant=tenant, resources=SPEC)
    before = snapshot(tenant)
    # savepoint and its release, the base rows, one read per kind present, the allocations
    with django_assert_num_queries(2 + 1 + 5 + 1):
        resources_sync(tenant=tenant, resources=SPEC)
    assert snapshot(tenant) == before


def test_kind_change_without_allocations_replaces(tenant):
    resources_sync(tenant=tenant, resources=SPEC)
    old = Resource.objects.get(name="dermatoscope")
    resources_sync(
        tenant=tenant,
        resources=[ResourceSpec(name="dermatoscope", label="皮肤镜", kind="equipment", capacity=4)],
    )
    new = Resource.objects.get(name="dermatoscope")
    assert (type(new).__name__, new.capacity) == ("EquipmentResource", 4)
    assert new.pk != old.pk


def test_kind_change_with_allocations_is_refused_and_writes_nothing(tenant, make_process):
    resources_sync(tenant=tenant, resources=SPEC)
    p = make_process()
    assert allocate(process=p, requirements=[("dermatoscope", 1)])
    release(process=p, consume=True)
    before = snapshot(tenant)
    with pytest.raises(KernelError) as info:
        resources_sync(
            tenant=tenant,
            resources=[
                ResourceSpec(name="botox", label="新标签", kind="material", quantity=1),
                ResourceSpec(name="dermatoscope", label="皮肤镜", kind="equipment", capacity=4),
            ],
        )
    assert info.value.code == "resource_kind_change"
    assert snapshot(tenant) == before


def test_resources_dropped_from_the_spec_are_kept(tenant):
    resources_sync(tenant=tenant, resources=SPEC)
    resources_sync(tenant=tenant, resources=SPEC[:1])
    assert Resource.objects.filter(tenant=tenant).count() == len(SPEC)


def test_unknown_kind_is_a_coded_error(tenant):
    with pytest.raises(KernelError) as info:
        resources_sync(
            tenant=tenant, resources=[ResourceSpec(name="x", label="X", kind="spaceship")]
        )
    assert info.value.code == "resource_invalid"
    assert not Resource.objects.exists()
