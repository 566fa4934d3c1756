"""Factories for resource tests: a tenant, processes without a service, resources of each kind."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.models import Tenant
from kernel.models import (
    CapitalResource,
    DeviceResource,
    EquipmentResource,
    KnowledgeResource,
    MaterialResource,
    Process,
    ProcessState,
)


@pytest.fixture
def tenant(db) -> Tenant:
    return Tenant.objects.create(name="res_shop", label="资源测试")


@pytest.fixture
def make_process(tenant):
    def make(state: str = ProcessState.READY, priority: int = 0) -> Process:
        return Process.objects.create(tenant=tenant, state=state, priority=priority)

    return make


@pytest.fixture
def stock(tenant):
    """One resource of every kind, with small limits that tests can exhaust."""
    return {
        "botox": MaterialResource.objects.create(
            tenant=tenant, name="botox", label="肉毒素", unit="支", quantity=Decimal("3")
        ),
        "cash": CapitalResource.objects.create(
            tenant=tenant, name="cash", label="周转金", quantity=Decimal("100.00")
        ),
        "room": EquipmentResource.objects.create(
            tenant=tenant, name="room", label="治疗室", capacity=2
        ),
        "scope": DeviceResource.objects.create(
            tenant=tenant, name="scope", label="皮肤镜", capacity=1
        ),
        "guide": KnowledgeResource.objects.create(tenant=tenant, name="guide", label="护理指南"),
    }
