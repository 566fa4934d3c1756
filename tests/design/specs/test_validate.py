"""The validator on clean specs: the resolved Spec it builds, and semantic rules on small specs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from design.specs.errors import SpecErrorCode, SpecInvalid
from design.specs.loader import read_spec_folder
from design.specs.model import Choice, Spec
from design.specs.validate import tenant_folders, validate_folder, validate_raw

TENANT = "spec_version: 1\ntenant: {name: shop, label: 商店, language: zh-hans, timezone: Asia/Shanghai}\n"


def make(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "tenant.yaml").write_text(TENANT, encoding="utf-8")
    (folder / "spec.yaml").write_text(textwrap.dedent(body), encoding="utf-8")
    return folder


def errors_of(folder: Path) -> list[tuple[str, str, str]]:
    spec, errors = validate_raw(read_spec_folder(folder))
    assert spec is None
    return [(e.path, e.code.name, e.message) for e in errors]


@pytest.fixture(scope="module")
def repair_shop() -> Spec:
    from tests.conftest import REPAIR_SHOP_SPEC

    return validate_folder(REPAIR_SHOP_SPEC)


def test_repair_shop_tenant_and_counts(repair_shop):
    assert repair_shop.tenant.name == "repair_shop"
    assert repair_shop.tenant.timezone == "Europe/Berlin"
    assert len(repair_shop.entities) == 12
    assert len(repair_shop.services) == 10
    assert [f.name for f in repair_shop.fields] == [
        "full_name",
        "phone",
        "email",
        "notes",
        "amount",
    ]


def test_repair_shop_entities(repair_shop):
    customer = repair_shop.entity("customer")
    assert customer.naming == "C-{#####}"
    assert customer.list_display == ["number", "full_name", "phone"]
    assert customer.search == ["full_name", "phone", "email"]
    phone = customer.fields[1]
    assert (phone.name, phone.source, phone.overrides, phone.required, phone.max_length) == (
        "phone",
        "phone",
        ("required",),
        True,
        20,
    )
    contact = customer.fields[3]
    assert contact.choices == [
        Choice("phone", "phone"),
        Choice("email", "email"),
        Choice("sms", "sms"),
    ]
    assert contact.default == "phone"
    business = repair_shop.entity("business_customer")
    assert business.is_a == "customer"
    assert [f.name for f in repair_shop.all_fields(business)][-2:] == ["company", "vat_number"]
    assert repair_shop.entity("device").part_of == "customer"
    assert repair_shop.entity("device").fields[0].to == "device_type"
    assert repair_shop.entity("repair").fields[1].to == "operator"
    assert repair_shop.entity("intake").fields[1].multiple is True


def test_repair_shop_computed_and_dicts(repair_shop):
    total = repair_shop.entity("quote").fields[3]
    assert (total.name, total.type, total.expression) == (
        "total",
        "computed",
        "labour_hours * hourly_rate + parts_cost",
    )
    device_type = repair_shop.entity("device_type")
    assert device_type.kind == "dict" and device_type.rows_as_strings is True
    assert device_type.rows == [
        {"label": "Phone"},
        {"label": "Laptop"},
        {"label": "Tablet"},
        {"label": "Console"},
    ]
    fault = repair_shop.entity("fault")
    assert fault.rows_as_strings is False and fault.rows[0] == {"label": "Broken screen"}
    method = repair_shop.entity("invoice").fields[2]
    assert method.choices == [Choice("cash", "Cash"), Choice("card", "Card")]


def test_repair_shop_forms_and_services(repair_shop):
    (form,) = repair_shop.forms
    assert form.entity == "quote" and form.inlines == ["quote_line"]
    assert [f.field for f in form.fields] == [
        "labour_hours",
        "hourly_rate",
        "parts_cost",
        "total",
        "valid_until",
    ]
    assert form.fields[0].required is True and form.fields[1].required is None
    inspect = repair_shop.service("inspect")
    assert (inspect.record, inspect.serves, inspect.roles, inspect.duration) == (
        "inspection",
        "customer",
        ["technician"],
        "PT30M",
    )
    assert [(r.resource, r.quantity) for r in inspect.requires] == [("workbench", 1)]
    assert repair_shop.service("write_quote").form == "quote_form"
    assert repair_shop.service("notify_customer").kind == "system"


def test_repair_shop_diagnosis_rules(repair_shop):
    diagnosis = repair_shop.service("diagnosis")
    assert diagnosis.is_program
    rules = [(r.service, r.event, r.instruction, r.operand, r.params) for r in diagnosis.rules]
    assert rules == [
        ("diagnosis", "started", "start_parallel_service", "inspect", {"threads": 2}),
        ("inspect", "children_completed", "start_service", "write_quote", {}),
        ("write_quote", "completed", "calling_return", None, {"returns": ["total"]}),
    ]
    job = repair_shop.service("repair_job")
    decision = job.rules[3]
    assert (decision.mode, decision.params) == ("decision", {"decided_by": ["front_desk"]})
    assert job.rules[5].params == {"to": "manager", "priority": 5}
    assert job.rules[9].params == {"max_retries": 3, "backoff": "PT1M"}


def test_repair_shop_events_roles_resources_views_menu(repair_shop):
    events = {e.name: e for e in repair_shop.events}
    assert events["large_invoice"].expression == "form.amount > 1000"
    assert (events["quote_overdue"].timer.after, events["quote_overdue"].timer.of) == (
        "PT2H",
        "started",
    )
    assert [r.name for r in repair_shop.roles] == ["front_desk", "technician", "manager"]
    assert repair_shop.operators[0].roles == ["front_desk"]
    resources = {r.name: r for r in repair_shop.resources}
    assert (resources["workbench"].kind, resources["workbench"].capacity) == ("equipment", 2)
    assert resources["screen_panel"].quantity == 25
    assert repair_shop.views[0].for_ == "public_tasks"
    assert [c.value for c in repair_shop.views[0].columns] == [
        "entity.full_name",
        "service.label",
        "scheduled_time",
        "pid",
    ]
    assert repair_shop.views[0].columns[3].visible is False
    assert repair_shop.menu[0].entity == "customer"
    assert [c.view for c in repair_shop.menu[2].children] == ["public_tasks", "my_tasks"]


def test_clinic_validates_when_present(clinic_spec_dir):
    assert (clinic_spec_dir / "tenant.yaml").exists()
    spec = validate_folder(clinic_spec_dir)
    assert spec.tenant.name == "clinic"
    assert spec.entities and spec.services


def test_tenant_folders(settings, tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "tenant.yaml").write_text(TENANT)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "tenant.yaml").write_text(TENANT)
    (tmp_path / "notes").mkdir()
    settings.META_SPECS_DIR = tmp_path
    assert tenant_folders() == [tmp_path / "a", tmp_path / "b"]


def test_chinese_labels_derive_names_and_labels_resolve(tmp_path):
    folder = make(
        tmp_path,
        """
        entities:
          - label: 客户来源
            kind: dict
            rows: [朋友介绍, 广告]
          - label: 客户
            fields:
              - {label: 姓名, type: char}
              - {label: 来源, type: ref, to: 客户来源}
            list: [姓名]
        """,
    )
    spec = validate_folder(folder)
    assert [e.name for e in spec.entities] == ["ke_hu_lai_yuan", "ke_hu"]
    customer = spec.entity("ke_hu")
    assert [f.name for f in customer.fields] == ["xing_ming", "lai_yuan"]
    assert customer.fields[1].to == "ke_hu_lai_yuan"
    assert customer.list_display == ["xing_ming"]


def test_reusable_field_overrides_and_rename(tmp_path):
    folder = make(
        tmp_path,
        """
        fields:
          - {label: Phone, name: phone, type: char, max_length: 20}
        entities:
          - label: Person
            fields:
              - phone
              - {field: Phone, name: mobile, label: Mobile, required: true}
        """,
    )
    person = validate_folder(folder).entity("person")
    assert [(f.name, f.label, f.source, f.overrides, f.required) for f in person.fields] == [
        ("phone", "Phone", "phone", (), False),
        ("mobile", "Mobile", "phone", ("name", "label", "required"), True),
    ]


def test_inherited_field_collision(tmp_path):
    folder = make(
        tmp_path,
        """
        entities:
          - {label: Base, fields: [{label: Code, type: char}]}
          - {label: Child, is_a: base, fields: [{label: Code, type: integer}]}
        """,
    )
    ((path, code, message),) = errors_of(folder)
    assert (path, code) == ("entities[1].fields[0].label", "NAME_COLLISION")
    assert message.startswith("field of 'child' name 'code' collides with 'Code'")


def test_iteration_params_and_over_expression(tmp_path):
    folder = make(
        tmp_path,
        """
        entities:
          - {label: Order, fields: [{label: Qty, name: qty, type: integer}]}
          - {label: Line, kind: record, part_of: order, fields: [{label: Qty, name: qty, type: integer}]}
        services:
          - {label: Pick, name: pick, record: line, serves: order}
          - label: Fulfil
            name: fulfil
            serves: order
            rules:
              - {service: fulfil, event: started, instruction: start_iteration_service, operand: pick, params: {over: 'entity.line'}}
              - {service: pick, event: completed, instruction: start_iteration_service, operand: pick, params: {iterations: 0}}
              - {service: pick, event: failed, instruction: start_iteration_service, operand: pick, params: {iterations: 2, over: 'entty.line'}}
        """,
    )
    assert errors_of(folder) == [
        (
            "services[1].rules[1].params.iterations",
            "INVALID_PARAMS",
            "iterations must be a positive integer",
        ),
        (
            "services[1].rules[2].params",
            "INVALID_PARAMS",
            "give exactly one of `iterations` and `over`",
        ),
        (
            "services[1].rules[2].params.over",
            "EXPRESSION_NAME",
            "unknown name 'entty' in expression 'entty.line' (did you mean 'entity'?)",
        ),
    ]


def test_timer_rules(tmp_path):
    folder = make(
        tmp_path,
        """
        events:
          - {label: Daily, name: daily, timer: {cron: '0 9 * * MON-FRI'}}
          - {label: Both, name: both, expression: 'process_priority > 1', timer: {cron: '0 9 * * *'}}
          - {label: No of, name: no_of, timer: {after: PT1H}}
          - {label: Cron of, name: cron_of, timer: {cron: '0 9 * * *', of: started}}
        """,
    )
    assert errors_of(folder) == [
        ("events[1]", "INVALID_VALUE", "an event needs exactly one of `expression` and `timer`"),
        (
            "events[2].timer",
            "MISSING",
            "a timer with `after` needs `of` (started or scheduled_time)",
        ),
        ("events[3].timer.of", "INVALID_VALUE", "`of` goes with `after`, not with `cron`"),
    ]


def test_field_kind_rules(tmp_path):
    folder = make(
        tmp_path,
        """
        entities:
          - label: Thing
            fields:
              - {label: A, type: integer, max_length: 3}
              - {label: B, type: decimal, max_digits: 4, decimal_places: 6}
              - {label: C, type: date, min: '2024-01-01', max: '2023-01-01'}
              - {label: D, type: ref, to: user, default: x}
              - {label: E, type: boolean, default: 'yes please'}
              - {label: F, type: integer, min: 1, max: 5, default: 9}
              - {label: G, type: datetime, role: scheduled_time, default: '2024-01-01T09:00'}
              - {label: H, type: char, role: scheduled_time}
        """,
    )
    assert errors_of(folder) == [
        (
            "entities[0].fields[0].max_length",
            "INVALID_VALUE",
            "`max_length` is only meaningful for char fields, not integer",
        ),
        (
            "entities[0].fields[1].decimal_places",
            "INVALID_VALUE",
            "decimal_places must not exceed max_digits",
        ),
        ("entities[0].fields[2].max", "INVALID_VALUE", "max is smaller than min"),
        ("entities[0].fields[3].default", "INVALID_VALUE", "ref fields take no default"),
        (
            "entities[0].fields[4].default",
            "INVALID_VALUE",
            "default must be true or false (the field is boolean)",
        ),
        ("entities[0].fields[5].default", "INVALID_VALUE", "default 9 is outside min/max"),
        (
            "entities[0].fields[7].role",
            "INVALID_VALUE",
            "`role` is only meaningful for datetime fields, not char",
        ),
    ]


def test_entity_views_paths_and_menu(tmp_path):
    folder = make(
        tmp_path,
        """
        entities:
          - {label: City, fields: [{label: Zip, name: zip, type: char}]}
          - label: Client
            naming: 'CL-{####}'
            fields: [{label: City, name: city, type: ref, to: city}, {label: Owner, name: owner, type: ref, to: operator}]
        views:
          - label: Search
            for: entity_search
            entity: client
            columns:
              - {label: Number, value: number}
              - {label: Zip, value: city.zip}
              - {label: Owner, value: owner.label}
              - {label: Bad, value: city.zap}
              - {label: Deep, value: owner.email}
        menu:
          - {label: Clients, entity: client}
          - {label: Search, view: search}
          - {label: Nothing}
        """,
    )
    assert errors_of(folder) == [
        (
            "views[0].columns[3].value",
            "INVALID_PATH",
            "invalid path 'city.zap': unknown name 'zap' (did you mean 'zip'?)",
        ),
        (
            "views[0].columns[4].value",
            "INVALID_PATH",
            "invalid path 'owner.email': unknown name 'email'",
        ),
        (
            "menu[2]",
            "INVALID_VALUE",
            "a menu item needs exactly one of `entity`, `view` and `children`",
        ),
    ]


def test_rows_with_unknown_fields_and_duplicates(tmp_path):
    folder = make(
        tmp_path,
        """
        entities:
          - label: Level
            kind: dict
            fields: [{label: Rank, name: rank, type: integer}]
            rows: [{label: Gold, rank: 1}, {label: Gold, rnak: 2}]
          - {label: Plain, rows: [a]}
        """,
    )
    assert errors_of(folder) == [
        ("entities[0].rows[1]", "DUPLICATE", "duplicate row 'Gold' (also row 0)"),
        (
            "entities[0].rows[1].rnak",
            "UNKNOWN_REFERENCE",
            "unknown field 'rnak' of 'level' in a row (did you mean 'rank'?)",
        ),
        ("entities[1].rows", "INVALID_VALUE", "only dict entities have rows (this one is model)"),
    ]


def test_shape_errors_stop_before_the_semantic_pass(tmp_path):
    folder = make(
        tmp_path,
        "entities:\n  - {label: A, kind: modle, fields: [{label: X, type: ref, to: nowhere}]}\n",
    )
    assert errors_of(folder) == [
        (
            "entities[0].kind",
            "INVALID_VALUE",
            "'modle' is not one of model, record, dict (did you mean 'model'?)",
        )
    ]


def test_validate_folder_raises_with_every_error(tmp_path):
    folder = make(
        tmp_path,
        "entities:\n  - {label: A, is_a: b}\n  - {label: B, is_a: c}\n  - {label: C, is_a: zz}\n",
    )
    with pytest.raises(SpecInvalid) as info:
        validate_folder(folder)
    assert str(info.value).splitlines() == [
        f"{folder}/spec.yaml:4:22: entities[2].is_a: unknown entity 'zz'",
    ]
    assert [e.code for e in info.value.errors] == [SpecErrorCode.UNKNOWN_REFERENCE]


def test_expression_errors_point_inside_the_expression(tmp_path):
    folder = make(
        tmp_path,
        """
        events:
          - {label: Sneaky, name: sneaky, expression: 'form.__class__'}
          - {label: Calls, name: calls, expression: "open('x')"}
        """,
    )
    spec, errors = validate_raw(read_spec_folder(folder))
    assert [str(e).replace(str(folder), "{d}") for e in errors] == [
        "{d}/spec.yaml:3:53: events[0].expression: syntax error in event expression 'form.__class__': "
        "names starting with '_' are not allowed: '__class__'",
        "{d}/spec.yaml:4:46: events[1].expression: unknown name in event expression \"open('x')\": "
        "open() is not an available function",
    ]
