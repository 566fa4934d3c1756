"""EntityModel: pinyin, computed fields, numbering and __str__, on a throw-away table."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from django.db import connection, models
from django.test.utils import isolate_apps

from applications.base.models import DictModel, EntityModel, RecordModel, compute_fields
from core import inserts


class _Expr:
    """A stand-in compiled expression: ``a * b`` style over two names, no eval."""

    def __init__(self, source: str) -> None:
        self.left, self.op, self.right = source.split()

    def evaluate(self, namespace: dict) -> object:
        left, right = namespace[self.left], namespace[self.right]
        return left * right if self.op == "*" else left + right


@pytest.fixture
def line_model():
    with isolate_apps("applications"):

        class Line(EntityModel):
            quantity = models.IntegerField(null=True)
            unit_price = models.DecimalField(max_digits=10, decimal_places=2, null=True)
            amount = models.DecimalField(max_digits=12, decimal_places=2, null=True)
            doubled = models.DecimalField(max_digits=12, decimal_places=2, null=True)
            number = models.CharField(max_length=40, blank=True)

            naming_pattern = "L-{YYYY}-{####}"
            computed_fields = {"amount": "quantity * unit_price", "doubled": "amount + amount"}

            class Meta:
                app_label = "applications"

        yield Line


def test_compute_fields_in_order_and_coerced_to_the_column(line_model):
    line = line_model(label="x", quantity=3, unit_price=Decimal("2.50"))
    results = compute_fields(line, compile_expression=_Expr)
    assert line.amount == Decimal("7.50")
    assert line.doubled == Decimal("15.00")
    assert results == {"amount": Decimal("7.50"), "doubled": Decimal("15.00")}


def test_failing_computed_field_becomes_none_and_is_logged(line_model, caplog):
    line = line_model(label="x", quantity=3, unit_price=None, amount=Decimal("1"))
    with caplog.at_level(logging.WARNING, logger="applications.base.models"):
        compute_fields(line, compile_expression=_Expr)
    assert line.amount is None
    assert line.doubled is None
    assert "amount" in caplog.text and "quantity * unit_price" in caplog.text


def test_kernel_sandbox_evaluates_computed_fields(line_model):
    line = line_model(label="x", quantity=4, unit_price=Decimal("1.25"))
    compute_fields(line)
    assert line.amount == Decimal("5.00")
    assert line.doubled == Decimal("10.00")


def test_str_prefers_label_then_number_then_pk(line_model):
    assert str(line_model(label="螺丝", number="L-1", pk=5)) == "螺丝"
    assert str(line_model(label="", number="L-1", pk=5)) == "L-1"
    assert str(line_model(label="", number="", pk=5)) == "5"


def test_base_columns_and_abstract_bases():
    names = {f.name for f in EntityModel._meta.fields}
    assert {"label", "name", "pym", "erpsys_id", "created_time", "updated_time"} <= names
    assert EntityModel._meta.get_field("erpsys_id").unique
    assert not EntityModel._meta.get_field("erpsys_id").editable
    pid = RecordModel._meta.get_field("pid")
    assert pid.remote_field.model == "kernel.Process"
    assert pid.null and pid.remote_field.on_delete is models.SET_NULL
    assert DictModel._meta.ordering == ["id"]
    assert all(m._meta.abstract for m in (EntityModel, RecordModel, DictModel))


@pytest.fixture
def line_table(line_model, transactional_db, monkeypatch):
    monkeypatch.setattr(
        "applications.base.models.compute_fields.__kwdefaults__", {"compile_expression": _Expr}
    )
    with connection.schema_editor() as editor:
        editor.create_model(line_model)
    yield line_model
    with connection.schema_editor() as editor:
        editor.delete_model(line_model)


def test_save_fills_pym_number_and_computed_fields(line_table):
    line = line_table.objects.create(label="机油滤芯", quantity=2, unit_price=Decimal("9.99"))
    line.refresh_from_db()
    assert line.pym == "jylx"
    assert line.amount == Decimal("19.98")
    assert line.number.startswith("L-") and line.number.endswith("-0001")
    second = line_table.objects.create(label="Oil Filter")
    assert second.number.endswith("-0002")
    assert second.pym == "of"
    assert second.amount is None


def test_number_is_kept_on_later_saves_and_update_fields_carry_derived_columns(line_table):
    line = line_table.objects.create(label="a", quantity=1, unit_price=Decimal("1"))
    first_number = line.number
    line.label = "变速箱"
    line.quantity = 5
    line.save(update_fields=["label", "quantity"])
    line.refresh_from_db()
    assert line.number == first_number
    assert line.pym == "bsx"
    assert line.amount == Decimal("5.00")


def _stored(model: type[models.Model], row: models.Model) -> dict:
    """Every column of ``row`` as the database holds it."""
    fresh = model.objects.get(pk=row.pk)
    return {f.attname: getattr(fresh, f.attname) for f in model._meta.concrete_fields}


def _held(model: type[models.Model], row: models.Model) -> dict:
    return {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}


def test_an_insert_is_compiled_once_per_shape_and_stores_what_the_instance_holds(
    line_table, monkeypatch
):
    first = line_table.objects.create(label="机油", quantity=3, unit_price=Decimal("2.50"))
    assert _stored(line_table, first) == _held(line_table, first)
    compiled = [v for k, v in inserts._COMPILED.items() if k[0] is line_table]
    assert len(compiled) == 1 and compiled[0] is not None
    assert compiled[0].sql.startswith("INSERT INTO")

    def django_insert(*args, **kwargs):
        raise AssertionError("the compiled INSERT should have run, not Django's")

    with monkeypatch.context() as patched:
        patched.setattr(models.QuerySet, "_insert", django_insert)
        second = line_table.objects.create(label="滤芯", quantity=4)
    assert second.pk > first.pk
    stored = _stored(line_table, second)
    assert stored == _held(line_table, second)
    assert (stored["pym"], stored["quantity"], stored["amount"]) == ("lx", 4, None)
    assert stored["number"].endswith("-0002")


def test_an_insert_with_an_expression_value_takes_djangos_own_path(line_table, monkeypatch):
    line_table.objects.create(label="a")  # the shape is compiled
    calls = []
    django_insert = models.QuerySet._insert

    def counted(self, *args, **kwargs):
        calls.append(self.model)
        return django_insert(self, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(models.QuerySet, "_insert", counted)
        row = line_table.objects.create(label="b", quantity=models.Value(6))
        assert calls == [line_table]
        line_table.objects.create(label="c", quantity=7)  # the compiled shape still serves
        assert calls == [line_table]
    assert line_table.objects.get(pk=row.pk).quantity == 6
