"""The built-in event low_stock: a task whose hold puts a material below its minimum fires it
once, and a rule on it starts a re-order task."""

from __future__ import annotations

import pytest

from design.specs.model import RequirementSpec, ResourceSpec
from kernel import services
from kernel.models import Process
from kernel.resources import low_stock
from tests.kernel.helpers import live, operator, publish, rule, start, tiny_spec

pytestmark = pytest.mark.django_db

T = "t_low"


@pytest.fixture
def shop():
    spec = tiny_spec(
        T,
        programs={
            "job": [
                rule("job", "started", "start_service", "a"),
                rule("a", "low_stock", "start_service", "reorder"),
            ]
        },
        tasks=["a", "reorder"],
    )
    spec.resources = [
        ResourceSpec(
            name="botox", label="Botox", kind="material", quantity=4, minimum=2, keepers=["boss"]
        )
    ]
    spec.services[0].requires = [RequirementSpec(resource="botox", quantity=1)]
    publish(spec)


def run_one() -> Process:
    a = live(start(T, "job"), "a")
    return services.task_claim(process=a, operator=operator(T, "wanda"))


def reorders() -> list[Process]:
    return list(Process.objects.filter(tenant__name=T, service__name="reorder").order_by("pid"))


def test_crossing_the_minimum_starts_the_reorder_once(shop):
    seen = []

    def receiver(sender, resource, balance, process, operator, **kwargs):
        seen.append((resource.name, balance, process.pk, operator.name))

    low_stock.connect(receiver)
    try:
        run_one()  # 4 -> 3
        run_one()  # 3 -> 2: at the minimum, not below
        assert reorders() == []
        third = run_one()  # 2 -> 1: below
        fourth = run_one()  # 1 -> 0: still below, no new crossing
    finally:
        low_stock.disconnect(receiver)
    assert third.state == fourth.state == "RUNNING"
    [reorder] = reorders()
    assert reorder.state == "READY" and reorder.parent_id == third.parent_id
    assert seen == [("botox", 1, third.pk, "wanda")]


def test_stock_received_back_above_the_minimum_can_cross_again(shop):
    for _ in range(3):
        run_one()  # 4 -> 1: crossed once
    services.stock_adjust(
        resource=services_resource(), operator=operator(T, "bea"), reason="receive", quantity=5
    )  # 1 -> 6
    for _ in range(4):
        run_one()  # 6 -> 2: at the minimum
    assert len(reorders()) == 1
    run_one()  # 2 -> 1: crossed again
    assert len(reorders()) == 2


def services_resource():
    from kernel.models import Resource

    return Resource.objects.get(tenant__name=T, name="botox")
