"""The front door (issue 9 item 8): ``/`` lists the tenants or sends an operator to his board;
no debug URL listing; the REST docs link to the login; the API root lists the kernel endpoints."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_anonymous_front_door_lists_every_tenant(make_tenant):
    make_tenant("repair_shop", "Max's repair shop")
    page = Client().get("/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'href="/repair_shop/"' in text and "Max&#x27;s repair shop" in text
    assert 'href="/clinic/"' in text  # an installed tenant without its row yet: by its name


def test_an_operator_of_one_tenant_goes_straight_to_his_board(make_operator):
    operator = make_operator("repair_shop", "ana")
    client = Client()
    client.force_login(operator.user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/repair_shop/"


def test_no_debug_url_listing_with_debug_off(settings):
    assert settings.DEBUG is False  # the project's default
    page = Client().get("/no/such/page/")
    assert page.status_code == 404
    assert "URLconf" not in page.content.decode() and "repair_shop/api" not in page.content.decode()


def test_api_docs_send_anonymous_to_the_login_and_link_to_it(make_operator):
    anonymous = Client().get("/repair_shop/api/docs/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/repair_shop/login/?next=/repair_shop/api/docs/")
    operator = make_operator("repair_shop", "ana")
    client = Client()
    client.force_login(operator.user)
    page = client.get("/repair_shop/api/docs/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'href="/repair_shop/login/?next=/repair_shop/api/docs/"' in text
    assert 'action="/repair_shop/logout/"' in text and 'href="/repair_shop/"' in text
    assert "swagger-ui" in text


def test_api_root_lists_the_kernel_endpoints(make_operator):
    operator = make_operator("repair_shop", "ana")
    client = Client()
    client.force_login(operator.user)
    root = client.get("/repair_shop/api/", HTTP_ACCEPT="application/json")
    assert root.status_code == 200
    data = root.json()
    assert data["processes/start"] == "http://testserver/repair_shop/api/processes/start/"
    assert data["tasks/{pid}/complete"] == "http://testserver/repair_shop/api/tasks/{pid}/complete/"
    assert data["incidents/{pk}/retry"].endswith("/repair_shop/api/incidents/{pk}/retry/")
    assert data["docs"].endswith("/repair_shop/api/docs/") and "customer" in data
