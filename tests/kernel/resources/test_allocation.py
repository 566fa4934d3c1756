"""allocate / release: each kind's behaviour, all-or-nothing, idempotence and coded errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kernel.errors import KernelError
from kernel.models import Allocation, AllocationState, MaterialResource, Resource
from kernel.resources import allocate, release

pytestmark = pytest.mark.django_db


def states(process) -> dict[str, str]:
    return {a.resource.name: a.state for a in Allocation.objects.filter(process=process)}


def test_polymorphic_rows_come_back_as_their_kind(stock):
    kinds = {r.name: (type(r).__name__, r.kind) for r in Resource.objects.all()}
    assert kinds == {
        "botox": ("MaterialResource", "material"),
        "cash": ("CapitalResource", "capital"),
        "room": ("EquipmentResource", "equipment"),
        "scope": ("DeviceResource", "device"),
        "guide": ("KnowledgeResource", "knowledge"),
    }
    assert Resource.objects.get(name="botox").pym == "rds"


def test_material_held_then_consumed_lowers_stock(stock, make_process):
    p = make_process()
    assert allocate(process=p, requirements=[("botox", 2)]) is True
    assert states(p) == {"botox": AllocationState.HELD}
    # Held units are not available to others, though the stock is unchanged until completion.
    other = make_process()
    assert allocate(process=other, requirements=[("botox", 2)]) is False
    assert MaterialResource.objects.get(name="botox").quantity == Decimal("3")
    freed = release(process=p, consume=True)
    assert freed == []  # consuming frees nothing
    assert states(p) == {"botox": AllocationState.CONSUMED}
    assert MaterialResource.objects.get(name="botox").quantity == Decimal("1")
    assert allocate(process=other, requirements=[("botox", 2)]) is False
    assert allocate(process=other, requirements=[("botox", 1)]) is True


def test_material_cancel_releases_without_consuming(stock, make_process):
    p = make_process()
    assert allocate(process=p, requirements=[("botox", 3)])
    freed = release(process=p, consume=False)
    assert [r.name for r in freed] == ["botox"]
    assert states(p) == {"botox": AllocationState.RELEASED}
    assert MaterialResource.objects.get(name="botox").quantity == Decimal("3")
    assert allocate(process=make_process(), requirements=[("botox", 3)])


def test_capital_is_consumed_in_money(stock, make_process):
    p = make_process()
    assert allocate(process=p, requirements=[("cash", Decimal("99.50"))])
    assert not allocate(process=make_process(), requirements=[("cash", 1)])
    release(process=p, consume=True)
    cash = Resource.objects.get(name="cash")
    assert cash.quantity == Decimal("0.50")
    assert allocate(process=make_process(), requirements=[("cash", Decimal("0.50"))])


@pytest.mark.parametrize("name, capacity", [("room", 2), ("scope", 1)])
def test_equipment_and_device_are_limited_by_capacity_and_returned(
    stock, make_process, name, capacity
):
    holders = [make_process() for _ in range(capacity)]
    for p in holders:
        assert allocate(process=p, requirements=[(name, 1)])
    late = make_process()
    assert allocate(process=late, requirements=[(name, 1)]) is False
    freed = release(process=holders[0], consume=True)
    assert [r.name for r in freed] == [name]
    assert states(holders[0]) == {name: AllocationState.RELEASED}
    assert allocate(process=late, requirements=[(name, 1)]) is True


def test_knowledge_is_never_exhausted(stock, make_process):
    processes = [make_process() for _ in range(5)]
    assert all(allocate(process=p, requirements=[("guide", 1)]) for p in processes)
    assert release(process=processes[0], consume=True) == []
    assert states(processes[0]) == {"guide": AllocationState.RELEASED}


def test_all_or_nothing_writes_nothing_when_one_is_short(stock, make_process):
    blocker = make_process()
    assert allocate(process=blocker, requirements=[("scope", 1)])
    p = make_process()
    before = Allocation.objects.count()
    assert allocate(process=p, requirements=[("botox", 1), ("room", 1), ("scope", 1)]) is False
    assert Allocation.objects.count() == before
    assert not Allocation.objects.filter(process=p).exists()
    release(process=blocker, consume=False)
    assert allocate(process=p, requirements=[("botox", 1), ("room", 1), ("scope", 1)]) is True
    assert states(p) == {n: AllocationState.HELD for n in ("botox", "room", "scope")}


def test_repeated_names_are_summed(stock, make_process):
    p = make_process()
    assert allocate(process=p, requirements=[("botox", 2), ("botox", 2)]) is False
    assert allocate(process=p, requirements=[("botox", 1), ("botox", 2)]) is True
    assert Allocation.objects.get(process=p).quantity == Decimal("3")


def test_allocating_twice_holds_once(stock, make_process):
    p = make_process()
    assert allocate(process=p, requirements=[("scope", 1)])
    assert allocate(process=p, requirements=[("scope", 1)])
    assert Allocation.objects.filter(process=p).count() == 1


def test_no_requirements_is_free_and_queryless(stock, make_process, django_assert_num_queries):
    p = make_process()
    with django_assert_num_queries(0):
        assert allocate(process=p, requirements=[]) is True
    with django_assert_num_queries(1):
        assert release(process=p, consume=True) == []


def test_unknown_resource_is_a_coded_error(stock, make_process):
    with pytest.raises(KernelError) as info:
        allocate(process=make_process(), requirements=[("botox", 1), ("unicorn", 1)])
    assert info.value.code == "unknown_resource"
    assert not Allocation.objects.exists()


def test_non_positive_quantity_is_a_coded_error(stock, make_process):
    with pytest.raises(KernelError) as info:
        allocate(process=make_process(), requirements=[("botox", 0)])
    assert info.value.code == "resource_invalid"


def test_resources_of_another_tenant_are_invisible(stock, make_process):
    from core.models import Tenant
    from kernel.models import Process

    other_tenant = Tenant.objects.create(name="other", label="Other")
    stranger = Process.objects.create(tenant=other_tenant)
    with pytest.raises(KernelError):
        allocate(process=stranger, requirements=[("botox", 1)])
