"""View columns and form fields: the child editors of views and forms."""

from __future__ import annotations

import pytest

from design.specs.validate import validate_folder
from tests.design.specs.helpers import folder_digest
from tests.designer_editors.conftest import hx
from tests.designer_editors.test_entities import assert_byte_stable, errors_at

pytestmark = pytest.mark.django_db


def test_a_view_column_path_is_checked_and_saved(specs, analyst_client):
    url = "/design/clinic/views/public_tasks/columns/1/"
    before = folder_digest(specs / "clinic")
    bad = hx(
        analyst_client,
        "post",
        f"{url}check/",
        {"_original": "1", "label": "病历号", "value": "entity.medical_record_numbr"},
    )
    found = errors_at(bad.content.decode(), "child-value")
    assert found and found[0][0] == "invalid_path"
    assert folder_digest(specs / "clinic") == before
    ok = hx(
        analyst_client,
        "post",
        url,
        {"_original": "1", "label": "电话", "value": "entity.phone", "visible": "false"},
    )
    assert 'data-ok="1"' in ok.content.decode()
    view = next(v for v in validate_folder(specs / "clinic").views if v.name == "public_tasks")
    assert (view.columns[1].label, view.columns[1].value, view.columns[1].visible) == (
        "电话",
        "entity.phone",
        False,
    )
    assert_byte_stable(specs / "clinic")


def test_a_form_field_widget(specs, analyst_client):
    url = "/design/clinic/forms/appointment_form/fields/2/"
    page = hx(analyst_client, "get", url).content.decode()
    assert 'name="widget"' in page and 'name="readonly"' in page
    ok = hx(analyst_client, "post", url, {"_original": "2", "field": "age", "required": "true"})
    assert 'data-ok="1"' in ok.content.decode()
    form = next(f for f in validate_folder(specs / "clinic").forms if f.name == "appointment_form")
    assert (form.fields[2].field, form.fields[2].required) == ("age", True)
    bad = hx(analyst_client, "post", f"{url}check/", {"_original": "2", "field": "agee"})
    assert errors_at(bad.content.decode(), "child-field")[0][0] == "unknown_reference"


def test_a_menu_groups_items_are_edited_and_added(specs, analyst_client):
    page = hx(analyst_client, "get", "/design/clinic/menu/materials/").content.decode()
    assert 'data-list="children"' in page and "物料台账" in page
    ok = hx(
        analyst_client,
        "post",
        "/design/clinic/menu/materials/children/1/",
        {"_original": "1", "label": "物料流水", "name": "material_ledger_list",
         "entity": "material_ledger", "view": ""},
    )  # fmt: skip
    assert 'data-ok="1"' in ok.content.decode()
    added = hx(
        analyst_client,
        "post",
        "/design/clinic/menu/materials/children/2/",
        {"_original": "2", "_new": "1", "label": "客户清单", "name": "material_customers",
         "entity": "customer", "view": ""},
    )  # fmt: skip
    assert 'data-ok="1"' in added.content.decode()
    menu = next(m for m in validate_folder(specs / "clinic").menu if m.name == "materials")
    assert [(c.label, c.entity) for c in menu.children] == [
        ("物料", "material"),
        ("物料流水", "material_ledger"),
        ("客户清单", "customer"),
    ]
    assert_byte_stable(specs / "clinic")


def test_dict_rows_with_extra_values(specs, analyst_client):
    url = "/design/clinic/entities/gender/"
    page = hx(analyst_client, "get", url).content.decode()
    assert "男\n女" in page
    before = folder_digest(specs / "clinic")
    fields = {"_original": "gender", "label": "性别", "name": "gender", "kind": "dict"}
    bad = hx(analyst_client, "post", url, {**fields, "rows": "男 | code=1\n女"})
    assert 'data-code="unknown_reference"' in bad.content.decode()  # code is not a field
    assert folder_digest(specs / "clinic") == before
    ok = hx(
        analyst_client, "post", url, {**fields, "rows": "男 | name=male\n女 | name=female\n未知"}
    )
    assert 'data-ok="1"' in ok.content.decode()
    entity = next(e for e in validate_folder(specs / "clinic").entities if e.name == "gender")
    rows = [(row["label"], row.get("name")) for row in map(dict, entity.rows)]
    assert rows == [("男", "male"), ("女", "female"), ("未知", None)]
    again = hx(analyst_client, "get", url).content.decode()
    assert "男 | name=male" in again
    assert_byte_stable(specs / "clinic")


def test_a_column_path_input_offers_the_paths_the_validator_accepts(specs, analyst_client):
    import re

    from design.editors import store
    from design.editors.paths import column_paths

    page = hx(analyst_client, "get", "/design/clinic/views/public_tasks/columns/1/")
    offered = re.findall(r'<option value="([^"]+)">', page.content.decode().split("datalist")[1])
    assert {"service.label", "operator.name", "entity.phone", "entity.full_name"} <= set(offered)
    assert any(p.startswith("record.") for p in offered)
    # every offered path validates as a column of that view; an invented one does not
    data = store.load("clinic").data
    index = next(i for i, v in enumerate(data["views"]) if v.get("name") == "public_tasks")
    spec = store.check(data, "clinic").spec
    assert column_paths(spec, index) == offered
    for i, view in enumerate(data["views"]):  # task views and entity views alike
        view["columns"] = [{"label": p, "value": p} for p in column_paths(spec, i)]
        assert view["columns"]
    assert [e for e in store.check(data, "clinic").errors if "columns" in str(e.path)] == []
    view = data["views"][index]
    view["columns"] = [{"label": "x", "value": "entity.no_such_field"}]
    assert [e.code for e in store.check(data, "clinic").errors] == ["invalid_path"]
