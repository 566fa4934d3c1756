"""The resource ledger: every allocation, release, consumption and stock adjustment is an entry,
and each resource's entries add up to its balance (kernel.E003)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from core.models import Tenant
from kernel.checks import check_resource_ledgers
from kernel.errors import KernelError
from kernel.models import (
    EquipmentResource,
    LedgerEntry,
    MaterialResource,
    Operator,
    Resource,
    Role,
)
from kernel.resources import (
    allocate,
    balance_of,
    ledger_mismatches,
    low_stock,
    release,
    resources_sync,
    stock_adjust,
)

pytestmark = pytest.mark.django_db


def entries(name: str) -> list[tuple[str, Decimal, Decimal]]:
    return [
        (e.reason, e.quantity, e.balance)
        for e in LedgerEntry.objects.filter(resource__name=name).order_by("pk")
    ]


@pytest.fixture
def keeper(tenant) -> Operator:
    role = Role.objects.create(tenant=tenant, name="stock_keeper", label="库管")
    operator = Operator.objects.create(tenant=tenant, name="kim", label="Kim")
    operator.roles.add(role)
    return operator


@pytest.fixture
def outsider(tenant) -> Operator:
    role = Role.objects.create(tenant=tenant, name="doctor", label="医生")
    operator = Operator.objects.create(tenant=tenant, name="doc", label="Doc")
    operator.roles.add(role)
    return operator


@pytest.fixture
def kept(stock):
    for name in ("botox", "cash"):
        Resource.objects.filter(name=name).update(keepers=["stock_keeper"])
    return {name: Resource.objects.get(pk=r.pk) for name, r in stock.items()}


def test_new_resources_open_their_ledger_knowledge_has_none(stock):
    assert entries("botox") == [("opening", Decimal("3"), Decimal("3"))]
    assert entries("room") == [("opening", Decimal("2"), Decimal("2"))]
    assert entries("cash") == [("opening", Decimal("100"), Decimal("100"))]
    assert entries("guide") == []
    assert ledger_mismatches() == []


def test_allocate_release_and_consume_write_entries_that_add_up(stock, make_process):
    p = make_process()
    p.operator = Operator.objects.create(tenant=p.tenant, name="nina", label="Nina")
    p.save()
    assert allocate(process=p, requirements=[("botox", 2), ("room", 1), ("guide", 1)])
    assert entries("botox")[1:] == [("allocate", Decimal("-2"), Decimal("1"))]
    assert entries("room")[1:] == [("allocate", Decimal("-1"), Decimal("1"))]
    assert entries("guide") == []
    row = LedgerEntry.objects.filter(reason="allocate").first()
    assert (row.process_id, row.operator_id, row.tenant_id) == (p.pk, p.operator_id, p.tenant_id)
    assert ledger_mismatches() == []

    release(process=p, consume=True)
    # The hold ends and the stock drops by as much: the free balance stays 1.
    assert entries("botox")[2:] == [
        ("release", Decimal("2"), Decimal("3")),
        ("consume", Decimal("-2"), Decimal("1")),
    ]
    assert entries("room")[2:] == [("release", Decimal("1"), Decimal("2"))]
    assert MaterialResource.objects.get(name="botox").quantity == Decimal("1")
    assert ledger_mismatches() == []


def test_cancel_releases_without_a_consume_entry(stock, make_process):
    p = make_process()
    assert allocate(process=p, requirements=[("botox", 3)])
    release(process=p, consume=False)
    assert [e[0] for e in entries("botox")] == ["opening", "allocate", "release"]
    assert balance_of(Resource.objects.get(name="botox")) == Decimal("3")
    assert ledger_mismatches() == []


def test_a_short_allocation_writes_nothing(stock, make_process):
    assert not allocate(process=make_process(), requirements=[("room", 1), ("botox", 4)])
    assert LedgerEntry.objects.exclude(reason="opening").count() == 0


def test_keeper_receives_counts_and_writes_off(kept, keeper, make_process):
    botox = kept["botox"]
    holder = make_process()
    assert allocate(process=holder, requirements=[("botox", 1)])
    row = stock_adjust(resource=botox, operator=keeper, reason="receive", quantity=10, note="PO 7")
    assert (row.quantity, row.balance, row.operator_id, row.note) == (
        Decimal(10),
        Decimal(12),
        keeper.pk,
        "PO 7",
    )
    stock_adjust(resource=botox.pk, operator=keeper, reason="write_off", quantity="2.5")
    stock_adjust(resource=botox, operator=keeper, reason="count", counted=11)
    assert entries("botox")[2:] == [
        ("receive", Decimal(10), Decimal(12)),
        ("write_off", Decimal("-2.5"), Decimal("9.5")),
        ("count", Decimal("0.5"), Decimal(10)),
    ]
    assert MaterialResource.objects.get(pk=botox.pk).quantity == Decimal(11)
    stock_adjust(resource=kept["cash"], operator=keeper, reason="receive", quantity="0.01")
    assert ledger_mismatches() == []


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"reason": "write_off", "quantity": 3}, "resource_short"),  # 1 of 3 is held
        ({"reason": "count", "counted": 0}, "resource_short"),  # below what is held
        ({"reason": "receive", "quantity": -1}, "invalid_params"),
        ({"reason": "receive", "quantity": 0}, "invalid_params"),
        ({"reason": "receive", "quantity": "lots"}, "invalid_params"),
        ({"reason": "receive", "quantity": "1.001"}, "invalid_params"),
        ({"reason": "receive", "quantity": "NaN"}, "invalid_params"),
        ({"reason": "receive", "quantity": True}, "invalid_params"),
        ({"reason": "receive", "quantity": "1e20"}, "invalid_params"),
        ({"reason": "consume", "quantity": 1}, "invalid_params"),
        ({"reason": "count"}, "invalid_params"),
    ],
)
def test_bad_adjustments_are_coded_and_change_nothing(kept, keeper, make_process, kwargs, code):
    assert allocate(process=make_process(), requirements=[("botox", 1)])
    before = (LedgerEntry.objects.count(), MaterialResource.objects.get(name="botox").quantity)
    with pytest.raises(KernelError) as caught:
        stock_adjust(resource=kept["botox"], operator=keeper, **kwargs)
    assert caught.value.code == code
    after = (LedgerEntry.objects.count(), MaterialResource.objects.get(name="botox").quantity)
    assert after == before


def test_only_keepers_of_the_same_tenant_adjust_stock(kept, keeper, outsider):
    with pytest.raises(KernelError) as caught:
        stock_adjust(resource=kept["botox"], operator=outsider, reason="receive", quantity=1)
    assert caught.value.code == "not_permitted"
    keeper.is_active = False
    keeper.save()
    with pytest.raises(KernelError) as caught:
        stock_adjust(resource=kept["botox"], operator=keeper, reason="receive", quantity=1)
    assert caught.value.code == "not_permitted"
    other = Tenant.objects.create(name="other_shop", label="Other")
    stranger = Operator.objects.create(tenant=other, name="kim", label="Kim")
    with pytest.raises(KernelError) as caught:
        stock_adjust(resource=kept["botox"], operator=stranger, reason="receive", quantity=1)
    assert caught.value.code == "tenant_mismatch"
    with pytest.raises(KernelError) as caught:  # equipment has no stock
        stock_adjust(resource=kept["room"], operator=outsider, reason="receive", quantity=1)
    assert caught.value.code == "resource_invalid"
    assert LedgerEntry.objects.exclude(reason="opening").count() == 0


def test_a_superusers_operator_may_adjust_without_keepers(stock, tenant):
    user = get_user_model().objects.create_superuser("root", password="x")
    boss = Operator.objects.create(tenant=tenant, name="root", label="Root", user=user)
    stock_adjust(resource=stock["botox"], operator=boss, reason="receive", quantity=1)
    assert entries("botox")[-1] == ("receive", Decimal(1), Decimal(4))


def test_falling_below_minimum_sends_low_stock_once(kept, keeper, make_process):
    MaterialResource.objects.filter(name="botox").update(minimum=Decimal(2))
    botox = MaterialResource.objects.get(name="botox")
    seen = []

    def receiver(sender, resource, balance, process, operator, **kwargs):
        seen.append((resource.name, balance, process, operator))

    low_stock.connect(receiver)
    try:
        stock_adjust(resource=botox, operator=keeper, reason="write_off", quantity=1)  # 3 -> 2
        assert seen == []
        stock_adjust(resource=botox, operator=keeper, reason="write_off", quantity=1)  # 2 -> 1
        stock_adjust(resource=botox, operator=keeper, reason="write_off", quantity=1)  # 1 -> 0
    finally:
        low_stock.disconnect(receiver)
    assert seen == [("botox", Decimal(1), None, keeper)]
    low: list = []
    stock_adjust(resource=botox, operator=keeper, reason="receive", quantity=5)
    assert allocate(process=make_process(), requirements=[("botox", 4)], low_stock=low)
    assert [r.name for r in low] == ["botox"]  # 5 -> 1: below 2


def test_system_check_reports_a_balance_changed_behind_the_ledger(stock):
    assert check_resource_ledgers() == []
    MaterialResource.objects.filter(name="botox").update(quantity=Decimal(7))
    errors = check_resource_ledgers()
    assert [e.id for e in errors] == ["kernel.E003"]
    assert "res_shop.botox" in errors[0].msg and "balance 7" in errors[0].msg


def test_republished_capacity_is_a_ledger_entry(tenant, make_process):
    from design.specs.model import ResourceSpec

    resources_sync(
        tenant=tenant,
        resources=[ResourceSpec(name="bench", label="Bench", kind="equipment", capacity=2)],
    )
    assert allocate(process=make_process(), requirements=[("bench", 1)])
    resources_sync(
        tenant=tenant,
        resources=[ResourceSpec(name="bench", label="Bench", kind="equipment", capacity=5)],
    )
    assert EquipmentResource.objects.get(name="bench").capacity == 5
    assert entries("bench") == [
        ("opening", Decimal(2), Decimal(2)),
        ("allocate", Decimal(-1), Decimal(1)),
        ("capacity", Decimal(3), Decimal(4)),
    ]
    assert ledger_mismatches() == []
