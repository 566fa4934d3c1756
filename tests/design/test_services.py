"""spec_apply / spec_get: exact round trip, updates in place, removals, rollback, query budget."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from design.models import DataItem, DataItemConsists, Event, MenuItem, Role, Service, ServiceRule
from design.selectors import spec_get
from design.services import spec_apply
from design.specs.errors import SpecErrorCode, SpecInvalid
from design.specs.model import EntitySpec, FieldSpec, RuleSpec, ServiceSpec, Spec, TenantSpec
from tests.design.spec_factories import small_spec

pytestmark = pytest.mark.django_db


def design_counts() -> dict[str, int]:
    """Rows in every table of the design app."""
    return {m.__name__: m.objects.count() for m in apps.get_app_config("design").get_models()}


def test_apply_then_get_returns_the_same_spec():
    spec = small_spec()
    tenant = spec_apply(spec=spec)
    assert tenant.name == "shop" and tenant.pym == "xld"
    got = spec_get(tenant="shop")
    assert got == spec
    assert isinstance(got.services[2].price, Decimal) and got.services[2].price == Decimal("19.99")
    assert got.entities[2].fields[0].default == Decimal("0.95")


def test_reusable_field_usage_is_a_link_with_overrides():
    spec_apply(spec=small_spec())
    customer = DataItem.objects.get(name="customer", kind="model")
    links = list(customer.consists.order_by("order"))
    assert [link.field.name for link in links] == ["full_name", "phone", "contact", "since"]
    assert links[1].field.owner is None and links[1].overrides == {
        "label": "手机",
        "required": True,
    }
    assert links[2].field.owner == customer  # an inline field is owned by its entity
    assert DataItem.objects.filter(kind="field", owner__isnull=True).count() == 2


def test_reapply_unchanged_spec_writes_nothing():
    spec = small_spec()
    spec_apply(spec=spec)
    before = {r.pk: r.updated_time for r in DataItem.objects.all()}
    with CaptureQueriesContext(connection) as ctx:
        spec_apply(spec=spec)
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].lstrip().upper().startswith(("SELECT", "SAVEPOINT", "RELEASE"))
    ]
    assert writes == []
    assert {r.pk: r.updated_time for r in DataItem.objects.all()} == before


def test_spec_get_uses_a_constant_number_of_queries():
    spec_apply(spec=small_spec())
    with CaptureQueriesContext(connection) as small:
        spec_get(tenant="shop")
    big = small_spec("big")
    for i in range(20):
        big.entities.append(
            EntitySpec(
                name=f"e{i}", label=f"实体{i}", fields=[FieldSpec(name="x", label="X", type="char")]
            )
        )
        big.services.append(
            ServiceSpec(
                name=f"s{i}",
                label=f"S{i}",
                rules=[RuleSpec(service=f"s{i}", event="started", instruction="calling_return")],
            )
        )
    spec_apply(spec=big)
    with CaptureQueriesContext(connection) as large:
        assert len(spec_get(tenant="big").entities) == 24
    assert len(large.captured_queries) == len(small.captured_queries) <= 20


def test_edited_spec_updates_in_place_and_removes_what_is_gone():
    spec = small_spec()
    spec_apply(spec=spec)
    ids = {
        "customer": DataItem.objects.get(name="customer", kind="model").erpsys_id,
        "full_name": DataItem.objects.get(name="full_name", owner__isnull=True).erpsys_id,
        "contact": DataItem.objects.get(name="contact").erpsys_id,
        "job": Service.objects.get(name="job").erpsys_id,
        "desk": Role.objects.get(name="desk").erpsys_id,
    }
    edited = copy.deepcopy(spec)
    customer = edited.entity("customer")
    customer.label = "顾客"
    customer.fields = [f for f in customer.fields if f.name != "since"]  # drop an inline field
    customer.fields[2].max_length = 30
    edited.entities = [e for e in edited.entities if e.name != "vip"]  # drop an entity
    edited.fields[0].label = "Full name"
    customer.fields[0].label = "Full name"  # a usage without overrides follows its reusable field
    edited.entities.append(
        EntitySpec(
            name="note", label="备注", fields=[FieldSpec(name="body", label="Body", type="text")]
        )
    )
    job = edited.service("job")
    job.rules = job.rules[:1] + [
        RuleSpec(
            service="take_in",
            event="big",
            instruction="terminate_process",
            params={"scope": "tree"},
        )
    ]
    edited.events = [e for e in edited.events if e.name != "late"]
    edited.roles = edited.roles[:1]
    edited.services[0].roles = ["desk"]
    edited.operators[0].roles = ["desk"]
    edited.menu = edited.menu[1:]
    spec_apply(spec=edited)

    assert spec_get(tenant="shop") == edited
    assert DataItem.objects.get(name="customer", kind="model").erpsys_id == ids["customer"]
    assert DataItem.objects.get(name="customer", kind="model").pym == "gk"
    assert DataItem.objects.get(name="full_name", owner__isnull=True).erpsys_id == ids["full_name"]
    assert DataItem.objects.get(name="contact").erpsys_id == ids["contact"]
    assert Service.objects.get(name="job").erpsys_id == ids["job"]
    assert Role.objects.get(name="desk").erpsys_id == ids["desk"]
    assert not DataItem.objects.filter(name__in=["vip", "since", "rate"]).exists()
    assert not Event.objects.filter(name="late").exists()
    assert not Role.objects.filter(name="boss").exists()
    assert ServiceRule.objects.filter(program__name="job").count() == 2
    assert MenuItem.objects.count() == 2  # "Work" and its child; "Customers" is gone
    assert DataItemConsists.objects.filter(entity__name="customer").count() == 3


def test_two_tenants_are_independent():
    spec_apply(spec=small_spec("one"))
    spec_apply(spec=small_spec("two"))
    other = small_spec("two")
    other.entities = other.entities[:1]
    other.forms, other.services, other.menu = [], [], []
    other.roles = [r for r in other.roles if not r.services]
    other.operators = []
    spec_apply(spec=other)
    assert spec_get(tenant="one") == small_spec("one")
    assert spec_get(tenant="two") == other


def test_an_error_mid_apply_rolls_everything_back():
    spec_apply(spec=small_spec())
    before = design_counts()
    broken = small_spec()
    broken.tenant.label = "changed"
    broken.entities.append(EntitySpec(name="later", label="Later"))
    broken.services[0].roles = ["nobody"]  # unknown role: found only after entities were written
    with pytest.raises(SpecInvalid) as exc:
        spec_apply(spec=broken)
    assert exc.value.errors[0].code == SpecErrorCode.UNKNOWN_REFERENCE
    assert "services[0].roles" in exc.value.errors[0].path
    assert design_counts() == before
    assert spec_get(tenant="shop") == small_spec()


def test_an_error_on_a_new_tenant_leaves_no_tenant():
    before = design_counts()
    broken = Spec(
        tenant=TenantSpec(name="ghost", label="Ghost"),
        entities=[EntitySpec(name="a", label="A", is_a="missing")],
    )
    with pytest.raises(SpecInvalid):
        spec_apply(spec=broken)
    assert design_counts() == before


def bulk_spec(entities: int, fields_per_entity: int) -> Spec:
    """A large synthetic spec: ``entities`` entities with ``fields_per_entity`` inline fields each."""
    return Spec(
        tenant=TenantSpec(name="bulk", label="批量"),
        entities=[
            EntitySpec(
                name=f"entity_{i}",
                label=f"实体 {i}",
                kind="record" if i % 2 else "model",
                part_of=f"entity_{i - 1}" if i % 2 else None,
                fields=[
                    FieldSpec(
                        name=f"field_{j}",
                        label=f"字段 {j}",
                        type="ref" if j == 0 and i else "char",
                        to="entity_0" if j == 0 and i else None,
                        max_length=None if j == 0 and i else 40,
                    )
                    for j in range(fields_per_entity)
                ],
            )
            for i in range(entities)
        ],
    )


def test_bulk_load_writes_in_batches_not_per_row():
    # Speed is measured by bench/spec_scale.py; here: the write is batched (query count bound).
    spec = bulk_spec(300, 10)
    with CaptureQueriesContext(connection) as ctx:
        spec_apply(spec=spec)
    assert DataItem.objects.filter(kind="field").count() == 3000
    assert len(ctx.captured_queries) < 250  # bulk batches (SQLite caps parameters per query)
    assert spec_get(tenant="bulk") == spec


def test_a_value_of_another_type_is_rewritten_though_python_calls_it_equal():
    """0 == False and 1 == 1.0 in Python; a field whose default went from False to 0 must be
    rewritten (found by the export round trip: the export still said ``default: false``)."""
    from design.sync import differs

    assert differs(False, 0) and differs(0, False) and differs(1, 1.0) and differs(True, 1)
    assert differs({"default": False}, {"default": 0}) and differs([1, True], [1, 1])
    assert not differs(0, 0) and not differs([1, "a"], (1, "a")) and not differs({"a": 1}, {"a": 1})
    assert differs({"a": 1}, {"b": 1}) and differs([1], [1, 2])
