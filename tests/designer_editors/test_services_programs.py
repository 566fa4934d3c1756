"""Service, program (rules), event, role and resource editors: the same flow as the field editor."""

from __future__ import annotations

import pytest

from design.editors import store
from design.models import ServiceRule
from design.specs.validate import validate_folder
from tests.design.specs.helpers import folder_digest
from tests.designer_editors.conftest import hx
from tests.designer_editors.test_entities import assert_byte_stable, errors_at

pytestmark = pytest.mark.django_db

RULES = "/design/repair_shop/programs/repair_job/rules"


def service(specs, tenant, name):
    return next(s for s in validate_folder(specs / tenant).services if s.name == name)


def test_editing_a_service(specs, analyst_client):
    url = "/design/clinic/services/new_appointment/"
    page = analyst_client.get(url).content.decode()
    for key in ("record", "serves", "form", "roles", "duration", "requires", "manual_start"):
        assert f'name="{key}"' in page
    before = folder_digest(specs / "clinic")
    bad = hx(
        analyst_client,
        "post",
        f"{url}check/",
        {"_original": "new_appointment", "label": "新预约", "duration": "30 minutes"},
    )
    assert [c for c, _m in errors_at(bad.content.decode(), "el-duration")] == ["invalid_duration"]
    refused = hx(
        analyst_client,
        "post",
        url,
        {"_original": "new_appointment", "label": "新预约", "duration": "30 minutes"},
    )
    assert 'data-ok="0"' in refused.content.decode()
    assert folder_digest(specs / "clinic") == before

    saved = hx(
        analyst_client,
        "post",
        url,
        {
            "_original": "new_appointment",
            "label": "新预约",
            "duration": "PT45M",
            "roles": "receptionist, doctor",
        },
    )
    assert 'data-ok="1"' in saved.content.decode()
    changed = service(specs, "clinic", "new_appointment")
    assert changed.duration == "PT45M" and list(changed.roles) == ["receptionist", "doctor"]
    assert_byte_stable(specs / "clinic")


def test_programs_list_only_services_with_rules(specs, analyst_client):
    html = analyst_client.get("/design/repair_shop/programs/").content.decode()
    assert 'data-key="repair_job"' in html and 'data-key="diagnosis"' in html
    assert 'data-key="invoice_service"' not in html


def test_adding_a_rule_to_repair_shops_program(specs, analyst_client):
    program = service(specs, "repair_shop", "repair_job")
    index = len(program.rules)
    form = hx(analyst_client, "get", f"{RULES}/{index}/").content.decode()
    assert 'name="instruction"' in form and 'name="params.operator"' in form  # start_service
    # Choosing another instruction shows the parameters it takes.
    drawn = hx(
        analyst_client,
        "post",
        f"{RULES}/{index}/render/",
        {
            "_original": str(index),
            "_new": "1",
            "service": "invoice_service",
            "event": "failed",
            "instruction": "retry_process",
        },
    ).content.decode()
    assert 'name="params.max_retries"' in drawn and 'name="params.backoff"' in drawn
    assert 'name="params.operator"' not in drawn
    assert 'name="_new" value="1"' in drawn  # still a new rule: saving it appends

    before = folder_digest(specs / "repair_shop")
    bad = hx(
        analyst_client,
        "post",
        f"{RULES}/{index}/",
        {
            "_original": str(index),
            "_new": "1",
            "service": "invoice_service",
            "event": "failed",
            "instruction": "retry_process",
            "params.backoff": "soon",
        },
    )
    assert 'data-ok="0"' in bad.content.decode()
    assert folder_digest(specs / "repair_shop") == before

    ok = hx(
        analyst_client,
        "post",
        f"{RULES}/{index}/",
        {
            "_original": str(index),
            "_new": "1",
            "service": "invoice_service",
            "event": "failed",
            "instruction": "retry_process",
            "params.max_retries": "2",
            "params.backoff": "PT5M",
        },
    )
    assert 'data-ok="1"' in ok.content.decode()
    rule = service(specs, "repair_shop", "repair_job").rules[-1]
    assert (rule.service, rule.event, rule.instruction, rule.operand) == (
        "invoice_service",
        "failed",
        "retry_process",
        None,
    )
    assert rule.params == {"max_retries": 2, "backoff": "PT5M"}
    assert (
        "{service: invoice_service, event: failed, instruction: retry_process, params: {max_retries: 2, backoff: PT5M}}"
        in (specs / "repair_shop" / "services.yaml").read_text(encoding="utf-8")
    )
    assert_byte_stable(specs / "repair_shop")
    assert ServiceRule.objects.filter(tenant__name="repair_shop").count() == sum(
        len(s.rules) for s in validate_folder(specs / "repair_shop").services
    )


