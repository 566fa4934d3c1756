"""Entity and field editors: edits end as byte-stable spec files, errors are located, nothing is
written on error, and only analysts get in."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

from design.editors import store
from design.editors.schema import CHILD_KINDS, KINDS, apply_post, as_mapping, keys_for, to_text
from design.models import DataItem
from design.specs.export import spec_to_files
from design.specs.validate import validate_folder
from tests.design.specs.helpers import folder_digest
from tests.designer_editors.conftest import hx

pytestmark = pytest.mark.django_db

FIELDS = "/design/clinic/entities/appointment/fields"


def appointment_fields(specs):
    spec = validate_folder(specs / "clinic")
    return next(e for e in spec.entities if e.name == "appointment").fields


def assert_byte_stable(folder):
    """The files are exactly what the exporter writes for the spec they hold."""
    files = spec_to_files(validate_folder(folder))
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.yaml")}
    assert on_disk == files


def add_field(client, index, **values):
    data = {"_original": str(index), "_new": "1", **values}
    return hx(client, "post", f"{FIELDS}/{index}/", data)


def new_index(specs) -> int:
    return len(appointment_fields(specs))


def test_adding_an_optional_field_writes_byte_stable_files_and_the_design_tables(
    specs, analyst_client
):
    index = new_index(specs)
    response = add_field(
        analyst_client,
        index,
        label="紧急联系人",
        name="emergency_contact",
        type="char",
        max_length="50",
        required="false",
    )
    assert response.status_code == 200
    assert 'data-ok="1"' in response.content.decode()
    fields = appointment_fields(specs)
    added = fields[-1]
    assert (added.name, added.type, added.max_length, added.required) == (
        "emergency_contact",
        "char",
        50,
        False,
    )
    assert_byte_stable(specs / "clinic")
    assert "{name: emergency_contact, label: 紧急联系人, type: char, max_length: 50}" in (
        specs / "clinic" / "entities.yaml"
    ).read_text(encoding="utf-8")
    assert DataItem.objects.filter(tenant__name="clinic", name="appointment").exists()
    assert store.check(store.load("clinic").data, "clinic").ok

    # Saving the same field again changes no byte.
    before = folder_digest(specs / "clinic")
    again = hx(
        analyst_client,
        "post",
        f"{FIELDS}/{index}/",
        {
            "_original": str(index),
            "label": "紧急联系人",
            "name": "emergency_contact",
            "type": "char",
            "max_length": "50",
        },
    )
    assert "nothing changed" in again.content.decode() or "没有变化" in again.content.decode()
    assert folder_digest(specs / "clinic") == before


@pytest.mark.parametrize("tenant", ["clinic", "repair_shop"])
def test_every_element_round_trips_through_its_form(specs, tenant):
    """What the form shows, posted back unchanged, is the same element (every kind, every key)."""
    data = store.load(tenant).data
    seen = 0
    for section, kind in KINDS.items():
        for element in data.get(section) or []:
            post = {
                k.name: to_text(k, _get(as_mapping(element, section), k.name))
                for k in keys_for(section, as_mapping(element, section), child=False)
            }
            assert apply_post(section, element, post, child=False) == element, (section, element)
            seen += 1
            for child, child_kind in kind.children.items():
                for item in element.get(child) or []:
                    mapping = as_mapping(item, child_kind)
                    post = {
                        k.name: to_text(k, _get(mapping, k.name))
                        for k in keys_for(child_kind, mapping, child=True)
                    }
                    assert apply_post(child_kind, item, post, child=True) == item, (child, item)
                    seen += 1
    assert seen > 50
    assert set(CHILD_KINDS) >= {"field", "rule", "column", "form_field"}


def _get(mapping, dotted):
    value = mapping
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def errors_at(html: str, input_id: str) -> list[tuple[str, str]]:
    """(code, message) of the errors shown in the slot of one input."""
    match = re.search(
        rf'<div id="{input_id}-err"[^>]*>(.*?)</div>\s*(?=<div id=|$|\n\s*</div>)', html, re.S
    )
    assert match, f"no error slot for {input_id}"
    return re.findall(r'data-code="([a-z_]+)">(.*?) <span', match.group(1), re.S)


def test_live_check_shows_the_validators_errors_at_the_inputs_they_concern(specs, analyst_client):
    index = new_index(specs)
    before = folder_digest(specs / "clinic")
    response = hx(
        analyst_client,
        "post",
        f"{FIELDS}/{index}/check/",
        {"_original": str(index), "_new": "1", "label": "计费", "type": "char", "max_length": "x"},
    )
    html = response.content.decode()
    assert errors_at(html, "child-max_length") == [
        ("schema", "expected an integer, got &#x27;x&#x27;")
    ]
    assert errors_at(html, "child-label") == []
    assert 'hx-swap-oob="true"' in html

    response = hx(
        analyst_client,
        "post",
        f"{FIELDS}/{index}/check/",
        {
            "_original": str(index),
            "_new": "1",
            "label": "总额",
            "name": "total",
            "type": "computed",
            "expression": "quantity * (",
        },
    )
    codes = [c for c, _m in errors_at(response.content.decode(), "child-expression")]
    assert codes == ["expression_syntax"]

    response = hx(
        analyst_client,
        "post",
        f"{FIELDS}/{index}/check/",
        {
            "_original": str(index),
            "_new": "1",
            "label": "推荐人",
            "name": "referrer",
            "type": "ref",
            "to": "custmer",
        },
    )
    found = errors_at(response.content.decode(), "child-to")
    assert found[0][0] == "unknown_reference" and "customer" in found[0][1]
    assert folder_digest(specs / "clinic") == before  # checking writes nothing


def test_an_invalid_save_writes_nothing_and_keeps_the_typed_values(specs, analyst_client):
    index = new_index(specs)
    folder = specs / "clinic"
    before = folder_digest(folder)
    response = add_field(
        analyst_client, index, label="总额", name="total", type="computed", expression="amount +"
    )
    html = response.content.decode()
    assert 'data-ok="0"' in html and "expression_syntax" in html
    assert 'value="amount +"' in html  # the analyst's input is still there
    assert folder_digest(folder) == before
    assert not store.draft_path("clinic").exists()


def test_a_draft_keeps_errors_outside_meta_specs(specs, analyst_client):
    index = new_index(specs)
    before = folder_digest(specs / "clinic")
    add_field(
        analyst_client,
        index,
        label="总额",
        name="total",
        type="computed",
        expression="amount +",
        _action="draft",
    )
    assert folder_digest(specs / "clinic") == before
    draft = store.draft_path("clinic")
    assert draft.is_file() and "NOT the tenant's spec" in draft.read_text(encoding="utf-8")
    page = analyst_client.get("/design/clinic/entities/appointment/").content.decode()
    assert 'id="draft-banner"' in page
    # Fixing the draft and saving writes the spec and drops the draft.
    response = hx(
        analyst_client,
        "post",
        f"{FIELDS}/{index}/",
        {
            "_original": str(index),
            "label": "总额",
            "name": "total",
            "type": "computed",
            "expression": "1 + 1",
        },
    )
    assert 'data-ok="1"' in response.content.decode()
    assert not draft.exists()
    assert appointment_fields(specs)[-1].expression == "1 + 1"


def test_type_specific_inputs(specs, analyst_client):
    index = new_index(specs)
    html = hx(
        analyst_client,
        "post",
        f"{FIELDS}/{index}/render/",
        {"_original": str(index), "_new": "1", "label": "x", "type": "ref"},
    ).content.decode()
    assert 'name="to"' in html and 'name="on_delete"' in html and 'name="max_length"' not in html
    html = hx(
        analyst_client,
        "post",
        f"{FIELDS}/{index}/render/",
        {"_original": str(index), "_new": "1", "label": "x", "type": "decimal"},
    ).content.decode()
    assert 'name="max_digits"' in html and 'name="to"' not in html


def test_reorder_and_delete_with_a_warning_of_what_depends_on_it(specs, analyst_client):
    names = [f.name for f in appointment_fields(specs)]
    hx(analyst_client, "post", f"{FIELDS}/1/move/", {"direction": "up"})
    moved = [f.name for f in appointment_fields(specs)]
    assert moved[:2] == [names[1], names[0]] and moved[2:] == names[2:]
    assert_byte_stable(specs / "clinic")

    # scheduled_at is used by forms and views: the warning lists them; deleting is refused.
    index = moved.index("scheduled_at")
    warning = hx(analyst_client, "get", f"{FIELDS}/{index}/delete/").content.decode()
    assert "forms[" in warning and "unknown_reference" in warning
    before = folder_digest(specs / "clinic")
    refused = hx(analyst_client, "post", f"{FIELDS}/{index}/delete/", {"_action": "save"})
    assert folder_digest(specs / "clinic") == before
    assert 'data-ok="0"' in refused.content.decode()

    # A field nothing refers to goes at once.
    index = len(moved)
    add_field(analyst_client, index, label="临时备注", name="temp_note", type="text")
    assert appointment_fields(specs)[-1].name == "temp_note"
    nothing = hx(analyst_client, "get", f"{FIELDS}/{index}/delete/").content.decode()
    assert "depends" not in nothing
    hx(analyst_client, "post", f"{FIELDS}/{index}/delete/", {"_action": "save"})
    assert [f.name for f in appointment_fields(specs)] == moved
    assert_byte_stable(specs / "clinic")


def test_adding_an_entity_and_the_pinyin_picker(specs, analyst_client):
    response = analyst_client.post(
        "/design/clinic/entities/", {"label": "会员卡", "name": "member_card", "kind": "model"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/design/clinic/entities/member_card/"
    assert any(e.name == "member_card" for e in validate_folder(specs / "clinic").entities)
    picks = analyst_client.get("/design/clinic/pick/entities/?q=yyjl&for=x").content.decode()
    assert 'data-pick-value="appointment"' in picks and "预约记录" in picks
    picks = analyst_client.get("/design/clinic/pick/entities/?q=huiyuan&for=x").content.decode()
    assert 'data-pick-value="member_card"' in picks and "appointment" not in picks


@pytest.mark.parametrize(
    "who, status",
    [("anonymous", 302), ("operator", 403), ("staff", 200), ("designer", 200)],
)
def test_only_analysts_get_in(specs, client, analyst, who, status):
    if who == "operator":
        client.force_login(User.objects.create_user("clinic.xiaolin", password="x"))
    elif who == "staff":
        client.force_login(User.objects.create_user("boss", password="x", is_staff=True))
    elif who == "designer":
        client.force_login(analyst)
    assert client.get("/design/clinic/entities/").status_code == status
    before = folder_digest(specs / "clinic")
    post = client.post(f"{FIELDS}/0/", {"_original": "0", "label": "x"})
    if who in ("anonymous", "operator"):
        assert post.status_code == status
        assert folder_digest(specs / "clinic") == before


def test_unknown_tenant_and_element_are_404(specs, analyst_client):
    assert analyst_client.get("/design/nope/entities/").status_code == 404
    assert analyst_client.get("/design/clinic/entities/nope/").status_code == 404
    assert analyst_client.get(f"{FIELDS}/999/").status_code == 404


def test_a_stale_form_writes_nothing(specs, analyst_client):
    before = folder_digest(specs / "clinic")
    response = hx(analyst_client, "post", f"{FIELDS}/2/", {"_original": "7", "label": "x"})
    assert folder_digest(specs / "clinic") == before
    assert 'data-ok="0"' in response.content.decode()
