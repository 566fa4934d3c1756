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