def test_a_rule_with_an_unknown_operand_is_located(specs, analyst_client):
    html = hx(
        analyst_client,
        "post",
        f"{RULES}/0/check/",
        {
            "_original": "0",
            "service": "repair_job",
            "event": "started",
            "instruction": "start_service",
            "operand": "intake_servce",
        },
    ).content.decode()
    found = errors_at(html, "child-operand")
    assert found and found[0][0] == "unknown_reference" and "intake_service" in found[0][1]


def test_decision_mode_asks_who_decides(specs, analyst_client):
    html = hx(
        analyst_client,
        "post",
        f"{RULES}/3/render/",
        {
            "_original": "3",
            "service": "approve_quote",
            "event": "completed",
            "instruction": "start_service",
            "operand": "repair_device",
            "mode": "decision",
        },
    ).content.decode()
    assert 'name="params.decided_by"' in html


def test_an_invalid_event_expression_shows_its_error_and_writes_nothing(specs, analyst_client):
    before = folder_digest(specs / "repair_shop")
    events = store.load("repair_shop").data["events"]
    name = next(e["name"] for e in events if "expression" in e)
    url = f"/design/repair_shop/events/{name}/"
    html = hx(
        analyst_client,
        "post",
        f"{url}check/",
        {"_original": name, "label": "x", "expression": "form.total >"},
    ).content.decode()
    assert [c for c, _m in errors_at(html, "el-expression")] == ["expression_syntax"]
    html = hx(
        analyst_client,
        "post",
        f"{url}check/",
        {"_original": name, "label": "x", "expression": "frm.total > 1"},
    ).content.decode()
    assert [c for c, _m in errors_at(html, "el-expression")] == ["expression_name"]
    saved = hx(
        analyst_client, "post", url, {"_original": name, "label": "x", "expression": "form.total >"}
    )
    assert 'data-ok="0"' in saved.content.decode()
    assert folder_digest(specs / "repair_shop") == before


def test_roles_rights_and_resources(specs, analyst_client):
    roles = store.load("repair_shop").data["roles"]
    role = roles[0]["name"]
    url = f"/design/repair_shop/roles/{role}/"
    bad = hx(
        analyst_client,
        "post",
        f"{url}check/",
        {"_original": role, "label": roles[0]["label"], "entities": "customer: view, fly"},
    )
    assert errors_at(bad.content.decode(), "el-entities")
    ok = hx(
        analyst_client,
        "post",
        url,
        {"_original": role, "label": roles[0]["label"], "entities": "customer: view, add"},
    )
    assert 'data-ok="1"' in ok.content.decode()
    spec_role = next(r for r in validate_folder(specs / "repair_shop").roles if r.name == role)
    assert dict(spec_role.entities) == {"customer": ["view", "add"]} or dict(
        spec_role.entities
    ) == {"customer": ("view", "add")}

    created = analyst_client.post(
        "/design/repair_shop/resources/",
        {"label": "Spare phone", "name": "spare_phone", "kind": "device"},
    )
    assert created.status_code == 302
    assert any(r.name == "spare_phone" for r in validate_folder(specs / "repair_shop").resources)
    assert_byte_stable(specs / "repair_shop")
