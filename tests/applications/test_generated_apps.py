"""The applications layer against the generated repair_shop app: numbers, computed, rows, roles."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from applications.permissions import role_permissions_sync
from applications.seeding import seed_app_rows
from applications.tenancy import tenant_app_config

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    config = tenant_app_config("repair_shop")
    if config is None:
        pytest.fail("generated/repair_shop is missing (run: manage.py generate repair_shop)")
    return config


def test_numbers_are_allocated_and_shared_with_is_a_children(shop):
    customer_model = shop.get_model("Customer")
    business_model = shop.get_model("BusinessCustomer")
    first = customer_model.objects.create(full_name="Ann Lee", phone="12345")
    business = business_model.objects.create(full_name="Bo", phone="12345", company="Acme")
    assert first.number == "C-00001"
    assert business.number == "C-00002"  # one counter: the unique column lives on Customer
    invoice = shop.get_model("Invoice").objects.create(master=first, amount=Decimal("5"))
    assert invoice.number.startswith("INV-") and invoice.number.endswith("-0001")


def test_computed_fields_recompute_on_every_save(shop):
    customer = shop.get_model("Customer").objects.create(full_name="Ann", phone="12345")
    quote = shop.get_model("Quote").objects.create(
        master=customer, labour_hours=Decimal("2.5"), hourly_rate=Decimal("60")
    )
    quote.refresh_from_db()
    assert quote.total == Decimal("150")
    quote.parts_cost = Decimal("19.90")
    quote.save()
    quote.refresh_from_db()
    assert quote.total == Decimal("169.90")
    quote.labour_hours = None  # a half-filled quote still saves; its total is unknown
    quote.save()
    quote.refresh_from_db()
    assert quote.total is None


def test_rows_json_is_seeded_idempotently(shop):
    device_type = shop.get_model("DeviceType")
    device_type.objects.all().delete()
    assert seed_app_rows(shop)["device_type"] == 4
    assert seed_app_rows(shop)["device_type"] == 0
    assert list(device_type.objects.values_list("name", "label")) == [
        ("phone", "Phone"),
        ("laptop", "Laptop"),
        ("tablet", "Tablet"),
        ("console", "Console"),
    ]


def test_role_permissions_sync_on_the_repair_shop_spec(shop, repair_shop_spec_dir):
    from design.specs.validate import validate_folder

    spec = validate_folder(repair_shop_spec_dir)
    role_permissions_sync(tenant="repair_shop", spec=spec)
    technician = set(
        Group.objects.get(name="repair_shop:technician").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert ("repair_shop", "add_quote") in technician
    assert ("repair_shop", "delete_quoteline") in technician  # the quote's inline
    assert ("repair_shop", "view_customer") in technician
    assert ("repair_shop", "change_customer") not in technician
    assert ("repair_shop", "view_fault") in technician  # every role sees the dicts
    front_desk = set(
        Group.objects.get(name="repair_shop:front_desk").permissions.values_list(
            "codename", flat=True
        )
    )
    assert "add_intake" in front_desk and "add_quote" in front_desk  # approve_quote
    assert "add_repair" not in front_desk and "add_inspection" not in front_desk
    assert {g.name for g in Group.objects.filter(name__startswith="repair_shop:")} == {
        f"repair_shop:{role.name}" for role in spec.roles
    }
