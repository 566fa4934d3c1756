"""The New form: an operator with the ``add`` right on an entity creates a row (a customer) on
the workbench and lands on its entity page; without the right it is 403."""

from __future__ import annotations

import pytest
from django.apps import apps

pytestmark = pytest.mark.django_db

NEW = "/clinic/e/customer/new/"


def customers():
    return apps.get_model("clinic", "Customer").objects


def test_the_receptionist_creates_a_customer_and_lands_on_her_page(clinic, browser_as):
    xiaolin = browser_as("xiaolin", "en")
    board = xiaolin.get("/clinic/").content.decode()
    assert f'href="{NEW}"' in board and 'data-entity="customer"' in board  # from the board
    page = xiaolin.get(NEW).content.decode()
    assert 'name="entity-full_name"' in page and 'name="entity-phone"' in page
    assert 'name="entity-erpsys_id"' not in page and 'name="entity-pym"' not in page

    before = customers().count()
    bad = xiaolin.post(NEW, {"entity-full_name": "张女士"})  # 电话 is required
    assert bad.status_code == 400 and "invalid-feedback" in bad.content.decode()
    assert customers().count() == before

    done = xiaolin.post(NEW, {"entity-full_name": "张女士", "entity-phone": "13900000000"})
    assert done.status_code == 302
    row = customers().order_by("-pk").first()
    assert done["Location"] == f"/clinic/e/customer/{row.erpsys_id}/"
    assert (row.full_name, row.phone, row.label, row.pym) == (
        "张女士",
        "13900000000",
        "张女士",
        "zns",
    )
    assert row.number.startswith("CUS-")
    landed = xiaolin.get(done["Location"]).content.decode()
    assert "张女士" in landed and 'data-program="customer_service"' in landed


def test_without_the_add_right_it_is_403(clinic, browser_as):
    wang = browser_as("dr_wang", "en")
    assert wang.get(NEW).status_code == 403
    before = customers().count()
    assert wang.post(NEW, {"entity-full_name": "X", "entity-phone": "1"}).status_code == 403
    assert customers().count() == before
    assert f'href="{NEW}"' not in wang.get("/clinic/").content.decode()


def test_records_dicts_and_unknown_entities_have_no_new_form(clinic, browser_as):
    xiaolin = browser_as("xiaolin")
    for entity in ("appointment", "gender", "no_such_thing"):
        assert xiaolin.get(f"/clinic/e/{entity}/new/").status_code == 404, entity


def test_the_new_form_is_behind_the_tenant_gate(client, clinic):
    response = client.get(NEW)
    assert response.status_code == 302 and response["Location"].startswith("/clinic/login/")
