"""The committed generated apps migrate (the test database is built from their migrations) and work."""

from __future__ import annotations

import decimal

import pytest
from django.apps import apps
from django.db import connection


def _tables_exist() -> None:
    tables = set(connection.introspection.table_names())
    for tenant in ("repair_shop", "clinic"):
        config = apps.get_app_config(tenant)
        for model in config.get_models():
            assert model._meta.db_table in tables, model._meta.db_table
            assert model._meta.db_table.startswith(f"{tenant}_")


def _quote_computes_and_numbers() -> None:
    from generated.repair_shop import models

    customer = models.Customer.objects.create(label="Ana", full_name="Ana", phone="12345")
    assert customer.number.startswith("C-")
    quote = models.Quote.objects.create(
        master=customer,
        labour_hours=decimal.Decimal("2"),
        hourly_rate=decimal.Decimal("60"),
        parts_cost=5,
    )
    quote.refresh_from_db()
    assert quote.total == decimal.Decimal("125.0000")
    business = models.BusinessCustomer.objects.create(
        label="B", full_name="B", phone="12345", company="Co"
    )
    assert models.Customer.objects.filter(pk=business.pk).exists()


@pytest.mark.django_db
def test_committed_apps_migrate_on_the_default_database() -> None:
    _tables_exist()
    _quote_computes_and_numbers()


@pytest.mark.postgres
@pytest.mark.django_db
def test_committed_apps_migrate_on_postgresql() -> None:
    assert connection.vendor == "postgresql"
    _tables_exist()
    _quote_computes_and_numbers()
