"""DataItem naming rules: entities, reusable fields and inline fields are separate namespaces."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from core.models import Tenant
from design.models import DataItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant() -> Tenant:
    return Tenant.objects.create(name="t", label="租户")


def make(tenant: Tenant, name: str, kind: str, owner: DataItem | None = None) -> DataItem:
    return DataItem.objects.create(tenant=tenant, name=name, label=name, kind=kind, owner=owner)


def test_pym_follows_label_on_save(tenant):
    item = DataItem.objects.create(tenant=tenant, name="customer", label="客户", kind="model")
    assert item.pym == "kh"
    item.label = "VIP 客户"
    item.save(update_fields=["label"])
    item.refresh_from_db()
    assert item.pym == "vkh" and item.is_entity


def test_an_entity_and_a_reusable_field_may_share_a_name(tenant):
    make(tenant, "customer_source", "model")
    make(tenant, "customer_source", "field")
    assert DataItem.objects.filter(name="customer_source").count() == 2


def test_entity_names_are_unique_per_tenant(tenant):
    make(tenant, "customer", "model")
    make(Tenant.objects.create(name="u", label="U"), "customer", "model")
    with pytest.raises(IntegrityError), transaction.atomic():
        make(tenant, "customer", "record")


def test_reusable_field_names_are_unique_per_tenant(tenant):
    make(tenant, "phone", "field")
    with pytest.raises(IntegrityError), transaction.atomic():
        make(tenant, "phone", "field")


def test_inline_field_names_are_unique_per_owner_only(tenant):
    a, b = make(tenant, "a", "model"), make(tenant, "b", "model")
    make(tenant, "phone", "field")  # a reusable field of the same name does not clash
    make(tenant, "phone", "field", owner=a)
    make(tenant, "phone", "field", owner=b)
    with pytest.raises(IntegrityError), transaction.atomic():
        make(tenant, "phone", "field", owner=a)


def test_deleting_an_entity_deletes_its_inline_fields(tenant):
    a = make(tenant, "a", "model")
    make(tenant, "x", "field", owner=a)
    a.delete()
    assert not DataItem.objects.filter(name="x").exists()
